"""The customer frame, fieldwork log and wave-2 data (csl_stats.datasets, issue 21)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csl_stats.datasets import (
    DISPOSITIONS,
    FRAME_COUNTS,
    WAVES_SEED,
    codebook,
    load_customer_frame,
    load_supply_chain_survey,
    load_survey_fieldwork,
    load_survey_wave2,
    simulate_survey_waves,
    survey_waves_truth,
)
from csl_stats.datasets._waves import fieldwork_csv_text, frame_csv_text, wave2_csv_text
from csl_stats.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "csl_stats" / "datasets" / "data"
FILES = {"customer_frame.csv": frame_csv_text, "survey_fieldwork.csv": fieldwork_csv_text,
         "survey_wave2.csv": wave2_csv_text}


@pytest.fixture(scope="module")
def loaded():
    return load_customer_frame(), load_survey_fieldwork(), load_survey_wave2()


@pytest.mark.parametrize("name", sorted(FILES))
def test_files_regenerate_exactly_and_copies_agree(name):
    text = FILES[name]()
    assert text.encode("utf-8") == (PKG / name).read_bytes()
    assert (PKG / name).read_bytes() == (ROOT / "data" / name).read_bytes()


def test_loaders_equal_simulation(loaded):
    sim = simulate_survey_waves(load_supply_chain_survey(), rng=WAVES_SEED)
    for a, b in zip(loaded, sim, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_frame_counts_and_wave1_consistency(loaded):
    frame, fw, _ = loaded
    survey = load_supply_chain_survey()
    counts = frame.groupby(["region", "size"]).size().unstack()
    pd.testing.assert_frame_equal(counts, FRAME_COUNTS.loc[counts.index, counts.columns], check_names=False,
                                  check_dtype=False)
    assert frame["customer_id"].is_unique
    merged = survey.merge(frame, on="customer_id", suffixes=("", "_f"))
    assert len(merged) == 1000
    assert (merged["region"] == merged["region_f"]).all() and (merged["size"] == merged["size_f"]).all()
    w1 = fw[fw["wave"] == 1]
    assert set(w1.loc[w1["disposition"] == "complete", "customer_id"]) == set(survey["customer_id"])
    assert set(fw["disposition"]) <= set(DISPOSITIONS)
    # the sampling plan: all large accounts, 60 % of medium, 50 % of small accounts, in each wave
    inv = fw.groupby(["wave", "size"]).size().unstack()
    assert inv["large"].tolist() == [400, 400]
    assert inv["medium"].tolist() == [720, 720] and inv["small"].tolist() == [1500, 1500]


def test_wave2_structure(loaded):
    frame, fw, w2 = loaded
    w2c = fw[(fw["wave"] == 2) & (fw["disposition"] == "complete")]
    assert set(w2c["customer_id"]) == set(w2["customer_id"])
    assert w2[["sat1", "sat2", "sat3"]].stack().dropna().between(1, 7).all()
    assert w2["recommend"].dropna().between(0, 10).all()
    overlap = w2["customer_id"].isin(load_supply_chain_survey()["customer_id"]).sum()
    assert overlap == 554
    # the panel: every wave-1 respondent was invited again
    w2_inv = fw.loc[fw["wave"] == 2, "customer_id"]
    assert load_supply_chain_survey()["customer_id"].isin(w2_inv).all()
    # response depends on size: large accounts respond more than small ones
    rr = (fw[fw["wave"] == 2].assign(c=lambda d: d["disposition"] == "complete").groupby("size")["c"].mean())
    assert rr["large"] > rr["small"] + 0.15


def test_truth_and_large_sample_agreement():
    truth = survey_waves_truth()
    assert truth["change"] == pytest.approx(truth["nps_wave2"] - truth["nps_wave1"])
    assert 4 < truth["change"] < 9


def test_codebook_lists_the_new_files(loaded):
    for name, df in zip(("customer_frame", "survey_fieldwork", "survey_wave2"), loaded, strict=True):
        assert codebook(name)["name"].tolist() == list(df.columns)
    for folder in (PKG, ROOT / "data"):
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        assert {"customer_frame", "survey_fieldwork", "survey_wave2"} <= {r["name"] for r in package["resources"]}


def test_bad_survey_input():
    survey = load_supply_chain_survey()
    with pytest.raises(ArgumentError, match="lacks column"):
        simulate_survey_waves(survey.drop(columns="recommend"), rng=1)
    big = pd.concat([survey] * 5, ignore_index=True)
    big["customer_id"] = [f"C{i:05d}" for i in range(len(big))]
    with pytest.raises(ArgumentError, match="accounts in the frame|invitations"):
        simulate_survey_waves(big, rng=1)


def test_determinism_and_rng():
    survey = load_supply_chain_survey()
    a = simulate_survey_waves(survey, rng=5)[2]
    b = simulate_survey_waves(survey, rng=np.random.default_rng(5))[2]
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(simulate_survey_waves(survey, rng=6)[2])
