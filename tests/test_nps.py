"""Tests for csl_stats.net_promoter (NPS intervals, Rocks 2016), csl_stats.nps_compare (tests;
segments) and csl_stats.csat (top-box)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csl_stats import errors
from csl_stats.csat import top_box, top_box_test
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    InsufficientDataError,
    NonNumericError,
    ScaleError,
)
from csl_stats.net_promoter import NPSResult, nps
from csl_stats.nps_compare import nps_by, nps_test

Z = 1.959963984540054


def answers(promoters: int, passives: int, detractors: int) -> list[int]:
    """A sample with the given category counts (answers 10, 8 and 3)."""
    return [10] * promoters + [8] * passives + [3] * detractors


# ----------------------------------------------------------------- point estimate + hand intervals


def test_nps_published_counts_talkstats():
    """Published counts (talkstats.com thread "Net Promoter Score - calculating confidence
    intervals"): 291 promoters, 476 passives, 395 detractors of 1162 -> NPS of -9."""
    res = nps(answers(291, 476, 395), ci_method="wald")
    assert round(res.score) == -9
    assert res.score == pytest.approx(100 * (291 - 395) / 1162, abs=1e-10)
    assert (res.promoters, res.passives, res.detractors) == pytest.approx((291 / 1162, 476 / 1162, 395 / 1162))
    p, d = 291 / 1162, 395 / 1162
    se = math.sqrt((p + d - (p - d) ** 2) / 1162)
    assert res.se == pytest.approx(100 * se, abs=1e-8)
    assert res.ci == pytest.approx((100 * (p - d - Z * se), 100 * (p - d + Z * se)), abs=1e-8)


def test_nps_wald_variance_matches_published_trinomial_example():
    """Cross Validated, "How can I calculate margin of error in a NPS result?" (whuber's
    answer): shares 1/2, 1/3, 1/6 give NPS 1/3 and per-respondent variance 5/9."""
    res = nps(answers(300, 200, 100), ci_method="wald")
    assert res.score == pytest.approx(100 / 3, abs=1e-10)
    assert res.se == pytest.approx(100 * math.sqrt(5 / 9 / 600), abs=1e-10)


def test_nps_adjusted_wald_rocks_hand_computation():
    """Rocks (2016): n + 3, counts + 3/4, interval centred on the adjusted NPS.

    Same construction as the author's R package NPS (``nps_test_(..., test = "adjusted.wald")``,
    pseudo-observations c(0.75, 1.50, 0.75) added to the detractor/passive/promoter counts,
    variance ``(p + d) - (p - d)^2`` of the adjusted shares over the adjusted n).
    """
    res = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])  # 5 promoters, 2 passives, 3 detractors
    assert res.ci_method == "adjusted_wald"
    p, d = 5.75 / 13, 3.75 / 13
    se = math.sqrt((p + d - (p - d) ** 2) / 13)
    assert res.score == pytest.approx(20.0, abs=1e-12)  # raw, not adjusted
    assert res.se == pytest.approx(100 * se, abs=1e-10)
    assert res.ci_low == pytest.approx(100 * (p - d - Z * se), abs=1e-8)
    assert res.ci_high == pytest.approx(100 * (p - d + Z * se), abs=1e-8)
    assert (round(res.ci_low, 2), round(res.ci_high, 2)) == (-30.33, 61.10)


def test_adjusted_wald_does_not_collapse_when_everyone_promotes():
    x = [10] * 20
    wald = nps(x, ci_method="wald")
    adj = nps(x)
    assert wald.ci == (100.0, 100.0) and wald.se == 0.0
    p, d = 20.75 / 23, 0.75 / 23
    lo = 100 * (p - d - Z * math.sqrt((p + d - (p - d) ** 2) / 23))
    assert adj.ci_low == pytest.approx(lo, abs=1e-8)
    assert adj.ci_high == 100.0  # clipped
    assert adj.score == 100.0


def test_nps_ci_level_changes_width():
    x = answers(40, 30, 30)
    w90, w99 = nps(x, ci=0.90), nps(x, ci=0.99)
    assert (w99.ci_high - w99.ci_low) / (w90.ci_high - w90.ci_low) == pytest.approx(2.5758293 / 1.6448536, rel=1e-6)


def test_nps_bootstrap_seeded_and_close_to_wald_for_large_n():
    x = answers(450, 300, 250)
    a = nps(x, ci_method="bootstrap", rng=7, n_boot=2000)
    b = nps(x, ci_method="bootstrap", rng=7, n_boot=2000)
    assert a.ci == b.ci
    w = nps(x, ci_method="wald")
    # Monte Carlo error with 2000 draws: ~1.6 % on the SE, ~0.15 points on a 2.5 % quantile; a 90 % interval
    # would move each limit by ~0.8 points, so the limits must agree within 0.5 points.
    assert a.se == pytest.approx(w.se, rel=0.05)
    assert a.ci_low == pytest.approx(w.ci_low, abs=0.5) and a.ci_high == pytest.approx(w.ci_high, abs=0.5)
    weighted = nps(x, weights=np.ones(1000), ci_method="bootstrap", rng=1, n_boot=500)
    assert weighted.ci_low < 20 < weighted.ci_high
    # unit weights: the weighted bootstrap targets the same interval (MC error ~0.35 points with 500 draws)
    assert weighted.score == pytest.approx(20.0, abs=1e-10)
    assert weighted.ci == pytest.approx(w.ci, abs=1.0) and weighted.se == pytest.approx(w.se, rel=0.1)


def test_nps_missing_answers_listwise_and_raise():
    x = pd.Series([10, np.nan, 9, 3, None, 8])
    res = nps(x)
    assert res.n == 4 and res.score == pytest.approx(25.0)
    with pytest.raises(InsufficientDataError, match=r"2 missing answer\(s\) and nan_policy='raise'"):
        nps(x, nan_policy="raise")
    with pytest.raises(InsufficientDataError, match="no valid answers"):
        nps([np.nan, np.nan])


# ----------------------------------------------------------------- weights


def test_nps_weights_kish_effective_n():
    x = [10, 9, 3, 8]
    w = [1, 1, 2, 4]
    res = nps(x, weights=w, ci_method="wald")
    assert res.n == 4 and res.n_eff == pytest.approx(64 / 22)
    p, d = 2 / 8, 2 / 8
    assert res.promoters == pytest.approx(p) and res.detractors == pytest.approx(d)
    assert res.passives == pytest.approx(0.5)
    assert res.se == pytest.approx(100 * math.sqrt((p + d) / (64 / 22)))
    assert res.table["count"].tolist() == [1, 1, 2]
    # equal weights == no weights
    eq = nps(x, weights=[3, 3, 3, 3])
    un = nps(x)
    assert eq.ci == pytest.approx(un.ci) and eq.n_eff == pytest.approx(4)
    # the weight of a dropped (missing) answer is dropped too
    drop = nps([10, np.nan, 9, 3, 8], weights=[1, 100, 1, 2, 4], ci_method="wald")
    assert drop.n_eff == pytest.approx(res.n_eff)


def test_nps_weight_errors():
    with pytest.raises(ArgumentError, match="weights has 2 value"):
        nps([10, 9, 3], weights=[1, 2])
    with pytest.raises(ArgumentError, match=r"non-negative; got \[-1.0\]"):
        nps([10, 9, 3], weights=[1, -1, 2])
    with pytest.raises(ArgumentError, match="weights contain missing values"):
        nps([10, 9, 3], weights=[1, np.nan, 2])
    with pytest.raises(ArgumentError, match="sum to zero"):
        nps([10, 9, 3], weights=[0, 0, 0])


# ----------------------------------------------------------------- input errors


def test_nps_scale_errors_name_bad_values():
    with pytest.raises(ScaleError, match=r"outside the declared 0-10 scale: \[-1.0, 11.0\]"):
        nps([10, 11, -1, 5])
    with pytest.raises(ScaleError, match=r"whole-number answers .* \[7.5\]"):
        nps([10, 7.5, 5])
    with pytest.raises(NonNumericError, match="'n/a'"):
        nps([10, "n/a", 5])
    with pytest.raises(ArgumentTypeError, match="not a DataFrame"):
        nps(pd.DataFrame({"a": [1]}))
    with pytest.raises(ArgumentTypeError, match="one-dimensional"):
        nps(np.ones((2, 2)))
    with pytest.raises(ArgumentTypeError, match="Series, a 1-D numpy array or a list"):
        nps(10)


def test_nps_argument_errors():
    x = [10, 9, 3]
    with pytest.raises(ArgumentError, match="ci_method must be one of"):
        nps(x, ci_method="score")
    with pytest.raises(ArgumentError, match="ci must be a number strictly between 0 and 1"):
        nps(x, ci=95)
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        nps(x, ci_method="bootstrap", n_boot=10)
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        nps(x, nan_policy="pairwise")


def test_nps_result_accessors_and_repr():
    res = nps(answers(5, 3, 2))
    assert isinstance(res, NPSResult)
    assert res.to_frame().index.tolist() == ["detractors", "passives", "promoters"]
    assert res.summary().loc["NPS", "score"] == pytest.approx(30.0)
    text = repr(res)
    assert "score=30" in text and "adjusted_wald" in text
    assert "<table" in res._repr_html_()


# ----------------------------------------------------------------- properties


scores_strategy = st.lists(st.integers(0, 10), min_size=1, max_size=80)


@settings(max_examples=40, deadline=None)
@given(x=scores_strategy, seed=st.integers(0, 2**16))
def test_nps_bounded_and_order_invariant(x, seed):
    perm = list(np.random.default_rng(seed).permutation(x))
    for method in ("adjusted_wald", "wald"):
        a, b = nps(x, ci_method=method), nps(perm, ci_method=method)
        assert -100 <= a.score <= 100
        assert -100 <= a.ci_low <= a.ci_high <= 100
        assert a.score == pytest.approx(b.score, abs=1e-12)
        assert a.ci == pytest.approx(b.ci, abs=1e-9)
    wald = nps(x, ci_method="wald")
    assert wald.ci_low - 1e-9 <= wald.score <= wald.ci_high + 1e-9
    assert wald.promoters + wald.passives + wald.detractors == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(x=scores_strategy)
def test_nps_equals_mean_of_recodes(x):
    r = np.where(np.array(x) >= 9, 1, np.where(np.array(x) >= 7, 0, -1))
    assert nps(x).score == pytest.approx(100 * r.mean(), abs=1e-10)


# ----------------------------------------------------------------- nps_test


def test_nps_test_independent_hand_computation():
    a = answers(5, 1, 1)
    b = answers(2, 2, 3)
    res = nps_test(a, b, labels=("north", "south"))
    pa, da, pb, db = 5 / 7, 1 / 7, 2 / 7, 3 / 7
    se = math.sqrt((pa + da - (pa - da) ** 2) / 7 + (pb + db - (pb - db) ** 2) / 7)
    assert res.diff == pytest.approx(100 * ((pa - da) - (pb - db)))
    assert res.se == pytest.approx(100 * se)
    z = ((pa - da) - (pb - db)) / se
    assert res.z == pytest.approx(z)
    assert res.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert res.ci == pytest.approx((res.diff - Z * res.se, res.diff + Z * res.se))
    assert res.table.index.tolist() == ["north", "south"]
    assert "p_value" in repr(res) and res.summary().shape == (1, 6)


def test_nps_test_paired_hand_computation():
    before = [10, 9, 8, 3, 7, 10, 6, 9]
    after = [10, 6, 9, 8, 7, 9, 2, 10]
    rb = np.array([1, 1, 0, -1, 0, 1, -1, 1])
    ra = np.array([1, -1, 1, 0, 0, 1, -1, 1])
    delta = rb - ra
    res = nps_test(before, after, paired=True)
    assert res.paired
    assert res.diff == pytest.approx(100 * delta.mean())
    assert res.se == pytest.approx(100 * delta.std(ddof=1) / math.sqrt(8))
    assert res.ci == pytest.approx((res.diff - Z * res.se, res.diff + Z * res.se))
    # the example above has diff 0; one with a non-zero, signed difference (before - after)
    worse = [*after[:-1], 3]  # last respondent: promoter -> detractor
    delta2 = rb - np.array([1, -1, 1, 0, 0, 1, -1, -1])
    r3 = nps_test(before, worse, paired=True)
    assert r3.diff == pytest.approx(100 * delta2.mean()) and r3.diff == pytest.approx(25.0)
    se3 = delta2.std(ddof=1) / math.sqrt(8)
    assert r3.se == pytest.approx(100 * se3)
    assert r3.z == pytest.approx(delta2.mean() / se3)
    assert r3.p_value == pytest.approx(math.erfc(abs(delta2.mean() / se3) / math.sqrt(2)))
    # a missing answer drops the pair
    res2 = nps_test([*before, np.nan], [*after, 10], paired=True)
    assert res2.table["n"].tolist() == [8, 8] and res2.diff == pytest.approx(res.diff)


def test_nps_test_degenerate_and_errors():
    # issue 15: a zero standard error (every answer of each group in one category) used to give
    # z = 0 / p = 1 or z = inf / p = 0; the z test is undefined there and is refused
    with pytest.raises(errors.ConstantError, match="standard error is 0 and the z test is undefined"):
        nps_test([10] * 5, [10] * 6)
    with pytest.raises(errors.ConstantError, match="standard error is 0"):
        nps_test([10] * 5, [3] * 5)
    with pytest.raises(errors.ConstantError, match="paired differences do not vary"):
        nps_test([10] * 5, [3] * 5, paired=True)
    # groups too small for the normal approximation are refused, naming the minimum
    with pytest.raises(InsufficientDataError, match=r"at least 5 valid answers per group .* group 'b' has 1"):
        nps_test([10, 9, 3, 8, 2], [3])
    with pytest.raises(ArgumentError, match="same respondents|one answer per respondent"):
        nps_test([10, 9, 3], [10, 9], paired=True)
    with pytest.raises(InsufficientDataError, match="at least 5 complete pairs"):
        nps_test([10, np.nan, 9, 8, 3], [9, 9, 3, 4, 10], paired=True)
    with pytest.raises(ArgumentError, match="labels must be a pair"):
        nps_test([10], [9], labels=("a",))
    with pytest.raises(ScaleError, match="12.0"):
        nps_test([10, 12], [9, 9])


# ----------------------------------------------------------------- nps_by


def test_nps_by_segments_match_nps():
    df = pd.DataFrame(
        {
            "rec": [10, 9, 3, 8, 9, 6, 10, 2, np.nan, 7],
            "seg": ["a", "a", "a", "a", "b", "b", "b", "b", "b", None],
            "size": ["s", "l", "s", "l", "s", "l", "s", "l", "s", "l"],
            "w": [1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
        }
    )
    before = df.copy()
    tab = nps_by(df, "rec", "seg")
    assert tab.index.tolist() == ["a", "b"]
    assert tab["n"].tolist() == [4, 4]
    ref = nps([9, 6, 10, 2])
    assert tab.loc["b", "ci_low"] == pytest.approx(ref.ci_low)
    assert tab.loc["a", "score"] == pytest.approx(25.0)
    two = nps_by(df, "rec", ["seg", "size"])
    assert two.index.names == ["seg", "size"] and len(two) == 4
    wt = nps_by(df, "rec", "seg", weights="w", ci_method="wald")
    assert wt.loc["a", "score"] == pytest.approx(nps([10, 9, 3, 8], weights=[1, 2, 1, 2]).score)
    boot = nps_by(df, "rec", "seg", ci_method="bootstrap", rng=3, n_boot=200)
    assert boot.equals(nps_by(df, "rec", "seg", ci_method="bootstrap", rng=3, n_boot=200))
    pd.testing.assert_frame_equal(df, before)


def test_nps_by_errors():
    df = pd.DataFrame({"rec": [10, 11, 3], "seg": ["a", "b", "b"]})
    with pytest.raises(ScaleError, match=r"'rec' has values outside the declared 0-10 scale: \[11.0\]"):
        nps_by(df, "rec", "seg")
    with pytest.raises(ColumnNotFoundError, match="segment"):
        nps_by(df, "rec", "segment")
    with pytest.raises(ArgumentError, match="cannot also be a segment"):
        nps_by(df, "rec", ["rec"])
    with pytest.raises(InsufficientDataError, match="no segment"):
        nps_by(pd.DataFrame({"rec": [np.nan, 5.0], "seg": ["a", None]}), "rec", "seg")


# ----------------------------------------------------------------- top box


def _binary(x: int, n: int) -> list[int]:
    return [7] * x + [1] * (n - x)


@pytest.mark.parametrize(
    ("x", "n", "lo", "hi"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_published_examples(x, n, lo, hi):
    """Newcombe (1998a), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score)."""
    res = top_box(_binary(x, n), scale=(1, 7))
    assert res.ci == pytest.approx((lo, hi), abs=5e-5)
    assert res.share == pytest.approx(x / n)


@pytest.mark.parametrize(
    ("a", "b", "lo", "hi"),
    [
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((5, 56), (0, 29), -0.0381, 0.1926),
        ((0, 10), (0, 20), -0.1611, 0.2775),
        ((10, 10), (0, 20), 0.6791, 1.0000),
    ],
)
def test_newcombe_difference_published_examples(a, b, lo, hi):
    """Newcombe (1998b), Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score)."""
    res = top_box_test(_binary(*a), _binary(*b), scale=(1, 7))
    assert res.ci == pytest.approx((lo, hi), abs=5e-5)


def test_top_box_k_and_hand_wilson():
    x = [7, 6, 5, 7, 3, 6, 6, 2, 7, 4]
    t2 = top_box(x, scale=(1, 7))
    assert (t2.count, t2.n, t2.share) == (6, 10, 0.6)
    p, n = 0.6, 10
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    assert t2.ci == pytest.approx((centre - half, centre + half), abs=1e-12)
    t1 = top_box(x, scale=(1, 7), k=1)
    assert t1.count == 3
    assert top_box([5, 4, 3, np.nan], scale=(1, 5), k=1).n == 3
    assert "top-2-box" in t2.to_frame().index[0]


def test_top_box_test_pooled_z_hand():
    a, b = [7, 6, 6, 7, 5, 6], [3, 4, 6, 5, 2, 7]
    res = top_box_test(a, b, scale=(1, 7), labels=("key", "other"))
    pool = 7 / 12
    z = (5 / 6 - 2 / 6) / math.sqrt(pool * (1 - pool) * (2 / 6))
    assert res.z == pytest.approx(z) and res.diff == pytest.approx(0.5)
    assert res.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert top_box_test([7, 7], [6, 6], scale=(1, 7)).p_value == 1.0
    assert "diff=" in repr(res)


def test_top_box_errors():
    with pytest.raises(ArgumentError, match="k=7 top boxes cover the whole 7-point scale"):
        top_box([1, 7], scale=(1, 7), k=7)
    with pytest.raises(ArgumentError, match="k must be >= 1"):
        top_box([1, 7], scale=(1, 7), k=0)
    with pytest.raises(ScaleError, match=r"outside the declared 1-5 scale: \[7.0\]"):
        top_box([1, 7], scale=(1, 5))
    with pytest.raises(ScaleError, match="whole-number"):
        top_box([1, 4.5], scale=(1, 5))
    with pytest.raises(InsufficientDataError, match="no valid answers"):
        top_box([np.nan], scale=(1, 5))
    with pytest.raises(ArgumentError, match="labels must be a pair"):
        top_box_test([1], [2], scale=(1, 5), labels=("x", "y", "z"))


def test_results_to_frame_is_a_copy():
    """Callers must not be able to change a result through the table that to_frame() returns."""
    res = nps(answers(5, 3, 2))
    frame = res.to_frame()
    frame.loc["promoters", "share"] = 0.0
    assert res.promoters == pytest.approx(0.5) and res.score == pytest.approx(30.0)
    t = nps_test(answers(5, 1, 1), answers(2, 2, 3))
    diff = t.diff
    frame = t.to_frame()
    frame.loc[:, "score"] = 0.0
    assert t.diff == pytest.approx(diff)
    tb = top_box_test([7, 6, 6, 7, 5, 6], [3, 4, 6, 5, 2, 7], scale=(1, 7))
    frame = tb.to_frame()
    frame.loc[:, "count"] = 0
    assert tb.diff == pytest.approx(0.5) and tb.ci[0] < 0.5 < tb.ci[1]


def test_two_group_labels_must_differ():
    with pytest.raises(ArgumentError, match="two different labels"):
        nps_test([10, 9], [3, 8], labels=("x", "x"))
    with pytest.raises(ArgumentError, match="two different labels"):
        top_box_test([7, 1], [6, 1], scale=(1, 7), labels=("x", "x"))


def test_nps_by_weights_column_cannot_be_the_score_or_a_segment():
    df = pd.DataFrame({"rec": [10, 9, 3, 8], "seg": ["a", "a", "b", "b"]})
    with pytest.raises(ArgumentError, match="weights column 'rec' cannot also be"):
        nps_by(df, "rec", "seg", weights="rec")


def test_comparison_tables_derive_scores_and_shares_from_stored_counts():
    """Scores and shares are not stored twice: to_frame() derives them from shares and counts."""
    res = nps_test([10, 9, 9, 3, 8], [10, 2, 1, 7, 8], labels=("x", "y"))
    assert "score" not in res.table.columns
    frame = res.to_frame()
    assert frame.loc["x", "score"] == pytest.approx(100 * (3 / 5 - 1 / 5))
    assert frame.loc["y", "score"] == pytest.approx(100 * (1 / 5 - 2 / 5))
    assert res.diff == pytest.approx(frame.loc["x", "score"] - frame.loc["y", "score"])
    tb = top_box_test([7, 6, 5, 2], [7, 1, 1], scale=(1, 7), labels=("x", "y"))
    assert "share" not in tb.table.columns
    assert tb.to_frame()["share"].tolist() == pytest.approx([0.5, 1 / 3])
    assert tb.diff == pytest.approx(0.5 - 1 / 3)
