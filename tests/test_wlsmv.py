"""WLSMV (ordered items) in the SEM engine: cfa / sem with ordered=..., estimator="wlsmv", against lavaan 0.6."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_names import WLSMV_FIT_NAMES

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError, ModelSpecificationError, ScaleError

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "ordinal_wlsmv.json").read_text())
BFI = REF_DIR / "external" / "bfi_ac.csv"

M3 = {"sat": ["sat1", "sat2", "sat3"], "trs": ["trs1", "trs2", "trs3", "trs4"],
      "loy": ["loy1", "loy2", "loy3", "loy4"]}
BLOCKS = {"img": 4, "exp": 3, "dlv": 4, "qlt": 4, "srv": 4, "val": 3, "sat": 3, "cph": 3, "trs": 4, "swc": 3, "loy": 4}
M11 = {b: [f"{b}{k}" for k in range(1, n + 1)] for b, n in BLOCKS.items()}


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    s = csl_stats.load_supply_chain_survey()
    s["loy4"] = 8 - s["loy4"]  # reverse-keyed item, recoded first (as in the R script)
    return s


def _compare(params: pd.DataFrame, fit: pd.Series, ref: dict, *, atol: float, fit_atol: float) -> None:
    lav = pd.DataFrame({k: ref[k] for k in ("lhs", "op", "rhs", "est", "se", "std_est", "std_se")})
    lav = lav[lav["op"].isin(["=~", "~", "|", "~~"])].copy()
    # with std.lv the sign of a factor is arbitrary: lavaan keeps the sign its start values give, we make
    # the first loading positive; flip lavaan's loadings and correlations of factors where the two differ
    loads = lav[lav["op"] == "=~"]
    for f in loads["lhs"].unique():
        first = loads[loads["lhs"] == f].iloc[0]
        ours_first = params[(params["op"] == "=~") & (params["lhs"] == f)]["estimate"].iloc[0]
        if np.sign(first["est"]) != np.sign(ours_first):
            rows = ((lav["op"] == "=~") & (lav["lhs"] == f)) | (
                (lav["op"] == "~~") & (lav["lhs"] != lav["rhs"]) & ((lav["lhs"] == f) ^ (lav["rhs"] == f)))
            lav.loc[rows, ["est", "std_est"]] *= -1
    ours = params.set_index(["lhs", "op", "rhs"])
    lav = lav.set_index(["lhs", "op", "rhs"])
    keys = [k for k in lav.index if k in ours.index]
    free = lav.loc[keys, "se"] > 0
    assert int(free.sum()) == int(ref["fit"]["npar"])  # every free parameter of lavaan is in our table
    np.testing.assert_allclose(ours.loc[keys, "estimate"], lav.loc[keys, "est"], atol=atol)
    np.testing.assert_allclose(ours.loc[keys, "se"], lav.loc[keys, "se"], atol=atol)
    np.testing.assert_allclose(ours.loc[keys, "std_estimate"], lav.loc[keys, "std_est"], atol=atol)
    fk = [k for k in keys if lav.loc[k, "std_se"] == lav.loc[k, "std_se"]]  # lavaan: NA for fixed rows
    np.testing.assert_allclose(ours.loc[fk, "std_se"], lav.loc[fk, "std_se"], atol=atol)
    for ours_name, lav_name in WLSMV_FIT_NAMES.items():
        # RMSEA limits: lavaan's uniroot stops at a tolerance of about 1e-4 on the noncentrality (ours: brentq)
        tol = 1e-4 if "_ci_" in ours_name else fit_atol
        assert fit[ours_name] == pytest.approx(ref["fit"][lav_name], abs=tol, rel=1e-6), ours_name


def test_wlsmv_cfa_against_R(survey):
    """R: ``cfa(sat, trs, loy; ordered = TRUE, estimator = "WLSMV", std.lv = TRUE, missing = "pairwise")``:
    ``parameterEstimates`` (loadings, thresholds, residual variances, factor correlations), ``standardizedSolution``
    and ``fitMeasures`` (chisq, scaled-shifted chisq, scaled and robust CFI/TLI/RMSEA with CIs, SRMR)."""
    ref = REF["survey_cfa3_pairwise"]
    res = csl_stats.cfa(survey, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    assert res.n_obs == ref["n"]
    assert res.estimator == "wlsmv" and res.converged
    _compare(res.params, res.fit_indices, ref, atol=1e-6, fit_atol=1e-6)
    th = res.thresholds
    assert list(th.columns[:3]) == ["item", "threshold", "estimate"]
    assert th["threshold"].iloc[0] == "t1"
    # the implied correlation matrix of the latent responses has a unit diagonal (delta parameterization)
    np.testing.assert_allclose(np.diag(res.implied_cov), 1.0)
    np.testing.assert_allclose(res.sample_cov, csl_stats.polychoric(survey, res.sample_cov.columns.tolist())
                               .correlation.to_numpy(), atol=1e-12)


def test_wlsmv_sem_against_R(survey):
    """R: ``sem(sat, trs, loy; trs ~ sat; loy ~ sat + trs; ordered = TRUE, estimator = "WLSMV",
    missing = "pairwise")`` (marker identification): paths, loadings, thresholds, residual and disturbance
    variances, their SEs, std.all and ``fitMeasures``."""
    ref = REF["survey_sem_pairwise"]
    res = csl_stats.sem(survey, M3, [("sat", "trs"), ("sat", "loy"), ("trs", "loy")], ordered=True,
                        estimator="wlsmv", nan_policy="pairwise")
    assert res.n_obs == ref["n"] and res.estimator == "wlsmv"
    _compare(res.params, res.fit_indices, ref, atol=1e-6, fit_atol=1e-6)
    ind = res.effects[(res.effects["from"] == "sat") & (res.effects["to"] == "loy")]
    assert set(ind["kind"]) == {"direct", "indirect", "total"}
    assert 0 < res.r2["loy"] < 1
    th = res.thresholds
    assert len(th) == 11 * 6 and th["item"].iloc[0] == "sat1" and th["threshold"].iloc[0] == "t1"


def test_wlsmv_cfa_11_constructs_against_R(survey):
    """R: the survey's 11-construct model on its 39 items, ``ordered = TRUE, estimator = "WLSMV",
    missing = "pairwise"``; also faster than lavaan (< 3 s; lavaan about 13-28 s)."""
    ref = REF["survey_cfa11_pairwise"]
    t0 = time.perf_counter()
    with pytest.warns(csl_stats.errors.ReverseKeyWarning, match="srv4"):  # left as in the R script
        res = csl_stats.cfa(survey, M11, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    seconds = time.perf_counter() - t0
    _compare(res.params, res.fit_indices, ref, atol=1e-5, fit_atol=1e-5)
    assert seconds < 6.0  # 3 s budget on an idle machine; generous for a loaded CI runner


@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_wlsmv_cfa_bfi_against_R(policy):
    """R: psych's ``bfi`` agreeableness + conscientiousness items, ``cfa(A, C; ordered = TRUE,
    estimator = "WLSMV", std.lv = TRUE, missing = ...)``. The data are exported by
    ``tests/reference/ordinal_wlsmv.R`` and not redistributed (psych is GPL): skipped when absent."""
    if not BFI.exists():
        pytest.skip(f"{BFI} is absent: run `Rscript tests/reference/ordinal_wlsmv.R` to export it.")
    b = pd.read_csv(BFI)
    if policy == "listwise":
        b = b.dropna()
    ref = REF[f"bfi_{policy}"]
    mb = {"A": [f"A{k}" for k in range(1, 6)], "C": [f"C{k}" for k in range(1, 6)]}
    with pytest.warns(csl_stats.errors.ReverseKeyWarning):  # A1, C4, C5 are reverse-keyed in bfi
        res = csl_stats.cfa(b, mb, ordered=True, estimator="wlsmv", nan_policy=policy)
    assert res.n_obs == ref["n"]
    # 1e-5: lavaan's optimiser stops about 1e-6 short of the minimum here (ours converges to 1e-9)
    _compare(res.params, res.fit_indices, ref, atol=1e-5, fit_atol=1e-5)


def test_wlsmv_saturated_model_conventions(survey):
    """R: a one-factor model of three ordered items is saturated (df 0): lavaan reports chisq 0, p NA,
    scaling factor NA, CFI/TLI (plain, scaled, robust) 1 and every RMSEA and its limits 0."""
    res = csl_stats.cfa(survey, {"sat": M3["sat"]}, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    f = res.fit_indices
    assert f["df"] == 0 and f["chisq"] == 0 and f["chisq_scaled"] == 0
    assert np.isnan(f["pvalue"]) and np.isnan(f["pvalue_scaled"]) and np.isnan(f["scaling_factor"])
    for k in ("cfi", "tli", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust"):
        assert f[k] == 1.0, k
    assert (f.filter(like="rmsea") == 0).all()
    assert f["srmr"] == pytest.approx(0, abs=1e-12)


# ----------------------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------------------
def test_wlsmv_bad_input(survey):
    with pytest.raises(ArgumentError, match="estimator='wlsmv' is for ordered"):
        csl_stats.cfa(survey, M3, estimator="wlsmv")
    with pytest.raises(ArgumentError, match="Pass estimator='wlsmv'"):
        csl_stats.cfa(survey, M3, ordered=True)
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        csl_stats.cfa(survey, M3, ordered=True, estimator="wlsmv", nan_policy="fiml")
    with pytest.raises(ArgumentError, match="got 'pairwise', which is for ordered items"):
        csl_stats.cfa(survey, M3, nan_policy="pairwise")
    # a mix of ordered and continuous indicators: single-group cfa/sem fit it (tests/test_wlsmv_mixed.py),
    # multi-group WLSMV refuses it
    with pytest.raises(ModelSpecificationError, match=r"leaves out item\(s\) \['loy4'\].*one group"):
        csl_stats.measurement_invariance(survey, M3, "size", ordered=[it for its in M3.values() for it in its][:-1],
                                         estimator="wlsmv", nan_policy="pairwise")
    with pytest.raises(ModelSpecificationError, match="ordered is an empty list"):
        csl_stats.cfa(survey, M3, ordered=[], estimator="wlsmv")
    with pytest.raises(ModelSpecificationError, match="not items of the model"):
        csl_stats.cfa(survey, M3, ordered=["sat1", "nps"], estimator="wlsmv")
    with pytest.raises(ArgumentTypeError, match="ordered must be True"):
        csl_stats.cfa(survey, M3, ordered="sat1", estimator="wlsmv")
    bad = survey.copy()
    bad["sat2"] = bad["sat2"] + 0.5
    with pytest.raises(ScaleError, match="'sat2'.*non-integer"):
        csl_stats.cfa(bad, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    gap = survey.copy()
    gap.loc[gap["trs2"] == 2, "trs2"] = 1  # nobody answers 2
    with pytest.raises(ScaleError, match=r"'trs2'.*\[2\].*chosen by nobody.*recode\) before fitting") as err:
        csl_stats.cfa(gap, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    # lavaan does not refuse such an item: it uses the observed categories (the message must not say otherwise)
    assert "as lavaan" not in str(err.value) and "lavaan uses only the observed categories" in str(err.value)
    few = survey.assign(sat1=survey["sat1"].clip(upper=1))
    with pytest.raises(csl_stats.errors.ConstantError, match="'sat1'"):
        csl_stats.cfa(few, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    before = survey.copy()
    csl_stats.cfa(survey, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    pd.testing.assert_frame_equal(survey, before)  # the caller's data are not touched


# ----------------------------------------------------------------------------------------------------------
# ordinal reliability from the WLSMV fit
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("denominator,suffix", [("observed", ""), ("model", "_model")])
def test_ordinal_omega_against_R(survey, denominator, suffix):
    """R: ``semTools::compRelSEM(fit)`` (Green & Yang's categorical omega; ``obs.var = TRUE`` for
    ``denominator="observed"``, ``FALSE`` for ``"model"``) and ``compRelSEM(fit, ord.scale = FALSE)``
    (omega of the latent responses), ``fit`` the WLSMV CFA of sat, trs, loy (pairwise)."""
    tab = csl_stats.composite_reliability(survey, M3, ordinal=True, nan_policy="pairwise", denominator=denominator)
    for c in M3:
        assert tab.loc[c, "omega"] == pytest.approx(REF[f"survey_omega_ordinal{suffix}"][c], abs=1e-6)
        assert tab.loc[c, "omega_latent"] == pytest.approx(REF[f"survey_omega_latent{suffix}"][c], abs=1e-6)
    # ordinal alpha on the same (pairwise) polychoric matrix; AVE from the WLSMV standardized loadings
    sat = csl_stats.cronbach_alpha(survey, M3["sat"], nan_policy="pairwise", ordinal=True)
    assert tab.loc["sat", "alpha"] == pytest.approx(sat.alpha, abs=1e-12)
    fit = csl_stats.cfa(survey, M3, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    std = fit.loadings.groupby("construct", sort=False)["std_estimate"].apply(lambda s: float(np.mean(s**2)))
    np.testing.assert_allclose(tab["ave"], std.reindex(tab.index), atol=1e-12)
    assert tab.attrs["n_obs"] == 1000
    # the sum of skewed 7-point answers is less reliable than the sum of the latent responses
    assert (tab["omega"] < tab["omega_latent"]).all()


def test_ordinal_omega_bad_input(survey):
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        csl_stats.composite_reliability(survey, M3, ordinal=True, nan_policy="raise")
    with pytest.raises(ArgumentTypeError, match="ordinal must be True or False"):
        csl_stats.composite_reliability(survey, M3, ordinal="yes")


# ----------------------------------------------------------------------------------------------------------
# measurement invariance of ordered items
# ----------------------------------------------------------------------------------------------------------
INV_FIT = {"npar": "npar", "chisq": "chisq", "df": "df", "chisq_scaled": "chisq.scaled",
           "pvalue_scaled": "pvalue.scaled", "scaling_factor": "chisq.scaling.factor", "cfi_scaled": "cfi.scaled",
           "tli_scaled": "tli.scaled", "rmsea_scaled": "rmsea.scaled", "srmr": "srmr"}
INV_LEVELS = ("configural", "thresholds", "loadings", "intercepts")
M2 = {"sat": M3["sat"], "loy": M3["loy"]}


@pytest.fixture(scope="module")
def merged(survey) -> pd.DataFrame:
    """Answers 1-3 merged (1-7 -> 1-5): every company-size group then uses every category."""
    items = M2["sat"] + M2["loy"]
    return survey.assign(**{it: np.maximum(survey[it], 3) - 2 for it in items})


def test_wlsmv_invariance_against_R(merged):
    """R: ``measEq.syntax(m, ordered = items, parameterization = "delta", ID.fac = "std.lv",
    ID.cat = "Wu.Estabrook.2016", group = "size", group.equal = ...)`` fitted by ``cfa(..., estimator =
    "WLSMV", missing = "pairwise")`` at the configural, thresholds, thresholds + loadings and thresholds +
    loadings + intercepts levels; ``fitMeasures`` of each, ``parameterEstimates`` (estimates, SEs, incl.
    thresholds, intercepts, scale factors, latent means and variances) and ``lavTestLRT`` (Satorra 2000)."""
    res = csl_stats.measurement_invariance(merged, M2, "size", ordered=True, estimator="wlsmv",
                                           nan_policy="pairwise")
    groups = REF["invariance_groups"]
    assert res.groups == groups and list(res.table.index) == list(INV_LEVELS)
    for lv in INV_LEVELS:
        ref = REF[f"invariance_{lv}"]
        fit = res.fits[lv].fit_indices
        for ours, lav in INV_FIT.items():
            assert fit[ours] == pytest.approx(ref["fit"][lav], abs=1e-5, rel=1e-6), (lv, ours)
        lav = pd.DataFrame({k: ref[k] for k in ("lhs", "op", "rhs", "group", "est", "se")})
        lav["group"] = [groups[g - 1] for g in lav["group"]]
        both = res.fits[lv].params.merge(lav, on=["lhs", "op", "rhs", "group"])
        assert len(both) == len(lav[lav["op"].isin(["=~", "|", "~~", "~1", "~*~"])])
        # lavaan's optimiser stops about 5e-5 short of the minimum here; the tolerance of the task is 1e-3
        np.testing.assert_allclose(both["estimate"], both["est"], atol=1e-4)
        np.testing.assert_allclose(both["se_x"], both["se_y"], atol=1e-5)
    lrt = REF["invariance_lrt"]
    tab = res.table.iloc[1:]
    np.testing.assert_allclose(tab["chisq_diff"], lrt["chisq_diff"], atol=1e-4)
    np.testing.assert_allclose(tab["df_diff"], lrt["df_diff"])
    np.testing.assert_allclose(tab["p_diff"], lrt["p"], atol=1e-5)
    means = res.latent_means
    assert set(means["group"]) == set(groups) and (means.loc[means["group"] == groups[0], "estimate"] == 0).all()


def test_wlsmv_invariance_bad_input(survey, merged):
    with pytest.raises(ScaleError, match=r"item 'sat3' has the answer values .* in group"):
        csl_stats.measurement_invariance(survey, M2, "size", ordered=True, estimator="wlsmv", nan_policy="pairwise")
    with pytest.raises(ArgumentError, match="free .* not available with estimator='wlsmv'"):
        csl_stats.measurement_invariance(merged, M2, "size", ordered=True, estimator="wlsmv",
                                         nan_policy="pairwise", free=["sat =~ sat2"])
    with pytest.raises(ArgumentError, match="levels"):
        csl_stats.measurement_invariance(merged, M2, "size", ordered=True, estimator="wlsmv",
                                         nan_policy="pairwise", levels=["metric"])
    with pytest.raises(ArgumentError, match="estimator='wlsmv' is for ordered"):
        csl_stats.measurement_invariance(merged, M2, "size", estimator="wlsmv")


def test_wlsmv_single_ordered_item_construct(survey):
    """A construct measured by one ordered item: with the delta parameterisation the item's latent
    response has variance 1 and its residual variance is derived (1 - lambda^2 psi), so the single-item
    convention (loading 1, residual variance 0) only holds for an exogenous construct with std_lv=True.
    Endogenous (its disturbance variance fixed at 1 by std_lv, the derived residual variance is
    -b^2 var(cause): a wrong model, formerly fitted with a misleading Heywood warning) or with std_lv=False
    (not identified) it is refused, naming the construct and the item.

    The exogenous case is checked against lavaan 0.6 (``tests/reference/single_ordered_item.R``, output
    ``single_ordered_item.txt``)::

        sem("sat =~ NA*sat1 + sat2 + sat3; sat ~~ 1*sat; one =~ 1*trs1; one ~~ 1*one; sat ~ one",
            ordered = TRUE, estimator = "WLSMV", missing = "pairwise")
    """
    meas = {"sat": ["sat1", "sat2", "sat3"], "one": ["trs1"]}
    with pytest.raises(ModelSpecificationError, match=r"'one'.*single ordered item 'trs1'"):
        csl_stats.sem(survey, meas, [("sat", "one")], ordered=True, estimator="wlsmv", std_lv=True,
                      nan_policy="pairwise")
    with pytest.raises(ModelSpecificationError, match=r"'one'.*single ordered item 'trs1'"):
        csl_stats.sem(survey, meas, [("one", "sat")], ordered=True, estimator="wlsmv", nan_policy="pairwise")
    # exogenous, std_lv=True: loading 1, variance 1, residual variance 0 (exactly the convention)
    res = csl_stats.sem(survey, meas, [("one", "sat")], ordered=True, estimator="wlsmv", std_lv=True,
                        nan_policy="pairwise")
    p = res.params.set_index(["lhs", "op", "rhs"])
    assert p.loc[("trs1", "~~", "trs1"), "estimate"] == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(p.loc[("sat", "~", "one"), ["estimate", "se", "std_estimate"]].to_numpy(float),
                               [0.52593837, 0.04074179, 0.46548483], atol=1e-6)
    assert res.fit_indices["chisq_scaled"] == pytest.approx(0.13437509, abs=1e-6)
    assert res.fit_indices["df_scaled"] == 2
    # a continuous single item stays available (the observed-outcome case of test_wlsmv_mixed.py)
    csl_stats.sem(survey, {"sat": ["sat1", "sat2", "sat3"], "sow": ["share_of_wallet"]}, [("sat", "sow")],
                  ordered=["sat1", "sat2", "sat3"], estimator="wlsmv", nan_policy="pairwise")


def test_wlsmv_invariance_binary_items_against_R():
    """Binary items (one threshold each): Wu & Estabrook (2016) cannot free both an item's intercept and its
    scale. As ``semTools::measEq.syntax(..., ID.cat = "Wu.Estabrook.2016", parameterization = "delta")`` the
    intercept is freed at the thresholds and loadings levels and the scale at the intercepts level. Formerly
    both were freed: the thresholds level had df 10 < configural 16 and the run crashed (ZeroDivisionError).

    R (``tests/reference/binary_invariance.R``, output ``binary_invariance.txt``)::

        s <- measEq.syntax(m, data = d, ordered = paste0("x", 1:6), parameterization = "delta",
                           ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "g", group.equal = ...)
        cfa(as.character(s), d, group = "g", ordered = paste0("x", 1:6), estimator = "WLSMV")
    """
    ref_dir = Path(__file__).parent / "reference"
    data = pd.read_csv(ref_dir / "binary_invariance_data.csv")
    ref = {}
    for line in (ref_dir / "binary_invariance.txt").read_text().splitlines():
        name, *kv = line.split()
        ref[name] = {k: float(v) for k, v in zip(kv[::2], kv[1::2], strict=True)}
    model = {"F1": ["x1", "x2", "x3"], "F2": ["x4", "x5", "x6"]}
    # the semTools intercepts level of binary items is weakly identified here (smallest singular value of the
    # Jacobian 1.5e-4, SE of a latent mean 7.0, as lavaan's): the parameters crawl and a ConvergenceWarning says so
    with pytest.warns(csl_stats.errors.CSLWarning, match=r"not nested by degrees of freedom|'intercepts' did not"):
        res = csl_stats.measurement_invariance(data, model, "g", ordered=True, estimator="wlsmv")
    assert not res.fits["intercepts"].converged and res.fits["loadings"].converged
    t = res.table
    for lv in ("configural", "thresholds", "loadings", "intercepts"):
        r = ref[lv]
        assert t.at[lv, "df"] == r["df"]
        np.testing.assert_allclose(t.loc[lv, ["chisq", "chisq_scaled", "cfi_scaled", "srmr"]].to_numpy(float),
                                   [r["chisq"], r["chisq.scaled"], r["cfi.scaled"], r["srmr"]], atol=1e-5)
    d = ref["loadings-vs-thresholds"]
    np.testing.assert_allclose([t.at["loadings", "chisq_diff"], t.at["loadings", "p_diff"]],
                               [d["chisq.diff"], d["p"]], atol=1e-5)
    assert t.at["loadings", "df_diff"] == d["df"]
    assert t.at["thresholds", "df_diff"] == 0 and np.isnan(t.at["thresholds", "p_diff"])  # equivalent models


def test_wlsmv_invariance_warns_heywood():
    """Ordinal invariance used to fit improper solutions silently (cfa/sem warn): a construct whose first item
    correlates .85 with two items correlating .5 has loading^2 = .85^2/.5 > 1, so the latent response's residual
    variance (1 - loading^2 in the delta parameterization) is negative in every group and at every level."""
    rng = np.random.default_rng(3)
    r = np.array([[1, 0.85, 0.85], [0.85, 1, 0.5], [0.85, 0.5, 1]])
    z = np.hstack([rng.multivariate_normal(np.zeros(3), r, size=500),
                   rng.multivariate_normal(np.zeros(3), np.eye(3) * 0.5 + 0.5, size=500)])
    data = pd.DataFrame(np.digitize(z, [-1, 0, 1]) + 1, columns=["a", "b", "c", "e0", "e1", "e2"])
    data["g"] = np.where(np.arange(500) % 2 == 0, "A", "B")
    model = {"F": ["a", "b", "c"], "G": ["e0", "e1", "e2"]}
    with pytest.warns(csl_stats.errors.HeywoodWarning, match=r"Heywood case\) at level") as rec:
        csl_stats.measurement_invariance(data, model, "g", ordered=True, estimator="wlsmv")
    msgs = [str(w.message) for w in rec if issubclass(w.category, csl_stats.errors.HeywoodWarning)]
    assert [m.split("level ")[1].split(":")[0] for m in msgs] == [
        "'configural'", "'thresholds'", "'loadings'", "'intercepts'"]
    assert all("group 'A': ['a']; group 'B': ['a']" in m for m in msgs)
