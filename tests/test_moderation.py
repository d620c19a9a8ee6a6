"""Tests for csl_stats.moderation (R references in tests/reference/regression.R)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

matplotlib.use("Agg")

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    CollinearityError,
    ConstantError,
    ModelSpecificationError,
)
from csl_stats.moderation import moderation, plot_johnson_neyman, plot_simple_slopes

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "regression_reference.json").read_text())["moderation"]
DATA = pd.read_csv(REF_DIR / "regression_data.csv")


def _fit(**kw):
    return moderation(DATA, "sat", "swc", "loy", "trs", **kw)


def test_coefs_against_R():
    """R: d$satc <- d$sat - mean(d$sat); d$swcc <- d$swc - mean(d$swc);
    mf <- lm(loy ~ satc * swcc + trs, data = d); coef(mf); sqrt(diag(vcov(mf)))."""
    res = _fit()
    ref = REF["coefs"]
    r_order = ["Intercept", "sat", "swc", "trs", "sat:swc"]  # R puts satc:swcc last
    got = res.coefs.loc[r_order]
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-6)
    assert list(res.coefs.index) == ["Intercept", "sat", "swc", "sat:swc", "trs"]


def test_coefs_hc3_against_R():
    """R: sqrt(diag(sandwich::vcovHC(mf, type = "HC3")))."""
    res = _fit(se="HC3")
    got = res.coefs.loc[["Intercept", "sat", "swc", "trs", "sat:swc"]]
    np.testing.assert_allclose(got["se"], REF["coefs_HC3"]["se"], rtol=1e-6)


def test_r2_change_against_R():
    """R: summary(mf)$r.squared - summary(lm(loy ~ satc + swcc + trs))$r.squared; anova(mr, mf)."""
    res = _fit()
    assert res.r2 == pytest.approx(REF["r2"], rel=1e-8)
    assert res.r2_change == pytest.approx(REF["r2_change"], rel=1e-8)
    assert res.f_change == pytest.approx(REF["F"], rel=1e-8)
    assert res.p_change == pytest.approx(REF["p_F"], rel=1e-6)


@pytest.mark.parametrize(
    ("kw", "key"),
    [({}, "slopes_sd"), ({"probe": "percentile"}, "slopes_pct"), ({"se": "HC3"}, "slopes_sd_HC3")],
)
def test_simple_slopes_against_R(kw, key):
    """R: b["satc"] + b["satc:swcc"] * (w - mean(swc)), se from V = vcov(mf) (or vcovHC(mf, "HC3"))
    at w = mean -/+ sd(swc) or quantile(swc, c(.16, .5, .84), type = 7)."""
    res = _fit(**kw)
    ref = REF[key]
    ss = res.simple_slopes
    assert list(ss.columns) == ["w", "estimate", "se", "ci_low", "ci_high", "p"]
    np.testing.assert_allclose(ss["w"], ref["w"], rtol=1e-6)
    np.testing.assert_allclose(ss["estimate"], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(ss["se"], ref["se"], rtol=1e-6)
    np.testing.assert_allclose(ss["p"], ref["p"], rtol=1e-5)
    # t intervals on the residual df of lm(loy ~ satc * swcc + trs): n - 5 = 295
    crit = stats.t.ppf(0.975, 300 - 5)
    np.testing.assert_allclose(ss["ci_low"], np.array(ref["estimate"]) - crit * np.array(ref["se"]), rtol=1e-6)
    np.testing.assert_allclose(ss["ci_high"], np.array(ref["estimate"]) + crit * np.array(ref["se"]), rtol=1e-6)


@pytest.mark.parametrize(("se", "key"), [("nonrobust", "jn"), ("HC3", "jn_HC3")])
def test_johnson_neyman_against_R(se, key):
    """R: roots of (b3^2 - t^2 V33) u^2 + 2 (b1 b3 - t^2 V13) u + (b1^2 - t^2 V11) = 0, t = qt(.975, df),
    plus mean(swc); only roots inside range(swc) are boundaries."""
    res = _fit(se=se)
    lo, hi = REF["w_range"]
    inside = [r for r in REF[key] if lo < r < hi]
    assert len(inside) == 1
    np.testing.assert_allclose(res.jn_boundaries, inside, rtol=1e-8)
    jn = res.johnson_neyman
    assert jn["w_low"].iloc[0] == pytest.approx(lo) and jn["w_high"].iloc[-1] == pytest.approx(hi)
    assert list(jn["significant"]) == [True, False]
    # at the boundary the conditional effect's p equals 1 - ci
    eff = res.conditional_effects(res.jn_boundaries)
    assert eff["p"].iloc[0] == pytest.approx(0.05, abs=1e-8)


def test_centering_invariance():
    a, b = _fit(center=True), _fit(center=False)
    for col in ["estimate", "se"]:
        np.testing.assert_allclose(a.simple_slopes[col], b.simple_slopes[col], rtol=1e-8)
        assert a.interaction[col] == pytest.approx(b.interaction[col], rel=1e-8)
    np.testing.assert_allclose(a.jn_boundaries, b.jn_boundaries, rtol=1e-8)
    assert b.x_center == 0 and b.w_center == 0


def test_given_values_and_binary_moderator():
    res = _fit(values=[2, 4, 6])
    assert list(res.simple_slopes["w"]) == [2, 4, 6]
    assert list(res.simple_slopes.index) == ["w = 2", "w = 4", "w = 6"]
    df = DATA.assign(hi=(DATA["swc"] > 4).astype(float))
    binres = moderation(df, "sat", "hi", "loy")
    assert list(binres.simple_slopes["w"]) == [0.0, 1.0]
    assert binres.johnson_neyman.empty and binres.jn_boundaries == ()


def test_no_boundary_cases():
    rng = np.random.default_rng(11)
    df = pd.DataFrame({"x": rng.normal(size=400), "w": rng.normal(size=400)})
    df["y"] = 1.0 * df.x + 0.05 * df.x * df.w + rng.normal(size=400)  # significant everywhere
    res = moderation(df, "x", "w", "y")
    assert res.jn_boundaries == ()
    assert list(res.johnson_neyman["significant"]) == [True]
    df["y"] = rng.normal(size=400)  # nowhere significant (disc < 0 or roots outside)
    res0 = moderation(df, "x", "w", "y")
    assert not res0.johnson_neyman["significant"].any()


def test_matches_pingouin_ols():
    import pingouin as pg

    d = DATA.assign(satc=DATA.sat - DATA.sat.mean(), swcc=DATA.swc - DATA.swc.mean())
    d["int"] = d.satc * d.swcc
    pgr = pg.linear_regression(d[["satc", "swcc", "int", "trs"]], d["loy"])
    np.testing.assert_allclose(_fit().coefs["estimate"], pgr["coef"], rtol=1e-8)


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    res = _fit()
    ax = plot_simple_slopes(res)
    assert len(ax.lines) == 3
    ax2 = plot_johnson_neyman(res)
    assert ax2.get_xlabel() == "swc"
    plt.close("all")
    with pytest.raises(ArgumentError, match="must be a ModerationResult"):
        plot_simple_slopes("nope")
    with pytest.raises(ArgumentError, match="must be a ModerationResult"):
        plot_johnson_neyman(None)


def test_simple_slopes_bands_are_confidence_bands_of_the_prediction():
    """At the left end of the x range the band is yhat +- t * sqrt(g V g'), g the design row (trs at its mean)."""
    import matplotlib.pyplot as plt
    from scipy import stats

    res = _fit()
    ax = plot_simple_slopes(res)
    assert len(ax.collections) == 3  # one band per probed value
    b = res.coefs["estimate"]
    V = res.model.cov_params().loc[b.index, b.index].to_numpy()
    crit = stats.t.ppf(0.5 + res.ci / 2, res.model.df_resid)
    x0 = res.x_range[0]
    for k, (_, row) in enumerate(res.simple_slopes.iterrows()):
        xc, u = x0 - res.x_center, row["w"] - res.w_center
        row_of = {"Intercept": 1.0, "sat": xc, "swc": u, "sat:swc": xc * u, "trs": DATA["trs"].mean()}
        g = np.array([row_of[t] for t in b.index])
        yhat = g @ b.to_numpy()
        assert yhat == pytest.approx(b["Intercept"] + res.y_offset + b["sat"] * xc + b["swc"] * u + b["sat:swc"] * xc * u)
        se = np.sqrt(g @ V @ g)
        verts = ax.collections[k].get_paths()[0].vertices
        edges = np.unique(verts[np.isclose(verts[:, 0], x0), 1])
        assert [edges.min(), edges.max()] == pytest.approx([yhat - crit * se, yhat + crit * se], rel=1e-9)
    assert len(plot_simple_slopes(res, band=False).collections) == 0
    plt.close("all")


def test_repr_and_export():
    res = _fit()
    assert "sat:swc" in repr(res)
    assert csl_stats.moderation is moderation


def test_errors():
    with pytest.raises(ConstantError, match="'k' is constant"):
        moderation(DATA.assign(k=2.0), "sat", "k", "loy")
    with pytest.raises(ModelSpecificationError, match="both as x and as w"):
        moderation(DATA, "sat", "sat", "loy")
    with pytest.raises(CollinearityError, match="perfectly collinear"):
        moderation(DATA.assign(t2=DATA.trs * 2), "sat", "swc", "loy", ["trs", "t2"])
    with pytest.raises(ArgumentError, match="probe must be one of"):
        moderation(DATA, "sat", "swc", "loy", probe="quartiles")
    with pytest.raises(ArgumentError, match="needs values"):
        moderation(DATA, "sat", "swc", "loy", probe="values")
    with pytest.raises(ArgumentError, match="not both"):
        moderation(DATA, "sat", "swc", "loy", probe="percentile", values=[1, 2])
    with pytest.raises(ArgumentError, match="non-empty sequence of finite"):
        moderation(DATA, "sat", "swc", "loy", values=[])
    with pytest.raises(ArgumentError, match="se must be one of"):
        moderation(DATA, "sat", "swc", "loy", se="robust")
