"""Tests for csl_stats.threshold (R references in tests/reference/regression.R)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

matplotlib.use("Agg")

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError, ConstantError, InsufficientDataError
from csl_stats.threshold import plot_threshold, threshold_regression

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "regression_reference.json").read_text())["threshold"]
DATA = pd.read_csv(REF_DIR / "regression_data.csv")


@pytest.fixture(scope="module")
def res():
    return threshold_regression(DATA, "sat", "kink_y", n_boot=199, rng=1, grid=100, ci_method="analytic")


@pytest.fixture(scope="module")
def res_boot():
    return threshold_regression(DATA, "sat", "kink_y", n_boot=199, rng=1, grid=100)


def test_segmented_fit_against_R(res):
    """R: ssr <- function(tau) deviance(lm(kink_y ~ sat + pmax(sat - tau, 0), data = d));
    grid over quantile(sat, c(.1, .9)), then optimize(ssr, ...); coef(lm(kink_y ~ sat + pmax(sat - tau, 0)))."""
    assert res.breakpoint == pytest.approx(REF["tau"], abs=1e-6)
    c = res.coefs["estimate"]
    np.testing.assert_allclose(c[["Intercept", "slope_below", "slope_change"]], REF["coef"], rtol=1e-6)
    assert res.slope_above == pytest.approx(REF["slope_above"], rel=1e-6)
    # R's minimised SSR: reached at our breakpoint, and no grid point of the profile beats it
    X = np.column_stack([np.ones(300), DATA["sat"], np.maximum(DATA["sat"] - res.breakpoint, 0)])
    beta, *_ = np.linalg.lstsq(X, DATA["kink_y"], rcond=None)
    assert float(np.sum((DATA["kink_y"] - X @ beta) ** 2)) == pytest.approx(REF["ssr"], rel=1e-8)
    assert res.profile["ssr"].min() >= REF["ssr"] * (1 - 1e-10)


def test_model_comparison_against_R(res):
    """R: AIC/BIC/logLik of lm(kink_y ~ sat), lm(kink_y ~ sat + I(sat^2)),
    lm(kink_y ~ ns(sat, knots = kq[2:4], Boundary.knots = kq[c(1, 5)])) with
    kq <- quantile(sat, c(.05, .275, .5, .725, .95)), and the segmented fit with 5 parameters."""
    cmp_ = res.comparison
    assert list(cmp_.index) == ["linear", "quadratic", "spline", "segmented"]
    np.testing.assert_allclose(cmp_["loglik"], REF["loglik"], rtol=1e-6)
    np.testing.assert_allclose(cmp_["aic"], REF["aic"], rtol=1e-6)
    np.testing.assert_allclose(cmp_["bic"], REF["bic"], rtol=1e-6)


def test_profile_matches_direct_fits(res):
    prof = res.profile.iloc[::17]
    for tau, ssr in zip(prof["tau"], prof["ssr"], strict=True):
        X = np.column_stack([np.ones(300), DATA["sat"], np.maximum(DATA["sat"] - tau, 0)])
        beta, *_ = np.linalg.lstsq(X, DATA["kink_y"], rcond=None)
        assert ssr == pytest.approx(float(np.sum((DATA["kink_y"] - X @ beta) ** 2)), rel=1e-10)


def test_breakpoint_ci_is_inverted_F(res):
    lo, hi = res.breakpoint_ci
    assert lo < res.breakpoint < hi
    n, k = 300, 4
    ssr_hat = np.exp(-2 * res.comparison.loc["segmented", "loglik"] / n - np.log(2 * np.pi) - 1) * n
    crit = stats.f.ppf(0.95, 1, n - k)
    for t in (lo, hi):
        X = np.column_stack([np.ones(n), DATA["sat"], np.maximum(DATA["sat"] - t, 0)])
        beta, *_ = np.linalg.lstsq(X, DATA["kink_y"], rcond=None)
        ssr = float(np.sum((DATA["kink_y"] - X @ beta) ** 2))
        assert (ssr - ssr_hat) / (ssr_hat / (n - k)) == pytest.approx(crit, rel=1e-6)


def test_bootstrap_test(res):
    assert res.p_value == pytest.approx(1 / 200)  # strong kink: no bootstrap draw exceeds
    again = threshold_regression(DATA, "sat", "kink_y", n_boot=199, rng=1, grid=100)
    assert again.p_value == res.p_value and again.sup_lr == res.sup_lr  # ci_method does not matter
    linear = DATA.assign(lin=1 + 0.5 * DATA["sat"] + np.random.default_rng(5).normal(0, 1, 300))
    null = threshold_regression(linear, "sat", "lin", n_boot=199, rng=2)
    assert null.p_value > 0.05
    skipped = threshold_regression(DATA, "sat", "kink_y", n_boot=0, ci_method="analytic")
    assert np.isnan(skipped.p_value)


def test_bootstrap_intervals(res, res_boot):
    assert res_boot.ci_method == "bootstrap"
    pd.testing.assert_series_equal(res_boot.coefs["estimate"], res.coefs["estimate"])
    c = res_boot.coefs
    assert (c["ci_low"] < c["estimate"]).all() and (c["estimate"] < c["ci_high"]).all()
    # bootstrap SEs are of the same order as the Gauss-Newton ones for this clear kink
    ratio = c["se"] / res.coefs["se"]
    assert ((ratio > 0.7) & (ratio < 1.5)).all(), ratio
    assert np.isnan(c.loc["breakpoint", "p"])
    again = threshold_regression(DATA, "sat", "kink_y", n_boot=199, rng=1, grid=100)
    pd.testing.assert_frame_equal(again.coefs, c)


def test_gauss_newton_se_vs_numerical_jacobian(res):
    """The breakpoint SE equals sigma^2 (J'J)^-1 with a finite-difference Jacobian."""
    c = res.coefs["estimate"]
    x, y = DATA["sat"].to_numpy(), DATA["kink_y"].to_numpy()
    theta = np.array([c["Intercept"], c["slope_below"], c["slope_change"], res.breakpoint])

    def f(th):
        return th[0] + th[1] * x + th[2] * np.maximum(x - th[3], 0)

    eps = 1e-7  # forward differences: the fitted breakpoint may coincide with an observed x
    J = np.column_stack([(f(theta + eps * np.eye(4)[j]) - f(theta)) / eps for j in range(4)])
    s2 = np.sum((y - f(theta)) ** 2) / (300 - 4)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(J.T @ J)))
    assert res.coefs.loc["breakpoint", "se"] == pytest.approx(se[3], rel=1e-4)
    assert res.coefs.loc["slope_change", "se"] == pytest.approx(se[2], rel=1e-4)


def test_covariates_and_explicit_grid():
    r = threshold_regression(
        DATA, "sat", "kink_y", "trs", n_boot=0, grid=np.linspace(3.5, 6, 40), ci_method="analytic"
    )
    assert "trs" in r.coefs.index
    assert 4.5 < r.breakpoint < 5.3
    # given the breakpoint, the coefficients are OLS; no candidate of the explicit grid fits better
    x, z, y = DATA["sat"].to_numpy(), DATA["trs"].to_numpy(), DATA["kink_y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), x, np.maximum(x - r.breakpoint, 0), z])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    c = r.coefs["estimate"]
    np.testing.assert_allclose(c[["Intercept", "slope_below", "slope_change", "trs"]], beta, rtol=1e-8, atol=1e-10)
    assert c["slope_above"] == pytest.approx(beta[1] + beta[2], rel=1e-10)
    ssr_hat = float(np.sum((y - X @ beta) ** 2))
    assert r.profile["ssr"].min() >= ssr_hat * (1 - 1e-10)
    assert len(r.profile) == 40 and np.isin(r.profile["tau"], np.linspace(3.5, 6, 40)).all()  # the given grid


@settings(max_examples=15, deadline=None)
@given(a=st.floats(-5, 5), b=st.floats(0.2, 5))
def test_affine_invariance(a, b):
    base = threshold_regression(DATA, "sat", "kink_y", n_boot=0, grid=40, ci_method="analytic")
    moved = threshold_regression(
        DATA.assign(kink_y=a + b * DATA["kink_y"]), "sat", "kink_y", n_boot=0, grid=40, ci_method="analytic"
    )
    assert moved.breakpoint == pytest.approx(base.breakpoint, abs=1e-6)
    assert moved.slope_above == pytest.approx(b * base.slope_above, rel=1e-6)


def test_plot_and_repr(res):
    import matplotlib.pyplot as plt

    ax = plot_threshold(res, DATA)
    assert ax.get_xlabel() == "sat"
    plt.close("all")
    assert "breakpoint" in repr(res)
    with pytest.raises(ArgumentError, match="must be a ThresholdResult"):
        plot_threshold(DATA)
    assert csl_stats.threshold_regression is threshold_regression


def test_errors():
    with pytest.raises(ConstantError, match="'c' is constant"):
        threshold_regression(DATA.assign(c=4.0), "c", "kink_y")
    few = DATA.assign(s3=np.tile([1.0, 2.0, 3.0], 100))
    with pytest.raises(InsufficientDataError, match="4 distinct values"):
        threshold_regression(few, "s3", "kink_y")
    with pytest.raises(ArgumentError, match="trim must be below 0.5"):
        threshold_regression(DATA, "sat", "kink_y", trim=0.6)
    with pytest.raises(ArgumentError, match="grid must be an int"):
        threshold_regression(DATA, "sat", "kink_y", grid=[4.0, 5.0])
    with pytest.raises(ArgumentError, match="grid must be >= 5"):
        threshold_regression(DATA, "sat", "kink_y", grid=2)
    with pytest.raises(ArgumentError, match="fewer than 3 candidate breakpoints"):
        threshold_regression(DATA, "sat", "kink_y", grid=[1.0, 1.1, 1.2, 7.0])
    with pytest.raises(ArgumentError, match="n_boot must be >= 0"):
        threshold_regression(DATA, "sat", "kink_y", n_boot=-1)
    with pytest.raises(ArgumentTypeError, match="n_boot must be an integer"):
        threshold_regression(DATA, "sat", "kink_y", n_boot=10.5)
    with pytest.raises(ArgumentError, match="ci must be"):
        threshold_regression(DATA, "sat", "kink_y", ci=1.5)
    with pytest.raises(ArgumentError, match="needs n_boot >= 100"):
        threshold_regression(DATA, "sat", "kink_y", n_boot=50)
    with pytest.raises(ArgumentError, match="ci_method must be one of"):
        threshold_regression(DATA, "sat", "kink_y", ci_method="wald")


def test_null_distribution_equals_brute_force_refits():
    """The bootstrap p-value equals a brute-force recomputation: for each Rademacher draw v,
    y* = fitted_linear + resid_linear * v is refitted by lstsq (linear and at every grid tau) and
    sup_tau n log(S0 / S(tau)) is compared with the observed statistic."""
    g = np.random.default_rng(11)
    d = DATA.assign(lin=1 + 0.5 * DATA["sat"] + 0.4 * DATA["trs"] + g.normal(0, 1, len(DATA)))
    res = threshold_regression(d, "sat", "lin", "trs", n_boot=100, rng=7, grid=15, ci_method="analytic")
    x, z, y = d["sat"].to_numpy(), d["trs"].to_numpy(), d["lin"].to_numpy()
    n = len(y)
    X0 = np.column_stack([np.ones(n), x, z])
    taus = res.profile["tau"].to_numpy()

    def ssr(X, yy):
        e = yy - X @ np.linalg.lstsq(X, yy, rcond=None)[0]
        return float(e @ e)

    def sup_lr(yy):
        s1 = min(ssr(np.column_stack([X0, np.maximum(x - t, 0)]), yy) for t in taus)
        return n * np.log(ssr(X0, yy) / s1)

    assert res.sup_lr == pytest.approx(sup_lr(y), rel=1e-9)
    fitted = X0 @ np.linalg.lstsq(X0, y, rcond=None)[0]
    V = np.random.default_rng(7).choice([-1.0, 1.0], size=(n, 100))
    stats_ = np.array([sup_lr(fitted + (y - fitted) * V[:, b]) for b in range(100)])
    assert np.min(np.abs(stats_ - res.sup_lr)) > 1e-6  # no near-ties: the count is well defined
    assert res.p_value == pytest.approx((np.sum(stats_ >= res.sup_lr) + 1) / 101, abs=1e-12)
    assert 0.02 < res.p_value < 1  # a non-trivial null distribution is exercised
