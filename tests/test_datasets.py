"""Tests of the simulated supply-chain survey, its truth, files and codebook."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.datasets import (
    SURVEY_SEED,
    SurveyTruth,
    codebook,
    load_supply_chain_survey,
    simulate_supply_chain_survey,
    write_datasets,
)
from csl_stats.datasets._survey import COLUMNS, ITEMS, REVERSE_KEYED, survey_csv_text
from csl_stats.errors import ArgumentError, ArgumentTypeError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ROOT / "csl_stats" / "datasets" / "data"
REPO_DATA = ROOT / "data"
LIKERT = [i for items in ITEMS.values() for i in items]
#: columns whose missing values are structural (not non-response)
STRUCTURAL_NAN = ("complaint_resolved", "churn_reason")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_supply_chain_survey()


@pytest.fixture(scope="module")
def large() -> tuple[pd.DataFrame, SurveyTruth]:
    """A large seeded sample for truth-consistency checks (about 1 s)."""
    return simulate_supply_chain_survey(20_000, rng=2026)


def _recoded(data: pd.DataFrame) -> pd.DataFrame:
    out = data.copy()
    out["srv4"] = 8 - out["srv4"]
    out["loy4"] = 8 - out["loy4"]
    return out


def _scores(data: pd.DataFrame) -> pd.DataFrame:
    rec = _recoded(data)
    return pd.DataFrame({c: rec[list(items)].mean(axis=1) for c, items in ITEMS.items()})


def _alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha (listwise), computed locally."""
    x = items.dropna().to_numpy(dtype=float)
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS with an intercept: coefficients and classical standard errors."""
    X = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = resid @ resid / (len(y) - X.shape[1])
    se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
    return beta, se


# ----------------------------------------------------------------------------- determinism and files
def test_same_seed_same_frame_and_different_seeds_differ():
    a, _ = simulate_supply_chain_survey(300, rng=5)
    b, _ = simulate_supply_chain_survey(300, rng=5)
    c, _ = simulate_supply_chain_survey(300, rng=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a[LIKERT].equals(c[LIKERT])


def test_generator_is_used_and_advanced():
    gen = np.random.default_rng(11)
    a, _ = simulate_supply_chain_survey(100, rng=gen)
    b, _ = simulate_supply_chain_survey(100, rng=gen)
    c, _ = simulate_supply_chain_survey(100, rng=np.random.default_rng(11))
    pd.testing.assert_frame_equal(a, c)
    assert not a[LIKERT].equals(b[LIKERT])


def test_regeneration_reproduces_committed_csv_exactly():
    text = survey_csv_text()
    packaged = (PACKAGE_DATA / "supply_chain_survey.csv").read_bytes()
    assert text.encode("utf-8") == packaged


def test_package_and_repository_copies_are_identical():
    for name in ("supply_chain_survey.csv", "datapackage.json"):
        assert (PACKAGE_DATA / name).read_bytes() == (REPO_DATA / name).read_bytes(), name


def test_write_datasets_writes_identical_files(tmp_path):
    written = write_datasets(tmp_path, package=False)
    assert all(path.parent == tmp_path for path in written)  # the package copies were not touched
    for name in ("supply_chain_survey.csv", "datapackage.json"):
        assert tmp_path / name in written
        assert (tmp_path / name).read_bytes() == (PACKAGE_DATA / name).read_bytes(), name


def test_loaded_file_equals_simulation_with_documented_seed(survey):
    data, _ = simulate_supply_chain_survey(1000, rng=SURVEY_SEED)
    pd.testing.assert_frame_equal(survey, data)
    assert csl_stats.load_supply_chain_survey().equals(survey)


def test_columns_and_dtypes(survey):
    assert tuple(survey.columns) == COLUMNS
    assert survey.shape == (1000, 52)
    assert survey["customer_id"].is_unique and survey["customer_id"].iloc[0] == "C0001"
    for c in [*LIKERT, "recommend", "complaint_resolved", "revenue_12m", "share_of_wallet"]:
        assert survey[c].dtype == np.float64, c
    for c in ("tenure_years", "complaints_12m", "orders_12m", "churned"):
        assert survey[c].dtype == np.int64, c
    for c in ("customer_id", "industry", "region", "size", "churn_reason"):
        # text columns: pandas >= 3 gives the str dtype, pandas 2.x object columns of str (NaN when missing)
        assert pd.api.types.is_string_dtype(survey[c].dropna()), c
        assert survey[c].dropna().map(type).eq(str).all(), c


def test_csv_formatting_integers_and_fixed_decimals():
    lines = (PACKAGE_DATA / "supply_chain_survey.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict(zip(header, lines[1].split(","), strict=True))
    assert "." not in row["sat1"] and "." not in row["orders_12m"]
    assert len(row["share_of_wallet"].split(".")[1]) == 3
    assert len(row["revenue_12m"].split(".")[1]) == 1
    assert b"\r" not in (PACKAGE_DATA / "supply_chain_survey.csv").read_bytes()


# ----------------------------------------------------------------------------- codebook
def test_codebook_covers_every_column_and_nothing_else(survey):
    cb = codebook()
    assert cb["name"].tolist() == list(survey.columns)
    assert (cb["title"].str.len() > 10).all()
    assert set(cb.loc[cb["reverse_keyed"], "name"]) == set(REVERSE_KEYED)
    for construct, items in ITEMS.items():
        assert cb.loc[cb["name"].isin(items), "construct"].eq(construct).all()


def test_datapackage_is_a_frictionless_resource_list():
    package = json.loads((PACKAGE_DATA / "datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in package["resources"]]
    assert "supply_chain_survey" in names
    res = package["resources"][names.index("supply_chain_survey")]
    assert res["path"] == "supply_chain_survey.csv"
    assert res["schema"]["primaryKey"] == "customer_id"
    for f in res["schema"]["fields"]:
        assert {"name", "type", "title"} <= set(f)
        assert f["construct"] in res["constructs"]


def test_data_respect_the_codebook_constraints(survey):
    package = json.loads((PACKAGE_DATA / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in package["resources"] if r["name"] == "supply_chain_survey")
    for f in res["schema"]["fields"]:
        s = survey[f["name"]]
        cons = f.get("constraints", {})
        if cons.get("required"):
            assert s.notna().all(), f["name"]
        v = s.dropna()
        if "minimum" in cons:
            assert (v >= cons["minimum"]).all(), f["name"]
        if "maximum" in cons:
            assert (v <= cons["maximum"]).all(), f["name"]
        if "enum" in cons:
            assert set(v) <= set(cons["enum"]), f["name"]
        if f["type"] == "integer":
            assert (v == np.round(v.astype(float))).all(), f["name"]


def test_codebook_unknown_resource_raises():
    with pytest.raises(ArgumentError, match="resource must be one of"):
        codebook("no_such_data")


# ----------------------------------------------------------------------------- content
def test_scales_and_skew(survey):
    likert = survey[LIKERT]
    assert set(np.unique(likert.stack().dropna())) == set(range(1, 8))
    assert 4.5 < likert[["sat1", "sat2", "sat3"]].stack().dropna().mean() < 5.6  # B2B answers skew positive
    assert set(survey["recommend"].dropna().unique()) <= set(range(11))


def test_missingness_share_and_pattern(survey):
    answerable = survey.drop(columns=["customer_id", *STRUCTURAL_NAN])
    share = answerable.isna().to_numpy().mean()
    assert 0.02 <= share <= 0.05
    miss = survey[LIKERT].isna().mean()
    assert miss[list(ITEMS["swc"])].mean() > 2 * miss[list(ITEMS["sat"])].mean()  # sensitive items
    assert survey["revenue_12m"].isna().mean() > 0.02


def test_missingness_is_not_mcar(large):
    data, _ = large
    sat = data[["sat1", "sat2", "sat3"]].mean(axis=1)
    miss_swc = data["swc1"].isna()
    low, high = miss_swc[sat < 4].mean(), miss_swc[sat >= 5].mean()
    assert low > 1.5 * high


def test_structural_missing_values(survey):
    assert (survey["complaint_resolved"].isna() == (survey["complaints_12m"] == 0)).all()
    assert (survey["churn_reason"].isna() == (survey["churned"] == 0)).all()
    assert set(survey["complaint_resolved"].dropna()) <= {0.0, 1.0}


def test_behaviour_is_plausible(survey):
    rec = survey["recommend"].dropna()
    nps = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    assert 10 <= nps <= 30
    assert 0.05 < survey["churned"].mean() < 0.2
    sizes = survey.groupby("size")["revenue_12m"].median()
    assert sizes["small"] < sizes["medium"] < sizes["large"]
    assert survey["share_of_wallet"].dropna().between(0, 1).all()


# ----------------------------------------------------------------------------- truth
def test_truth_is_frozen_and_complete():
    _, truth = simulate_supply_chain_survey(50, rng=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        truth.tau = 0.0  # type: ignore[misc]
    assert list(truth.loadings.index) == LIKERT
    assert truth.loadings.idxmin() == "dlv4" and truth.loadings["dlv4"] == pytest.approx(0.35)
    rel = truth.reliability
    assert (rel["omega"] >= rel["alpha_continuous"] - 1e-12).all()
    assert (rel["alpha_likert"] < rel["alpha_continuous"]).all()  # coarsening costs reliability
    corr = truth.latent_corr.to_numpy()
    np.testing.assert_allclose(np.diag(corr), 1.0, atol=1e-12)
    assert np.linalg.eigvalsh(corr).min() > 0
    assert truth.indirect_effect == pytest.approx(truth.mediation["a"] * truth.mediation["b"], abs=1e-12)
    assert truth.mediation["total"] == pytest.approx(
        truth.mediation["c_prime"] + truth.indirect_effect, abs=1e-12
    )
    assert truth.interaction < 0
    assert truth.threshold["slope_above"] > 2 * truth.threshold["slope_below"] > 0
    assert 1 <= truth.tau_score <= 7
    assert "indirect" in repr(truth)


def test_truth_does_not_depend_on_seed_or_n():
    _, t1 = simulate_supply_chain_survey(30, rng=1)
    _, t2 = simulate_supply_chain_survey(500, rng=2)
    assert t1 is t2


def test_sample_reliability_matches_population(large):
    """Alpha of the 1-7 answers on n = 20,000 vs the exact population alpha.

    The sampling SD of alpha at this n is about 0.002; the selection caused by
    listwise deletion under satisfaction-dependent missingness lowers alpha
    by up to about 0.003, hence the tolerance of 0.012.
    """
    data, truth = large
    rec = _recoded(data)
    for construct, items in ITEMS.items():
        assert _alpha(rec[list(items)]) == pytest.approx(truth.reliability.loc[construct, "alpha_likert"], abs=0.012)


def test_disattenuated_score_correlations_match_latent_correlations(large):
    """Score correlations divided by sqrt(score_r2_i * score_r2_j) recover the latent correlations.

    The 1-7 coarsening makes E[score | latent] slightly non-linear and the
    missingness is not MCAR, so agreement is to about 0.03, not to sampling error.
    """
    data, truth = large
    corr = _scores(data).corr()
    d = np.sqrt(truth.reliability["score_r2"])
    dis = corr / np.outer(d, d)
    off = ~np.eye(len(d), dtype=bool)
    np.testing.assert_allclose(dis.to_numpy()[off], truth.latent_corr.to_numpy()[off], atol=0.04)


def _corrected_paths(scores: pd.DataFrame, truth: SurveyTruth, x: list[str], y: str) -> pd.Series:
    """Errors-in-variables regression: latent correlations from disattenuated score correlations."""
    corr = scores[[*x, y]].dropna().corr()
    d = np.sqrt(truth.reliability["score_r2"])
    rxx = corr.loc[x, x].to_numpy() / np.outer(d[x], d[x])
    np.fill_diagonal(rxx, 1.0)
    rxy = corr.loc[x, y].to_numpy() / (d[x].to_numpy() * d[y])
    return pd.Series(np.linalg.solve(rxx, rxy), index=x)


def test_structural_paths_recovered_after_disattenuation(large):
    """Linear ECSI paths: corrected OLS estimates within 0.04 of the structural coefficients."""
    data, truth = large
    scores = _scores(data)
    for lhs in ("dlv", "val", "sat", "trs"):
        eq = truth.paths[truth.paths["lhs"] == lhs]
        est = _corrected_paths(scores, truth, list(eq["rhs"]), lhs)
        np.testing.assert_allclose(est.to_numpy(), eq["coef"].to_numpy(), atol=0.04, err_msg=lhs)


def test_mediation_estimands(large):
    data, truth = large
    scores = _scores(data)
    est = _corrected_paths(scores, truth, ["sat", "trs"], "loy")
    a = _corrected_paths(scores, truth, ["sat"], "trs")["sat"]
    assert a == pytest.approx(truth.mediation["a"], abs=0.03)
    assert est["trs"] == pytest.approx(truth.mediation["b"], abs=0.04)
    assert est["sat"] == pytest.approx(truth.mediation["c_prime"], abs=0.05)
    assert a * est["trs"] == pytest.approx(truth.indirect_effect, abs=0.03)
    assert a * est["trs"] > 0


def test_interaction_attenuated_as_predicted(large):
    """On standardized scores the sat x swc slope is about b4 * sqrt(r_loy r_sat r_swc)."""
    data, truth = large
    s = _scores(data)[["sat", "swc", "loy"]].dropna()
    z = (s - s.mean()) / s.std()
    beta, se = _ols(z["loy"].to_numpy(), np.column_stack([z["sat"], z["swc"], z["sat"] * z["swc"]]))
    r2 = truth.reliability["score_r2"]
    expected = truth.interaction * np.sqrt(r2["loy"] * r2["sat"] * r2["swc"])
    assert beta[3] < 0 and beta[3] / se[3] < -8
    assert beta[3] == pytest.approx(expected, abs=0.03)


def test_threshold_on_observed_score_metric(large):
    """Loyalty score on sat score with a hinge at truth.tau_score: steeper above the threshold."""
    data, truth = large
    s = _scores(data)[["sat", "loy"]].dropna()
    hinge = np.maximum(s["sat"] - truth.tau_score, 0)
    beta, se = _ols(s["loy"].to_numpy(), np.column_stack([s["sat"], hinge]))
    assert beta[2] / se[2] > 8
    ratio = (beta[1] + beta[2]) / beta[1]
    true_ratio = truth.threshold["slope_above"] / truth.threshold["slope_below"]
    # measurement error in the sat score bends the hinge a little (observed 2.42 vs 2.28 at this seed);
    # rel=0.15 still rejects a simulator whose slope ratio is off by a third
    assert ratio == pytest.approx(true_ratio, rel=0.15)


def test_churn_rate_and_nps_near_population(large):
    data, truth = large
    se = np.sqrt(truth.churn_rate * (1 - truth.churn_rate) / len(data))
    assert abs(data["churned"].mean() - truth.churn_rate) < 4 * se
    rec = data["recommend"].dropna()
    nps = 100 * ((rec >= 9).mean() - (rec <= 6).mean())
    assert nps == pytest.approx(truth.nps, abs=2.5)  # dissatisfied skip more: observed NPS slightly higher


def test_small_sample_detects_the_claims(survey):
    """The committed n = 1,000 file: mediation, moderation and threshold clearly detectable."""
    s = _scores(survey)[["sat", "trs", "swc", "loy"]].dropna()
    z = (s - s.mean()) / s.std()
    beta, se = _ols(z["loy"].to_numpy(), np.column_stack([z["sat"], z["swc"], z["sat"] * z["swc"]]))
    assert beta[3] / se[3] < -3
    a, _ = _ols(z["trs"].to_numpy(), z[["sat"]].to_numpy())
    b, se_b = _ols(z["loy"].to_numpy(), z[["sat", "trs"]].to_numpy())
    assert a[1] > 0.3 and b[2] / se_b[2] > 4
    _, truth = simulate_supply_chain_survey(20, rng=0)
    hinge = np.maximum(s["sat"] - truth.tau_score, 0)
    beta, se = _ols(s["loy"].to_numpy(), np.column_stack([s["sat"], hinge]))
    assert beta[2] / se[2] > 3


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("n", [0, 5, 19])
def test_n_too_small(n):
    with pytest.raises(ArgumentError, match="n must be >= 20"):
        simulate_supply_chain_survey(n, rng=1)


def test_n_not_integer():
    with pytest.raises(ArgumentTypeError, match="n must be an integer"):
        simulate_supply_chain_survey(100.5, rng=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rng", "exc", "match"),
    [("seed", ArgumentTypeError, "rng must be None"), (-3, ArgumentError, "non-negative"),
     (np.random.RandomState(1), ArgumentTypeError, "RandomState")],
)
def test_bad_rng(rng, exc, match):
    with pytest.raises(exc, match=match):
        simulate_supply_chain_survey(100, rng=rng)


def test_rng_none_gives_fresh_draws():
    a, _ = simulate_supply_chain_survey(50, rng=None)
    b, _ = simulate_supply_chain_survey(50, rng=None)
    assert not a[LIKERT].equals(b[LIKERT])
