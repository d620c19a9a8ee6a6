"""Tests of csl_stats.pls (PLS path modelling, indices, IPMA)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csl_stats
from csl_stats.errors import (
    ArgumentError,
    ArgumentTypeError,
    CollinearityError,
    ColumnNotFoundError,
    ConvergenceWarning,
    ModelSpecificationError,
    ScaleError,
)

REF = Path(__file__).parent / "reference"
DATA = pd.read_csv(REF / "pls_ecsi.csv")
R_OUT = json.loads((REF / "pls_ecsi_R.json").read_text())

MM = {
    "Image": ["IMG1", "IMG2", "IMG3", "IMG4"],
    "Expectation": ["EXP1", "EXP2", "EXP3"],
    "Quality": ["QUA1", "QUA2", "QUA3", "QUA4", "QUA5"],
    "Value": ["VAL1", "VAL2"],
    "Satisfaction": ["SAT1", "SAT2", "SAT3"],
    "Complaints": ["CMP1"],
    "Loyalty": ["LOY1", "LOY2", "LOY3"],
}
SM = [
    ("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
    ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
    ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"),
]
C = list(MM)
SMALL_MM = {"X": ["IMG1", "IMG2", "IMG3"], "M": ["QUA1", "QUA2", "QUA3"], "Y": ["SAT1", "SAT2", "SAT3"]}
SMALL_SM = [("X", "M"), ("M", "Y"), ("X", "Y")]


@pytest.fixture(scope="module")
def ecsi() -> csl_stats.PLSResult:
    return csl_stats.pls_pm(DATA, MM, SM, scale=(1, 7))


@pytest.mark.parametrize(
    ("key", "modes", "scheme"),
    [("path_A", None, "path"), ("factorial_B", {"Value": "B", "Image": "B"}, "factorial"),
     ("centroid_A", None, "centroid")],
)
def test_pls_against_R(key, modes, scheme):
    """Independent base-R PLS-PM, ``Rscript tests/reference/pls.R``:
    ``pls_fit(dat, blocks, paths, modes, scheme)`` on tests/reference/pls_ecsi.csv."""
    ref = R_OUT[key]
    res = csl_stats.pls_pm(DATA, MM, SM, modes=modes, scheme=scheme, scale=(1, 7))
    tol = 1e-6
    np.testing.assert_allclose(res.paths["estimate"], [p["estimate"] for p in ref["paths"]], atol=tol)
    assert list(res.paths["from"]) == [p["from"] for p in ref["paths"]]
    np.testing.assert_allclose(res.outer_weights["estimate"], ref["weights"], atol=tol)
    np.testing.assert_allclose(res.loadings["estimate"], ref["loadings"], atol=tol)
    np.testing.assert_allclose(res.r2[list(ref["r2"])], list(ref["r2"].values()), atol=tol)
    total = np.zeros((7, 7))
    pos = {c: k for k, c in enumerate(C)}
    for _, row in res.total_effects.iterrows():
        total[pos[row["from"]], pos[row["to"]]] = row["estimate"]
    np.testing.assert_allclose(total, np.array(ref["total"]), atol=tol)
    rel = pd.DataFrame(ref["reliability"]).T.astype(float)
    np.testing.assert_allclose(res.reliability.loc[rel.index, rel.columns], rel, atol=tol)
    htmt = np.array(ref["htmt"], dtype=float)
    np.testing.assert_allclose(res.htmt.to_numpy(), htmt, atol=tol)
    np.testing.assert_allclose(res.indices[list(ref["indices"])], list(ref["indices"].values()), atol=tol)
    np.testing.assert_allclose(res.scores.iloc[:5].to_numpy(), np.array(ref["scores_head"]), atol=tol)
    assert res.iterations == ref["iterations"]


def test_result_shapes_and_invariants(ecsi):
    res = ecsi
    assert res.n == len(DATA)
    assert list(res.paths.columns) == ["from", "to", "estimate"]
    assert set(res.r2.index) == {"Expectation", "Quality", "Value", "Satisfaction", "Complaints", "Loyalty"}
    np.testing.assert_allclose(res.scores.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(res.scores.std(ddof=1), 1, atol=1e-12)
    # index weights sum to one within each block
    np.testing.assert_allclose(res.outer_table.groupby("construct")["index_weight"].sum(), 1, atol=1e-12)
    # indices are the mean of respondent-level indices
    np.testing.assert_allclose(res.index_scores.mean(), res.indices, atol=1e-12)
    # total = direct + indirect
    eff = res.effect_table.merge(res.path_table, on=["from", "to"], how="left").fillna({"estimate": 0})
    np.testing.assert_allclose(eff["total"], eff["estimate"] + eff["indirect"], atol=1e-12)
    # GoF = sqrt(mean communality x mean R2)
    multi = res.loadings[res.loadings["construct"] != "Complaints"]
    assert res.gof == pytest.approx(np.sqrt((multi["estimate"] ** 2).mean() * res.r2.mean()), abs=1e-12)
    assert res.reliability.loc["Complaints"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert "PLSResult(n=400" in repr(res)
    assert "<table" in res._repr_html_()
    assert res.summary().equals(res.to_frame())


def test_bootstrap_columns_reproducible_and_sensible():
    a = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7), n_boot=100, rng=7)
    b = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7), n_boot=100, rng=7)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert list(a.paths.columns) == ["from", "to", "estimate", "se", "ci_low", "ci_high", "t", "p"]
    p = a.paths
    assert ((p["ci_low"] < p["estimate"]) & (p["estimate"] < p["ci_high"])).all()
    assert (p["se"] > 0).all() and (p["se"] < 0.2).all()
    assert {"se", "ci_low", "ci_high"} <= set(a.outer_weights.columns)
    assert {"se", "ci_low", "ci_high"} <= set(a.total_effects.columns)
    assert {"index_se", "index_ci_low", "index_ci_high"} <= set(a.construct_table.columns)
    ind = a.indirect_effects
    assert list(zip(ind["from"], ind["to"], strict=True)) == [("X", "Y")]
    assert ind["ci_low"].iloc[0] < ind["estimate"].iloc[0] < ind["ci_high"].iloc[0]
    # a different seed gives different intervals
    c = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7), n_boot=100, rng=8)
    assert not np.allclose(a.paths["se"], c.paths["se"])
    # construct-level sign correction (Tenenhaus et al. 2005) leaves well-oriented resamples alone
    d = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7), n_boot=100, rng=7, sign_change="construct")
    pd.testing.assert_frame_equal(d.paths, a.paths)  # no construct is reversed in these resamples


def test_sign_orientation_with_reversed_block():
    """A block whose items were all reversed is oriented by its loadings (sum > 0)."""
    flipped = DATA.assign(**{c: 8 - DATA[c] for c in ["SAT1", "SAT2", "SAT3"]})
    res = csl_stats.pls_pm(flipped, SMALL_MM, SMALL_SM, scale=(1, 7))
    assert (res.loadings.loc[res.loadings["construct"] == "Y", "estimate"] > 0).all()
    base = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7))
    np.testing.assert_allclose(res.paths["estimate"].abs(), base.paths["estimate"].abs(), atol=1e-10)
    np.testing.assert_allclose(res.paths["estimate"].iloc[1:], -base.paths["estimate"].iloc[1:], atol=1e-10)


def test_construct_sign_change_rule():
    from csl_stats import _pls_core as core

    spec = core.parse_model(SMALL_MM, SMALL_SM, None)
    x = DATA[[c for v in SMALL_MM.values() for c in v]].to_numpy(float)
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    w = core.fit_pls(xs, spec, "path", 300, 1e-7).weights
    ref = core.estimates_from_weights(xs, w, spec)["loadings"]
    flipped = w * np.array([1.0, -1.0, 1.0])
    np.testing.assert_allclose(core.orient(xs, flipped, spec, reference=ref), w)
    np.testing.assert_allclose(core.orient(xs, flipped, spec), w)


def test_stacked_bootstrap_equals_separate_fits():
    from csl_stats import _pls_core as core

    spec = core.parse_model(SMALL_MM, SMALL_SM, {"X": "B"})
    x = DATA[[c for v in SMALL_MM.values() for c in v]].to_numpy(float)
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    ref = core.estimates_from_weights(xs, core.fit_pls(xs, spec, "path", 300, 1e-7).weights, spec)["loadings"]
    kw = dict(scheme="path", max_iter=300, tol=1e-7, n_boot=7, low=1.0, high=7.0, reference_loadings=ref,
              sign_change="none")
    out, failed = core.bootstrap(x, spec, rng=np.random.default_rng(5), max_cells=3 * x.size, **kw)
    out1, _ = core.bootstrap(x, spec, rng=np.random.default_rng(5), max_cells=1, **kw)  # one at a time
    assert failed == 0
    draws = np.random.default_rng(5).integers(0, len(x), size=(7, len(x)))
    for b in range(7):
        xb = x[draws[b]]
        xsb = (xb - xb.mean(0)) / xb.std(0, ddof=1)
        w = core.orient(xsb, core.fit_pls(xsb, spec, "path", 300, 1e-7).weights, spec)
        est = core.estimates_from_weights(xsb, w, spec)
        np.testing.assert_allclose(out["beta"][b], est["beta"], atol=1e-12)
        np.testing.assert_allclose(out["w"][b], w, atol=1e-12)
    for key in out:
        np.testing.assert_allclose(out[key], out1[key], atol=1e-12)


def test_missing_values_listwise_and_index_alignment():
    d = DATA.copy()
    d.loc[[3, 10, 20], "SAT2"] = np.nan
    res = csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, scale=(1, 7))
    assert res.n == len(DATA) - 3
    assert 3 not in res.scores.index and 4 in res.scores.index
    groups = pd.Series(np.where(np.arange(len(d)) % 2, "odd", "even"), index=d.index)
    table = res.indices_by(groups)
    assert list(table.columns) == ["n", "X", "M", "Y"]
    assert table["n"].sum() == res.n
    assert table["n"].to_dict() == {"even": 198, "odd": 199}  # rows 10, 20 (even) and 3 (odd) dropped
    means = res.index_scores.groupby(groups.loc[res.index_scores.index]).mean()
    np.testing.assert_allclose(table[["X", "M", "Y"]].to_numpy(), means.loc[table.index].to_numpy(), atol=1e-10)
    with pytest.raises(csl_stats.errors.DataError, match="missing values"):
        csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, nan_policy="raise")
    with pytest.raises(ArgumentError, match="nan_policy must be one of"):
        csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, nan_policy="pairwise")
    # mean replacement (seminr's default) keeps every respondent
    mean = csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, scale=(1, 7), nan_policy="mean")
    filled = d.fillna({"SAT2": d["SAT2"].mean()})
    ref = csl_stats.pls_pm(filled, SMALL_MM, SMALL_SM, scale=(1, 7))
    assert mean.n == len(d)
    pd.testing.assert_frame_equal(mean.paths, ref.paths)


def test_scale_inferred_when_missing():
    res = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM)
    assert res.scale == (1.0, 7.0)


def test_ipma(ecsi):
    table = csl_stats.ipma(ecsi, "Loyalty")
    assert set(table.index) == {"Image", "Expectation", "Quality", "Value", "Satisfaction", "Complaints"}
    assert list(table.columns) == ["importance", "performance", "total_effect"]
    assert table["importance"].is_monotonic_decreasing
    np.testing.assert_allclose(table["performance"], ecsi.indices[table.index])
    # a single-predictor chain: unstandardized effect = OLS slope on index scores
    s = ecsi.index_scores
    slope = np.polyfit(s["Satisfaction"], s["Complaints"], 1)[0]
    assert csl_stats.ipma(ecsi, "Complaints").loc["Satisfaction", "importance"] == pytest.approx(slope, abs=1e-10)
    # importance and standardized total effect agree in sign
    assert (np.sign(table["importance"]) == np.sign(table["total_effect"])).all()
    with pytest.raises(ModelSpecificationError, match="no drivers"):
        csl_stats.ipma(ecsi, "Image")
    with pytest.raises(ModelSpecificationError, match="not a construct"):
        csl_stats.ipma(ecsi, "Loyal")
    with pytest.raises(ArgumentTypeError, match="PLSResult"):
        csl_stats.ipma(table, "Loyalty")


def test_plot_ipma(ecsi):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = csl_stats.plot_ipma(ecsi, "Loyalty")
    assert ax.get_ylabel() == "Performance (index, 0-100)"
    assert ax.get_xlabel() == "Importance (total effect on Loyalty, 0-100 scale)"
    assert len(ax.texts) == 6 + 4  # six drivers + four quadrant captions
    assert {t.get_text(): t.get_position() for t in ax.texts}["concentrate here"] == (0.98, 0.02)
    fig, ax2 = plt.subplots()
    assert csl_stats.plot_ipma(ecsi, "Satisfaction", ax=ax2, annotate=False) is ax2
    assert len(ax2.texts) == 4
    # a subset of drivers: its points only, grid lines at its own means
    table = csl_stats.ipma(ecsi, "Loyalty", drivers=["Quality", "Value"])
    ax3 = csl_stats.plot_ipma(ecsi, "Loyalty", drivers=["Quality", "Value"], annotate=False)
    np.testing.assert_allclose(ax3.collections[0].get_offsets(), table[["importance", "performance"]].to_numpy())
    assert ax3.lines[0].get_xdata()[0] == pytest.approx(table["importance"].mean())
    assert ax3.lines[1].get_ydata()[0] == pytest.approx(table["performance"].mean())
    plt.close("all")


def test_ipma_drivers_subset(ecsi):
    full = csl_stats.ipma(ecsi, "Loyalty")
    sub = csl_stats.ipma(ecsi, "Loyalty", drivers=["Value", "Quality"])
    assert set(sub.index) == {"Value", "Quality"}
    pd.testing.assert_frame_equal(sub, full.loc[sub.index])  # same numbers, sorted by importance
    with pytest.raises(ModelSpecificationError, match=r"drivers \['Loyalty'\] have no total effect"):
        csl_stats.ipma(ecsi, "Satisfaction", drivers=["Value", "Loyalty"])
    with pytest.raises(ArgumentTypeError, match="non-empty list"):
        csl_stats.ipma(ecsi, "Loyalty", drivers="Value")
    with pytest.raises(ArgumentTypeError, match="non-empty list"):
        csl_stats.ipma(ecsi, "Loyalty", drivers=[])


# ---------------------------------------------------------------- properties
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(perm=st.permutations(range(3)), seed=st.integers(0, 2**16))
def test_invariant_to_indicator_order(perm, seed):
    mm = {k: [v[i] for i in perm] for k, v in SMALL_MM.items()}
    base = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 7))
    res = csl_stats.pls_pm(DATA, mm, SMALL_SM, scale=(1, 7))
    np.testing.assert_allclose(res.paths["estimate"], base.paths["estimate"], atol=1e-7)
    np.testing.assert_allclose(res.indices, base.indices, atol=1e-7)
    w = res.outer_weights.set_index("indicator")["estimate"]
    w0 = base.outer_weights.set_index("indicator")["estimate"]
    np.testing.assert_allclose(w[w0.index], w0, atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(a=st.lists(st.floats(0.1, 50), min_size=9, max_size=9), b=st.lists(st.floats(-100, 100), min_size=9,
                                                                         max_size=9))
def test_invariant_to_positive_linear_rescaling(a, b):
    cols = [c for v in SMALL_MM.values() for c in v]
    scaled = DATA.copy()
    for c, ai, bi in zip(cols, a, b, strict=True):
        scaled[c] = ai * DATA[c] + bi
    base = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM)
    res = csl_stats.pls_pm(scaled, SMALL_MM, SMALL_SM)
    np.testing.assert_allclose(res.paths["estimate"], base.paths["estimate"], atol=1e-7)
    np.testing.assert_allclose(res.outer_weights["estimate"], base.outer_weights["estimate"], atol=1e-7)
    np.testing.assert_allclose(res.reliability, base.reliability, atol=1e-7)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(30, 120))
# small subsamples can give a weak item a negative loading (warned about); the convex case is checked below
@pytest.mark.filterwarnings("ignore::csl_stats.errors.ReverseKeyWarning")
def test_indices_between_0_and_100(seed, n):
    g = np.random.default_rng(seed)
    rows = g.choice(len(DATA), size=n, replace=False)
    d = DATA.iloc[rows]
    res = csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, scale=(1, 7), max_iter=1000)
    assert ((res.indices >= 0) & (res.indices <= 100)).all()
    if (res.outer_table["index_weight"] >= 0).all():  # convex combination of answers on the scale
        assert ((res.index_scores >= -1e-9) & (res.index_scores <= 100 + 1e-9)).all().all()


# ---------------------------------------------------------------- bad input
def test_errors_measurement():
    with pytest.raises(ModelSpecificationError, match="'M' has no indicators"):
        csl_stats.pls_pm(DATA, {**SMALL_MM, "M": []}, SMALL_SM)
    with pytest.raises(ModelSpecificationError, match=r"'IMG1' is used in two blocks \('X' and 'M'\)"):
        csl_stats.pls_pm(DATA, {**SMALL_MM, "M": ["IMG1", "QUA2"]}, SMALL_SM)
    with pytest.raises(ModelSpecificationError, match="twice in construct 'X'"):
        csl_stats.pls_pm(DATA, {**SMALL_MM, "X": ["IMG1", "IMG1"]}, SMALL_SM)
    with pytest.raises(ArgumentTypeError, match="measurement must be a non-empty dict"):
        csl_stats.pls_pm(DATA, [("X", ["IMG1"])], SMALL_SM)
    with pytest.raises(ArgumentTypeError, match="construct names must be strings"):
        csl_stats.pls_pm(DATA, {1: ["IMG1"], "Y": ["SAT1"]}, [(1, "Y")])
    with pytest.raises(ArgumentTypeError, match="must be a list of indicator columns"):
        csl_stats.pls_pm(DATA, {"X": 3, "Y": ["SAT1"]}, [("X", "Y")])


def test_errors_structural():
    with pytest.raises(ModelSpecificationError, match="cycle: X -> M -> Y -> X"):
        csl_stats.pls_pm(DATA, SMALL_MM, [("X", "M"), ("M", "Y"), ("Y", "X")])
    with pytest.raises(ModelSpecificationError, match="cycle: X -> X"):
        csl_stats.pls_pm(DATA, SMALL_MM, [*SMALL_SM, ("X", "X")])
    with pytest.raises(ModelSpecificationError, match=r"not connected.*\['Z'\]|\['Z'\] are not connected"):
        csl_stats.pls_pm(DATA, {**SMALL_MM, "Z": ["LOY1", "LOY2"]}, SMALL_SM)
    with pytest.raises(ModelSpecificationError, match="'Yy' is not in the measurement model.*did you mean 'Y'"):
        csl_stats.pls_pm(DATA, SMALL_MM, [("X", "M"), ("M", "Yy")])
    with pytest.raises(ModelSpecificationError, match="listed twice"):
        csl_stats.pls_pm(DATA, SMALL_MM, [*SMALL_SM, ("X", "M")])
    with pytest.raises(ModelSpecificationError, match="non-empty list of"):
        csl_stats.pls_pm(DATA, SMALL_MM, [])
    with pytest.raises(ModelSpecificationError, match="must be a .from, to. pair"):
        csl_stats.pls_pm(DATA, SMALL_MM, [("X", "M", "Y")])


def test_errors_arguments():
    with pytest.raises(ColumnNotFoundError, match="not found.*'SAT9'|'SAT9'.*not found"):
        csl_stats.pls_pm(DATA, {**SMALL_MM, "Y": ["SAT1", "SAT9"]}, SMALL_SM)
    with pytest.raises(ArgumentError, match="scheme must be one of"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scheme="Path")
    with pytest.raises(ArgumentError, match=r"modes\['X'\] must be 'A'"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, modes={"X": "C"})
    with pytest.raises(ModelSpecificationError, match="modes: construct 'Q'"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, modes={"Q": "B"})
    with pytest.raises(ArgumentTypeError, match="modes must be a dict"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, modes=["B"])
    with pytest.raises(ArgumentError, match="sign_change must be one of"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, sign_change="individual")
    with pytest.raises(ArgumentError, match="tol must be a positive number"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, tol=0)
    with pytest.raises(ArgumentError, match="n_boot must be >= 0"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, n_boot=-1)
    with pytest.raises(ArgumentError, match="ci must be a number strictly between 0 and 1"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, ci=95)
    with pytest.raises(ArgumentError, match="scale must satisfy low < high"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(7, 1))
    with pytest.raises(ScaleError, match="outside the declared 1-5 scale"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, scale=(1, 5))
    with pytest.raises(ArgumentTypeError, match="data must be a pandas DataFrame"):
        csl_stats.pls_pm(DATA.to_numpy(), SMALL_MM, SMALL_SM)


def test_collinear_mode_b_block():
    d = DATA.assign(IMG9=DATA["IMG1"])
    with pytest.raises(CollinearityError, match="Mode B construct 'X'"):
        csl_stats.pls_pm(d, {**SMALL_MM, "X": ["IMG1", "IMG9", "IMG2"]}, SMALL_SM, modes={"X": "B"})


def test_collinear_construct_scores():
    d = DATA.assign(C1=DATA["IMG1"], C2=DATA["IMG2"])
    mm = {"X": ["IMG1", "IMG2"], "Xcopy": ["C1", "C2"], "Y": ["SAT1", "SAT2"]}
    with pytest.raises(CollinearityError, match="perfectly collinear"):
        csl_stats.pls_pm(d, mm, [("X", "Y"), ("Xcopy", "Y")])


def test_errors_iteration_arguments():
    with pytest.raises(ArgumentError, match="max_iter must be >= 1"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, max_iter=0)
    with pytest.raises(ArgumentTypeError, match="n_boot must be an integer"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, n_boot=1.5)
    with pytest.raises(ArgumentTypeError, match="rng must be None"):
        csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, n_boot=5, rng="seed")


def test_non_convergence_warns_with_iteration_count():
    with pytest.warns(ConvergenceWarning, match="did not converge in 2 iterations"):
        res = csl_stats.pls_pm(DATA, SMALL_MM, SMALL_SM, max_iter=2)
    assert res.iterations == 2


@pytest.mark.filterwarnings("ignore::csl_stats.errors.ReverseKeyWarning")  # the one-row IMG3 loads < 0
def test_failed_bootstrap_replicates_warn():
    # IMG3 varies in one row only: resamples that miss it have a constant indicator
    d = DATA.iloc[:40].assign(IMG3=[5] * 39 + [6])
    with pytest.warns(ConvergenceWarning, match=r"\d+ of 100 bootstrap replicates failed"):
        res = csl_stats.pls_pm(d, SMALL_MM, SMALL_SM, n_boot=100, rng=1)
    assert 0 < res.n_boot_failed < 100
    assert res.paths["se"].notna().all()


def test_unreversed_item_warns_and_names_it():
    """A Mode A item that loads negatively (a reverse-keyed item not recoded) would give index weights
    of mixed sign and indices outside 0-100 without any notice: it must warn and name the item."""
    from csl_stats.errors import ReverseKeyWarning

    mixed = DATA.assign(SAT3=8 - DATA["SAT3"])
    with pytest.warns(ReverseKeyWarning, match=r"'Y'.*'SAT3'.*8 - x"):
        res = csl_stats.pls_pm(mixed, SMALL_MM, SMALL_SM, scale=(1, 7))
    assert res.loadings.set_index("indicator").loc["SAT3", "estimate"] < 0


def test_negative_loading_warning_names_the_item_under_plsc():
    """With PLSc the warning's test used the composite loadings but its item list the consistent ones,
    whose sign is the weight's: an item with a negative composite loading and a positive weight gave
    "'X': []". Here x3 correlates -0.4 with x1 and x2 but +0.1 with Y, so its Mode A weight is positive."""
    from csl_stats.errors import ReverseKeyWarning

    r = np.array([[1, .6, -.4, .5, .5], [.6, 1, -.4, .5, .5], [-.4, -.4, 1, .1, .1],
                  [.5, .5, .1, 1, .6], [.5, .5, .1, .6, 1]])
    x = np.random.default_rng(1).multivariate_normal(np.zeros(5), r, size=2000)
    df = pd.DataFrame(x, columns=["x1", "x2", "x3", "y1", "y2"])
    for consistent in (False, True):
        with pytest.warns(ReverseKeyWarning, match=r"\('X': \['x3'\]\)"):
            res = csl_stats.pls_pm(df, {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2"]}, [("X", "Y")],
                                   consistent=consistent)
    assert res.outer_weights.set_index("indicator").at["x3", "estimate"] > 0


# --- quality criteria (issue 14) -------------------------------------------------------------

Q_OUT = json.loads((REF / "pls_quality_R.json").read_text())


@pytest.mark.parametrize(("key", "modes", "scheme"),
                         [("path_A", None, "path"), ("factorial_B", {"Value": "B", "Image": "B"}, "factorial")])
def test_pls_quality_against_R(key, modes, scheme):
    """Base R on the saved construct scores, ``Rscript tests/reference/pls_quality.R``:
    ``1 / (1 - summary(lm(S[, i] ~ S[, others]))$r.squared)`` (VIF), the R2 difference of two
    ``lm`` fits over ``1 - R2`` (f2), ``lm`` of each indicator on its block (outer VIF) and the
    composite-model SRMR from ``cor()`` with recursively built implied construct correlations."""
    ref = Q_OUT[key]
    res = csl_stats.pls_pm(DATA, MM, SM, modes=modes, scheme=scheme, scale=(1, 7))
    np.testing.assert_allclose(res.vif_inner["vif"], ref["vif_inner"], rtol=1e-10)
    np.testing.assert_allclose(res.f2["f2"], ref["f2"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.vif_outer["vif"], ref["vif_outer"], rtol=1e-10)
    assert res.srmr["saturated"] == pytest.approx(ref["srmr_saturated"], rel=1e-10)
    assert res.srmr["estimated"] == pytest.approx(ref["srmr_estimated"], rel=1e-10)
    assert list(res.vif_outer["mode"].unique()) == (["A"] if modes is None else ["B", "A"])


def test_pls_quality_hand_formulas(ecsi):
    """Single-predictor targets: VIF 1 and f2 = R2 / (1 - R2); two-item blocks: VIF = 1 / (1 - r^2)."""
    single = ecsi.f2.merge(ecsi.vif_inner, on=["from", "to"])
    single = single[single["to"].map(ecsi.path_table["to"].value_counts()) == 1]
    assert set(single["to"]) == {"Expectation", "Quality", "Complaints"}
    np.testing.assert_allclose(single["vif"], 1.0, atol=1e-12)
    r2 = ecsi.r2[single["to"]].to_numpy()
    np.testing.assert_allclose(single["f2"], r2 / (1 - r2), rtol=1e-10)
    r = DATA["VAL1"].corr(DATA["VAL2"])
    vif = ecsi.vif_outer.set_index("indicator")["vif"]
    assert vif["VAL1"] == pytest.approx(1 / (1 - r**2), rel=1e-10)
    assert vif["CMP1"] == 1.0
    # f2 of a path equals the drop in R2 when the predictor's score is left out, over 1 - R2
    s = ecsi.scores
    full = np.linalg.lstsq(s[["Image", "Satisfaction", "Complaints"]], s["Loyalty"], rcond=None)[1][0]
    red = np.linalg.lstsq(s[["Image", "Complaints"]], s["Loyalty"], rcond=None)[1][0]
    f2_sat = ecsi.f2.set_index(["from", "to"]).loc[("Satisfaction", "Loyalty"), "f2"]
    assert f2_sat == pytest.approx((red - full) / full, rel=1e-9)  # (SSE_red - SSE_full) / SSE_full


def test_srmr_saturated_structural_model_equals_estimated():
    """With every pair of constructs connected (a saturated recursive model) the structural model
    reproduces the construct correlations, so both SRMRs coincide; leaving paths out can only add misfit
    here, and the saturated SRMR depends on the measurement model only."""
    mm = SMALL_MM
    sat = csl_stats.pls_pm(DATA, mm, [("X", "M"), ("M", "Y"), ("X", "Y")], scale=(1, 7))
    assert sat.srmr["estimated"] == pytest.approx(sat.srmr["saturated"], abs=1e-12)
    chain = csl_stats.pls_pm(DATA, mm, [("X", "M"), ("M", "Y")], scale=(1, 7))
    assert chain.srmr["estimated"] > chain.srmr["saturated"] > 0
    # hand computation of the saturated SRMR from the observed correlations
    x = DATA[[c for cols in mm.values() for c in cols]]
    r = x.corr().to_numpy()
    lam = chain.loadings["estimate"].to_numpy()
    owner = np.repeat([0, 1, 2], 3)
    rho = chain.scores.corr().to_numpy()
    implied = np.where(owner[:, None] == owner[None, :], r, np.outer(lam, lam) * rho[np.ix_(owner, owner)])
    resid = (r - implied)[np.tril_indices(9)]
    assert chain.srmr["saturated"] == pytest.approx(np.sqrt(np.mean(resid**2)), rel=1e-12)
