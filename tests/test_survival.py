"""Tests for csl_stats.survival and csl_stats.customer_lifetimes (issue 13).

Reference values come from R's survival package (tests/reference/survival.R, outputs in
tests/reference/survival.json) on a generated data set with tied times, weights and strata
(survival_data.csv) and on the survey customers' lifetimes from the order log (survival_survey.csv).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.datasets import SURVEY_DATE, load_transactions, simulate_prior_behaviour
from csl_stats.errors import (
    ArgumentError,
    ColumnNotFoundError,
    DataError,
    DateError,
    InconsistencyWarning,
    InsufficientDataError,
    SeparationWarning,
)

REF = Path(__file__).resolve().parent / "reference"
R = json.loads((REF / "survival.json").read_text())


def _arr(values) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in np.ravel(values)], dtype=float)


@pytest.fixture(scope="module")
def gen() -> pd.DataFrame:
    return pd.read_csv(REF / "survival_data.csv")


@pytest.fixture(scope="module")
def surv_survey() -> pd.DataFrame:
    d = pd.read_csv(REF / "survival_survey.csv")
    d["band"] = pd.Categorical(d["band"], categories=["low", "mid", "high"], ordered=True)
    return d


def _check_km(res, ref, atol=1e-6):
    km = res.km
    np.testing.assert_allclose(km["time"], _arr(ref["time"]), rtol=0, atol=0)
    np.testing.assert_allclose(km["survival"], _arr(ref["surv"]), rtol=0, atol=atol)
    np.testing.assert_allclose(km["at_risk"], _arr(ref["n_risk"]), rtol=0, atol=atol)
    np.testing.assert_allclose(km["events"], _arr(ref["n_event"]), rtol=0, atol=atol)
    lo, hi = _arr(ref["lower"]), _arr(ref["upper"])
    one = km["survival"].to_numpy() == 1.0  # R: NA (log-log) or 1; we report [1, 1]
    np.testing.assert_allclose(km["ci_low"].to_numpy()[~one], lo[~one], rtol=0, atol=atol)
    np.testing.assert_allclose(km["ci_high"].to_numpy()[~one], hi[~one], rtol=0, atol=atol)
    assert (km.loc[one, ["ci_low", "ci_high"]] == 1.0).all().all()


# ============================================================================ against R
@pytest.mark.parametrize("ci_method", ["log-log", "log"])
def test_kaplan_meier_and_medians_against_R(gen, ci_method):
    """survfit(Surv(time, event) ~ grp, conf.type = ci_method); quantile(fit, 0.5)."""
    res = csl_stats.survival(gen, "time", "event", groups="grp", ci_method=ci_method)
    _check_km(res, R["gen"]["km"][ci_method])
    med = R["gen"]["median"][ci_method]
    np.testing.assert_allclose(res.medians["median"], _arr(med["median"]), atol=1e-6)
    np.testing.assert_allclose(res.medians["ci_low"], _arr(med["lower"]), atol=1e-6)
    np.testing.assert_allclose(res.medians["ci_high"], _arr(med["upper"]), atol=1e-6)
    assert res.medians["n"].sum() == len(gen) and res.n_events == gen["event"].sum()


def test_kaplan_meier_overall_and_weighted_against_R(gen):
    """survfit(Surv(time, event) ~ 1); survfit(Surv(time, event) ~ grp, weights = w), log-log CIs."""
    res = csl_stats.survival(gen, "time", "event")
    _check_km(res, R["gen"]["km_all"])
    np.testing.assert_allclose(res.medians[["median", "ci_low", "ci_high"]].to_numpy().ravel(),
                               _arr([R["gen"]["median_all"][k] for k in ("median", "lower", "upper")]), atol=1e-6)
    resw = csl_stats.survival(gen, "time", "event", groups="grp", weights="w")
    _check_km(resw, R["gen"]["km_weighted"])


def test_logrank_and_trend_against_R(gen):
    """survdiff(Surv(time, event) ~ grp) [+ strata(st)]; trend = (s'(O-E))^2 / s'Vs with s = 1:3."""
    res = csl_stats.survival(gen, "time", "event", groups="grp", trend_scores=[1, 2, 3])
    np.testing.assert_allclose(res.logrank.loc["log-rank", "chisq"], R["gen"]["logrank"]["chisq"], rtol=1e-6)
    np.testing.assert_allclose(res.logrank.loc["trend", "chisq"], R["gen"]["logrank"]["trend"], rtol=1e-6)
    np.testing.assert_allclose(res.observed["observed"], _arr(R["gen"]["logrank"]["obs"]), rtol=1e-10)
    np.testing.assert_allclose(res.observed["expected"], _arr(R["gen"]["logrank"]["exp"]), rtol=1e-8)
    assert res.logrank.loc["log-rank", "df"] == 2 and res.logrank.loc["trend", "df"] == 1
    st = csl_stats.survival(gen, "time", "event", groups="grp", strata="st", trend_scores=[1, 2, 3])
    np.testing.assert_allclose(st.logrank.loc["log-rank", "chisq"], R["gen"]["logrank_strata"]["chisq"], rtol=1e-6)
    np.testing.assert_allclose(st.logrank.loc["trend", "chisq"], R["gen"]["logrank_strata"]["trend"], rtol=1e-6)
    # an ordered categorical gives the trend test with scores 1..G without trend_scores
    g = gen.assign(grp=pd.Categorical(gen["grp"], ["A", "B", "C"], ordered=True))
    auto = csl_stats.survival(g, "time", "event", groups="grp")
    np.testing.assert_allclose(auto.logrank.loc["trend", "chisq"], R["gen"]["logrank"]["trend"], rtol=1e-6)


def _check_cox(res, ref, se_rtol=1e-5, zph_rtol=1e-3):
    np.testing.assert_allclose(res.cox["coef"], _arr(ref["coef"]), rtol=1e-5)
    np.testing.assert_allclose(res.cox["se"], _arr(ref["se"]), rtol=se_rtol)
    np.testing.assert_allclose(res.concordance, ref["concordance"], rtol=1e-5)
    np.testing.assert_allclose(res.loglik, _arr(ref["loglik"]), rtol=1e-8)
    np.testing.assert_allclose(res.ph_test["chisq"], _arr(ref["zph_chisq"]), rtol=zph_rtol)
    np.testing.assert_array_equal(res.ph_test["df"], _arr(ref["zph_df"]))
    assert res.ph_test.index.tolist() == ref["zph_terms"]


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_against_R(gen, ties):
    """coxph(Surv(time, event) ~ x1 + x2 + grp, ties = ties); cox.zph(fit) (survival 3.x)."""
    res = csl_stats.survival(gen, "time", "event", covariates=["x1", "x2", "grp"], ties=ties)
    _check_cox(res, R["gen"][f"cox_{ties}"])
    assert res.cox.index.tolist() == ["x1", "x2", "grp[B]", "grp[C]"]
    np.testing.assert_allclose(res.cox["hazard_ratio"], np.exp(res.cox["coef"]))


def test_cox_robust_and_weighted_against_R(gen):
    """coxph(..., robust = TRUE) and coxph(..., weights = w, robust = TRUE): robust and naive SEs, zph."""
    res = csl_stats.survival(gen, "time", "event", covariates=["x1", "x2", "grp"], robust=True)
    _check_cox(res, R["gen"]["cox_robust"], se_rtol=1e-5)
    ref = R["gen"]["cox_weighted_robust"]
    resw = csl_stats.survival(gen, "time", "event", covariates=["x1", "x2", "grp"], robust=True, weights="w")
    _check_cox(resw, ref, se_rtol=1e-5)
    np.testing.assert_allclose(resw.cox["se_naive"], _arr(ref["naive_se"]), rtol=1e-5)


def test_cox_strata_against_R(gen):
    """coxph(Surv(time, event) ~ x1 + x2 + strata(st)); cox.zph(fit)."""
    res = csl_stats.survival(gen, "time", "event", covariates=["x1", "x2"], strata="st")
    _check_cox(res, R["gen"]["cox_strata"])


def test_survey_lifetimes_against_R(surv_survey):
    """The survey customers' lifetimes: survfit(~ band), survdiff(~ band) + trend, coxph(~ sat + size)."""
    for ci_method in ("log-log", "log"):
        res = csl_stats.survival(surv_survey, "duration", "event", groups="band", ci_method=ci_method)
        _check_km(res, R["survey"]["km"][ci_method])
        med = R["survey"]["median"][ci_method]
        np.testing.assert_allclose(res.medians["median"], _arr(med["median"]), atol=1e-6)
    np.testing.assert_allclose(res.logrank["chisq"], [R["survey"]["logrank"]["chisq"],
                                                      R["survey"]["logrank"]["trend"]], rtol=1e-6)
    cox = csl_stats.survival(surv_survey, "duration", "event", covariates=["sat", "size"])
    _check_cox(cox, R["survey"]["cox"])
    rob = csl_stats.survival(surv_survey, "duration", "event", covariates=["sat", "size"], robust=True)
    _check_cox(rob, R["survey"]["cox_robust"])


# ============================================================================ lifetimes
def test_lifetimes_agree_with_survey_churn_and_simulator_truth():
    survey = csl_stats.load_supply_chain_survey().set_index("customer_id")
    tx = load_transactions()
    with pytest.warns(InconsistencyWarning, match="lapsed by the origin"):
        lt = csl_stats.customer_lifetimes(tx, origin=SURVEY_DATE, inactivity=60, gap_multiple=3)
    churned = survey.loc[lt.index, "churned"]
    agree = (churned == lt["event"]).mean()
    assert agree > 0.93
    assert lt.loc[churned == 1, "event"].mean() > 0.7  # most churners are seen to lapse
    assert lt.loc[churned == 0, "event"].mean() < 0.05  # few false alarms
    # simulator truth: a lapsed churner's last order is on or before the day their buying stopped
    _, truth = simulate_prior_behaviour()
    tr = truth.set_index("customer_id").loc[lt.index]
    hit = (lt["event"] == 1) & (churned == 1)
    assert (lt.loc[hit, "last_order"] <= tr.loc[hit, "churn_date"]).all()
    # and the lapse is recognised within the window after the truth
    lag = (lt.loc[hit, "lapse_date"] - tr.loc[hit, "churn_date"]).dt.days
    assert (lag <= lt.loc[hit, "window"]).all()
    # the left-out customers (no order in the window before the survey) are mostly churners who had
    # drifted away before it and ordered nothing afterwards
    out = survey.index.difference(lt.index)
    assert 0 < len(out) < 20
    assert survey.loc[out, "churned"].mean() > 0.8 and survey.loc[out, "orders_12m"].eq(0).all()
    assert (lt["duration"] > 0).all() and lt["duration"].max() == 365


def test_lifetimes_rules_by_hand():
    log = pd.DataFrame({"customer_id": ["A", "A", "A", "B", "B", "C", "D", "D"],
                        "date": pd.to_datetime(["2025-01-10", "2025-02-15", "2025-03-20", "2025-01-05",
                                                "2025-11-30", "2025-06-01", "2025-10-01", "2025-12-01"])})
    original = log.copy()
    lt = csl_stats.customer_lifetimes(log, as_of="2025-12-31", inactivity=90)
    # A: last order 03-20, no order in the next 90 days -> lapse 06-18; duration from 01-10
    assert lt.loc["A", "lapse_date"] == pd.Timestamp("2025-06-18") and lt.loc["A", "duration"] == 159
    assert lt.loc["A", "n_orders"] == 3
    # B: the gap 01-05 -> 11-30 exceeds 90 days: first lapse 04-05 (the reactivation is ignored)
    assert lt.loc["B", "lapse_date"] == pd.Timestamp("2025-04-05") and lt.loc["B", "event"] == 1
    # C: single order, lapse 90 days later (within follow-up)
    assert lt.loc["C", "event"] == 1 and lt.loc["C", "duration"] == 90
    # D: last order 12-01, window not over by 12-31 -> censored at as_of
    assert lt.loc["D", "event"] == 0 and lt.loc["D", "end"] == pd.Timestamp("2025-12-31")
    assert lt.loc["D", "duration"] == 91
    # an earlier end of follow-up censors A's lapse if it is known only later
    with pytest.warns(InconsistencyWarning, match="no follow-up time"):
        short = csl_stats.customer_lifetimes(log, as_of="2025-12-31", inactivity=90, observation_end="2025-05-31")
    assert short.index.tolist() == ["A", "B"]  # C and D first ordered after the end of follow-up
    assert short.loc["A", "event"] == 0 and short.loc["A", "duration"] == (pd.Timestamp("2025-05-31")
                                                                          - pd.Timestamp("2025-01-10")).days
    # ISO text dates are accepted and give the same result
    text = log.assign(date=log["date"].dt.strftime("%Y-%m-%d"))
    pd.testing.assert_frame_equal(csl_stats.customer_lifetimes(text, as_of="2025-12-31", inactivity=90), lt)
    pd.testing.assert_frame_equal(log, original)  # caller's data untouched


def test_lifetimes_bad_input():
    log = pd.DataFrame({"customer_id": ["A", "A", "B"], "date": ["2025-01-10", "2025-02-15", "2025-03-01"]})
    with pytest.raises(DataError, match="after as_of"):
        csl_stats.customer_lifetimes(log, as_of="2025-02-01")
    with pytest.raises(DateError, match="dd/mm or mm/dd"):
        csl_stats.customer_lifetimes(log.assign(date=["10/01/2025", "11/02/2025", "01/03/2025"]))
    END = "2025-12-31"
    # the same text with its format given, or with a day above 12 settling the order, is read
    dmy = log.assign(date=["10/01/2025", "15/02/2025", "01/03/2025"])
    pd.testing.assert_frame_equal(csl_stats.customer_lifetimes(dmy, as_of=END), csl_stats.customer_lifetimes(log, as_of=END))
    pd.testing.assert_frame_equal(
        csl_stats.customer_lifetimes(log.assign(date=["10/01/2025", "11/02/2025", "01/03/2025"]),
                                     date_format="%d/%m/%Y", as_of=END),
        csl_stats.customer_lifetimes(log.assign(date=["2025-01-10", "2025-02-11", "2025-03-01"]), as_of=END))
    # time-zone-aware stamps: the calendar day in their own zone (23:30 in Berlin stays that day)
    stamps = pd.to_datetime(["2025-01-10 23:30", "2025-02-15 08:00", "2025-03-01 12:00"]).tz_localize("Europe/Berlin")
    aware = csl_stats.customer_lifetimes(log.assign(date=stamps), as_of=END)
    pd.testing.assert_frame_equal(aware, csl_stats.customer_lifetimes(log, as_of=END))
    with pytest.raises(DateError, match="numbers"):
        csl_stats.customer_lifetimes(log.assign(date=[20250110, 20250215, 20250301]))
    with pytest.raises(DataError, match="missing"):
        csl_stats.customer_lifetimes(log.assign(date=["2025-01-10", None, "2025-03-01"]))
    with pytest.raises(ColumnNotFoundError):
        csl_stats.customer_lifetimes(log, date="order_date")
    with pytest.raises(ArgumentError, match="observation_end"):
        csl_stats.customer_lifetimes(log, as_of="2025-03-01", observation_end="2025-04-01")
    with pytest.raises(ArgumentError, match="gap_multiple"):
        csl_stats.customer_lifetimes(log, gap_multiple=-1)


# ============================================================================ survival: behaviour
def test_result_tables_and_display(gen):
    res = csl_stats.survival(gen, "time", "event", groups="grp", covariates=["x1", "grp"], robust=True)
    assert list(res.km.columns) == ["group", "time", "survival", "ci_low", "ci_high", "at_risk", "events",
                                    "censored"]
    assert list(res.cox.columns) == ["coef", "se", "hazard_ratio", "ci_low", "ci_high", "z", "p", "se_naive"]
    assert res.ph_test.index[-1] == "GLOBAL"
    assert res.to_frame().equals(res.km) and res.to_frame() is not res.km
    assert "hazard_ratio" in res._repr_html_() and "SurvivalResult(" in repr(res)
    at = res.survival_at([0, 50, 1000])
    assert (at.loc[at["time"] == 0, "survival"] == 1).all() and (at.loc[at["time"] == 1000, "at_risk"] == 0).all()


def test_risk_within_matches_the_baseline_hazard(gen):
    res = csl_stats.survival(gen, "time", "event", covariates=["x1"])
    new = pd.DataFrame({"x1": [0.0, 1.0], "t": [0.0, 0.0]})
    risk = res.risk_within(new, 100, elapsed="t")
    # higher x1 -> higher risk, by the proportional-hazards relation 1 - S0^exp(b)
    s0 = 1 - risk.iloc[0]
    np.testing.assert_allclose(risk.iloc[1], 1 - s0 ** np.exp(res.cox.loc["x1", "coef"]), rtol=1e-12)
    with pytest.warns(InconsistencyWarning, match="beyond the longest follow-up"):
        res.risk_within(new, 1000, elapsed="t")
    km_only = csl_stats.survival(gen, "time", "event")
    with pytest.raises(ArgumentError, match="needs a Cox model"):
        km_only.risk_within(new, 100, elapsed="t")


def test_survival_bad_input(gen):
    with pytest.raises(DataError, match="durations > 0"):
        csl_stats.survival(gen.assign(time=gen["time"].where(gen.index != 3, 0)), "time", "event")
    with pytest.raises(DataError, match="durations > 0"):
        csl_stats.survival(gen.assign(time=-gen["time"]), "time", "event")
    with pytest.raises(DataError, match="0 \\(censored\\) or 1"):
        csl_stats.survival(gen.assign(event=gen["event"] * 2), "time", "event")
    with pytest.raises(InsufficientDataError, match="no events"):
        csl_stats.survival(gen.assign(event=0), "time", "event")
    with pytest.raises(DataError, match="weights"):
        csl_stats.survival(gen.assign(w=-gen["w"]), "time", "event", weights="w")
    with pytest.raises(ArgumentError, match="ci_method"):
        csl_stats.survival(gen, "time", "event", ci_method="arcsin")
    with pytest.raises(ArgumentError, match="trend_scores"):
        csl_stats.survival(gen, "time", "event", groups="grp", trend_scores=[1, 2])
    with pytest.raises(ColumnNotFoundError):
        csl_stats.survival(gen, "time", "event", covariates=["x3"])
    before = gen.copy()
    csl_stats.survival(gen, "time", "event", groups="grp", covariates=["x1"])
    pd.testing.assert_frame_equal(gen, before)


def test_group_without_events_and_separation_warn(gen):
    d = gen.copy()
    d.loc[d["grp"] == "C", "event"] = 0
    with pytest.warns(SeparationWarning, match="grp\\[C\\]"):
        res = csl_stats.survival(d, "time", "event", groups="grp")
    assert np.isnan(res.medians.loc["C", "median"])  # not reached
    assert (res.km.loc[res.km["group"] == "C", "survival"] == 1).all()


def test_missing_values_are_dropped_listwise_and_counted(gen):
    d = gen.copy()
    d.loc[:9, "x1"] = np.nan
    res = csl_stats.survival(d, "time", "event", covariates=["x1"])
    assert res.n_obs == len(gen) - 10


def test_plot_survival_draws_curves_and_at_risk_counts(gen):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = csl_stats.survival(gen, "time", "event", groups="grp")
    fig = csl_stats.plot_survival(res, at_risk_times=[0, 50, 100, 150])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    first = res.survival_at([50])
    assert f"{first.loc[first['group'] == 'A', 'at_risk'].iloc[0]:.0f}" in texts
    assert len(ax.get_legend().get_texts()) == 3
    plt.close(fig)
    with pytest.raises(ArgumentError):
        csl_stats.plot_survival("not a result")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plt.close(csl_stats.plot_survival(csl_stats.survival(gen, "time", "event"), at_risk=False, ci=False))


def test_continuous_separation_warns_and_single_group_gives_km_only(gen):
    d = gen.copy()
    d["sep"] = -d["time"]  # whoever lapses first has the highest value: monotone likelihood
    with pytest.warns(SeparationWarning, match="sep"):
        csl_stats.survival(d, "time", "event", covariates=["sep"])
    one = csl_stats.survival(gen.assign(g="all customers"), "time", "event", groups="g")
    assert one.cox.empty and one.logrank.empty and one.medians.index.tolist() == ["all customers"]


def test_risk_within_by_stratum(gen):
    res = csl_stats.survival(gen, "time", "event", covariates=["x1"], strata="st")
    new = pd.DataFrame({"x1": [0.0, 0.0], "st": ["s1", "s2"], "t": [0.0, 0.0]})
    risk = res.risk_within(new, 100, elapsed="t")
    assert risk.iloc[0] != risk.iloc[1] and risk.between(0, 1).all()
    # each stratum's risk at x1 = 0 is 1 - KM-like baseline survival: it rises with the horizon
    assert (res.risk_within(new, 150, elapsed="t") > risk).all()
    with pytest.raises(DataError, match="not seen in the fit"):
        res.risk_within(new.assign(st="s3"), 100, elapsed="t")
