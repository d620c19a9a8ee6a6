"""CVPAT (``csl_stats.cvpat``, issue 19): the test recomputed from ``pls_predict``'s out-of-sample
predictions and from hand-made folds (the seminr Python port has no CVPAT)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError, ModelSpecificationError
from csl_stats.pls_assess import cut_folds

MM = {"X": ["x1", "x2", "x3"], "M": ["m1", "m2", "m3"], "Y": ["y1", "y2", "y3"]}
FULL = [("X", "M"), ("M", "Y"), ("X", "Y")]
NO_DIRECT = [("X", "M"), ("M", "Y")]


def _data(n: int = 150, seed: int = 1, c: float = 0.3) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    m = 0.6 * x + 0.8 * g.normal(size=n)
    y = 0.5 * m + c * x + 0.7 * g.normal(size=n)
    return pd.DataFrame({f"{v}{k}": lv + 0.6 * g.normal(size=n) for v, lv in (("x", x), ("m", m), ("y", y))
                         for k in (1, 2, 3)}, index=[f"r{i}" for i in range(n)])


def _ttest(d, alternative):
    return stats.ttest_1samp(d, 0.0, alternative=alternative)


def test_cvpat_models_against_pls_predict():
    """repeats=1: the losses from pls_predict's predictions (same seed, same folds), scipy's one-sample t-test."""
    df = _data()
    a, b = csl_stats.pls_pm(df, MM, FULL), csl_stats.pls_pm(df, MM, NO_DIRECT)
    res = csl_stats.cvpat(a, b, folds=5, repeats=1, rng=3)
    pa = csl_stats.pls_predict(a, folds=5, repeats=1, rng=3).pls_predictions
    pb = csl_stats.pls_predict(b, folds=5, repeats=1, rng=3).pls_predictions
    for label, cols in (("M", ["m1", "m2", "m3"]), ("Y", ["y1", "y2", "y3"]), ("overall", [*"m1 m2 m3 y1 y2 y3".split()])):
        la = ((df[cols] - pa[cols]) ** 2).mean(axis=1)
        lb = ((df[cols] - pb[cols]) ** 2).mean(axis=1)
        ref = _ttest(lb - la, "two-sided")
        row = res.table.loc[label]
        np.testing.assert_allclose([row["loss_a"], row["loss_b"], row["diff"]], [la.mean(), lb.mean(), (lb - la).mean()],
                                   rtol=1e-12)
        np.testing.assert_allclose([row["t"], row["p"]], [ref.statistic, ref.pvalue], rtol=1e-10)
        assert row["df"] == len(df) - 1
    np.testing.assert_allclose(res.case_loss["diff"], res.case_loss["loss_b"] - res.case_loss["loss_a"])
    assert list(res.case_loss.index) == list(df.index)
    assert res.model_a == "model A" and res.alternative == "two-sided" and res.n == 150


def test_cvpat_benchmarks_against_hand_folds_and_repeats():
    """IA benchmark from hand-made folds (training means); LM benchmark from pls_predict; losses averaged
    over repeats, which replay the generator one repeat at a time."""
    df = _data(120, 2)
    res_pls = csl_stats.pls_pm(df, MM, FULL)
    ia = csl_stats.cvpat(res_pls, benchmark="ia", folds=4, repeats=3, rng=5)
    lm = csl_stats.cvpat(res_pls, benchmark="lm", folds=4, repeats=3, rng=5)
    gen = np.random.default_rng(5)
    cols = ["m1", "m2", "m3", "y1", "y2", "y3"]
    x = df[cols].to_numpy()
    loss_pls, loss_ia, loss_lm = (np.zeros(len(df)) for _ in range(3))
    for _ in range(3):
        order = gen.permutation(len(df))  # the order of one repeat (cvpat draws one permutation per repeat)
        fold = np.empty(len(df), dtype=int)
        fold[order] = cut_folds(len(df), 4)
        naive = np.empty_like(x)
        for f in range(4):
            naive[fold == f] = x[fold != f].mean(axis=0)
        loss_ia += ((x - naive) ** 2).mean(axis=1) / 3
    gen = np.random.default_rng(5)
    for _ in range(3):
        pred = csl_stats.pls_predict(res_pls, folds=4, repeats=1, rng=gen)
        loss_pls += ((x - pred.pls_predictions[cols].to_numpy()) ** 2).mean(axis=1) / 3
        loss_lm += ((x - pred.lm_predictions[cols].to_numpy()) ** 2).mean(axis=1) / 3
    for res, ref_loss in ((ia, loss_ia), (lm, loss_lm)):
        row = res.overall
        t = _ttest(ref_loss - loss_pls, "greater")
        np.testing.assert_allclose([row["loss_a"], row["loss_b"]], [loss_pls.mean(), ref_loss.mean()], rtol=1e-12)
        np.testing.assert_allclose([row["t"], row["p"]], [t.statistic, t.pvalue], rtol=1e-10)
    assert ia.model_b == "IA" and lm.model_b == "LM" and ia.alternative == "greater"
    assert ia.overall["p"] < 0.01  # the model predicts better than the training means


def test_cvpat_size_and_power_small_simulation():
    """Alternative = the true model without a zero path: rarely significant; a real 0.4 path: detected."""
    null_p = [csl_stats.cvpat(csl_stats.pls_pm(d, MM, FULL), csl_stats.pls_pm(d, MM, NO_DIRECT), folds=5,
                              repeats=1, rng=s).overall["p"]
              for s, d in ((s, _data(150, 100 + s, c=0.0)) for s in range(8))]
    assert sum(p < 0.05 for p in null_p) <= 2
    d = _data(300, 7, c=0.4)
    assert csl_stats.cvpat(csl_stats.pls_pm(d, MM, FULL), csl_stats.pls_pm(d, MM, NO_DIRECT), folds=10, repeats=2,
                           rng=1).overall["p"] < 0.01


def test_cvpat_bad_input():
    df = _data()
    a = csl_stats.pls_pm(df, MM, FULL)
    with pytest.raises(ArgumentError, match="EITHER a second model"):
        csl_stats.cvpat(a)
    with pytest.raises(ArgumentError, match="EITHER a second model"):
        csl_stats.cvpat(a, a, benchmark="lm")
    with pytest.raises(ArgumentError, match="benchmark"):
        csl_stats.cvpat(a, benchmark="naive")
    with pytest.raises(ArgumentTypeError, match="result_b must be a PLSResult"):
        csl_stats.cvpat(a, df)
    with pytest.raises(ArgumentError, match="same respondents"):
        csl_stats.cvpat(a, csl_stats.pls_pm(df.iloc[:100], MM, FULL), folds=5, repeats=1)
    with pytest.raises(ArgumentError, match="are all equal"):
        csl_stats.cvpat(a, csl_stats.pls_pm(df, MM, FULL), folds=5, repeats=1, rng=1)
    other = csl_stats.pls_pm(df, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"], "M": ["m1", "m2", "m3"]},
                             [("X", "Y"), ("M", "Y")])
    only_m = csl_stats.pls_pm(df, MM, [("X", "M"), ("Y", "M")])
    with pytest.raises(ModelSpecificationError, match="no indicator in common"):
        csl_stats.cvpat(other, only_m, folds=5, repeats=1)
    with pytest.raises(ArgumentError, match="folds must be at most"):
        csl_stats.cvpat(a, benchmark="ia", folds=500)
    with pytest.raises(ArgumentError, match="alternative"):
        csl_stats.cvpat(a, benchmark="ia", alternative="bigger")


def test_cvpat_warns_when_the_models_predict_different_indicators():
    """Model B drops y3 from Y's block: the test covers the common indicators only, and now says so (it was
    silent), naming the indicator left out; the table is that of the common indicators."""
    df = _data()
    a = csl_stats.pls_pm(df, MM, FULL)
    b = csl_stats.pls_pm(df, {**MM, "Y": ["y1", "y2"]}, FULL)
    with pytest.warns(csl_stats.errors.InconsistencyWarning, match=r"\['y3'\] \(predicted by result_a only\)"):
        res = csl_stats.cvpat(a, b, folds=5, repeats=1, rng=1)
    assert res.table.at["Y", "n_indicators"] == 2 and res.table.at["overall", "n_indicators"] == 5
    alt = csl_stats.pls_pm(df, MM, [("X", "M"), ("M", "Y")])
    with warnings.catch_warnings():  # same endogenous indicators: no warning
        warnings.simplefilter("error", csl_stats.errors.InconsistencyWarning)
        csl_stats.cvpat(a, alt, folds=5, repeats=1, rng=1)
