"""Tests of csl_stats.mediation and the vectorised bootstrap engine."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

import csl_stats
from csl_stats import _bootstrap as bs
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    ConstantError,
    DataError,
    InsufficientDataError,
    ModelSpecificationError,
)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "mediation_reference.json").read_text())
DATA = pd.read_csv(REF / "mediation_data.csv")


def _mc_se_quantile(se: float, n_boot: int, alpha: float = 0.025) -> float:
    """Monte Carlo SE of a bootstrap quantile, normal approximation to the draws."""
    return se * np.sqrt(alpha * (1 - alpha) / n_boot) / stats.norm.pdf(stats.norm.ppf(alpha))


# ---------------------------------------------------------------------------------------------
# point estimates against R
# ---------------------------------------------------------------------------------------------
def test_parallel_against_R():
    """R: fa1 <- lm(m1 ~ x); fa2 <- lm(m2 ~ x); fy <- lm(y ~ x + m1 + m2); ft <- lm(y ~ x);
    indirect effects coef(fa1)["x"] * coef(fy)["m1"] etc. (tests/reference/mediation.R)."""
    r = R["parallel"]
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=200, rng=1)
    e = res.effects["estimate"]
    for name, key in [("indirect[m1]", "ind_m1"), ("indirect[m2]", "ind_m2"), ("indirect", "indirect"),
                      ("contrast[m1-m2]", "contrast"), ("direct", "direct"), ("total", "total")]:
        assert e[name] == pytest.approx(r[key], abs=1e-10, rel=0)
    p = res.paths
    assert p.at["a[m1]", "estimate"] == pytest.approx(r["a_m1"], abs=1e-10)
    assert p.at["b[m2]", "estimate"] == pytest.approx(r["b_m2"], abs=1e-10)
    assert p.at["a[m2]", "estimate"] == pytest.approx(r["a_m2"], abs=1e-10)
    assert p.at["b[m1]", "estimate"] == pytest.approx(r["b_m1"], abs=1e-10)
    assert p.at["a[m1]", "se"] == pytest.approx(r["se_a_m1"], abs=1e-10)
    assert p.at["b[m1]", "se"] == pytest.approx(r["se_b_m1"], abs=1e-10)
    assert p.at["b[m1]", "r2"] == pytest.approx(r["r2_y"], abs=1e-10)
    assert p.at["a[m1]", "r2"] == pytest.approx(r["r2_m1"], abs=1e-10)
    assert (p["n"] == 300).all()
    assert res.standardized.at["indirect[m1]", "estimate"] == pytest.approx(r["std_ind_m1"], abs=1e-10)
    assert res.n == 300 and res.n_dropped == 0


def test_sobel_against_R():
    """Delta-method SE of a*b equals Sobel's sqrt(a^2 se_b^2 + b^2 se_a^2), with se from R's
    summary(lm(m1 ~ x)) and summary(lm(y ~ x + m1 + m2))."""
    r = R["parallel"]
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=200, rng=1)
    sobel = np.sqrt(r["a_m1"] ** 2 * r["se_b_m1"] ** 2 + r["b_m1"] ** 2 * r["se_a_m1"] ** 2)
    assert res.effects.at["indirect[m1]", "delta_se"] == pytest.approx(sobel, rel=1e-7)
    z = r["ind_m1"] / sobel
    assert res.effects.at["indirect[m1]", "p"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-6)


def test_serial_against_R():
    """R: s1 <- lm(m1 ~ x); s2 <- lm(m2 ~ x + m1); s3 <- lm(m3 ~ x + m1 + m2);
    sy <- lm(y ~ x + m1 + m2 + m3); e.g. indirect[m1->m2->m3] = a1 * d21 * d32 * b3."""
    res = csl_stats.mediation(DATA, "x", ["m1", "m2", "m3"], "y", serial=True, n_boot=200, rng=1)
    e = res.effects["estimate"]
    for key, val in R["serial"].items():
        assert e[key] == pytest.approx(val, abs=1e-10, rel=0), key
    assert len([i for i in e.index if i.startswith("contrast[")]) == 21
    specific = e[[i for i in e.index if i.startswith("indirect[")]].sum()
    assert e["indirect"] == pytest.approx(specific, abs=1e-12)
    assert "d[m1->m2]" in res.paths.index and "d[m2->m3]" in res.paths.index


def test_covariates_against_R():
    """R: lm(m1 ~ x + c1 + c2), lm(y ~ x + m1 + m2 + c1 + c2), lm(y ~ x + c1 + c2)."""
    r = R["covariates"]
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", covariates=["c1", "c2"], n_boot=200, rng=1)
    e = res.effects["estimate"]
    assert e["indirect[m1]"] == pytest.approx(r["ind_m1"], abs=1e-10)
    assert e["indirect[m2]"] == pytest.approx(r["ind_m2"], abs=1e-10)
    assert e["direct"] == pytest.approx(r["direct"], abs=1e-10)
    assert e["total"] == pytest.approx(r["total"], abs=1e-10)
    assert "y~c1" in res.paths.index


def test_binomial_against_R():
    """R: gy <- glm(ybin ~ x + m1 + m2, family = binomial); coef(lm(m1 ~ x))["x"] * coef(gy)["m1"]."""
    r = R["binomial"]
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "ybin", y_family="binomial", n_boot=300, rng=1)
    e = res.effects["estimate"]
    assert e["indirect[m1]"] == pytest.approx(r["ind_m1"], abs=1e-8)
    assert e["indirect[m2]"] == pytest.approx(r["ind_m2"], abs=1e-8)
    assert e["direct"] == pytest.approx(r["direct"], abs=1e-8)
    assert res.paths.at["b[m1]", "se"] == pytest.approx(r["se_b_m1"], rel=1e-4)  # glm stops at 1e-8 deviance
    assert "total" not in e.index and res.standardized is None
    assert np.isnan(res.proportion_mediated) and np.isnan(res.total)
    assert res.n_failed == 0


# ---------------------------------------------------------------------------------------------
# bootstrap intervals against lavaan and pingouin (within Monte Carlo error)
# ---------------------------------------------------------------------------------------------
def test_bootstrap_ci_against_R_lavaan():
    """R: sem('m1 ~ a1*x; m2 ~ a2*x; y ~ cp*x + b1*m1 + b2*m2; ind1 := a1*b1; ind2 := a2*b2',
    se = "bootstrap", bootstrap = 2000); parameterEstimates(fit, boot.ci.type = "perc").
    Limits must agree within 3 Monte Carlo SEs of the difference of two independent bootstraps."""
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=4000, rng=7)
    lav = R["lavaan_boot"]
    for name, key in [("indirect[m1]", "ind_m1"), ("indirect[m2]", "ind_m2")]:
        ref = lav[key][0]
        row = res.effects.loc[name]
        tol = 3 * np.hypot(_mc_se_quantile(row["se"], 4000), _mc_se_quantile(ref["se"], lav["n_boot"]))
        assert abs(row["ci_low"] - ref["ci.lower"]) < tol
        assert abs(row["ci_high"] - ref["ci.upper"]) < tol
        assert row["se"] == pytest.approx(ref["se"], rel=0.1)


def test_bc_interval_against_pingouin():
    """pingouin.mediation_analysis (bias-corrected intervals) on the same data: same point
    estimates (to 1e-10) and BC limits within 3 Monte Carlo SEs."""
    pg = pytest.importorskip("pingouin")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pg.mediation_analysis(DATA, x="x", m=["m1", "m2"], y="y", n_boot=1000, seed=3)
    ref = ref.set_index("path")
    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=1000, ci_method="bc", rng=3)
    for ours, theirs in [("indirect[m1]", "Indirect m1"), ("indirect[m2]", "Indirect m2")]:
        row = res.effects.loc[ours]
        assert row["estimate"] == pytest.approx(ref.at[theirs, "coef"], abs=1e-10)
        tol = 3 * np.sqrt(2) * _mc_se_quantile(row["se"], 1000)
        assert abs(row["ci_low"] - ref.at[theirs, "CI2.5"]) < tol
        assert abs(row["ci_high"] - ref.at[theirs, "CI97.5"]) < tol
    assert res.effects.at["direct", "estimate"] == pytest.approx(ref.at["Direct", "coef"], abs=1e-10)
    assert res.effects.at["total", "estimate"] == pytest.approx(ref.at["Total", "coef"], abs=1e-10)


def test_montecarlo_and_bca_close_to_percentile():
    res = {m: csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", n_boot=3000, ci_method=m, rng=5)
           for m in ("percentile", "bca", "montecarlo")}
    e = {m: r.effects.loc["indirect[m2]"] for m, r in res.items()}
    for m in ("bca", "montecarlo"):
        assert abs(e[m]["ci_low"] - e["percentile"]["ci_low"]) < 0.5 * e[m]["se"]
        assert abs(e[m]["ci_high"] - e["percentile"]["ci_high"]) < 0.5 * e[m]["se"]
    assert e["montecarlo"]["se"] == pytest.approx(e["montecarlo"]["delta_se"], rel=0.1)



def test_bca_end_to_end_against_explicit_jackknife():
    """BCa limits of a specific indirect effect recomputed from scratch: leave-one-out refits by
    lstsq, Efron's (1987) acceleration a = sum(d^3) / (6 (sum d^2)^1.5) with d = mean - theta_(i),
    z0 = Phi^-1(share of draws below the estimate), limits at Phi(z0 + (z0 + z) / (1 - a (z0 + z)))."""
    d = DATA.iloc[:120]
    res = csl_stats.mediation(d, "x", ["m1", "m2"], "y", n_boot=400, ci_method="bca", rng=9)
    x, m1, m2, y = (d[c].to_numpy() for c in ("x", "m1", "m2", "y"))
    n = len(x)

    def ind(rows):
        a = np.linalg.lstsq(np.column_stack([np.ones(rows.size), x[rows]]), m2[rows], rcond=None)[0][1]
        X = np.column_stack([np.ones(rows.size), x[rows], m1[rows], m2[rows]])
        return a * np.linalg.lstsq(X, y[rows], rcond=None)[0][3]

    est = ind(np.arange(n))
    assert res.effects.at["indirect[m2]", "estimate"] == pytest.approx(est, abs=1e-12)
    jack = np.array([ind(np.delete(np.arange(n), i)) for i in range(n)])
    dev = jack.mean() - jack
    a = np.sum(dev**3) / (6 * np.sum(dev**2) ** 1.5)
    draws = res.draws("indirect[m2]")
    z0 = stats.norm.ppf(np.mean(draws < est))
    zq = stats.norm.ppf([0.025, 0.975])
    lo, hi = np.quantile(draws, stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq))))
    assert res.effects.at["indirect[m2]", "ci_low"] == pytest.approx(lo, rel=1e-9)
    assert res.effects.at["indirect[m2]", "ci_high"] == pytest.approx(hi, rel=1e-9)
    assert abs(a) > 1e-4  # the acceleration actually moves the limits


# ---------------------------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------------------------
def _engine(Z, eqs):
    fits = [bs.fit_full(Z, e) for e in eqs]

    def fn(coefs, sd):
        return np.column_stack([c[:, 1:] for c in coefs])

    return bs.Engine(Z, eqs, fits, fn), fits


def _system(n=60, seed=0, collinear=False):
    g = np.random.default_rng(seed)
    x = g.normal(5, 1, n)
    m = 0.5 * x + g.normal(size=n)
    m2 = m + (1e-7 * g.normal(size=n) if collinear else g.normal(size=n))
    y = 0.4 * m + 0.2 * x + g.normal(size=n)
    yb = (g.uniform(size=n) < special.expit(-2 + 0.4 * x)).astype(float)
    Z = np.column_stack([np.ones(n), x, m, m2, y, yb])
    return Z


def test_bootstrap_cross_products_equal_refits():
    """Each resample's batched solution equals lstsq on the resampled rows."""
    Z = _system()
    eqs = [bs.Equation("m", 2, (0, 1)), bs.Equation("y", 4, (0, 1, 2, 3))]
    eng, _ = _engine(Z, eqs)
    draws = eng.bootstrap(20, np.random.default_rng(11))
    g = np.random.default_rng(11)
    idx = g.integers(0, 60, size=(20, 60), dtype=np.uint16)
    for b in range(20):
        rows = Z[idx[b]]
        c1 = np.linalg.lstsq(rows[:, [0, 1]], rows[:, 2], rcond=None)[0][1:]
        c2 = np.linalg.lstsq(rows[:, [0, 1, 2, 3]], rows[:, 4], rcond=None)[0][1:]
        np.testing.assert_allclose(draws[b], np.concatenate([c1, c2]), rtol=1e-8, atol=1e-10)


def test_qr_fallback_for_near_collinear_resamples():
    """Near-collinear mediators (cond > COND_MAX) are re-solved by QR on the weighted rows."""
    Z = _system(collinear=True)
    eqs = [bs.Equation("y", 4, (0, 1, 2, 3))]
    eng, _ = _engine(Z, eqs)
    draws = eng.bootstrap(5, np.random.default_rng(2))
    idx = np.random.default_rng(2).integers(0, 60, size=(5, 60), dtype=np.uint16)
    for b in range(5):
        rows = Z[idx[b]]
        ref = np.linalg.lstsq(rows[:, [0, 1, 2, 3]], rows[:, 4], rcond=None)[0][1:]
        np.testing.assert_allclose(draws[b], ref, rtol=1e-5)


def test_logit_batched_newton_equals_full_fits():
    Z = _system(n=200)
    eqs = [bs.Equation("yb", 5, (0, 1, 2), "binomial")]
    eng, _ = _engine(Z, eqs)
    draws = eng.bootstrap(5, np.random.default_rng(4))
    idx = np.random.default_rng(4).integers(0, 200, size=(5, 200), dtype=np.uint16)
    for b in range(5):
        ref = bs.fit_full(Z[idx[b]], eqs[0]).coef[1:]
        np.testing.assert_allclose(draws[b], ref, rtol=1e-7, atol=1e-9)


def test_jackknife_downdates_equal_leave_one_out():
    Z = _system(n=40)
    eqs = [bs.Equation("m", 2, (0, 1)), bs.Equation("y", 4, (0, 1, 2, 3)),
           bs.Equation("yb", 5, (0, 1, 2), "binomial")]
    eng, _ = _engine(Z, eqs)
    jack = eng.jackknife()
    for i in (0, 17, 39):
        rows = np.delete(Z, i, axis=0)
        ref = np.concatenate([bs.fit_full(rows, e).coef[1:] for e in eqs])
        np.testing.assert_allclose(jack[i, :4], ref[:4], rtol=1e-9)  # exact downdates
        se = np.sqrt(np.diag(bs.fit_full(Z, eqs[2]).cov))[1:]
        assert np.all(np.abs(jack[i, 4:] - ref[4:]) < 0.2 * se)  # one Newton step, n = 40


def test_chunk_size_bounds_memory():
    assert bs.chunk_size(100_000, 5000) * 100_000 <= bs.CHUNK_ELEMS
    assert bs.chunk_size(10, 50) == 50


def test_interval_rules():
    g = np.random.default_rng(0)
    d = g.normal(size=(20001, 1))
    est = np.array([np.median(d)])
    p = bs.interval(d, est, 0.95, "percentile")
    bc = bs.interval(d, est, 0.95, "bc")
    bca0 = bs.interval(d, est, 0.95, "bca", np.array([0.0]))
    assert (p[0][0], p[1][0]) == pytest.approx(tuple(np.quantile(d[:, 0], [0.025, 0.975])), rel=1e-12)
    assert p[0][0] == pytest.approx(bc[0][0], abs=1e-3)
    assert bc[0][0] == bca0[0][0] and bc[1][0] == bca0[1][0]
    bca = bs.interval(d, est, 0.95, "bca", np.array([0.1]))
    assert bca[0][0] > bc[0][0] and bca[1][0] > bc[1][0]  # positive acceleration shifts right


# ---------------------------------------------------------------------------------------------
# properties and behaviour
# ---------------------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), a=st.floats(-1, 1), b=st.floats(-1, 1))
def test_total_equals_direct_plus_indirect(seed, a, b):
    g = np.random.default_rng(seed)
    x = g.normal(size=50)
    m = a * x + g.normal(size=50)
    y = b * m + g.normal(size=50)
    df = pd.DataFrame({"x": x, "m": m, "m2": g.normal(size=50), "y": y})
    res = csl_stats.mediation(df, "x", ["m", "m2"], "y", n_boot=100, rng=seed)
    assert res.total == pytest.approx(res.direct + res.indirect, abs=1e-8)


def test_reproducible_and_draws_stored():
    r1 = csl_stats.mediation(DATA, "x", "m1", "y", n_boot=300, rng=42)
    r2 = csl_stats.mediation(DATA, "x", "m1", "y", n_boot=300, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(r1.boot_draws, r2.boot_draws)
    assert r1.boot_draws.shape == (300, len(r1.effects))
    np.testing.assert_array_equal(r1.draws("indirect"), r1.boot_draws[:, 2])
    assert r1.effects.at["indirect", "se"] == pytest.approx(np.std(r1.draws("indirect"), ddof=1))
    # percentile limits (the default) are the 2.5 % and 97.5 % quantiles of the stored draws
    lims = np.quantile(r1.draws("indirect"), [0.025, 0.975])
    assert (r1.effects.at["indirect", "ci_low"], r1.effects.at["indirect", "ci_high"]) == pytest.approx(
        tuple(lims), rel=1e-12)
    with pytest.raises(ArgumentError, match="effect must be one of"):
        r1.draws("nope")


def test_listwise_deletion_reports_n():
    df = DATA.copy()
    df.loc[[0, 5, 9], "m1"] = np.nan
    df.loc[12, "y"] = np.nan
    res = csl_stats.mediation(df, "x", "m1", "y", n_boot=100, rng=1)
    ref = csl_stats.mediation(df.dropna(), "x", "m1", "y", n_boot=100, rng=1)
    assert res.n == 296 and res.n_dropped == 4
    pd.testing.assert_frame_equal(res.effects, ref.effects)
    assert DATA["m1"].notna().all()  # caller's data untouched
    with pytest.raises(InsufficientDataError, match="nan_policy='raise'"):
        csl_stats.mediation(df, "x", "m1", "y", n_boot=100, nan_policy="raise")


def test_summary_and_repr():
    res = csl_stats.mediation(DATA, "x", "m1", "y", n_boot=100, rng=1)
    frame = res.to_frame()
    pd.testing.assert_frame_equal(frame, res.effects)
    frame.iloc[0, 0] = 99.0  # a copy: the caller cannot change the result
    assert res.effects.iloc[0, 0] != 99.0
    assert list(res.effects.columns[:4]) == ["estimate", "se", "ci_low", "ci_high"]
    assert "MediationResult(" in repr(res) and "n=300" in repr(res)
    assert "<table" in res._repr_html_()
    assert res.proportion_mediated == pytest.approx(res.indirect / res.total)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------
def test_mediator_equal_to_x_or_y():
    with pytest.raises(ModelSpecificationError, match="'x' is used both as x and as m"):
        csl_stats.mediation(DATA, "x", ["m1", "x"], "y", n_boot=100)
    with pytest.raises(ModelSpecificationError, match="'y' is used both as m and as y"):
        csl_stats.mediation(DATA, "x", "y", "y", n_boot=100)


def test_constant_mediator():
    df = DATA.assign(k=3.0)
    with pytest.raises(ConstantError, match="column 'k' is constant"):
        csl_stats.mediation(df, "x", "k", "y", n_boot=100)


def test_too_few_complete_rows():
    with pytest.raises(InsufficientDataError, match="at least 10 complete rows"):
        csl_stats.mediation(DATA.head(8), "x", "m1", "y", n_boot=100)


def test_non_binary_binomial_outcome():
    with pytest.raises(DataError, match="needs a 0/1 outcome, but column 'y' holds"):
        csl_stats.mediation(DATA, "x", "m1", "y", y_family="binomial", n_boot=100)


def test_argument_errors():
    with pytest.raises(ArgumentError, match="ci_method must be one of"):
        csl_stats.mediation(DATA, "x", "m1", "y", ci_method="BCa")
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        csl_stats.mediation(DATA, "x", "m1", "y", n_boot=10)
    with pytest.raises(ArgumentTypeError, match="n_boot must be an integer"):
        csl_stats.mediation(DATA, "x", "m1", "y", n_boot=1000.0)
    with pytest.raises(ArgumentError, match="ci must be a number strictly between 0 and 1"):
        csl_stats.mediation(DATA, "x", "m1", "y", ci=95)
    with pytest.raises(ArgumentError, match="y_family must be one of"):
        csl_stats.mediation(DATA, "x", "m1", "y", y_family="logit")
    with pytest.raises(ArgumentError, match="serial=True needs at least two mediators"):
        csl_stats.mediation(DATA, "x", "m1", "y", serial=True)
    with pytest.raises(ArgumentError, match="serial must be True or False"):
        csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", serial="yes")
    with pytest.raises(ArgumentError, match="x must name one column"):
        csl_stats.mediation(DATA, ["x", "c1"], "m1", "y")
    with pytest.raises(ArgumentTypeError, match="data must be a pandas DataFrame"):
        csl_stats.mediation(DATA.to_numpy(), "x", "m1", "y")
    with pytest.raises(KeyError, match="not found in data.*'m9'"):
        csl_stats.mediation(DATA, "x", "m9", "y")


def test_progress_without_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes "import tqdm" raise ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ArgumentError, match="progress=True needs the optional package tqdm"):
        csl_stats.mediation(DATA, "x", "m1", "y", n_boot=100, progress=True)


def test_progress_bar_reports_and_does_not_change_results(capsys):
    pytest.importorskip("tqdm")
    with_bar = csl_stats.mediation(DATA, "x", "m1", "y", n_boot=300, progress=True, rng=1)
    assert "bootstrap" in capsys.readouterr().err
    plain = csl_stats.mediation(DATA, "x", "m1", "y", n_boot=300, progress=False, rng=1)
    pd.testing.assert_frame_equal(with_bar.effects, plain.effects)


def test_separation_warns():
    df = DATA.assign(sep=(DATA["m1"] > DATA["m1"].median()).astype(float))
    with pytest.warns(csl_stats.errors.SeparationWarning, match="separation"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", csl_stats.errors.ConvergenceWarning)
            csl_stats.mediation(df, "x", "m1", "sep", y_family="binomial", n_boot=100, rng=1)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------
def test_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = csl_stats.mediation(DATA, "x", ["m1", "m2"], "y", serial=True, n_boot=200, rng=1)
    ax = csl_stats.plot_paths(res)
    texts = [t.get_text() for t in ax.texts]
    assert "m1" in texts and any(t.startswith("d = ") for t in texts) and any(t.startswith("c' = ") for t in texts)
    ax = csl_stats.plot_bootstrap(res, effect="indirect[m1->m2]")
    assert len(ax.patches) == 60 and len(ax.lines) == 4
    mm = csl_stats.moderated_mediation(DATA, "x", "m1", "y", "w", stage="both", moderate_direct=True,
                                       n_boot=200, rng=1)
    ax = csl_stats.plot_paths(mm)
    assert "w" in [t.get_text() for t in ax.texts]
    with pytest.raises(ArgumentTypeError, match="result must be a MediationResult"):
        csl_stats.plot_paths(DATA)
    with pytest.raises(ArgumentTypeError, match="result must be a MediationResult"):
        csl_stats.plot_bootstrap(DATA)
    with pytest.raises(ArgumentError, match="effect must be one of"):
        csl_stats.plot_bootstrap(res, effect="indirect[m3]")
    plt.close("all")
