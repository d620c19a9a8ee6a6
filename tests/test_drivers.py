"""Tests of key-driver analysis: relative importance, IPA, penalty-reward."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats import errors

REF = Path(__file__).parent / "reference"
X = ["dlv", "qlt", "srv", "val"]


@pytest.fixture(scope="module")
def ref_data():
    return pd.read_csv(REF / "drivers_data.csv")


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "drivers.json").read_text())


def test_lmg_against_R(ref_data, ref):
    """Base R: LMG from all-subsets ``summary(lm(sat ~ S))$r.squared`` (tests/reference/drivers.R)."""
    res = csl_stats.relative_importance(ref_data, "sat", X, method="lmg")
    assert res.n_obs == ref["n"]
    assert res.r2 == pytest.approx(ref["r2"], abs=1e-10)
    for name in X:
        assert res.table.loc[name, "importance"] == pytest.approx(ref["lmg"][name], abs=1e-10)


def test_relative_weights_against_R(ref_data, ref):
    """Base R: Johnson (2000), ``Lambda <- V diag(sqrt(e)) V'; beta <- solve(Lambda, rxy); (Lambda^2) %*% beta^2``."""
    res = csl_stats.relative_importance(ref_data, "sat", X, method="relative_weights")
    for name in X:
        assert res.table.loc[name, "importance"] == pytest.approx(ref["relative_weights"][name], abs=1e-10)
    assert res.r2 == pytest.approx(ref["r2"], abs=1e-10)


def test_lmg_against_pingouin(ref_data):
    """pingouin.linear_regression(relimp=True) reports LMG shares too (no intervals)."""
    pg = pytest.importorskip("pingouin")
    d = ref_data.dropna()
    out = pg.linear_regression(d[X], d["sat"], relimp=True)
    ours = csl_stats.relative_importance(d, "sat", X)
    got = out.set_index("names").loc[X, "relimp"].to_numpy()
    np.testing.assert_allclose(ours.table["importance"].to_numpy(), got, atol=1e-10)


def test_lmg_single_predictor_equals_r2(ref_data):
    d = ref_data.dropna()
    r = np.corrcoef(d["sat"], d["qlt"])[0, 1]
    res = csl_stats.relative_importance(d, "sat", ["qlt", "val"])
    # with two predictors LMG has a closed form: (r2_j + (R2 - r2_k)) / 2
    r_val = np.corrcoef(d["sat"], d["val"])[0, 1]
    assert res.table.loc["qlt", "importance"] == pytest.approx((r**2 + res.r2 - r_val**2) / 2, abs=1e-12)


def test_bootstrap_intervals_and_rank_probabilities(ref_data):
    res = csl_stats.relative_importance(ref_data, "sat", X, n_boot=400, rng=1)
    t = res.table
    assert (t["ci_low"] <= t["importance"]).all() and (t["importance"] <= t["ci_high"]).all()
    ranks = t[[f"p_rank{r}" for r in range(1, 5)]]
    np.testing.assert_allclose(ranks.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.sum(axis=0), 1.0)
    assert res.boot.shape == (400, 4)
    again = csl_stats.relative_importance(ref_data, "sat", X, n_boot=400, rng=1)
    pd.testing.assert_frame_equal(t, again.table)  # seeded: reproducible
    # bootstrap SD of importances is close to a slow reference (resampling rows and refitting by lm algebra)
    gen = np.random.default_rng(5)
    d = ref_data.dropna().to_numpy()
    slow = []
    for _ in range(200):
        s = pd.DataFrame(d[gen.integers(0, len(d), len(d))], columns=ref_data.columns)
        slow.append(csl_stats.relative_importance(s, "sat", X).table["importance"].to_numpy())
    np.testing.assert_allclose(res.boot.std(axis=0), np.std(slow, axis=0), rtol=0.25)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scales=st.lists(st.floats(0.1, 50), min_size=4, max_size=4))
def test_lmg_properties(seed, scales):
    """Importances sum to R2 and are invariant to predictor scaling and order."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(80, 5))
    z[:, 1:] += 0.5 * z[:, [0]]
    df = pd.DataFrame(z, columns=["y", "a", "b", "c", "d"])
    base = csl_stats.relative_importance(df, "y", ["a", "b", "c", "d"])
    assert base.table["importance"].sum() == pytest.approx(base.r2, abs=1e-12)
    assert (base.table["importance"] >= -1e-12).all()
    scaled = df.copy()
    for col, s in zip(["a", "b", "c", "d"], scales, strict=True):
        scaled[col] = scaled[col] * s + 3
    other = csl_stats.relative_importance(scaled, "y", ["d", "b", "a", "c"])
    np.testing.assert_allclose(other.table.loc[["a", "b", "c", "d"], "importance"], base.table["importance"], atol=1e-10)


def test_lmg_fifteen_predictors_is_exact_and_fast():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(200, 16))
    z[:, 1:] += 0.3 * z[:, [0]]
    df = pd.DataFrame(z, columns=["y"] + [f"x{i}" for i in range(15)])
    res = csl_stats.relative_importance(df, "y", [f"x{i}" for i in range(15)])
    assert res.table["importance"].sum() == pytest.approx(res.r2, abs=1e-10)
    # exact: brute-force LMG over all 2^15 subsets, sum_S |S|! (p - |S| - 1)! / p! [R2(S + j) - R2(S)]
    p = 15
    r = np.corrcoef(z, rowvar=False)
    rxx, rxy = r[1:, 1:], r[1:, 0]
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r2[mask] = rxy[idx] @ np.linalg.solve(rxx[np.ix_(idx, idx)], rxy[idx])
    masks = np.arange(1 << p)
    size = np.bitwise_count(masks)
    weight = np.array([math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)])
    lmg = []
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        lmg.append(np.sum(weight[size[without]] * (r2[without | 1 << j] - r2[without])))
    np.testing.assert_allclose(res.table["importance"], lmg, atol=1e-12)
    rw = csl_stats.relative_importance(df, "y", [f"x{i}" for i in range(15)], method="relative_weights")
    assert rw.r2 == pytest.approx(res.r2, abs=1e-10)


def test_relative_importance_errors(ref_data):
    df = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 17)), columns=["y"] + [f"x{i}" for i in range(16)])
    with pytest.raises(errors.ArgumentError, match="limited to 15 predictors; got 16.*relative_weights"):
        csl_stats.relative_importance(df, "y", [f"x{i}" for i in range(16)])
    bad = ref_data.dropna().assign(dq=lambda d: d["dlv"] + d["qlt"])
    with pytest.raises(errors.CollinearityError, match=r"\['dlv', 'qlt', 'dq'\] are perfectly collinear"):
        csl_stats.relative_importance(bad, "sat", ["dlv", "qlt", "dq"])
    with pytest.raises(errors.ArgumentError, match="method must be one of"):
        csl_stats.relative_importance(ref_data, "sat", X, method="shapley")
    with pytest.raises(errors.InsufficientDataError, match="at least 2 column"):
        csl_stats.relative_importance(ref_data, "sat", ["dlv"])
    with pytest.raises(errors.ModelSpecificationError, match="'sat' is used both as y and as x"):
        csl_stats.relative_importance(ref_data, "sat", ["sat", "dlv"])
    with pytest.raises(errors.ConstantError, match="'k' is constant"):
        csl_stats.relative_importance(ref_data.assign(k=1.0), "sat", ["dlv", "k"])
    with pytest.raises(errors.InsufficientDataError, match="missing values found"):
        csl_stats.relative_importance(ref_data, "sat", X, nan_policy="raise")


def test_relative_importance_does_not_mutate(ref_data):
    before = ref_data.copy()
    csl_stats.relative_importance(ref_data, "sat", X, n_boot=100, rng=0)
    pd.testing.assert_frame_equal(before, ref_data)


def test_importance_performance(ref_data):
    ipa = csl_stats.importance_performance(ref_data, "sat", X, scale=(1, 7))
    d = ref_data.dropna()
    assert ipa.attrs["n_obs"] == len(d)
    assert ipa.loc["qlt", "performance"] == pytest.approx(100 * (d["qlt"].mean() - 1) / 6, abs=1e-12)
    lmg = csl_stats.relative_importance(d, "sat", X).table["share"]
    np.testing.assert_allclose(ipa["importance"], lmg, atol=1e-12)
    cut = ipa.attrs["cut"]
    for name, row in ipa.iterrows():
        hi_imp, hi_perf = row["importance"] >= cut[0], row["performance"] >= cut[1]
        expected = {(True, False): "concentrate here", (True, True): "keep up the good work",
                    (False, False): "low priority", (False, True): "possible overkill"}[(hi_imp, hi_perf)]
        assert row["quadrant"] == expected, name
    fixed = csl_stats.importance_performance(ref_data, "sat", X, scale=(1, 7), cut=(0.0, 100.0))
    assert set(fixed["quadrant"]) == {"concentrate here"}
    corr = csl_stats.importance_performance(ref_data, "sat", X, scale=(1, 7), importance="correlation")
    assert corr.loc["dlv", "importance"] == pytest.approx(d["sat"].corr(d["dlv"]), abs=1e-12)


def test_importance_performance_scales(ref_data):
    mixed = ref_data.assign(val=ref_data["val"] * 10 / 7)
    with pytest.raises(errors.ScaleError, match="different scales"):
        csl_stats.importance_performance(mixed, "sat", X)
    with pytest.raises(errors.ScaleError, match="outside the declared 1-7 scale"):
        csl_stats.importance_performance(mixed, "sat", X, scale=(1, 7))
    per = {"dlv": (1, 7), "qlt": (1, 7), "srv": (1, 7), "val": (0, 10)}
    ok = csl_stats.importance_performance(mixed, "sat", X, scale=per)
    assert ok.loc["val", "performance"] == pytest.approx(100 * mixed.dropna()["val"].mean() / 10, abs=1e-12)
    with pytest.raises(errors.ArgumentError, match=r"no entry for attribute\(s\) \['val'\]"):
        csl_stats.importance_performance(mixed, "sat", X, scale={"dlv": (1, 7), "qlt": (1, 7), "srv": (1, 7)})


def test_plot_importance_performance(ref_data):
    import matplotlib

    matplotlib.use("Agg")
    ipa = csl_stats.importance_performance(ref_data, "sat", X, scale=(1, 7))
    ax = csl_stats.plot_importance_performance(ipa, labels={"dlv": "delivery"})
    texts = {t.get_text() for t in ax.texts}
    assert {"delivery", "qlt", "concentrate here", "possible overkill"} <= texts
    with pytest.raises(errors.ArgumentError, match="column 'importance' is missing"):
        csl_stats.plot_importance_performance(pd.DataFrame({"x": [1]}))


def test_penalty_reward_against_R(ref_data, ref):
    """Base R: ``lm(sat ~ dlv_low + dlv_high + ... )`` with low = rating <= 3, high = rating >= 6."""
    pr = csl_stats.penalty_reward(ref_data, "sat", X, low=3, high=6)
    assert pr.n_obs == ref["n"]
    assert pr.r2 == pytest.approx(ref["pr_r2"], abs=1e-10)
    for a in X:
        assert pr.table.loc[a, "penalty"] == pytest.approx(ref["pr_estimate"][f"{a}_low"], abs=1e-10)
        assert pr.table.loc[a, "reward"] == pytest.approx(ref["pr_estimate"][f"{a}_high"], abs=1e-10)
        assert pr.table.loc[a, "penalty_se"] == pytest.approx(ref["pr_se"][f"{a}_low"], abs=1e-10)
        assert pr.table.loc[a, "reward_se"] == pytest.approx(ref["pr_se"][f"{a}_high"], abs=1e-10)


def test_penalty_reward_classification(ref_data):
    pr = csl_stats.penalty_reward(ref_data, "sat", X, low=3, high=6)
    t = pr.table
    # the data were generated with a basic-factor delivery effect and an excitement-type service effect
    assert t.loc["dlv", "factor"] == "basic"
    assert t.loc["srv", "factor"] == "excitement"
    pen, rew = t.loc["qlt", "penalty"], t.loc["qlt", "reward"]
    assert t.loc["qlt", "impact_range"] == pytest.approx(abs(pen) + rew)
    assert t.loc["qlt", "impact_asymmetry"] == pytest.approx((rew - abs(pen)) / (abs(pen) + rew))
    assert t["impact_asymmetry"].between(-1, 1).all()


def test_penalty_reward_errors(ref_data):
    with pytest.raises(errors.ArgumentError, match="low must be below high"):
        csl_stats.penalty_reward(ref_data, "sat", X, low=6, high=3)
    with pytest.raises(errors.ArgumentError, match="band must lie strictly between 0 and 1"):
        csl_stats.penalty_reward(ref_data, "sat", X, low=3, high=6, band=1.5)
    with pytest.raises(errors.InsufficientDataError, match=r"attribute 'dlv' has no low \(<= 0\) ratings"):
        csl_stats.penalty_reward(ref_data, "sat", X, low=0, high=6)
    with pytest.raises(errors.InsufficientDataError, match=r"has no high \(>= 8\) ratings"):
        csl_stats.penalty_reward(ref_data, "sat", X, low=3, high=8)


def test_importance_performance_bad_cut_and_roles(ref_data):
    for bad in ((np.nan, 50.0), (0.2,), (0.2, 50.0, 1.0), "ab", (0.2, "x")):
        with pytest.raises(errors.ArgumentError, match=r"cut must be .*\(importance, performance\)"):
            csl_stats.importance_performance(ref_data, "sat", X, scale=(1, 7), cut=bad)
    with pytest.raises(errors.ModelSpecificationError, match="'sat' is used both as y and as attributes"):
        csl_stats.importance_performance(ref_data, "sat", ["sat", *X], scale=(1, 7))


def test_penalty_reward_rejects_non_numeric_cut_points(ref_data):
    with pytest.raises(errors.ArgumentError, match="low and high must be numbers"):
        csl_stats.penalty_reward(ref_data, "sat", X, low="3", high="6")
    with pytest.raises(errors.ArgumentError, match="band must lie strictly between 0 and 1"):
        csl_stats.penalty_reward(ref_data, "sat", X, low=3, high=6, band=np.nan)


def test_bootstrap_reports_degenerate_resamples():
    """A rare category makes some resamples constant: they are dropped with a warning, not silently."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"y": rng.normal(size=30), "a": rng.normal(size=30), "rare": np.r_[1.0, np.zeros(29)]})
    with pytest.warns(errors.CSLWarning, match=r"of 200 bootstrap resamples had a constant column"):
        res = csl_stats.relative_importance(df, "y", ["a", "rare"], n_boot=200, rng=1)
    assert 0 < res.n_boot < 200 and res.boot.shape[0] == res.n_boot
