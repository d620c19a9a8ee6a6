"""Tests of csl_stats.moderated_mediation (PROCESS models 7, 8, 14, 15, 58)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError, ModelSpecificationError

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "mediation_reference.json").read_text())
DATA = pd.read_csv(REF / "mediation_data.csv")
STAGE = {7: "first", 14: "second", 58: "both"}


def _mc_tol(se: float, n1: int, n2: int, alpha: float = 0.025) -> float:
    """3 Monte Carlo SEs of the difference of two independent bootstrap quantiles."""
    q = np.sqrt(alpha * (1 - alpha)) / stats.norm.pdf(stats.norm.ppf(alpha))
    return 3 * se * q * np.sqrt(1 / n1 + 1 / n2)


@pytest.mark.parametrize("model", [7, 14, 58])
def test_conditional_indirect_against_R(model):
    """R (tests/reference/mediation.R), values wv <- mean(w) + c(-1, 0, 1) * sd(w):
    model 7:  (coef(lm(m1 ~ x + w + x:w))["x"] + coef(...)["x:w"] * wv) * coef(lm(y ~ x + m1))["m1"]
    model 14: coef(lm(m1 ~ x))["x"] * (coef(lm(y ~ x + m1 + w + m1:w))["m1"] + ["m1:w"] * wv)
    model 58: the product of both; index = x:w * m1 (7) and x * m1:w (14)."""
    ref = R[f"model{model}"]
    res = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage=STAGE[model], n_boot=200, rng=1)
    assert res.model == model
    np.testing.assert_allclose(res.values, ref["values"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.conditional["estimate"], ref["conditional"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.conditional["w"], ref["values"], atol=1e-10)
    assert res.effects.at["direct", "estimate"] == pytest.approx(ref["direct"], abs=1e-10)
    if model == 58:
        assert res.index.empty
        assert len([i for i in res.effects.index if i.startswith("contrast[")]) == 3
        hi_lo = res.effects.loc[res.effects.index.str.contains(r"contrast\[m1\|w=4.175 vs 1.888\]")]
        assert hi_lo["estimate"].iloc[0] == pytest.approx(ref["contrast_hi_lo"], abs=1e-10)
    else:
        assert res.effects.at["index[m1]", "estimate"] == pytest.approx(ref["index"], abs=1e-10)


@pytest.mark.parametrize("model", [8, 15])
def test_moderated_direct_effect_against_R(model):
    """R: model 8: lm(m1 ~ x + w + x:w), lm(y ~ x + m1 + w + x:w); model 15: lm(m1 ~ x),
    lm(y ~ x + m1 + w + m1:w + x:w); conditional direct effect coef["x"] + coef["x:w"] * wv."""
    ref = R[f"model{model}"]
    stage = "first" if model == 8 else "second"
    res = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage=stage, moderate_direct=True,
                                        n_boot=200, rng=1)
    assert res.model == model
    np.testing.assert_allclose(res.conditional["estimate"], ref["conditional"], rtol=0, atol=1e-10)
    assert res.effects.at["index[m1]", "estimate"] == pytest.approx(ref["index"], abs=1e-10)
    direct = res.effects[res.effects.index.str.startswith("direct[")]
    np.testing.assert_allclose(direct["estimate"], ref["direct"], rtol=0, atol=1e-10)
    assert res.effects.at["index[direct]", "estimate"] == pytest.approx(ref["index_direct"], abs=1e-10)
    assert res.paths.at["c'_int", "estimate"] == pytest.approx(ref["index_direct"], abs=1e-10)


@pytest.mark.parametrize("model", [7, 14])
def test_against_pyprocessmacro(model):
    """pyprocessmacro Process(model=7 or 14, ..., percent=True): same conditional indirect
    effects and index (to 1e-10) and percentile limits within Monte Carlo error. Its defaults
    follow PROCESS 2.16 (bias-corrected intervals, mean +- SD); percent=True gives percentile
    intervals, and model 14 names the moderator ``v`` as PROCESS 2 did."""
    ppm = pytest.importorskip("pyprocessmacro")
    mod = {"w": "w"} if model == 7 else {"v": "w"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = ppm.Process(data=DATA, model=model, x="x", m=["m1"], y="y", boot=2000, seed=5, percent=True,
                        suppr_init=True, detail=False, **mod)
    tidy = p.tidy(["indirect", "index_mm"])
    res = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage=STAGE[model], n_boot=2000, rng=5)
    ours = pd.concat([res.conditional, res.index])
    for (_, a), (_, b) in zip(ours.iterrows(), tidy.iterrows(), strict=True):
        assert a["estimate"] == pytest.approx(b["estimate"], abs=1e-10)
        tol = _mc_tol(a["se"], 2000, 2000)
        assert abs(a["ci_low"] - b["conf_low"]) < tol
        assert abs(a["ci_high"] - b["conf_high"]) < tol
        assert a["se"] == pytest.approx(b["std_error"], rel=0.1)


def test_dichotomous_moderator_and_custom_values():
    df = DATA.assign(wb=(DATA["w"] > 3).astype(float))
    res = csl_stats.moderated_mediation(df, "x", "m1", "y", "wb", n_boot=200, rng=1)
    assert res.values == (0.0, 1.0)
    cb = res.conditional["estimate"].to_numpy()  # w = 0 and w = 1: the difference is the index (model 7)
    assert cb[1] - cb[0] == pytest.approx(res.effects.at["index[m1]", "estimate"], abs=1e-12)
    res = csl_stats.moderated_mediation(DATA, "x", ["m1", "m2"], "y", "w", values=[2, 4], n_boot=200, rng=1)
    assert list(res.conditional.index) == ["indirect[m1|w=2]", "indirect[m1|w=4]",
                                           "indirect[m2|w=2]", "indirect[m2|w=4]"]
    # the conditional effect is linear in w with slope = index (model 7)
    c = res.conditional["estimate"].to_numpy()
    assert (c[1] - c[0]) / 2 == pytest.approx(res.effects.at["index[m1]", "estimate"], abs=1e-12)
    assert res.draws("index[m2]").shape == (200,)


def test_binomial_outcome_and_covariates():
    res = csl_stats.moderated_mediation(DATA, "x", "m1", "ybin", "w", covariates="c1", y_family="binomial",
                                        n_boot=200, rng=1)
    a = res.paths
    w = res.values[0]
    expect = (a.at["a[m1]", "estimate"] + a.at["a_int[m1]", "estimate"] * w) * a.at["b[m1]", "estimate"]
    assert res.conditional["estimate"].iloc[0] == pytest.approx(expect, abs=1e-12)
    assert "ybin~c1" in a.index and res.y_family == "binomial"


def test_repr_and_summary():
    res = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage="both", n_boot=200, rng=1)
    assert "model=58" in repr(res)
    frame = res.to_frame()
    pd.testing.assert_frame_equal(frame, res.effects)
    frame.loc[frame.index[0], "estimate"] = 99.0  # a copy: the caller cannot change the result
    assert res.effects["estimate"].iloc[0] != 99.0


def test_errors():
    with pytest.raises(ModelSpecificationError, match="'x' is used both as x and as w"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "x", n_boot=200)
    with pytest.raises(ModelSpecificationError, match="'m1' is used both as m and as w"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "m1", n_boot=200)
    with pytest.raises(ArgumentError, match="moderate_direct must be True or False"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", moderate_direct=1)
    with pytest.raises(ArgumentError, match="stage must be one of"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage="a")
    with pytest.raises(ArgumentError, match="values must be distinct finite numbers"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", values=[1, 1.0])
    with pytest.raises(ArgumentTypeError, match="values must be a list of numbers"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", values="mean")
    with pytest.raises(ArgumentTypeError, match="values must be a list of numbers"):
        csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", values=["low", "high"])
    with pytest.raises(csl_stats.errors.ConstantError, match="column 'k' is constant"):
        csl_stats.moderated_mediation(DATA.assign(k=1.0), "x", "m1", "y", "k")
