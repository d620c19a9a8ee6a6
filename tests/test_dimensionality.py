"""Tests for csl_stats.dimensionality (KMO, Bartlett's sphericity test, parallel analysis)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats
from csl_stats.errors import ArgumentError, CollinearityError, InsufficientDataError, MissingDataWarning

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "reliability_reference.json").read_text())


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    """Simulated 300 x 12 questionnaire with three constructs (c4 reverse-keyed, not reversed)."""
    return pd.read_csv(REF_DIR / "reliability_items.csv")


def _noise(n: int = 100, k: int = 4, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(n, k)), columns=[f"v{i}" for i in range(k)])


@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_kmo_against_R(items: pd.DataFrame, policy: str) -> None:
    """R: psych::KMO(cor(na.omit(x))) and psych::KMO(cor(x, use = "pairwise"))."""
    ref = REF["kmo"][policy]
    res = csl_stats.kmo(items, nan_policy=policy)
    assert res.msa == pytest.approx(ref["msa"], abs=1e-8)
    np.testing.assert_allclose(res.msa_items, ref["msai"], atol=1e-8, rtol=0)
    assert list(res.item_msa.index) == list(items.columns)
    assert res.verdict == "meritorious"
    assert res.summary()["verdict"].isin(["meritorious", "middling"]).all()


@pytest.mark.parametrize("policy", ["listwise", "pairwise"])
def test_bartlett_against_R(items: pd.DataFrame, policy: str) -> None:
    """R: psych::cortest.bartlett(cor(na.omit(x)), n = nrow(na.omit(x))) and
    psych::cortest.bartlett(cor(x, use = "pairwise"), n = nrow(x))."""
    ref = REF["bartlett"][policy]
    res = csl_stats.bartlett_sphericity(items, nan_policy=policy)
    assert res.chi2 == pytest.approx(ref["chisq"], abs=1e-8)
    assert res.df == ref["df"]
    assert res.pvalue == pytest.approx(ref["p"], rel=1e-8)
    assert res.n_obs == ref["n"]
    assert res.to_frame().loc["bartlett", "n_items"] == 12


def test_bartlett_independent_items_not_significant() -> None:
    df = _noise(n=500, k=5, seed=3)
    res = csl_stats.bartlett_sphericity(df)
    assert res.pvalue > 0.01
    # closed form: chi2 = -(n - 1 - (2p + 5) / 6) ln|R| on p (p - 1) / 2 df
    chi2 = -(500 - 1 - (2 * 5 + 5) / 6) * np.log(np.linalg.det(df.corr().to_numpy()))
    assert res.chi2 == pytest.approx(chi2, rel=1e-10)
    assert res.df == 10
    assert res.pvalue == pytest.approx(stats.chi2.sf(chi2, 10), rel=1e-8)


def test_kmo_closed_form_two_items() -> None:
    """With two items the partial correlation equals the correlation, so every MSA is 0.5."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    df = pd.DataFrame({"a": x, "b": x + rng.normal(size=200)})
    res = csl_stats.kmo(df)
    assert res.msa == pytest.approx(0.5, abs=1e-12)
    np.testing.assert_allclose(res.msa_items, [0.5, 0.5], atol=1e-12)
    assert res.verdict == "miserable"


def test_parallel_against_R(items: pd.DataFrame) -> None:
    """R: psych::fa.parallel(na.omit(x), fa = "both", SMC = TRUE, n.iter = 50) (c4 reversed):
    observed eigenvalues to 1e-8, suggested numbers (3 and 3, also with psych's default minres)."""
    x = items.copy()
    x["c4"] = 8 - x["c4"]
    ref = REF["parallel"]
    res = csl_stats.parallel_analysis(x, n_iter=50, rng=1)
    e = res.eigenvalues
    np.testing.assert_allclose(e["pc_observed"], ref["pc_values"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(e["fa_observed"], ref["fa_values_smc"], atol=1e-8, rtol=0)
    assert res.n_components == ref["ncomp_smc"] == ref["ncomp_default"] == 3
    assert res.n_factors == ref["nfact_smc"] == ref["nfact_default"] == 3
    # the observed eigenvalues do not depend on the sign of the reverse-keyed item
    raw = csl_stats.parallel_analysis(items, n_iter=20, rng=1)
    np.testing.assert_allclose(raw.eigenvalues["pc_observed"], ref["pc_values"], atol=1e-8, rtol=0)


def test_parallel_random_part() -> None:
    """Random eigenvalues: reproducible with a seed, PCA eigenvalues sum to p, noise gives 0 factors."""
    df = _noise(n=300, k=6, seed=2)
    a = csl_stats.parallel_analysis(df, n_iter=30, rng=5)
    b = csl_stats.parallel_analysis(df, n_iter=30, rng=5)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    e = a.eigenvalues
    assert e["pc_observed"].sum() == pytest.approx(6, abs=1e-10)
    assert (e["pc_random_quantile"] >= e["pc_random_mean"]).all()
    assert e["pc_random_mean"].is_monotonic_decreasing
    assert a.n_components == 0 and a.n_factors == 0
    assert a.n_obs == 300 and a.n_iter == 30 and a.quantile == 0.95


def test_parallel_all_above() -> None:
    rng = np.random.default_rng(0)
    f = rng.normal(size=(400, 3))
    df = pd.DataFrame(np.repeat(f, 3, axis=1) * 2 + rng.normal(size=(400, 9)))
    res = csl_stats.parallel_analysis(df, n_iter=20, rng=0)
    assert res.n_components == 3 and res.n_factors == 3


def test_parallel_plot(items: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = csl_stats.parallel_analysis(items, n_iter=10, rng=0)
    ax = res.plot()
    assert len(ax.get_lines()) >= 4
    plt.close("all")


# ---------------------------------------------------------------------------- errors
def test_error_singular() -> None:
    df = _noise(k=4)
    df["total"] = df.sum(axis=1)
    with pytest.raises(CollinearityError, match="singular"):
        csl_stats.kmo(df)
    with pytest.raises(CollinearityError, match="singular"):
        csl_stats.bartlett_sphericity(df)
    with pytest.raises(CollinearityError, match="linear combination"):
        csl_stats.parallel_analysis(df, rng=0)


def test_error_too_few_rows_or_items() -> None:
    with pytest.raises(InsufficientDataError, match="4 complete rows for 4 items"):
        csl_stats.kmo(_noise(n=4, k=4))
    with pytest.raises(InsufficientDataError, match=r"at least 3 column\(s\) needed"):
        csl_stats.parallel_analysis(_noise(k=2), rng=0)
    with pytest.raises(InsufficientDataError, match=r"at least 2 column\(s\) needed"):
        csl_stats.bartlett_sphericity(_noise(), ["v0"])


def test_error_arguments() -> None:
    df = _noise()
    with pytest.raises(ArgumentError, match="n_iter must be >= 10"):
        csl_stats.parallel_analysis(df, n_iter=5)
    with pytest.raises(ArgumentError, match="quantile must be a number strictly between 0 and 1"):
        csl_stats.parallel_analysis(df, quantile=95)
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        csl_stats.kmo(df, nan_policy="drop")


def test_parallel_pairwise_uses_pairwise_correlations(items: pd.DataFrame) -> None:
    """Pairwise: eigenvalues of R's cor(x, use = "pairwise") (= pandas DataFrame.corr()); n = all rows."""
    res = csl_stats.parallel_analysis(items, nan_policy="pairwise", n_iter=10, rng=0)
    expected = np.linalg.eigvalsh(items.corr().to_numpy())[::-1]
    np.testing.assert_allclose(res.eigenvalues["pc_observed"], expected, atol=1e-10, rtol=0)
    assert res.n_obs == len(items)


def test_error_pairwise_not_positive_definite() -> None:
    rng = np.random.default_rng(0)
    u = rng.normal(size=(3, 50))
    e = 0.1 * rng.normal(size=(6, 50))
    nan = np.full(50, np.nan)
    df = pd.DataFrame({
        "a": np.r_[u[0] + e[0], nan, u[2] + e[4]],
        "b": np.r_[u[0] + e[1], u[1] + e[2], nan],
        "c": np.r_[nan, u[1] + e[3], -u[2] + e[5]],
    })
    with pytest.warns(MissingDataWarning), pytest.raises(CollinearityError, match="not positive definite"):
        csl_stats.kmo(df, nan_policy="pairwise")
