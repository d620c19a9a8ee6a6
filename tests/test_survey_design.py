"""Design-based estimates (csl_stats.survey_design) against R's survey package.

Reference values: tests/reference/survey.R on tests/reference/survey_design_data.csv
(made by make_survey_design_data.py), stored in survey_reference.json.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, ConvergenceWarning, InsufficientDataError
from csl_stats.survey_design import SurveyDesign, survey_design

REF_DIR = Path(__file__).parent / "reference"
REF = json.loads((REF_DIR / "survey_reference.json").read_text())
MARGINS = {
    "region": {"north": 1350, "south": 1150, "east": 1000, "west": 1100},
    "size": {"small": 3000, "medium": 1200, "large": 400},
}


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REF_DIR / "survey_design_data.csv")


@pytest.fixture(scope="module")
def des(data):
    return survey_design(data, strata="size", weights="w", fpc="N")


def _check(res, ref, tol=1e-6, deff=True):
    np.testing.assert_allclose(np.asarray(res.estimate), ref["estimate"], rtol=tol, atol=tol)
    np.testing.assert_allclose(np.asarray(res.se), ref["se"], rtol=tol, atol=tol)
    if deff and ref.get("deff"):
        np.testing.assert_allclose(np.asarray(res.deff), ref["deff"], rtol=tol)


def test_stratified_estimates_with_fpc_against_R(des):
    """R: des <- svydesign(ids=~1, strata=~size, weights=~w, fpc=~N, data=d);
    svymean(~sat1, des, na.rm=TRUE, deff=TRUE), likewise ~nps (100*(promoter - detractor)),
    ~top2 (sat1 >= 6) and ~north (region == "north")."""
    ref = REF["strat_fpc"]
    _check(des.mean("sat1"), ref["mean_sat1"])
    _check(des.nps("recommend"), ref["nps"])
    _check(des.top_box("sat1", scale=(1, 7), k=2), ref["top2_sat1"])
    _check(des.proportion("region", "north"), ref["prop_north"])


def test_domain_estimates_with_missing_answers_against_R(des):
    """R: svyby(~sat1, ~region, des, svymean, na.rm=TRUE, deff=TRUE) and the same for ~nps."""
    ref = REF["strat_fpc"]
    res = des.by("region", "mean", "sat1")
    assert res.table.index.tolist() == ref["by_region_sat1"]["level"]
    _check(res, ref["by_region_sat1"])
    _check(des.by("region", "nps", "recommend"), ref["by_region_nps"])
    # n counts valid answers only: missing answers are a domain, not dropped rows of the design
    assert res.table["n"].sum() == des.data["sat1"].notna().sum()


def test_without_fpc_clusters_and_srs_against_R(data):
    """R: svydesign(ids=~1, strata=~size, weights=~w) with deff="replace";
    svydesign(ids=~cluster, strata=~size, weights=~w, nest=TRUE); svydesign(ids=~1, weights=~one)."""
    d2 = survey_design(data, strata="size", weights="w")
    _check(d2.mean("sat1"), REF["strat_nofpc"]["mean_sat1"])
    _check(d2.nps("recommend"), REF["strat_nofpc"]["nps"])
    d3 = survey_design(data, strata="size", weights="w", clusters="cluster")
    _check(d3.mean("sat1"), REF["cluster"]["mean_sat1"], deff=False)
    _check(d3.nps("recommend"), REF["cluster"]["nps"], deff=False)
    _check(survey_design(data).mean("sat1"), REF["srs"]["mean_sat1"])


def test_raked_weights_and_post_raking_se_against_R(des):
    """R: raked <- rake(des, list(~region, ~size), list(pop_region, pop_size),
    control=list(maxit=100, epsilon=1e-12)); weights(raked); svymean(~sat1, raked, na.rm=TRUE, deff=TRUE)."""
    ref = REF["raked"]
    rk = des.rake(MARGINS)
    np.testing.assert_allclose(rk.weights.to_numpy(), ref["weights"], rtol=1e-6)
    _check(rk.mean("sat1"), ref["mean_sat1"], tol=1e-4)
    _check(rk.nps("recommend"), ref["nps"], tol=1e-4)
    _check(rk.top_box("sat1", scale=(1, 7)), ref["top2_sat1"], tol=1e-4)
    _check(rk.by("region", "mean", "sat1"), ref["by_region_sat1"], tol=1e-4)
    # calibration matters: a share fixed by a raking margin has no sampling error after raking,
    # whereas treating the raked weights as plain weights gives it one
    naive = survey_design(des.data.assign(w=rk.weights.to_numpy()), strata="size", weights="w", fpc="N")
    assert rk.proportion("region", "north").estimate == pytest.approx(1350 / 4600)
    assert rk.proportion("region", "north").se < 1e-8
    assert naive.proportion("region", "north").se > 0.01
    rep = rk.raking
    assert rep.converged
    np.testing.assert_allclose(rep.table["after"], rep.table["population"], rtol=1e-9)
    w = rk.weights.to_numpy()
    assert rep.weight_ratio == pytest.approx(w.max() / w.min())
    assert rep.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert rep.deff_weights == pytest.approx(1 + (w.std() / w.mean()) ** 2)


def test_raking_an_unweighted_sample_against_R(data):
    """R: rake(svydesign(ids=~1, weights=~one, data=d), list(~region, ~size), ...)."""
    ref = REF["raked_srs"]
    rk = survey_design(data).rake(MARGINS)
    np.testing.assert_allclose(rk.weights.to_numpy(), ref["weights"], rtol=1e-6)
    _check(rk.mean("sat1"), ref["mean_sat1"], tol=1e-4, deff=False)
    _check(rk.nps("recommend"), ref["nps"], tol=1e-4, deff=False)


def test_single_unit_options_against_R(data):
    """R: options(survey.lonely.psu="adjust") / "certainty"; svymean(~sat1, des_lonely, na.rm=TRUE)."""
    s = data.iloc[:40].copy()
    s["st"] = s["region"]
    s.iloc[0, s.columns.get_loc("st")] = "solo"
    _check(survey_design(s, strata="st", weights="w", single_unit="adjust").mean("sat1"),
           REF["lonely_adjust"]["mean_sat1"], deff=False)
    _check(survey_design(s, strata="st", weights="w", single_unit="certainty").mean("sat1"),
           REF["lonely_certainty"]["mean_sat1"], deff=False)
    with pytest.raises(InsufficientDataError, match=r"\['solo'\].*single respondent.*Collapse"):
        survey_design(s, strata="st", weights="w")


def test_collapse_single_unit_strata_equals_manual_merge(data):
    s = data.iloc[:40].copy()
    s["st"] = s["size"]
    s.iloc[0, s.columns.get_loc("st")] = "solo"
    s.iloc[0, s.columns.get_loc("w")] = s.loc[s["size"] == "medium", "w"].iloc[0]  # sampled like medium
    with pytest.warns(csl_stats.errors.CSLWarning, match=r"medium\+solo"):
        auto = survey_design(s, strata="st", weights="w", single_unit="collapse")
    manual = survey_design(s.assign(st=s["st"].replace({"solo": "medium"})), strata="st", weights="w")
    assert auto.mean("sat1").se == pytest.approx(manual.mean("sat1").se, rel=1e-12)
    assert "medium+solo" in auto.strata_table().index


def test_hand_computed_srs_mean_and_interval():
    y = np.array([1.0, 2, 4, 7])
    res = survey_design(pd.DataFrame({"y": y})).mean("y")
    se = y.std(ddof=1) / 2
    assert res.estimate == pytest.approx(3.5)
    assert res.se == pytest.approx(se)
    assert res.deff == pytest.approx(1.0)
    assert res.ci == pytest.approx((3.5 - 1.959963985 * se, 3.5 + 1.959963985 * se))
    assert res.n == 4 and res.n_eff == pytest.approx(4)


def test_census_stratum_contributes_no_variance():
    df = pd.DataFrame({"h": ["key"] * 3 + ["rest"] * 4, "N": [3] * 3 + [50] * 4, "y": [1.0, 5, 3, 2, 2, 4, 6]})
    only_key = survey_design(df[df.h == "key"], strata="h", fpc="N").mean("y")
    assert only_key.se == 0.0


def test_caller_data_not_mutated_and_public_names(data):
    before = data.copy()
    d = csl_stats.survey_design(data, strata=["size"], weights="w", fpc="N")
    d.rake(MARGINS).mean("sat1")
    pd.testing.assert_frame_equal(data, before)
    assert isinstance(d, SurveyDesign)
    assert "SurveyDesign" in repr(d)
    tab = d.strata_table()
    assert tab["respondents"].sum() == len(data)
    assert tab.loc["large", "population"] == 400


@pytest.mark.parametrize("bad, kind", [(0.0, "zero"), (-1.0, "negative"), (np.nan, "missing")])
def test_bad_weights(data, bad, kind):
    d = data.head(20).copy()
    d.loc[3, "w"] = bad
    with pytest.raises(ArgumentError, match=f"{kind}.*row"):
        survey_design(d, weights="w")


def test_fpc_smaller_than_sample_and_not_constant(data):
    d = data.copy()
    d.loc[d["size"] == "large", "N"] = 150
    with pytest.raises(ArgumentError, match="stratum 'large' has 150 units.*fewer than the 200"):
        survey_design(d, strata="size", fpc="N")
    d = data.copy()
    d.loc[0, "N"] = d.loc[0, "N"] + 1
    with pytest.raises(ArgumentError, match="constant within a stratum"):
        survey_design(d, strata="size", fpc="N")


def test_bad_margins(des):
    with pytest.raises(ArgumentError, match="totals differ"):
        des.rake({"region": MARGINS["region"], "size": {"small": 3000, "medium": 1200, "large": 500}})
    with pytest.raises(ArgumentError, match=r"names level\(s\) \['central'\] with no respondent"):
        des.rake({"region": {**MARGINS["region"], "central": 10}})
    with pytest.raises(ArgumentError, match=r"no population count for level\(s\) \['west'\]"):
        des.rake({"region": {"north": 1350, "south": 1150, "east": 1000}})
    with pytest.raises(ArgumentError, match="positive finite"):
        des.rake({"region": {**MARGINS["region"], "west": -1}})
    with pytest.raises(csl_stats.errors.ColumnNotFoundError):
        des.rake({"regio": MARGINS["region"]})


def test_trimming_bounds_weights_and_reports(des):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rk = des.rake(MARGINS, trim=(0.5, 1.5), max_iter=200)
    w = rk.weights.to_numpy()
    assert w.max() <= 1.5 * w.mean() * (1 + 1e-9)
    assert rk.raking.n_trimmed > 0
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        des.rake(MARGINS, trim=(0.9, 1.1), max_iter=5)
    with pytest.raises(ArgumentError, match="trim"):
        des.rake(MARGINS, trim=(2, 3))


def test_proportion_and_by_errors(des):
    with pytest.raises(ArgumentError, match="never occurs"):
        des.proportion("region", "central")
    with pytest.raises(ArgumentError, match="statistic"):
        des.by("region", "median", "sat1")
    with pytest.raises(csl_stats.errors.ScaleError):
        des.top_box("recommend", scale=(1, 7))


def test_argument_types(data, des):
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="single column label"):
        survey_design(data, weights=["w"])
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="single column label"):
        des.mean(["sat1"])
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="tol must be a number"):
        des.rake(MARGINS, tol="small")
    with pytest.raises(csl_stats.errors.ArgumentTypeError, match="True or False"):
        csl_stats.track_waves({"a": des, "b": des}, "sat1", statistic="mean", fpc="yes")


def test_duplicated_unused_column_does_not_stop_the_design(data):
    wide = pd.concat([data, data[["industry"]]], axis=1)  # 'industry' twice, not used
    assert survey_design(wide, strata="size", weights="w").mean("sat1").n == data["sat1"].notna().sum()


def test_missing_group_left_out_of_every_domain(data):
    d = data.copy()
    d.loc[d.index[:30], "region"] = np.nan
    res = survey_design(d, strata="size", weights="w", fpc="N").by("region", "mean", "sat1")
    assert res.table["n"].sum() == d.loc[d["region"].notna(), "sat1"].notna().sum()
    # a domain estimate is the ratio of weighted sums over the domain
    sub = d[(d["region"] == "north") & d["sat1"].notna()]
    assert res.table.loc["north", "estimate"] == pytest.approx(np.average(sub["sat1"], weights=sub["w"]))


def test_collapse_adds_population_sizes(data):
    s = data.iloc[:40].copy()
    s["st"] = s["size"]
    s.iloc[0, s.columns.get_loc("st")] = "solo"
    s.iloc[0, s.columns.get_loc("N")] = 10.0
    with pytest.warns(csl_stats.errors.CSLWarning):
        d = survey_design(s, strata="st", weights="w", fpc="N", single_unit="collapse")
    tab = d.strata_table()
    merged = [lab for lab in tab.index if "+" in lab][0]
    base = merged.split("+")[0]
    assert tab.loc[merged, "population"] == data.loc[data["size"] == base, "N"].iloc[0] + 10


def test_empty_column_is_named(des):
    d = survey_design(des.data.assign(empty=np.nan), strata="size", weights="w", fpc="N")
    with pytest.raises(InsufficientDataError, match="'empty' has no valid answer"):
        d.mean("empty")


def test_logit_interval_for_shares_against_R(des):
    """R: attr(svyciprop(~top2, des, method="logit", df=Inf), "ci") and the same for ~north."""
    ref = REF["strat_fpc"]
    res = des.top_box("sat1", scale=(1, 7), ci_method="logit")
    np.testing.assert_allclose(res.ci, ref["top2_logit_ci"], rtol=1e-6)
    assert res.ci_method == "logit"
    np.testing.assert_allclose(des.proportion("region", "north", ci_method="logit").ci, ref["north_logit_ci"],
                               rtol=1e-6)
    by = des.by("region", "top_box", "sat1", scale=(1, 7), ci_method="logit").table
    assert ((by["ci_low"] > 0) & (by["ci_high"] < 1)).all()
    with pytest.raises(ArgumentError, match="for shares"):
        des.by("region", "mean", "sat1", ci_method="logit")


def test_by_two_columns_equals_by_their_combination(des, data):
    two = des.by(["region", "size"], "nps", "recommend").table
    assert two.index.names == ["region", "size"]
    combo = survey_design(data.assign(cell=data["region"] + "/" + data["size"]), strata="size", weights="w",
                          fpc="N").by("cell", "nps", "recommend").table
    np.testing.assert_allclose(two.loc[("north", "large"), ["estimate", "se"]].to_numpy(dtype=float),
                               combo.loc["north/large", ["estimate", "se"]].to_numpy(dtype=float))
