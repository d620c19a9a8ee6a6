"""Tests for csl_stats.sem, measurement_invariance and the FIML/MLR paths of cfa, against lavaan 0.6.

Reference values: ``tests/reference/sem.R`` (lavaan 0.6-14) -> ``tests/reference/sem.json``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_names import FIT_NAMES

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ColumnNotFoundError,
    ConvergenceWarning,
    HeywoodWarning,
    InsufficientDataError,
    MissingDataWarning,
    ModelSpecificationError,
)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "sem.json").read_text())
PD = pd.read_csv(REF / "sem_political_democracy.csv")
HS = pd.read_csv(REF / "sem_hs.csv")
HSM = pd.read_csv(REF / "sem_hs_missing.csv")
PD_MEAS = {"ind60": ["x1", "x2", "x3"], "dem60": ["y1", "y2", "y3", "y4"], "dem65": ["y5", "y6", "y7", "y8"]}
PD_PATHS = [("ind60", "dem60"), ("ind60", "dem65"), ("dem60", "dem65")]
PD_RC = [("y1", "y5"), ("y2", "y4"), ("y2", "y6"), ("y3", "y7"), ("y4", "y8"), ("y6", "y8")]
HS_MEAS = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}
ROBUST_NAMES = {
    "chisq_scaled": "chisq.scaled",
    "scaling_factor": "chisq.scaling.factor",
    "pvalue_scaled": "pvalue.scaled",
    "cfi_robust": "cfi.robust",
    "tli_robust": "tli.robust",
    "rmsea_robust": "rmsea.robust",
}


def _survey_blocks(data: pd.DataFrame) -> dict[str, list[str]]:
    prefixes = ["img", "exp", "dlv", "qlt", "srv", "val", "sat", "cph", "trs", "swc", "loy"]
    return {b: [c for c in data.columns if c[:3] == b and c[3:].isdigit()] for b in prefixes}


def compare(res, ref, *, est_rtol=1e-4, se_rtol=1e-4, fit_rtol=1e-4, robust=False, atol=1e-5):
    """Match our params to lavaan's parameterEstimates()/standardizedSolution() rows and compare."""
    keys = ["lhs", "op", "rhs"] + (["group"] if "group" in res.params else [])
    pe = pd.DataFrame(ref["param"])
    pe = pe[pe["op"] != ":="].copy()
    ss = pd.DataFrame(ref["std"])
    for t in (pe, ss):
        t["rhs"] = t["rhs"].fillna("")
    ours = res.params.copy()
    if "group" in ours:
        labels = {g: i + 1 for i, g in enumerate(pd.unique(ours["group"]))}
        ours["group"] = ours["group"].map(labels)
    m = ours.merge(pe, on=keys, how="inner", suffixes=("", "_r")).merge(ss, on=keys, suffixes=("", "_s"))
    assert len(m) == len(pe) == len(ours)
    np.testing.assert_allclose(m["estimate"], m["est"], rtol=est_rtol, atol=atol)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=se_rtol, atol=atol)
    np.testing.assert_allclose(m["std_estimate"], m["est.std"], rtol=est_rtol, atol=atol)
    np.testing.assert_allclose(m["std_se"], m["se_s"], rtol=se_rtol, atol=atol)
    names = {**FIT_NAMES, **(ROBUST_NAMES if robust else {})}
    for ours_name, r_name in names.items():
        r = ref["fit"][r_name]
        if r is None:
            assert np.isnan(res.fit_indices[ours_name]), ours_name
        else:
            np.testing.assert_allclose(res.fit_indices[ours_name], r, rtol=fit_rtol, atol=1e-6, err_msg=ours_name)
    return m


@pytest.fixture(scope="module")
def poldem():
    return csl_stats.sem(PD, PD_MEAS, PD_PATHS, residual_covariances=PD_RC)


def test_political_democracy_against_R(poldem):
    """lavaan: sem(ind60 =~ x1+x2+x3; dem60 =~ y1+..+y4; dem65 =~ y5+..+y8; dem60 ~ ind60;
    dem65 ~ ind60 + dem60; y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8, data = PoliticalDemocracy)."""
    ref = R["poldem"]
    compare(poldem, ref)
    assert poldem.n_obs == 75 and poldem.n_dropped == 0
    # the indirect effect ind60 -> dem60 -> dem65 and the total effect (":=" rows, delta method)
    defined = pd.DataFrame(ref["param"]).query("op == ':='").set_index("lhs")
    eff = poldem.effects.set_index(["from", "to", "kind"])
    for kind, label in (("indirect", "ind"), ("total", "tot")):
        row = eff.loc[("ind60", "dem65", kind)]
        np.testing.assert_allclose(row["estimate"], defined.loc[label, "est"], rtol=1e-4)
        np.testing.assert_allclose(row["se"], defined.loc[label, "se"], rtol=1e-4)
    # r2 of the endogenous constructs (lavInspect(fit, "r2"))
    for c in ("dem60", "dem65"):
        np.testing.assert_allclose(poldem.r2[c], ref["r2"][c], rtol=1e-4)


def test_political_democracy_std_lv_against_R():
    """lavaan: sem(..., std.lv = TRUE): latent (residual) variances fixed to 1."""
    res = csl_stats.sem(PD, PD_MEAS, PD_PATHS, residual_covariances=PD_RC, std_lv=True)
    compare(res, R["poldem_stdlv"])


def test_fiml_holzinger_swineford_against_R():
    """lavaan: cfa(HS.model, data = hs_missing, missing = "ml") on MAR data (tests/reference/sem.R);
    one empty row is dropped (as lavaan) and counted."""
    res = csl_stats.sem(HSM, HS_MEAS, nan_policy="fiml")
    compare(res, R["hs_fiml"])
    assert res.n_obs == R["hs_fiml"]["nobs"] == 300 and res.n_dropped == 1
    compare(csl_stats.sem(HSM, HS_MEAS, nan_policy="fiml", std_lv=True), R["hs_fiml_stdlv"])


def test_listwise_holzinger_swineford_against_R():
    """lavaan: cfa(HS.model, data = hs_missing) (listwise deletion, lavaan's default)."""
    with pytest.warns(MissingDataWarning, match="listwise deletion dropped 230 of 301 rows"):
        res = csl_stats.sem(HSM, HS_MEAS)
    compare(res, R["hs_listwise"])
    assert res.n_obs == R["hs_listwise"]["nobs"]
    assert res.n_obs + res.n_dropped == len(HSM)


def test_mlr_against_R():
    """lavaan: estimator = "MLR" (observed information, Huber-White sandwich SEs, Yuan-Bentler scaled
    chi-square, robust CFI/TLI/RMSEA) on complete data, and with missing = "ml"."""
    compare(csl_stats.sem(HS, HS_MEAS, estimator="mlr"), R["hs_mlr"], robust=True)
    compare(csl_stats.sem(PD, PD_MEAS, PD_PATHS, residual_covariances=PD_RC, estimator="mlr"), R["poldem_mlr"],
            robust=True)
    res = csl_stats.sem(HSM, HS_MEAS, nan_policy="fiml", estimator="mlr")
    compare(res, R["hs_fiml_mlr"])
    for ours, r in (("chisq_scaled", "chisq.scaled"), ("scaling_factor", "chisq.scaling.factor"),
                    ("pvalue_scaled", "pvalue.scaled"), ("baseline_chisq_scaled", "baseline.chisq.scaled")):
        np.testing.assert_allclose(res.fit_indices[ours], R["hs_fiml_mlr"]["fit"][r], rtol=1e-4, err_msg=ours)
    assert np.isnan(res.fit_indices[["cfi_robust", "tli_robust", "rmsea_robust"]]).all()


@pytest.fixture(scope="module")
def invariance():
    return csl_stats.measurement_invariance(HS, HS_MEAS, "school")


@pytest.mark.parametrize("level", ["configural", "metric", "scalar", "strict"])
def test_invariance_against_R(invariance, level):
    """lavaan: cfa(HS.model, data = HS, group = "school", group.equal = ...) and lavTestLRT."""
    ref = R["invariance"][level]
    compare(invariance.fits[level], ref, est_rtol=1e-4, atol=1e-4)
    row = invariance.table.loc[level]
    for ours, r in (("chisq", "chisq"), ("df", "df"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"),
                    ("srmr", "srmr")):
        np.testing.assert_allclose(row[ours], ref["fit"][r], rtol=1e-4)
    if "lrt" in ref:
        np.testing.assert_allclose(row["chisq_diff"], ref["lrt"]["chisq_diff"], rtol=1e-4)
        assert row["df_diff"] == ref["lrt"]["df_diff"]
        np.testing.assert_allclose(row["p_diff"], ref["lrt"]["p_diff"], rtol=1e-3)
    else:
        assert np.isnan(row["chisq_diff"])


def test_invariance_latent_means_and_partial_against_R(invariance):
    """Latent means of the scalar model (Pasteur = reference, 0); group.partial = c("x3 ~ 1", "x7 ~ 1")."""
    means = invariance.latent_means
    assert list(means["group"].unique()) == ["Pasteur", "Grant-White"] == R["invariance"]["groups"]
    pe = pd.DataFrame(R["invariance"]["scalar"]["param"])
    ref = pe[(pe["op"] == "~1") & pe["lhs"].isin(list(HS_MEAS)) & (pe["group"] == 2)].set_index("lhs")
    ours = means[means["group"] == "Grant-White"].set_index("construct")
    np.testing.assert_allclose(ours["estimate"], ref.loc[ours.index, "est"], rtol=1e-4)
    np.testing.assert_allclose(ours["se"], ref.loc[ours.index, "se"], rtol=1e-4)
    assert (means.loc[means["group"] == "Pasteur", "estimate"] == 0).all()
    partial = csl_stats.measurement_invariance(HS, HS_MEAS, "school", levels=["scalar"], free=["x3 ~1", "x7 ~1"])
    compare(partial.fits["scalar"], R["invariance"]["scalar_partial"], atol=1e-4)


def test_survey_fiml_cfa_against_R():
    """lavaan: cfa(11-construct model, data = supply_chain_survey, missing = "ml", std.lv = TRUE):
    all 1,000 customers. csl_stats.cfa(nan_policy="fiml") is a front end of the same engine: its table
    is the free-parameter rows of sem(..., std_lv=True)."""
    data = csl_stats.load_supply_chain_survey()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.ReverseKeyWarning)
        res = csl_stats.cfa(data, _survey_blocks(data), nan_policy="fiml")
    assert res.n_obs == 1000 and res.nan_policy == "fiml"
    ref = R["survey_fiml"]
    pe = pd.DataFrame(ref["param"])
    pe["rhs"] = pe["rhs"].fillna("")
    m = res.params.merge(pe, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(res.params) == (pe["se"] > 0).sum()
    np.testing.assert_allclose(m["estimate"], m["est"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=1e-4, atol=1e-5)
    for ours, r in FIT_NAMES.items():
        np.testing.assert_allclose(res.fit_indices[ours], ref["fit"][r], rtol=1e-4, atol=1e-6, err_msg=ours)


# --------------------------------------------------------------------------- behaviour
def test_single_item_construct_and_effects_table():
    """A single-item construct: loading fixed to 1, residual variance fixed to 0 (lavaan's convention)."""
    res = csl_stats.sem(PD, {"ind60": ["x1", "x2", "x3"], "d": ["y1"]}, [("ind60", "d")])
    rows = res.params.set_index(["lhs", "op", "rhs"])
    assert rows.loc[("d", "=~", "y1"), "estimate"] == 1.0 and rows.loc[("d", "=~", "y1"), "se"] == 0
    assert rows.loc[("y1", "~~", "y1"), "estimate"] == 0.0
    # with one path the total effect is the direct effect and there is no indirect row
    assert list(res.effects["kind"]) == ["direct", "total"]
    np.testing.assert_allclose(res.effects["estimate"].iloc[0], res.effects["estimate"].iloc[1])
    np.testing.assert_allclose(res.paths["estimate"].iloc[0], res.effects["estimate"].iloc[0])


def test_accessors_and_display(poldem):
    assert list(poldem.paths.columns) == ["from", "to", "estimate", "se", "z", "p", "ci_low", "ci_high",
                                          "std_estimate"]
    assert len(poldem.paths) == 3 and len(poldem.loadings) == 11
    assert set(poldem.loadings["construct"]) == set(PD_MEAS)
    assert "chisq=" in repr(poldem) and "<table" in poldem._repr_html_()
    pd.testing.assert_frame_equal(poldem.to_frame(), poldem.params)
    assert poldem.fit_indices["df"] == 35


def test_bootstrap_reproducible_and_counts(poldem):
    """n = 75 with a near-zero dem65 disturbance: some resamples are improper (counted; failed ones
    would be dropped and counted, as lavaan's bootstrapLavaan drops them)."""
    a = csl_stats.sem(PD, PD_MEAS, PD_PATHS, residual_covariances=PD_RC, n_boot=100, rng=1)
    b = csl_stats.sem(PD, PD_MEAS, PD_PATHS, residual_covariances=PD_RC, n_boot=100, rng=1)
    assert a.n_boot_improper > 0
    pd.testing.assert_frame_equal(a.effects, b.effects)
    assert a.n_boot + a.n_boot_failed == 100
    ind = a.effects.set_index(["from", "to", "kind"]).loc[("ind60", "dem65", "indirect")]
    assert ind["ci_low"] < ind["estimate"] < ind["ci_high"]
    # point estimates do not depend on the bootstrap
    np.testing.assert_allclose(a.params["estimate"], poldem.params["estimate"])


def test_fiml_without_missing_values_warns_and_equals_ml():
    with pytest.warns(MissingDataWarning, match="no missing values"):
        fiml = csl_stats.sem(HS, HS_MEAS, nan_policy="fiml")
    ml = csl_stats.sem(HS, HS_MEAS)
    m = ml.params.merge(fiml.params, on=["lhs", "op", "rhs"])
    np.testing.assert_allclose(m["estimate_x"], m["estimate_y"], atol=1e-6)
    np.testing.assert_allclose(ml.fit_indices["chisq"], fiml.fit_indices["chisq"], rtol=1e-6)


def test_caller_data_not_mutated():
    before = HSM.copy()
    csl_stats.sem(HSM, HS_MEAS, nan_policy="fiml")
    pd.testing.assert_frame_equal(HSM, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"measurement": {"a": ["x1", "xx"]}}, ColumnNotFoundError, "'xx'"),
        ({"measurement": {"a": []}}, ModelSpecificationError, "construct 'a' has no items"),
        ({"measurement": {"a": ["x1", "x2"], "b": ["x2", "x3"]}}, ModelSpecificationError,
         "item 'x2' is assigned to both 'a' and 'b'"),
        ({"structural": [("visual", "nope")]}, ModelSpecificationError, r"unknown construct\(s\) \['nope'\]"),
        ({"structural": [("visual", "textual"), ("textual", "speed"), ("speed", "visual")]},
         ModelSpecificationError, "cycle visual -> textual -> speed -> visual"),
        ({"residual_covariances": [("x1", "x99")]}, ModelSpecificationError, r"unknown.*\['x99'\]"),
        ({"nan_policy": "pairwise"}, ArgumentError, "nan_policy must be one of"),
        ({"estimator": "wls"}, ArgumentError, "estimator must be one of"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"measurement": HS_MEAS, **kwargs}
    with pytest.raises(error, match=match):
        csl_stats.sem(HS, **args)


def test_unidentified_model_names_the_part():
    """A two-item construct alone in a structural model with its correlated residuals: not identified."""
    with pytest.raises(ModelSpecificationError, match="not identified"):
        csl_stats.sem(HS, {"a": ["x1", "x2"]}, residual_covariances=[("x1", "x2")])
    with pytest.raises(ModelSpecificationError, match=r"not identified.*singular in the direction of"):
        csl_stats.sem(HS, {"a": ["x1", "x2"], "b": ["x4", "x5", "x6"]},
                      residual_covariances=[("x1", "x2")])


def test_group_errors():
    bad = HS.copy()
    bad.loc[3, "school"] = np.nan
    with pytest.raises(InsufficientDataError, match="'school' has 1 missing value"):
        csl_stats.measurement_invariance(bad, HS_MEAS, "school")
    small = pd.concat([HS, HS.iloc[:5].assign(school="Tiny")])
    with pytest.raises(InsufficientDataError, match="group 'Tiny'"):
        csl_stats.measurement_invariance(small, HS_MEAS, "school")
    with pytest.raises(ModelSpecificationError, match="free entry 'x3 ~ x4'"):
        csl_stats.measurement_invariance(HS, HS_MEAS, "school", free=["x3 ~ x4"])


def test_heywood_and_nonconvergence_warn():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((150, 1))
    data = pd.DataFrame(z @ np.array([[0.99, 0.99, 0.3]]) + 0.1 * rng.standard_normal((150, 3)),
                        columns=["a", "b", "c"])
    data["d"] = rng.standard_normal(150)
    data["e"] = data["d"] + rng.standard_normal(150)
    data["f"] = data["d"] + rng.standard_normal(150)
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 Fisher-scoring"):
        csl_stats.sem(HS, HS_MEAS, max_iter=1)
    from tests.test_cfa import _heywood_data

    with pytest.warns(HeywoodWarning, match=r"negative variance of \['a1'\]"):
        csl_stats.sem(_heywood_data(), {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})


def test_reliability_functions_refuse_fiml():
    """composite_reliability & co. need one complete data matrix; FIML is refused with a clear error."""
    with pytest.raises(ArgumentError, match=r"nan_policy must be one of \['listwise', 'raise'\]"):
        csl_stats.composite_reliability(HSM, HS_MEAS, nan_policy="fiml")


@pytest.mark.parametrize("variant", ["mlr", "fiml"])
def test_invariance_mlr_and_fiml_against_R(variant):
    """lavaan: cfa(HS.model, group = "school", group.equal = ..., estimator = "MLR") on the complete data,
    and (missing = "ml") on the MAR data; lavTestLRT (Satorra-Bentler 2001 scaled difference for MLR)."""
    data = HS if variant == "mlr" else HSM
    kwargs = {"estimator": "mlr"} if variant == "mlr" else {"nan_policy": "fiml"}
    res = csl_stats.measurement_invariance(data, HS_MEAS, "school", levels=("configural", "metric", "scalar"),
                                           **kwargs)
    for level in ("configural", "metric", "scalar"):
        ref = R["invariance"][f"{variant}_{level}"]
        compare(res.fits[level], ref, robust=variant == "mlr", atol=1e-4)
        row = res.table.loc[level]
        if "lrt" in ref:
            np.testing.assert_allclose(row["chisq_diff"], ref["lrt"]["chisq_diff"], rtol=1e-4)
            np.testing.assert_allclose(row["p_diff"], ref["lrt"]["p_diff"], rtol=1e-3)
    assert "<table" in res._repr_html_()
