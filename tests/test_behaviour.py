"""Tests for csl_stats.behaviour: RFM scores and retention rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats.behaviour import RFM_SEGMENTS, retention, rfm
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnNotFoundError,
    DataError,
    DuplicateColumnError,
    InsufficientDataError,
)


@pytest.fixture
def tx() -> pd.DataFrame:
    """Five customers; the hand computation is in test_rfm_hand_computed."""
    rows = [
        ("A", "2024-05-01", 30.0),
        ("A", "2024-06-20", 10.0),
        ("A", "2024-07-05", 99.0),  # after as_of: ignored
        ("B", "2024-06-29", 5.0),
        ("C", "2024-03-01", 100.0),
        ("C", "2024-04-01", 100.0),
        ("C", "2024-05-01", 100.0),
        ("D", "2024-01-15", 20.0),
        ("D", "2024-02-15", 20.0),
        ("D", "2024-03-15", 20.0),
        ("D", "2024-04-15", 20.0),
        ("E", "2024-06-10", 7.0),
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


# ----------------------------------------------------------------------------- RFM
def test_rfm_hand_computed(tx):
    """as_of 2024-06-30, quintiles (bins=5), n = 5 customers: score = floor(rank - 1/2) + 1 = rank.

    recency (days): B 1, A 10, E 20, C 60 (May 1 -> Jun 30), D 76 (Apr 15 -> Jun 30)
      -> R: B 5, A 4, E 3, C 2, D 1
    frequency: B 1, E 1 (tie: mid-rank 1.5 -> score floor(1.0) + 1 = 2), A 2, C 3, D 4
      -> F: B 2, E 2, A 3, C 4, D 5
    monetary (sum): B 5, E 7, A 40, D 80, C 300 -> M: B 1, E 2, A 3, D 4, C 5
    """
    before = tx.copy()
    r = rfm(tx, as_of="2024-06-30")
    pd.testing.assert_frame_equal(tx, before)  # caller's data untouched
    assert r.index.tolist() == ["A", "B", "C", "D", "E"]
    assert r.index.name == "customer_id"
    assert r["recency"].tolist() == [10, 1, 60, 76, 20]
    assert r["frequency"].tolist() == [2, 1, 3, 4, 1]
    assert r["monetary"].tolist() == [40.0, 5.0, 300.0, 80.0, 7.0]
    assert r["r_score"].tolist() == [4, 5, 2, 1, 3]
    assert r["f_score"].tolist() == [3, 2, 4, 5, 2]
    assert r["m_score"].tolist() == [3, 1, 5, 4, 2]
    assert r["rfm_cell"].tolist() == ["433", "521", "245", "154", "322"]
    assert r["rfm_score"].tolist() == [10, 8, 11, 10, 7]
    # R level x F level (high = 4-5, mid = 3, low = 1-2)
    assert r["segment"].tolist() == [
        "potential loyalists",  # A: R high, F mid
        "new customers",  # B: R high, F low
        "at risk",  # C: R low, F high
        "at risk",  # D: R low, F high
        "about to sleep",  # E: R mid, F low
    ]
    assert r.loc["A", "last_order"] == pd.Timestamp("2024-06-20")
    assert r.loc["D", "first_order"] == pd.Timestamp("2024-01-15")


def test_rfm_ties_first_breaks_by_customer_id(tx):
    r = rfm(tx, as_of="2024-06-30", ties="first")
    # B and E both have 1 order: B (first id) gets rank 1 -> score 1, E rank 2 -> score 2
    assert r.loc[["B", "E"], "f_score"].tolist() == [1, 2]
    assert sorted(r["f_score"]) == [1, 2, 3, 4, 5]


def test_rfm_default_as_of_is_last_order_and_mean_monetary(tx):
    r = rfm(tx, monetary="mean")
    assert r.loc["A", "recency"] == 0  # 2024-07-05 is the latest date
    assert r.loc["A", "frequency"] == 3
    assert r.loc["A", "monetary"] == pytest.approx((30 + 10 + 99) / 3, abs=1e-12)
    assert r.loc["B", "recency"] == 6


def test_rfm_order_ids_and_row_order_do_not_matter(tx):
    tx2 = tx.assign(order_id=[f"O{i}" for i in range(len(tx))])
    a = rfm(tx2, order="order_id", as_of="2024-06-30")
    b = rfm(tx2.sample(frac=1.0, random_state=3), order="order_id", as_of="2024-06-30")
    pd.testing.assert_frame_equal(a, b)


def test_rfm_accepts_datetime_dates_custom_names_and_format(tx):
    t = tx.rename(columns={"customer_id": "cust", "date": "when", "amount": "keur"})
    t["when"] = pd.to_datetime(t["when"])
    a = rfm(t, customer="cust", date="when", amount="keur", as_of=pd.Timestamp("2024-06-30"))
    assert a.index.name == "cust"
    t2 = tx.assign(date=pd.to_datetime(tx["date"]).dt.strftime("%d/%m/%Y"))
    b = rfm(t2, date_format="%d/%m/%Y", as_of="2024-06-30")
    assert a["rfm_cell"].tolist() == b["rfm_cell"].tolist() == ["433", "521", "245", "154", "322"]  # as hand-computed


def test_rfm_bins_three_and_segment_grid_is_complete():
    assert len(RFM_SEGMENTS) == 9
    t = pd.DataFrame({"customer_id": list("abcdef"), "date": pd.date_range("2024-01-01", periods=6, freq="MS"),
                      "amount": [1.0, 2, 3, 4, 5, 6]})
    r = rfm(t, bins=3)
    # 6 customers, 3 bins, no ties in recency: two per score
    assert r["r_score"].tolist() == [1, 1, 2, 2, 3, 3]
    assert r["rfm_cell"].str.len().eq(3).all()


def test_rfm_listwise_drops_incomplete_rows(tx):
    t = tx.copy()
    t.loc[0, "amount"] = np.nan
    r = rfm(t, as_of="2024-06-30", nan_policy="listwise")
    assert r.loc["A", "frequency"] == 1
    assert r.loc["A", "monetary"] == 10.0 and r.loc["A", "first_order"] == pd.Timestamp("2024-06-20")
    assert r["frequency"].tolist() == [1, 1, 3, 4, 1]  # the other customers are unaffected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 200), st.integers(0, 10_000)),
        min_size=1,
        max_size=60,
    ),
    st.integers(2, 7),
)
def test_rfm_scores_bounded_and_monotone(rows, bins):
    t = pd.DataFrame(
        {
            "customer_id": [f"C{c:02d}" for c, _, _ in rows],
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta([d for _, d, _ in rows], unit="D"),
            "amount": [a / 100 for _, _, a in rows],
            "order_id": range(len(rows)),
        }
    )
    r = rfm(t, order="order_id", bins=bins)
    for s, v, sign in (("r_score", "recency", -1), ("f_score", "frequency", 1), ("m_score", "monetary", 1)):
        assert r[s].between(1, bins).all()
        # a better value never gets a lower score; equal values get equal scores
        ordered = r.sort_values(v)[[v, s]].to_numpy()
        diffs = np.diff(ordered[:, 1]) * sign
        assert (diffs >= 0).all()
        assert r.groupby(v)[s].nunique().max() == 1
    assert (r["rfm_score"] == r["r_score"] + r["f_score"] + r["m_score"]).all()
    assert set(r["segment"]) <= set(RFM_SEGMENTS.values())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(2, 6))
def test_rfm_equal_groups_without_ties(k, bins):
    n = k * bins
    t = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)],
                      "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="D"),
                      "amount": np.arange(1, n + 1, dtype=float)})
    r = rfm(t, bins=bins)
    assert (r["m_score"].value_counts() == k).all()
    assert (r["r_score"].value_counts() == k).all()


def test_rfm_on_packaged_log_covers_every_surveyed_customer():
    tx = csl_stats.datasets.load_transactions()
    survey = csl_stats.load_supply_chain_survey()
    r = rfm(tx, as_of=csl_stats.datasets.SURVEY_DATE, order="order_id")
    assert len(r) == len(survey)
    assert set(r.index) == set(survey["customer_id"])
    assert r["recency"].min() >= 0


# ----------------------------------------------------------------------------- RFM errors
def test_rfm_rejects_unparseable_dates_naming_rows_and_values(tx):
    t = tx.copy()
    t.loc[3, "date"] = "2024-13-45"
    t.loc[7, "date"] = "yesterday"
    with pytest.raises(DataError, match=r"could not be parsed.*'2024-13-45', 'yesterday'.*row\(s\) \[3, 7\]"):
        rfm(t)


def test_rfm_rejects_numeric_dates(tx):
    with pytest.raises(DataError, match="holds numbers"):
        rfm(tx.assign(date=np.arange(len(tx))))


def test_rfm_rejects_negative_and_text_amounts(tx):
    with pytest.raises(DataError, match=r"negative value\(s\) \[-5.0\] in row\(s\) \[4\]"):
        rfm(tx.assign(amount=tx["amount"].where(tx.index != 4, -5.0)))
    with pytest.raises(DataError, match="must be numeric"):
        rfm(tx.assign(amount=tx["amount"].astype(str)))
    with pytest.raises(DataError, match="infinite"):
        rfm(tx.assign(amount=tx["amount"].where(tx.index != 1, np.inf)))


def test_rfm_rejects_duplicated_order_ids(tx):
    t = tx.assign(order_id=[f"O{i}" for i in range(len(tx))])
    t.loc[5, "order_id"] = "O2"
    with pytest.raises(DataError, match=r"order id column 'order_id' must be unique.*\['O2'\]"):
        rfm(t, order="order_id")


def test_rfm_rejects_exact_duplicate_rows(tx):
    t = pd.concat([tx, tx.iloc[[2]]], ignore_index=True)
    with pytest.raises(DataError, match="exact duplicates"):
        rfm(t)


def test_rfm_rejects_unknown_columns_and_role_clash(tx):
    with pytest.raises(ColumnNotFoundError, match=r"not found.*'custmer' \(did you mean 'customer_id'\?\)"):
        rfm(tx, customer="custmer")
    with pytest.raises(DuplicateColumnError, match="both as customer and as amount"):
        rfm(tx, amount="customer_id")


def test_rfm_missing_values_raise_by_default(tx):
    t = tx.copy()
    t.loc[2, "customer_id"] = None
    with pytest.raises(InsufficientDataError, match="missing values found"):
        rfm(t)


def test_rfm_argument_errors(tx):
    with pytest.raises(ArgumentTypeError, match="must be a pandas DataFrame"):
        rfm(tx.to_dict())
    with pytest.raises(ArgumentError, match="bins must be >= 2"):
        rfm(tx, bins=1)
    with pytest.raises(ArgumentError, match="monetary must be one of"):
        rfm(tx, monetary="median")
    with pytest.raises(ArgumentError, match="ties must be one of"):
        rfm(tx, ties="random")
    with pytest.raises(ArgumentError, match="as_of must be a date"):
        rfm(tx, as_of="not a date")
    with pytest.raises(ArgumentTypeError, match="as_of must be a date"):
        rfm(tx, as_of=20240630)
    with pytest.raises(InsufficientDataError, match="no orders on or before as_of=2023-12-31"):
        rfm(tx, as_of="2023-12-31")


# ----------------------------------------------------------------------------- retention
@pytest.fixture
def log() -> pd.DataFrame:
    rows = [
        ("A", "2024-01-15"), ("B", "2024-02-01"), ("B", "2024-02-20"),  # Q1: A, B
        ("A", "2024-04-02"), ("C", "2024-05-05"),  # Q2: A, C
        ("B", "2024-08-01"), ("C", "2024-09-09"),  # Q3: B, C
        # Q4: nobody
        ("C", "2025-01-10"), ("D", "2025-02-02"),  # 2025Q1: C, D
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date"])


def test_retention_hand_computed(log):
    r = retention(log, period="Q")
    assert [str(p) for p in r.index] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert r["active"].tolist() == [2, 2, 2, 0, 2]
    assert r["orders"].tolist() == [3, 2, 2, 0, 2]
    assert r["new"].tolist() == [2, 1, 0, 0, 1]
    assert r["returning"].tolist() == [0, 1, 2, 0, 1]
    assert r["retained"].tolist() == [0, 1, 1, 0, 0]
    assert r["lapsed"].tolist() == [0, 1, 1, 2, 0]
    np.testing.assert_allclose(r["retention_rate"], [np.nan, 0.5, 0.5, 0.0, np.nan])
    np.testing.assert_allclose(r["repeat_rate"], [0.0, 0.5, 1.0, np.nan, 0.5])


def test_retention_aliases_window_and_years(log):
    pd.testing.assert_frame_equal(retention(log, period="QE"), retention(log, period="Q"))
    y = retention(log, period="Y")
    assert y["active"].tolist() == [3, 2]
    assert y["retained"].tolist() == [0, 1]  # only C buys in both years
    assert y["retention_rate"].iloc[1] == pytest.approx(1 / 3, abs=1e-12)
    w = retention(log, period="M", start="2024-04-01", end="2024-09-30")
    assert [str(p) for p in w.index] == ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09"]
    assert w["active"].tolist() == [1, 1, 0, 0, 1, 1]  # A, C, -, -, B, C
    assert w["orders"].tolist() == [1, 1, 0, 0, 1, 1]


def test_retention_by_cohort_hand_computed(log):
    c = retention(log, period="Q", by_cohort=True)
    # cohorts: A, B -> 2024Q1; C -> 2024Q2; D -> 2025Q1
    assert [str(p) for p in c.index] == ["2024Q1", "2024Q2", "2025Q1"]
    assert c["size"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(c.loc[c.index[0], [0, 1, 2, 3, 4]].to_numpy(dtype=float), [1, 0.5, 0.5, 0, 0])
    np.testing.assert_allclose(c.loc[c.index[1], [0, 1, 2, 3]].to_numpy(dtype=float), [1, 1, 0, 1])
    assert np.isnan(c.loc[c.index[1], 4])  # not observed yet
    assert np.isnan(c.loc[c.index[2], 1])


def test_retention_on_packaged_log_reflects_churn():
    tx = csl_stats.datasets.load_transactions()
    r = retention(tx, period="Q", order="order_id")
    assert len(r) == 8
    assert r["retention_rate"].iloc[1:].between(0.8, 1.0).all()
    assert r["active"].iloc[-1] < r["active"].iloc[4]  # churners stop ordering after the survey


def test_retention_errors(log):
    with pytest.raises(ArgumentError, match="period must be one of"):
        retention(log, period="D")
    with pytest.raises(ArgumentError, match="start .* is after end"):
        retention(log, start="2024-12-01", end="2024-01-01")
    with pytest.raises(InsufficientDataError, match="no orders between start and end"):
        retention(log, start="2030-01-01")
    with pytest.raises(ArgumentTypeError, match="by_cohort must be True or False"):
        retention(log, by_cohort="yes")
    with pytest.raises(DataError, match=r"'2024-02-31'.*row\(s\) \[2\]"):
        retention(log.assign(date=log["date"].where(log.index != 2, "2024-02-31")))
    with pytest.raises(DataError, match="must be unique"):
        retention(log.assign(order_id=[1, 2, 3, 4, 5, 6, 7, 8, 1]), order="order_id")
    with pytest.raises(ColumnNotFoundError, match="not found.*'day'"):
        retention(log, date="day")


def test_rfm_with_times_of_day_counts_calendar_days():
    t = pd.DataFrame({"customer_id": ["A", "A", "B"],
                      "date": pd.to_datetime(["2024-06-01 09:00", "2024-06-30 17:45", "2024-06-29 23:59"]),
                      "amount": [1.0, 2.0, 3.0]})
    r = rfm(t, as_of="2024-06-30")  # a date: the whole day 30 June counts
    assert r["recency"].tolist() == [0, 1]
    assert r["frequency"].tolist() == [2, 1]
    r = rfm(t, as_of="2024-06-30 12:00")  # a time: the 17:45 order is later
    assert r["recency"].tolist() == [29, 1]
    assert r["frequency"].tolist() == [1, 1]
