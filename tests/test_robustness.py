"""Robustness by classes of input, across every public function (issue 15).

Each test takes one class of hazardous input that real survey and CRM exports
produce and runs it against EVERY public function it concerns (parametrized
over a registry of calls). The rule: a call returns a valid result or raises
one of the package's own exceptions (``csl_stats.errors``) naming the culprit;
never a raw pandas/numpy/Python error, never a silent NaN/inf or a wrong number.
A property-based test (hypothesis, derandomized) mixes the hazards.

The functions of issues 12 (``impute``), 13 (lost customers), 17 (``write_sav``),
20 (``process``, ``mediation``, ``moderated_mediation``) and 21 (survey design,
response rates, wave tracking) are registered too (``NEW_SURVEY_CALLS``, and
``customer_lifetimes`` with the orders); functions that take results or no data
frame have their argument types checked in ``test_new_functions_argument_types``.
``cfa`` is being rewritten on issue 11 and is not in the registry.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats import errors

matplotlib.use("Agg")

N = 120
SAT, LOY, TRS = ["sat1", "sat2", "sat3"], ["loy1", "loy2", "loy3"], ["trs1", "trs2", "trs3"]
ALL_ITEMS = SAT + LOY + TRS


def make_survey(n: int = N, seed: int = 7) -> pd.DataFrame:
    """Three correlated 1-7 constructs, a 0-10 recommend answer, behaviour and a moderator."""
    g = np.random.default_rng(seed)
    f = g.normal(size=n)
    t = 0.6 * f + 0.8 * g.normal(size=n)

    def item(latent: np.ndarray, lo: int = 1, hi: int = 7, centre: float = 4.0) -> np.ndarray:
        return np.clip(np.round(centre + latent + 0.7 * g.normal(size=n)), lo, hi)

    df = pd.DataFrame({c: item(f) for c in SAT})
    for c in LOY:
        df[c] = item(0.8 * f + 0.3 * t)
    for c in TRS:
        df[c] = item(t)
    df["rec"] = item(1.5 * f, 0, 10, 7.0)
    df["orders"] = g.poisson(np.exp(1.5 + 0.3 * f)).astype(float)
    df["spend"] = np.round(g.gamma(2.0, 500.0, n) * np.exp(0.2 * f), 2)
    df["swc"] = np.round(g.uniform(1, 7, n), 1)
    df["ysat"] = np.round(4 + 0.8 * f + 0.3 * np.maximum(f - 0.5, 0) + 0.5 * g.normal(size=n), 3)
    df["seg"] = np.where(g.uniform(size=n) < 0.5, "north", "south")
    # lost customers and survey design (issues 13, 21); drawn last so the columns above are unchanged
    df["id"] = [f"K{i:03d}" for i in range(n)]
    df["churned"] = (g.uniform(size=n) < 1 / (1 + np.exp(1.0 + f))).astype(float)
    df["tenure"] = g.integers(1, 12, n).astype(float)
    df["reason"] = np.where(df["churned"] == 1, g.choice(["price", "service", "delivery"], n), None)
    df["complaints"] = g.poisson(np.exp(0.2 - 0.4 * f)).astype(float)
    df["resolved"] = np.where(df["complaints"] > 0, (g.uniform(size=n) < 0.6).astype(float), np.nan)
    return df


SURVEY = make_survey()


def make_orders(n_customers: int = 30, seed: int = 3) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        for _ in range(int(g.integers(1, 6))):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(g.integers(0, 360)))
            rows.append({"customer": f"C{c:02d}", "date": day, "amount": float(g.integers(10, 500))})
    return pd.DataFrame(rows).drop_duplicates().reset_index(drop=True)


ORDERS = make_orders()
SUPPLIERS = pd.DataFrame(
    {
        "supplier": ["A", "B", "C", "D", "E"],
        "cost": [100.0, 90.0, 110.0, 95.0, 105.0],
        "delivery": [95.0, 90.0, 99.0, 97.0, 92.0],
        "quality": [70.0, 80.0, 60.0, 90.0, 75.0],
    }
)
CRIT = {"cost": "cost", "delivery": "benefit", "quality": "benefit"}

MM = {"SAT": SAT, "LOY": LOY, "TRS": TRS}
SM = [("SAT", "TRS"), ("SAT", "LOY"), ("TRS", "LOY")]


def identity(c: Any) -> Any:
    return c


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# ----------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Call:
    """One public function called on a survey frame; ``L`` maps base column names to labels."""

    name: str
    run: Callable[[pd.DataFrame, Callable[[Any], Any]], Any]
    numbers: Callable[[Any], list[float]] = lambda res: []  # values promised to be finite
    kind: str = "survey"  # "survey": takes SURVEY-like data; "orders", "suppliers"


def _lst(L: Callable[[Any], Any], cols: list[str]) -> list[Any]:
    return [L(c) for c in cols]


def _items(L: Callable[[Any], Any]) -> dict[str, list[Any]]:
    return {"sat": _lst(L, SAT), "loy": _lst(L, LOY)}


SURVEY_CALLS = [
    Call("cronbach_alpha", lambda d, L: csl_stats.cronbach_alpha(d, _lst(L, SAT)),
         lambda r: [r.alpha, *r.ci]),
    Call("kmo", lambda d, L: csl_stats.kmo(d, _lst(L, ALL_ITEMS)), lambda r: [r.msa]),
    Call("bartlett_sphericity", lambda d, L: csl_stats.bartlett_sphericity(d, _lst(L, ALL_ITEMS)),
         lambda r: [r.chi2, r.pvalue]),
    Call("parallel_analysis", lambda d, L: csl_stats.parallel_analysis(d, _lst(L, ALL_ITEMS), n_iter=20, rng=1),
         lambda r: [r.n_components]),
    Call("htmt", lambda d, L: csl_stats.htmt(d, _items(L)), lambda r: [r.to_numpy()[0, 1]]),
    Call("composite_reliability", lambda d, L: csl_stats.composite_reliability(d, _items(L)),
         lambda r: list(r["omega"])),
    Call("fornell_larcker", lambda d, L: csl_stats.fornell_larcker(d, _items(L)), lambda r: [r.to_numpy()[1, 0]]),
    Call("scale_report", lambda d, L: csl_stats.scale_report(d, _items(L)), lambda r: list(r["alpha"])),
    Call("scale_scores", lambda d, L: csl_stats.scale_scores(d, _items(L)), lambda r: []),
    Call("satisfaction_index", lambda d, L: csl_stats.satisfaction_index(d, _lst(L, SAT), scale=(1, 7)),
         lambda r: []),
    Call("loyalty_index",
         lambda d, L: csl_stats.loyalty_index(d, _lst(L, LOY), [L("orders"), L("spend")], scale=(1, 7)),
         lambda r: [r.loyalty.mean()]),
    Call("entropy_weights", lambda d, L: csl_stats.entropy_weights(d, columns=[L("orders"), L("spend")]),
         lambda r: list(r.weights)),
    Call("likert_shares", lambda d, L: csl_stats.likert_shares(d, _lst(L, SAT), scale=(1, 7)),
         lambda r: list(r.to_numpy().ravel())),
    Call("likert_chart", lambda d, L: csl_stats.likert_chart(d, _lst(L, SAT), scale=(1, 7))),
    Call("nps", lambda d, L: csl_stats.nps(d[L("rec")]), lambda r: [r.score, r.ci_low, r.ci_high, r.se]),
    Call("nps_test", lambda d, L: csl_stats.nps_test(d[L("rec")].iloc[:60], d[L("rec")].iloc[60:]),
         lambda r: [r.diff, r.se, r.z, r.p_value]),
    Call("nps_by", lambda d, L: csl_stats.nps_by(d, L("rec"), L("seg")), lambda r: list(r["score"])),
    Call("top_box", lambda d, L: csl_stats.top_box(d[L("sat1")], scale=(1, 7)), lambda r: [r.share, *r.ci]),
    Call("top_box_test",
         lambda d, L: csl_stats.top_box_test(d[L("sat1")].iloc[:60], d[L("sat1")].iloc[60:], scale=(1, 7)),
         lambda r: [r.diff, *r.ci]),
    Call("regress", lambda d, L: csl_stats.regress(d, L("ysat"), _lst(L, ["sat1", "trs1"]), L("swc")),
         lambda r: list(r.coefs["estimate"]) + list(r.coefs["se"]) + [r.r2]),
    Call("moderation", lambda d, L: csl_stats.moderation(d, L("sat1"), L("swc"), L("ysat")),
         lambda r: list(r.coefs["se"]) + [r.r2, r.r2_change]),
    Call("threshold_regression",
         lambda d, L: csl_stats.threshold_regression(d, L("sat1"), L("ysat"), n_boot=0, ci_method="analytic", grid=10),
         lambda r: [r.sup_lr]),
    Call("relative_importance", lambda d, L: csl_stats.relative_importance(d, L("ysat"), _lst(L, SAT)),
         lambda r: list(r.table["importance"]) + [r.r2]),
    Call("importance_performance",
         lambda d, L: csl_stats.importance_performance(d, L("ysat"), _lst(L, ["sat1", "trs1", "loy1"]), scale=(1, 7)),
         lambda r: list(r["importance"]) + list(r["performance"])),
    Call("penalty_reward",
         lambda d, L: csl_stats.penalty_reward(d, L("ysat"), _lst(L, ["sat1", "trs1"]), low=3, high=5),
         lambda r: list(r.table["penalty"]) + [r.r2]),
    Call("pls_pm", lambda d, L: csl_stats.pls_pm(d, {k: _lst(L, v) for k, v in MM.items()}, SM, scale=(1, 7)),
         lambda r: list(r.r2) + list(r.r2_adj) + [r.gof]),
    # --- PLS group comparison (issue 19a) ---
    Call("pls_mga", lambda d, L: csl_stats.pls_mga(d, {k: _lst(L, v) for k, v in MM.items()}, SM, L("seg"),
                                                   n_perm=100, n_boot=0, rng=1),
         lambda r: list(r.paths["diff"]) + list(r.paths["p_perm"]) + list(r.micom["c"])),
]

ORDER_CALLS = [
    Call("rfm", lambda d, L: csl_stats.rfm(d, customer=L("customer"), date=L("date"), amount=L("amount")),
         lambda r: list(r["monetary"]), kind="orders"),
    Call("retention", lambda d, L: csl_stats.retention(d, customer=L("customer"), date=L("date"), period="Q"),
         lambda r: list(r["active"]), kind="orders"),
]

SUPPLIER_CALLS = [
    Call("supplier_scorecard",
         lambda d, L: csl_stats.supplier_scorecard(d, {L(k): v for k, v in CRIT.items()},
                                                   {L("cost"): 0.5, L("delivery"): 0.3, L("quality"): 0.2},
                                                   supplier=L("supplier")),
         lambda r: list(r.scores["score"]), kind="suppliers"),
]



def _designs(d: pd.DataFrame, L: Callable[[Any], Any]) -> dict[int, Any]:
    half = len(d) // 2
    return {1: csl_stats.survey_design(d.iloc[:half], strata=L("seg")),
            2: csl_stats.survey_design(d.iloc[half:], strata=L("seg"))}


def _with_holes(d: pd.DataFrame, col: Any) -> pd.DataFrame:
    out = d.copy()
    out[col] = out[col].where(np.arange(len(d)) % 4 != 0)
    return out


def _write_sav(d: pd.DataFrame) -> Any:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return csl_stats.write_sav(d, Path(tmp) / "out.sav").name


# issues 12, 13, 17, 20, 21: every new public function that takes a data frame
NEW_SURVEY_CALLS = [
    Call("polychoric", lambda d, L: csl_stats.polychoric(d, _lst(L, SAT + TRS)),
         lambda r: list(r.pairs["rho"]) + list(r.pairs["se"])),
    # issue 18b: polyserial and Pearson correlations beside the polychoric ones
    Call("polychoric_mixed", lambda d, L: csl_stats.polychoric(d, _lst(L, SAT), continuous=_lst(L, ["spend", "ysat"])),
         lambda r: list(r.pairs["rho"]) + list(r.pairs["se"]) + list(r.moments["mean_se"])),
    Call("impute", lambda d, L: csl_stats.impute(_with_holes(d, L("sat2")), _lst(L, ["sat1", "sat2", "trs1"]),
                                                 m=2, max_iter=2, rng=1),
         lambda r: [float(r.complete(1).loc[:, [c for c in r.data.columns if c in ("sat2", ("block", "sat2"))]]
                          .to_numpy(dtype=float).mean())]),
    Call("process", lambda d, L: csl_stats.process(d, 4, x=L("sat1"), m=L("trs1"), y=L("ysat"), n_boot=200, rng=1),
         lambda r: list(r.effects["estimate"]) + list(r.effects["ci_low"]) + list(r.effects["ci_high"])),
    Call("churn_reasons", lambda d, L: csl_stats.churn_reasons(d, L("reason"), by=L("seg"), n_resamples=199, rng=1),
         lambda r: list(r.shares["share"]) + list(r.test[["statistic", "p", "cramers_v"]].to_numpy().ravel())),
    Call("complaint_rates", lambda d, L: csl_stats.complaint_rates(d, L("complaints"), by=L("seg"), family="poisson"),
         lambda r: list(r.rates[["rate", "ci_low", "ci_high", "rate_ratio"]].to_numpy().ravel())
         + list(r.rates[["rr_ci_low", "rr_ci_high", "p"]].iloc[1:].to_numpy().ravel())),
    Call("service_recovery", lambda d, L: csl_stats.service_recovery(d, L("ysat"), complaints=L("complaints"),
                                                                     resolved=L("resolved")),
         lambda r: list(r.contrasts[["raw", "adjusted", "se", "p"]].to_numpy().ravel())),
    Call("rating_vs_behaviour", lambda d, L: csl_stats.rating_vs_behaviour(d, L("sat1"), L("spend"), min_n=5),
         lambda r: list(r.table["mean"])),
    Call("survival", lambda d, L: csl_stats.survival(d, L("tenure"), L("churned"), groups=L("seg")),
         lambda r: list(r.km["survival"])),
    Call("survey_design", lambda d, L: csl_stats.survey_design(d, strata=L("seg")).mean(L("sat1")),
         lambda r: [r.estimate, r.se]),
    Call("response_rates", lambda d, L: csl_stats.response_rates(d, d.iloc[::2], by=L("seg"), id=L("id")),
         lambda r: list(r.table["RR1"])),
    Call("track_waves", lambda d, L: csl_stats.track_waves(_designs(d, L), L("rec"), statistic="nps"),
         lambda r: list(r.table["estimate"]) + list(r.table["se"])),
    Call("write_sav", lambda d, L: _write_sav(d[_lst(L, ["sat1", "rec", "seg"])])),
    Call("mediation", lambda d, L: csl_stats.mediation(d, L("sat1"), L("trs1"), L("ysat"), n_boot=200, rng=1),
         lambda r: list(r.to_frame()[["estimate", "se"]].to_numpy().ravel())),
    Call("cfa", lambda d, L: csl_stats.cfa(d, {k: _lst(L, v) for k, v in MM.items()}),
         lambda r: list(r.to_frame()[["estimate", "std_estimate"]].to_numpy().ravel())),
    Call("sem", lambda d, L: csl_stats.sem(d, {k: _lst(L, v) for k, v in MM.items()}, SM),
         lambda r: list(r.to_frame()[["estimate", "std_estimate"]].to_numpy().ravel())),
    # issue 18 (WLSMV): the ordinal estimator of the same engine
    Call("cfa(wlsmv)", lambda d, L: csl_stats.cfa(d, {k: _lst(L, v) for k, v in MM.items()}, ordered=True,
                                                  estimator="wlsmv", nan_policy="pairwise"),
         lambda r: list(r.to_frame()[["estimate", "std_estimate"]].to_numpy().ravel())),
    Call("sem(wlsmv)", lambda d, L: csl_stats.sem(d, {k: _lst(L, v) for k, v in MM.items()}, SM, ordered=True,
                                                  estimator="wlsmv", nan_policy="pairwise"),
         lambda r: list(r.to_frame()[["estimate", "std_estimate"]].to_numpy().ravel())),
    Call("measurement_invariance",
         lambda d, L: csl_stats.measurement_invariance(d, {k: _lst(L, v) for k, v in MM.items()}, L("seg")),
         lambda r: list(r.table[["chisq", "df"]].to_numpy().ravel())),
    Call("moderated_mediation",
         lambda d, L: csl_stats.moderated_mediation(d, L("sat1"), L("trs1"), L("ysat"), L("swc"), n_boot=200, rng=1),
         lambda r: list(r.to_frame()[["estimate", "se"]].to_numpy().ravel())),
    # issue 19b: necessary condition analysis
    Call("nca", lambda d, L: csl_stats.nca(d, _lst(L, ["sat1", "trs1"]), L("ysat"), n_perm=100, rng=1),
         lambda r: list(r.table[["effect_size", "ceiling_zone", "p_value"]].to_numpy().ravel())),
]

ORDER_CALLS.append(
    Call("customer_lifetimes",
         lambda d, L: csl_stats.customer_lifetimes(d, customer=L("customer"), date=L("date"), inactivity=90),
         lambda r: list(r["duration"]), kind="orders"))

ALL_CALLS = SURVEY_CALLS + NEW_SURVEY_CALLS + ORDER_CALLS + SUPPLIER_CALLS
BASE = {"survey": SURVEY, "orders": ORDERS, "suppliers": SUPPLIERS}


def ids(calls: list[Call]) -> list[str]:
    return [c.name for c in calls]


def finite_numbers(call: Call, res: Any) -> None:
    vals = np.asarray(call.numbers(res), dtype=float)
    assert np.isfinite(vals).all(), f"{call.name} returned non-finite numbers {vals}"


def run_quiet(call: Call, data: pd.DataFrame, L: Callable[[Any], Any] = identity) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.CSLWarning)
        return call.run(data, L)


def test_registry_covers_every_public_function():
    """Every public function taking data is in the registry (or listed as owned elsewhere / result-only)."""
    result_only = {"ipma", "plot_ipma", "plot_importance_performance", "plot_threshold", "plot_scorecard",
                   "plot_simple_slopes", "plot_johnson_neyman", "plot_bootstrap", "plot_paths", "reverse_code",
                   "ahp_weights", "dick_basu_segments", "codebook", "load_supply_chain_survey",
                   "simulate_supply_chain_survey", "simulate_mystery_shopping",
                   # issues 12, 13, 17, 20, 21: results in, or no data frame (argument types tested below
                   # in test_new_functions_argument_types, and in test_sampling/test_report/test_diagrams)
                   "plot_survival", "plot_churn_reasons", "plot_rating_vs_behaviour", "plot_conditional_indirect",
                   "plot_template", "plot_model", "methods_text", "report_table", "pool_results", "rubin_pool",
                   "sample_size", "allocate", "read_survey", "load_prior_behaviour"}
    result_only |= {"pls_fit", "pls_predict"}  # issue 19: take a PLSResult (n_boot/rng policies tested below)
    result_only |= {"cvpat"}  # issue 19a: takes PLSResults (rng policy tested below)
    result_only |= {"cipma", "plot_cipma", "plot_nca"}  # issue 19b: take a PLSResult / a result (tests/test_nca.py)
    owned_elsewhere: set[str] = set()
    public = {n for n in csl_stats.__all__ if callable(getattr(csl_stats, n)) and n[0].islower()}
    assert public - result_only - owned_elsewhere - set(ids(ALL_CALLS)) == set()


@pytest.mark.parametrize("call", ALL_CALLS, ids=ids(ALL_CALLS))
def test_baseline_valid_result(call):
    res = run_quiet(call, BASE[call.kind])
    finite_numbers(call, res)


# ----------------------------------------------------------------------------- hazards by class
def as_multiindex(df: pd.DataFrame) -> tuple[pd.DataFrame, Callable[[Any], Any]]:
    """Two-level column labels, as read_csv(header=[0, 1]) produces."""
    out = df.copy()
    out.columns = pd.MultiIndex.from_tuples([("block", c) for c in df.columns])
    return out, lambda c: ("block", c)


MULTIINDEX_REFUSED = {"write_sav"}  # SPSS variable names are text: refused up front, with the fix


@pytest.mark.parametrize("call", ALL_CALLS, ids=ids(ALL_CALLS))
def test_multiindex_column_labels_supported(call):
    """A label is any hashable: tuple labels work everywhere and the result equals the flat-label one."""
    base = BASE[call.kind]
    if call.name in MULTIINDEX_REFUSED:
        data, L = as_multiindex(base)
        with pytest.raises(errors.DataError, match=r"must be text.*\('block', 'sat1'\)"):
            run_quiet(call, data, L)
        return
    flat = run_quiet(call, base)
    data, L = as_multiindex(base)
    res = run_quiet(call, data, L)
    finite_numbers(call, res)
    np.testing.assert_allclose(call.numbers(res), call.numbers(flat), rtol=1e-10)


@pytest.mark.parametrize("call", ALL_CALLS, ids=ids(ALL_CALLS))
def test_duplicated_index_labels(call):
    """Stacked survey waves repeat index labels: every function copes (same numbers)."""
    base = BASE[call.kind]
    flat = run_quiet(call, base)
    data = base.set_axis(np.arange(len(base)) // 2, axis=0)
    res = run_quiet(call, data)
    np.testing.assert_allclose(call.numbers(res), call.numbers(flat), rtol=1e-10)


@pytest.mark.parametrize("call", ALL_CALLS, ids=ids(ALL_CALLS))
def test_duplicated_unused_column_is_ignored(call):
    """A duplicated label in a column the function does not read does not stop it (one policy)."""
    base = BASE[call.kind]
    flat = run_quiet(call, base)
    extra = pd.DataFrame(np.zeros((len(base), 2)), columns=["unused", "unused"], index=base.index)
    res = run_quiet(call, pd.concat([base, extra], axis=1))
    np.testing.assert_allclose(call.numbers(res), call.numbers(flat), rtol=1e-10)


def _used_column(call: Call) -> str:
    return {"orders": "customer", "suppliers": "cost"}.get(call.kind, "sat1") if call.name not in (
        "nps", "nps_test", "nps_by") else "rec"


FRAME_CALLS = [c for c in ALL_CALLS if c.name not in {"nps", "nps_test", "top_box", "top_box_test"}]  # take data


@pytest.mark.parametrize("call", FRAME_CALLS, ids=ids(FRAME_CALLS))
def test_duplicated_used_column_is_refused(call):
    base = BASE[call.kind]
    col = {"entropy_weights": "orders", "loyalty_index": "orders", "regress": "ysat", "moderation": "ysat",
           "threshold_regression": "ysat", "relative_importance": "ysat", "importance_performance": "ysat",
           "penalty_reward": "ysat", "rfm": "amount", "retention": "customer",
           "churn_reasons": "reason", "complaint_rates": "complaints", "service_recovery": "resolved",
           "survival": "tenure", "response_rates": "id", "track_waves": "rec"}.get(call.name, _used_column(call))
    data = pd.concat([base, base[[col]]], axis=1)
    with pytest.raises(errors.DuplicateColumnError, match=repr(col)):
        run_quiet(call, data)


@pytest.mark.parametrize("call", SURVEY_CALLS, ids=ids(SURVEY_CALLS))
def test_values_whose_squares_overflow_are_refused(call):
    """A corrupt cell of 1e300 must not turn variances and regressions into inf/NaN silently."""
    numeric = SURVEY.select_dtypes("number").columns
    data = SURVEY.assign(**{c: SURVEY[c].where(np.arange(N) != 5, 1e300) for c in numeric})
    with pytest.raises(errors.CSLError):
        run_quiet(call, data)


ITEM_CALLS = [c for c in SURVEY_CALLS if c.name in {
    "cronbach_alpha", "kmo", "bartlett_sphericity", "parallel_analysis", "htmt", "composite_reliability",
    "fornell_larcker", "scale_report", "scale_scores", "satisfaction_index", "likert_shares", "likert_chart",
    "relative_importance", "pls_pm"}] + [c for c in NEW_SURVEY_CALLS if c.name in {
    "cfa", "sem", "measurement_invariance", "cfa(wlsmv)", "sem(wlsmv)"}]


@pytest.mark.parametrize("call", ITEM_CALLS, ids=ids(ITEM_CALLS))
def test_all_missing_item_is_named_not_dropped(call):
    data = SURVEY.assign(sat2=np.nan)
    with pytest.raises(errors.CSLError, match="'sat2'"):
        run_quiet(call, data)


COMBINING = [c for c in SURVEY_CALLS if c.name in {
    "cronbach_alpha", "composite_reliability", "scale_report", "scale_scores", "satisfaction_index",
    "loyalty_index", "importance_performance", "penalty_reward", "pls_pm"}] + [
    c for c in NEW_SURVEY_CALLS if c.name in {"cfa", "sem", "measurement_invariance", "cfa(wlsmv)", "sem(wlsmv)"}]


@pytest.mark.parametrize("call", COMBINING, ids=[c.name for c in COMBINING])
def test_reverse_keyed_item_warns_everywhere(call):
    """An unrecoded reverse-keyed item triggers ReverseKeyWarning naming it, pointing at the caller's line."""
    item = {"loyalty_index": "loy2", "importance_performance": "trs1", "penalty_reward": "trs1"}.get(call.name, "sat2")
    data = SURVEY.assign(**{item: 8 - SURVEY[item]})
    with pytest.warns(errors.ReverseKeyWarning, match=repr(item)) as rec:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.MissingDataWarning)
            warnings.simplefilter("ignore", errors.HeywoodWarning)  # a reversed item can also push a solution out
            call.run(data, identity)
    assert all(w.filename == __file__ for w in rec if issubclass(w.category, errors.ReverseKeyWarning))


BOOL_CALLS = [c for c in SURVEY_CALLS if c.name in {"nps", "nps_test", "nps_by", "top_box", "top_box_test"}]


@pytest.mark.parametrize("dtype", ["bool", "boolean", "object"])
@pytest.mark.parametrize("call", BOOL_CALLS, ids=ids(BOOL_CALLS))
def test_booleans_refused_where_an_answer_is_expected(call, dtype):
    col = "rec" if call.name.startswith("nps") else "sat1"
    mask = (SURVEY[col] > 5).astype(dtype)
    with pytest.raises(errors.NonNumericError, match="True/False"):
        run_quiet(call, SURVEY.assign(**{col: mask}))


NBOOT_CALLS: list[tuple[str, Callable[..., Any]]] = [
    ("nps", lambda **kw: csl_stats.nps(SURVEY["rec"], **kw)),
    ("nps_by", lambda **kw: csl_stats.nps_by(SURVEY, "rec", "seg", **kw)),
    ("cronbach_alpha", lambda **kw: csl_stats.cronbach_alpha(SURVEY, SAT, **kw)),
    ("relative_importance", lambda **kw: csl_stats.relative_importance(SURVEY, "ysat", SAT, **kw)),
    ("threshold_regression", lambda **kw: csl_stats.threshold_regression(
        SURVEY, "sat1", "ysat", ci_method="analytic", grid=10, **kw)),
    ("pls_pm", lambda **kw: csl_stats.pls_pm(SURVEY, MM, SM, **kw)),
    ("process", lambda **kw: csl_stats.process(SURVEY, 1, x="sat1", w="swc", y="ysat", **kw)),  # no bootstrap
    ("mediation", lambda **kw: csl_stats.mediation(SURVEY, "sat1", "trs1", "ysat", **kw)),
    ("moderated_mediation", lambda **kw: csl_stats.moderated_mediation(SURVEY, "sat1", "trs1", "ysat", "swc", **kw)),
    ("pls_fit", lambda **kw: csl_stats.pls_fit(csl_stats.pls_pm(SURVEY, MM, SM), **kw)),
    ("sem", lambda **kw: csl_stats.sem(SURVEY, MM, SM, **kw)),
    ("pls_mga", lambda **kw: csl_stats.pls_mga(SURVEY, MM, SM, "seg", n_perm=100, **kw)),  # issue 19a
]
RNG_CALLS = [*NBOOT_CALLS,
             ("parallel_analysis", lambda **kw: csl_stats.parallel_analysis(SURVEY, ALL_ITEMS, n_iter=20, **kw)),
             ("supplier_scorecard", lambda **kw: csl_stats.supplier_scorecard(SUPPLIERS, CRIT, [1, 1, 1], **kw)),
             ("impute", lambda **kw: csl_stats.impute(_with_holes(SURVEY, "sat2"), ["sat1", "sat2"], m=2, max_iter=1,
                                                      **kw)),
             ("churn_reasons", lambda **kw: csl_stats.churn_reasons(SURVEY, "reason", **kw)),  # no resampling
             ("pls_predict", lambda **kw: csl_stats.pls_predict(csl_stats.pls_pm(SURVEY, MM, SM), folds=5, repeats=1,
                                                                **kw)),
             ("cvpat", lambda **kw: csl_stats.cvpat(csl_stats.pls_pm(SURVEY, MM, SM), benchmark="ia", folds=5,
                                                    repeats=1, **kw))]  # issue 19a


@pytest.mark.parametrize("n_boot", [50, 1, 10.0, "100", True])
@pytest.mark.parametrize(("name", "fn"), NBOOT_CALLS, ids=[n for n, _ in NBOOT_CALLS])
def test_n_boot_one_minimum_checked_even_without_bootstrap(name, fn, n_boot):
    with pytest.raises((errors.ArgumentError, errors.ArgumentTypeError), match="n_boot must be"):
        fn(n_boot=n_boot)


@pytest.mark.parametrize(("name", "fn"), RNG_CALLS, ids=[n for n, _ in RNG_CALLS])
def test_invalid_rng_refused_even_when_unused(name, fn):
    with pytest.raises(errors.ArgumentTypeError, match="rng must be None"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CSLWarning)
            fn(rng="abc")


FLAG_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("nps_test(paired)", lambda v: csl_stats.nps_test(SURVEY["rec"][:60], SURVEY["rec"][60:], paired=v)),
    ("regress(standardize)", lambda v: csl_stats.regress(SURVEY, "ysat", "sat1", standardize=v)),
    ("moderation(center)", lambda v: csl_stats.moderation(SURVEY, "sat1", "swc", "ysat", center=v)),
    ("retention(by_cohort)", lambda v: csl_stats.retention(ORDERS, customer="customer", by_cohort=v)),
    ("rfm(dayfirst)", lambda v: csl_stats.rfm(ORDERS, customer="customer", amount="amount", dayfirst=v)),
    ("plot_ipma(annotate)", lambda v: csl_stats.plot_ipma(csl_stats.pls_pm(SURVEY, MM, SM), "LOY", annotate=v)),
    ("impute(progress)", lambda v: csl_stats.impute(_with_holes(SURVEY, "sat2"), ["sat1", "sat2"], m=2, max_iter=1,
                                                    progress=v)),
    ("process(progress)", lambda v: csl_stats.process(SURVEY, 1, x="sat1", w="swc", y="ysat", progress=v)),
    ("sem(std_lv)", lambda v: csl_stats.sem(SURVEY, MM, SM, std_lv=v)),
    ("survival(robust)", lambda v: csl_stats.survival(SURVEY, "tenure", "churned", covariates="sat1", robust=v)),
    ("plot_survival(ci)", lambda v: csl_stats.plot_survival(csl_stats.survival(SURVEY, "tenure", "churned"), ci=v)),
    ("plot_survival(at_risk)",
     lambda v: csl_stats.plot_survival(csl_stats.survival(SURVEY, "tenure", "churned"), at_risk=v)),
    ("track_waves(fpc)", lambda v: csl_stats.track_waves(_designs(SURVEY, identity), "rec", fpc=v)),
    ("customer_lifetimes(dayfirst)",
     lambda v: csl_stats.customer_lifetimes(ORDERS, customer="customer", date="date", dayfirst=v)),
]


FLAG_CASES = [(name, fn, v) for name, fn in FLAG_CALLS for v in ("no", "yes", 0, 1, None)
              if not (v is None and "dayfirst" in name)]  # dayfirst=None means "not given"


# mediation(serial) and moderated_mediation(moderate_direct) refuse non-booleans with ArgumentError (their own
# tests pin that class); they are checked for the message below rather than for ArgumentTypeError.
OLD_FLAG_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("mediation(serial)", lambda v: csl_stats.mediation(SURVEY, "sat1", ["trs1", "loy1"], "ysat", n_boot=200, serial=v)),
    ("moderated_mediation(moderate_direct)", lambda v: csl_stats.moderated_mediation(
        SURVEY, "sat1", "trs1", "ysat", "swc", n_boot=200, moderate_direct=v)),
]


@pytest.mark.parametrize("value", ["no", 0, 1, None])
@pytest.mark.parametrize(("name", "fn"), OLD_FLAG_CALLS, ids=[n for n, _ in OLD_FLAG_CALLS])
def test_flags_refused_by_argument_error(name, fn, value):
    with pytest.raises(errors.ArgumentError, match="must be True or False"):
        fn(value)


@pytest.mark.parametrize(("name", "fn", "value"), FLAG_CASES, ids=[f"{n}={v!r}" for n, _, v in FLAG_CASES])
def test_flags_are_strict_booleans(name, fn, value):
    with pytest.raises(errors.ArgumentTypeError, match="must be True or False"):
        fn(value)


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("ahp tol='x'", lambda: csl_stats.ahp_weights([[1, 2], [0.5, 1]], tol="x")),
        ("ahp tol=nan", lambda: csl_stats.ahp_weights([[1, 2], [0.5, 1]], tol=float("nan"))),
        ("cfa tol='x'", lambda: csl_stats.cfa(SURVEY, MM, tol="x")),
        ("cfa tol=nan", lambda: csl_stats.cfa(SURVEY, MM, tol=float("nan"))),
        ("pls tol='x'", lambda: csl_stats.pls_pm(SURVEY, MM, SM, tol="x")),
        ("pls tol=nan", lambda: csl_stats.pls_pm(SURVEY, MM, SM, tol=float("nan"))),
        ("nps_test labels=5", lambda: csl_stats.nps_test(SURVEY["rec"][:60], SURVEY["rec"][60:], labels=5)),
        ("likert_chart labels=5", lambda: csl_stats.likert_chart(SURVEY, SAT, labels=5)),
        ("likert_chart category_labels=5", lambda: csl_stats.likert_chart(SURVEY, SAT, category_labels=5)),
        ("plot_importance_performance labels=5", lambda: csl_stats.plot_importance_performance(
            csl_stats.importance_performance(SURVEY, "ysat", ["sat1", "trs1"], scale=(1, 7)), labels=5)),
        ("top_box_test labels=5",
         lambda: csl_stats.top_box_test(SURVEY["sat1"][:60], SURVEY["sat1"][60:], scale=(1, 7), labels=5)),
        ("penalty_reward band='x'", lambda: csl_stats.penalty_reward(SURVEY, "ysat", ["sat1"], low=3, high=5, band="x")),
        ("importance_performance scale='1-10'",
         lambda: csl_stats.importance_performance(SURVEY, "ysat", ["sat1", "trs1"], scale="1-10")),
        ("importance_performance scale dict '1-10'",
         lambda: csl_stats.importance_performance(SURVEY, "ysat", ["sat1", "trs1"], scale={"sat1": "1-10", "trs1": (1, 7)})),
        ("satisfaction_index scale='1-10'", lambda: csl_stats.satisfaction_index(SURVEY, SAT, scale="1-10")),
        ("top_box scale='1-10'", lambda: csl_stats.top_box(SURVEY["sat1"], scale="1-10")),
        ("likert_shares scale='1-10'", lambda: csl_stats.likert_shares(SURVEY, SAT, scale="1-10")),
        ("moderation values=['lo', 'hi']",
         lambda: csl_stats.moderation(SURVEY, "sat1", "swc", "ysat", values=["lo", "hi"])),
        ("regress y=['ysat']", lambda: csl_stats.regress(SURVEY, ["ysat"], "sat1")),
        ("relative_importance y=['ysat']", lambda: csl_stats.relative_importance(SURVEY, ["ysat"], SAT)),
        ("threshold grid='x'", lambda: csl_stats.threshold_regression(SURVEY, "sat1", "ysat", grid="x", n_boot=0,
                                                                       ci_method="analytic")),
        ("scale_scores reverse={'sat1'}",
         lambda: csl_stats.scale_scores(SURVEY, {"sat": SAT}, reverse={"sat1"}, scale=(1, 7))),
        ("kmo items={'sat1', 'sat2'}", lambda: csl_stats.kmo(SURVEY, {"sat1", "sat2", "sat3"})),
        ("loyalty_index subjective_weight='0.5'",
         lambda: csl_stats.loyalty_index(SURVEY, LOY, ["orders"], scale=(1, 7), subjective_weight="0.5")),
        ("dick_basu cut=('a', 1)", lambda: csl_stats.dick_basu_segments([1, 2, 3], [3, 1, 2], cut=("a", 1))),
        ("supplier_scorecard sensitivity='x'",
         lambda: csl_stats.supplier_scorecard(SUPPLIERS, CRIT, [1, 1, 1], sensitivity="x")),
        ("rfm customer=['customer']", lambda: csl_stats.rfm(ORDERS, customer=["customer"], amount="amount")),
        ("supplier_scorecard supplier=['supplier']",
         lambda: csl_stats.supplier_scorecard(SUPPLIERS, CRIT, [1, 1, 1], supplier=["supplier"])),
        ("nps_by score=['rec']", lambda: csl_stats.nps_by(SURVEY, ["rec"], "seg")),
        ("moderation x=['sat1']", lambda: csl_stats.moderation(SURVEY, ["sat1"], "swc", "ysat")),
        ("cronbach_alpha scale={'a': 1}", lambda: csl_stats.cronbach_alpha(SURVEY, SAT, scale={"a": 1})),
        ("top_box scale=(True, 7)", lambda: csl_stats.top_box(SURVEY["sat1"], scale=(True, 7))),
        ("loyalty_index bounds=1", lambda: csl_stats.loyalty_index(SURVEY, LOY, ["orders"], scale=(1, 7), bounds=1)),
        ("likert_chart cmap='x'", lambda: csl_stats.likert_chart(SURVEY, SAT, cmap="x")),
        ("composite_reliability nan_policy=[1]",
         lambda: csl_stats.composite_reliability(SURVEY, {"a": SAT, "b": LOY}, nan_policy=[1])),
        ("rfm amount=None", lambda: csl_stats.rfm(ORDERS, customer="customer", amount=None)),
        ("retention customer=None", lambda: csl_stats.retention(ORDERS, customer=None)),
        ("rfm date_format=5", lambda: csl_stats.rfm(ORDERS.assign(date=ORDERS["date"].dt.strftime("%Y-%m-%d")),
                                                    customer="customer", amount="amount", date_format=5)),
    ],
)
def test_argument_types_give_the_packages_errors(name, fn):
    with pytest.raises(errors.CSLError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CSLWarning)
            fn()


def _survival_result() -> Any:
    return csl_stats.survival(SURVEY, "tenure", "churned", groups="seg")


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("rubin_pool estimates text", lambda: csl_stats.rubin_pool(["a", "b"], [1, 1])),
        ("rubin_pool estimates bool", lambda: csl_stats.rubin_pool([True, False], [1, 1])),
        ("rubin_pool dfcom='x'", lambda: csl_stats.rubin_pool([1, 2], [1, 1], dfcom="x")),
        ("rubin_pool dfcom=0", lambda: csl_stats.rubin_pool([1, 2], [1, 1], dfcom=0)),
        ("rubin_pool zero variance", lambda: csl_stats.rubin_pool([1, 1], [0, 0])),
        ("rubin_pool shapes", lambda: csl_stats.rubin_pool([1, 2, 3], [1, 1])),
        ("pool_results ints", lambda: csl_stats.pool_results([1, 2])),
        ("pool_results dfcom='x'", lambda: csl_stats.pool_results([csl_stats.nps(SURVEY["rec"])] * 2, dfcom="x")),
        ("allocate n='10'", lambda: csl_stats.allocate({"a": 10, "b": 20}, n="10")),
        ("allocate counts=5", lambda: csl_stats.allocate(5, n=10)),
        ("allocate duplicated strata", lambda: csl_stats.allocate(pd.Series([10, 20], index=["a", "a"]), n=10)),
        ("allocate boolean counts", lambda: csl_stats.allocate(pd.Series([True, True], index=["a", "b"]), n=1)),
        ("sample_size margin='0.1'", lambda: csl_stats.sample_size("mean", margin="0.1", sd=1)),
        ("sample_size metric=5", lambda: csl_stats.sample_size(5, margin=0.1)),
        ("read_survey path=5", lambda: csl_stats.read_survey(5)),
        ("read_survey format=5", lambda: csl_stats.read_survey("x.csv", format=5)),
        ("write_sav path=5", lambda: csl_stats.write_sav(SURVEY[["sat1"]], 5)),
        ("write_sav missing_codes=5", lambda: csl_stats.write_sav(SURVEY[["sat1"]], "unused.sav", missing_codes=5)),
        ("write_sav tuple labels", lambda: csl_stats.write_sav(as_multiindex(SURVEY[["sat1"]])[0], "unused.sav")),
        ("plot_survival at_risk_times='x'", lambda: csl_stats.plot_survival(_survival_result(), at_risk_times="x")),
        ("plot_survival at_risk_times=['a']", lambda: csl_stats.plot_survival(_survival_result(), at_risk_times=["a"])),
        ("plot_survival frame", lambda: csl_stats.plot_survival(_survival_result().km)),
        ("plot_churn_reasons frame",
         lambda: csl_stats.plot_churn_reasons(csl_stats.churn_reasons(SURVEY, "reason").shares)),
        ("plot_rating_vs_behaviour frame",
         lambda: csl_stats.plot_rating_vs_behaviour(csl_stats.rating_vs_behaviour(SURVEY, "sat1", "spend").table)),
        ("plot_template 99", lambda: csl_stats.plot_template(99)),
        ("plot_template True", lambda: csl_stats.plot_template(True)),
        ("methods_text 5", lambda: csl_stats.methods_text(5)),
        ("survival trend_scores='x'",
         lambda: csl_stats.survival(SURVEY, "tenure", "churned", groups="seg", trend_scores="x")),
        ("survival duration=['tenure']", lambda: csl_stats.survival(SURVEY, ["tenure"], "churned")),
        ("churn_reasons n_resamples='9'", lambda: csl_stats.churn_reasons(SURVEY, "reason", by="seg", n_resamples="9")),
        ("churn_reasons reason=['reason']", lambda: csl_stats.churn_reasons(SURVEY, ["reason"])),
        ("complaint_rates by=['seg']", lambda: csl_stats.complaint_rates(SURVEY, "complaints", by=["seg"])),
        ("service_recovery covariates={'sat1'}", lambda: csl_stats.service_recovery(
            SURVEY, "ysat", complaints="complaints", resolved="resolved", covariates={"sat1"})),
        ("rating_vs_behaviour bins='x'", lambda: csl_stats.rating_vs_behaviour(SURVEY, "sat1", "spend", bins="x")),
        ("customer_lifetimes inactivity='90'",
         lambda: csl_stats.customer_lifetimes(ORDERS, customer="customer", date="date", inactivity="90")),
        ("customer_lifetimes as_of=NaT",
         lambda: csl_stats.customer_lifetimes(ORDERS, customer="customer", date="date", as_of=pd.NaT)),
        ("customer_lifetimes inactivity=10**9",
         lambda: csl_stats.customer_lifetimes(ORDERS, customer="customer", date="date", inactivity=10**9)),
        ("customer_lifetimes gap_multiple=nan",
         lambda: csl_stats.customer_lifetimes(ORDERS, customer="customer", date="date", gap_multiple=float("nan"))),
        ("survey_design strata={'seg'}", lambda: csl_stats.survey_design(SURVEY, strata={"seg"})),
        ("survey_design.nps on a True/False mask",
         lambda: csl_stats.survey_design(SURVEY.assign(rec=SURVEY["rec"] > 8)).nps("rec")),
        ("survey_design.top_box on a True/False mask",
         lambda: csl_stats.survey_design(SURVEY.assign(sat1=SURVEY["sat1"] > 4)).top_box("sat1", scale=(1, 7))),
        ("response_rates e='x'", lambda: csl_stats.response_rates(SURVEY, SURVEY.iloc[::2], id="id", e="x")),
        ("track_waves designs=5", lambda: csl_stats.track_waves(5, "rec")),
        ("impute m='2'", lambda: csl_stats.impute(SURVEY, ["sat1"], m="2")),
        ("impute columns={'sat1'}", lambda: csl_stats.impute(SURVEY, {"sat1"})),
        ("process model='4'", lambda: csl_stats.process(SURVEY, "4", x="sat1", m="trs1", y="ysat", n_boot=200)),
        ("process w_values=[nan]",
         lambda: csl_stats.process(SURVEY, 1, x="sat1", w="swc", y="ysat", w_values=[float("nan")])),
    ],
)
def test_new_functions_argument_types(name, fn, tmp_path, monkeypatch):
    """Issues 12, 13, 17, 20, 21: wrong argument types and degenerate inputs give the package's own errors."""
    monkeypatch.chdir(tmp_path)  # write_sav must refuse before writing anything
    with pytest.raises(errors.CSLError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.CSLWarning)
            fn()
    assert not list(tmp_path.iterdir())


def test_degenerate_lost_customer_inputs_refused_not_silent():
    """A group without complaints, a one-customer recovery group, a single churn reason: named, not NaN/inf."""
    few = SURVEY.assign(complaints=np.where(SURVEY["seg"] == "south", 0.0, SURVEY["complaints"]))
    with pytest.raises(errors.InsufficientDataError, match=r"\['south'\].*no complaints"):
        csl_stats.complaint_rates(few, "complaints", by="seg")
    one = SURVEY.assign(resolved=np.where(SURVEY["complaints"] > 0, 1.0, np.nan))
    one.loc[one.index[SURVEY["complaints"] > 0][0], "resolved"] = 0.0
    with pytest.raises(errors.InsufficientDataError, match="'not resolved' has 1 customer"):
        csl_stats.service_recovery(one, "ysat", complaints="complaints", resolved="resolved")
    single = SURVEY.assign(reason=np.where(SURVEY["churned"] == 1, "price", None))
    with pytest.raises(errors.InsufficientDataError, match="single reason \\('price'\\)"):
        csl_stats.churn_reasons(single, "reason", by="seg")
    tiny = pd.DataFrame({"tenure": [1.0, 7.0], "churned": [1.0, 0.0], "seg": ["north", "south"]})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = csl_stats.survival(tiny, "tenure", "churned", groups="seg")
    ph = [w for w in rec if "proportional-hazards test cannot be computed" in str(w.message)]
    assert ph and {w.filename for w in ph} == {__file__} and ph[0].category is errors.SeparationWarning
    assert res.ph_test["chisq"].isna().all() and np.isfinite(res.km["survival"]).all()


def test_response_rates_with_repeated_index_labels():
    """Stacked waves repeat index labels: segment counts are taken by position, not by label."""
    ref = csl_stats.response_rates(SURVEY, SURVEY.iloc[::3], by="seg", id="id")
    stacked = SURVEY.set_axis(np.arange(N) % 7, axis=0)
    res = csl_stats.response_rates(stacked, stacked.iloc[::3], by="seg", id="id")
    pd.testing.assert_frame_equal(res.table, ref.table)
    assert int(res.table.loc["all", "invited"]) == N


@pytest.mark.parametrize("x", [pd.Index(["sat1", "trs1"]), np.array(["sat1", "trs1"]), ("sat1", "trs1"),
                               pd.Series(["sat1", "trs1"])])
def test_label_lists_accepted_in_every_form(x):
    ref = csl_stats.regress(SURVEY, "ysat", ["sat1", "trs1"])
    res = csl_stats.regress(SURVEY, "ysat", x)
    pd.testing.assert_frame_equal(res.coefs, ref.coefs)
    ri = csl_stats.relative_importance(SURVEY, "ysat", x)
    np.testing.assert_allclose(ri.table["importance"], csl_stats.relative_importance(SURVEY, "ysat", ["sat1", "trs1"]).table["importance"])


# ----------------------------------------------------------------------------- dates
def _text_orders(fmt: str) -> pd.DataFrame:
    return ORDERS.assign(date=ORDERS["date"].dt.strftime(fmt))


DATE_CALLS = [("rfm", lambda d, **kw: csl_stats.rfm(d, customer="customer", amount="amount", **kw)),
              ("retention", lambda d, **kw: csl_stats.retention(d, customer="customer", period="M", **kw)),
              ("customer_lifetimes", lambda d, **kw: csl_stats.customer_lifetimes(d, customer="customer", date="date",
                                                                                  inactivity=60, **kw))]


@pytest.mark.parametrize(("name", "fn"), DATE_CALLS, ids=[n for n, _ in DATE_CALLS])
def test_ambiguous_text_dates_refused_unless_format_given(name, fn):
    early = ORDERS[ORDERS["date"].dt.day <= 12]  # no day above 12: dd/mm and mm/dd both parse
    text = early.assign(date=early["date"].dt.strftime("%d/%m/%Y"))
    with pytest.raises(errors.DateError, match="dd/mm or mm/dd.*date_format"):
        fn(text)
    ref = fn(early.reset_index(drop=True))
    pd.testing.assert_frame_equal(fn(text.reset_index(drop=True), date_format="%d/%m/%Y"), ref)
    pd.testing.assert_frame_equal(fn(text.reset_index(drop=True), dayfirst=True), ref)
    # ISO text is unambiguous; a day above 12 settles dd/mm for the whole column
    pd.testing.assert_frame_equal(fn(_text_orders("%Y-%m-%d")), fn(ORDERS))
    pd.testing.assert_frame_equal(fn(_text_orders("%d/%m/%Y")), fn(ORDERS))


@pytest.mark.parametrize(("name", "fn"), DATE_CALLS, ids=[n for n, _ in DATE_CALLS])
def test_tz_aware_dates_bucketed_in_their_own_time_zone(name, fn):
    """23:30 on 31 March in Berlin is a March order, not an April one (never converted to UTC)."""
    local = ORDERS.assign(date=ORDERS["date"] + pd.Timedelta(hours=23, minutes=30))
    aware = local.assign(date=local["date"].dt.tz_localize("Asia/Tokyo"))
    pd.testing.assert_frame_equal(fn(aware), fn(local), check_dtype=False)


@pytest.mark.parametrize(("name", "fn"), DATE_CALLS, ids=[n for n, _ in DATE_CALLS])
def test_mixed_utc_offsets_refused_with_the_fix(name, fn):
    text = _text_orders("%Y-%m-%dT10:00:00")
    text["date"] = text["date"] + np.where(np.arange(len(text)) % 2 == 0, "+01:00", "+02:00")
    with pytest.raises(errors.DateError, match="UTC offsets.*tz_convert"):
        fn(text)
    bad = _text_orders("%Y-%m-%d")
    bad.loc[3, "date"] = "next tuesday"
    with pytest.raises(errors.DateError, match="'next tuesday'"):
        fn(bad)


# ----------------------------------------------------------------------------- pairing by index
def test_series_paired_on_their_index_not_by_position():
    rec, w = SURVEY["rec"], pd.Series(np.linspace(0.5, 2.0, N), index=SURVEY.index)
    shuffled = w.sample(frac=1.0, random_state=1)
    assert csl_stats.nps(rec, weights=shuffled).score == pytest.approx(csl_stats.nps(rec, weights=w).score)
    a, b = SURVEY["rec"], SURVEY["sat1"] + 3
    ref = csl_stats.nps_test(a, b, paired=True)
    assert csl_stats.nps_test(a, b.sample(frac=1.0, random_state=2), paired=True).diff == pytest.approx(ref.diff)
    seg = csl_stats.dick_basu_segments(SURVEY["sat1"], SURVEY["orders"])
    seg2 = csl_stats.dick_basu_segments(SURVEY["sat1"], SURVEY["orders"].sample(frac=1.0, random_state=3))
    pd.testing.assert_series_equal(seg, seg2)
    other = w.set_axis(np.arange(N) + 1000)
    for fn in (lambda: csl_stats.nps(rec, weights=other),
               lambda: csl_stats.nps_test(a, other.round() % 11, paired=True),
               lambda: csl_stats.dick_basu_segments(SURVEY["sat1"], other)):
        with pytest.raises(errors.AlignmentError, match="different index labels"):
            fn()


# ----------------------------------------------------------------------------- degenerate inputs
def test_degenerate_inputs_refused_not_silent():
    with pytest.raises(errors.InsufficientDataError, match="at least 5 valid answers per group"):
        csl_stats.nps_test([10], [3])
    with pytest.raises(errors.ConstantError, match="standard error is 0"):
        csl_stats.nps_test([10] * 6, [3] * 6)
    with pytest.raises(errors.ConstantError, match="attitudinal is constant"):
        csl_stats.dick_basu_segments([4.0] * 6, [1, 2, 3, 4, 5, 6])
    with pytest.raises(errors.ConstantError, match="nobody is above its median"):
        csl_stats.dick_basu_segments([1, 7, 7, 7, 7, 7], [1, 2, 3, 4, 5, 6])
    m = pd.DataFrame([[1, 2, 3], [0.5, 1, 2], [1 / 3, 0.5, 1]], index=["a", "b", "a"], columns=["a", "b", "a"])
    with pytest.raises(errors.DuplicateColumnError, match=r"\['a'\]"):
        csl_stats.ahp_weights(m)
    with pytest.raises(errors.ArgumentError, match="tol must be a number, not NaN"):
        csl_stats.ahp_weights([[1, 2], [0.4, 1]], tol=float("nan"))
    # moderation: as many rows as coefficients (4) plus one is the minimum
    with pytest.raises(errors.InsufficientDataError, match=r"at least 5 complete rows \(for 4 coefficients\)"):
        csl_stats.moderation(SURVEY.iloc[:4], "sat1", "swc", "ysat")
    res = csl_stats.moderation(SURVEY.iloc[:5], "sat1", "swc", "ysat")
    assert np.isfinite(res.coefs["se"]).all()
    clash = SURVEY[["sat1", "swc", "ysat"]].set_axis([1, "w", "y"], axis=1).assign(**{"1": SURVEY["trs1"]})
    with pytest.raises(errors.ModelSpecificationError, match="would both be named '1'"):
        csl_stats.moderation(clash, 1, "w", "y", covariates="1")
    # pls_pm: every structural regression keeps a residual degree of freedom
    with pytest.raises(errors.InsufficientDataError, match="at least 4 complete rows"):  # LOY has 2 predecessors
        csl_stats.pls_pm(SURVEY.iloc[1:4], MM, SM)  # 3 rows, no constant item
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", errors.ReverseKeyWarning)  # tiny samples: loadings may flip
        small = csl_stats.pls_pm(SURVEY.iloc[:8], MM, SM)
    assert np.isfinite(small.r2_adj).all() and (small.r2 < 1).all()


def test_ahp_weights_keeps_every_weight():
    m = csl_stats.ahp_weights([[1, 3], [1 / 3, 1]])
    assert len(m.weights.to_dict()) == 2


def test_threshold_analytic_p_value_reproducible_with_rng():
    kw = dict(ci_method="analytic", grid=10, n_boot=199)
    a = csl_stats.threshold_regression(SURVEY, "sat1", "ysat", rng=5, **kw)
    b = csl_stats.threshold_regression(SURVEY, "sat1", "ysat", rng=5, **kw)
    assert a.p_value == b.p_value and 0 < a.p_value <= 1
    assert math.isnan(csl_stats.threshold_regression(SURVEY, "sat1", "ysat", ci_method="analytic", grid=10,
                                                     n_boot=0).p_value)


# ----------------------------------------------------------------------------- stacklevel
WARNING_CALLS: list[tuple[str, type[Warning], Callable[[], Any]]] = [
    ("cronbach_alpha missing", errors.MissingDataWarning,
     lambda: csl_stats.cronbach_alpha(SURVEY.assign(sat1=np.where(np.arange(N) % 2 == 0, np.nan, SURVEY["sat1"])), SAT)),
    ("kmo missing", errors.MissingDataWarning,
     lambda: csl_stats.kmo(SURVEY.assign(sat1=np.where(np.arange(N) % 2 == 0, np.nan, SURVEY["sat1"])), ALL_ITEMS)),
    ("regress missing", errors.MissingDataWarning,
     lambda: csl_stats.regress(SURVEY.assign(sat1=np.where(np.arange(N) % 2 == 0, np.nan, SURVEY["sat1"])), "ysat", "sat1")),
    ("ahp inconsistent", errors.InconsistencyWarning,
     lambda: csl_stats.ahp_weights([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])),
    ("regress separation", errors.SeparationWarning,
     lambda: csl_stats.regress(SURVEY.assign(b=(SURVEY["sat1"] > 4).astype(float)), "b", "sat1", family="binomial")),
    ("scale_scores reverse", errors.ReverseKeyWarning,
     lambda: csl_stats.scale_scores(SURVEY.assign(sat2=8 - SURVEY["sat2"]), {"sat": SAT})),
    ("pls reverse", errors.ReverseKeyWarning,
     lambda: csl_stats.pls_pm(SURVEY.assign(sat2=8 - SURVEY["sat2"]), MM, SM)),
    ("cfa missing", errors.MissingDataWarning,
     lambda: csl_stats.cfa(SURVEY.assign(sat1=np.where(np.arange(N) % 3 == 0, np.nan, SURVEY["sat1"])), MM)),
    ("sem missing", errors.MissingDataWarning,
     lambda: csl_stats.sem(SURVEY.assign(sat1=np.where(np.arange(N) % 3 == 0, np.nan, SURVEY["sat1"])), MM, SM)),
    ("survival missing", errors.MissingDataWarning,
     lambda: csl_stats.survival(SURVEY.assign(tenure=np.where(np.arange(N) % 3 == 0, np.nan, SURVEY["tenure"])),
                                "tenure", "churned")),
    ("process missing", errors.MissingDataWarning,
     lambda: csl_stats.process(SURVEY.assign(sat1=np.where(np.arange(N) % 3 == 0, np.nan, SURVEY["sat1"])), 1,
                               x="sat1", w="swc", y="ysat")),
    ("pls_mga invariance", errors.InvarianceWarning,  # issue 19a: loyalty shifted in one segment (MICOM step 3)
     lambda: csl_stats.pls_mga(SURVEY.assign(**{c: SURVEY[c] + 3.0 * (SURVEY["seg"] == "north") for c in LOY}),
                               MM, SM, "seg", n_perm=100, n_boot=0, rng=1)),
]


@pytest.mark.parametrize(("name", "category", "fn"), WARNING_CALLS, ids=[n for n, _, _ in WARNING_CALLS])
def test_warnings_point_at_the_callers_line(name, category, fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn()
    ours = [w for w in rec if issubclass(w.category, category)]
    assert ours, f"{name}: no {category.__name__}"
    assert {w.filename for w in ours} == {__file__}


# ----------------------------------------------------------------------------- property test
LOST = ["churned", "tenure", "complaints", "resolved"]  # numeric columns of the lost-customer functions


@st.composite
def hazardous_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, Callable[[Any], Any], dict[str, Any]]:
    """A survey frame with a random mix of hazards, and the label map to use."""
    n = draw(st.sampled_from([6, 12, 40, N]))
    data = SURVEY.iloc[:n].copy()
    hz: dict[str, Any] = {}
    if draw(st.booleans()):
        hz["nullable"] = True
        for c in draw(st.lists(st.sampled_from(ALL_ITEMS + ["rec", "orders"] + LOST), max_size=4, unique=True)):
            data[c] = data[c].astype("Int64" if c not in ("orders", "resolved") else "Float64")
    if draw(st.booleans()):
        c = draw(st.sampled_from(ALL_ITEMS + ["rec"] + LOST))
        data[c] = (data[c] > data[c].median()).astype(draw(st.sampled_from(["bool", "boolean"])))
        hz["bool"] = c
    if draw(st.booleans()):
        c = draw(st.sampled_from(ALL_ITEMS + ["orders", "ysat", "spend", "reason"] + LOST))
        data[c] = np.nan
        hz["all_nan"] = c
    if draw(st.booleans()):
        c = draw(st.sampled_from(ALL_ITEMS))
        data[c] = 8 - data[c]
        hz["reversed"] = c
    if draw(st.booleans()):
        k = draw(st.integers(1, 3))
        c = draw(st.sampled_from(ALL_ITEMS + ["rec", "ysat", "id", "seg"] + LOST))
        if data[c].dtype == bool:
            data[c] = data[c].astype("boolean")
        data.loc[data.index[:k], c] = pd.NA
    if draw(st.booleans()):
        data.index = np.arange(n) // 2
        hz["dup_index"] = True
    L: Callable[[Any], Any] = identity
    if draw(st.booleans()):
        data, L = as_multiindex(data)
        hz["multiindex"] = True
    return data, L, hz


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(frame=hazardous_frames(), call=st.sampled_from(SURVEY_CALLS + NEW_SURVEY_CALLS))
def test_property_result_or_own_error(frame, call):
    """Any mix of hazards: a valid result (finite promised numbers) or a csl_stats.errors exception."""
    data, L, _ = frame
    try:
        res = run_quiet(call, data, L)
    except errors.CSLError:
        return
    finite_numbers(call, res)


@st.composite
def hazardous_orders(draw: st.DrawFn) -> pd.DataFrame:
    data = ORDERS.copy()
    kind = draw(st.sampled_from(["datetime", "iso", "dmy", "mdy", "tz", "tz_text", "mixed_offsets", "object"]))
    if kind == "iso":
        data["date"] = data["date"].dt.strftime("%Y-%m-%d")
    elif kind == "dmy":
        data["date"] = data["date"].dt.strftime("%d/%m/%Y")
    elif kind == "mdy":
        data["date"] = data["date"].dt.strftime("%m/%d/%Y")
    elif kind == "tz":
        data["date"] = data["date"].dt.tz_localize(draw(st.sampled_from(["UTC", "Europe/Berlin", "America/Chicago"])))
    elif kind == "tz_text":
        data["date"] = data["date"].dt.strftime("%Y-%m-%dT%H:%M:%S") + "+05:30"
    elif kind == "mixed_offsets":
        data["date"] = data["date"].dt.strftime("%Y-%m-%dT%H:%M:%S") + np.where(
            np.arange(len(data)) % 3 == 0, "+01:00", "-04:00")
    elif kind == "object":
        data["date"] = data["date"].astype(object)
    if draw(st.booleans()):
        data = data.iloc[: draw(st.integers(1, 10))]
    if draw(st.booleans()):
        data.index = np.arange(len(data)) // 2
    return data


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=hazardous_orders(), call=st.sampled_from(ORDER_CALLS))
def test_property_orders_result_or_own_error(data, call):
    try:
        res = run_quiet(call, data)
    except errors.CSLError:
        return
    finite_numbers(call, res)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    a=st.lists(st.one_of(st.integers(1, 7).map(float), st.just(float("nan")), st.just(4.0)), min_size=1, max_size=12),
    b=st.lists(st.one_of(st.integers(0, 20).map(float), st.just(float("nan"))), min_size=1, max_size=12),
    shuffle=st.booleans(),
    other_index=st.booleans(),
)
def test_property_dick_basu_segments(a, b, shuffle, other_index):
    n = min(len(a), len(b))
    sa = pd.Series(a[:n], index=[f"c{i}" for i in range(n)])
    sb = pd.Series(b[:n], index=sa.index)
    if shuffle:
        sb = sb.iloc[::-1]
    if other_index:
        sb.index = [f"x{i}" for i in range(n)]
    try:
        seg = csl_stats.dick_basu_segments(sa, sb)
    except errors.CSLError:
        return
    assert not other_index  # different labels must never be paired by position
    both = sa.notna() & sb.reindex(sa.index).notna()
    assert seg.index.equals(sa.index) and seg[both].notna().all() and seg[~both].isna().all()
    assert seg[both].nunique() >= 2  # never a silent one-segment split


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    upper=st.lists(st.sampled_from([1 / 9, 1 / 5, 1 / 3, 0.5, 1.0, 2.0, 3.0, 5.0, 9.0]), min_size=1, max_size=10),
    labels=st.lists(st.sampled_from(["cost", "quality", "delivery", "service", ("a", "b")]), min_size=2, max_size=5),
    tol=st.one_of(st.just(0.01), st.floats(allow_nan=True), st.text(max_size=2)),
)
def test_property_ahp_weights(upper, labels, tol):
    k = 2
    while k * (k - 1) // 2 <= len(upper) and k < 5:
        k += 1
    k -= 1
    m = np.ones((k, k))
    it = iter(upper)
    for i in range(k):
        for j in range(i + 1, k):
            m[i, j] = next(it)
            m[j, i] = 1 / m[i, j]
    lab = (labels * k)[:k]
    frame = pd.DataFrame(m, index=lab, columns=lab) if len(lab) == k else m
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.InconsistencyWarning)
            res = csl_stats.ahp_weights(frame, tol=tol)
    except errors.CSLError:
        return
    w = res.weights
    assert len(w.to_dict()) == k and np.isfinite(w).all() and w.sum() == pytest.approx(1.0)
    assert np.isfinite(res.consistency_ratio)
