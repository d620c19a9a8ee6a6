"""WLSMV with a mix of ordered and continuous indicators (cfa / sem with ordered=[subset]), against lavaan 0.6.

Reference: ``tests/reference/mixed_wlsmv.R`` (output ``mixed_wlsmv.json``), on the survey with the
satisfaction, trust and loyalty items ordered and ``recommend`` (0-10) and ``share_of_wallet`` continuous.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_names import WLSMV_FIT_NAMES
from scipy import stats

import csl_stats
from csl_stats.errors import ModelSpecificationError, ScaleError

REF = json.loads((Path(__file__).parent / "reference" / "mixed_wlsmv.json").read_text())

CONT = ["recommend", "share_of_wallet"]
M = {"sat": ["sat1", "sat2", "sat3"], "trs": ["trs1", "trs2", "trs3", "trs4"],
     "loy": ["loy1", "loy2", "loy3", "loy4", "recommend", "share_of_wallet"]}
ORDERED = [it for its in M.values() for it in its if it not in CONT]
PATHS = [("sat", "trs"), ("sat", "loy"), ("trs", "loy")]
# a construct whose marker is continuous, and a construct with one continuous indicator
M2 = {"loy": ["share_of_wallet", "loy1", "loy2", "loy3"], "sat": ["sat1", "sat2", "sat3", "recommend"]}
ORDERED2 = ["loy1", "loy2", "loy3", "sat1", "sat2", "sat3"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    s = csl_stats.load_supply_chain_survey()
    s["loy4"] = 8 - s["loy4"]  # reverse-keyed item, recoded first (as in the R script)
    return s


def _compare(params: pd.DataFrame, fit: pd.Series, ref: dict, *, atol: float) -> None:
    """Every free parameter of lavaan (incl. the intercepts ``~1`` of continuous indicators), its SE,
    std.all and its SE, and every fit measure (lavaan's NA -> NaN) within ``atol``."""
    lav = pd.DataFrame({k: ref[k] for k in ("lhs", "op", "rhs", "est", "se", "std_est", "std_se")})
    lav["rhs"] = lav["rhs"].fillna("")
    lav = lav[lav["op"].isin(["=~", "~", "|", "~~", "~1"])]
    loads = lav[lav["op"] == "=~"]
    ours = params.set_index(["lhs", "op", "rhs"])
    for f in loads["lhs"].unique():  # std.lv: the sign of a factor is arbitrary (ours: first loading positive)
        first = loads[loads["lhs"] == f].iloc[0]
        if np.sign(first["est"]) != np.sign(ours.loc[(f, "=~", first["rhs"]), "estimate"]):
            rows = ((lav["op"] == "=~") & (lav["lhs"] == f)) | (
                (lav["op"] == "~~") & (lav["lhs"] != lav["rhs"]) & ((lav["lhs"] == f) ^ (lav["rhs"] == f)))
            lav.loc[rows, ["est", "std_est"]] *= -1
    lav = lav.set_index(["lhs", "op", "rhs"])
    free = lav[lav["se"] > 0]
    assert len(free) == int(ref["fit"]["npar"])
    missing = [k for k in free.index if k not in ours.index]
    assert not missing  # every free parameter of lavaan is in our table
    keys = [k for k in lav.index if k in ours.index]
    for mine, theirs in (("estimate", "est"), ("se", "se"), ("std_estimate", "std_est")):
        np.testing.assert_allclose(ours.loc[keys, mine], lav.loc[keys, theirs], atol=atol, err_msg=mine)
    fk = [k for k in keys if lav.loc[k, "std_se"] == lav.loc[k, "std_se"]]  # lavaan: NA for fixed rows
    np.testing.assert_allclose(ours.loc[fk, "std_se"], lav.loc[fk, "std_se"], atol=atol, err_msg="std_se")
    for mine, theirs in WLSMV_FIT_NAMES.items():
        want = ref["fit"][theirs]
        if want == "NA":  # lavaan's robust (catML) measures are not defined with continuous indicators
            assert np.isnan(fit[mine]), mine
            continue
        tol = 1e-4 if "_ci_" in mine else atol  # lavaan's uniroot for the RMSEA limits stops near 1e-4
        assert fit[mine] == pytest.approx(want, abs=tol, rel=1e-6), mine


def test_wlsmv_mixed_cfa_against_R(survey):
    """R: ``cfa("sat =~ sat1 + sat2 + sat3; trs =~ trs1 + ... + trs4; loy =~ loy1 + ... + loy4 + recommend +
    share_of_wallet", ordered = c(sat, trs and loy items), estimator = "WLSMV", std.lv = TRUE,
    missing = "pairwise")``: loadings, thresholds, intercepts and residual variances of the continuous
    indicators, SEs, std.all and ``fitMeasures`` (scaled-shifted chi-square, CFI/TLI/RMSEA, SRMR)."""
    ref = REF["cfa_mixed_pairwise"]
    res = csl_stats.cfa(survey, M, ordered=ORDERED, estimator="wlsmv", nan_policy="pairwise")
    assert res.n_obs == ref["n"] and res.converged
    _compare(res.params, res.fit_indices, ref, atol=1e-5)
    # lavaan's implied covariance matrix: unit diagonal for the latent responses, raw metric for continuous
    np.testing.assert_allclose(res.implied_cov.to_numpy(), np.array(ref["implied"]), atol=1e-5)
    # thresholds of ordered items only; intercepts of continuous indicators are their sample means
    assert set(res.thresholds["item"]) == set(ORDERED)
    nu = res.params[res.params["op"] == "~1"].set_index("lhs")["estimate"]
    np.testing.assert_allclose(nu[CONT], survey[CONT].mean(), rtol=1e-12)
    # the fitted matrix: polychoric / polyserial correlations, covariances for the continuous indicators
    pc = csl_stats.polychoric(survey, res.sample_cov.columns.tolist(), continuous=CONT)
    sd = np.sqrt(pc.moments.set_index("variable")["variance"])
    assert res.sample_cov.loc["recommend", "recommend"] == pytest.approx(sd["recommend"] ** 2, rel=1e-12)
    assert res.sample_cov.loc["sat1", "share_of_wallet"] == pytest.approx(
        pc.correlation.loc["sat1", "share_of_wallet"] * sd["share_of_wallet"], rel=1e-12)


def test_wlsmv_mixed_statistics_order_against_R(survey):
    """R: ``lavInspect(fit, "wls.obs")`` of the mixed CFA: the sample statistics DWLS fits, in lavaan's
    order (thresholds and minus the means variable by variable, the variances of the continuous
    indicators, then the correlations / covariances), equal those of ``polychoric(..., continuous=...)``."""
    for name, items, cont in (("cfa_mixed_pairwise", [it for its in M.values() for it in its], CONT),
                              ("sem_marker_continuous", [it for its in M2.values() for it in its], CONT)):
        ref = REF[name]
        pc = csl_stats.polychoric(survey, items, continuous=cont, nan_policy="pairwise")
        assert list(pc.wls_obs.index) == ref["wls_names"]
        np.testing.assert_allclose(pc.wls_obs.to_numpy(), ref["wls_obs"], atol=1e-6)


def test_wlsmv_mixed_sem_against_R(survey):
    """R: ``sem(<the mixed CFA model>; trs ~ sat; loy ~ sat + trs, ordered = ..., estimator = "WLSMV",
    missing = "pairwise")`` (marker identification, loy1 ordered marker): paths, loadings, thresholds,
    intercepts, (residual) variances, SEs, std.all and ``fitMeasures``."""
    ref = REF["sem_mixed_pairwise"]
    res = csl_stats.sem(survey, M, PATHS, ordered=ORDERED, estimator="wlsmv", nan_policy="pairwise")
    assert res.n_obs == ref["n"] and res.estimator == "wlsmv"
    _compare(res.params, res.fit_indices, ref, atol=1e-5)
    assert 0 < res.r2["loy"] < 1


def test_wlsmv_mixed_continuous_marker_against_R(survey):
    """R: ``sem("loy =~ share_of_wallet + loy1 + loy2 + loy3; sat =~ sat1 + sat2 + sat3 + recommend;
    loy ~ sat", ordered = c("loy1", "loy2", "loy3", "sat1", "sat2", "sat3"), estimator = "WLSMV",
    missing = "pairwise")``: the scale of loy is that of share of wallet (a continuous marker)."""
    ref = REF["sem_marker_continuous"]
    res = csl_stats.sem(survey, M2, [("sat", "loy")], ordered=ORDERED2, estimator="wlsmv", nan_policy="pairwise")
    _compare(res.params, res.fit_indices, ref, atol=1e-5)


def test_wlsmv_mixed_listwise_against_R(survey):
    """R: the mixed CFA on the complete cases (``missing = "listwise"``). lavaan's two-step polyserial
    estimate of (trs1, recommend) there, 0.398, is not the maximum of its likelihood: ours, 0.375, has a
    higher two-step log-likelihood; every other statistic agrees to 1e-6. The DWLS fits differ through that
    one statistic (by up to 0.013 for the residual variance of recommend); the satisfaction loadings,
    furthest from it, agree to 1e-4, and the counts (n, parameters, df) exactly."""
    ref = REF["cfa_mixed_listwise"]
    x = survey[ORDERED + CONT].dropna()
    items = [it for its in M.values() for it in its]
    pc = csl_stats.polychoric(x, items, continuous=CONT, nan_policy="listwise")
    lav = pd.Series(ref["wls_obs"], index=ref["wls_names"])
    assert list(pc.wls_obs.index) == list(lav.index)
    diff = (pc.wls_obs - lav).abs()
    assert diff.drop("trs1~~recommend").max() < 1e-6
    # the two-step log-likelihood of the pair (thresholds of trs1 fixed, recommend standardised by its ML SD)
    t = x["trs1"].to_numpy().astype(int)
    sd = x["recommend"].std(ddof=0)
    z = ((x["recommend"] - x["recommend"].mean()) / sd).to_numpy()
    tau = np.concatenate([[-np.inf], pc.thresholds.query("item == 'trs1'")["estimate"], [np.inf]])

    def loglik(r):
        s = np.sqrt(1 - r * r)
        return np.sum(np.log(stats.norm.cdf((tau[t] - r * z) / s) - stats.norm.cdf((tau[t - 1] - r * z) / s)))

    ours, theirs = pc.wls_obs["trs1~~recommend"] / sd, lav["trs1~~recommend"] / sd
    assert ours == pytest.approx(0.375, abs=1e-3) and theirs == pytest.approx(0.398, abs=1e-3)
    assert loglik(ours) > loglik(theirs) + 0.1
    res = csl_stats.cfa(x, M, ordered=ORDERED, estimator="wlsmv", nan_policy="listwise")
    assert res.n_obs == ref["n"] == 656
    ref_p = pd.DataFrame({k: ref[k] for k in ("lhs", "op", "rhs", "est")}).set_index(["lhs", "op", "rhs"])
    sat = [("sat", "=~", it) for it in M["sat"]]
    np.testing.assert_allclose(res.params.set_index(["lhs", "op", "rhs"]).loc[sat, "estimate"],
                               ref_p.loc[sat, "est"], atol=1e-4)
    assert res.fit_indices["npar"] == ref["fit"]["npar"] and res.fit_indices["df"] == ref["fit"]["df"]


def test_wlsmv_mixed_unit_of_continuous_indicator(survey):
    """Share of wallet in percent instead of a proportion: its loading, intercept and residual variance
    change unit, the standardized solution, the thresholds and every fit measure do not."""
    base = csl_stats.cfa(survey, M, ordered=ORDERED, estimator="wlsmv", nan_policy="pairwise")
    pct = csl_stats.cfa(survey.assign(share_of_wallet=100 * survey["share_of_wallet"]), M, ordered=ORDERED,
                        estimator="wlsmv", nan_policy="pairwise")
    b, p = base.params.set_index(["lhs", "op", "rhs"]), pct.params.set_index(["lhs", "op", "rhs"])
    np.testing.assert_allclose(p["std_estimate"], b["std_estimate"], atol=1e-7)
    assert p.loc[("loy", "=~", "share_of_wallet"), "estimate"] == pytest.approx(
        100 * b.loc[("loy", "=~", "share_of_wallet"), "estimate"], rel=1e-6)
    assert p.loc[("share_of_wallet", "~~", "share_of_wallet"), "estimate"] == pytest.approx(
        1e4 * b.loc[("share_of_wallet", "~~", "share_of_wallet"), "estimate"], rel=1e-6)
    fit = base.fit_indices.dropna()
    np.testing.assert_allclose(pct.fit_indices[fit.index], fit, rtol=1e-6, atol=1e-9)


def test_wlsmv_mixed_bad_input(survey):
    # 11 answer values (0-10): WLSMV would need 10 thresholds; the message says to leave it out of ordered
    with pytest.raises(ScaleError, match=r"'recommend'.*leave it out of ordered"):
        csl_stats.cfa(survey, M, ordered=ORDERED + ["recommend"], estimator="wlsmv", nan_policy="pairwise")
    # a binary "continuous" indicator: list it in ordered
    two = survey.assign(share_of_wallet=(survey["share_of_wallet"] > 0.5).astype(float))
    with pytest.raises(ScaleError, match=r"'share_of_wallet' takes only two values.*list it in ordered"):
        csl_stats.cfa(two, M, ordered=ORDERED, estimator="wlsmv", nan_policy="pairwise")
    # multi-group WLSMV keeps refusing a mix, naming the items left out
    with pytest.raises(ModelSpecificationError, match=r"leaves out item\(s\) \['recommend', 'share_of_wallet'\]"):
        csl_stats.measurement_invariance(survey, M, "size", ordered=ORDERED, estimator="wlsmv",
                                         nan_policy="pairwise")
    before = survey.copy()
    csl_stats.cfa(survey, M, ordered=ORDERED, estimator="wlsmv", nan_policy="pairwise")
    pd.testing.assert_frame_equal(survey, before)  # the caller's data are not touched


def test_wlsmv_observed_outcome_against_R(survey):
    """R: ``sem("sat =~ sat1 + sat2 + sat3; share_of_wallet ~ sat", ordered = c("sat1", "sat2", "sat3"),
    estimator = "WLSMV", missing = "pairwise")``: a continuous observed outcome of a construct of ordered
    items. Here it is the single-item construct ``sow`` (loading 1, residual variance 0), whose path and
    disturbance variance are lavaan's regression ``share_of_wallet ~ sat`` and residual variance."""
    ref = REF["sem_observed_outcome"]
    res = csl_stats.sem(survey, {"sat": M["sat"], "sow": ["share_of_wallet"]}, [("sat", "sow")],
                        ordered=M["sat"], estimator="wlsmv", nan_policy="pairwise")
    p = res.params
    single = ((p["lhs"] == "sow") & (p["op"] == "=~")) | ((p["lhs"] == "share_of_wallet") & (p["op"] == "~~"))
    assert (p.loc[single, "estimate"].to_numpy() == [1.0, 0.0]).all()
    p = p[~single].replace({"lhs": {"sow": "share_of_wallet"}, "rhs": {"sow": "share_of_wallet"}})
    _compare(p, res.fit_indices, ref, atol=1e-5)
