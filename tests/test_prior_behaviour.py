"""Tests for the prior-period behaviour data set (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.datasets import (
    SURVEY_DATE,
    codebook,
    load_prior_behaviour,
    load_supply_chain_survey,
    load_transactions,
    simulate_prior_behaviour,
)
from csl_stats.datasets._prior import prior_behaviour_csv_text
from csl_stats.datasets._survey import survey_csv_text
from csl_stats.datasets._transactions import transactions_csv_text

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "csl_stats" / "datasets" / "data"


@pytest.fixture(scope="module")
def prior() -> pd.DataFrame:
    return load_prior_behaviour()


@pytest.fixture(scope="module")
def simulated():
    return simulate_prior_behaviour()


def test_file_regenerates_exactly_and_other_files_are_unchanged(prior, simulated):
    assert prior_behaviour_csv_text(simulated[0]).encode("utf-8") == (PKG / "prior_behaviour.csv").read_bytes()
    assert (PKG / "prior_behaviour.csv").read_bytes() == (ROOT / "data" / "prior_behaviour.csv").read_bytes()
    pd.testing.assert_frame_equal(prior, simulated[0])
    # the replay of the survey and of the order log must not have changed them
    assert survey_csv_text().encode("utf-8") == (PKG / "supply_chain_survey.csv").read_bytes()
    assert transactions_csv_text().encode("utf-8") == (PKG / "transactions.csv").read_bytes()


def test_top_level_loader_and_codebook(prior):
    assert csl_stats.load_prior_behaviour().equals(prior)
    cb = codebook("prior_behaviour")
    assert cb["name"].tolist() == list(prior.columns)
    header = (ROOT / "data" / "prior_behaviour.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(prior.columns)
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert "prior_behaviour" in [r["name"] for r in package["resources"]]


def test_agrees_exactly_with_the_order_log(prior):
    survey = load_supply_chain_survey()
    assert prior["customer_id"].tolist() == survey["customer_id"].tolist()
    tx = load_transactions()
    before = tx[tx["date"] <= pd.Timestamp(SURVEY_DATE)]
    g = before.groupby("customer_id")
    p = prior.set_index("customer_id")
    np.testing.assert_array_equal(p["orders_prior_12m"], g.size().reindex(p.index))
    units = (before.assign(u=np.round(before["amount"] * 1000).astype(np.int64)).groupby("customer_id")["u"].sum())
    np.testing.assert_array_equal(np.round(p["revenue_prior_12m"] * 1000).astype(np.int64), units.reindex(p.index))
    assert (p["last_order_prior"] == g["date"].max().reindex(p.index)).all()
    assert ((pd.Timestamp(SURVEY_DATE) - p["last_order_prior"]).dt.days == p["recency_days"]).all()
    assert prior.notna().all().all()
    assert prior["share_of_wallet_prior"].between(0, 1).all()


def test_prior_share_of_wallet_follows_latent_loyalty_and_predicts_later_behaviour(prior, simulated):
    _, truth = simulated
    sow = prior["share_of_wallet_prior"].to_numpy()
    assert np.corrcoef(sow, truth["loy"])[0, 1] > 0.35
    assert np.corrcoef(sow, truth["swc"])[0, 1] > 0.15
    survey = load_supply_chain_survey()
    later = survey["share_of_wallet"].to_numpy()
    ok = ~np.isnan(later) & (survey["churned"].to_numpy() == 0)
    r = np.corrcoef(sow[ok], later[ok])[0, 1]
    assert 0.2 < r < 0.8  # same drivers, independent noise
    # customers who churn later had a lower share of wallet before
    churned = survey["churned"].to_numpy() == 1
    assert sow[churned].mean() < sow[~churned].mean() - 0.1


def test_truth_churn_dates(simulated):
    _, truth = simulated
    survey = load_supply_chain_survey()
    churned = survey["churned"].to_numpy() == 1
    assert truth["churn_date"].notna().to_numpy().tolist() == churned.tolist()
    t0 = pd.Timestamp(SURVEY_DATE)
    drifted = churned & (survey["orders_12m"].to_numpy() == 0)
    assert (truth.loc[drifted, "churn_date"] <= t0).all()
    assert (truth.loc[churned & ~drifted, "churn_date"] > t0).all()


def test_small_simulation_is_deterministic_and_seeds_are_separate():
    a, _ = simulate_prior_behaviour(40, survey_rng=1, transactions_rng=2, rng=3)
    b, _ = simulate_prior_behaviour(40, survey_rng=1, transactions_rng=2, rng=3)
    c, _ = simulate_prior_behaviour(40, survey_rng=1, transactions_rng=2, rng=4)
    pd.testing.assert_frame_equal(a, b)
    # only the share of wallet depends on the prior seed
    pd.testing.assert_frame_equal(a.drop(columns="share_of_wallet_prior"), c.drop(columns="share_of_wallet_prior"))
    assert not np.array_equal(a["share_of_wallet_prior"], c["share_of_wallet_prior"])
