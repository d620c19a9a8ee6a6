"""Tests for csl_stats.ordinal (thresholds and polychoric correlations) against lavaan and psych."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ConstantError,
    ConvergenceWarning,
    InsufficientDataError,
    NonNumericError,
    NotPositiveDefiniteWarning,
    ScaleError,
)
from csl_stats.ordinal import _bvn_cdf_grid, _smooth_correlation

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "ordinal.json").read_text())
SURVEY = Path(__file__).parent.parent / "data" / "supply_chain_survey.csv"


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    """Seeded ordinal data (tests/reference/make_ordinal_data.py): 500 x 8, 3 % missing."""
    return pd.read_csv(REF_DIR / "ordinal_data.csv")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(SURVEY)


def _data(name: str, sim: pd.DataFrame, survey: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if name == "sim_pairwise":
        return sim, "pairwise"
    if name == "sim_listwise":
        return sim, "listwise"
    return survey, "pairwise"


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
@pytest.mark.parametrize("name", ["sim_pairwise", "sim_listwise", "survey_pairwise"])
def test_polychoric_against_R(name, sim, survey):
    """R: ``fit <- lavCor(x, ordered = names(x), se = "standard", output = "fit", missing = ...)``;
    ``parameterEstimates(fit)`` (thresholds, correlations, SEs) and ``lavInspect(fit, "gamma")`` (NACOV), ``diag(lavInspect(fit, "wls.v"))``."""
    ref = REF[name]
    data, policy = _data(name, sim, survey)
    res = csl_stats.polychoric(data, ref["items"], nan_policy=policy)
    assert res.n_obs == ref["n"]
    th = res.thresholds
    assert th["item"].tolist() == ref["th_item"]
    np.testing.assert_allclose(th["estimate"], ref["th_est"], atol=1e-6)
    np.testing.assert_allclose(th["se"], ref["th_se"], atol=1e-6)
    np.testing.assert_allclose(res.correlation.to_numpy(), np.array(ref["R"]), atol=1e-6)
    assert res.pairs["item1"].tolist() == ref["cor_lhs"]
    assert res.pairs["item2"].tolist() == ref["cor_rhs"]
    np.testing.assert_allclose(res.pairs["rho"], ref["cor_est"], atol=1e-6)
    np.testing.assert_allclose(res.pairs["se"], ref["cor_se"], atol=1e-6)
    gamma = np.array(ref["gamma"])
    np.testing.assert_allclose(res.acov.to_numpy() * res.n_obs, gamma, atol=1e-6 * np.abs(gamma).max())
    np.testing.assert_allclose(res.dwls_weights, ref["wls_v_diag"], rtol=1e-6)


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_polychoric_against_psych(sim, survey):
    """R: ``psych::polychoric(x[complete.cases(x), ], correct = 0)$rho`` (no continuity correction)."""
    res = csl_stats.polychoric(sim, nan_policy="listwise")
    np.testing.assert_allclose(res.correlation.to_numpy(), np.array(REF["psych_sim_listwise"]["rho"]), atol=1e-4)
    sat = csl_stats.polychoric(survey, ["sat1", "sat2", "sat3"], nan_policy="listwise")
    assert sat.n_obs == REF["psych_sat_listwise"]["n"]
    np.testing.assert_allclose(sat.correlation.to_numpy(), np.array(REF["psych_sat_listwise"]["rho"]), atol=1e-4)


def test_bivariate_normal_grid_accuracy():
    rng = np.random.default_rng(0)
    h = rng.uniform(-3, 3, size=(6, 4))
    k = rng.uniform(-3, 3, size=(6, 3))
    r = np.array([-0.9, -0.3, 0.0, 0.5, 0.9, 0.98])
    F = _bvn_cdf_grid(h, k, r)
    for p in range(6):
        mvn = stats.multivariate_normal([0, 0], [[1, r[p]], [r[p], 1]])
        ref = np.array([[mvn.cdf([a, b]) for b in k[p]] for a in h[p]])
        np.testing.assert_allclose(F[p], ref, atol=1e-7)  # scipy's own accuracy is about 1e-8


def test_recovers_population_correlation():
    rng = np.random.default_rng(11)
    z = rng.multivariate_normal([0, 0], [[1, 0.7], [0.7, 1]], size=20_000)
    df = pd.DataFrame({"a": np.digitize(z[:, 0], [-1.5, -0.5, 0.3, 1.2]), "b": np.digitize(z[:, 1], [-0.8, 0.9])})
    res = csl_stats.polychoric(df)
    rho, se = res.pairs.loc[0, ["rho", "se"]]
    assert abs(rho - 0.7) < 3 * se
    assert res.pairs.loc[0, "pearson"] < rho - 0.03  # Pearson on categories is attenuated
    np.testing.assert_allclose(res.thresholds.query("item == 'a'")["estimate"], [-1.5, -0.5, 0.3, 1.2], atol=0.05)
    assert res.thresholds["lower"].tolist()[:2] == [0, 1]


def test_result_interface(sim):
    before = sim.copy()
    res = csl_stats.polychoric(sim, ["a1", "a2", "a7"])
    pd.testing.assert_frame_equal(sim, before)  # caller's data untouched
    assert res.n_items == 3 and len(res.pairs) == 3
    assert res.to_frame() is not res.pairs
    assert "rho" in repr(res) and "<table" in res._repr_html_()
    se = res.se
    assert se.loc["a1", "a7"] == se.loc["a7", "a1"] == res.pairs.query("item1 == 'a1' and item2 == 'a7'")["se"].item()
    assert res.acov.shape == (5 + 5 + 2 + 3, 5 + 5 + 2 + 3)
    assert res.min_eigenvalue > 0 and res.collapsed == {}


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_listwise_uses_complete_rows(sim):
    res = csl_stats.polychoric(sim, nan_policy="listwise")
    assert res.n_obs == int(sim.notna().all(axis=1).sum())
    assert res.n_excluded == len(sim) - res.n_obs
    assert (res.pairs["n"] == res.n_obs).all()


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_bad_input():
    df = pd.DataFrame({"a": [1, 2, 3, 2, 1, 3], "b": [1, 2, 2, 1, 2, 1]})
    with pytest.raises(ScaleError, match=r"'a'.*non-integer.*2\.5"):
        csl_stats.polychoric(df.assign(a=[1, 2.5, 3, 2, 1, 3]))
    with pytest.raises(ConstantError, match="'b'.*fewer than two observed categories"):
        csl_stats.polychoric(df.assign(b=2))
    with pytest.raises(ScaleError, match="'a'.*11 distinct answers.*continuous"):
        csl_stats.polychoric(pd.DataFrame({"a": np.arange(22) % 11, "b": np.arange(22) % 2}))
    with pytest.raises(ScaleError, match=r"'a'.*value\(s\) \[3\].*nobody.*collapse_empty"):
        csl_stats.polychoric(df.assign(a=[1, 2, 4, 2, 1, 4]))
    with pytest.raises(NonNumericError, match="'a'"):
        csl_stats.polychoric(df.assign(a=["x", 2, 3, 2, 1, 3]))
    with pytest.raises(ArgumentError, match="nan_policy"):
        csl_stats.polychoric(df, nan_policy="complete")
    with pytest.raises(InsufficientDataError, match="at least 2"):
        csl_stats.polychoric(df, ["a"])
    disjoint = pd.DataFrame({"a": [1, 2, 1, 2, np.nan, np.nan], "b": [np.nan, np.nan, np.nan, 1, 2, 1]})
    with pytest.raises(InsufficientDataError, match="'a' and 'b'.*answered together by 1"):
        csl_stats.polychoric(disjoint)
    # a and b overlap only where b = 1: b takes a single category among the pair's respondents
    flat = pd.DataFrame({"a": [1, 2, 1, 2, np.nan, np.nan], "b": [1, 1, 1, 1, 2, 2]})
    with pytest.raises(InsufficientDataError, match="'b' takes a single category"):
        csl_stats.polychoric(flat)
    with pytest.raises(ArgumentError, match="tol"):
        csl_stats.polychoric(df, tol=0)
    with pytest.raises(ArgumentError, match="max_iter"):
        csl_stats.polychoric(df, max_iter=0)


def test_collapse_empty_reports():
    rng = np.random.default_rng(2)
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=400)
    a = np.digitize(z[:, 0], [-1, 0, 1]) + 1  # 1..4
    a = np.where(a >= 3, a + 1, a)  # values 1, 2, 4, 5: 3 never chosen
    df = pd.DataFrame({"a": a, "b": np.digitize(z[:, 1], [0.0]) + 1})
    res = csl_stats.polychoric(df, collapse_empty=True)
    assert res.collapsed == {"a": [3]}
    recoded = csl_stats.polychoric(df.assign(a=np.where(a > 3, a - 1, a)))
    np.testing.assert_allclose(res.pairs["rho"], recoded.pairs["rho"])
    assert res.thresholds.query("item == 'a'")[["lower", "upper"]].values.tolist() == [[1, 2], [2, 4], [4, 5]]


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_not_positive_definite_warns():
    rng = np.random.default_rng(5)
    z = rng.integers(1, 5, size=300).astype(float)
    nan = np.full(100, np.nan)
    # x1 = x2 on rows 0-99, x2 = x3 on rows 100-199, x1 = reversed x3 on rows 200-299
    x1 = np.concatenate([z[:100], nan, z[200:]])
    x2 = np.concatenate([z[:100], z[100:200], nan])
    x3 = np.concatenate([nan, z[100:200], 5 - z[200:]])
    df = pd.DataFrame({"x1": x1, "x2": x2, "x3": x3})
    with pytest.warns(NotPositiveDefiniteWarning, match="unsmoothed"), pytest.warns(ConvergenceWarning):
        res = csl_stats.polychoric(df)
    assert res.min_eigenvalue < 0 and not res.smoothed
    with pytest.warns(NotPositiveDefiniteWarning, match="smoothed"), pytest.warns(ConvergenceWarning):
        sm = csl_stats.polychoric(df, smooth=True)
    assert sm.smoothed and np.linalg.eigvalsh(sm.correlation.to_numpy())[0] > 0
    np.testing.assert_allclose(np.diag(sm.correlation), 1.0)
    pd.testing.assert_frame_equal(sm.pairs, res.pairs)  # the estimates themselves are kept
    np.testing.assert_allclose(sm.correlation.to_numpy(), _smooth_correlation(res.correlation.to_numpy()))


def test_smoothing_against_psych():
    """R: ``psych::cor.smooth(R0)`` for a fixed non-positive-definite 4 x 4 matrix ``R0``."""
    R0 = np.array(REF["smooth"]["input"])
    np.testing.assert_allclose(_smooth_correlation(R0), np.array(REF["smooth"]["smoothed"]), atol=1e-10)


# ----------------------------------------------------------------------------------------------------------
# ordinal alpha: cronbach_alpha(..., ordinal=True)
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_ordinal_alpha_against_R(policy, sim):
    """R: ``psych::alpha(lavCor(x, ordered = names(x), missing = ...))``: ``raw_alpha``, ``std.alpha``,
    ``alpha.drop$raw_alpha``, ``item.stats$r.drop``."""
    ref = REF[f"ordinal_alpha_sim_{policy}"]
    res = csl_stats.cronbach_alpha(sim, nan_policy=policy, ordinal=True)
    assert res.ordinal
    assert res.alpha == pytest.approx(ref["raw_alpha"], abs=1e-8)
    assert res.std_alpha == pytest.approx(ref["std_alpha"], abs=1e-8)
    np.testing.assert_allclose(res.item_stats["alpha_if_deleted"], ref["alpha_drop"], atol=1e-8)
    np.testing.assert_allclose(res.item_stats["r_corrected"], ref["r_drop"], atol=1e-7)
    # mean and sd still describe the raw answers
    raw = csl_stats.cronbach_alpha(sim, nan_policy=policy)
    np.testing.assert_allclose(res.item_stats[["mean", "sd"]], raw.item_stats[["mean", "sd"]])


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_ordinal_alpha_against_psych(sim, survey):
    """R: ``psych::alpha(psych::polychoric(x, correct = 0)$rho)$total$raw_alpha`` (complete cases)."""
    res = csl_stats.cronbach_alpha(sim, nan_policy="listwise", ordinal=True)
    assert res.alpha == pytest.approx(REF["psych_sim_listwise"]["alpha"], abs=1e-4)
    sat = csl_stats.cronbach_alpha(survey, ["sat1", "sat2", "sat3"], ordinal=True)
    assert sat.alpha == pytest.approx(REF["psych_sat_listwise"]["alpha"], abs=1e-4)
    assert sat.alpha == pytest.approx(REF["ordinal_alpha_sat_listwise"]["raw_alpha"], abs=1e-8)
    plain = csl_stats.cronbach_alpha(survey, ["sat1", "sat2", "sat3"])
    assert plain.alpha == pytest.approx(REF["alpha_sat_listwise"], abs=1e-10)
    assert sat.alpha > plain.alpha  # skewed 7-point answers: alpha on the raw answers is lower


def test_ordinal_alpha_bad_input(survey):
    with pytest.raises(ArgumentError, match="bootstrap.*ordinal=True"):
        csl_stats.cronbach_alpha(survey, ["sat1", "sat2", "sat3"], ordinal=True, ci_method="bootstrap")
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="ordinal must be True or False"):
        csl_stats.cronbach_alpha(survey, ["sat1", "sat2", "sat3"], ordinal="yes")
    df = pd.DataFrame({"a": [1, 2, 3.5, 2, 1], "b": [1, 2, 3, 2, 2], "c": [2, 2, 3, 1, 1]})
    with pytest.raises(ScaleError, match="'a'.*non-integer"):
        csl_stats.cronbach_alpha(df, ordinal=True)


# ----------------------------------------------------------------------------------------------------------
# the asymptotic covariance as the basis of WLSMV
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
def test_acov_reproduces_lavaan_wlsmv(sim):
    """R: ``cfa("f =~ a1 + ... + a8", data = complete cases, ordered = TRUE, estimator = "WLSMV",
    std.lv = TRUE)``: loadings, SEs, ``chisq``, ``chisq.scaled``, ``chisq.scaling.factor``.

    A one-factor DWLS fit written out here (thresholds are saturated, so only the correlations
    enter) with ``dwls_weights`` and ``acov`` must reproduce lavaan's WLSMV: the estimates,
    the sandwich SEs (Delta'W Delta)^-1 Delta'W Gamma W Delta (Delta'W Delta)^-1 / (n - 1) and
    the scaled-shifted statistic a T + b, a = sqrt(df / tr((U Gamma)^2)), b = df - a tr(U Gamma).
    """
    from scipy import optimize

    ref = REF["wlsmv_sim_listwise"]
    pc = csl_stats.polychoric(sim, nan_policy="listwise")
    n, k, m = pc.n_obs, pc.n_items, len(pc.pairs)
    gamma = pc.acov.to_numpy()[-m:, -m:] * n
    w = pc.dwls_weights.to_numpy()[-m:]
    r = pc.pairs["rho"].to_numpy()
    pos = {c: i for i, c in enumerate(pc.correlation.index)}
    i = pc.pairs["item1"].map(pos).to_numpy()
    j = pc.pairs["item2"].map(pos).to_numpy()
    fit = optimize.least_squares(lambda lam: np.sqrt(w) * (r - lam[i] * lam[j]), np.full(k, 0.6),
                                 xtol=1e-14, ftol=1e-14, gtol=1e-14)
    lam = fit.x
    np.testing.assert_allclose(lam, ref["loadings"], atol=1e-6)
    delta = np.zeros((m, k))
    delta[np.arange(m), i] = lam[j]
    delta[np.arange(m), j] = lam[i]
    W = np.diag(w)
    bread = np.linalg.inv(delta.T @ W @ delta)
    V = bread @ delta.T @ W @ gamma @ W @ delta @ bread / (n - 1)
    np.testing.assert_allclose(np.sqrt(np.diag(V)), ref["se"], atol=1e-6)
    df = m - k
    T = (n - 1) * np.sum(w * (r - lam[i] * lam[j]) ** 2)
    UG = (W - W @ delta @ bread @ delta.T @ W) @ gamma
    a = np.sqrt(df / np.trace(UG @ UG))
    b = df - a * np.trace(UG)
    assert df == ref["fit"]["df"]
    assert T == pytest.approx(ref["fit"]["chisq"], abs=1e-5)
    assert 1 / a == pytest.approx(ref["fit"]["chisq.scaling.factor"], abs=1e-6)
    assert a * T + b == pytest.approx(ref["fit"]["chisq.scaled"], abs=1e-5)
