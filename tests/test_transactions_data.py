"""Tests for the simulated order log and supplier panel (csl_stats.datasets)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csl_stats.datasets import (
    SUPPLIER_CRITERIA,
    SUPPLIERS_SEED,
    SURVEY_DATE,
    TRANSACTIONS_SEED,
    codebook,
    load_suppliers,
    load_supply_chain_survey,
    load_transactions,
    simulate_suppliers,
    simulate_transactions,
)
from csl_stats.datasets._suppliers import suppliers_csv_text
from csl_stats.datasets._transactions import transactions_csv_text
from csl_stats.errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError, DataError

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "csl_stats" / "datasets" / "data"
UNIT = 1000  # amounts are whole euros; revenue_12m is stored with one decimal (100 euros)


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return load_supply_chain_survey()


@pytest.fixture(scope="module")
def tx() -> pd.DataFrame:
    return load_transactions()


def _after(tx: pd.DataFrame) -> pd.DataFrame:
    return tx[tx["date"] > pd.Timestamp(SURVEY_DATE)]


# ----------------------------------------------------------------------------- packaged files
@pytest.mark.parametrize("name", ["transactions.csv", "suppliers.csv"])
def test_package_and_repository_copies_are_byte_identical(name):
    assert (PKG / name).read_bytes() == (ROOT / "data" / name).read_bytes()


def test_transactions_file_regenerates_exactly_from_the_committed_survey(tx):
    """`simulate_transactions(load_supply_chain_survey(), rng=TRANSACTIONS_SEED)` gives the file byte for byte."""
    assert transactions_csv_text().encode("utf-8") == (PKG / "transactions.csv").read_bytes()
    again = simulate_transactions(load_supply_chain_survey(), rng=TRANSACTIONS_SEED)
    pd.testing.assert_frame_equal(tx, again)


def test_suppliers_file_regenerates_exactly():
    assert suppliers_csv_text().encode("utf-8") == (PKG / "suppliers.csv").read_bytes()
    pd.testing.assert_frame_equal(load_suppliers(), simulate_suppliers(15, rng=SUPPLIERS_SEED))


def test_datapackage_describes_both_files():
    for folder in (PKG, ROOT / "data"):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        resources = {r["name"]: r for r in package["resources"]}
        for name, path in (("transactions", "transactions.csv"), ("suppliers", "suppliers.csv")):
            header = (folder / path).read_text(encoding="utf-8").splitlines()[0].split(",")
            assert [f["name"] for f in resources[name]["schema"]["fields"]] == header
    cb = codebook("suppliers")
    assert cb.set_index("name").loc[list(SUPPLIER_CRITERIA), "construct"].eq("criterion").all()
    assert codebook("transactions")["name"].tolist() == ["order_id", "customer_id", "date", "amount"]


# ----------------------------------------------------------------------------- consistency with the survey
def test_log_structure(tx, survey):
    assert list(tx.columns) == ["order_id", "customer_id", "date", "amount"]
    assert tx["order_id"].is_unique
    assert tx["date"].is_monotonic_increasing
    assert tx["date"].min() >= pd.Timestamp("2024-01-01")
    assert tx["date"].max() <= pd.Timestamp("2025-12-31")
    assert (tx["amount"] >= 0).all()
    assert set(tx["customer_id"]) == set(survey["customer_id"])
    units = tx["amount"].to_numpy() * UNIT
    np.testing.assert_allclose(units, np.round(units), rtol=0, atol=1e-6)  # whole euros


def test_orders_after_the_survey_reproduce_orders_12m_and_revenue_12m_exactly(tx, survey):
    after = _after(tx).groupby("customer_id")["amount"].agg(n="size", units=lambda a: int(np.round(a * UNIT).sum()))
    s = survey.set_index("customer_id").join(after).fillna({"n": 0, "units": 0})
    assert (s["n"].astype(int) == s["orders_12m"]).all()
    known = s["revenue_12m"].notna()
    assert known.sum() > 900
    # exact in whole euros: revenue_12m (one decimal, kEUR) = a multiple of 100 euros
    assert (s.loc[known, "units"].astype(np.int64) == np.round(s.loc[known, "revenue_12m"] * UNIT).astype(np.int64)).all()
    # customers without orders after the survey have no revenue either
    assert (s.loc[s["orders_12m"] == 0, "units"] == 0).all()


def test_churned_customers_stop_ordering(tx, survey):
    after = _after(tx)
    last = after.groupby("customer_id")["date"].max()
    churned = survey.loc[survey["churned"] == 1, "customer_id"]
    stayed = survey.loc[(survey["churned"] == 0) & (survey["orders_12m"] >= 12), "customer_id"]
    cutoff = pd.Timestamp(SURVEY_DATE) + pd.Timedelta(days=int(0.9 * 365) + 1)
    assert (last.reindex(churned).dropna() <= cutoff).all()
    # customers who stay and order at least monthly order in the last month of the year too
    assert (last.reindex(stayed) > pd.Timestamp("2025-11-30")).all()


def test_every_surveyed_customer_bought_before_the_survey(tx, survey):
    before = tx[tx["date"] <= pd.Timestamp(SURVEY_DATE)]
    assert set(before["customer_id"]) == set(survey["customer_id"])


def test_history_before_the_survey_tracks_later_orders(tx, survey):
    before = tx[tx["date"] <= pd.Timestamp(SURVEY_DATE)].groupby("customer_id").size()
    s = survey.set_index("customer_id")
    stay = s["churned"] == 0
    r = np.corrcoef(np.log1p(before.reindex(s.index)[stay]), np.log1p(s.loc[stay, "orders_12m"]))[0, 1]
    assert r > 0.9


# ----------------------------------------------------------------------------- simulator on small inputs
@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "orders_12m": [3, 0, 5, 1],
            "revenue_12m": [12.5, 0.0, np.nan, 0.3],
            "churned": [0, 1, 1, 0],
            "size": ["small", "small", "large", "large"],
        }
    )


def test_simulate_small_survey_consistency_and_determinism(small):
    before = small.copy()
    a = simulate_transactions(small, rng=7)
    pd.testing.assert_frame_equal(small, before)
    pd.testing.assert_frame_equal(a, simulate_transactions(small, rng=np.random.default_rng(7)))
    assert not a.equals(simulate_transactions(small, rng=8))
    after = _after(a).groupby("customer_id")["amount"]
    assert after.size().to_dict() == {"C1": 3, "C3": 5, "C4": 1}
    assert after.sum().round(3).to_dict()["C1"] == 12.5
    assert after.sum().round(3).to_dict()["C4"] == 0.3
    assert (a.groupby("customer_id")["date"].min() <= pd.Timestamp(SURVEY_DATE)).all()


def test_simulate_with_another_survey_date(small):
    a = simulate_transactions(small, rng=1, survey_date="2023-06-30")
    assert a["date"].min() >= pd.Timestamp("2022-07-01")
    assert a["date"].max() <= pd.Timestamp("2024-06-30")


def test_simulate_errors(small):
    with pytest.raises(DataError, match=r"customer_id must be unique; duplicated ids \['C1'\]"):
        simulate_transactions(small.assign(customer_id=["C1", "C1", "C3", "C4"]))
    with pytest.raises(ColumnNotFoundError, match="churned"):
        simulate_transactions(small.drop(columns="churned"))
    with pytest.raises(DataError, match=r"revenue_12m > 0 with orders_12m = 0.*\['C2'\]"):
        simulate_transactions(small.assign(revenue_12m=[12.5, 4.0, 1.0, 0.3]))
    with pytest.raises(DataError, match="revenue_12m must be >= 0"):
        simulate_transactions(small.assign(revenue_12m=[12.5, 0.0, -1.0, 0.3]))
    with pytest.raises(DataError, match="orders_12m must be whole numbers"):
        simulate_transactions(small.assign(orders_12m=[3, 0, 2.5, 1]))
    with pytest.raises(DataError, match="churned must be 0/1"):
        simulate_transactions(small.assign(churned=[0, 2, 1, 0]))
    with pytest.raises(DataError, match="customer_id is missing"):
        simulate_transactions(small.assign(customer_id=["C1", None, "C3", "C4"]))
    with pytest.raises(ArgumentError, match="survey_date must be a date"):
        simulate_transactions(small, survey_date="soon")
    with pytest.raises(ArgumentTypeError, match="must be a pandas DataFrame"):
        simulate_transactions(small.to_dict())


# ----------------------------------------------------------------------------- suppliers
def test_simulate_suppliers_ranges_and_errors():
    d = simulate_suppliers(40, rng=3)
    assert d["supplier"].is_unique and d.shape == (40, 10)
    for c in ("technology", "service", "continuity", "global_support"):
        assert d[c].between(0, 100).all()
    assert d["on_time_delivery"].between(80, 99.9).all()
    assert (d["defects_ppm"] >= 0).all() and (d["cost_index"] > 0).all()
    pd.testing.assert_frame_equal(simulate_suppliers(5, rng=9), simulate_suppliers(5, rng=9))
    with pytest.raises(ArgumentError, match="n must be >= 2"):
        simulate_suppliers(1)
    with pytest.raises(ArgumentError, match="at most 99"):
        simulate_suppliers(100)
