"""Tests for csl_stats.scorecard: the weighted supplier scorecard and its sensitivity."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    DataError,
    InsufficientDataError,
    NonNumericError,
)
from csl_stats.scorecard import ScorecardResult, plot_scorecard, supplier_scorecard

CRIT = {"price": "cost", "quality": "benefit", "delivery": "benefit"}
W = {"price": 0.5, "quality": 0.3, "delivery": 0.2}


@pytest.fixture
def panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier": ["A", "B", "C", "D"],
            "price": [10.0, 12.0, 8.0, 11.0],
            "quality": [70, 90, 60, 80],
            "delivery": [95.0, 97.0, 90.0, 99.0],
        }
    )


def test_minmax_scorecard_hand_computed(panel):
    """price (cost): range 8..12 -> A 50, B 0, C 100, D 25.
    quality: range 60..90 -> A 100/3, B 100, C 0, D 200/3.  delivery: range 90..99 -> A 500/9, B 700/9, C 0, D 100.
    score = 0.5 price + 0.3 quality + 0.2 delivery:
    A = 25 + 10 + 100/9 = 415/9, B = 0 + 30 + 140/9 = 410/9, C = 50, D = 12.5 + 20 + 20 = 52.5.
    """
    before = panel.copy()
    res = supplier_scorecard(panel, CRIT, W)
    pd.testing.assert_frame_equal(panel, before)
    s = res.scores
    np.testing.assert_allclose(s["price"], [50, 0, 100, 25], atol=1e-12)
    np.testing.assert_allclose(s["quality"], [100 / 3, 100, 0, 200 / 3], atol=1e-12)
    np.testing.assert_allclose(s["delivery"], [500 / 9, 700 / 9, 0, 100], atol=1e-12)
    np.testing.assert_allclose(s["score"], [415 / 9, 410 / 9, 50, 52.5], atol=1e-12)
    assert s["rank"].tolist() == [3, 4, 2, 1]
    assert res.ranking.index.tolist() == ["D", "C", "A", "B"]
    assert res.top == "D"
    assert not res.weights_rescaled
    np.testing.assert_allclose(res.contributions.sum(axis=1), s["score"], atol=1e-12)
    assert res.criteria == ["price", "quality", "delivery"]


def test_sensitivity_hand_computed(panel):
    """price weight +20 %: w = (0.6, 0.3, 0.2) / 1.1 -> A = (300 + 100 + 1000/9) / 11, B = (300 + 1400/9) / 11,
    C = 600 / 11 = 54.55, D = (150 + 200 + 200) / 11 = 50 -> C overtakes D.
    price weight -20 %: w = (0.4, 0.3, 0.2) / 0.9 -> D 55.56, B 50.62, A 45.68, C 44.44."""
    res = supplier_scorecard(panel, CRIT, W)
    sc = res.scenarios
    up = sc[sc["scenario"] == "price +20%"].set_index("supplier")
    np.testing.assert_allclose(
        up["score"], [(300 + 100 + 1000 / 9) / 11, (300 + 1400 / 9) / 11, 600 / 11, 50], atol=1e-12
    )
    assert up["rank"].tolist() == [3, 4, 1, 2]
    down = sc[sc["scenario"] == "price -20%"].set_index("supplier")
    np.testing.assert_allclose(down["score"], [(20 + 10 + 100 / 9) / 0.9, (30 + 140 / 9) / 0.9, 40 / 0.9, 50 / 0.9],
                               atol=1e-12)
    assert down["rank"].tolist() == [3, 2, 4, 1]
    table = res.sensitivity_table()
    assert len(table) == 1 + 2 * 3
    assert table.loc["price +20%", "top"] == "C"
    assert table.loc["price +20%", "n_rank_changes"] == 2
    assert table.loc["price -20%", "n_rank_changes"] == 2  # B 4 -> 2 and C 2 -> 4
    assert table.loc["price -20%", "max_rank_shift"] == 2
    assert not res.top_is_stable and not res.ranking_is_stable
    rr = res.rank_range
    assert rr.loc["D", "rank_best"] == 1 and rr.loc["D", "rank_worst"] == 2
    assert rr.loc["B", "rank_best"] == 2 and rr.loc["B", "rank_worst"] == 4


def test_ratio_normalisation_hand_computed(panel):
    res = supplier_scorecard(panel, CRIT, W, normalise="ratio")
    s = res.scores
    np.testing.assert_allclose(s["price"], [80, 800 / 12, 100, 800 / 11], atol=1e-12)
    np.testing.assert_allclose(s["quality"], [700 / 9, 100, 600 / 9, 800 / 9], atol=1e-12)
    np.testing.assert_allclose(s["delivery"], [9500 / 99, 9700 / 99, 9000 / 99, 100], atol=1e-12)
    expected = 0.5 * s["price"] + 0.3 * s["quality"] + 0.2 * s["delivery"]
    np.testing.assert_allclose(s["score"], expected, atol=1e-12)
    assert s.loc["A", "score"] == pytest.approx(40 + 70 / 3 + 1900 / 99, abs=1e-12)


def test_weights_as_points_are_normalised_and_flagged(panel):
    a = supplier_scorecard(panel, CRIT, W)
    b = supplier_scorecard(panel, CRIT, {"price": 50, "quality": 30, "delivery": 20})
    c = supplier_scorecard(panel, CRIT, [5, 3, 2])
    assert b.weights_rescaled and c.weights_rescaled
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.scores, c.scores)
    assert b.weights["weight_given"].tolist() == [50, 30, 20]
    np.testing.assert_allclose(b.weights["weight"], [0.5, 0.3, 0.2], atol=1e-15)
    assert b.weights["direction"].tolist() == ["cost", "benefit", "benefit"]


def test_constant_criterion_and_zero_weight(panel):
    res = supplier_scorecard(panel.assign(quality=75), CRIT, {"price": 0.5, "quality": 0.3, "delivery": 0.2})
    assert (res.scores["quality"] == 100).all()
    z = supplier_scorecard(panel, CRIT, {"price": 1.0, "quality": 0.0, "delivery": 0.0})
    np.testing.assert_allclose(z.scores["score"], z.scores["price"], atol=1e-12)


def test_rank_acceptability(panel):
    res = supplier_scorecard(panel, CRIT, W, n_draws=500, rng=11)
    acc = res.acceptability
    assert acc.shape == (4, 4)
    np.testing.assert_allclose(acc.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(acc.sum(axis=0), 1.0, atol=1e-12)  # no ties: each rank taken once per draw
    assert 0 < res.p_top["D"] < 1 and 0 < res.p_top["C"] < 1
    assert res.p_top[["A", "B"]].eq(0).all()
    assert res.p_same_rank["D"] == acc.loc["D", 1]
    again = supplier_scorecard(panel, CRIT, W, n_draws=500, rng=11)
    pd.testing.assert_frame_equal(acc, again.acceptability)
    assert {"p_same_rank", "p_top"} <= set(res.summary().columns)
    assert res.summary().index.tolist() == ["D", "C", "A", "B"]
    # a supplier best on every criterion is always first
    dom = panel.assign(price=[10.0, 12.0, 8.0, 7.0], quality=[70, 90, 60, 95], delivery=[95.0, 97.0, 90.0, 99.0])
    d = supplier_scorecard(dom, CRIT, W, n_draws=200, rng=1)
    assert d.p_top["D"] == 1.0 and d.top_is_stable
    assert supplier_scorecard(panel, CRIT, W).p_top is None


def test_result_display(panel):
    res = supplier_scorecard(panel, CRIT, W)
    assert isinstance(res, ScorecardResult)
    assert "Supplier scorecard" in res._repr_html_()
    assert "weights_rescaled=False" in repr(res)
    assert list(res.to_frame().columns) == ["price", "quality", "delivery", "score", "rank", "rank_best", "rank_worst"]


def test_packaged_suppliers_scorecard():
    sup = csl_stats.datasets.load_suppliers()
    w = dict.fromkeys(csl_stats.datasets.SUPPLIER_CRITERIA, 1.0)
    res = supplier_scorecard(sup, csl_stats.datasets.SUPPLIER_CRITERIA, w, n_draws=100, rng=1)
    assert res.weights_rescaled
    assert sorted(res.scores["rank"]) == list(range(1, 16))


def test_plots(panel):
    res = supplier_scorecard(panel, CRIT, W, n_draws=50, rng=1)
    ax = plot_scorecard(res)
    assert len(ax.patches) == 4 * 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "A", "C", "D"]  # best on top
    ax2 = plot_scorecard(res, kind="sensitivity")
    assert ax2.get_title() == "Stability of the supplier ranking"
    assert list(ax2.get_xticks()) == [1, 2, 3, 4]  # every rank has a tick, rank 1 first (left)
    assert ax2.get_xlim() == (0.5, 4.5)
    _, ax3 = plt.subplots()
    assert plot_scorecard(supplier_scorecard(panel, CRIT, W), kind="sensitivity", ax=ax3) is ax3
    plt.close("all")
    with pytest.raises(ArgumentTypeError, match="must be a ScorecardResult"):
        plot_scorecard(panel)
    with pytest.raises(ArgumentError, match="kind must be one of"):
        plot_scorecard(res, kind="pie")


# ----------------------------------------------------------------------------- properties
@settings(max_examples=30, deadline=None)
@given(
    st.integers(3, 8).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(1, 1000), min_size=n, max_size=n),
            st.lists(st.floats(1, 1000), min_size=n, max_size=n),
            st.lists(st.floats(1, 1000), min_size=n, max_size=n),
        )
    ),
    st.lists(st.floats(0.01, 100), min_size=3, max_size=3),
    st.floats(0.01, 1000),
    st.floats(-1000, 1000),
)
def test_properties(cols, weights, a, b):
    x, y, z = cols
    df = pd.DataFrame({"supplier": [f"S{i}" for i in range(len(x))], "c1": x, "c2": y, "c3": z})
    crit = {"c1": "cost", "c2": "benefit", "c3": "benefit"}
    res = supplier_scorecard(df, crit, weights)
    # weights sum to one after normalisation; scores within 0..100
    assert res.weights["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert res.scores[["c1", "c2", "c3", "score"]].to_numpy().min() >= -1e-9
    assert res.scores[["c1", "c2", "c3", "score"]].to_numpy().max() <= 100 + 1e-9
    assert res.scenarios["score"].between(-1e-9, 100 + 1e-9).all()
    # min-max: ranking invariant to a positive affine rescaling of a criterion
    scaled = supplier_scorecard(df.assign(c2=a * df["c2"] + b), crit, weights)
    np.testing.assert_allclose(scaled.scores["score"], res.scores["score"], atol=1e-6)
    s0, r0, r1 = res.scores["score"].to_numpy(), res.scores["rank"].to_numpy(), scaled.scores["rank"].to_numpy()
    clear = np.abs(s0[:, None] - s0[None, :]) > 1e-6  # pairs not tied up to rounding noise
    assert (np.sign(r0[:, None] - r0[None, :]) == np.sign(r1[:, None] - r1[None, :]))[clear].all()
    # ratio: invariant to a change of scale
    r1 = supplier_scorecard(df, crit, weights, normalise="ratio")
    r2 = supplier_scorecard(df.assign(c1=a * df["c1"]), crit, weights, normalise="ratio")
    np.testing.assert_allclose(r1.scores["score"], r2.scores["score"], atol=1e-6)


# ----------------------------------------------------------------------------- errors
def test_direction_and_criteria_errors(panel):
    with pytest.raises(ArgumentError, match=r"unknown criterion direction.*'quality': 'good'"):
        supplier_scorecard(panel, {**CRIT, "quality": "good"}, W)
    with pytest.raises(ArgumentTypeError, match="criteria must be a mapping"):
        supplier_scorecard(panel, ["price", "quality"], W)
    with pytest.raises(ArgumentError, match="criteria is empty"):
        supplier_scorecard(panel, {}, {})
    with pytest.raises(ColumnNotFoundError, match="'qualty'"):
        supplier_scorecard(panel, {"price": "cost", "qualty": "benefit"}, [0.5, 0.5])
    with pytest.raises(ColumnNotFoundError, match="'vendor'"):
        supplier_scorecard(panel, CRIT, W, supplier="vendor")
    with pytest.raises(ArgumentError, match="both the supplier id and a criterion"):
        supplier_scorecard(panel.assign(supplier=[1, 2, 3, 4]), {**CRIT, "supplier": "benefit"}, [1, 1, 1, 1])


def test_weight_errors(panel):
    with pytest.raises(ArgumentError, match=r"weights must be >= 0; negative weight\(s\) \{'quality': -0.3\}"):
        supplier_scorecard(panel, CRIT, {"price": 0.5, "quality": -0.3, "delivery": 0.2})
    with pytest.raises(ArgumentError, match="all zero"):
        supplier_scorecard(panel, CRIT, [0, 0, 0])
    with pytest.raises(ArgumentError, match=r"missing \['delivery'\]"):
        supplier_scorecard(panel, CRIT, {"price": 0.5, "quality": 0.5})
    with pytest.raises(ArgumentError, match=r"not a criterion \['cost'\]"):
        supplier_scorecard(panel, CRIT, {**W, "cost": 0.1})
    with pytest.raises(ArgumentError, match="2 value"):
        supplier_scorecard(panel, CRIT, [0.5, 0.5])
    with pytest.raises(ArgumentTypeError, match="weights must be numbers"):
        supplier_scorecard(panel, CRIT, [0.5, "0.3", 0.2])
    with pytest.raises(ArgumentError, match="finite"):
        supplier_scorecard(panel, CRIT, [0.5, np.nan, 0.2])
    with pytest.raises(ArgumentTypeError, match="weights must be a mapping"):
        supplier_scorecard(panel, CRIT, "equal")


def test_data_errors(panel):
    with pytest.raises(DataError, match=r"supplier ids must be unique; \['A'\]"):
        supplier_scorecard(panel.assign(supplier=["A", "A", "C", "D"]), CRIT, W)
    with pytest.raises(DataError, match="supplier id column 'supplier' is missing"):
        supplier_scorecard(panel.assign(supplier=["A", None, "C", "D"]), CRIT, W)
    with pytest.raises(DataError, match=r"missing criterion value.*\('C', 'quality'\)"):
        supplier_scorecard(panel.assign(quality=[70, 90, np.nan, 80]), CRIT, W)
    with pytest.raises(NonNumericError, match="'price'"):
        supplier_scorecard(panel.assign(price=["cheap", 12, 8, 11]), CRIT, W)
    with pytest.raises(DataError, match=r"needs positive values; criteria \['quality'\]"):
        supplier_scorecard(panel.assign(quality=[0, 90, 60, 80]), CRIT, W, normalise="ratio")
    with pytest.raises(InsufficientDataError, match="at least 2 needed"):
        supplier_scorecard(panel.iloc[:1], CRIT, W)


def test_option_errors(panel):
    with pytest.raises(ArgumentError, match="sensitivity must be a number strictly between 0 and 1"):
        supplier_scorecard(panel, CRIT, W, sensitivity=1.5)
    with pytest.raises(ArgumentError, match="sensitivity"):
        supplier_scorecard(panel, CRIT, W, sensitivity=0)
    with pytest.raises(ArgumentError, match="n_draws must be >= 0"):
        supplier_scorecard(panel, CRIT, W, n_draws=-1)
    with pytest.raises(ArgumentError, match="normalise must be one of"):
        supplier_scorecard(panel, CRIT, W, normalise="zscore")
    with pytest.raises(ArgumentTypeError, match="must be a pandas DataFrame"):
        supplier_scorecard(panel.to_numpy(), CRIT, W)


def test_weights_series_with_a_repeated_criterion_is_an_error(panel):
    """A Series naming a criterion twice must not be collapsed silently to its last value."""
    w = pd.Series([0.5, 0.3, 0.1, 0.1], index=["price", "quality", "delivery", "delivery"])
    with pytest.raises(ArgumentError, match=r"weights name criterion\(s\) \['delivery'\] more than once"):
        supplier_scorecard(panel, CRIT, w)
