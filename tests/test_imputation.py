"""Tests of csl_stats.impute, ImputedData and the pooling rules (issue 12)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats as cs
from csl_stats.errors import (
    ArgumentError,
    ConstantError,
    DataError,
    InsufficientDataError,
    MissingDataWarning,
    NonNumericError,
    PoolingError,
)
from csl_stats.imputation import ImputedData, impute
from csl_stats.pooling import rubin_pool

REF = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def mice_ref():
    return json.loads((REF / "mice_reference.json").read_text())


@pytest.fixture(scope="module")
def mice_frames():
    long = pd.read_csv(REF / "mice_completed.csv")
    return [g.drop(columns=[".imp", ".id"]).reset_index(drop=True) for _, g in long.groupby(".imp")]


@pytest.fixture(scope="module")
def mice_data():
    return pd.read_csv(REF / "mice_data.csv")


@pytest.fixture(scope="module")
def survey():
    d = cs.load_supply_chain_survey()
    for c, items in {"sat": ["sat1", "sat2", "sat3"], "trs": ["trs1", "trs2", "trs3", "trs4"],
                     "loy": ["loy1", "loy2", "loy3"], "swc": ["swc1", "swc2", "swc3"]}.items():
        d[c] = d[items].mean(axis=1, skipna=False)
    return d.head(300).copy()


@pytest.fixture(scope="module")
def survey_imp(survey):
    cols = ["sat1", "sat2", "sat3", "trs1", "trs2", "trs3", "trs4", "loy1", "loy2", "loy3",
            "swc1", "swc2", "swc3", "recommend"]
    imp = impute(survey, cols, m=4, max_iter=4, rng=3)
    frames = []
    for f in imp.frames:
        for c, items in {"sat": ["sat1", "sat2", "sat3"], "trs": ["trs1", "trs2", "trs3", "trs4"],
                         "loy": ["loy1", "loy2", "loy3"], "swc": ["swc1", "swc2", "swc3"]}.items():
            f[c] = f[items].mean(axis=1)
        frames.append(f)
    return ImputedData.from_frames(frames)


_COLS = [("estimate", "estimate"), ("se", "std.error"), ("t", "statistic"), ("df", "df"), ("p", "p.value"),
         ("ci_low", "conf.low"), ("ci_high", "conf.high"), ("riv", "riv"), ("lambda", "lambda"), ("fmi", "fmi"),
         ("ubar", "ubar"), ("b", "b")]


# ----------------------------------------------------------------------------- pooling against mice
def test_pool_lm_against_R(mice_frames, mice_ref):
    """summary(pool(with(imp, lm(loy1 ~ sat1 + trs1 + swc1))), conf.int = TRUE) on mice's completed data."""
    pooled = ImputedData.from_frames(mice_frames).analyse(cs.regress, "loy1", ["sat1", "trs1", "swc1"])
    ref = mice_ref["lm"]
    for ours, theirs in _COLS:
        np.testing.assert_allclose(pooled.coefs[ours].to_numpy(), ref[theirs], rtol=1e-8, atol=1e-10, err_msg=ours)
    assert pooled.method == "rubin" and pooled.m == 10 and pooled.n == 250


def test_pool_glm_against_R(mice_frames, mice_ref):
    """pool(with(imp, glm(churned ~ loy1 + sat1, family = binomial))): pooling of mice's own fits to 1e-8."""
    per = mice_ref["glm_per_imputation"]
    tab = rubin_pool(np.array(per["estimate"]), np.array(per["se"]), dfcom=per["dfcom"])
    ref = mice_ref["glm"]
    for ours, theirs in _COLS:
        np.testing.assert_allclose(tab[ours].to_numpy(), ref[theirs], rtol=1e-8, atol=1e-10, err_msg=ours)
    # through regress(family="binomial"): the logit fits agree with glm() to its convergence tolerance
    pooled = ImputedData.from_frames(mice_frames).analyse(cs.regress, "churned", ["loy1", "sat1"], family="binomial")
    np.testing.assert_allclose(pooled.coefs["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(pooled.coefs["se"], ref["std.error"], rtol=1e-4)


def test_pool_mean_against_R(mice_frames, mice_ref):
    """pool(with(imp, lm(trs1 ~ 1))): a pooled mean with dfcom = n - 1."""
    q = [f["trs1"].mean() for f in mice_frames]
    u = [f["trs1"].std(ddof=1) / np.sqrt(len(f)) for f in mice_frames]
    tab = rubin_pool(q, u, dfcom=len(mice_frames[0]) - 1)
    for ours, theirs in _COLS:
        np.testing.assert_allclose(tab[ours].to_numpy(), mice_ref["mean"][theirs], rtol=1e-8, err_msg=ours)


def test_own_imputations_agree_with_mice_against_R(mice_data, mice_ref):
    """Our PMM/logreg imputations vs mice(d, m = 10, maxit = 10) pooled lm: equal within Monte Carlo error."""
    pooled = impute(mice_data, m=20, method={"churned": "logreg"}, rng=11).analyse(
        cs.regress, "loy1", ["sat1", "trs1", "swc1"])
    ref = mice_ref["lm"]
    b = np.array(ref["b"])
    mc_sd = np.sqrt(b / 10 + pooled.coefs["b"].to_numpy() / 20)  # SD of the difference of two pooled means
    assert np.all(np.abs(pooled.coefs["estimate"].to_numpy() - ref["estimate"]) < 4 * mc_sd + 1e-3)
    # within-imputation variance is not a Monte Carlo quantity in the same way: close to mice's
    np.testing.assert_allclose(pooled.coefs["ubar"], ref["ubar"], rtol=0.05)


def test_rubin_pool_by_hand():
    q = np.array([1.0, 1.2, 0.9, 1.1])
    se = np.array([0.2, 0.25, 0.2, 0.22])
    tab = rubin_pool(q, se, dfcom=50)
    ubar, b = (se**2).mean(), q.var(ddof=1)
    t = ubar + 1.25 * b
    lam = 1.25 * b / t
    dfold = 3 / lam**2
    dfobs = 51 / 53 * 50 * (1 - lam)
    df = dfold * dfobs / (dfold + dfobs)
    assert tab["estimate"].iloc[0] == pytest.approx(q.mean())
    assert tab["se"].iloc[0] == pytest.approx(np.sqrt(t))
    assert tab["df"].iloc[0] == pytest.approx(df)
    assert tab["ci_high"].iloc[0] == pytest.approx(q.mean() + stats.t.ppf(0.975, df) * np.sqrt(t))
    assert tab["fmi"].iloc[0] == pytest.approx((1.25 * b / ubar + 2 / (df + 3)) / (1.25 * b / ubar + 1))
    # no between-imputation variance: df -> large-sample, interval = the complete-data one
    same = rubin_pool([1.0, 1.0], [0.1, 0.1])
    assert same["b"].iloc[0] == 0 and same["ci_low"].iloc[0] == pytest.approx(1 - 1.959964 * 0.1, rel=1e-5)


# ----------------------------------------------------------------------------- impute
def test_impute_keeps_observed_values_and_caller_data(mice_data):
    before = mice_data.copy()
    imp = impute(mice_data, m=3, max_iter=3, method={"churned": "logreg"}, rng=1)
    pd.testing.assert_frame_equal(mice_data, before)
    observed = mice_data.notna()
    for f in imp.frames:
        assert not f.isna().any().any()
        pd.testing.assert_frame_equal(f[observed].fillna(-1), mice_data[observed].fillna(-1), check_dtype=False)
        for c in mice_data.columns:  # PMM / logreg impute values that occur in the data
            assert set(f[c].unique()) <= set(mice_data[c].dropna().unique())
    assert imp.table.loc["sat1", "method"] == "" and imp.table.loc["loy1", "n_missing"] == 41
    assert imp.table.loc["churned", "method"] == "logreg"


def test_impute_is_reproducible_and_chains_differ(mice_data):
    a = impute(mice_data, m=2, max_iter=2, rng=5).complete(1)
    b = impute(mice_data, m=2, max_iter=2, rng=5).complete(1)
    pd.testing.assert_frame_equal(a, b)
    imp = impute(mice_data, m=2, max_iter=2, rng=5)
    assert not imp.complete(0).equals(imp.complete(1))


def test_impute_categorical_and_auxiliary(survey):
    d = survey[["industry", "size", "sat1", "trs1", "loy1", "orders_12m"]].copy()
    rng = np.random.default_rng(0)
    d.loc[rng.random(len(d)) < 0.15, "industry"] = np.nan
    imp = impute(d, ["industry", "sat1", "trs1", "loy1"], method={"industry": "polyreg"},
                 auxiliary=["size", "orders_12m"], m=3, max_iter=3, rng=2)
    f = imp.complete(2)
    assert f["industry"].notna().all()
    assert set(f["industry"]) <= set(d["industry"].dropna())
    assert imp.table.loc["size", "method"] == "auxiliary"
    # a binary text column through logreg
    d["big"] = np.where(d["size"] == "large", "yes", "no")
    d.loc[rng.random(len(d)) < 0.1, "big"] = np.nan
    f2 = impute(d, ["big", "sat1", "loy1"], method={"big": "logreg"}, m=2, max_iter=2, rng=1).complete(0)
    assert set(f2["big"]) == {"yes", "no"}


def test_impute_reverse_coded_copy_is_passive(mice_data):
    d = mice_data.copy()
    d["loy1_r"] = 8 - d["loy1"]
    imp = impute(d, m=3, max_iter=3, rng=4)
    assert imp.table.loc["loy1_r", "method"] == "passive"
    assert imp.table.loc["loy1_r", "passive_of"] == "loy1"
    for f in imp.frames:
        np.testing.assert_array_equal(f["loy1_r"], 8 - f["loy1"])


def test_norm_method_and_predictors(mice_data):
    imp = impute(mice_data, ["sat1", "loy1", "trs1"], method={"trs1": "norm"},
                 predictors={"loy1": ["sat1"]}, m=2, max_iter=3, rng=1)
    assert imp.table.loc["loy1", "n_predictors"] == 2  # intercept + sat1
    f = imp.complete(0)
    assert (f["trs1"] % 1 != 0).any()  # norm draws continuous values


def test_convergence_diagnostics(mice_data):
    import matplotlib

    matplotlib.use("Agg")
    imp = impute(mice_data, m=3, max_iter=6, rng=1, method={"churned": "logreg"})
    assert len(imp.chains) == 6 * 3 * 6  # iterations x chains x imputed columns
    assert np.isfinite(imp.table.loc["loy1", ["rhat_mean", "rhat_sd"]].astype(float)).all()
    fig = imp.plot_convergence(["loy1"])
    assert len(fig.axes) == 2
    matplotlib.pyplot.close(fig)


def test_speed_and_scale_survey():
    """39 items x 1,000 customers, m = 20 (full timing in benchmarks/bench_impute.py)."""
    d = cs.load_supply_chain_survey()
    items = [c for c in d.columns if c[:3] in {"img", "exp", "dlv", "qlt", "srv", "val", "sat", "cph", "trs",
                                               "swc", "loy"} and c[-1].isdigit()]
    imp = impute(d, items, m=2, max_iter=2, rng=1)
    assert (imp.table["n_missing"] > 0).sum() == 39
    f = imp.complete(0)
    assert not f[items].isna().any().any()


def test_rhat():
    from csl_stats.imputation import _rhat

    rng = np.random.default_rng(1)
    mixed = rng.normal(size=(200, 4))
    assert _rhat(mixed) == pytest.approx(1.0, abs=0.02)
    stuck = mixed + np.array([0.0, 3.0, 6.0, 9.0])  # chains that never meet
    assert _rhat(stuck) > 3


# ----------------------------------------------------------------------------- bad input
def test_bad_input(mice_data):
    d = mice_data.copy()
    with pytest.raises(ArgumentError, match="m must be >= 2"):
        impute(d, m=1)
    d2 = d.assign(empty=np.nan)
    with pytest.raises(ConstantError, match="'empty' has no observed values"):
        impute(d2, m=2)
    d3 = d.assign(const=3.0)
    d3.loc[0, "const"] = np.nan
    with pytest.raises(ConstantError, match="'const' is constant"):
        impute(d3, m=2)
    d4 = d.assign(label=np.where(d["sat1"] > 4, "hi", "lo"))
    d4.loc[3, "label"] = np.nan
    with pytest.raises(NonNumericError, match="'label'.*polyreg"):
        impute(d4, ["label", "sat1"], m=2)
    with pytest.raises(InsufficientDataError, match="auxiliary column 'loy1'"):
        impute(d, ["sat1", "trs1"], auxiliary=["loy1"], m=2)
    with pytest.raises(ArgumentError, match="method"):
        impute(d, m=2, method="hotdeck")
    # a column without missing values is a predictor, not an error
    assert impute(d[["sat1", "sat2", "loy1"]], m=2, max_iter=1, rng=1).table.loc["sat2", "method"] == ""


def test_from_frames_mismatch(mice_frames):
    with pytest.raises(DataError, match="columns"):
        ImputedData.from_frames([mice_frames[0], mice_frames[1].drop(columns="sat2")])
    with pytest.raises(DataError, match="rows"):
        ImputedData.from_frames([mice_frames[0], mice_frames[1].iloc[:-1]])
    a, b = mice_frames[0].astype(float), mice_frames[1].astype(float)
    b.iloc[0, 0] = np.nan
    with pytest.raises(DataError, match="missing values in other cells"):
        ImputedData.from_frames([a, b])
    with pytest.raises(InsufficientDataError):
        ImputedData.from_frames([mice_frames[0]])


def test_analysis_failing_on_one_imputation_is_reported(mice_frames):
    calls = []

    def fragile(frame):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("boom")
        return cs.regress(frame, "loy1", "sat1")

    with pytest.raises(PoolingError, match="fragile failed on imputation 3 of 10: ValueError: boom"):
        ImputedData.from_frames(mice_frames).analyse(fragile)


# ----------------------------------------------------------------------------- analyse() for each analysis
def test_analyse_every_analysis(survey_imp):
    imp = survey_imp
    reg = imp.analyse(cs.regress, "loy", ["sat", "trs"])
    assert list(reg.coefs.index) == ["Intercept", "sat", "trs"] and 0 < reg.r2 < 1
    mod = imp.analyse(cs.moderation, "sat", "swc", "loy")
    assert "sat:swc" in mod.coefs.index and mod.interaction["estimate"] < 0.2
    with pytest.raises(AttributeError, match="not pooled"):
        _ = mod.johnson_neyman
    med = imp.analyse(cs.mediation, "sat", "trs", "loy", n_boot=200, rng=1)
    assert med.method == "bootstrap" and med.boot_draws.shape[0] == 4 * 200
    assert med.effects.at["indirect", "ci_low"] < med.indirect < med.effects.at["indirect", "ci_high"]
    assert med.indirect == pytest.approx(np.mean([r.indirect for r in med.results]))
    assert med.draws("indirect").shape == (800,)
    med2 = imp.analyse(cs.mediation, "sat", "trs", "loy", n_boot=200, rng=1)
    pd.testing.assert_frame_equal(med.effects, med2.effects)  # rng split reproducibly
    ri = imp.analyse(cs.relative_importance, "loy", ["sat", "trs", "swc"], n_boot=100, rng=2)
    assert ri.table["importance"].sum() == pytest.approx(ri.importance.sum())
    assert ri.table.loc["sat", "p_rank1"] + ri.table.loc["trs", "p_rank1"] + ri.table.loc["swc", "p_rank1"] == 1
    n = imp.analyse(lambda f: cs.nps(f["recommend"]))
    assert n.method == "rubin-transformed" and -100 < n.ci[0] < n.score < n.ci[1] < 100
    assert n.table.at["nps", "scale"] == "atanh(NPS/100)"
    tb = imp.analyse(lambda f: cs.top_box(f["sat1"], scale=(1, 7)))
    assert tb.ci[0] < tb.share < tb.ci[1]
    al = imp.analyse(cs.cronbach_alpha, ["sat1", "sat2", "sat3"])
    assert al.ci[0] < al.alpha < al.ci[1] < 1


def test_transformed_pooling_is_exact_without_missing_information(survey):
    """Identical completed frames: B = 0, so the pooled value equals the single-data-set value."""
    d = survey.dropna(subset=["recommend", "sat1", "sat2", "sat3"])
    imp = ImputedData.from_frames([d, d.copy(), d.copy()])
    single = cs.nps(d["recommend"])
    pooled = imp.analyse(lambda f: cs.nps(f["recommend"]))
    assert pooled.score == pytest.approx(single.score, rel=1e-12)
    assert pooled.se == pytest.approx(single.se, rel=1e-12)  # delta method back-transform of the same SE
    al = imp.analyse(cs.cronbach_alpha, ["sat1", "sat2", "sat3"])
    assert al.alpha == pytest.approx(cs.cronbach_alpha(d, ["sat1", "sat2", "sat3"]).alpha, rel=1e-12)
    tb = imp.analyse(lambda f: cs.top_box(f["sat1"], scale=(1, 7)))
    assert tb.share == pytest.approx(cs.top_box(d["sat1"], scale=(1, 7)).share, rel=1e-12)


def test_invalid_pooling_is_refused(survey_imp):
    with pytest.raises(PoolingError, match="bias-corrected"):
        survey_imp.analyse(cs.mediation, "sat", "trs", "loy", n_boot=100, ci_method="bca", rng=1)
    with pytest.raises(PoolingError, match="n_boot > 0"):
        survey_imp.analyse(cs.relative_importance, "loy", ["sat", "trs"])
    with pytest.raises(PoolingError, match="breakpoint"):
        survey_imp.analyse(cs.threshold_regression, "sat", "loy", n_boot=0)
    with pytest.raises(PoolingError, match="estimate' and 'se'"):
        survey_imp.analyse(lambda f: f["sat"].mean())


def test_warnings_are_reported_once(mice_frames):
    def warner(frame):
        warnings.warn("heavy", MissingDataWarning, stacklevel=1)
        return cs.regress(frame, "loy1", "sat1")

    with pytest.warns(MissingDataWarning, match=r"heavy \(in 10 of 10 imputations\)") as rec:
        ImputedData.from_frames(mice_frames).analyse(warner)
    assert len([w for w in rec if "heavy" in str(w.message)]) == 1


def test_heavy_missingness_warns(mice_data):
    d = mice_data.copy()
    d.loc[d.index[:150], "swc1"] = np.nan
    with pytest.warns(MissingDataWarning, match="'swc1' is 6.% missing"):
        impute(d, m=2, max_iter=1, rng=1)


def test_polyreg_on_numeric_codes(mice_data):
    d = mice_data.copy()
    d["band"] = np.digitize(d["sat1"], [3.5, 5.5]).astype(float)  # codes 0, 1, 2
    d.loc[d.index[::9], "band"] = np.nan
    imp = impute(d, ["band", "sat2", "loy1"], method={"band": "polyreg"}, m=3, max_iter=3, rng=2)
    f = imp.complete(1)
    assert set(f["band"].unique()) <= {0.0, 1.0, 2.0} and f["band"].notna().all()
    # band is strongly related to sat2 through sat1: imputed codes follow sat2
    imputed = f.loc[d["band"].isna()]
    assert imputed.groupby("band")["sat2"].mean().is_monotonic_increasing


def test_pls_pooled_on_bootstrap_se(survey_imp):
    blocks = {"Sat": ["sat1", "sat2", "sat3"], "Loy": ["loy1", "loy2", "loy3"]}
    pooled = survey_imp.analyse(cs.pls_pm, blocks, [("Sat", "Loy")], n_boot=100, rng=3)
    assert pooled.method == "rubin" and {"from", "to", "estimate", "se", "fmi"} <= set(pooled.paths.columns)
    est = np.mean([r.path_table["estimate"].iloc[0] for r in pooled.results])
    assert pooled.paths["estimate"].iloc[0] == pytest.approx(est)
    with pytest.raises(PoolingError, match="n_boot > 0"):
        survey_imp.analyse(cs.pls_pm, blocks, [("Sat", "Loy")])


def test_top_box_share_of_zero_is_refused(mice_frames):
    with pytest.raises(PoolingError, match="share of 0 or 1"):
        ImputedData.from_frames(mice_frames).analyse(lambda f: cs.top_box(f["sat1"].clip(upper=4), scale=(1, 7)))


def test_moderated_mediation_needs_fixed_probe_values(survey_imp):
    with pytest.raises(PoolingError, match="rows of effects differ between imputations"):
        survey_imp.analyse(cs.moderated_mediation, "sat", "trs", "loy", "swc", n_boot=100, rng=1)
    pooled = survey_imp.analyse(cs.moderated_mediation, "sat", "trs", "loy", "swc", values=[3.0, 4.5, 6.0],
                                n_boot=100, rng=1)
    assert pooled.boot_draws.shape == (400, len(pooled.effects))
    assert list(pooled.index.index) == ["index[trs]"] and len(pooled.conditional) == 3
    lo, hi = np.quantile(pooled.draws("index[trs]"), [0.025, 0.975])
    assert pooled.index["ci_low"].iloc[0] == pytest.approx(lo) and pooled.index["ci_high"].iloc[0] == pytest.approx(hi)


def test_argument_errors(mice_data, mice_frames):
    from csl_stats.errors import ArgumentTypeError, ModelSpecificationError

    imp = ImputedData.from_frames(mice_frames)
    with pytest.raises(ArgumentTypeError, match="fn must be a function"):
        imp.analyse("regress")
    with pytest.raises(ArgumentError, match="i must be < m = 10"):
        imp.complete(10)
    with pytest.raises(ModelSpecificationError, match="lists the column itself"):
        impute(mice_data, m=2, predictors={"loy1": ["loy1", "sat1"]})
    with pytest.raises(ModelSpecificationError, match="neither imputed columns nor auxiliary"):
        impute(mice_data, m=2, predictors={"loy1": ["nope"]})
    with pytest.raises(ModelSpecificationError, match="both in columns and in auxiliary"):
        impute(mice_data, ["sat1", "loy1"], auxiliary=["sat1"], m=2)
    with pytest.raises(ArgumentTypeError, match="progress must be True or False"):
        impute(mice_data, m=2, progress="yes")
    with pytest.raises(ArgumentTypeError, match="frames must be a list"):
        ImputedData.from_frames(mice_frames[0])
    before = [f.copy() for f in mice_frames]
    imp.analyse(cs.regress, "loy1", "sat1")
    for a, b in zip(before, mice_frames, strict=True):  # the caller's frames are never changed
        pd.testing.assert_frame_equal(a, b)
