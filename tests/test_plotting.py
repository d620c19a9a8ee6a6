"""Tests of csl_stats.plotting (diverging stacked Likert chart)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, ColumnNotFoundError, MissingDataWarning, ScaleError
from csl_stats.plotting import likert_chart, likert_shares


@pytest.fixture
def answers() -> pd.DataFrame:
    return pd.DataFrame({
        "a": [1, 2, 3, 4, 5, 6, 7, 7, np.nan, 4],
        "b": [7, 7, 7, 6, 6, 5, 4, 4, 1, 2],
    })


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_shares_sum_to_one_and_ignore_missing(answers):
    shares = likert_shares(answers, ["a", "b"])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, atol=1e-12)
    assert shares.loc["a", 4] == pytest.approx(2 / 9)
    np.testing.assert_allclose(shares.loc["a"], np.array([1, 1, 1, 2, 1, 1, 2]) / 9, atol=1e-12)
    np.testing.assert_allclose(shares.loc["b"], np.array([1, 1, 0, 2, 1, 2, 3]) / 10, atol=1e-12)
    assert list(shares.columns) == [1, 2, 3, 4, 5, 6, 7]


def test_bars_are_centred_on_the_neutral_category(answers):
    ax = likert_chart(answers, ["a", "b"])
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.patches) == 2 * 7
    shares = likert_shares(answers, ["a", "b"])
    # first category's bars start at -(share below midpoint + half the neutral share)
    first = ax.patches[:2]  # category 1 for items a (top) and b
    for item, patch in zip(["a", "b"], first, strict=True):
        expected = -100 * (shares.loc[item, [1, 2, 3]].sum() + shares.loc[item, 4] / 2)
        assert patch.get_x() == pytest.approx(expected)
    # each bar spans 100 %
    last = ax.patches[-2:]
    for patch, f in zip(last, first, strict=True):
        assert patch.get_x() + patch.get_width() - f.get_x() == pytest.approx(100.0)


def test_even_scale_has_no_neutral_category():
    df = pd.DataFrame({"q": [1, 2, 3, 4, 4, 4]})
    ax = likert_chart(df, "q", scale=(1, 4))
    assert ax.patches[0].get_x() == pytest.approx(-100 * 2 / 6)


def test_sort_agree_puts_most_agreed_item_on_top(answers):
    ax = likert_chart(answers, ["a", "b"], sort="agree", labels={"b": "Item B"})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Item B", "a"]  # b (6 of 10 above the midpoint) plotted at the top


def test_works_on_the_survey_and_draws_on_given_axes():
    survey = csl_stats.load_supply_chain_survey()
    _, ax0 = plt.subplots()
    ax = likert_chart(survey, ["sat1", "sat2", "sat3"], ax=ax0, category_labels=list("ABCDEFG"))
    assert ax is ax0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list("ABCDEFG")


def test_errors(answers):
    with pytest.raises(ScaleError, match="outside the declared 1-5 scale"):
        likert_chart(answers, ["a"], scale=(1, 5))
    with pytest.raises(ColumnNotFoundError, match="not found in data: 'c'"):
        likert_chart(answers, ["a", "c"])
    with pytest.raises(ArgumentError, match="sort must be one of"):
        likert_chart(answers, ["a"], sort="alpha")
    with pytest.raises(ArgumentError, match="one label per category"):
        likert_chart(answers, ["a"], category_labels=["lo", "hi"])
    with pytest.raises(ArgumentError, match="whole numbers"):
        likert_shares(answers, ["a"], scale=(0.5, 7))
    with pytest.raises(ArgumentError, match="no non-missing answers"), pytest.warns(MissingDataWarning):
        likert_shares(pd.DataFrame({"q": [np.nan, np.nan], "r": [1, 2]}), ["q"])
