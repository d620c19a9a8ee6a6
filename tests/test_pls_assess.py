"""Overall model fit (``pls_fit``) of PLS path models (issue 19)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import linalg

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError
from csl_stats.pls_assess import _sqrtm


def _sim(n: int, seed: int, direct: float = 0.2) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    m = 0.5 * x + np.sqrt(0.75) * g.normal(size=n)
    ys = 0.4 * m + direct * x
    y = ys + np.sqrt(1 - (0.16 + direct**2 + 2 * 0.4 * direct * 0.5)) * g.normal(size=n)
    cols = {}
    for name, lv in (("x", x), ("m", m), ("y", y)):
        for k, lam in enumerate((0.6, 0.7, 0.8), 1):
            cols[f"{name}{k}"] = lam * lv + np.sqrt(1 - lam**2) * g.normal(size=n)
    return pd.DataFrame(cols)


MM = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
FULL = [("X", "M"), ("M", "Y"), ("X", "Y")]
MEDIATION_ONLY = [("X", "M"), ("M", "Y")]


def test_point_values_by_hand_composite_model():
    """SRMR, dULS and dG of the estimated composite model, from S and Sigma built by hand."""
    df = _sim(300, 1)
    res = csl_stats.pls_pm(df, MM, MEDIATION_ONLY)
    fit = csl_stats.pls_fit(res, n_boot=100, rng=1)
    s = np.corrcoef(df[sum(MM.values(), [])].to_numpy(), rowvar=False)
    lam = res.loadings["estimate"].to_numpy()
    r = np.corrcoef(res.scores.to_numpy(), rowvar=False)
    a, b = res.paths["estimate"]
    rho = np.array([[1, a, a * b], [a, 1, b], [a * b, b, 1]])  # implied by X -> M -> Y
    sigma = np.empty((9, 9))
    for k in range(3):
        for m in range(3):
            bk, bm = slice(3 * k, 3 * k + 3), slice(3 * m, 3 * m + 3)
            sigma[bk, bm] = s[bk, bm] if k == m else np.outer(lam[bk], lam[bm]) * rho[k, m]
    resid = s - sigma
    tab = fit.table.loc["estimated", "value"]
    assert tab["SRMR"] == pytest.approx(np.sqrt(np.mean(resid[np.tril_indices(9)] ** 2)), abs=1e-12)
    assert tab["dULS"] == pytest.approx(0.5 * (resid**2).sum(), abs=1e-12)
    assert tab["dULS"] == pytest.approx(tab["SRMR"] ** 2 * 9 * 10 / 2, abs=1e-12)
    phi = linalg.eigvals(linalg.inv(s) @ sigma).real
    assert tab["dG"] == pytest.approx(0.5 * np.sum(np.log(phi) ** 2), abs=1e-10)
    # saturated: observed construct correlations
    rho_sat = r
    for k in range(3):
        for m in range(3):
            if k != m:
                bk, bm = slice(3 * k, 3 * k + 3), slice(3 * m, 3 * m + 3)
                sigma[bk, bm] = np.outer(lam[bk], lam[bm]) * rho_sat[k, m]
    assert fit.table.loc[("saturated", "SRMR"), "value"] == pytest.approx(res.srmr["saturated"], abs=1e-12)
    assert fit.table.loc[("saturated", "dULS"), "value"] == pytest.approx(0.5 * ((s - sigma) ** 2).sum(), abs=1e-12)


def test_point_values_by_hand_plsc():
    """PLSc: common-factor blocks imply lambda lambda' within the block."""
    df = _sim(300, 2)
    res = csl_stats.pls_pm(df, MM, FULL, consistent=True)
    fit = csl_stats.pls_fit(res, n_boot=100, rng=1)
    s = np.corrcoef(df[sum(MM.values(), [])].to_numpy(), rowvar=False)
    lam = res.loadings["estimate"].to_numpy()
    rho = res.construct_cor.to_numpy()
    big = np.zeros((9, 3))
    for k in range(3):
        big[3 * k : 3 * k + 3, k] = lam[3 * k : 3 * k + 3]
    sigma = big @ rho @ big.T
    np.fill_diagonal(sigma, 1.0)
    resid = s - sigma
    tab = fit.table.loc["saturated", "value"]
    assert tab["dULS"] == pytest.approx(0.5 * (resid**2).sum(), abs=1e-12)
    phi = linalg.eigvals(linalg.solve(s, sigma)).real
    assert tab["dG"] == pytest.approx(0.5 * np.sum(np.log(phi) ** 2), abs=1e-10)
    # saturated structural model: estimated == saturated
    np.testing.assert_allclose(fit.table.loc["estimated", "value"], fit.table.loc["saturated", "value"], atol=1e-12)


def test_bollen_stine_rotation_reproduces_implied_matrix():
    g = np.random.default_rng(3)
    x = g.normal(size=(200, 4)) @ g.normal(size=(4, 4))
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    s = np.corrcoef(x, rowvar=False)
    sigma = 0.5 * np.eye(4) + 0.5
    rot = xs @ _sqrtm(s, inverse=True) @ _sqrtm(sigma)
    np.testing.assert_allclose(np.cov(rot, rowvar=False), sigma, atol=1e-12)


def test_fit_test_rejects_an_omitted_path_and_keeps_the_true_model():
    df = _sim(400, 4, direct=0.5)
    wrong = csl_stats.pls_fit(csl_stats.pls_pm(df, MM, MEDIATION_ONLY, consistent=True), n_boot=199, rng=2)
    right = csl_stats.pls_fit(csl_stats.pls_pm(df, MM, FULL, consistent=True), n_boot=199, rng=2)
    for c in ("SRMR", "dULS", "dG"):
        assert wrong.table.loc[("estimated", c), "value"] > wrong.table.loc[("estimated", c), "HI99"]
        assert right.table.loc[("estimated", c), "value"] < right.table.loc[("estimated", c), "HI95"]
    assert (wrong.table.loc["estimated", "p"] < 0.01).all()
    assert right.n == 400 and right.consistent and right.n_boot_failed == 0


def test_fit_reproducible_and_table_shape():
    res = csl_stats.pls_pm(_sim(200, 5), MM, FULL)
    a = csl_stats.pls_fit(res, n_boot=100, rng=7)
    b = csl_stats.pls_fit(res, n_boot=100, rng=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert list(a.table.columns) == ["value", "HI95", "HI99", "p"]
    assert a.table.index.tolist() == [(m, c) for m in ("saturated", "estimated") for c in ("SRMR", "dULS", "dG")]
    assert (a.table["HI95"] <= a.table["HI99"]).all()
    assert a.srmr.index.tolist() == ["saturated", "estimated"]
    assert "PLSFitResult(n=200" in repr(a)


def test_fit_errors():
    res = csl_stats.pls_pm(_sim(100, 6), MM, FULL)
    with pytest.raises(ArgumentTypeError, match="PLSResult"):
        csl_stats.pls_fit(res.paths)
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        csl_stats.pls_fit(res, n_boot=10)
    with pytest.raises(ArgumentTypeError, match="rng"):
        csl_stats.pls_fit(res, n_boot=100, rng="seed")
