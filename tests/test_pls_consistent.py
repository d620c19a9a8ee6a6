"""Consistent PLS (PLSc) of ``pls_pm(..., consistent=True)`` (issue 19).

The oracle is the Python port of seminr (PyPI ``seminr``, GPL-3, a test-time
dependency only): its ``estimate_pls`` applies PLSc to ``reflective``
constructs. Its bundled data (``mobi``, ``corp_rep_data``) are read from the
installed wheel, never copied into this repository.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pls_models import CORP_MM, CORP_MODES, CORP_SM, MOBI_MM, MOBI_SM

import csl_stats
from csl_stats import _pls_core as core
from csl_stats.errors import ArgumentTypeError, HeywoodWarning, ModelSpecificationError


def _seminr():
    return pytest.importorskip("seminr", minversion="0.2.1",
                               reason="the seminr Python port (test extra) is the PLSc oracle")


def _frame(dataset) -> pd.DataFrame:
    return pd.DataFrame(dataset.values, columns=list(dataset.columns))


def _seminr_fit(s, data, mm, sm, modes=None, missing_value=None):
    specs = []
    for c, items in mm.items():
        if modes and modes.get(c) == "B":
            specs.append(s.composite(c, items, weights=s.mode_B))
        else:
            specs.append(s.reflective(c, items))
    rel = s.relationships(*[s.paths(from_=a, to=[b]) for a, b in sm])
    kw = {} if missing_value is None else {"missing_value": missing_value}
    return s.estimate_pls(data, s.constructs(*specs), rel, **kw)


def _compare(res: csl_stats.PLSResult, model) -> None:
    names = list(model.path_coef.rows)
    beta = pd.DataFrame(model.path_coef.values, index=names, columns=list(model.path_coef.cols))
    ref_paths = [beta.loc[a, b] for a, b in zip(res.paths["from"], res.paths["to"], strict=True)]
    np.testing.assert_allclose(res.paths["estimate"], ref_paths, rtol=0, atol=1e-6)
    lo = pd.DataFrame(model.outer_loadings.values, index=list(model.outer_loadings.rows),
                      columns=list(model.outer_loadings.cols))
    ref_lo = [lo.loc[i, c] for c, i in zip(res.loadings["construct"], res.loadings["indicator"], strict=True)]
    np.testing.assert_allclose(res.loadings["estimate"], ref_lo, rtol=0, atol=1e-6)
    w = pd.DataFrame(model.outer_weights.values, index=list(model.outer_weights.rows),
                     columns=list(model.outer_weights.cols))
    ref_w = [w.loc[i, c] for c, i in zip(res.outer_weights["construct"], res.outer_weights["indicator"], strict=True)]
    np.testing.assert_allclose(res.outer_weights["estimate"], ref_w, rtol=0, atol=1e-6)
    r2 = dict(zip(model.r_squared.cols, model.r_squared.values[0], strict=True))
    np.testing.assert_allclose(res.r2[list(r2)], list(r2.values()), rtol=0, atol=1e-6)


def test_plsc_mobi_against_seminr():
    """seminr port: ``estimate_pls(mobi, constructs(reflective("Image", multi_items("IMAG", 1:5)), ...),
    relationships(paths(...)))`` (every construct reflective: PLSc)."""
    s = _seminr()
    from seminr.datasets import load_mobi

    d = load_mobi()
    model = _seminr_fit(s, d, MOBI_MM, MOBI_SM)
    res = csl_stats.pls_pm(_frame(d), MOBI_MM, MOBI_SM, consistent=True)
    _compare(res, model)
    assert res.consistent == ("Image", "Expectation", "Quality", "Value", "Satisfaction", "Loyalty")


def test_plsc_corp_rep_against_seminr():
    """seminr port, Hair et al. (2022) corporate-reputation model: QUAL, PERF, CSOR, ATTR
    ``composite(..., weights = mode_B)``; COMP, LIKE, CUSL ``reflective``; CUSA single item;
    ``estimate_pls(corp_rep_data, ..., missing_value = "-99")`` (mean replacement)."""
    s = _seminr()
    from seminr.datasets import load_corp_rep

    d = load_corp_rep()
    model = _seminr_fit(s, d, CORP_MM, CORP_SM, CORP_MODES, missing_value=-99)
    data = _frame(d).replace(-99, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.MissingDataWarning)
        res = csl_stats.pls_pm(data, CORP_MM, CORP_SM, modes=CORP_MODES, consistent=True, nan_policy="mean")
    _compare(res, model)
    assert res.consistent == ("COMP", "LIKE", "CUSL")


def _sim(n: int, seed: int) -> tuple[pd.DataFrame, dict, list]:
    """Common-factor X -> M -> Y, X -> Y with loadings 0.6-0.8 (true paths 0.5, 0.4, 0.2)."""
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    m = 0.5 * x + np.sqrt(1 - 0.25) * g.normal(size=n)
    var_y = 0.4**2 + 0.2**2 + 2 * 0.4 * 0.2 * 0.5
    y = 0.4 * m + 0.2 * x + np.sqrt(1 - var_y) * g.normal(size=n)
    cols = {}
    for name, lv in (("x", x), ("m", m), ("y", y)):
        for k, lam in enumerate((0.6, 0.7, 0.8), 1):
            cols[f"{name}{k}"] = lam * lv + np.sqrt(1 - lam**2) * g.normal(size=n)
    mm = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
    return pd.DataFrame(cols), mm, [("X", "M"), ("M", "Y"), ("X", "Y")]


def test_plsc_recovers_factor_model_in_large_sample():
    df, mm, sm = _sim(100_000, 1)
    pls = csl_stats.pls_pm(df, mm, sm)
    plsc = csl_stats.pls_pm(df, mm, sm, consistent=True)
    np.testing.assert_allclose(plsc.paths["estimate"], [0.5, 0.4, 0.2], atol=0.01)
    np.testing.assert_allclose(plsc.loadings["estimate"], [0.6, 0.7, 0.8] * 3, atol=0.01)
    assert abs(pls.paths["estimate"].iloc[0]) < 0.45  # plain PLS attenuates the X -> M path
    # disattenuation: construct correlation = score correlation / sqrt(rhoA_k rhoA_l)
    rho = plsc.reliability["rhoA"].to_numpy()
    np.testing.assert_allclose(plsc.construct_cor.to_numpy(),
                               pls.construct_cor.to_numpy() / np.sqrt(np.outer(rho, rho)) * (1 - np.eye(3))
                               + np.eye(3), atol=1e-12)
    # the weights, scores and indices are those of PLS
    np.testing.assert_allclose(plsc.outer_weights["estimate"], pls.outer_weights["estimate"], atol=0)


def test_plsc_hand_formulas_one_block():
    df, mm, sm = _sim(300, 2)
    res = csl_stats.pls_pm(df, mm, sm, consistent=["X"])
    assert res.consistent == ("X",)
    xs = df[mm["X"]].to_numpy()
    s = np.corrcoef(xs, rowvar=False)
    w = res.outer_weights["estimate"].to_numpy()[:3]
    w = w / np.sqrt(w @ s @ w)
    c2 = (w @ (s - np.diag(np.diag(s))) @ w) / (w @ (np.outer(w, w) - np.diag(w**2)) @ w)
    np.testing.assert_allclose(res.loadings["estimate"].iloc[:3], np.sqrt(c2) * w, atol=1e-12)
    np.testing.assert_allclose(res.reliability.loc["X", "rhoA"], (w @ w) ** 2 * c2, atol=1e-12)
    pls = csl_stats.pls_pm(df, mm, sm)
    np.testing.assert_allclose(res.loadings["estimate"].iloc[3:], pls.loadings["estimate"].iloc[3:], atol=0)
    r = pls.construct_cor.to_numpy()
    cx = r[0, 1] / np.sqrt((w @ w) ** 2 * c2)
    np.testing.assert_allclose(res.paths["estimate"].iloc[0], cx, atol=1e-12)


def test_plsc_bootstrap_stacked_equals_separate_and_covers():
    df, mm, sm = _sim(200, 3)
    res = csl_stats.pls_pm(df, mm, sm, consistent=True, n_boot=200, rng=5)
    again = csl_stats.pls_pm(df, mm, sm, consistent=True, n_boot=200, rng=5)
    pd.testing.assert_frame_equal(res.paths, again.paths)
    assert {"se", "ci_low", "ci_high", "t", "p"} <= set(res.paths.columns)
    assert (res.paths["ci_low"] < res.paths["estimate"]).all() and (res.paths["estimate"] < res.paths["ci_high"]).all()
    # each replicate equals a separate PLSc fit of the same resample
    g = np.random.default_rng(5)
    draws = g.integers(0, len(df), size=(200, len(df)))
    spec = core.parse_model(mm, sm, None)
    x = df[spec.indicators].to_numpy()
    factor = np.ones(3, dtype=bool)
    boot, _ = core.bootstrap(x, spec, scheme="path", max_iter=300, tol=1e-7, n_boot=3, rng=np.random.default_rng(5),
                             low=x.min(), high=x.max(), reference_loadings=np.zeros((9, 3)), sign_change="none",
                             factor=factor)
    for b in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HeywoodWarning)  # a resample may have a loading above one
            sep = csl_stats.pls_pm(df.iloc[draws[b]], mm, sm, consistent=True)
        np.testing.assert_allclose(boot["beta"][b][[0, 1, 0], [1, 2, 2]], sep.paths["estimate"], atol=1e-10)


def test_plsc_srmr_uses_factor_implied_correlations():
    df, mm, sm = _sim(2000, 4)
    plsc = csl_stats.pls_pm(df, mm, sm, consistent=True)
    pls = csl_stats.pls_pm(df, mm, sm)
    # a correct common-factor model fits: small SRMR; saturated == estimated (saturated structural model)
    assert plsc.srmr["saturated"] < 0.02
    assert plsc.srmr["estimated"] == pytest.approx(plsc.srmr["saturated"], abs=1e-10)
    assert pls.srmr["saturated"] != pytest.approx(plsc.srmr["saturated"], abs=1e-6)


def test_plsc_heywood_warning():
    """A strong and a weak indicator: the consistent loading of the strong one exceeds one."""
    g = np.random.default_rng(7)
    n = 300
    x = g.normal(size=n)
    df = pd.DataFrame({"a1": x + 0.2 * g.normal(size=n), "a2": 0.2 * x + g.normal(size=n),
                       "y1": x + 0.3 * g.normal(size=n), "y2": x + 0.3 * g.normal(size=n)})
    with pytest.warns(HeywoodWarning, match=r"'A' \(rhoA = 1.346\)"):
        res = csl_stats.pls_pm(df, {"A": ["a1", "a2"], "Y": ["y1", "y2"]}, [("A", "Y")], consistent=True)
    assert res.loadings["estimate"].iloc[0] > 1


def test_plsc_argument_errors():
    df, mm, sm = _sim(100, 7)
    with pytest.raises(ArgumentTypeError, match="consistent must be"):
        csl_stats.pls_pm(df, mm, sm, consistent="yes")
    with pytest.raises(ModelSpecificationError, match="'Z'"):
        csl_stats.pls_pm(df, mm, sm, consistent=["Z"])
    with pytest.raises(ModelSpecificationError, match="Mode B"):
        csl_stats.pls_pm(df, mm, sm, modes={"X": "B"}, consistent=["X"])
    res = csl_stats.pls_pm(df, mm, sm, consistent=False)
    assert res.consistent == ()


def test_ipma_indicator_level():
    """Indicator IPMA: importance = index weight x construct importance; the index-weighted mean of
    the items' 0-100 performances is the construct's index."""
    df, mm, sm = _sim(400, 12)
    df = (df * 1.2 + 4).clip(1, 7).round()
    res = csl_stats.pls_pm(df, mm, sm, scale=(1, 7))
    con = csl_stats.ipma(res, "Y")
    ind = csl_stats.ipma(res, "Y", level="indicator")
    assert sorted(ind.index) == ["m1", "m2", "m3", "x1", "x2", "x3"]
    assert (np.diff(ind["importance"].to_numpy()) <= 0).all()
    for c in ("X", "M"):
        part = ind[ind["construct"] == c]
        np.testing.assert_allclose(part["importance"], part["index_weight"] * con.loc[c, "importance"], atol=1e-12)
        np.testing.assert_allclose((part["index_weight"] * part["performance"]).sum(), con.loc[c, "performance"],
                                   atol=1e-10)
        np.testing.assert_allclose(part["performance"], (df[part.index] - 1).mean() / 6 * 100, atol=1e-12)
    only_m = csl_stats.ipma(res, "Y", drivers=["M"], level="indicator")
    assert sorted(only_m.index) == ["m1", "m2", "m3"]
    with pytest.raises(csl_stats.errors.ArgumentError, match="level"):
        csl_stats.ipma(res, "Y", level="item")


def test_ipma_warns_on_negative_outer_weights():
    """Ringle & Sarstedt (2016): the IPMA needs positive outer weights. In the corporate-reputation model
    (Hair et al. 2022, mean replacement) the Mode B item qual_4 has a small negative weight."""
    s = _seminr()
    from seminr.datasets import load_corp_rep

    d = _frame(load_corp_rep())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.MissingDataWarning)
        res = csl_stats.pls_pm(d, CORP_MM, CORP_SM, modes=CORP_MODES, missing_code=-99, nan_policy="mean",
                               scale=(1, 7))
    assert s is not None and res.outer_table.set_index("indicator").at["qual_4", "index_weight"] < 0
    for level in ("construct", "indicator"):
        with pytest.warns(csl_stats.errors.InconsistencyWarning, match=r"'QUAL': \['qual_4'\]"):
            csl_stats.ipma(res, "CUSL", level=level)
    with warnings.catch_warnings():  # only the mapped blocks count: COMP and CUSA have positive weights
        warnings.simplefilter("error", csl_stats.errors.InconsistencyWarning)
        csl_stats.ipma(res, "CUSA", drivers=["COMP"])
    df, mm, sm = _sim(400, 12)
    ok = csl_stats.pls_pm((df * 1.2 + 4).clip(1, 7).round(), mm, sm, scale=(1, 7))
    with warnings.catch_warnings():
        warnings.simplefilter("error", csl_stats.errors.InconsistencyWarning)
        csl_stats.ipma(ok, "Y", level="indicator")
