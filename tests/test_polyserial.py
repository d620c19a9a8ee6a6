"""Tests for polyserial and Pearson correlations beside polychoric ones: ``polychoric(..., continuous=...)``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

import csl_stats
from csl_stats.errors import (
    ColumnNotFoundError,
    ConstantError,
    InsufficientDataError,
    NonNumericError,
    ScaleError,
)

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "polyserial.json").read_text())
SURVEY = Path(__file__).parent.parent / "data" / "supply_chain_survey.csv"


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """Seeded mixed data (tests/reference/make_polyserial_data.py): 400 x 5, 4 % missing."""
    return pd.read_csv(REF_DIR / "polyserial_data.csv")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(SURVEY)


def _data(name: str, mixed: pd.DataFrame, survey: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if name == "mixed_pairwise":
        return mixed, "pairwise"
    if name == "mixed_listwise":
        return mixed.dropna(), "listwise"
    return survey, "pairwise"


@pytest.mark.filterwarnings("ignore::csl_stats.errors.MissingDataWarning")
@pytest.mark.parametrize("name", ["mixed_pairwise", "mixed_listwise", "survey_pairwise"])
def test_polyserial_against_R(name, mixed, survey):
    """R: ``lavCor(x, ordered = <ordinal items>, missing = ...)`` (correlations);
    ``fit <- lavCor(..., se = "standard", output = "fit")``: ``lavInspect(fit, "wls.obs")``,
    ``lavInspect(fit, "gamma")`` (NACOV), ``diag(lavInspect(fit, "wls.v"))``; and
    ``lavaan:::muthen1984(...)`` for the Jacobian ``H`` that gives the acov of the correlations,
    ``H^-1 D W D H^-T`` (``tests/reference/polyserial.R``)."""
    ref = REF[name]
    data, policy = _data(name, mixed, survey)
    cont = [v for v in ref["vars"] if v not in ref["ordered"]]
    res = csl_stats.polychoric(data, ref["vars"], continuous=cont, nan_policy=policy)
    assert res.n_obs == ref["n"]
    assert list(res.correlation.index) == ref["vars"]
    assert res.continuous == tuple(cont)
    np.testing.assert_allclose(res.correlation.to_numpy(), np.array(ref["R"]), atol=1e-6)
    assert list(res.acov.index) == ref["labels"]
    np.testing.assert_allclose(res.wls_obs.to_numpy(), ref["wls_obs"], atol=1e-6)
    gamma = np.array(ref["gamma"])
    np.testing.assert_allclose(res.acov.to_numpy() * res.n_obs, gamma, atol=1e-6 * np.abs(gamma).max())
    np.testing.assert_allclose(res.dwls_weights, ref["wls_v_diag"], rtol=1e-6)
    acov_cor = np.array(ref["acov_cor"])
    np.testing.assert_allclose(res.acov_correlation.to_numpy(), acov_cor, atol=1e-6 * np.abs(acov_cor).max())
    m = len(res.pairs)
    se_ref = np.sqrt(np.diag(acov_cor)[-m:] * res.n_obs / (res.n_obs - 1))
    np.testing.assert_allclose(res.pairs["se"], se_ref, rtol=1e-6)
    # means and variances of the continuous variables (lavaan: the ML variance, divisor n)
    np.testing.assert_allclose(
        res.moments["mean_se"], np.sqrt(np.diag(acov_cor)[[res.acov.index.get_loc(f"{c}~1") for c in cont]]
                                        * res.n_obs / (res.n_obs - 1)), rtol=1e-6)
    kinds = res.pairs.set_index(["item1", "item2"])["kind"]
    for (a, b), kind in kinds.items():
        n_cont = (a in cont) + (b in cont)
        assert kind == ["polychoric", "polyserial", "pearson"][n_cont]


def test_polyserial_against_psych(mixed, survey):
    """R: ``psych::polyserial(x[, continuous], x[, ordinal])`` on complete cases: the "ad hoc" estimator
    r_xy * s_y / sum(phi(tau)) (Olsson, Drasgow & Dorans 1982), which the maximum-likelihood estimate
    refines (and which it uses as its starting value)."""
    ref = REF["psych_listwise"]
    data = mixed.dropna()
    res = csl_stats.polychoric(data, ref["ord"], continuous=ref["cont"], nan_policy="listwise")
    psych = np.array(ref["rho"])  # ordinal x continuous
    pairs = res.pairs.query("kind == 'polyserial'")
    for _, row in pairs.iterrows():
        o, c = (row["item1"], row["item2"]) if row["item1"] in ref["ord"] else (row["item2"], row["item1"])
        tau = res.thresholds.loc[res.thresholds["item"] == o, "estimate"].to_numpy()
        sd_codes = data[o].std(ddof=0)
        adhoc = row["pearson"] * sd_codes / np.exp(-0.5 * tau**2).sum() * np.sqrt(2 * np.pi)
        expected = psych[ref["ord"].index(o), ref["cont"].index(c)]
        assert adhoc == pytest.approx(expected, abs=1e-10)
        assert row["rho"] == pytest.approx(expected, abs=0.03)  # ML and ad hoc differ a little
    sat = ["sat1", "sat2", "sat3"]
    sub = survey[[*sat, "loy1", "loy2", "share_of_wallet"]].dropna()  # R: complete cases of these six
    assert len(sub) == REF["psych_survey"]["n"]
    sres = csl_stats.polychoric(sub, sat, continuous=["share_of_wallet"])
    np.testing.assert_allclose(sres.pairs.query("kind == 'polyserial'")["rho"],
                               np.array(REF["psych_survey"]["rho"]).ravel(), atol=0.01)


def test_polyserial_is_the_maximum_likelihood_estimate(mixed):
    """The two-step estimate maximises the conditional likelihood (checked by a scalar optimiser)."""
    res = csl_stats.polychoric(mixed, ["o3"], continuous=["share"])
    d = mixed[["o3", "share"]].dropna()
    x = mixed["share"].dropna()
    z = ((d["share"] - x.mean()) / x.std(ddof=0)).to_numpy()
    tau = np.concatenate([[-np.inf], res.thresholds["estimate"].to_numpy(), [np.inf]])
    b = d["o3"].to_numpy().astype(int) - 1

    def negll(r):
        s = np.sqrt(1 - r * r)
        return -np.log(special.ndtr((tau[b + 1] - r * z) / s) - special.ndtr((tau[b] - r * z) / s)).sum()

    opt = optimize.minimize_scalar(negll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10})
    assert res.pairs.loc[0, "rho"] == pytest.approx(opt.x, abs=1e-7)


def test_recovers_population_correlations():
    rng = np.random.default_rng(8)
    S = np.array([[1, 0.6, 0.5], [0.6, 1, 0.4], [0.5, 0.4, 1]])
    z = rng.multivariate_normal(np.zeros(3), S, size=20_000)
    df = pd.DataFrame({"q": np.digitize(z[:, 0], [-1.0, 0.0, 0.7, 1.5]) + 1,
                       "spend": 50 + 10 * z[:, 1], "share": 0.4 + 0.1 * z[:, 2]})
    res = csl_stats.polychoric(df, ["q"], continuous=["spend", "share"])
    truth = {("q", "spend"): 0.6, ("q", "share"): 0.5, ("spend", "share"): 0.4}
    for _, row in res.pairs.iterrows():
        assert abs(row["rho"] - truth[(row["item1"], row["item2"])]) < 3 * row["se"]
    ps = res.pairs.query("kind == 'polyserial'")
    assert (ps["pearson"] < ps["rho"] - 0.02).all()  # Pearson with the category codes is attenuated
    # both continuous, complete data: the two-step estimate is the Pearson correlation
    pe = res.pairs.query("kind == 'pearson'")
    assert pe["rho"].item() == pytest.approx(pe["pearson"].item(), abs=1e-12)
    np.testing.assert_allclose(res.moments["mean"], [df["spend"].mean(), df["share"].mean()])
    np.testing.assert_allclose(res.moments["variance"], [df["spend"].var(ddof=0), df["share"].var(ddof=0)])


def test_layout_and_ordinal_only_unchanged(mixed):
    before = mixed.copy()
    # continuous names already among items keep their place; others follow the items
    a = csl_stats.polychoric(mixed, ["o1", "spend", "o2"], continuous=["spend", "share"])
    pd.testing.assert_frame_equal(mixed, before)
    assert list(a.correlation.index) == ["o1", "spend", "o2", "share"]
    assert a.continuous == ("spend", "share") and a.n_items == 4
    b = csl_stats.polychoric(mixed, continuous=["spend", "share"])  # items default: every column
    assert list(b.correlation.index) == list(mixed.columns)
    # the same pair gives the same estimate whatever else is in the call
    r1 = a.pairs.query("item1 == 'o1' and item2 == 'spend'")["rho"].item()
    r2 = b.pairs.query("item1 == 'o1' and item2 == 'spend'")["rho"].item()
    assert r1 == pytest.approx(r2, abs=1e-12)
    # ordinal items only: the new fields are empty and acov is in the correlation metric
    o = csl_stats.polychoric(mixed, ["o1", "o2", "o3"])
    assert o.continuous == () and o.moments.empty and (o.pairs["kind"] == "polychoric").all()
    pd.testing.assert_frame_equal(o.acov, o.acov_correlation)
    np.testing.assert_allclose(o.wls_obs, np.concatenate([o.thresholds["estimate"], o.pairs["rho"]]))
    assert "<table" in a._repr_html_()


def test_bad_input_continuous(mixed):
    df = mixed.dropna().head(60).reset_index(drop=True)
    with pytest.raises(ConstantError, match="'spend'.*fewer than two distinct values"):
        csl_stats.polychoric(df.assign(spend=3.0), ["o1"], continuous=["spend"])
    with pytest.raises(NonNumericError, match="'spend'"):
        csl_stats.polychoric(df.assign(spend="x"), ["o1"], continuous=["spend"])
    with pytest.raises(ColumnNotFoundError, match="spnd"):
        csl_stats.polychoric(df, ["o1"], continuous=["spnd"])
    with pytest.raises(InsufficientDataError, match="at least 2 variables"):
        csl_stats.polychoric(df, [], continuous=["spend"])
    with pytest.raises(ScaleError, match="'spend' takes only two values.*ordinal item"):
        csl_stats.polychoric(df.assign(spend=np.arange(60) % 2), ["o1"], continuous=["spend"])
    # non-integer values are fine for a continuous variable, not for an ordinal item
    csl_stats.polychoric(df, ["o1"], continuous=["share"])
    with pytest.raises(ScaleError, match="'share'.*non-integer"):
        csl_stats.polychoric(df, ["o1", "share"])
    # more than 10 categories: the message names the argument to use
    wide = pd.DataFrame({"a": np.arange(44) % 11, "b": np.arange(44) % 2})
    with pytest.raises(ScaleError, match=r"'a'.*11 distinct answers.*continuous=\['a'\]"):
        csl_stats.polychoric(wide)
    assert csl_stats.polychoric(wide, ["b"], continuous=["a"]).pairs["kind"].item() == "polyserial"
    # among the respondents who answered both, the ordinal item takes one category
    flat = pd.DataFrame({"o": [1, 1, 1, 1, 2, 2], "x": [0.1, 0.5, 0.3, 0.9, np.nan, np.nan]})
    with pytest.raises(InsufficientDataError, match="'o' takes a single value"):
        csl_stats.polychoric(flat, ["o"], continuous=["x"])


def test_mixed_acov_reproduces_lavaan_wlsmv(mixed):
    """R: ``cfa("f =~ o1 + spend + o2 + o3 + share", data = complete cases, ordered = c("o1", "o2", "o3"),
    estimator = "WLSMV", std.lv = TRUE)``: loadings, their SEs, residual variances of the continuous
    indicators, ``chisq``, ``chisq.scaled``, ``chisq.scaling.factor``.

    A one-factor DWLS fit written out here with ``wls_obs``, ``dwls_weights`` and ``acov`` (thresholds and
    means are saturated and drop out; the model is var(x) = lambda^2 + theta for a continuous indicator and
    lambda_i lambda_j for every covariance or polychoric correlation) must reproduce lavaan's WLSMV with
    mixed indicators: estimates, sandwich SEs and the scaled-shifted statistic.
    """
    ref = REF["wlsmv_mixed_listwise"]
    pc = csl_stats.polychoric(mixed.dropna(), ["o1", "spend", "o2", "o3", "share"], continuous=["spend", "share"],
                              nan_policy="listwise")
    n = pc.n_obs
    labels = list(pc.acov.index)
    rest = [k for k, lab in enumerate(labels) if "~~" in lab]  # variances and covariances / correlations
    s = pc.wls_obs.to_numpy()[rest]
    w = pc.dwls_weights.to_numpy()[rest]
    gamma = pc.acov.to_numpy()[np.ix_(rest, rest)] * n
    names = list(pc.correlation.index)
    pos = {c: i for i, c in enumerate(names)}
    cont = [pos["spend"], pos["share"]]
    pairs = [tuple(pos[v] for v in labels[k].split("~~")) for k in rest]

    def model(theta):
        lam, psi = theta[:5], theta[5:]
        out = np.empty(len(pairs))
        for r, (a, b) in enumerate(pairs):
            out[r] = lam[a] * lam[b] + (psi[cont.index(a)] if a == b else 0.0)
        return out

    start = np.concatenate([np.full(5, 0.5), [1.0, 0.01]])
    start[cont] = np.sqrt(pc.moments["variance"].to_numpy()) * 0.5
    fit = optimize.least_squares(lambda t: np.sqrt(w) * (s - model(t)), start, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    theta = fit.x
    lam = theta[:5] * np.sign(theta[pos["o1"]])
    np.testing.assert_allclose(lam, ref["loadings"], rtol=1e-5)
    np.testing.assert_allclose(theta[5:], ref["resvar"], rtol=1e-5)
    # Jacobian of the model and the sandwich
    delta = np.zeros((len(pairs), 7))
    for r, (a, b) in enumerate(pairs):
        delta[r, a] += theta[b]
        delta[r, b] += theta[a]
        if a == b:
            delta[r, 5 + cont.index(a)] = 1.0
    W = np.diag(w)
    bread = np.linalg.inv(delta.T @ W @ delta)
    V = bread @ delta.T @ W @ gamma @ W @ delta @ bread / (n - 1)
    np.testing.assert_allclose(np.sqrt(np.diag(V))[:5], ref["se"], rtol=1e-5)
    df = len(pairs) - 7
    T = (n - 1) * np.sum(w * (s - model(theta)) ** 2)
    UG = (W - W @ delta @ bread @ delta.T @ W) @ gamma
    a = np.sqrt(df / np.trace(UG @ UG))
    b = df - a * np.trace(UG)
    assert df == ref["fit"]["df"]
    assert T == pytest.approx(ref["fit"]["chisq"], abs=1e-5)
    assert 1 / a == pytest.approx(ref["fit"]["chisq.scaling.factor"], abs=1e-5)
    assert a * T + b == pytest.approx(ref["fit"]["chisq.scaled"], abs=1e-5)


def test_unit_invariance_and_sign(mixed):
    """A change of unit of the continuous variable leaves the correlations and their SEs unchanged;
    reversing it flips their signs."""
    base = csl_stats.polychoric(mixed, ["o1", "o3"], continuous=["spend"])
    euros = csl_stats.polychoric(mixed.assign(spend=mixed["spend"] * 1000 + 5e6), ["o1", "o3"], continuous=["spend"])
    flipped = csl_stats.polychoric(mixed.assign(spend=-mixed["spend"]), ["o1", "o3"], continuous=["spend"])
    np.testing.assert_allclose(euros.pairs["rho"], base.pairs["rho"], atol=1e-9)
    np.testing.assert_allclose(euros.pairs["se"], base.pairs["se"], rtol=1e-6)
    ps = (base.pairs["kind"] == "polyserial").to_numpy()
    np.testing.assert_allclose(flipped.pairs["rho"][ps], -base.pairs["rho"][ps], atol=1e-9)
    np.testing.assert_allclose(flipped.pairs["rho"][~ps], base.pairs["rho"][~ps], atol=1e-12)
    # the asymptotic covariance matrix is a covariance matrix
    assert np.linalg.eigvalsh(base.acov_correlation.to_numpy())[0] > 0
    assert np.linalg.eigvalsh(base.acov.to_numpy())[0] > 0
