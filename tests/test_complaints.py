"""Tests for complaint rates, service recovery, churn reasons and rating versus behaviour (issue 13).

Reference values: tests/reference/complaints.R (MASS::glm.nb, glm, chisq.test, prop.test,
sandwich::vcovHC) on the packaged survey; outputs in tests/reference/complaints.json.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, ColumnNotFoundError, DataError, InsufficientDataError

matplotlib.use("Agg")

R = json.loads((Path(__file__).resolve().parent / "reference" / "complaints.json").read_text())


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    s = csl_stats.load_supply_chain_survey()
    def score(cols):  # as R's rowMeans: missing if any item is missing
        return s[cols].mean(axis=1, skipna=False)

    return s.assign(sat=score(["sat1", "sat2", "sat3"]), qlt=score(["qlt1", "qlt2", "qlt3", "qlt4"]),
                    dlv=score(["dlv1", "dlv2", "dlv3"]))


# ============================================================================ complaint rates
def test_negative_binomial_rates_against_R(survey):
    """MASS::glm.nb(complaints_12m ~ 0 + size) and ~ size (rate ratios), logLik of ~ 1."""
    res = csl_stats.complaint_rates(survey, by="size")
    ref = R["negbin"]
    np.testing.assert_allclose(np.log(res.rates["rate"]), ref["coef"], rtol=1e-5)
    z = 1.959963984540054
    np.testing.assert_allclose(np.log(res.rates["ci_high"]) - np.log(res.rates["rate"]), z * np.array(ref["se"]),
                               rtol=1e-3)
    np.testing.assert_allclose(np.log(res.rates["rate_ratio"].iloc[1:]), ref["rr_coef"], rtol=1e-4)
    np.testing.assert_allclose(np.log(res.rates["rr_ci_high"].iloc[1:] / res.rates["rate_ratio"].iloc[1:]),
                               z * np.array(ref["rr_se"]), rtol=1e-3)
    np.testing.assert_allclose(res.alpha, ref["alpha"], rtol=1e-3)
    np.testing.assert_allclose(res.lr_test["statistic"].iloc[0], 2 * (ref["loglik"] - ref["loglik0"]), rtol=1e-4)
    assert res.rates["n"].sum() == len(survey) and res.n_obs == len(survey)


def test_poisson_rates_dispersion_and_exposure_against_R(survey):
    """glm(complaints_12m ~ 0 + size, poisson); Pearson dispersion; offset(log(orders_12m))."""
    res = csl_stats.complaint_rates(survey, by="size", family="poisson")
    np.testing.assert_allclose(np.log(res.rates["rate"]), R["poisson"]["coef"], rtol=1e-6)
    np.testing.assert_allclose(res.dispersion, R["poisson"]["dispersion"], rtol=1e-6)
    assert res.alpha == 0.0
    # rates are per customer: the Poisson MLE of a cell is its mean
    np.testing.assert_allclose(res.rates["rate"], survey.groupby("size")["complaints_12m"].mean(), rtol=1e-8)
    pos = survey[survey["orders_12m"] > 0]
    per_order = csl_stats.complaint_rates(pos, by="size", exposure="orders_12m", family="poisson")
    np.testing.assert_allclose(np.log(per_order.rates["rate"]), R["poisson_exposure"]["coef"], rtol=1e-6)


def test_complaint_rates_bad_input(survey):
    with pytest.raises(DataError, match="whole numbers"):
        csl_stats.complaint_rates(survey.assign(complaints_12m=survey["complaints_12m"] - 5), by="size")
    with pytest.raises(DataError, match="exposure"):
        csl_stats.complaint_rates(survey, by="size", exposure="orders_12m")  # some customers have 0 orders
    with pytest.raises(InsufficientDataError, match="level"):
        csl_stats.complaint_rates(survey.assign(one="x"), by="one")
    with pytest.raises(ColumnNotFoundError):
        csl_stats.complaint_rates(survey, by="segment")


# ============================================================================ service recovery
def test_service_recovery_groups_and_adjusted_contrasts_against_R(survey):
    """lm(sat ~ grp + qlt + dlv) with sandwich::vcovHC(type = "HC3")."""
    res = csl_stats.service_recovery(survey, "sat", covariates=["qlt", "dlv"])
    ref = R["recovery"]
    assert res.n_obs == ref["n"]
    np.testing.assert_allclose(res.contrasts["adjusted"].iloc[:2], ref["coef"], rtol=1e-8)
    np.testing.assert_allclose(res.contrasts["se"].iloc[:2], ref["se"], rtol=1e-6)
    # raw differences are differences of the group means
    g = res.groups["mean"]
    np.testing.assert_allclose(res.contrasts.loc["resolved - not resolved", "raw"], g["resolved"] - g["not resolved"])
    # churn: group shares by hand, Wilson intervals
    churn = csl_stats.service_recovery(survey, "churned")
    none = survey.loc[survey["complaints_12m"] == 0, "churned"]
    assert churn.groups.loc["no complaint", "n"] == len(none)
    np.testing.assert_allclose(churn.groups.loc["no complaint", "mean"], none.mean())
    assert churn.groups["ci_low"].lt(churn.groups["mean"]).all()


def test_service_recovery_bad_input(survey):
    bad = survey.copy()
    bad.loc[bad["complaints_12m"] > 0, "complaint_resolved"] = np.nan
    with pytest.raises(DataError, match="0 or 1 for customers who complained"):
        csl_stats.service_recovery(bad, "churned")
    with pytest.raises(InsufficientDataError, match="not resolved"):
        csl_stats.service_recovery(survey.assign(complaint_resolved=1.0), "churned")


# ============================================================================ churn reasons
def test_churn_reasons_shares_wilson_and_test_against_R(survey):
    """prop.test(27, 115, correct = FALSE)$conf.int; chisq.test(table(size, reason), correct = FALSE)."""
    res = csl_stats.churn_reasons(survey)
    price = res.shares.set_index("reason").loc["price"]
    assert (price["count"], price["n"]) == (27, 115)
    np.testing.assert_allclose([price["ci_low"], price["ci_high"]], R["wilson_price"], rtol=1e-10)
    by = csl_stats.churn_reasons(survey, by="size", rng=1, n_resamples=999)
    np.testing.assert_allclose(by.test["statistic"].iloc[0], R["reasons"]["chisq"], rtol=1e-10)
    np.testing.assert_allclose(by.test["p"].iloc[0], R["reasons"]["p"], rtol=1e-8)
    assert by.test["df"].iloc[0] == R["reasons"]["df"]
    assert abs(by.test["p_monte_carlo"].iloc[0] - by.test["p"].iloc[0]) < 0.08
    assert by.counts().to_numpy().sum() == 115
    # shares within each group add up to one
    np.testing.assert_allclose(by.shares.groupby("group")["share"].sum(), 1.0)


def test_goodman_intervals_are_wider_and_hold_by_formula(survey):
    w = csl_stats.churn_reasons(survey)
    g = csl_stats.churn_reasons(survey, ci_method="goodman")
    assert (g.shares["ci_high"] - g.shares["ci_low"] > w.shares["ci_high"] - w.shares["ci_low"]).all()
    # Goodman: Wilson form with chi2_1 quantile at 1 - 0.05 / k
    from scipy import stats

    k, n, x = 6, 115, 27
    a = stats.chi2.ppf(1 - 0.05 / k, 1)
    p = x / n
    lo = (a + 2 * x - math.sqrt(a * (a + 4 * x * (n - x) / n))) / (2 * (n + a))
    np.testing.assert_allclose(g.shares.loc[g.shares["reason"] == "price", "ci_low"].iloc[0], lo, rtol=1e-10)
    assert 0 < lo < p


def test_churn_reasons_plot_shows_counts(survey):
    import matplotlib.pyplot as plt

    res = csl_stats.churn_reasons(survey, by="size", n_resamples=0)
    fig = csl_stats.plot_churn_reasons(res)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "2/17" in labels  # price among large customers: 2 of 17 answers
    plt.close(fig)
    with pytest.raises(ArgumentError):
        csl_stats.plot_churn_reasons(res.shares)


def test_churn_reasons_bad_input(survey):
    with pytest.raises(InsufficientDataError, match="no reasons"):
        csl_stats.churn_reasons(survey.assign(churn_reason=np.nan))
    with pytest.raises(InsufficientDataError, match="need two"):
        csl_stats.churn_reasons(survey.assign(one="x"), by="one")
    with pytest.raises(ArgumentError, match="ci_method"):
        csl_stats.churn_reasons(survey, ci_method="exact")


# ============================================================================ rating versus behaviour
def test_rating_vs_behaviour_table_by_hand(survey):
    res = csl_stats.rating_vs_behaviour(survey, "recommend", "churned", by="size", min_n=5)
    sub = survey[(survey["size"] == "small") & (survey["recommend"] == 8)]
    row = res.table[(res.table["group"] == "small") & (res.table["rating"] == 8)].iloc[0]
    assert row["n"] == len(sub) and row["mean"] == pytest.approx(sub["churned"].mean())
    assert res.binary and (res.table["n"] >= 5).all()
    assert (res.trend["rho"] < 0).all()  # higher recommendation, less churn, in every size class
    sow = csl_stats.rating_vs_behaviour(survey, "sat", "share_of_wallet", bins=5)
    assert not sow.binary and sow.table["rating"].nunique() == 5
    assert sow.n_obs == survey[["sat", "share_of_wallet"]].dropna().shape[0]


def test_rating_vs_behaviour_plot(survey):
    import matplotlib.pyplot as plt

    res = csl_stats.rating_vs_behaviour(survey, "sat1", "churned", by="size")
    fig = csl_stats.plot_rating_vs_behaviour(res)
    assert len(fig.axes) == 3 and fig.axes[0].get_title(loc="left") == "size = large"
    first = res.table[res.table["group"] == "large"].iloc[0]
    assert f"n = {int(first['n'])}" in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    with pytest.raises(ArgumentError):
        csl_stats.plot_rating_vs_behaviour(None)
