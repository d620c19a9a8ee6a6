"""Response rates and wave tracking (csl_stats.waves).

The paired change test is compared with R's survey package (tests/reference/survey.R on
tests/reference/survey_waves_data.csv); response rates with hand-computed AAPOR formulas.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.datasets import load_supply_chain_survey, load_survey_fieldwork
from csl_stats.errors import ArgumentError, ArgumentTypeError

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "survey_reference.json").read_text())


@pytest.fixture(scope="module")
def waves():
    wv = pd.read_csv(REF_DIR / "survey_waves_data.csv")
    d1 = csl_stats.survey_design(wv[wv.wave == 1], strata="size", weights="w")
    d2 = csl_stats.survey_design(wv[wv.wave == 2], strata="size", weights="w")
    return {"2024": d1, "2025": d2}


@pytest.mark.parametrize("col, statistic, key", [("recommend", "nps", "nps"), ("sat1", "mean", "sat1")])
def test_paired_change_against_R(waves, col, statistic, key):
    """R: des_w <- svydesign(ids=~customer_id, strata=~size, weights=~w, data=stacked);
    b <- svyby(~nps, ~wave, subset(des_w, !is.na(nps)), svymean, covmat=TRUE); svycontrast(b, c(-1, 1))."""
    ref = REF["waves"][key]
    res = csl_stats.track_waves(waves, col, statistic=statistic, id="customer_id")
    np.testing.assert_allclose(res.table["estimate"], ref["estimate"], rtol=1e-6)
    row = res.changes.iloc[0]
    assert row["change"] == pytest.approx(ref["change"], rel=1e-6)
    assert row["se"] == pytest.approx(ref["change_se"], rel=1e-6)
    assert row["method"] == "paired" and row["n_common"] == 554


@pytest.mark.parametrize("col, statistic, key", [("recommend", "nps", "nps"), ("sat1", "mean", "sat1")])
def test_paired_change_with_fpc_against_R(col, statistic, key):
    """R: svydesign(ids=~customer_id, strata=~size, weights=~w, fpc=~N, data=stacked); svyby(..., covmat=TRUE);
    svycontrast(b, c(-1, 1)): the fpc uses the customers of either wave."""
    wv = pd.read_csv(REF_DIR / "survey_waves_data.csv")
    d = {k: csl_stats.survey_design(wv[wv.wave == k], strata="size", weights="w", fpc="N") for k in (1, 2)}
    row = csl_stats.track_waves(d, col, statistic=statistic, id="customer_id").changes.iloc[0]
    ref = REF["waves_fpc"][key]
    assert row["change"] == pytest.approx(ref["change"], rel=1e-6)
    assert row["se"] == pytest.approx(ref["change_se"], rel=1e-6)
    # fpc=False ignores the population sizes: R's stacked design without fpc
    no_fpc = csl_stats.track_waves(d, col, statistic=statistic, id="customer_id", fpc=False).changes.iloc[0]
    assert no_fpc["se"] == pytest.approx(REF["waves"][key]["change_se"], rel=1e-6)


def test_independent_change_uses_the_sum_of_variances(waves):
    res = csl_stats.track_waves(waves, "recommend")
    se1 = waves["2024"].nps("recommend").se
    se2 = waves["2025"].nps("recommend").se
    row = res.changes.iloc[0]
    assert row["se"] == pytest.approx(np.hypot(se1, se2))
    assert row["p_value"] == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(abs(row["change"]) / row["se"])))
    assert row["method"] == "independent"
    # repeat customers answer alike, so the paired SE is smaller
    paired = csl_stats.track_waves(waves, "recommend", id="customer_id").changes.iloc[0]
    assert paired["se"] < row["se"]


def test_three_waves_and_raked_designs(waves):
    rk = {k: d.rake({"size": {"small": 3000, "medium": 1200, "large": 400}}) for k, d in waves.items()}
    res = csl_stats.track_waves({**rk, "2026": rk["2025"]}, "sat1", statistic="top_box", scale=(1, 7))
    assert list(res.changes.index) == ["2024 -> 2025", "2025 -> 2026"]
    assert res.changes["change"].iloc[1] == 0
    assert "change" in res.summary().columns


def test_track_waves_errors(waves):
    with pytest.raises(ArgumentTypeError, match="at least two waves"):
        csl_stats.track_waves({"a": waves["2024"]}, "recommend")
    with pytest.raises(ArgumentTypeError, match="not a SurveyDesign"):
        csl_stats.track_waves({"a": waves["2024"], "b": pd.DataFrame()}, "recommend")
    wv = pd.read_csv(REF_DIR / "survey_waves_data.csv")
    other = csl_stats.survey_design(wv[wv.wave == 2], strata="region", weights="w")
    with pytest.raises(ArgumentError, match="different strata"):
        csl_stats.track_waves({"a": waves["2024"], "b": other}, "recommend", id="customer_id")


def test_response_rates_hand_computed():
    sample = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(10)],
        "size": ["small"] * 6 + ["large"] * 4,
        "disp": ["complete", "complete", "refusal", "non_contact", "unknown_eligibility", "ineligible",
                 "complete", "complete", "partial", "other"],
    })
    res = csl_stats.response_rates(sample, by="size", disposition="disp")
    t = res.to_frame()
    # overall: I=4, P=1, R=1, NC=1, O=1, U=1, NE=1; e = 8 / 9
    e = 8 / 9
    assert res.e == pytest.approx(e)
    assert t.loc["all", "RR1"] == pytest.approx(4 / 9)
    assert t.loc["all", "RR2"] == pytest.approx(5 / 9)
    assert t.loc["all", "RR3"] == pytest.approx(4 / (8 + e))
    assert t.loc["all", "COOP1"] == pytest.approx(4 / 7)
    assert t.loc["all", "REF1"] == pytest.approx(1 / 9)
    assert t.loc["all", "CON1"] == pytest.approx(7 / 9)
    assert t.loc["small", "RR1"] == pytest.approx(2 / 5) and t.loc["large", "RR1"] == pytest.approx(2 / 4)
    assert "R-indicator" in res.note and 0 < res.r_indicator <= 1


def test_response_rates_from_respondents_match_dispositions():
    fw = load_survey_fieldwork()
    w1 = fw[fw.wave == 1]
    survey = load_supply_chain_survey()
    by_resp = csl_stats.response_rates(w1, survey, by="size")
    by_disp = csl_stats.response_rates(w1, by="size", disposition="disposition")
    assert (by_resp.to_frame()["complete"] == by_disp.to_frame()["complete"]).all()
    assert by_resp.rr1 == pytest.approx(1000 / len(w1))
    assert by_disp.rr1 < by_disp.to_frame().loc["all", "RR3"]
    assert "unevenly" in by_disp.note


def test_response_rates_errors():
    fw = load_survey_fieldwork()
    w1 = fw[fw.wave == 1]
    with pytest.raises(ArgumentError, match="either respondents"):
        csl_stats.response_rates(w1)
    with pytest.raises(ArgumentError, match="unknown codes"):
        csl_stats.response_rates(w1.assign(disposition="done"), disposition="disposition")
    with pytest.raises(ArgumentError, match="not in the invited sample"):
        csl_stats.response_rates(w1.iloc[:10], load_supply_chain_survey())
    with pytest.raises(ArgumentError, match="duplicated ids"):
        csl_stats.response_rates(fw, disposition="disposition")


def test_r_indicator_by_hand():
    sample = pd.DataFrame({"customer_id": range(9), "seg": ["a"] * 5 + ["b"] * 4,
                           "disp": ["complete"] * 2 + ["refusal"] * 3 + ["complete"] * 2 + ["non_contact"] * 2})
    res = csl_stats.response_rates(sample, by="seg", disposition="disp")
    rho = np.array([0.4] * 5 + [0.5] * 4)
    assert res.r_indicator == pytest.approx(1 - 2 * rho.std(ddof=1))
    assert res.e == 1.0  # no ineligible case: every unknown case counts as eligible
