"""Tests for csl_stats.regression.regress (R references in tests/reference/regression.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    CollinearityError,
    ColumnNotFoundError,
    ConstantError,
    DataError,
    InsufficientDataError,
    ModelSpecificationError,
    NonNumericError,
    SeparationWarning,
)
from csl_stats.regression import regress

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "regression_reference.json").read_text())
DATA = pd.read_csv(REF_DIR / "regression_data.csv")


@pytest.mark.parametrize("se", ["nonrobust", "HC0", "HC1", "HC2", "HC3"])
def test_lm_against_R(se):
    """R: fit <- lm(loy ~ sat + trs + swc, data = d); coef(fit); sqrt(diag(vcovHC(fit, type = se)))
    (vcov(fit) for "nonrobust")."""
    res = regress(DATA, "loy", "sat", ["trs", "swc"], se=se)
    ref = REF["lm"][se]
    assert list(res.coefs.index) == ["Intercept", "sat", "trs", "swc"]
    np.testing.assert_allclose(res.coefs["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(res.coefs["se"], ref["se"], rtol=1e-6)
    assert res.n_obs == 300
    assert res.r2 == pytest.approx(REF["lm"]["r2"], rel=1e-8)
    assert res.pseudo_r2 is None


def test_lm_hc3_p_and_ci_against_R():
    """R: lmtest-style t tests with vcovHC(fit, type = "HC3"), df = fit$df.residual."""
    res = regress(DATA, "loy", ["sat", "trs", "swc"], se="HC3")
    np.testing.assert_allclose(res.coefs["p"], REF["lm"]["p_HC3"], rtol=1e-6)
    from scipy import stats

    crit = stats.t.ppf(0.975, REF["lm"]["df_resid"])
    ref = REF["lm"]["HC3"]
    np.testing.assert_allclose(
        res.coefs["ci_low"], np.array(ref["estimate"]) - crit * np.array(ref["se"]), rtol=1e-6
    )
    np.testing.assert_allclose(
        res.coefs["ci_high"], np.array(ref["estimate"]) + crit * np.array(ref["se"]), rtol=1e-6
    )


def test_lm_standardized_against_R():
    """R: lm(loy ~ sat + trs + swc, data = as.data.frame(scale(d[, c("loy","sat","trs","swc")])))."""
    res = regress(DATA, "loy", ["sat", "trs", "swc"], standardize=True)
    np.testing.assert_allclose(res.coefs["estimate"].iloc[1:], REF["lm_std"]["estimate"][1:], rtol=1e-6)
    np.testing.assert_allclose(res.coefs["se"].iloc[1:], REF["lm_std"]["se"][1:], rtol=1e-6)


def test_lm_matches_pingouin():
    import pingouin as pg

    res = regress(DATA, "loy", ["sat", "trs", "swc"])
    pgr = pg.linear_regression(DATA[["sat", "trs", "swc"]], DATA["loy"])
    np.testing.assert_allclose(res.coefs["estimate"], pgr["coef"], rtol=1e-8)
    np.testing.assert_allclose(res.coefs["se"], pgr["se"], rtol=1e-8)
    np.testing.assert_allclose(res.coefs["ci_low"], pgr["CI2.5"], rtol=1e-8)
    np.testing.assert_allclose(res.r2, pgr["r2"].iloc[0], rtol=1e-8)


def test_polr_against_R():
    """R: polr(factor(loy_item) ~ sat + trs, data = d, Hess = TRUE); coef, zeta, sqrt(diag(vcov(pf)))."""
    res = regress(DATA, "loy_item", ["sat", "trs"], family="ordinal")
    ref = REF["polr"]
    assert "Intercept" not in res.coefs.index
    np.testing.assert_allclose(res.coefs["estimate"], ref["coef"], rtol=1e-4)
    np.testing.assert_allclose(res.coefs["se"], ref["coef_se"], rtol=1e-4)
    assert list(res.thresholds.index) == ref["zeta_names"]
    np.testing.assert_allclose(res.thresholds["estimate"], ref["zeta"], rtol=1e-4)
    np.testing.assert_allclose(res.thresholds["se"], ref["zeta_se"], rtol=1e-4)
    assert res.pseudo_r2 == pytest.approx(1 - ref["loglik"] / ref["loglik0"], rel=1e-6)
    assert res.r2 is None
    assert len(res.to_frame()) == 2 + 4


@pytest.mark.parametrize("se", ["nonrobust", "HC0"])
def test_glm_binomial_against_R(se):
    """R: gf <- glm(churned ~ sat + swc, family = binomial, data = d); vcov(gf) / sandwich::sandwich(gf)."""
    res = regress(DATA, "churned", ["sat", "swc"], family="binomial", se=se)
    ref = REF["glm"][se]
    np.testing.assert_allclose(res.coefs["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(res.coefs["se"], ref["se"], rtol=1e-6)
    assert res.pseudo_r2 == pytest.approx(1 - REF["glm"]["loglik"] / REF["glm"]["loglik0"], rel=1e-6)
    odds = res.odds_ratios
    assert odds.loc["sat", "odds_ratio"] == pytest.approx(np.exp(ref["estimate"][1]), rel=1e-6)


def test_adj_r2():
    res = regress(DATA, "loy", ["sat", "trs", "swc"])
    assert res.adj_r2 == pytest.approx(res.model.rsquared_adj, rel=1e-10)
    # closed form with R's R^2 (n = 300, 3 predictors)
    assert res.adj_r2 == pytest.approx(1 - (1 - REF["lm"]["r2"]) * 299 / 296, rel=1e-8)
    assert regress(DATA, "churned", "sat", family="binomial").adj_r2 is None


def test_odds_ratios_gaussian_raises():
    with pytest.raises(ArgumentError, match="odds ratios exist only"):
        _ = regress(DATA, "loy", "sat").odds_ratios


def test_listwise_deletion_reports_n_and_does_not_mutate():
    df = DATA.copy()
    df.loc[:9, "sat"] = np.nan
    before = df.copy()
    res = regress(df, "loy", "sat")
    assert res.n_obs == 290
    rest = DATA.iloc[10:]
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(290), rest["sat"]]), rest["loy"], rcond=None)
    np.testing.assert_allclose(res.coefs["estimate"], beta, rtol=1e-10)
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(InsufficientDataError, match="nan_policy='raise'"):
        regress(df, "loy", "sat", nan_policy="raise")


def test_repr_and_summary():
    res = regress(DATA, "loy_item", "sat", family="ordinal")
    text = repr(res)
    assert "RegressionResult" in text and "1|2" in text
    assert "<table" in res._repr_html_()


def test_lazy_export():
    assert csl_stats.regress is regress


# --------------------------------------------------------------------------- errors


def test_separation_warns():
    df = pd.DataFrame({"x": np.arange(20.0), "z": np.sin(np.arange(20.0))})
    df["y"] = (df["x"] > 9.5).astype(int)
    with pytest.warns(SeparationWarning, match="complete separation.*'x'"):
        regress(df, "y", "x", "z", family="binomial")


def test_quasi_separation_warns():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=60)})
    df["d"] = (np.arange(60) < 10).astype(float)
    df["y"] = (rng.random(60) < 0.5).astype(int)
    df.loc[df["d"] == 1, "y"] = 1  # every d == 1 customer churned
    with pytest.warns(SeparationWarning, match="quasi-complete separation"):
        regress(df, "y", ["x", "d"], family="binomial")


def test_no_false_separation_alarm():
    # pytest config turns CSL warnings into errors: a false alarm would fail here
    res = regress(DATA, "churned", ["sat", "swc"], family="binomial")
    assert np.isfinite(res.coefs["se"]).all()


def test_ordinal_needs_three_categories():
    with pytest.raises(InsufficientDataError, match="at least 3 observed categories"):
        regress(DATA, "churned", "sat", family="ordinal")


def test_binomial_needs_01():
    with pytest.raises(DataError, match="needs a 0/1 outcome"):
        regress(DATA, "loy_item", "sat", family="binomial")


def test_collinear_predictors():
    df = DATA.assign(sat2=2 * DATA["sat"] + 1)
    with pytest.raises(CollinearityError, match="perfectly collinear"):
        regress(df, "loy", ["sat", "sat2"])
    with pytest.raises(CollinearityError, match="perfectly collinear"):
        regress(df, "loy_item", ["sat", "sat2"], family="ordinal")


def test_constant_predictor():
    with pytest.raises(ConstantError, match="'k' is constant"):
        regress(DATA.assign(k=3.0), "loy", ["sat", "k"])


def test_constant_after_listwise():
    df = DATA.assign(k=3.0)
    df.loc[0, "k"] = 4.0
    df.loc[0, "loy"] = np.nan
    with pytest.raises(ConstantError, match="'k' is constant"):
        regress(df, "loy", ["sat", "k"])


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="family must be one of"):
        regress(DATA, "loy", "sat", family="poisson")
    with pytest.raises(ArgumentError, match="se must be one of"):
        regress(DATA, "loy", "sat", se="HC4")
    with pytest.raises(ArgumentError, match="defined for family='gaussian' only"):
        regress(DATA, "churned", "sat", family="binomial", se="HC3")
    with pytest.raises(ArgumentError, match="ci must be"):
        regress(DATA, "loy", "sat", ci=95)
    with pytest.raises(ArgumentError, match="at least one predictor"):
        regress(DATA, "loy", [])
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        regress(DATA, "loy", "sat", nan_policy="pairwise")


def test_bad_columns():
    with pytest.raises(ColumnNotFoundError, match="did you mean 'sat'"):
        regress(DATA, "loy", "sat1")
    with pytest.raises(ModelSpecificationError, match="both as y and as x"):
        regress(DATA, "loy", ["sat", "loy"])
    with pytest.raises(NonNumericError, match="must be numeric"):
        regress(DATA.assign(seg=["a"] * 300), "loy", ["sat", "seg"])
