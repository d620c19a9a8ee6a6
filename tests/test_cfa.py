"""Tests for csl_stats.cfa (maximum-likelihood CFA) against lavaan."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lavaan_names import FIT_NAMES

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    CollinearityError,
    ColumnNotFoundError,
    ConstantError,
    ConvergenceWarning,
    HeywoodWarning,
    InsufficientDataError,
    ModelSpecificationError,
    NonNumericError,
    ReverseKeyWarning,
)

REF = Path(__file__).parent / "reference"
DATA = pd.read_csv(REF / "cfa_data.csv")
R = json.loads((REF / "cfa.json").read_text())
CONSTRUCTS = {
    "reliab": ["rel1", "rel2", "rel3", "rel4"],
    "respon": ["rsp1", "rsp2", "rsp3", "rsp4"],
    "satisf": ["sat1", "sat2", "sat3", "sat4"],
}
MODELS = {
    "three": CONSTRUCTS,
    "one": {"satisf": CONSTRUCTS["satisf"]},
    "mixed": {"reliab": ["rel1", "rel2"], "respon": CONSTRUCTS["respon"], "satisf": ["sat1", "sat3", "sat4"]},
}


@pytest.fixture(scope="module")
def fits():
    return {name: csl_stats.cfa(DATA, spec) for name, spec in MODELS.items()}


def _heywood_data() -> pd.DataFrame:
    """Data whose covariance is exactly a matrix implying a loading of sqrt(.8 * .8 / .5) > 1 for a1."""
    target = np.eye(6)
    target[0, 1] = target[0, 2] = 0.8
    target[1, 2] = 0.5
    target[3, 4] = target[3, 5] = target[4, 5] = 0.5
    target[:3, 3:] = 0.2
    target = np.triu(target) + np.triu(target, 1).T
    z = np.random.default_rng(1).standard_normal((200, 6))
    z -= z.mean(axis=0)
    white = np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, bias=True)))
    z = z @ white.T @ np.linalg.cholesky(target).T
    return pd.DataFrame(z, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


@pytest.mark.parametrize("name", list(MODELS))
def test_cfa_against_R(fits, name):
    """lavaan 0.6-14: fit <- cfa(model, data = dat, std.lv = TRUE);
    parameterEstimates(fit); standardizedSolution(fit); fitMeasures(fit) (tests/reference/cfa.R)."""
    res, ref = fits[name], R[name]
    pe = pd.DataFrame(ref["param"]).set_index(["lhs", "op", "rhs"])
    ss = pd.DataFrame(ref["std"]).set_index(["lhs", "op", "rhs"])
    ours = res.params.set_index(["lhs", "op", "rhs"])
    assert len(ours) == len(pe.loc[pe["se"] > 0])  # lavaan also lists the fixed latent variances
    pe, ss = pe.loc[ours.index], ss.loc[ours.index]
    np.testing.assert_allclose(ours["estimate"], pe["est"], atol=1e-4)
    np.testing.assert_allclose(ours["se"], pe["se"], atol=1e-4)
    np.testing.assert_allclose(ours["z"], pe["z"], rtol=1e-4)
    np.testing.assert_allclose(ours["p"], pe["pvalue"], atol=1e-4)
    np.testing.assert_allclose(ours["std_estimate"], ss["est.std"], atol=1e-4)
    np.testing.assert_allclose(ours["std_se"], ss["se"], atol=1e-4)
    for ours_name, r_name in FIT_NAMES.items():
        np.testing.assert_allclose(
            res.fit_indices[ours_name], ref["fit"][r_name], rtol=1e-6, atol=1e-4, err_msg=ours_name
        )
    assert res.n_obs == ref["fit"]["ntotal"]
    np.testing.assert_allclose(res.implied_cov.to_numpy(), np.array(ref["implied"]), atol=1e-4)


def test_accessors(fits):
    res = fits["three"]
    assert res.converged and res.n_dropped == 0 and res.n_iter < 50
    assert list(res.loadings.columns) == [
        "construct",
        "item",
        "estimate",
        "se",
        "z",
        "p",
        "std_estimate",
        "std_se",
    ]
    assert len(res.loadings) == 12 and list(res.residual_variances.index) == DATA.columns.tolist()
    assert len(res.factor_correlations) == 3
    mat = res.factor_corr_matrix
    np.testing.assert_allclose(mat.to_numpy(), mat.to_numpy().T)
    np.testing.assert_allclose(np.diag(mat), 1.0)
    # residual covariances are sample minus implied; the diagonal of the standardized residuals is small
    np.testing.assert_allclose(res.residual_cov + res.implied_cov, res.sample_cov, atol=1e-12)
    # the std.all residual variance is 1 - std loading^2 for simple structure
    std_l = res.loadings.set_index("item")["std_estimate"]
    np.testing.assert_allclose(res.residual_variances["std_estimate"], 1 - std_l**2, atol=1e-10)
    assert res.summary().index.names == ["construct", "item"]
    assert "chisq=" in repr(res) and "<table" in res._repr_html_()
    pd.testing.assert_frame_equal(res.to_frame(), res.params)


def test_rescaling_an_item_rescales_its_loading_only(fits):
    data = DATA.copy()
    data["rel2"] = 10 * data["rel2"] - 3
    res = csl_stats.cfa(data, CONSTRUCTS)
    base = fits["three"]
    np.testing.assert_allclose(res.fit_indices["chisq"], base.fit_indices["chisq"], rtol=1e-8)
    np.testing.assert_allclose(res.loadings["std_estimate"], base.loadings["std_estimate"], atol=1e-7)
    ratio = res.loadings.set_index("item")["estimate"] / base.loadings.set_index("item")["estimate"]
    np.testing.assert_allclose(ratio["rel2"], 10, rtol=1e-6)
    np.testing.assert_allclose(ratio.drop("rel2"), 1, rtol=1e-6)


def test_first_item_loads_positively_and_order_does_not_matter(fits):
    data = DATA.copy()
    data[CONSTRUCTS["respon"]] = -data[CONSTRUCTS["respon"]]
    reordered = {k: CONSTRUCTS[k] for k in ["satisf", "respon", "reliab"]}
    res = csl_stats.cfa(data, reordered)
    np.testing.assert_allclose(res.fit_indices["chisq"], fits["three"].fit_indices["chisq"], rtol=1e-8)
    assert (res.loadings["estimate"] > 0).all()  # whole-construct sign flip absorbed by the factor
    corr = res.factor_corr_matrix.loc[list(CONSTRUCTS), list(CONSTRUCTS)]
    base = fits["three"].factor_corr_matrix
    np.testing.assert_allclose(
        corr.loc["respon"].drop("respon"), -base.loc["respon"].drop("respon"), atol=1e-6
    )


def test_listwise_deletion_reports_rows(fits):
    data = DATA.copy()
    data.loc[[0, 5, 9], "rel1"] = np.nan
    data.loc[5, "sat3"] = np.nan
    before = data.copy()
    res = csl_stats.cfa(data, CONSTRUCTS)
    pd.testing.assert_frame_equal(data, before)  # caller's data untouched
    assert res.n_obs == 397 and res.n_dropped == 3
    ref = csl_stats.cfa(data.dropna(), CONSTRUCTS)
    np.testing.assert_allclose(res.params["estimate"], ref.params["estimate"], atol=1e-10)
    with pytest.raises(InsufficientDataError, match="nan_policy='raise'"):
        csl_stats.cfa(data, CONSTRUCTS, nan_policy="raise")


def test_heywood_case_warns_naming_item():
    """The same data in lavaan: a1 ~~ a1 = -0.228 ("some estimated ov variances are negative")."""
    with pytest.warns(HeywoodWarning, match=r"\['a1'\]"):
        res = csl_stats.cfa(_heywood_data(), {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    assert res.residual_variances.loc["a1", "estimate"] < 0
    np.testing.assert_allclose(res.residual_variances.loc["a1", "estimate"], -0.2281, atol=1e-4)


def test_nonconvergence_warns():
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 Fisher-scoring"):
        res = csl_stats.cfa(DATA, CONSTRUCTS, max_iter=1)
    assert not res.converged


@pytest.mark.parametrize(
    ("constructs", "error", "match"),
    [
        (
            {"a": ["rel1", "rel2", "rel3"], "b": ["rel3", "rsp1", "rsp2"]},
            ModelSpecificationError,
            r"item 'rel3' is assigned to both 'a' and 'b'",
        ),
        ({"a": ["rel1", "rel1", "rel2"]}, ModelSpecificationError, r"assigned to 'a' twice"),
        (
            {"a": ["rel1", "rel2", "rel3"], "b": ["rsp1"]},
            ModelSpecificationError,
            r"construct 'b' has 1 item.*fixed error variance",
        ),
        ({"a": ["rel1", "rel2"]}, ModelSpecificationError, r"one-construct model needs at least 3 items"),
        ({}, ModelSpecificationError, r"constructs is empty"),
        ({"a": ["rel1", "rel2", "relX"]}, ColumnNotFoundError, r"not found.*'relX'"),
        (["rel1", "rel2", "rel3"], ArgumentTypeError, r"constructs must be a dict"),
        ({"a": "rel1"}, ArgumentTypeError, r"constructs\['a'\] must be a list of item names"),
    ],
)
def test_specification_errors(constructs, error, match):
    with pytest.raises(error, match=match):
        csl_stats.cfa(DATA, constructs)


def test_data_errors():
    small = DATA.iloc[:12]
    with pytest.raises(InsufficientDataError, match=r"at least 13 complete rows"):
        csl_stats.cfa(small, CONSTRUCTS)
    dup = DATA.assign(rel5=DATA["rel1"] + DATA["rel2"])
    with pytest.raises(CollinearityError, match="not positive definite"):
        csl_stats.cfa(dup, {"a": ["rel1", "rel2", "rel3", "rel5"]})
    text = DATA.astype({"rel2": object})
    text.loc[3, "rel2"] = "n/a"
    with pytest.raises(NonNumericError, match="'rel2'"):
        csl_stats.cfa(text, CONSTRUCTS)
    with pytest.raises(ConstantError, match="'rel3' is constant"):
        csl_stats.cfa(DATA.assign(rel3=4.0), CONSTRUCTS)
    with pytest.raises(ArgumentTypeError, match="must be a pandas DataFrame"):
        csl_stats.cfa(DATA.to_numpy(), CONSTRUCTS)


@pytest.mark.parametrize("missing", [False, True])
def test_engine_gradient_and_information_match_brute_force(missing):
    """The SEM engine behind cfa: analytic gradient = numerical gradient of -2 logL / N, and the
    batched expected information = sum over rows of tr(A dS_a A dS_b) + 2 dmu_a' A dmu_b by brute force."""
    from csl_stats._sem.estimator import Objective
    from csl_stats._sem.moments import moments_from_array
    from csl_stats._sem.specification import Spec, build_model

    rng = np.random.default_rng(0)
    spec = Spec({"a": ["x1", "x2", "x3"], "b": ["x4", "x5"], "c": ["x6", "x7", "x8", "x9"]},
                [("a", "b"), ("b", "c")], [("x1", "x4")])
    model = build_model(spec, meanstructure=missing)
    x = rng.standard_normal((60, 9)) @ rng.uniform(0.2, 0.8, (9, 9)) + rng.normal(size=9)
    if missing:
        x[rng.uniform(size=x.shape) < 0.15] = np.nan
        x = x[~np.isnan(x).all(axis=1)]
    obj = Objective(model, [moments_from_array(x)])
    theta = rng.uniform(0.3, 1.0, model.q)
    f, g = obj.value_grad(theta)
    num = np.array([(obj.value(theta + e) - obj.value(theta - e)) / 2e-6 for e in np.eye(model.q) * 1e-6])
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)
    sigma, mu = model.implied(theta)[0]
    ds, dm = model.delta(theta)[0]
    brute = np.zeros((model.q, model.q))
    for row in x:
        o = ~np.isnan(row)
        a = np.linalg.inv(sigma[np.ix_(o, o)])
        d = ds[:, o][:, :, o]
        brute += np.einsum("ij,ajk,kl,bli->ab", a, d, a, d)
        if missing:
            brute += 2 * dm[:, o] @ a @ dm[:, o].T
    np.testing.assert_allclose(obj.expected_information(theta), brute / len(x), rtol=1e-10, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(
    scales=st.lists(st.floats(0.1, 20.0), min_size=12, max_size=12),
    shifts=st.lists(st.floats(-50.0, 50.0), min_size=12, max_size=12),
)
def test_standardized_solution_and_fit_invariant_to_item_units(fits, scales, shifts):
    """Changing the unit or origin of any item (a * x + b, a > 0) changes neither fit nor std solution."""
    res = csl_stats.cfa(DATA * np.array(scales) + np.array(shifts), CONSTRUCTS)
    base = fits["three"]
    unit_free = base.fit_indices.drop(["loglik", "loglik_h1", "aic", "bic"]).index  # these depend on log|S|
    np.testing.assert_allclose(res.fit_indices[unit_free], base.fit_indices[unit_free], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(res.params["std_estimate"], base.params["std_estimate"], atol=1e-6)
    np.testing.assert_allclose(res.params["std_se"], base.params["std_se"], atol=1e-6)


def test_unsupported_nan_policy():
    with pytest.raises(
        ArgumentError, match=r"nan_policy must be one of \['listwise', 'fiml', 'raise'\]; got 'pairwise'"
    ):
        csl_stats.cfa(DATA, CONSTRUCTS, nan_policy="pairwise")


def _factor_heywood_data() -> pd.DataFrame:
    """Covariance exactly: within-construct r = .40, between-construct r = .45 -> factor correlation 1.125."""
    target = np.full((6, 6), 0.45)
    target[:3, :3] = target[3:, 3:] = 0.4
    np.fill_diagonal(target, 1.0)
    z = np.random.default_rng(1).standard_normal((300, 6))
    z -= z.mean(axis=0)
    white = np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, bias=True)))
    z = z @ white.T @ np.linalg.cholesky(target).T
    return pd.DataFrame(z, columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def test_heywood_factor_correlation_above_one_warns():
    """lavaan 0.6-14 on the same data: A ~~ B = 1.125 and "covariance matrix of latent variables is not
    positive definite" (cfa("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", data, std.lv = TRUE))."""
    with pytest.warns(HeywoodWarning, match=r"factor correlation.*'A' and 'B' \(1\.125\)"):
        res = csl_stats.cfa(_factor_heywood_data(), {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]})
    assert res.factor_correlations.loc[0, "estimate"] == pytest.approx(1.125, abs=1e-6)


def test_saturated_model_fit_indices_as_lavaan():
    """lavaan 0.6-14: fitMeasures(cfa("f =~ sat1 + sat2 + sat3", dat, std.lv = TRUE)) gives
    df = 0, cfi = tli = 1, rmsea = rmsea.ci.lower = rmsea.ci.upper = 0, pvalue = rmsea.pvalue = NA."""
    fit = csl_stats.cfa(DATA, {"f": ["sat1", "sat2", "sat3"]}).fit_indices
    assert fit["df"] == 0 and fit["chisq"] == pytest.approx(0, abs=1e-10)
    assert (fit["cfi"], fit["tli"]) == (1.0, 1.0)
    assert (fit["rmsea"], fit["rmsea_ci_low"], fit["rmsea_ci_high"]) == (0.0, 0.0, 0.0)
    assert np.isnan(fit["pvalue"]) and np.isnan(fit["rmsea_pvalue"])
    assert fit["srmr"] == pytest.approx(0, abs=1e-10)


def test_unrecoded_reverse_keyed_item_warns_and_only_flips_its_sign():
    """An item entered with reversed sign triggers ReverseKeyWarning naming it; the fit is otherwise the same."""
    flipped = DATA.assign(rsp2=-DATA["rsp2"])
    with pytest.warns(ReverseKeyWarning, match=r"\['rsp2'\] load with the opposite sign .* 'respon'"):
        res = csl_stats.cfa(flipped, CONSTRUCTS)
    base = csl_stats.cfa(DATA, CONSTRUCTS)
    a = res.loadings.set_index("item")["std_estimate"]
    b = base.loadings.set_index("item")["std_estimate"]
    np.testing.assert_allclose(a.drop("rsp2"), b.drop("rsp2"), atol=1e-6)
    assert a["rsp2"] == pytest.approx(-b["rsp2"], abs=1e-6)
    assert res.fit_indices["chisq"] == pytest.approx(base.fit_indices["chisq"], abs=1e-6)
