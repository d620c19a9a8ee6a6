"""Tests of csl_stats.process (PROCESS model templates from one general engine)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats
from csl_stats._process_engine import code_matrix
from csl_stats._process_templates import PROCESS2_ROLES, TEMPLATES
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ExtrapolationWarning,
    InsufficientDataError,
    ModelSpecificationError,
)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "process_reference.json").read_text())
DATA = pd.read_csv(REF / "process_data.csv")
EXTERNAL = REF / "external"
ATOL = 1e-8

ROLES = {  # model -> roles of the R reference fit
    1: {"w": "w"}, 2: {"w": "w", "z": "z"}, 3: {"w": "w", "z": "z"}, 4: {"m": ["m1", "m2"]},
    5: {"m": "m1", "w": "w"}, 6: {"m": ["m1", "m2"]}, 7: {"m": "m1", "w": "w", "covariates": "c1"},
    8: {"m": "m1", "w": "w"}, 11: {"m": "m1", "w": "w", "z": "z"}, 14: {"m": "m1", "w": "w"},
    15: {"m": "m1", "w": "w"}, 21: {"m": "m1", "w": "w", "z": "z"}, 22: {"m": "m1", "w": "w", "z": "z"},
    58: {"m": "m1", "w": "w"}, 59: {"m": "m1", "w": "w"}, 76: {"m": "m1", "w": "w", "z": "z"},
}


def _fit(model, n_boot=100, **kw):
    args = {**ROLES[model], **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return csl_stats.process(DATA, model, x="x", y="y", n_boot=n_boot, rng=1, **args)


def _r_term(term: str) -> str:
    return "(intercept)" if term == "(Intercept)" else term.replace(":", "*")


def _check_coefs(res, ref_coefs, rename=None):
    rename = rename or {}
    for eq, coefs in ref_coefs.items():
        outcome = "y (total)" if eq == "total" else eq
        for term, val in coefs.items():
            label = f"{outcome}~{rename.get(term, _r_term(term))}"
            assert res.coefs.at[label, "estimate"] == pytest.approx(val, abs=ATOL, rel=0), label
        n_terms = (res.coefs["outcome"] == outcome).sum()
        assert n_terms == len(coefs), f"{outcome}: {n_terms} terms, R has {len(coefs)}"


def _rows(res, effect, path=None):
    e = res.effects
    sel = e["effect"] == effect
    if path is not None:
        sel &= e["path"] == path
    return e[sel]


# ---------------------------------------------------------------------------------------------
# point estimates against R lm()
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [1, 2, 3])
def test_moderation_models_against_R(model):
    """R: lm(y ~ x*w) (model 1), lm(y ~ x + w + z + x:w + x:z) (2), lm(y ~ x*w*z) (3); the effect
    of x at the 16th/50th/84th percentiles of w (and z), b_x + b_xw w (+ b_xz z + b_xwz w z)."""
    ref = R[f"m{model}"]
    res = _fit(model)
    _check_coefs(res, ref["coefs"])
    np.testing.assert_allclose(res.conditional_effects["estimate"], ref["effect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(res.conditional_effects["w"].unique(), R["probes"]["w"], atol=1e-12)
    assert res.boot_draws.shape[1] == 0


def test_model1_se_and_johnson_neyman_against_R():
    """R: sqrt(V[x,x] + w^2 V[x:w,x:w] + 2 w V[x,x:w]) from vcov(lm(y ~ x*w)); JN boundary the
    root of (b3^2 - t^2 V33) w^2 + 2 (b1 b3 - t^2 V13) w + b1^2 - t^2 V11 inside the range of w."""
    ref = R["m1"]
    res = _fit(1)
    np.testing.assert_allclose(res.conditional_effects["se"], ref["effect_se"], rtol=1e-9)
    jn = res.johnson_neyman
    assert list(jn["high"].iloc[:-1]) == pytest.approx([ref["jn"]], abs=1e-8)
    # matches csl_stats.moderation (the model-1 front end with its own statsmodels fit)
    mod = csl_stats.moderation(DATA, "x", "w", "y", center=False, probe="percentile")
    np.testing.assert_allclose(mod.simple_slopes["estimate"], res.conditional_effects["estimate"], atol=1e-10)
    assert mod.jn_boundaries == pytest.approx((ref["jn"],), abs=1e-8)


def test_parallel_mediation_against_R():
    """R: lm(m1 ~ x), lm(m2 ~ x), lm(y ~ x + m1 + m2), lm(y ~ x); a_j * b_j and their sum."""
    ref = R["m4"]
    res = _fit(4)
    _check_coefs(res, ref["coefs"])
    ind = res.conditional_indirect["estimate"].to_numpy()
    np.testing.assert_allclose(ind, ref["indirect"], atol=ATOL, rtol=0)
    assert res.direct["estimate"].iloc[0] == pytest.approx(ref["direct"], abs=ATOL)
    assert res.total["estimate"].iloc[0] == pytest.approx(ref["total"], abs=ATOL)


def test_serial_mediation_against_R():
    """R: lm(m1 ~ x), lm(m2 ~ x + m1), lm(y ~ x + m1 + m2): a1 b1, a2 b2, a1 d21 b2 and the total."""
    ref = R["m6"]
    res = _fit(6)
    _check_coefs(res, ref["coefs"])
    np.testing.assert_allclose(res.conditional_indirect["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    assert list(res.conditional_indirect["path"]) == ["m1", "m2", "m1->m2", "TOTAL"]


@pytest.mark.parametrize("model", [5, 7, 8, 11, 14, 15, 21, 22, 58, 59, 76])
def test_moderated_mediation_models_against_R(model):
    """R (tests/reference/process.R), e.g. model 21: fa <- lm(m1 ~ x + w + x:w); fy <- lm(y ~ x + m1 + z +
    m1:z); (a_x + a_xw w)(b_m1 + b_m1z z) at the percentiles of w and z; model 11: a three-way
    lm(m1 ~ x*w*z) with the index of moderated moderated mediation a_xwz * b_m1."""
    ref = R[f"m{model}"]
    res = _fit(model)
    _check_coefs(res, ref["coefs"])
    ind = _rows(res, "indirect", "m1")
    ref_ind = np.atleast_1d(ref["indirect"])
    np.testing.assert_allclose(ind["estimate"], ref_ind, atol=ATOL, rtol=0)
    if "direct" in ref:
        np.testing.assert_allclose(res.direct["estimate"], np.atleast_1d(ref["direct"]), atol=ATOL, rtol=0)
    if "index" in ref:
        idx = _rows(res, "index")
        assert idx["estimate"].iloc[0] == pytest.approx(ref["index"], abs=ATOL)
    if "mm_index" in ref:
        mm = _rows(res, "mm index")
        assert mm["estimate"].iloc[0] == pytest.approx(ref["mm_index"], abs=ATOL)
        cond = _rows(res, "conditional index")
        cond = cond[cond["moderator"] == "w"]
        np.testing.assert_allclose(cond["estimate"], ref["cond_index_w"], atol=ATOL, rtol=0)
    if model == 58:
        assert _rows(res, "index").empty  # quadratic in W: no index


def test_hc_standard_errors_against_R_sandwich():
    """R: sqrt(diag(sandwich::vcovHC(lm(y ~ x + m1 + w + x:w), type = t))) for t in HC0-HC4."""
    for kind, ref in R["m8"]["hc_se_y"].items():
        res = _fit(8, se=kind)
        for term, val in ref.items():
            assert res.coefs.at[f"y~{_r_term(term)}", "se"] == pytest.approx(val, rel=1e-9), (kind, term)


def test_logit_outcome_against_R():
    """R: glm(ybin ~ x + m1, family = binomial) with lm(m1 ~ x + w + x:w): (a_x + a_xw w) b_m1."""
    ref = R["m7_logit"]
    res = csl_stats.process(DATA, 7, x="x", m="m1", y="ybin", w="w", y_family="binomial", n_boot=200, rng=1)
    np.testing.assert_allclose(_rows(res, "indirect")["estimate"], ref["indirect"], atol=1e-7, rtol=0)
    for term, val in ref["coefs"]["ybin"].items():
        assert res.coefs.at[f"ybin~{_r_term(term)}", "estimate"] == pytest.approx(val, abs=1e-7)
    assert (res.direct["inference"] == "z").all()


@pytest.mark.parametrize("scheme", ["indicator", "helmert"])
def test_multicategorical_x_against_R(scheme):
    """R: codes D1, D2 of g (A, B, C; indicator: B, C vs A; Helmert: A vs B+C, B vs C) and
    lm(m1 ~ D1 + D2), lm(y ~ D1 + D2 + m1), lm(y ~ D1 + D2): relative indirect a_j b, relative
    direct and total effects."""
    ref = R[f"mcx_{scheme}"]
    res = csl_stats.process(DATA, 4, x="g", m="m1", y="y", mcx=scheme, n_boot=200, rng=1)
    names = list(res.x_coding.columns)
    _check_coefs(res, ref["coefs"], rename={"D1": names[0], "D2": names[1]})
    np.testing.assert_allclose(res.relative_indirect["estimate"], ref["relative_indirect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(res.relative_direct["estimate"], ref["relative_direct"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(res.relative_direct["se"], ref["relative_direct_se"], rtol=1e-9)
    np.testing.assert_allclose(res.total["estimate"], ref["relative_total"], atol=ATOL, rtol=0)
    if scheme == "indicator":  # the relative total effects are differences of group means of y ...
        means = DATA.groupby("g")["m1"].mean()  # ... and the a paths of m1
        a = res.coefs.loc[[f"m1~{n}" for n in names], "estimate"].to_numpy()
        np.testing.assert_allclose(a, [means["B"] - means["A"], means["C"] - means["A"]], atol=1e-10)
        assert list(res.x_coding.index) == ["A", "B", "C"]


def test_multicategorical_x_moderated_against_R():
    """R: lm(m1 ~ D1 + D2 + w + D1:w + D2:w), lm(y ~ D1 + D2 + m1): relative conditional indirect
    effects (a_Dj + a_Djw w) b and indices a_Djw b."""
    ref = R["mcx_m7"]
    res = csl_stats.process(DATA, 7, x="g", m="m1", y="y", w="w", mcx=1, n_boot=200, rng=1)
    np.testing.assert_allclose(res.relative_indirect["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(_rows(res, "index")["estimate"], ref["index"], atol=ATOL, rtol=0)


def test_multicategorical_w_against_R():
    """R: lm(y ~ x + m1 + W1 + W2 + m1:W1 + m1:W2) with W1, W2 indicators of wc (lo, mid vs hi):
    indirect a (b + b_Wk) in each group and indices a b_Wk."""
    ref = R["mcw_m14"]
    res = csl_stats.process(DATA, 14, x="x", m="m1", y="y", w="wc", mcw="indicator", n_boot=200, rng=1)
    ind = res.conditional_indirect
    assert list(ind["w"]) == ["hi", "lo", "mid"]
    np.testing.assert_allclose(ind["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(_rows(res, "index")["estimate"], ref["index"], atol=ATOL, rtol=0)


# ---------------------------------------------------------------------------------------------
# published PROCESS examples (data exported by tests/reference/process.R; not redistributed)
# ---------------------------------------------------------------------------------------------
def _external(name: str) -> pd.DataFrame:
    path = EXTERNAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent: run `Rscript tests/reference/process.R` (needs R with psych and "
                    "psychTools) to export it; the data are not redistributed here because their licence "
                    "is unclear.")
    return pd.read_csv(path)


def test_pmi_example_against_R():
    """Hayes (2022, ch. 3), psych::Tal_Or ("pmi"): a = .477, b = .506, c' = .254 (PROCESS model 4);
    R: lm(pmi ~ cond), lm(reaction ~ cond + pmi)."""
    d = _external("tal_or.csv")
    ref = R["tal_or"]
    res = csl_stats.process(d, 4, x="cond", m="pmi", y="reaction", n_boot=2000, rng=1)
    assert res.coefs.at["pmi~cond", "estimate"] == pytest.approx(0.477, abs=5e-4)
    assert res.coefs.at["reaction~pmi", "estimate"] == pytest.approx(0.506, abs=5e-4)
    assert res.direct["estimate"].iloc[0] == pytest.approx(0.254, abs=5e-4)
    assert res.conditional_indirect["estimate"].iloc[0] == pytest.approx(ref["indirect"], abs=ATOL)
    assert res.total["estimate"].iloc[0] == pytest.approx(ref["total"], abs=ATOL)
    assert res.n == ref["n"] == 123
    ind = res.conditional_indirect.iloc[0]
    # Hayes reports a percentile interval whose lower limit is close to zero and upper near .5
    assert abs(ind["ci_low"]) < 0.05 and 0.4 < ind["ci_high"] < 0.6


def test_glbwarm_example_against_R():
    """Hayes (2022, ch. 8), psychTools::globalWarm ("glbwarm"): govact on negemot moderated by age with
    posemot, ideology and sex as covariates (PROCESS model 1): b_negemot = .120, b_int = .006;
    R: lm(govact ~ negemot + age + negemot:age + posemot + ideology + sex)."""
    d = _external("glbwarm.csv")
    ref = R["glbwarm"]
    res = csl_stats.process(d, 1, x="negemot", w="age", y="govact", covariates=["posemot", "ideology", "sex"])
    _check_coefs(res, ref["coefs"])
    assert res.coefs.at["govact~negemot", "estimate"] == pytest.approx(0.120, abs=5e-4)
    assert res.coefs.at["govact~negemot*age", "estimate"] == pytest.approx(0.006, abs=5e-4)
    eff = res.conditional_effects
    np.testing.assert_allclose(eff["w"], ref["age_probes"], atol=1e-12)
    np.testing.assert_allclose(eff["estimate"], ref["effect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(eff["se"], ref["effect_se"], rtol=1e-9)
    assert res.n == ref["n"] == 815


# ---------------------------------------------------------------------------------------------
# front ends give the same numbers as process()
# ---------------------------------------------------------------------------------------------
def test_front_ends_agree_with_process():
    med = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=300, rng=4)
    pro = csl_stats.process(DATA, 4, x="x", m=["m1", "m2"], y="y", n_boot=300, rng=4)
    np.testing.assert_allclose(med.effects.loc[["indirect[m1]", "indirect[m2]", "indirect"], "estimate"],
                               pro.conditional_indirect["estimate"], atol=1e-12)
    # same engine, same resamples: identical bootstrap draws of the indirect effects
    np.testing.assert_allclose(med.draws("indirect[m1]"), pro.draws("indirect[m1]"), atol=1e-12)
    np.testing.assert_allclose(med.effects.loc["indirect[m1]", ["ci_low", "ci_high"]].to_numpy(float),
                               pro.conditional_indirect.iloc[0][["ci_low", "ci_high"]].to_numpy(float), atol=1e-12)
    vals = list(R["probes"]["w"])
    mm = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage="both", moderate_direct=True,
                                       values=vals, n_boot=300, rng=4)
    pro = csl_stats.process(DATA, 59, x="x", m="m1", y="y", w="w", n_boot=300, rng=4)
    np.testing.assert_allclose(mm.conditional["estimate"], pro.conditional_indirect["estimate"], atol=1e-12)
    np.testing.assert_allclose(mm.conditional["ci_low"], pro.conditional_indirect["ci_low"], atol=1e-12)


# ---------------------------------------------------------------------------------------------
# pyprocessmacro 2.2 (PROCESS 2 numbering and names)
# ---------------------------------------------------------------------------------------------
def _mc_tol(se: float, n1: int, n2: int, alpha: float = 0.025) -> float:
    q = np.sqrt(alpha * (1 - alpha)) / stats.norm.pdf(stats.norm.ppf(alpha))
    return 4 * se * q * np.sqrt(1 / n1 + 1 / n2)


PPM_MODELS = [m for m in TEMPLATES if 7 <= m <= 76 and m not in (6,)]


@pytest.mark.parametrize("model", PPM_MODELS)
def test_templates_against_pyprocessmacro(model):
    """pyprocessmacro.Process(model=k, ...) with PROCESS 2's moderator names (V, Q for some of our W,
    Z; csl_stats._process_templates.PROCESS2_ROLES): identical conditional indirect effects (to 1e-8)
    at the same probe values (its default: mean and +-1 SD)."""
    ppm = pytest.importorskip("pyprocessmacro")
    t = TEMPLATES[model]
    names = PROCESS2_ROLES.get(model, {})
    mods = {names.get(r, r): r for r in sorted(t.roles - {"x"})}  # model 74: X moderates M -> Y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=model, x="x", m=["m1"], y="y", boot=100, seed=1, suppr_init=True,
                        detail=False, **mods)
    tidy = p.tidy(["indirect"])
    res = csl_stats.process(DATA, model, x="x", m="m1", y="y", probe="sd", n_boot=100, rng=1,
                            **{r: r for r in t.roles - {"x"}})
    ours = res.conditional_indirect
    # pyprocessmacro orders its grid by its own moderator names; match rows on the moderator values
    key_cols = [c for c in ("w", "z", "x_value") if c in ours]
    theirs = {}
    for _, row in tidy.iterrows():  # tidy() names columns by data column
        key = tuple(round(float(row["x" if c == "x_value" else c]), 8) for c in key_cols)
        theirs[key] = row["estimate"]
    assert len(theirs) == len(ours)
    for _, row in ours.iterrows():
        key = tuple(round(float(row[c]), 8) for c in key_cols)
        assert row["estimate"] == pytest.approx(theirs[key], abs=1e-8), (model, key)


@pytest.mark.parametrize("model", [7, 21])
def test_bootstrap_intervals_against_pyprocessmacro(model):
    """Percentile limits within Monte Carlo error of pyprocessmacro's (percent=True), both with 2,000
    resamples; its default bias-corrected intervals are a different convention."""
    ppm = pytest.importorskip("pyprocessmacro")
    mods = {"w": "w"} if model == 7 else {"w": "w", "v": "z"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=model, x="x", m=["m1"], y="y", boot=2000, seed=5, percent=True,
                        suppr_init=True, detail=False, **mods)
    tidy = p.tidy(["indirect"])
    res = csl_stats.process(DATA, model, x="x", m="m1", y="y", w="w", z="z" if model == 21 else None,
                            probe="sd", n_boot=2000, rng=5)
    ours = res.conditional_indirect
    assert len(ours) == len(tidy)
    keys = ["w"] + (["z"] if model == 21 else [])
    for _, a in ours.iterrows():
        sel = np.ones(len(tidy), bool)
        for k in keys:
            sel &= np.isclose(tidy[k], a[k], atol=1e-8)
        b = tidy[sel].iloc[0]
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-8)
        tol = _mc_tol(a["se"], 2000, 2000)
        assert abs(a["ci_low"] - b["conf_low"]) < tol
        assert abs(a["ci_high"] - b["conf_high"]) < tol
        assert a["se"] == pytest.approx(b["std_error"], rel=0.12)


# ---------------------------------------------------------------------------------------------
# engine pieces
# ---------------------------------------------------------------------------------------------
def test_code_matrices():
    np.testing.assert_array_equal(code_matrix("indicator", 3), [[0, 0], [1, 0], [0, 1]])
    np.testing.assert_array_equal(code_matrix("sequential", 3), [[0, 0], [1, 0], [1, 1]])
    np.testing.assert_allclose(code_matrix("helmert", 3), [[-2 / 3, 0], [1 / 3, -1 / 2], [1 / 3, 1 / 2]])
    np.testing.assert_array_equal(code_matrix("effect", 3), [[-1, -1], [1, 0], [0, 1]])


@pytest.mark.parametrize("scheme", ["sequential", "effect"])
def test_relative_total_effects_are_group_mean_contrasts(scheme):
    """Sequential: mean(g_j+1) - mean(g_j); effect coding: mean(g_j+1) - unweighted mean of group means."""
    res = csl_stats.process(DATA, 4, x="g", m="m1", y="y", mcx=scheme, n_boot=100, rng=1)
    mu = DATA.groupby("g")["y"].mean()
    want = [mu["B"] - mu["A"], mu["C"] - mu["B"]] if scheme == "sequential" else [mu["B"] - mu.mean(),
                                                                                    mu["C"] - mu.mean()]
    np.testing.assert_allclose(res.total["estimate"], want, atol=1e-10)


def test_categorical_order_sets_reference():
    d = DATA.assign(g=pd.Categorical(DATA["g"], categories=["C", "A", "B"]))
    res = csl_stats.process(d, 4, x="g", m="m1", y="y", mcx="indicator", n_boot=100, rng=1)
    assert list(res.x_coding.index) == ["C", "A", "B"]
    assert list(res.effects["contrast"].dropna().unique()) == ["A vs C", "B vs C"]


def test_floodlight_band_matches_probed_intervals():
    """The floodlight band on a grid uses the same draws and rule as the probed intervals: at a grid
    point equal to a probe value both give the same limits; significance = interval excludes 0."""
    lo_w = float(DATA["w"].min())
    res = csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", w_values=[lo_w], n_boot=400, rng=3)
    fl = res.floodlight
    assert len(fl) == 60 and fl["value"].iloc[0] == pytest.approx(lo_w)
    row = res.conditional_indirect.iloc[0]
    assert fl["ci_low"].iloc[0] == pytest.approx(row["ci_low"], rel=1e-9)
    assert fl["ci_high"].iloc[0] == pytest.approx(row["ci_high"], rel=1e-9)
    assert (fl["significant"] == ((fl["ci_low"] > 0) | (fl["ci_high"] < 0))).all()
    # model 7: the conditional indirect effect is linear in w with slope = the index
    slope = np.polyfit(fl["value"], fl["estimate"], 1)[0]
    assert slope == pytest.approx(_rows(res, "index")["estimate"].iloc[0], rel=1e-9)


def test_probe_options_and_dichotomous_moderator():
    w = DATA["w"]
    res = _fit(7, probe="sd")
    np.testing.assert_allclose(res.conditional_indirect["w"], [w.mean() - w.std(), w.mean(), w.mean() + w.std()])
    d = DATA.assign(wb=(DATA["w"] > 3).astype(float))
    res = csl_stats.process(d, 7, x="x", m="m1", y="y", w="wb", n_boot=100, rng=1)
    assert list(res.conditional_indirect["w"]) == [0.0, 1.0]
    assert res.floodlight is None and res.johnson_neyman is None
    res = _fit(7, w_values=[2.0, 4.0])
    assert list(res.conditional_indirect["w"]) == [2.0, 4.0] and res.probe == "values"


def test_bootstrap_reproducible_and_labelled():
    r1, r2 = _fit(21, n_boot=200), _fit(21, n_boot=200)
    np.testing.assert_array_equal(r1.boot_draws, r2.boot_draws)
    assert r1.boot_draws.shape == (200, len(r1.boot_labels))
    lab = r1.conditional_indirect.index[0]
    np.testing.assert_array_equal(r1.draws(lab), r1.boot_draws[:, 0])
    assert r1.conditional_indirect.iloc[0]["se"] == pytest.approx(np.std(r1.draws(lab), ddof=1))
    with pytest.raises(ArgumentError, match="bootstrapped effects"):
        r1.draws("direct")


def test_result_frame_and_repr():
    res = _fit(8)
    frame = res.to_frame()
    pd.testing.assert_frame_equal(frame, res.effects)
    frame.iloc[0, frame.columns.get_loc("estimate")] = 99.0
    assert res.effects["estimate"].iloc[0] != 99.0
    assert "model=8" in repr(res) and "<table" in res._repr_html_()
    assert set(res.fit.index) == {"m1", "y"} and (res.fit["n"] == 250).all()


def test_listwise_deletion_reports_n():
    d = DATA.copy()
    d.loc[[0, 3], "w"] = np.nan
    d.loc[5, "g"] = None
    res = csl_stats.process(d, 7, x="g", m="m1", y="y", w="w", mcx=1, n_boot=100, rng=1)
    assert res.n == 247 and res.n_dropped == 3
    assert DATA["w"].notna().all()


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_errors():
    with pytest.raises(ArgumentError, match="model 99 is not a PROCESS v4 model"):
        csl_stats.process(DATA, 99, x="x", y="y")
    with pytest.raises(ArgumentError, match="model 30 is a PROCESS 2 template with three or four moderators"):
        csl_stats.process(DATA, 30, x="x", y="y", m="m1", w="w", z="z")
    with pytest.raises(ArgumentError, match=r"model 78 is not a PROCESS v4 model number \(PROCESS never used 77-79\)"):
        csl_stats.process(DATA, 78, x="x", y="y", m="m1")
    with pytest.raises(ArgumentError, match="available models are 1-22, 28-29, 58-76, 80-92"):
        csl_stats.process(DATA, 93, x="x", y="y", m="m1")
    with pytest.raises(ArgumentError, match=r"model 80 .* needs 3 to 6 mediators in m; got 2"):
        csl_stats.process(DATA, 80, x="x", y="y", m=["m1", "m2"])
    with pytest.raises(ArgumentError, match=r"model 82 .* needs exactly 4 mediators in m; got 3"):
        csl_stats.process(DATA, 82, x="x", y="y", m=["m1", "m2", "c1"])
    with pytest.raises(ArgumentError, match=r"model 91 .* needs exactly 2 mediators in m; got 1"):
        csl_stats.process(DATA, 91, x="x", y="y", m="m1", w="w")
    with pytest.raises(ArgumentError, match=r"model 74 .* X must be numeric; mcx='indicator' is not available"):
        csl_stats.process(DATA, 74, x="g", y="y", m="m1", mcx=1)
    with pytest.raises(ArgumentError, match=r"model 74 .* takes no moderator w"):
        csl_stats.process(DATA, 74, x="x", y="y", m="m1", w="w")
    with pytest.raises(ModelSpecificationError, match="'m2' is used both as m and as w"):
        csl_stats.process(DATA, 91, x="x", m=["m1", "m2"], y="y", w="m2")
    with pytest.raises(ArgumentTypeError, match="model must be a PROCESS model number"):
        csl_stats.process(DATA, "7", x="x", y="y")
    with pytest.raises(ArgumentError, match=r"model 7 \(first stage \(a\) moderated by W\) needs a moderator w"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y")
    with pytest.raises(ArgumentError, match="model 7 .* takes no moderator z"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", z="z")
    with pytest.raises(ArgumentError, match="model 1 .* takes no mediator"):
        csl_stats.process(DATA, 1, x="x", m="m1", y="y", w="w")
    with pytest.raises(ArgumentError, match="model 14 .* needs at least one mediator"):
        csl_stats.process(DATA, 14, x="x", y="y", w="w")
    with pytest.raises(ArgumentError, match="model 6 .* needs 2 to 6 mediators in m; got 1"):
        csl_stats.process(DATA, 6, x="x", m="m1", y="y")
    with pytest.raises(ArgumentError, match="X column 'g' is categorical .* pass mcx="):
        csl_stats.process(DATA, 4, x="g", m="m1", y="y")
    with pytest.raises(ArgumentError, match="W column 'wc' is categorical .* pass mcw="):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="wc")
    with pytest.raises(ArgumentError, match="mcx must be one of"):
        csl_stats.process(DATA, 4, x="g", m="m1", y="y", mcx="dummy")
    with pytest.raises(ModelSpecificationError, match="'x' is used both as x and as w"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="x")
    with pytest.raises(ModelSpecificationError, match="'m1' is used both as m and as w"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="m1")
    with pytest.raises(ArgumentError, match="w_values cannot be given for a multicategorical W"):
        csl_stats.process(DATA, 14, x="x", m="m1", y="y", w="wc", mcw=1, w_values=[1.0])
    with pytest.raises(ArgumentError, match="z_values given but model 7 has no moderator z"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", z_values=[1.0])
    with pytest.raises(ArgumentError, match="se must be one of"):
        csl_stats.process(DATA, 4, x="x", m="m1", y="y", se="HC5")
    with pytest.raises(ArgumentTypeError, match="progress must be True or False"):
        csl_stats.process(DATA, 4, x="x", m="m1", y="y", progress=1)
    with pytest.raises(ArgumentTypeError, match="rng must be None"):
        csl_stats.process(DATA, 1, x="x", w="w", y="y", rng="seed")
    with pytest.raises(ArgumentTypeError, match="w_values must be a list of numbers"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", w_values="low")
    with pytest.raises(InsufficientDataError, match="single category"):
        csl_stats.process(DATA.assign(g="A"), 4, x="g", m="m1", y="y", mcx=1)


def test_probe_outside_range_warns():
    with pytest.warns(ExtrapolationWarning, match=r"w_values \[99.0\] lie outside the observed range of 'w'"):
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", w_values=[3.0, 99.0], n_boot=100, rng=1)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def test_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = _fit(21, n_boot=200)
    ax = csl_stats.plot_conditional_indirect(res)
    assert len(ax.lines) == 4  # three values of z and the zero line
    assert ax.get_xlabel() == "w"
    res7 = _fit(7, n_boot=200)
    ax = csl_stats.plot_conditional_indirect(res7)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["estimate", "probed values"]
    ax = csl_stats.plot_template(res7)
    texts = [t.get_text() for t in ax.texts]
    assert {"x", "m1", "y", "w"} <= set(texts)
    for model in TEMPLATES:
        ax = csl_stats.plot_template(model)
        assert ax.get_title().startswith(f"PROCESS model {model}:")
        plt.close("all")
    with pytest.raises(ArgumentError, match="no conditional indirect effect along a continuous moderator"):
        csl_stats.plot_conditional_indirect(_fit(4))
    with pytest.raises(ArgumentError, match="path must be one of"):
        csl_stats.plot_conditional_indirect(res7, path="m9")
    with pytest.raises(ArgumentTypeError, match="result must be a ProcessResult"):
        csl_stats.plot_conditional_indirect(DATA)
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# argument policies of issue 15 applied to the mediation family
# ---------------------------------------------------------------------------------------------
def test_warnings_point_at_the_caller():
    with pytest.warns(ExtrapolationWarning) as rec:
        csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", w_values=[99.0], n_boot=100, rng=1)
    assert rec[0].filename == __file__
    d = DATA.copy()
    d.loc[: len(d) // 3, "m1"] = np.nan
    for call in (lambda: csl_stats.mediation(d, "x", "m1", "y", n_boot=100, rng=1),
                 lambda: csl_stats.moderated_mediation(d, "x", "m1", "y", "w", n_boot=100, rng=1),
                 lambda: csl_stats.process(d, 4, x="x", m="m1", y="y", n_boot=100, rng=1)):
        with pytest.warns(csl_stats.errors.MissingDataWarning, match="listwise deletion dropped") as rec:
            call()
        assert rec[0].filename == __file__


def test_strict_options_in_every_front_end():
    for f in (lambda **k: csl_stats.mediation(DATA, "x", "m1", "y", **k),
              lambda **k: csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", **k),
              lambda **k: csl_stats.process(DATA, 7, x="x", m="m1", y="y", w="w", **k)):
        with pytest.raises(ArgumentTypeError, match="progress must be True or False"):
            f(progress="no")
        with pytest.raises(ArgumentTypeError, match="rng must be None"):
            f(rng="abc")
        with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
            f(n_boot=10)


def test_tuple_labels_of_two_level_columns():
    d = DATA[["x", "m1", "w", "y"]].copy()
    d.columns = pd.MultiIndex.from_tuples([("s", "x"), ("s", "m1"), ("s", "w"), ("s", "y")])
    res = csl_stats.process(d, 7, x=("s", "x"), m=("s", "m1"), y=("s", "y"), w=("s", "w"), n_boot=100, rng=1)
    ref = _fit(7, n_boot=100, covariates=None)
    np.testing.assert_allclose(res.conditional_indirect["estimate"], ref.conditional_indirect["estimate"])
    med = csl_stats.mediation(d, ("s", "x"), ("s", "m1"), ("s", "y"), n_boot=100, rng=1)
    assert med.mediators == ("('s', 'm1')",)


def test_johnson_neyman_boundaries_have_critical_t():
    """At every Johnson-Neyman boundary the conditional effect's |t| equals the critical t (model 3
    with a multicategorical W: regions along Z within each category of W)."""
    res = csl_stats.process(DATA, 3, x="x", w="wc", z="z", y="y", mcw=1)
    jn = res.johnson_neyman
    assert set(jn["at"]) == {"hi", "lo", "mid"} and (jn["along"] == "z").all()
    crit = stats.t.ppf(0.975, res.fit.at["y", "df_resid"])
    coefs = res.coefs.set_index("term")
    V_terms = ["x", "x*wc[lo]", "x*wc[mid]", "x*z", "x*wc[lo]*z", "x*wc[mid]*z"]
    b = coefs.loc[V_terms, "estimate"].to_numpy()
    import statsmodels.api as sm  # an independent fit for the covariance matrix

    d = DATA.assign(lo=(DATA["wc"] == "lo") * 1.0, mid=(DATA["wc"] == "mid") * 1.0)
    X = pd.DataFrame({"const": 1.0, "x": d["x"], "lo": d["lo"], "mid": d["mid"], "z": d["z"],
                      "x_lo": d["x"] * d["lo"], "x_mid": d["x"] * d["mid"], "x_z": d["x"] * d["z"],
                      "lo_z": d["lo"] * d["z"], "mid_z": d["mid"] * d["z"], "x_lo_z": d["x"] * d["lo"] * d["z"],
                      "x_mid_z": d["x"] * d["mid"] * d["z"]})
    fit = sm.OLS(d["y"], X).fit()
    idx = ["x", "x_lo", "x_mid", "x_z", "x_lo_z", "x_mid_z"]
    np.testing.assert_allclose(fit.params[idx].to_numpy(), b, atol=1e-10)
    V = fit.cov_params().loc[idx, idx].to_numpy()
    for _, reg in jn[jn["low"] > DATA["z"].min()].iterrows():
        zb = reg["low"]
        g = {"hi": (0, 0), "lo": (1, 0), "mid": (0, 1)}[reg["at"]]
        L = np.array([1, g[0], g[1], zb, g[0] * zb, g[1] * zb])
        assert abs(L @ b) / np.sqrt(L @ V @ L) == pytest.approx(crit, rel=1e-8)


@pytest.mark.parametrize("method", ["bca", "montecarlo"])
def test_other_interval_methods_run_and_bracket_the_estimate(method):
    res = _fit(21, n_boot=300, ci_method=method)
    ci = res.conditional_indirect
    assert ((ci["ci_low"] < ci["estimate"]) & (ci["estimate"] < ci["ci_high"])).all()
    assert res.floodlight["ci_low"].notna().all()
    assert set(res.effects.loc[list(res.boot_labels), "inference"]) == {
        "montecarlo" if method == "montecarlo" else "bootstrap"}


@pytest.mark.parametrize("scheme", ["indicator", "sequential", "helmert", "effect"])
def test_multicategorical_x_against_pyprocessmacro(scheme):
    """pyprocessmacro.Process(model=7, x="g", mcx=scheme, ...): the same PROCESS coding systems, so
    identical relative conditional indirect effects (to 1e-10) at the mean and +-1 SD of w; its
    codes are named X1, X2, ours after the categories (indicator, effect) or g.D1, g.D2."""
    ppm = pytest.importorskip("pyprocessmacro")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=7, x="g", m=["m1"], y="y", w="w", mcx=scheme, boot=100, seed=1,
                        suppr_init=True, detail=False)
    tidy = p.tidy(["indirect"])
    res = csl_stats.process(DATA, 7, x="g", m="m1", y="y", w="w", mcx=scheme, probe="sd", n_boot=100, rng=1)
    ours = res.conditional_indirect
    code_of = dict(zip(dict.fromkeys(ours["x"]), dict.fromkeys(tidy["x_code"]), strict=True))
    theirs = {(row["x_code"], round(row["w"], 8)): row["estimate"] for _, row in tidy.iterrows()}
    assert len(theirs) == len(ours) == 6
    for _, row in ours.iterrows():
        assert row["estimate"] == pytest.approx(theirs[(code_of[row["x"]], round(row["w"], 8))], abs=1e-10)


def test_empty_views_keep_their_columns():
    res = _fit(4)
    assert res.mm_index.empty and "estimate" in res.mm_index.columns
    assert res.conditional_direct.empty and res.relative_indirect is None


# ---------------------------------------------------------------------------------------------
# issue 20: model 74 and the hybrid / moderated serial templates 80-92 against R lm()
# ---------------------------------------------------------------------------------------------
NEW_MEDIATORS = {80: ["m1", "c1", "m2"], 81: ["m1", "m2", "c1"], 82: ["m1", "m2", "c1", "z"]}


def test_model_74_against_R():
    """R: lm(m1 ~ x), lm(y ~ x + m1 + m1:x); conditional indirect effect a (b + b_mx x) at the
    16th/50th/84th percentiles of x, index a b_mx, direct effect b_x (at m1 = 0, as PROCESS 3)."""
    ref = R["m74"]
    res = csl_stats.process(DATA, 74, x="x", m="m1", y="y", n_boot=100, rng=1)
    _check_coefs(res, ref["coefs"], rename={"x:m1": "m1*x"})
    ind = res.conditional_indirect
    np.testing.assert_allclose(ind["x_value"], ref["x_probes"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(ind["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    assert res.mm_index["estimate"].iloc[0] == pytest.approx(ref["index"], abs=ATOL)
    assert res.mm_index["moderator"].iloc[0] == "x"
    assert res.direct["estimate"].iloc[0] == pytest.approx(ref["direct"], abs=ATOL)


@pytest.mark.parametrize("model", [80, 81, 82])
def test_hybrid_models_against_R(model):
    """R (tests/reference/process.R): one lm() per mediator with the links of the structure (80:
    m1, c1 -> m2; 81: m1 -> m2, c1; 82: m1 -> m2 and c1 -> z), lm(y ~ x + all mediators); every
    indirect effect is the product of its path coefficients, the total indirect effect their sum."""
    ref = R[f"m{model}"]
    res = csl_stats.process(DATA, model, x="x", m=NEW_MEDIATORS[model], y="y", n_boot=100, rng=1)
    _check_coefs(res, ref["coefs"])
    np.testing.assert_allclose(res.conditional_indirect["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    assert res.direct["estimate"].iloc[0] == pytest.approx(ref["direct"], abs=ATOL)
    assert res.total["estimate"].iloc[0] == pytest.approx(R["m80"]["total"], abs=ATOL)
    assert len(res.mm_index) == 0


@pytest.mark.parametrize("model", range(83, 93))
def test_moderated_serial_models_against_R(model):
    """R: lm(m1 ~ ...), lm(m2 ~ x + m1 + ...), lm(y ~ x + m1 + m2 + ...) with W on the template's
    paths (83: x->m1; 84: x->m1, x->m2; 85: + x->y; 86: x->m1, x->y; 87: m2->y; 88: m1->y, m2->y;
    89: + x->y; 90: m2->y, x->y; 91: m1->m2; 92: all). Indirect effects a1 b1, a2 b2, a1 d21 b2 and
    their sum at the percentiles of w written out from the slopes; indices of moderated mediation
    (the slope in w of each route linear in w); conditional direct effects."""
    ref = R[f"m{model}"]
    res = csl_stats.process(DATA, model, x="x", m=["m1", "m2"], y="y", w="w", n_boot=100, rng=1)
    _check_coefs(res, ref["coefs"])
    np.testing.assert_allclose(res.conditional_indirect["estimate"], ref["indirect"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(res.direct["estimate"], np.atleast_1d(ref["direct"]), atol=ATOL, rtol=0)
    idx = res.mm_index
    for path, key in (("m1", "m1"), ("m2", "m2"), ("m1->m2", "m1_m2")):
        rows = idx[idx["path"] == path]
        moderated = res.conditional_indirect.query("path == @path")["w"].notna().any()
        if moderated and model != 92:  # in 83-91 every moderated route is linear in w
            assert rows["estimate"].iloc[0] == pytest.approx(ref["index"][key], abs=ATOL), (model, path)
        if not moderated:
            assert len(rows) == 0
    if model == 92:  # every route is quadratic or cubic in w: no index of moderated mediation
        assert len(idx) == 0
    else:
        assert len(idx) >= 1


def test_model_74_bootstrap_against_pyprocessmacro():
    """pyprocessmacro.Process(model=74, x="x", m=["m1"], y="y", boot=2000, percent=True): conditional
    indirect effects at X's mean and +-1 SD (probe="sd") and the index of moderated mediation agree
    (estimates to 1e-8, percentile limits within Monte Carlo error, bootstrap SEs within 12 %)."""
    ppm = pytest.importorskip("pyprocessmacro")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=74, x="x", m=["m1"], y="y", boot=2000, seed=5, percent=True,
                        suppr_init=True, detail=False)
    tidy = p.tidy(["indirect", "index_mm"])
    res = csl_stats.process(DATA, 74, x="x", m="m1", y="y", probe="sd", n_boot=2000, rng=5)
    ours = pd.concat([res.conditional_indirect, res.mm_index])
    assert len(ours) == len(tidy) == 4
    for (_, a), (_, b) in zip(ours.iterrows(), tidy.iterrows(), strict=True):
        if a["effect"] == "indirect":
            assert a["x_value"] == pytest.approx(b["x"], abs=1e-8)
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-8)
        tol = _mc_tol(a["se"], 2000, 2000)
        assert abs(a["ci_low"] - b["conf_low"]) < tol
        assert abs(a["ci_high"] - b["conf_high"]) < tol
        assert a["se"] == pytest.approx(b["std_error"], rel=0.12)


def test_plots_of_new_templates():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res74 = csl_stats.process(DATA, 74, x="x", m="m1", y="y", n_boot=200, rng=1)
    ax = csl_stats.plot_conditional_indirect(res74)
    assert ax.get_xlabel() == "x"  # the floodlight runs along X, X's own moderator
    res91 = csl_stats.process(DATA, 91, x="x", m=["m1", "m2"], y="y", w="w", n_boot=200, rng=1)
    ax = csl_stats.plot_conditional_indirect(res91, path="m1->m2")
    assert ax.get_xlabel() == "w"
    with pytest.raises(ArgumentError, match="path must be one of"):
        csl_stats.plot_conditional_indirect(res91, path="m2")  # the route through m2 alone is not moderated
    texts = [t.get_text() for t in csl_stats.plot_template(74).texts if t.get_text()]
    assert sorted(texts) == ["M", "X", "Y"]  # X moderates its own path: no moderator box
    texts = [t.get_text() for t in csl_stats.plot_template(82).texts]
    assert {"M1", "M2", "M3", "M4"} <= set(texts)
    texts = [t.get_text() for t in csl_stats.plot_template(res91).texts]
    assert {"x", "m1", "m2", "y", "w"} <= set(texts)
    plt.close("all")


GENERIC = sorted(int(k[1:]) for k in R["generic"])


@pytest.mark.parametrize("model", GENERIC)
def test_other_one_mediator_templates_against_R(model):
    """R (tests/reference/process.R, ``generic``): lm() formulas written from the PROCESS v4
    definitions of models 9, 10, 12, 13, 16-20, 28, 29, 60-73 and 75 (e.g. model 62:
    lm(m1 ~ x + w + z + x:w + x:z), lm(y ~ x + m1 + w + z + m1:w + x:z)); conditional slopes read
    off the lm() term labels; indirect = slope of x on m1 x slope of m1 on y, direct = slope of x on
    y, on the 3 x 3 grid of the percentiles of w and z. Coefficients matched by the set of variables
    in each term (lm() orders the names of a product by first appearance in the formula)."""
    ref = R["generic"][f"m{model}"]
    t = TEMPLATES[model]
    res = csl_stats.process(DATA, model, x="x", m="m1", y="y", n_boot=100, rng=1, **{r: r for r in t.roles})
    ours = {(row["outcome"], frozenset(row["term"].split("*"))): row["estimate"] for _, row in res.coefs.iterrows()}
    n_ref = 0
    for eq, coefs in ref["coefs"].items():
        for term, val in coefs.items():
            key = (eq, frozenset(_r_term(term).split("*")))
            assert ours[key] == pytest.approx(val, abs=ATOL, rel=0), (model, key)
            n_ref += 1
    assert len(ours) == n_ref
    wv, zv = R["probes"]["w"], R["probes"]["z"]

    def ref_at(values, row):
        i = wv.index(min(wv, key=lambda a: abs(a - row["w"]))) if "w" in row and pd.notna(row["w"]) else 0
        j = zv.index(min(zv, key=lambda a: abs(a - row["z"]))) if "z" in row and pd.notna(row["z"]) else 0
        return values[3 * i + j]

    ind = res.conditional_indirect
    assert len(ind) == 3 ** len({c for c in ("w", "z") if c in ind and ind[c].notna().any()})
    for _, row in ind.iterrows():
        assert row["estimate"] == pytest.approx(ref_at(ref["indirect"], row), abs=ATOL), (model, row.name)
    for _, row in res.direct.iterrows():
        assert row["estimate"] == pytest.approx(ref_at(ref["direct"], row), abs=ATOL), (model, row.name)


def test_model3_conditional_interaction_against_R():
    """R: f <- lm(y ~ x*w*z); b["x:w"] + b["x:w:z"] * z at the percentiles of z, SE
    sqrt(V[xw, xw] + z^2 V[xwz, xwz] + 2 z V[xw, xwz]) from vcov(f), t interval on df.residual(f)."""
    ref = R["m3_conditional_interaction"]
    ci = _fit(3).conditional_interaction
    np.testing.assert_allclose(ci["z"], R["probes"]["z"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(ci["estimate"], ref["estimate"], atol=ATOL, rtol=0)
    np.testing.assert_allclose(ci["se"], ref["se"], atol=ATOL, rtol=0)
    crit = stats.t.ppf(0.975, ref["df"])
    np.testing.assert_allclose(ci["ci_low"], np.array(ref["estimate"]) - crit * np.array(ref["se"]), atol=1e-7)
    assert (ci["moderator"] == "w").all()
    assert len(_fit(7).conditional_interaction) == 0  # no three-way term on the direct path


def test_template_arrows_match_the_equations():
    """Template.arrows (what the diagrams draw) agrees with the equations the engine fits: every arrow's
    source is a predictor of its target's equation, multiplied by a moderator exactly when the arrow is
    moderated; no other variable of the system enters an equation."""
    g = np.random.default_rng(0)
    for number, t in TEMPLATES.items():
        ms = [f"M{j + 1}" for j in range(max(1, t.mediator_range[0]))] if t.mediators != "none" else []
        cols = ["X", "Y", "W", "Z", *ms]
        df = pd.DataFrame(g.normal(size=(60, len(cols))), columns=cols)
        roles = {r: r.upper() for r in t.roles - {"x"}}
        res = csl_stats.process(df, number, x="X", y="Y", m=ms or None, n_boot=100, rng=1, **roles)
        name = {"x": "X", "y": "Y", **{f"m{j}": m for j, m in enumerate(ms)}}
        terms = {eq: set(res.coefs.loc[res.coefs["outcome"] == eq, "term"]) for eq in ("Y", *ms)}
        expected_preds = {eq: set() for eq in terms}
        for _path, src, dst, mod in t.arrows(len(ms)):
            eq, var = name[dst], name[src]
            assert var in terms[eq], (number, src, dst)
            expected_preds[eq].add(var)
            products = {tm for tm in terms[eq] if var in tm.split("*") and "*" in tm}
            if number == 74 and src == "x" and dst == "y":  # X*M1 is X moderating M1 -> Y, not X -> Y
                products = {tm for tm in products if not set(tm.split("*")) & set(ms)}
            assert bool(products) == bool(mod), (number, src, dst, products)
        for eq, ts in terms.items():
            singles = {tm for tm in ts if "*" not in tm} - {"(intercept)", "W", "Z"}
            assert singles == expected_preds[eq], (number, eq)


@pytest.mark.parametrize("model", [11, 18, 58])
def test_more_bootstrap_intervals_against_pyprocessmacro(model):
    """Three-way first stage (11), three-way second stage (18; pyprocessmacro's V and Q) and both
    stages by W (58): conditional indirect effects at the mean and +-1 SD of the moderators, estimates
    to 1e-8, percentile limits (percent=True) within Monte Carlo error, both with 2,000 resamples."""
    ppm = pytest.importorskip("pyprocessmacro")
    t = TEMPLATES[model]
    names = PROCESS2_ROLES.get(model, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=model, x="x", m=["m1"], y="y", boot=2000, seed=7, percent=True,
                        suppr_init=True, detail=False, **{names.get(r, r): r for r in sorted(t.roles)})
    tidy = p.tidy(["indirect"])
    res = csl_stats.process(DATA, model, x="x", m="m1", y="y", probe="sd", n_boot=2000, rng=7,
                            **{r: r for r in t.roles})
    ours = res.conditional_indirect
    keys = [c for c in ("w", "z") if c in ours]
    assert len(ours) == len(tidy)
    for _, a in ours.iterrows():
        sel = np.ones(len(tidy), bool)
        for k in keys:
            sel &= np.isclose(tidy[k], a[k], atol=1e-8)
        b = tidy[sel].iloc[0]
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-8)
        tol = _mc_tol(a["se"], 2000, 2000)
        assert abs(a["ci_low"] - b["conf_low"]) < tol, (model, a.name)
        assert abs(a["ci_high"] - b["conf_high"]) < tol, (model, a.name)


def test_three_way_indices_against_pyprocessmacro():
    """Model 11: the index of moderated moderated mediation and the conditional indices of moderated
    mediation (by W at each Z, by Z at each W) agree with pyprocessmacro's index_mmm / index_cmm:
    estimates to 1e-8, percentile limits within Monte Carlo error (2,000 resamples each)."""
    ppm = pytest.importorskip("pyprocessmacro")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=11, x="x", m=["m1"], y="y", w="w", z="z", boot=2000, seed=7,
                        percent=True, suppr_init=True, detail=False)
    tidy = p.tidy(["index_mmm", "index_cmm"])
    res = csl_stats.process(DATA, 11, x="x", m="m1", y="y", w="w", z="z", probe="sd", n_boot=2000, rng=7)
    ours = res.mm_index
    assert len(ours) == len(tidy) == 7
    for _, a in ours.iterrows():
        if a["effect"] == "mm index":
            b = tidy[tidy["component"] == "index_mmm"].iloc[0]
        else:  # conditional index by one moderator at a value of the other
            other = "z" if a["moderator"] == "w" else "w"
            sel = (tidy["component"] == "index_cmm") & (tidy["moderator"] == a["moderator"])
            b = tidy[sel & np.isclose(tidy[other].astype(float), a[other], atol=1e-8)].iloc[0]
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-8), a.name
        tol = _mc_tol(a["se"], 2000, 2000)
        assert abs(a["ci_low"] - b["conf_low"]) < tol, a.name
        assert abs(a["ci_high"] - b["conf_high"]) < tol, a.name


def test_mcw_without_a_moderator_is_refused():
    """Regression: mcw= for a model without W (or with W not given) was silently ignored, so a user who meant
    a multicategorical moderator got an unmoderated model without being told."""
    with pytest.raises(ArgumentError, match=r"mcw='indicator' codes the moderator W, but model 4 .* takes no W"):
        csl_stats.process(DATA, 4, x="x", m="m1", y="y", mcw="indicator")


def test_multicategorical_variable_with_sparse_categories_is_refused():
    """Regression: mcx= on a column with many sparse values (a numeric count such as tenure in years, or a
    segment with a handful of customers) was accepted; most bootstrap resamples then missed a category, could
    not be fitted, and the intervals rested on the few that could (on the survey: 99 of 100 failed)."""
    d = DATA.copy()
    d.loc[d.index[:3], "g"] = "D"  # a fourth group of 3 customers
    with pytest.raises(InsufficientDataError, match=r"'g' has categories with fewer than 10 complete rows: D \(3\)"):
        csl_stats.process(d, 4, x="g", m="m1", y="y", mcx="indicator", n_boot=100, rng=1)
    d = DATA.assign(wc=DATA["wc"].where(DATA.index >= 4, "tiny"))
    with pytest.raises(InsufficientDataError, match=r"multicategorical W column 'wc' .* tiny \(4\)"):
        csl_stats.process(d, 14, x="x", m="m1", w="wc", y="y", mcw="indicator", n_boot=100)
    # without resampling (models 1-3) a small group is fitted as it is
    assert len(csl_stats.process(d, 1, x="x", w="wc", y="y", mcw="indicator").conditional_effects) == 4


OMNI = json.loads((REF / "process_omnibus_reference.json").read_text())


def _omni_row(res, outcome, test):
    o = res.omnibus
    row = o[(o["outcome"] == outcome) & (o["test"] == test)]
    assert len(row) == 1, f"{outcome} / {test} not in {o[['outcome', 'test']].values.tolist()}"
    return row.iloc[0]


def _check_omni(row, ref):
    for key in ("F", "p", "r2_change", "df1", "df2"):
        if key in ref:
            assert row[key] == pytest.approx(ref[key], rel=1e-9, abs=1e-12), key


def test_omnibus_interaction_tests_against_R():
    """Joint tests PROCESS prints ("test(s) of highest order unconditional interaction(s)", omnibus tests of a
    multicategorical X) were missing: with a three-group X or W nothing tested the 2-df interaction or the
    relative effects jointly. R: anova(reduced, full) of nested lm() fits, and for HC3 the Wald F
    t(b) solve(vcovHC(full, "HC3")[terms, terms]) b / q (tests/reference/process_omnibus.R)."""
    m2 = _fit(2)
    _check_omni(_omni_row(m2, "y", "x x w"), OMNI["m2"]["xw"])
    _check_omni(_omni_row(m2, "y", "x x z"), OMNI["m2"]["xz"])
    _check_omni(_omni_row(m2, "y", "x x w and x x z (jointly)"), OMNI["m2"]["both"])
    _check_omni(_omni_row(_fit(2, se="HC3"), "y", "x x w and x x z (jointly)"), OMNI["m2"]["both_hc3"])
    m3 = _fit(3)
    assert m3.omnibus["test"].tolist() == ["x x w x z"]  # only the highest-order term, as PROCESS
    _check_omni(m3.omnibus.iloc[0], OMNI["m3"]["xwz"])
    m76 = _fit(76)
    _check_omni(_omni_row(m76, "y", "m1 x w"), OMNI["m76"]["mw"])
    _check_omni(_omni_row(m76, "y", "m1 x w and m1 x z (jointly)"), OMNI["m76"]["both_m"])
    mc = csl_stats.process(DATA, 4, x="g", m="m1", y="y", mcx="helmert", n_boot=100, rng=1)
    _check_omni(_omni_row(mc, "y", "g (omnibus, direct effect)"), OMNI["mcx"]["direct"])
    _check_omni(_omni_row(mc, "y (total)", "g (omnibus, total effect)"), OMNI["mcx"]["total"])
    mw = csl_stats.process(DATA, 1, x="x", w="wc", y="y", mcw="indicator")
    _check_omni(_omni_row(mw, "y", "x x wc"), OMNI["mcw"]["xw"])
    assert _fit(4).omnibus is None  # nothing moderated, X numeric: no joint test to report


def test_johnson_neyman_direction_of_a_region_where_the_effect_changes_sign():
    """Regression: a non-significant Johnson-Neyman region was labelled with the sign of the effect at its
    midpoint ("negative") although the effect runs from positive to negative inside it; such a region now
    says "changes sign", regions of constant sign keep "positive"/"negative"."""
    g = np.random.default_rng(5)
    n = 300
    x, w = g.normal(size=n), g.uniform(0, 10, size=n)
    y = (0.5 - 0.1 * w) * x + 0.2 * w + g.normal(size=n)
    res = csl_stats.process(pd.DataFrame({"x": x, "w": w, "y": y}), 1, x="x", w="w", y="y")
    jn = res.johnson_neyman
    assert jn["significant"].tolist() == [True, False, True]
    assert jn["direction"].tolist() == ["positive", "changes sign", "negative"]
    b = res.coefs.set_index("term")["estimate"]
    middle = jn.iloc[1]
    assert (b["x"] + b["x*w"] * middle["low"]) * (b["x"] + b["x*w"] * middle["high"]) < 0
