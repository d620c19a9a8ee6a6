"""Tests for composite_reliability, fornell_larcker and scale_report (csl_stats.measurement)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, HeywoodWarning, ModelSpecificationError

REF = Path(__file__).parent / "reference"
DATA = pd.read_csv(REF / "cfa_data.csv")
R = json.loads((REF / "cfa.json").read_text())
CONSTRUCTS = {
    "reliab": ["rel1", "rel2", "rel3", "rel4"],
    "respon": ["rsp1", "rsp2", "rsp3", "rsp4"],
    "satisf": ["sat1", "sat2", "sat3", "sat4"],
}


MIXED = {"reliab": ["rel1", "rel2"], "respon": CONSTRUCTS["respon"], "satisf": ["sat1", "sat3", "sat4"]}


@pytest.mark.parametrize("model", ["three", "one", "mixed"])
def test_composite_reliability_against_R(model):
    """semTools 0.5-6: compRelSEM(fit) (obs.var = TRUE); the "model" omega and AVE from
    standardizedSolution(fit): sum(l)^2 / (sum(l)^2 + sum(1 - l^2)) and mean(l^2) (tests/reference/cfa.R)."""
    spec = {"three": CONSTRUCTS, "one": {"satisf": CONSTRUCTS["satisf"]}, "mixed": MIXED}[model]
    ref = R[model]
    by_model = csl_stats.composite_reliability(DATA, spec)
    observed = csl_stats.composite_reliability(DATA, spec, denominator="observed")
    names = list(spec)
    np.testing.assert_allclose(
        by_model.loc[names, "omega"], [ref["omega_model"][k] for k in names], atol=1e-4
    )
    np.testing.assert_allclose(by_model.loc[names, "ave"], [ref["ave_model"][k] for k in names], atol=1e-4)
    np.testing.assert_allclose(
        observed.loc[names, "omega"], [ref["comprel_obs"][k] for k in names], atol=1e-4
    )
    pd.testing.assert_series_equal(by_model["ave"], observed["ave"])
    assert list(by_model.columns) == ["alpha", "omega", "ave", "n_items"]
    assert by_model.attrs["n_obs"] == 400 and by_model["n_items"].tolist() == [len(v) for v in spec.values()]
    for k in names:
        assert by_model.loc[k, "alpha"] == pytest.approx(
            csl_stats.cronbach_alpha(DATA, spec[k]).alpha, abs=1e-12
        )


def test_denominators_coincide_for_exact_parallel_items():
    """With exactly fitting, equal-variance items both omegas are the reliability of the sum score."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal((300, 4))
    z -= z.mean(axis=0)
    white = np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, bias=True)))
    target = np.full((4, 4), 0.49) + np.diag(np.full(4, 0.51))  # one factor, loadings .7, variances 1
    x = pd.DataFrame(z @ white.T @ np.linalg.cholesky(target).T, columns=list("abcd"))
    spec = {"f": list("abcd")}
    m = csl_stats.composite_reliability(x, spec)
    o = csl_stats.composite_reliability(x, spec, denominator="observed")
    expected = 16 * 0.49 / (16 * 0.49 + 4 * 0.51)
    np.testing.assert_allclose([m.loc["f", "omega"], o.loc["f", "omega"]], expected, atol=1e-7)
    # for parallel items omega equals alpha
    np.testing.assert_allclose(m.loc["f", "alpha"], expected, atol=1e-7)
    np.testing.assert_allclose(m.loc["f", "ave"], 0.49, atol=1e-7)


def test_fornell_larcker_against_R():
    """Diagonal sqrt(AVE) from standardizedSolution(fit), off-diagonal the lavaan factor correlations."""
    fl = csl_stats.fornell_larcker(DATA, CONSTRUCTS)
    ref = R["three"]
    np.testing.assert_allclose(np.diag(fl), np.sqrt([ref["ave_model"][k] for k in CONSTRUCTS]), atol=1e-4)
    for row in ref["param"]:
        if row["op"] == "~~" and row["lhs"] in CONSTRUCTS and row["lhs"] != row["rhs"]:
            assert fl.loc[row["lhs"], row["rhs"]] == pytest.approx(row["est"], abs=1e-4)
            assert fl.loc[row["rhs"], row["lhs"]] == pytest.approx(row["est"], abs=1e-4)
    assert list(fl.index) == list(fl.columns) == list(CONSTRUCTS)


def test_scale_report_consistent_with_parts():
    rep = csl_stats.scale_report(DATA, CONSTRUCTS)
    cr = csl_stats.composite_reliability(DATA, CONSTRUCTS)
    ht = csl_stats.htmt(DATA, CONSTRUCTS)
    fl = csl_stats.fornell_larcker(DATA, CONSTRUCTS)
    assert list(rep.index) == list(CONSTRUCTS)
    np.testing.assert_allclose(rep["omega"], cr["omega"], atol=1e-12)
    np.testing.assert_allclose(rep["ave"], cr["ave"], atol=1e-12)
    np.testing.assert_allclose(rep["alpha"], cr["alpha"], atol=1e-12)
    for k in CONSTRUCTS:
        a = csl_stats.cronbach_alpha(DATA, CONSTRUCTS[k])
        assert (rep.loc[k, "alpha_ci_low"], rep.loc[k, "alpha_ci_high"]) == pytest.approx(a.ci, abs=1e-12)
        others = ht.loc[k].drop(k)
        assert rep.loc[k, "max_htmt"] == pytest.approx(others.max(), abs=1e-12)
        assert rep.loc[k, "max_htmt_with"] == others.idxmax()
        assert rep.loc[k, "max_factor_corr"] == pytest.approx(fl.loc[k].drop(k).abs().max(), abs=1e-12)
    assert rep["alpha_ok"].tolist() == (rep["alpha"] >= 0.7).tolist()
    assert rep["ave_ok"].tolist() == [False, True, True]  # reliab's AVE is .473
    assert rep["fornell_larcker_ok"].all() and rep["htmt_ok_85"].all()
    assert rep.loc["reliab", "items"] == "rel1, rel2, rel3, rel4"
    assert rep.attrs["n_obs"] == 400
    flags = [c for c in rep.columns if c.endswith("_ok") or c.startswith("htmt_ok")]
    assert sorted(rep.attrs["thresholds"]) == sorted(flags)
    assert "Henseler" in rep.attrs["thresholds"]["htmt_ok_85"] and ".50" in rep.attrs["thresholds"]["ave_ok"]


def test_scale_report_single_construct_has_no_htmt():
    rep = csl_stats.scale_report(DATA, {"satisf": CONSTRUCTS["satisf"]})
    assert np.isnan(rep.loc["satisf", "max_htmt"]) and rep.loc["satisf", "htmt_ok_85"]


def test_flags_detect_poor_discriminant_validity():
    """Two constructs whose items measure the same thing: HTMT near 1 and Fornell-Larcker fails."""
    rng = np.random.default_rng(7)
    f = rng.standard_normal(500)
    x = pd.DataFrame({f"i{k}": f + 0.6 * rng.standard_normal(500) for k in range(6)})
    # the sample factor correlation exceeds 1 (1.007): an improper solution, which cfa reports
    with pytest.warns(HeywoodWarning, match=r"factor correlation.*'a' and 'b'"):
        rep = csl_stats.scale_report(x, {"a": ["i0", "i1", "i2"], "b": ["i3", "i4", "i5"]})
    assert not rep["htmt_ok_90"].any() and not rep["fornell_larcker_ok"].any()
    assert (rep["max_factor_corr"] > 1).all()


def test_listwise_rows_shared():
    data = DATA.copy()
    data.loc[[1, 2], "sat1"] = np.nan
    cr = csl_stats.composite_reliability(data, CONSTRUCTS)
    assert cr.attrs["n_obs"] == 398
    assert cr.loc["reliab", "alpha"] == pytest.approx(
        csl_stats.cronbach_alpha(data.dropna(), CONSTRUCTS["reliab"]).alpha, abs=1e-12
    )


def test_errors():
    with pytest.raises(ArgumentError, match=r"denominator must be one of \['model', 'observed'\]"):
        csl_stats.composite_reliability(DATA, CONSTRUCTS, denominator="sample")
    with pytest.raises(ArgumentError, match="ci must be a number strictly between 0 and 1"):
        csl_stats.scale_report(DATA, CONSTRUCTS, ci=95)
    with pytest.raises(ArgumentError, match=r"htmt_variant must be one of \['htmt', 'htmt2'\]"):
        csl_stats.scale_report(DATA, CONSTRUCTS, htmt_variant="HTMT")
    with pytest.raises(ModelSpecificationError, match="assigned to both"):
        csl_stats.fornell_larcker(DATA, {"a": ["rel1", "rel2", "rel3"], "b": ["rel1", "rsp1", "rsp2"]})
    with pytest.raises(ModelSpecificationError, match="construct 'b' has 1 item"):
        csl_stats.composite_reliability(DATA, {"a": ["rel1", "rel2", "rel3"], "b": ["rsp1"]})


def test_joint_fit_is_memoised_but_warnings_repeat():
    from csl_stats import measurement

    target = np.eye(6)
    target[0, 1] = target[0, 2] = 0.8  # implies a loading of sqrt(.8 * .8 / .5) > 1 for a1
    target[1, 2] = 0.5
    target[3, 4] = target[3, 5] = target[4, 5] = 0.5
    target[:3, 3:] = 0.2
    target = np.triu(target) + np.triu(target, 1).T
    z = np.random.default_rng(1).standard_normal((200, 6))
    data = pd.DataFrame(z @ np.linalg.cholesky(target).T, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    spec = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}
    measurement._FIT_CACHE.clear()
    with pytest.warns(HeywoodWarning, match="a1"):
        csl_stats.composite_reliability(data, spec)
    assert len(measurement._FIT_CACHE) == 1
    with pytest.warns(HeywoodWarning, match="a1"):  # cache hit, warning re-issued
        csl_stats.fornell_larcker(data, spec)
    assert len(measurement._FIT_CACHE) == 1
    changed = data.assign(b3=data["b3"] * 2 + data["b1"] * 0.1)  # new content -> new fit
    with pytest.warns(HeywoodWarning):
        fl = csl_stats.fornell_larcker(changed, spec)
    assert len(measurement._FIT_CACHE) == 2
    with pytest.warns(HeywoodWarning):
        direct = csl_stats.cfa(changed, spec)
    assert fl.loc["A", "B"] == pytest.approx(direct.factor_corr_matrix.loc["A", "B"], abs=1e-12)
