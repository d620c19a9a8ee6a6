"""Missing answers in ``pls_pm`` (issue 19b): missing codes, mean replacement, listwise deletion,
and pooling over multiple imputations.

The oracle for mean replacement is the Python port of seminr (PyPI ``seminr``, GPL-3, a test-time
dependency only): ``estimate_pls(..., missing = mean_replacement, missing_value = -99)``. Its bundled
corporate-reputation data (``corp_rep_data``, 344 x 41 with -99 codes) are read from the installed
wheel, never copied into this repository.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pls_models import CORP_MM, CORP_MODES, CORP_SM, SURVEY_MM, SURVEY_SM
from scipy import stats

import csl_stats
from csl_stats import _pls_core as core
from csl_stats.errors import ArgumentError, ArgumentTypeError, MissingDataWarning, PoolingError


def _seminr():
    return pytest.importorskip("seminr", minversion="0.2.1",
                               reason="the seminr Python port (test extra) is the mean-replacement oracle")


def _corp_rep() -> pd.DataFrame:
    _seminr()
    from seminr.datasets import load_corp_rep

    d = load_corp_rep()
    return pd.DataFrame(d.values, columns=list(d.columns))


def _seminr_pls(data: pd.DataFrame, missing_value=None):
    s = _seminr()
    specs = [s.composite(c, items, weights=s.mode_B) if CORP_MODES.get(c) == "B" else s.composite(c, items)
             for c, items in CORP_MM.items()]
    rel = s.relationships(*[s.paths(from_=a, to=[b]) for a, b in CORP_SM])
    kw = {} if missing_value is None else {"missing_value": missing_value}
    return s.estimate_pls(data, s.constructs(*specs), rel, **kw)


def _matrix(named) -> pd.DataFrame:
    return pd.DataFrame(named.values, index=list(named.rows), columns=list(named.cols))


def _compare(res: csl_stats.PLSResult, model, atol: float = 1e-6) -> None:
    beta = _matrix(model.path_coef)
    np.testing.assert_allclose(res.paths["estimate"],
                               [beta.loc[a, b] for a, b in zip(res.paths["from"], res.paths["to"], strict=True)],
                               rtol=0, atol=atol)
    for table, ref in ((res.loadings, _matrix(model.outer_loadings)), (res.outer_weights, _matrix(model.outer_weights))):
        np.testing.assert_allclose(table["estimate"],
                                   [ref.loc[i, c] for c, i in zip(table["construct"], table["indicator"], strict=True)],
                                   rtol=0, atol=atol)


def test_mean_replacement_corp_rep_against_seminr():
    """seminr port, Hair et al. (2022) corporate-reputation model (QUAL, PERF, CSOR, ATTR
    ``composite(..., weights = mode_B)``, the others ``composite(..., weights = mode_A)``):
    ``estimate_pls(corp_rep_data, ..., missing = mean_replacement, missing_value = -99)``."""
    raw = _corp_rep()
    assert (raw[["cusa", "cusl_1", "cusl_2", "cusl_3"]] == -99).any().all()  # the data do carry -99 codes
    model = _seminr_pls(_corp_rep(), missing_value=-99)
    res = csl_stats.pls_pm(raw, CORP_MM, CORP_SM, modes=CORP_MODES, nan_policy="mean", missing_code=-99)
    _compare(res, model)
    assert res.n == res.n_rows == 344 and res.nan_policy == "mean"
    assert res.missing_table.loc["cusl_2", "n_missing"] == 4
    assert res.missing_table["n_missing"].sum() == 11
    # the caller's data keep their codes
    assert (raw["cusl_2"] == -99).sum() == 4
    # the same as replacing the codes by NaN first
    again = csl_stats.pls_pm(raw.replace(-99, np.nan), CORP_MM, CORP_SM, modes=CORP_MODES, nan_policy="mean")
    pd.testing.assert_frame_equal(res.paths, again.paths)


def test_heavy_missingness_warning_agrees_with_seminr():
    """An indicator with 10 % missing answers: seminr's ``mean_replacement`` warns for it; so does pls_pm
    (a MissingDataWarning naming it), and the estimates still agree with seminr's."""
    raw = _corp_rep()
    g = np.random.default_rng(4)
    rows = g.choice(len(raw), size=35, replace=False)
    raw.loc[raw.index[rows], "comp_2"] = -99
    model = _seminr_pls(raw.copy(), missing_value=-99)
    assert any("comp_2" in w for w in model.warnings)
    with pytest.warns(MissingDataWarning, match=r"'comp_2': 10\.\d%") as rec:
        res = csl_stats.pls_pm(raw, CORP_MM, CORP_SM, modes=CORP_MODES, nan_policy="mean", missing_code=[-99])
    assert not any("cusl_2" in str(w.message) for w in rec)  # 1.2 % missing: below the 5 % mark
    _compare(res, model)


def test_listwise_reports_n_used():
    raw = _corp_rep()
    res = csl_stats.pls_pm(raw, CORP_MM, CORP_SM, modes=CORP_MODES, missing_code=-99)
    complete = (raw[[i for b in CORP_MM.values() for i in b]] != -99).all(axis=1)
    assert res.nan_policy == "listwise" and res.n == int(complete.sum()) < res.n_rows == 344
    ref = csl_stats.pls_pm(raw[complete], CORP_MM, CORP_SM, modes=CORP_MODES)
    pd.testing.assert_frame_equal(res.paths, ref.paths)


def _survey_with_holes(seed: int = 1, share: float = 0.1) -> pd.DataFrame:
    survey = csl_stats.load_supply_chain_survey()
    g = np.random.default_rng(seed)
    out = survey.copy()
    for c in ("sat2", "loy1"):
        out.loc[g.random(len(out)) < share, c] = np.nan
    return out


def test_mean_replacement_bootstrap_reimputes_each_resample():
    """Each bootstrap replicate equals a separate fit of the resample with its own mean replacement
    (seminr's bootstrap re-runs ``mean_replacement`` on every resample)."""
    d = _survey_with_holes()[[i for b in SURVEY_MM.values() for i in b]].reset_index(drop=True)
    spec = core.parse_model(SURVEY_MM, SURVEY_SM, None)
    x = d[spec.indicators].to_numpy(dtype=float)
    boot, failed = core.bootstrap(x, spec, scheme="path", max_iter=300, tol=1e-7, n_boot=3,
                                  rng=np.random.default_rng(9), low=1.0, high=7.0,
                                  reference_loadings=np.ones((9, 3)), sign_change="none")
    assert failed == 0
    draws = np.random.default_rng(9).integers(0, len(d), size=(3, len(d)))
    for b in range(3):
        rs = d.iloc[draws[b]].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingDataWarning)
            sep = csl_stats.pls_pm(rs, SURVEY_MM, SURVEY_SM, nan_policy="mean", scale=(1, 7))
        np.testing.assert_allclose(boot["beta"][b][[0, 0, 1], [1, 2, 2]], sep.paths["estimate"], atol=1e-10)
    with pytest.warns(MissingDataWarning, match="'sat2'"):
        res = csl_stats.pls_pm(d, SURVEY_MM, SURVEY_SM, nan_policy="mean", n_boot=200, rng=2, scale=(1, 7))
    assert res.n_boot_failed == 0 and res.paths["se"].gt(0).all()


def test_missing_code_bad_input():
    survey = csl_stats.load_supply_chain_survey()
    with pytest.raises(ArgumentTypeError, match="missing_code"):
        csl_stats.pls_pm(survey, SURVEY_MM, SURVEY_SM, missing_code="x")
    with pytest.raises(ArgumentError, match="missing_code"):
        csl_stats.pls_pm(survey, SURVEY_MM, SURVEY_SM, missing_code=[])
    with pytest.raises(ArgumentError, match="nan_policy"):
        csl_stats.pls_pm(survey, SURVEY_MM, SURVEY_SM, nan_policy="mean_replacement")
    coded = survey.copy()
    coded.loc[coded.index[:3], "sat1"] = 99
    # a code that is not declared is an answer off the scale: named
    with pytest.raises(csl_stats.errors.ScaleError, match="'sat1'"):
        csl_stats.pls_pm(coded, SURVEY_MM, SURVEY_SM, scale=(1, 7))
    res = csl_stats.pls_pm(coded, SURVEY_MM, SURVEY_SM, scale=(1, 7), missing_code=99)
    items = [i for b in SURVEY_MM.values() for i in b]
    assert res.n == int(coded[items].replace(99, np.nan).notna().all(axis=1).sum()) < res.n_rows == len(survey)
    assert res.missing_table.loc["sat1", "n_missing"] == survey["sat1"].isna().sum() + 3


def test_pls_pooled_over_imputations_equals_hand_rubin():
    """``ImputedData.analyse(csl_stats.pls_pm, ..., n_boot=...)`` pools paths, loadings, weights and total
    effects by Rubin's rules on the bootstrap standard errors; recomputed here by hand from the m
    per-imputation results (Rubin 1987: T = Ubar + (1 + 1/m) B, df = (m - 1)(1 + 1/r)^2)."""
    d = _survey_with_holes(seed=5, share=0.15)
    items = [i for b in SURVEY_MM.values() for i in b]
    imp = csl_stats.impute(d, items, m=4, max_iter=3, rng=11)
    pooled = imp.analyse(csl_stats.pls_pm, SURVEY_MM, SURVEY_SM, scale=(1, 7), n_boot=150, rng=4)
    m = 4
    assert pooled.method == "rubin" and pooled.m == m and pooled.n == len(d)
    for name, attr, est_col in (("paths", "paths", "estimate"), ("loadings", "loadings", "estimate"),
                                ("outer_weights", "outer_weights", "estimate"),
                                ("total_effects", "total_effects", "estimate")):
        q = np.array([getattr(r, attr)[est_col].to_numpy() for r in pooled.results])
        u = np.array([getattr(r, attr)["se"].to_numpy() ** 2 for r in pooled.results])
        qbar, ubar, b = q.mean(axis=0), u.mean(axis=0), q.var(axis=0, ddof=1)
        t = ubar + (1 + 1 / m) * b
        r = (1 + 1 / m) * b / ubar
        df = (m - 1) * (1 + 1 / r) ** 2
        half = stats.t.ppf(0.975, df) * np.sqrt(t)
        tab = getattr(pooled, name)
        np.testing.assert_allclose(tab["estimate"], qbar, rtol=1e-12)
        np.testing.assert_allclose(tab["se"], np.sqrt(t), rtol=1e-12)
        np.testing.assert_allclose(tab["df"], df, rtol=1e-9)
        np.testing.assert_allclose(tab["ci_low"], qbar - half, rtol=1e-9)
    assert list(pooled.loadings["indicator"]) == items
    r2 = np.array([res.r2.to_numpy() for res in pooled.results])
    np.testing.assert_allclose(pooled.r2, np.tanh(np.arctanh(np.sqrt(r2)).mean(axis=0)) ** 2, rtol=1e-12)
    with pytest.raises(PoolingError, match="n_boot > 0"):
        imp.analyse(csl_stats.pls_pm, SURVEY_MM, SURVEY_SM)
