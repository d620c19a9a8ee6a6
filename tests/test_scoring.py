"""Tests for csl_stats.scoring: reverse coding, scale scores, 0-100 satisfaction index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    DuplicateColumnError,
    InsufficientDataError,
    NonNumericError,
    ScaleError,
)
from csl_stats.scoring import (
    ScaleScoresResult,
    normalise_weights,
    reverse_code,
    satisfaction_index,
    scale_scores,
)


@pytest.fixture
def items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "s1": [7, 5, np.nan, 1, 4],
            "s2": [6, np.nan, np.nan, 2, 4],
            "s3": [7, 3, 4, np.nan, 4],
            "l1": [1, 2, 3, 4, 5],
            "l2": [7, 6, 5, 4, np.nan],
        }
    )


# ----------------------------------------------------------------- reverse_code


def test_reverse_code_hand_values_and_original_untouched(items):
    before = items.copy()
    out = reverse_code(items, ["l1"], scale=(1, 7))
    assert out["l1"].tolist() == [7.0, 6.0, 5.0, 4.0, 3.0]
    assert out["l2"].equals(items["l2"])
    pd.testing.assert_frame_equal(items, before)
    assert out is not items


def test_reverse_code_is_an_involution_on_other_scales():
    df = pd.DataFrame({"x": [0, 3, 10, np.nan]})
    twice = reverse_code(reverse_code(df, "x", scale=(0, 10)), "x", scale=(0, 10))
    np.testing.assert_allclose(twice["x"], [0, 3, 10, np.nan])
    assert reverse_code(df, "x", scale=(0, 10))["x"].tolist()[:3] == [10.0, 7.0, 0.0]


def test_reverse_code_errors(items):
    with pytest.raises(ScaleError, match=r"outside the declared 1-5 scale: \[6.0, 7.0\]"):
        reverse_code(items, "l2", scale=(1, 5))
    with pytest.raises(ColumnNotFoundError, match="not found in data: 'l3'"):
        reverse_code(items, "l3", scale=(1, 7))
    with pytest.raises(ArgumentError, match="low < high"):
        reverse_code(items, "l1", scale=(7, 1))
    with pytest.raises(ArgumentError, match=r"\(low, high\) pair"):
        reverse_code(items, "l1", scale=7)
    with pytest.raises(NonNumericError, match="'t'"):
        reverse_code(pd.DataFrame({"t": ["a", "b"]}), "t", scale=(1, 7))
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        reverse_code([[1, 2]], "t", scale=(1, 7))


# ----------------------------------------------------------------- scale_scores


@pytest.mark.filterwarnings("ignore::csl_stats.errors.ReverseKeyWarning")  # hand data: l1 and l2 run against each other
def test_scale_scores_hand_example_default_half_rule(items):
    res = scale_scores(items, {"sat": ["s1", "s2", "s3"], "loy": ["l1", "l2"]})
    assert isinstance(res, ScaleScoresResult)
    # sat needs ceil(3/2) = 2 answers: row 2 (one answer) -> NaN
    np.testing.assert_allclose(res.scores["sat"], [20 / 3, 4.0, np.nan, 1.5, 4.0])
    # loy needs ceil(2/2) = 1 answer
    np.testing.assert_allclose(res.scores["loy"], [4.0, 4.0, 4.0, 4.0, 5.0])
    assert res.n_insufficient.to_dict() == {"sat": 1, "loy": 0}
    assert res.min_valid == {"sat": 2, "loy": 1}
    summ = res.summary()
    assert summ.loc["sat", "n_scored"] == 4 and summ.loc["sat", "n_insufficient"] == 1
    # to_frame() returns the scores as a copy: changing it cannot change the result
    pd.testing.assert_frame_equal(res.to_frame(), res.scores)
    frame = res.to_frame()
    frame.loc[:, "sat"] = 0.0
    assert res.n_insufficient.to_dict() == {"sat": 1, "loy": 0} and res.scores["sat"].iloc[0] == 20 / 3
    assert "Scale" in repr(res) or "ScaleScoresResult" in repr(res)


def test_scale_scores_min_valid_count_share_and_sum(items):
    strict = scale_scores(items, {"sat": ["s1", "s2", "s3"]}, min_valid=3)
    np.testing.assert_allclose(strict.scores["sat"], [20 / 3, np.nan, np.nan, np.nan, 4.0])
    assert int(strict.n_insufficient["sat"]) == 3
    share = scale_scores(items, {"sat": ["s1", "s2", "s3"]}, min_valid=0.34)  # ceil(1.02) = 2
    assert share.min_valid["sat"] == 2
    np.testing.assert_allclose(share.scores["sat"], [20 / 3, 4.0, np.nan, 1.5, 4.0])
    summed = scale_scores(items, {"sat": ["s1", "s2", "s3"]}, method="sum")
    # prorated sum = 3 x mean of valid answers
    np.testing.assert_allclose(summed.scores["sat"], [20.0, 12.0, np.nan, 4.5, 12.0])


def test_scale_scores_reverse_matches_manual_reverse(items):
    res = scale_scores(items, {"loy": ["l1", "l2"]}, reverse=["l2"], scale=(1, 7))
    manual = reverse_code(items, "l2", scale=(1, 7))[["l1", "l2"]].mean(axis=1)
    np.testing.assert_allclose(res.scores["loy"], manual)
    assert items["l2"].iloc[0] == 7  # caller's data untouched


def test_scale_scores_errors(items):
    with pytest.raises(ArgumentTypeError, match="non-empty dict"):
        scale_scores(items, ["s1", "s2"])
    with pytest.raises(ArgumentError, match="method must be one of"):
        scale_scores(items, {"sat": ["s1"]}, method="median")
    with pytest.raises(DuplicateColumnError, match="'s1' is listed under both 'a' and 'b'"):
        scale_scores(items, {"a": ["s1", "s2"], "b": ["s1", "s3"]})
    with pytest.raises(ArgumentError, match="min_valid=4 is impossible"):
        scale_scores(items, {"sat": ["s1", "s2", "s3"]}, min_valid=4)
    with pytest.raises(ArgumentError, match=r"share must lie in \(0, 1\]"):
        scale_scores(items, {"sat": ["s1", "s2", "s3"]}, min_valid=1.5)
    with pytest.raises(ArgumentTypeError, match="min_valid must be an int"):
        scale_scores(items, {"sat": ["s1", "s2", "s3"]}, min_valid="2")
    with pytest.raises(ArgumentError, match="reverse needs the answer scale"):
        scale_scores(items, {"loy": ["l1", "l2"]}, reverse=["l2"])
    with pytest.raises(ArgumentError, match=r"\['s1'\] belong to no construct"):
        scale_scores(items, {"loy": ["l1", "l2"]}, reverse=["s1"], scale=(1, 7))
    with pytest.raises(ScaleError, match="outside the declared 1-5 scale"):
        scale_scores(items, {"loy": ["l1", "l2"]}, scale=(1, 5))
    with pytest.raises(InsufficientDataError, match=r"constructs\['sat'\]: at least 1 column"):
        scale_scores(items, {"sat": []})
    with pytest.raises(ColumnNotFoundError, match="not found in data: 's9'"):
        scale_scores(items, {"sat": ["s1", "s9"]})


# ----------------------------------------------------------------- weights + index


def test_normalise_weights_paths():
    np.testing.assert_allclose(normalise_weights(None, ["a", "b"]), [0.5, 0.5])
    np.testing.assert_allclose(normalise_weights(pd.Series({"b": 1, "a": 3}), ["a", "b"]), [0.75, 0.25])
    with pytest.raises(ArgumentError, match="non-negative"):
        normalise_weights([1, -1], ["a", "b"])
    with pytest.raises(ArgumentError, match="sum to zero"):
        normalise_weights([0, 0], ["a", "b"])
    with pytest.raises(ArgumentError, match="finite"):
        normalise_weights([np.nan, 1], ["a", "b"])
    with pytest.raises(ArgumentError, match="3 value"):
        normalise_weights([1, 2, 3], ["a", "b"])
    with pytest.raises(ArgumentError, match=r"missing \['b'\], unknown \['c'\]"):
        normalise_weights({"a": 1, "c": 2}, ["a", "b"])
    with pytest.raises(ArgumentTypeError, match="must be None"):
        normalise_weights("equal", ["a", "b"])
    with pytest.raises(ArgumentTypeError, match="must be numbers"):
        normalise_weights(["x", 1], ["a", "b"])


def test_satisfaction_index_hand_values():
    df = pd.DataFrame({"a": [1, 7, 4, 2, np.nan], "b": [1, 7, 5, np.nan, np.nan]})
    idx = satisfaction_index(df, ["a", "b"], scale=(1, 7))
    # row 2: (3/6 + 4/6)/2 * 100 = 58.33; row 3: only 'a' answered (1 of 2 = half) -> 1/6 * 100
    np.testing.assert_allclose(idx, [0.0, 100.0, 175 / 3, 100 / 6, np.nan])
    assert idx.name == "satisfaction_index"
    w = satisfaction_index(df, ["a", "b"], scale=(1, 7), weights={"a": 1, "b": 3})
    np.testing.assert_allclose(w.iloc[2], 100 * (0.25 * 0.5 + 0.75 * 4 / 6))
    # weights not summing to one are normalised: [2, 6] == [0.25, 0.75]
    np.testing.assert_allclose(satisfaction_index(df, ["a", "b"], scale=(1, 7), weights=[2, 6]), w)
    strict = satisfaction_index(df, ["a", "b"], scale=(1, 7), min_valid=2)
    assert np.isnan(strict.iloc[3])


def test_satisfaction_index_errors():
    df = pd.DataFrame({"a": [1, 7, 8], "b": [1, 7, 5]})
    with pytest.raises(ScaleError, match=r"'a' has values outside the declared 1-7 scale: \[8.0\]"):
        satisfaction_index(df, ["a", "b"], scale=(1, 7))
    with pytest.raises(ArgumentError, match="non-negative"):
        satisfaction_index(df, ["a", "b"], scale=(1, 10), weights=[-0.5, 1.5])
    with pytest.raises(ArgumentError, match="low < high"):
        satisfaction_index(df, ["a", "b"], scale=(10, 1))


@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(np.float64, (12, 3), elements=st.integers(1, 7).map(float)),
    w=st.lists(st.floats(0.0, 10.0), min_size=3, max_size=3).filter(lambda v: sum(v) > 1e-6),
)
@pytest.mark.filterwarnings("ignore::csl_stats.errors.ReverseKeyWarning")  # random items may correlate negatively
def test_satisfaction_index_bounded_0_100(x, w):
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    idx = satisfaction_index(df, ["a", "b", "c"], scale=(1, 7), weights=w)
    assert ((idx >= 0) & (idx <= 100)).all()
    # monotone: raising every answer to the top gives 100
    top = satisfaction_index(df * 0 + 7, ["a", "b", "c"], scale=(1, 7), weights=w)
    np.testing.assert_allclose(top, 100.0)
    # the closed form: 100 x weighted mean of (x - 1) / 6 with weights normalised to sum 1
    np.testing.assert_allclose(idx, 100 * ((x - 1) / 6) @ (np.array(w) / sum(w)), rtol=1e-10, atol=1e-10)


@settings(max_examples=60, deadline=None)
@given(w=st.lists(st.floats(0.0, 1e6, allow_subnormal=False), min_size=1, max_size=8).filter(lambda v: sum(v) > 1e-9))
def test_normalised_weights_sum_to_one(w):
    out = normalise_weights(w, [f"i{k}" for k in range(len(w))])
    assert out.sum() == pytest.approx(1.0, abs=1e-12)
    assert (out >= 0).all()
