"""Necessary condition analysis (``nca``) and the combined IPMA (``cipma``), issue 19b.

References: the NCA R package 5.0.1 run from source (``tests/reference/nca.R`` -> ``nca.json``) and
independent brute-force computations written here from the definitions in Dul (2016).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pls_models import SURVEY_MM, SURVEY_SM
from scipy import integrate

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    ConstantError,
    ModelSpecificationError,
)

REF = Path(__file__).parent / "reference"
DATA = pd.read_csv(REF / "nca_data.csv")


def _r_number(cell: str) -> float:
    return {"NN": -np.inf, "NA": np.inf}.get(cell, None) or float(cell)


@pytest.mark.parametrize(("part", "xs", "y"), [("cont", ["x_cont", "x_noise"], "y_cont"), ("lik", ["x_lik"], "y_lik")])
def test_nca_against_R(part, xs, y):
    """NCA R package 5.0.1: ``nca_analysis(d, x, y, ceilings = c("ce_fdh", "cr_fdh"),
    bottleneck.x = "actual" | "percentage.range", test.rep = 1000)`` (tests/reference/nca.R)."""
    ref = json.loads((REF / "nca.json").read_text())[part]
    res = csl_stats.nca(DATA, xs, y, ceiling=["ce_fdh", "cr_fdh"], n_perm=5000, rng=7)
    for x in xs:
        r = ref[x]
        for ce in ("ce_fdh", "cr_fdh"):
            row = res.table[(res.table["condition"] == x) & (res.table["ceiling"] == ce)].iloc[0]
            assert row["scope"] == pytest.approx(r["scope"], abs=1e-9)
            assert row["ceiling_zone"] == pytest.approx(r[ce]["ceiling_zone"], abs=1e-9)
            assert row["effect_size"] == pytest.approx(r[ce]["effect_size"], abs=1e-9)
            assert row["accuracy"] == pytest.approx(r[ce]["accuracy"], abs=1e-9)
            if ce == "cr_fdh":
                assert row["slope"] == pytest.approx(r[ce]["slope"], abs=1e-9)
                assert row["intercept"] == pytest.approx(r[ce]["intercept"], abs=1e-9)
            # permutation p-values: within Monte Carlo error of two independent runs (1000 and 5000)
            p_r = r[ce]["p_value"]
            se = np.sqrt(max(p_r, 1e-3) * (1 - p_r) * (1 / 1000 + 1 / 5000))
            assert abs(row["p_value"] - p_r) < 4 * se + 1e-3
            for unit, key, tol in (("actual", "bottleneck_actual", 5e-4), ("percent", "bottleneck_percent", 0.05)):
                mine = res.bottleneck_table(ce, unit=unit)[x].tolist()
                theirs = r[ce][key]
                assert len(mine) == len(theirs) == 11
                for a, b in zip(mine, theirs, strict=True):
                    if b in ("NN", "NA"):
                        assert a == b
                    else:
                        assert float(a) == pytest.approx(float(b), abs=tol)


def _brute_force(x: np.ndarray, y: np.ndarray) -> dict:
    """NCA from the definitions, written independently of csl_stats.nca (loops, quadrature)."""
    x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    ux = np.unique(x)
    ceil = [y[x <= v].max() for v in ux]
    ce_zone = sum((ux[k + 1] - ux[k]) * (y1 - ceil[k]) for k in range(len(ux) - 1))
    dominated = [any((x[j] <= x[i]) and (y[j] >= y[i]) and (x[j], y[j]) != (x[i], y[i]) for j in range(len(x)))
                 for i in range(len(x))]
    peers = np.array([i for i in range(len(x)) if not dominated[i]])
    b, a = np.polyfit(x[peers], y[peers], 1)
    cr_zone = integrate.quad(lambda t: y1 - min(max(a + b * t, y0), y1), x0, x1, limit=200,
                             points=[(y0 - a) / b, (y1 - a) / b])[0]
    need = [x[y >= lv - 1e-12].min() for lv in y0 + np.linspace(0, 1, 11) * (y1 - y0)]
    return {"ce": ce_zone / ((x1 - x0) * (y1 - y0)), "cr": cr_zone / ((x1 - x0) * (y1 - y0)), "slope": b,
            "intercept": a, "n_peers": len(peers), "need": need, "x0": x0}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nca_against_brute_force(seed):
    g = np.random.default_rng(seed)
    n = 60
    x = np.round(g.uniform(0, 5, n), 1)  # ties in x and y
    y = np.round(np.minimum(x + 1, g.uniform(0, 6, n)), 1)
    res = csl_stats.nca(pd.DataFrame({"x": x, "y": y}), "x", "y", ceiling=["ce_fdh", "cr_fdh"])
    bf = _brute_force(x, y)
    t = res.table.set_index("ceiling")
    assert t.at["ce_fdh", "effect_size"] == pytest.approx(bf["ce"], abs=1e-12)
    assert t.at["cr_fdh", "effect_size"] == pytest.approx(bf["cr"], abs=1e-8)
    assert t.at["cr_fdh", "slope"] == pytest.approx(bf["slope"], abs=1e-10)
    assert t.at["cr_fdh", "intercept"] == pytest.approx(bf["intercept"], abs=1e-10)
    assert t.at["ce_fdh", "n_peers"] == bf["n_peers"]
    b = res.bottlenecks[res.bottlenecks["ceiling"] == "ce_fdh"]
    expected = [np.nan if v == bf["x0"] else v for v in bf["need"]]
    np.testing.assert_allclose(b["x_value"], expected)
    assert (b["status"] == np.where(np.isnan(expected), "NN", "required")).all()
    ok = b["status"] == "required"
    np.testing.assert_allclose(b.loc[ok, "share_below"], [(x < v).mean() for v in b.loc[ok, "x_value"]])


def test_permutation_test_equals_loop_of_fits(monkeypatch):
    """The vectorised permutation distribution equals d refitted on each permuted data set,
    whatever the number of permutations evaluated together."""
    nca_module = importlib.import_module("csl_stats.nca")  # the module (csl_stats.nca is the function)

    d = DATA[["x_lik", "y_lik"]]
    res = csl_stats.nca(d, "x_lik", "y_lik", ceiling=["ce_fdh", "cr_fdh"], n_perm=120, rng=3)
    monkeypatch.setattr(nca_module, "PERM_CELLS", 7 * len(d))  # 7 permutations at a time
    chunked = csl_stats.nca(d, "x_lik", "y_lik", ceiling=["ce_fdh", "cr_fdh"], n_perm=120, rng=3)
    np.testing.assert_array_equal(chunked.perm_effects, res.perm_effects)
    g = np.random.default_rng(3)
    for k in range(120):
        perm = g.permutation(len(d))
        shuffled = pd.DataFrame({"x_lik": d["x_lik"].to_numpy(), "y_lik": d["y_lik"].to_numpy()[perm]})
        one = csl_stats.nca(shuffled, "x_lik", "y_lik", ceiling=["ce_fdh", "cr_fdh"])
        expected = one.table["effect_size"].fillna(0.0).to_numpy()
        np.testing.assert_allclose(res.perm_effects[k], expected, atol=1e-12)
    obs = res.table["effect_size"].to_numpy()
    p = (1 + (res.perm_effects >= obs - 1e-12).sum(axis=0)) / 121
    np.testing.assert_allclose(res.table["p_value"], p)


def test_nca_missing_and_bad_input():
    d = DATA.copy()
    d.loc[d.index[:5], "x_cont"] = np.nan
    res = csl_stats.nca(d, "x_cont", "y_cont")
    assert res.n == len(d) - 5
    assert d["x_cont"].isna().sum() == 5  # caller's data untouched
    with pytest.raises(csl_stats.errors.InsufficientDataError, match="x_cont"):
        csl_stats.nca(d, "x_cont", "y_cont", nan_policy="raise")
    with pytest.raises(ColumnNotFoundError, match="x_cnt"):
        csl_stats.nca(DATA, "x_cnt", "y_cont")
    with pytest.raises(ModelSpecificationError, match="y_cont"):
        csl_stats.nca(DATA, ["x_cont", "y_cont"], "y_cont")
    with pytest.raises(ArgumentError, match="ceiling"):
        csl_stats.nca(DATA, "x_cont", "y_cont", ceiling="ols")
    with pytest.raises(ArgumentError, match="n_perm"):
        csl_stats.nca(DATA, "x_cont", "y_cont", n_perm=50)
    with pytest.raises(ArgumentTypeError, match="steps"):
        csl_stats.nca(DATA, "x_cont", "y_cont", steps="10")
    with pytest.raises(ConstantError, match="'c'"):
        csl_stats.nca(DATA.assign(c=1.0), "c", "y_cont")
    with pytest.raises(csl_stats.errors.NonNumericError, match="'t'"):
        csl_stats.nca(DATA.assign(t="a"), "t", "y_cont")


def _survey_fit():
    survey = csl_stats.load_supply_chain_survey()
    return csl_stats.pls_pm(survey, SURVEY_MM, SURVEY_SM, scale=(1, 7))


def test_cipma_construct_level_equals_ipma_plus_nca():
    res = _survey_fit()
    c = csl_stats.cipma(res, "LOY", target_level=70, n_perm=300, rng=2)
    ip = csl_stats.ipma(res, "LOY")
    np.testing.assert_allclose(c.table["importance"], ip["importance"])
    np.testing.assert_allclose(c.table["performance"], ip["performance"])
    s = res.index_scores
    for drv in c.table.index:
        one = csl_stats.nca(s, drv, "LOY")
        assert c.table.at[drv, "effect_size"] == pytest.approx(one.table["effect_size"].iloc[0], abs=1e-12)
        # required level for LOY >= 70: the lowest driver score whose ceiling reaches 70
        ok = s["LOY"] >= 70 - 1e-10
        need = s.loc[ok, drv].min()
        if need <= s[drv].min():
            assert c.table.at[drv, "status"] == "NN"
        else:
            assert c.table.at[drv, "required"] == pytest.approx(need)
            assert c.table.at[drv, "share_below"] == pytest.approx((s[drv] < need).mean())
    nec = (c.table["effect_size"] >= 0.1) & (c.table["p_value"] < 0.05)
    assert (c.table["necessary"] == nec).all()


def test_cipma_indicator_level_and_errors():
    res = _survey_fit()
    c = csl_stats.cipma(res, "LOY", level="indicator", n_perm=200, rng=1, target_level=60)
    assert set(c.table.index) == {"sat1", "sat2", "sat3", "trs1", "trs2", "trs3"}
    assert {"construct", "importance", "effect_size", "necessary", "required", "share_below"} <= set(c.table.columns)
    item = (res.data["trs2"] - 1) / 6 * 100
    one = csl_stats.nca(pd.DataFrame({"trs2": item, "LOY": res.index_scores["LOY"]}), "trs2", "LOY")
    assert c.table.at["trs2", "effect_size"] == pytest.approx(one.table["effect_size"].iloc[0], abs=1e-12)
    with pytest.raises(ArgumentTypeError, match="PLSResult"):
        csl_stats.cipma(res.paths, "LOY")
    with pytest.raises(ModelSpecificationError, match="'SAT'"):
        csl_stats.cipma(res, "SAT", n_perm=100)
    with pytest.raises(ArgumentError, match="n_perm"):
        csl_stats.cipma(res, "LOY", n_perm=0)
    with pytest.raises(ArgumentError, match="target_level"):
        csl_stats.cipma(res, "LOY", target_level=120)


def test_plots_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = csl_stats.nca(DATA, ["x_cont"], "y_cont", ceiling=["ce_fdh", "cr_fdh"])
    ax = csl_stats.plot_nca(res)
    assert len(ax.get_legend().get_texts()) == 3
    c = csl_stats.cipma(_survey_fit(), "LOY", n_perm=100, rng=1)
    ax = csl_stats.plot_cipma(c)
    assert ax.get_ylabel() == "Performance (0-100)"
    plt.close("all")


def test_theoretical_scope_against_hand_computation():
    """``scope=(1, 6, 1, 6)`` (the NCA R package's ``scope``): peers (2, 2), (3, 4), (5, 5) of four cases.

    CE-FDH by hand over the theoretical rectangle: the ceiling is at y_low = 1 left of x = 2 (empty strip
    1 x 5), at 2 on [2, 3) (1 x 4), at 4 on [3, 5) (2 x 2) and at 5 on [5, 6] (1 x 1): zone 5 + 4 + 4 + 1 = 14,
    d = 14 / 25. CR-FDH: the OLS line through the peers, y = 4/7 + 13/14 x, integrated over [1, 6] clipped
    to [1, 6].
    """
    df = pd.DataFrame({"x": [2, 3, 4, 5], "y": [2, 4, 3, 5]})
    res = csl_stats.nca(df, "x", "y", ceiling=["ce_fdh", "cr_fdh"], scope=(1, 6, 1, 6))
    ce, cr = res.table.iloc[0], res.table.iloc[1]
    assert (ce["x_low"], ce["x_high"], ce["y_low"], ce["y_high"], ce["scope"]) == (1, 6, 1, 6, 25)
    assert (ce["x_min"], ce["x_max"], ce["y_min"], ce["y_max"]) == (2, 5, 2, 5)
    assert ce["ceiling_zone"] == pytest.approx(14.0, abs=1e-12)
    assert ce["effect_size"] == pytest.approx(14 / 25, abs=1e-12)
    a, b = 4 / 7, 13 / 14
    zone = integrate.quad(lambda t: 6 - min(max(a + b * t, 1), 6), 1, 6, points=[(6 - a) / b])[0]
    assert (cr["slope"], cr["intercept"]) == (pytest.approx(b, abs=1e-12), pytest.approx(a, abs=1e-12))
    assert cr["ceiling_zone"] == pytest.approx(zone, abs=1e-9)
    assert cr["effect_size"] == pytest.approx(zone / 25, abs=1e-9)
    # bottleneck: outcome levels over the theoretical range 1..6; x = 2 (the lowest observed) is required,
    # levels above the largest observed y (5) are not attainable, percentages of the theoretical x range
    bt = res.bottleneck_table("ce_fdh", unit="actual")
    assert bt["y_value"].tolist() == pytest.approx([1 + k / 2 for k in range(11)])
    assert bt["x"].tolist() == [2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 5.0, 5.0, "NA", "NA"]
    assert res.bottleneck_table("ce_fdh")["x"].tolist()[:4] == pytest.approx([20.0, 20.0, 20.0, 40.0])
    cr_need = res.bottleneck_table("cr_fdh", unit="actual")["x"].tolist()
    assert cr_need[:2] == ["NN", "NN"]  # the line is at or below y_low + 10 % left of x_low
    assert cr_need[6] == pytest.approx((4 - a) / b, abs=1e-12)
    # the permutation test keeps the scope: d of every permutation includes the unobserved strips
    perm = csl_stats.nca(df, "x", "y", scope=(1, 6, 1, 6), n_perm=100, rng=1)
    assert (perm.perm_effects[:, 0] >= 9 / 25 - 1e-12).all()


def test_scope_defaults_partial_bounds_and_errors():
    df = DATA[["x_lik", "y_lik"]]
    emp = csl_stats.nca(df, "x_lik", "y_lik", ceiling=["ce_fdh", "cr_fdh"])
    same = csl_stats.nca(df, "x_lik", "y_lik", ceiling=["ce_fdh", "cr_fdh"], scope=(None, None, None, None))
    pd.testing.assert_frame_equal(emp.table, same.table)
    pd.testing.assert_frame_equal(emp.bottlenecks, same.bottlenecks)
    assert (emp.table["x_low"] == emp.table["x_min"]).all() and (emp.table["y_high"] == emp.table["y_max"]).all()
    # dict: only the listed condition gets the theoretical scope; None keeps an observed bound
    two = csl_stats.nca(DATA, ["x_cont", "x_noise"], "y_cont", scope={"x_cont": (-10, None, None, None)})
    t = two.table.set_index("condition")
    assert t.at["x_cont", "x_low"] == -10 and t.at["x_noise", "x_low"] == DATA["x_noise"].min()
    assert t.at["x_cont", "effect_size"] > csl_stats.nca(DATA, "x_cont", "y_cont").table.at[0, "effect_size"]
    with pytest.raises(ArgumentError, match=r"'x_lik'.*excludes observed values of column 'x_lik'"):
        csl_stats.nca(df, "x_lik", "y_lik", scope=(2, 7, 1, 7))
    with pytest.raises(ArgumentError, match=r"column 'y_lik'.*\[1, 7\]"):
        csl_stats.nca(df, "x_lik", "y_lik", scope=(1, 7, 1, 6))
    with pytest.raises(ArgumentError, match="must be below"):
        csl_stats.nca(df, "x_lik", "y_lik", scope=(7, 1, 1, 7))
    with pytest.raises(ArgumentTypeError, match="x_low, x_high, y_low, y_high"):
        csl_stats.nca(df, "x_lik", "y_lik", scope=(1, 7))
    with pytest.raises(ArgumentError, match="not conditions"):
        csl_stats.nca(df, "x_lik", "y_lik", scope={"nope": (1, 7, 1, 7)})
    with pytest.raises(ArgumentError, match="outcome bounds"):
        csl_stats.nca(DATA, ["x_cont", "x_noise"], "y_cont", scope={"x_cont": (-10, 10, -10, 10)})


def test_cipma_theoretical_scope_is_nca_on_0_100():
    res = _survey_fit()
    c = csl_stats.cipma(res, "LOY", target_level=70, n_perm=100, rng=2, scope="theoretical")
    s = res.index_scores
    for drv in c.table.index:
        one = csl_stats.nca(s, drv, "LOY", scope=(0, 100, 0, 100), steps=[70.0])
        assert c.table.at[drv, "effect_size"] == pytest.approx(one.table["effect_size"].iloc[0], abs=1e-12)
        b = one.bottlenecks.iloc[0]
        assert c.table.at[drv, "status"] == b["status"]
        if b["status"] == "required":
            assert c.table.at[drv, "required"] == pytest.approx(b["x_value"], abs=1e-12)
    emp = csl_stats.cipma(res, "LOY", target_level=70, n_perm=100, rng=2)
    assert emp.n == c.n == res.n == len(s)
    assert (c.table["effect_size"] >= emp.table["effect_size"] - 1e-12).all()
    with pytest.raises(ArgumentError, match="scope"):
        csl_stats.cipma(res, "LOY", n_perm=100, scope=(0, 100, 0, 100))


def test_theoretical_scope_single_peer_keeps_the_unobserved_strips():
    """One distinct peer (the highest y at the lowest x): no CR-FDH line. With the theoretical scope (0, 5, 0, 6)
    both ceilings leave empty only the strips outside the data: 1 x 6 left of x = 1 plus 5 x 1 above y = 5,
    less their 1 x 1 overlap = 10."""
    d = pd.DataFrame({"x": [1, 2, 3, 4], "y": [5, 1, 2, 3]})
    res = csl_stats.nca(d, "x", "y", ceiling=["ce_fdh", "cr_fdh"], scope=(0, 5, 0, 6))
    assert res.table["ceiling_zone"].tolist() == pytest.approx([10.0, 10.0], abs=1e-12)
    assert np.isnan(res.table.at[1, "slope"])
    emp = csl_stats.nca(d, "x", "y", ceiling=["ce_fdh", "cr_fdh"])
    assert emp.table["ceiling_zone"].tolist() == [0.0, 0.0]


def test_theoretical_scope_ce_fdh_p_value_equals_empirical():
    emp = csl_stats.nca(DATA, "x_noise", "y_cont", n_perm=300, rng=5)
    theo = csl_stats.nca(DATA, "x_noise", "y_cont", n_perm=300, rng=5, scope=(0, 10, 0, 10))
    assert 0.05 < emp.table.at[0, "p_value"] < 1
    assert theo.table.at[0, "p_value"] == emp.table.at[0, "p_value"]
    assert theo.table.at[0, "effect_size"] > emp.table.at[0, "effect_size"]
