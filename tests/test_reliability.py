"""Tests for csl_stats.reliability (Cronbach's alpha)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    ConstantError,
    DuplicateColumnError,
    InsufficientDataError,
    MissingDataWarning,
    NonNumericError,
    ReverseKeyWarning,
    ScaleError,
)

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "reliability_reference.json").read_text())


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    """Simulated 300 x 12 questionnaire (tests/reference/make_reliability_data.py), c4 reversed."""
    x = pd.read_csv(REF_DIR / "reliability_items.csv")
    x["c4"] = 8 - x["c4"]
    return x


def _likert(n: int = 200, k: int = 5, seed: int = 0, loading: float = 0.7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    z = loading * f + np.sqrt(1 - loading**2) * rng.normal(size=(n, k))
    return pd.DataFrame(np.clip(np.round(4 + 1.4 * z), 1, 7), columns=[f"q{i}" for i in range(1, k + 1)])


@pytest.mark.parametrize("key", sorted(REF["alpha"]))
def test_alpha_against_R(items: pd.DataFrame, key: str) -> None:
    """R: psych::alpha(na.omit(x[, items])) (listwise) and psych::alpha(x[, items]) (use = "pairwise");
    Feldt from psych::alpha.ci(raw_alpha, n, k), Duhachek raw_alpha +/- qnorm(.975) * ase."""
    ref = REF["alpha"][key]
    policy = key.split("_")[1]
    res = csl_stats.cronbach_alpha(items, ref["items"], nan_policy=policy)
    tol = 1e-8
    assert res.n_obs == ref["n"]
    assert res.n_items == len(ref["items"])
    assert res.alpha == pytest.approx(ref["raw_alpha"], abs=tol)
    assert res.std_alpha == pytest.approx(ref["std_alpha"], abs=tol)
    assert res.average_r == pytest.approx(ref["average_r"], abs=tol)
    assert res.se == pytest.approx(ref["ase"], abs=tol)
    assert res.ci == pytest.approx(tuple(ref["feldt95"]), abs=tol)
    stats = res.item_stats
    assert list(stats.index) == ref["items"]
    np.testing.assert_allclose(stats["alpha_if_deleted"], ref["alpha_drop"], atol=tol, rtol=0)
    np.testing.assert_allclose(stats["std_alpha_if_deleted"], ref["std_alpha_drop"], atol=tol, rtol=0)
    np.testing.assert_allclose(stats["r_corrected"], ref["r_drop"], atol=tol, rtol=0)
    np.testing.assert_allclose(res.r_drop, ref["r_drop"], atol=tol, rtol=0)
    np.testing.assert_allclose(stats["mean"], ref["mean"], atol=tol, rtol=0)
    np.testing.assert_allclose(stats["sd"], ref["sd"], atol=tol, rtol=0)
    duh = csl_stats.cronbach_alpha(items, ref["items"], nan_policy=policy, ci_method="duhachek")
    assert duh.ci == pytest.approx(tuple(ref["duhachek95"]), abs=tol)
    f90 = csl_stats.cronbach_alpha(items, ref["items"], nan_policy=policy, ci=0.90)
    assert f90.ci == pytest.approx(tuple(ref["feldt90"]), abs=tol)


def test_missing_share_and_excluded(items: pd.DataFrame) -> None:
    cols = ["a1", "a2", "a3", "a4"]
    res = csl_stats.cronbach_alpha(items, cols)
    np.testing.assert_allclose(res.item_stats["missing_share"], items[cols].isna().mean(), rtol=0, atol=1e-15)
    assert res.n_excluded == int(items[cols].isna().any(axis=1).sum())
    assert res.n_obs + res.n_excluded == len(items)
    pair = csl_stats.cronbach_alpha(items, cols, nan_policy="pairwise")
    assert pair.n_excluded == 0 and pair.n_obs == len(items)


def test_alpha_against_pingouin(items: pd.DataFrame) -> None:
    """pingouin.cronbach_alpha: pairwise by default; listwise alpha equal. pingouin's listwise Feldt CI
    uses the row count before deletion (like psych), ours the complete rows, so only alpha is compared."""
    cols = ["b1", "b2", "b3", "b4"]
    pa, pci = pg.cronbach_alpha(items[cols])
    ours = csl_stats.cronbach_alpha(items, cols, nan_policy="pairwise")
    assert ours.alpha == pytest.approx(pa, abs=1e-12)
    np.testing.assert_allclose(np.round(ours.ci, 3), pci, atol=1e-12)
    la, lci = pg.cronbach_alpha(items[cols], nan_policy="listwise")
    lis = csl_stats.cronbach_alpha(items, cols)
    assert lis.alpha == pytest.approx(la, abs=1e-12)
    # pingouin: Feldt with n = 300 rows; ours: n = complete rows -> wider interval.
    assert lis.ci[1] - lis.ci[0] > lci[1] - lci[0] - 1e-3
    complete = items[cols].dropna()
    ca, cci = pg.cronbach_alpha(complete)
    np.testing.assert_allclose(np.round(lis.ci, 3), cci, atol=1e-12)
    assert ca == pytest.approx(lis.alpha, abs=1e-12)


def test_closed_form_two_items() -> None:
    df = _likert(k=2, seed=3)
    res = csl_stats.cronbach_alpha(df)
    c = df.cov().to_numpy()
    assert res.alpha == pytest.approx(2 * (1 - np.trace(c) / c.sum()), abs=1e-12)
    r = df.corr().iloc[0, 1]
    assert res.std_alpha == pytest.approx(2 * r / (1 + r), abs=1e-12)
    np.testing.assert_allclose(res.item_stats["r_corrected"], [r, r], atol=1e-12)
    assert res.item_stats["alpha_if_deleted"].isna().all()


def test_pairwise_covariance_equals_pandas(items: pd.DataFrame) -> None:
    """The matrix-product pairwise covariance equals pandas' (and R's) pairwise-complete cov."""
    from csl_stats._itemdata import _pairwise_cov

    X = items.to_numpy(dtype=float)
    C, N, _ = _pairwise_cov(X, np.isnan(X))
    np.testing.assert_allclose(C, items.cov().to_numpy(), atol=1e-12, rtol=0)
    np.testing.assert_array_equal(N, items.notna().astype(int).T @ items.notna().astype(int))
    # > 10 % missing cells: the dense-mask branch
    heavy = items.mask(np.random.default_rng(0).random(items.shape) < 0.15)
    Xh = heavy.to_numpy(dtype=float)
    Ch, Nh, _ = _pairwise_cov(Xh, np.isnan(Xh))
    np.testing.assert_allclose(Ch, heavy.cov().to_numpy(), atol=1e-12, rtol=0)
    np.testing.assert_array_equal(Nh, heavy.notna().astype(int).T @ heavy.notna().astype(int))


def test_pairwise_covariance_weighted_equals_duplicated_rows(items: pd.DataFrame) -> None:
    """Bootstrap path: frequency weights give the covariance of the data with rows repeated."""
    from csl_stats._itemdata import _pairwise_cov

    X = items.to_numpy(dtype=float)
    w = np.random.default_rng(3).integers(0, 3, size=len(X)).astype(float)
    C, N, _ = _pairwise_cov(X, np.isnan(X), w)
    repeated = items.loc[items.index.repeat(w.astype(int))]
    np.testing.assert_allclose(C, repeated.cov().to_numpy(), atol=1e-12, rtol=0)
    np.testing.assert_array_equal(N, repeated.notna().astype(int).T @ repeated.notna().astype(int))
    C1, _, _ = _pairwise_cov(X, np.isnan(X), np.ones(len(X)))
    np.testing.assert_allclose(C1, items.cov().to_numpy(), atol=1e-12, rtol=0)


def test_bootstrap_ci_reproducible(items: pd.DataFrame) -> None:
    cols = ["a1", "a2", "a3", "a4"]
    a = csl_stats.cronbach_alpha(items, cols, ci_method="bootstrap", n_boot=300, rng=7)
    b = csl_stats.cronbach_alpha(items, cols, ci_method="bootstrap", n_boot=300, rng=7)
    c = csl_stats.cronbach_alpha(items, cols, ci_method="bootstrap", n_boot=300, rng=8)
    assert a.ci == b.ci
    assert a.ci != c.ci
    assert a.ci[0] < a.alpha < a.ci[1]
    feldt = csl_stats.cronbach_alpha(items, cols)
    assert a.ci == pytest.approx(feldt.ci, abs=0.03)
    p = csl_stats.cronbach_alpha(items, cols, ci_method="bootstrap", n_boot=200, rng=7, nan_policy="pairwise")
    assert p.ci[0] < p.alpha < p.ci[1]
    assert p.ci_method == "bootstrap" and p.ci_level == 0.95


def test_bootstrap_complete_matches_index_resampling() -> None:
    """The vectorised bootstrap equals alpha recomputed on index-resampled data."""
    from csl_stats.reliability import _bootstrap_alpha

    df = _likert(n=80, k=4, seed=5)
    X = np.asfortranarray(df.to_numpy(dtype=float))
    boots = _bootstrap_alpha(X.copy(), None, 5, np.random.default_rng(11))
    idx = np.random.default_rng(11).integers(0, 80, size=(5, 80))  # the same draws, one (n_boot, n) block
    for b in range(5):
        c = np.cov(X[idx[b]], rowvar=False)
        expected = 4 / 3 * (1 - np.trace(c) / c.sum())
        assert boots[b] == pytest.approx(expected, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), perm=st.permutations(range(5)), shift=st.floats(-50, 50))
def test_alpha_invariant_to_order_and_shift(seed: int, perm: list[int], shift: float) -> None:
    df = _likert(n=60, k=5, seed=seed)
    base = csl_stats.cronbach_alpha(df)
    moved = csl_stats.cronbach_alpha(df.iloc[:, list(perm)] + shift)
    assert moved.alpha == pytest.approx(base.alpha, abs=1e-9)
    assert moved.std_alpha == pytest.approx(base.std_alpha, abs=1e-9)
    assert moved.ci == pytest.approx(base.ci, abs=1e-9)
    pd.testing.assert_frame_equal(
        moved.item_stats.loc[base.item_stats.index].drop(columns="mean"),
        base.item_stats.drop(columns="mean"),
        atol=1e-9,
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scales=st.lists(st.floats(0.1, 20), min_size=4, max_size=4))
def test_std_alpha_invariant_to_rescaling(seed: int, scales: list[float]) -> None:
    df = _likert(n=60, k=4, seed=seed)
    base = csl_stats.cronbach_alpha(df)
    res = csl_stats.cronbach_alpha(df * np.array(scales))
    assert res.std_alpha == pytest.approx(base.std_alpha, abs=1e-9)
    np.testing.assert_allclose(
        res.item_stats["std_alpha_if_deleted"], base.item_stats["std_alpha_if_deleted"], atol=1e-9
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(3, 7))
def test_alpha_if_deleted_equals_refit(seed: int, k: int) -> None:
    df = _likert(n=50, k=k, seed=seed)
    res = csl_stats.cronbach_alpha(df)
    for col in df.columns:
        rest = df.drop(columns=col)
        assert res.item_stats.loc[col, "alpha_if_deleted"] == pytest.approx(
            csl_stats.cronbach_alpha(rest).alpha, abs=1e-10
        )
        r = np.corrcoef(df[col], rest.sum(axis=1))[0, 1]
        assert res.item_stats.loc[col, "r_corrected"] == pytest.approx(r, abs=1e-10)


def test_result_api(items: pd.DataFrame) -> None:
    res = csl_stats.cronbach_alpha(items, ["a1", "a2", "a3", "a4"])
    frame = res.to_frame()
    frame.iloc[0, 0] = -99
    assert res.item_stats.iloc[0, 0] != -99
    assert list(res.alpha_drop.columns) == ["alpha_if_deleted", "std_alpha_if_deleted"]
    assert "alpha=" in repr(res) and "r_corrected" in repr(res)
    assert "Cronbach" in res._repr_html_()


def test_caller_data_untouched(items: pd.DataFrame) -> None:
    before = items.copy()
    csl_stats.cronbach_alpha(items, ["a1", "a2", "a3"], nan_policy="pairwise", ci_method="bootstrap",
                             n_boot=100, rng=1)
    csl_stats.cronbach_alpha(items, ["a1", "a2", "a3"])
    pd.testing.assert_frame_equal(items, before)


def test_nullable_and_bool_columns() -> None:
    df = _likert(n=40, k=3, seed=2)
    nullable = df.astype("Int64")
    nullable.iloc[0, 0] = pd.NA
    res = csl_stats.cronbach_alpha(nullable)
    assert res.n_obs == 39
    assert res.alpha == pytest.approx(csl_stats.cronbach_alpha(df.iloc[1:]).alpha, abs=1e-12)


# ---------------------------------------------------------------------------- warnings
def test_reverse_key_warning_names_item(items: pd.DataFrame) -> None:
    raw = items.copy()
    raw["c4"] = 8 - raw["c4"]  # undo the reversal
    with pytest.warns(ReverseKeyWarning, match=r"'c4' \(r = -0\.\d\d\).*reverse-code"):
        res = csl_stats.cronbach_alpha(raw, ["c1", "c2", "c3", "c4"])
    assert res.item_stats.loc["c4", "r_corrected"] < 0


def test_heavy_listwise_missing_warns() -> None:
    df = _likert(n=100, k=4, seed=1)
    df.iloc[:30, 0] = np.nan
    with pytest.warns(MissingDataWarning, match="dropped 30 of 100 rows"):
        res = csl_stats.cronbach_alpha(df)
    assert res.n_obs == 70 and res.n_excluded == 30


# ---------------------------------------------------------------------------- errors
def test_error_single_item() -> None:
    with pytest.raises(InsufficientDataError, match=r"at least 2 column\(s\) needed; got 1"):
        csl_stats.cronbach_alpha(_likert(), ["q1"])


def test_error_constant_item() -> None:
    df = _likert()
    df["q3"] = 4.0
    with pytest.raises(ConstantError, match=r"item 'q3' is constant .*every answer is 4"):
        csl_stats.cronbach_alpha(df)
    df2 = _likert()
    df2.loc[:, "q2"] = 5.0
    df2.loc[0, "q2"] = np.nan
    with pytest.raises(ConstantError, match=r"item 'q2' is constant .*every answer is 5"):
        csl_stats.cronbach_alpha(df2, nan_policy="pairwise")


def test_error_constant_after_listwise() -> None:
    df = _likert(n=10, k=3, seed=1)
    df.loc[:4, "q1"] = np.nan
    df.loc[5:, "q1"] = 3.0
    df.loc[0, "q1"] = 6.0
    df.loc[0, "q2"] = np.nan
    with pytest.warns(MissingDataWarning), pytest.raises(ConstantError, match="'q1' is constant among the rows used"):
        csl_stats.cronbach_alpha(df)


def test_error_fewer_rows_than_items() -> None:
    with pytest.raises(InsufficientDataError, match=r"3 complete rows for 5 items"):
        csl_stats.cronbach_alpha(_likert(n=3, k=5))


def test_error_pairwise_too_few_joint_answers() -> None:
    df = _likert(n=20, k=3)
    df.loc[:9, "q1"] = np.nan
    df.loc[11:, "q2"] = np.nan
    with pytest.warns(MissingDataWarning), pytest.raises(
        InsufficientDataError, match=r"items 'q1' and 'q2' are answered together by 1"
    ):
        csl_stats.cronbach_alpha(df, nan_policy="pairwise")


def test_error_non_numeric() -> None:
    df = _likert().astype(object)
    df.loc[3, "q2"] = "don't know"
    with pytest.raises(NonNumericError, match=r"column 'q2' must be numeric.*don't know"):
        csl_stats.cronbach_alpha(df)


def test_error_infinite() -> None:
    df = _likert()
    df.loc[0, "q1"] = np.inf
    with pytest.raises(NonNumericError, match=r"\['q1'\] contain infinite"):
        csl_stats.cronbach_alpha(df)


def test_error_out_of_scale() -> None:
    df = _likert()
    df.loc[5, "q4"] = 9
    with pytest.raises(ScaleError, match=r"column 'q4' has values outside the declared 1-7 scale: \[9\.0\]"):
        csl_stats.cronbach_alpha(df, scale=(1, 7))
    df.loc[5, "q4"] = 3.5
    with pytest.raises(ScaleError, match="whole-number"):
        csl_stats.cronbach_alpha(df, scale=(1, 7))
    with pytest.raises(ArgumentError, match="scale must be a"):
        csl_stats.cronbach_alpha(_likert(), scale=7)


def test_error_columns() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"not found.*'q9'|'q9'.*not found"):
        csl_stats.cronbach_alpha(_likert(), ["q1", "q9"])
    with pytest.raises(DuplicateColumnError, match="more than once"):
        csl_stats.cronbach_alpha(_likert(), ["q1", "q1", "q2"])
    with pytest.raises(ArgumentTypeError, match="must be a pandas DataFrame"):
        csl_stats.cronbach_alpha(_likert().to_numpy())


def test_error_arguments() -> None:
    df = _likert()
    with pytest.raises(ArgumentError, match="ci_method must be one of"):
        csl_stats.cronbach_alpha(df, ci_method="bca")
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        csl_stats.cronbach_alpha(df, nan_policy="raise")
    with pytest.raises(ArgumentError, match="ci must be a number strictly between 0 and 1"):
        csl_stats.cronbach_alpha(df, ci=95)
    # issue 15: one minimum for bootstrap resamples everywhere (100), checked even without a bootstrap
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        csl_stats.cronbach_alpha(df, ci_method="bootstrap", n_boot=10)
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        csl_stats.cronbach_alpha(df, n_boot=10)
    with pytest.raises(ArgumentTypeError, match="rng must be"):
        csl_stats.cronbach_alpha(df, rng="seed")
    with pytest.raises(ArgumentTypeError, match="rng must be"):
        csl_stats.cronbach_alpha(df, ci_method="bootstrap", rng="seed")


def test_error_infinite_pairwise() -> None:
    df = _likert()
    df.loc[0, "q2"] = -np.inf
    df.loc[1, "q1"] = np.nan
    with pytest.raises(NonNumericError, match=r"\['q2'\] contain infinite"):
        csl_stats.cronbach_alpha(df, nan_policy="pairwise")
    with pytest.raises(NonNumericError, match=r"\['q2'\] contain infinite"):
        csl_stats.cronbach_alpha(df)


def test_bootstrap_reports_undefined_resamples() -> None:
    """Pairwise bootstrap resamples in which an item pair has < 2 joint answers are not silently dropped."""
    rng = np.random.default_rng(0)
    f = rng.standard_normal(12)
    x = pd.DataFrame({f"q{i}": np.round(4 + f + rng.standard_normal(12)) for i in range(3)})
    x.iloc[0:5, 0] = np.nan
    x.iloc[5:9, 1] = np.nan  # q0 and q1 are answered together by 3 respondents only
    with (
        pytest.warns(MissingDataWarning, match="25% of the answers are missing"),
        pytest.warns(MissingDataWarning, match=r"26 of 200 bootstrap resamples"),
    ):
        res = csl_stats.cronbach_alpha(x, nan_policy="pairwise", ci_method="bootstrap", n_boot=200, rng=1)
    assert np.isfinite(res.ci).all()
