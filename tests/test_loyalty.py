"""Tests for csl_stats.weighting (AHP, entropy weights) and csl_stats.loyalty (index, Dick & Basu)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ConstantError,
    InconsistencyWarning,
    InsufficientDataError,
    MissingDataWarning,
    ModelSpecificationError,
    NonNumericError,
    ScaleError,
)
from csl_stats.loyalty import dick_basu_segments, loyalty_index
from csl_stats.weighting import RANDOM_INDEX, AHPResult, ahp_weights, entropy_weights

# Saaty (1990), "How to make a decision: The Analytic Hierarchy Process", EJOR 48:9-26,
# Table 1: criteria for buying a house (size, transportation, neighbourhood, age, yard,
# modern facilities, general condition, financing). Published: lambda_max = 9.669,
# C.I. = 0.238, C.R. = 0.169, priorities .173 .054 .188 .018 .031 .036 .167 .333.
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]

# Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
# Sciences 1:83-98, Table 2: relative consumption of drinks in the US (coffee, wine, tea,
# beer, sodas, milk, water). Published derived priorities .177 .019 .042 .116 .190 .129 .327.
DRINKS = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]


# ----------------------------------------------------------------- AHP


def test_ahp_saaty_1990_house_example():
    with pytest.warns(InconsistencyWarning, match=r"consistency ratio 0.169 exceeds 0.10"):
        res = ahp_weights(HOUSE)
    assert isinstance(res, AHPResult)
    assert round(res.lambda_max, 3) == 9.669
    assert round(res.consistency_index, 3) == 0.238
    assert round(res.consistency_ratio, 3) == 0.169
    assert res.random_index == 1.41
    assert not res.consistent
    np.testing.assert_allclose(
        res.weights.round(3), [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=1e-12
    )
    assert res.weights.index.tolist() == [f"c{i}" for i in range(1, 9)]


def test_ahp_saaty_2008_drinks_example():
    labels = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    res = ahp_weights(pd.DataFrame(DRINKS, index=labels, columns=labels))
    np.testing.assert_allclose(res.weights.round(3), [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=1e-12)
    assert res.weights.index.tolist() == labels
    assert res.consistent and res.consistency_ratio < 0.10


def test_ahp_eigen_equation_and_consistent_matrix():
    w = np.array([0.5, 0.3, 0.2])
    a = w[:, None] / w[None, :]  # perfectly consistent: a_ij = w_i / w_j
    res = ahp_weights(a)
    np.testing.assert_allclose(res.weights, w, atol=1e-12)
    assert res.lambda_max == pytest.approx(3.0, abs=1e-10)
    assert res.consistency_ratio == pytest.approx(0.0, abs=1e-10)
    # A w = lambda_max w for the inconsistent house matrix
    with pytest.warns(InconsistencyWarning):
        h = ahp_weights(HOUSE)
    np.testing.assert_allclose(np.array(HOUSE) @ h.weights.to_numpy(), h.lambda_max * h.weights.to_numpy(), rtol=1e-10)


def test_ahp_two_by_two_and_hand_three_by_three():
    res = ahp_weights([[1, 4], [0.25, 1]])
    np.testing.assert_allclose(res.weights, [0.8, 0.2])
    assert res.consistency_ratio == 0.0 and res.random_index == 0.0
    # hand check of CI/CR from lambda_max for n = 3
    m = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
    r = ahp_weights(m)
    lam = float(np.max(np.linalg.eigvals(np.array(m)).real))
    assert r.consistency_index == pytest.approx((lam - 3) / 2, abs=1e-12)
    assert r.consistency_ratio == pytest.approx((lam - 3) / 2 / 0.58, abs=1e-12)
    assert "CR=" in repr(r)


def test_ahp_random_index_table_is_saatys():
    assert [RANDOM_INDEX[n] for n in range(3, 11)] == [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]


def test_ahp_errors():
    with pytest.raises(ArgumentError, match=r"square \(n x n\); got shape \(2, 3\)"):
        ahp_weights([[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(ArgumentError, match="at least 2 criteria"):
        ahp_weights([[1]])
    with pytest.raises(ArgumentError, match="positive ratios; got -2"):
        ahp_weights([[1, -2], [-0.5, 1]])
    with pytest.raises(ArgumentError, match="positive ratios; got 0"):
        ahp_weights([[1, 0], [0, 1]])
    with pytest.raises(ArgumentError, match="missing or infinite"):
        ahp_weights([[1, np.nan], [1, 1]])
    with pytest.raises(ArgumentError, match="diagonal must be 1"):
        ahp_weights([[2, 3], [1 / 3, 1]])
    with pytest.raises(ArgumentError, match=r"not reciprocal: a\['c1', 'c2'\] = 3 but a\['c2', 'c1'\] = 3"):
        ahp_weights([[1, 3], [3, 1]])
    rounded = ahp_weights([[1, 3], [0.333, 1]])  # rounded reciprocal accepted
    np.testing.assert_allclose(rounded.weights, [0.75, 0.25], atol=1e-4)
    with pytest.raises(ArgumentError, match="not reciprocal"):
        ahp_weights([[1, 3], [0.3, 1]])
    with pytest.raises(ArgumentError, match="row labels must equal the column labels"):
        ahp_weights(pd.DataFrame([[1, 2], [0.5, 1]], index=["a", "b"], columns=["b", "a"]))
    with pytest.raises(ArgumentError, match="tabulated up to 15"):
        ahp_weights(np.ones((16, 16)))
    with pytest.raises(ArgumentTypeError, match="numbers"):
        ahp_weights([["a", "b"], ["c", "d"]])
    with pytest.raises(ArgumentTypeError, match="square DataFrame"):
        ahp_weights("matrix")


@settings(max_examples=40, deadline=None)
@given(upper=st.lists(st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]), min_size=6, max_size=6))
def test_ahp_weights_sum_to_one_and_lambda_at_least_n(upper):
    a = np.ones((4, 4))
    iu = np.triu_indices(4, 1)
    a[iu] = upper
    a[(iu[1], iu[0])] = 1 / np.array(upper)
    with np.errstate(all="ignore"), pytest.warns(InconsistencyWarning) if _cr(a) > 0.10 else _nullctx():
        res = ahp_weights(a)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert (res.weights > 0).all()
    assert res.lambda_max >= 4 - 1e-9
    np.testing.assert_allclose(a @ res.weights.to_numpy(), res.lambda_max * res.weights.to_numpy(), rtol=1e-9)


def _cr(a: np.ndarray) -> float:
    lam = float(np.max(np.linalg.eigvals(a).real))
    return (lam - 4) / 3 / 0.90


class _nullctx:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


# ----------------------------------------------------------------- entropy weights


def test_entropy_weights_hand_computation():
    df = pd.DataFrame({"orders": [1, 2, 3, 10], "churned": [1, 0, 0, 0]})
    res = entropy_weights(df, directions={"churned": "cost"})
    # orders: y = (0, 1/9, 2/9, 1) -> p = (0, 1/12, 2/12, 9/12)
    p = np.array([1 / 12, 2 / 12, 9 / 12])
    e1 = -(p * np.log(p)).sum() / math.log(4)
    # churned (cost): y = (0, 1, 1, 1) -> p = (0, 1/3, 1/3, 1/3), e = ln 3 / ln 4
    e2 = math.log(3) / math.log(4)
    d = np.array([1 - e1, 1 - e2])
    np.testing.assert_allclose(res.weights, d / d.sum(), atol=1e-12)
    np.testing.assert_allclose(res.table["entropy"], [e1, e2], atol=1e-12)
    assert res.table["direction"].tolist() == ["benefit", "cost"]
    assert res.n == 4


def test_entropy_weights_cost_equals_benefit_of_negated_and_columns():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.normal(size=30), "b": rng.gamma(2, size=30), "c": rng.integers(0, 5, 30)})
    r1 = entropy_weights(df, directions={"b": "cost"})
    r2 = entropy_weights(df.assign(b=-df["b"]))
    np.testing.assert_allclose(r1.weights, r2.weights, atol=1e-12)
    sub = entropy_weights(df, columns=["a", "c"])
    assert sub.weights.index.tolist() == ["a", "c"]
    pd.testing.assert_series_equal(sub.weights, entropy_weights(df[["a", "c"]]).weights)


def test_entropy_weights_errors():
    df = pd.DataFrame({"a": [1, 2, 3], "b": [1, 1, 1], "t": ["x", "y", "z"]})
    with pytest.raises(ConstantError, match="'b' is constant"):
        entropy_weights(df, columns=["a", "b"])
    with pytest.raises(ArgumentError, match=r"directions\['a'\] must be 'benefit'.*got 'higher'"):
        entropy_weights(df, columns=["a"], directions={"a": "higher"})
    with pytest.raises(ArgumentError, match="'z' is not one of the indicators"):
        entropy_weights(df, columns=["a"], directions={"z": "cost"})
    with pytest.raises(ArgumentTypeError, match="directions must be a dict"):
        entropy_weights(df, columns=["a"], directions=["cost"])
    with pytest.raises(NonNumericError, match="'t'"):
        entropy_weights(df, columns=["a", "t"])
    with pytest.raises(InsufficientDataError, match="at least 2"), pytest.warns(MissingDataWarning):
        entropy_weights(pd.DataFrame({"a": [1.0, 2.0, np.nan], "c": [np.nan, 2.0, 3.0]}))


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, (15, 3), elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)))
def test_entropy_weights_sum_to_one(x):
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    if (df.max() - df.min() < 1e-6 * (1 + df.abs().max())).any():
        return  # constant (or numerically constant) indicator: covered by the error test
    res = entropy_weights(df, directions={"c": "cost"})
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert (res.weights >= -1e-15).all()
    assert ((res.table["entropy"] >= -1e-12) & (res.table["entropy"] <= 1 + 1e-12)).all()


# ----------------------------------------------------------------- loyalty index


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loy1": [7, 4, 1, 6, 5],
            "loy2": [6, 4, 2, 7, np.nan],
            "orders": [12, 6, 0, 3, 9],
            "sow": [0.9, 0.5, 0.1, 0.2, 0.7],
            "churned": [0, 0, 1, 0, 0],
        }
    )


def test_loyalty_index_formula_by_hand(customers):
    res = loyalty_index(
        customers,
        ["loy1", "loy2"],
        ["orders", "sow", "churned"],
        scale=(1, 7),
        weights={"loy1": 1, "loy2": 1, "orders": 2, "sow": 1, "churned": 1},
        directions={"churned": "cost"},
        bounds={"sow": (0, 1)},
        subjective_weight=0.6,
    )
    c = customers.iloc[:4]  # row 4 has a missing item -> NaN
    s = ((c["loy1"] - 1) / 6 + (c["loy2"] - 1) / 6) / 2
    o = 0.5 * c["orders"] / 12 + 0.25 * c["sow"] + 0.25 * (1 - c["churned"])
    np.testing.assert_allclose(res.subjective.iloc[:4], 100 * s)
    np.testing.assert_allclose(res.objective.iloc[:4], 100 * o)
    np.testing.assert_allclose(res.loyalty.iloc[:4], 100 * (0.6 * s + 0.4 * o))
    assert np.isnan(res.loyalty.iloc[4]) and res.n == 4
    summ = res.summary()
    assert summ["overall_weight"].sum() == pytest.approx(1.0)
    assert summ.loc["orders", "overall_weight"] == pytest.approx(0.4 * 0.5)
    assert res.to_frame().columns.tolist() == ["subjective", "objective", "loyalty"]
    assert "mean loyalty" in repr(res)


def test_loyalty_index_entropy_and_ahp_weights(customers):
    ent = loyalty_index(customers, ["loy1", "loy2"], ["orders", "sow"], scale=(1, 7), weights="entropy")
    assert ent.weights.groupby("block")["weight"].sum().to_dict() == pytest.approx({"objective": 1, "subjective": 1})
    complete = customers.dropna(subset=["loy1", "loy2", "orders", "sow"])  # the rows the index is computed on
    for cols in (["loy1", "loy2"], ["orders", "sow"]):
        np.testing.assert_allclose(ent.weights.loc[cols, "weight"], entropy_weights(complete, columns=cols).weights,
                                   atol=1e-12)
    ahp = ahp_weights([[1, 3], [1 / 3, 1]])
    w = pd.concat([pd.Series({"loy1": 0.5, "loy2": 0.5}), ahp.weights.set_axis(["orders", "sow"])])
    res = loyalty_index(customers, ["loy1", "loy2"], ["orders", "sow"], scale=(1, 7), weights=w)
    assert res.weights.loc["orders", "weight"] == pytest.approx(0.75)
    eq = loyalty_index(customers, ["loy1", "loy2"], ["orders", "sow"], scale=(1, 7), weights="equal")
    assert eq.weights["weight"].tolist() == [0.5, 0.5, 0.5, 0.5]
    only_subjective = loyalty_index(customers, ["loy1", "loy2"], ["orders"], scale=(1, 7), subjective_weight=1.0)
    np.testing.assert_allclose(only_subjective.loyalty, only_subjective.subjective)


def test_loyalty_index_errors(customers):
    args = (customers, ["loy1", "loy2"], ["orders", "sow"])
    with pytest.raises(ArgumentError, match="non-negative"):
        loyalty_index(*args, scale=(1, 7), weights={"loy1": 1, "loy2": -1, "orders": 1, "sow": 1})
    with pytest.raises(ArgumentError, match=r"no weight for objective indicator\(s\) \['sow'\]"):
        loyalty_index(*args, scale=(1, 7), weights={"loy1": 1, "loy2": 1, "orders": 1})
    with pytest.raises(ArgumentError, match="weights must be one of"):
        loyalty_index(*args, scale=(1, 7), weights="ahp")
    with pytest.raises(ArgumentTypeError, match="weights must be None"):
        loyalty_index(*args, scale=(1, 7), weights=[1, 2, 3, 4])
    with pytest.raises(ArgumentError, match=r"directions\['sow'\] must be 'benefit'"):
        loyalty_index(*args, scale=(1, 7), directions={"sow": "down"})
    with pytest.raises(ArgumentError, match=r"subjective_weight must be a number in \[0, 1\]"):
        loyalty_index(*args, scale=(1, 7), subjective_weight=1.5)
    with pytest.raises(ScaleError, match="outside the declared 1-5 scale"):
        loyalty_index(*args, scale=(1, 5))
    with pytest.raises(ScaleError, match=r"'orders' has values outside the declared 0-10 scale: \[12.0\]"):
        loyalty_index(*args, scale=(1, 7), bounds={"orders": (0, 10)})
    with pytest.raises(ArgumentError, match="low < high"):
        loyalty_index(*args, scale=(1, 7), bounds={"orders": (10, 0)})
    with pytest.raises(ArgumentError, match="bounds: \\['loy1'\\] are not behavioural"):
        loyalty_index(*args, scale=(1, 7), bounds={"loy1": (1, 7)})
    with pytest.raises(ModelSpecificationError, match="'loy1' is used both as attitudinal and as behavioural"):
        loyalty_index(customers, ["loy1"], ["loy1", "orders"], scale=(1, 7))
    with pytest.raises(ConstantError, match="'flat' is constant"):
        loyalty_index(customers.assign(flat=1.0), ["loy1"], ["flat"], scale=(1, 7))


@settings(max_examples=40, deadline=None)
@given(
    att=hnp.arrays(np.float64, (10, 2), elements=st.integers(1, 7).map(float)),
    beh=hnp.arrays(np.float64, (10, 2), elements=st.floats(0, 100, allow_subnormal=False)),
    lam=st.floats(0, 1),
)
@pytest.mark.filterwarnings("ignore::csl_stats.errors.ReverseKeyWarning")  # random items may correlate negatively
def test_loyalty_index_in_0_100(att, beh, lam):
    df = pd.DataFrame(np.c_[att, beh], columns=["a1", "a2", "b1", "b2"])
    if (df[["b1", "b2"]].nunique() < 2).any():
        return
    res = loyalty_index(df, ["a1", "a2"], ["b1", "b2"], scale=(1, 7), subjective_weight=lam,
                        directions={"b2": "cost"})
    for col in ("subjective", "objective", "loyalty"):
        assert ((res.scores[col] >= 0) & (res.scores[col] <= 100)).all()


# ----------------------------------------------------------------- Dick & Basu


def test_dick_basu_median_cut_and_given_cut():
    att = pd.Series([6.5, 6.0, 2.0, 1.5, np.nan], index=list("abcde"))
    beh = [10, 1, 12, 2, 5]
    seg = dick_basu_segments(att, beh)
    assert seg.index.tolist() == list("abcde")
    assert seg.tolist()[:4] == ["true loyalty", "latent loyalty", "spurious loyalty", "no loyalty"]
    assert pd.isna(seg.iloc[4])
    assert list(seg.cat.categories) == ["true loyalty", "latent loyalty", "spurious loyalty", "no loyalty"]
    # explicit cut: attitude > 5, behaviour > 11
    seg2 = dick_basu_segments(att, beh, cut=(5, 11))
    assert seg2.tolist()[:4] == ["latent loyalty", "latent loyalty", "spurious loyalty", "no loyalty"]
    # None in the pair = median for that axis; at-the-median counts as low
    seg3 = dick_basu_segments([1, 2, 3], [1, 2, 3], cut=(None, 0))
    assert seg3.tolist() == ["spurious loyalty", "spurious loyalty", "true loyalty"]


def test_dick_basu_errors():
    with pytest.raises(ArgumentError, match="same length; got 2 and 3"):
        dick_basu_segments([1, 2], [1, 2, 3])
    with pytest.raises(ArgumentError, match="cut must be a pair"):
        dick_basu_segments([1, 2], [1, 2], cut=3)
    # issue 15: one policy for numeric options: a string is a type error (ArgumentTypeError), inf/NaN a value error
    with pytest.raises(ArgumentTypeError, match="cut for behavioural must be a number; got str 'high'"):
        dick_basu_segments([1, 2], [1, 2], cut=(1, "high"))
    with pytest.raises(ArgumentError, match="cut for behavioural must be a finite number"):
        dick_basu_segments([1, 2], [1, 2], cut=(1, np.inf))
    with pytest.raises(InsufficientDataError, match="no customer has both"):
        dick_basu_segments([1, np.nan], [np.nan, 2])
    with pytest.raises(NonNumericError, match="'x'"):
        dick_basu_segments(["x", 2], [1, 2])
    with pytest.raises(ArgumentTypeError, match="not a DataFrame"):
        dick_basu_segments(pd.DataFrame({"a": [1]}), [1])


def test_results_to_frame_is_a_copy(customers):
    """Callers must not be able to change a result through the table that to_frame() returns."""
    ahp = ahp_weights([[1, 3], [1 / 3, 1]])
    frame = ahp.to_frame()
    frame.loc[:, "weight"] = 0.0
    np.testing.assert_allclose(ahp.weights, [0.75, 0.25])
    ent = entropy_weights(customers, columns=["orders", "sow"])
    before = ent.weights.copy()
    frame = ent.to_frame()
    frame.loc[:, "weight"] = 0.0
    pd.testing.assert_series_equal(ent.weights, before)
    loy = loyalty_index(customers, ["loy1", "loy2"], ["orders", "sow"], scale=(1, 7))
    before = loy.loyalty.copy()
    frame = loy.to_frame()
    frame.loc[:, "loyalty"] = -1.0
    pd.testing.assert_series_equal(loy.loyalty, before)


def test_loyalty_index_rejects_weights_for_unknown_indicators(customers):
    """A weight keyed by a name that is no indicator (a typo, or an indicator left out) is an error,
    not silently dropped before the renormalisation."""
    w = {"loy1": 1, "loy2": 1, "orders": 1, "sow": 1, "loy3": 2}
    with pytest.raises(ArgumentError, match=r"weights: \['loy3'\] are not indicators"):
        loyalty_index(customers, ["loy1", "loy2"], ["orders", "sow"], scale=(1, 7), weights=w)


def test_loyalty_index_accepts_numpy_subjective_weight(customers):
    args = (customers, ["loy1", "loy2"], ["orders", "sow"])
    a = loyalty_index(*args, scale=(1, 7), subjective_weight=np.float32(0.25))
    b = loyalty_index(*args, scale=(1, 7), subjective_weight=0.25)
    pd.testing.assert_series_equal(a.loyalty, b.loyalty)
    with pytest.raises(ArgumentError, match="subjective_weight must be a number"):
        loyalty_index(*args, scale=(1, 7), subjective_weight=np.nan)
