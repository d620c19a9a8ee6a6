"""report_table / methods_text / plot_model for SEM, measurement invariance and PROCESS results (issue 17).

Snapshots live in tests/snapshots/. Regenerate after an intended change:
CSL_UPDATE_SNAPSHOTS=1 pytest tests/test_report_latent.py; review the diff.
"""

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csl_stats
from csl_stats.diagrams import plot_model
from csl_stats.errors import ArgumentError
from csl_stats.report import fmt_bounded, fmt_p, methods_text, report_table

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/snapshots/<name>`` (the package version is written as {version})."""
    text = text.replace(csl_stats.__version__, "{version}")
    path = SNAPSHOTS / name
    if os.environ.get("CSL_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the committed snapshot"


BLOCKS = {"sat": ["sat1", "sat2", "sat3"], "trust": ["trs1", "trs2", "trs3", "trs4"], "loy": ["loy1", "loy2", "loy3"]}
PATHS = [("sat", "trust"), ("sat", "loy"), ("trust", "loy")]


@pytest.fixture(scope="module")
def df():
    return csl_stats.load_supply_chain_survey()


@pytest.fixture(scope="module")
def fits(df):
    scores = pd.DataFrame({
        "satisfaction": df[BLOCKS["sat"]].mean(axis=1), "trust": df[BLOCKS["trust"]].mean(axis=1),
        "loyalty": df[BLOCKS["loy"]].mean(axis=1), "switching_costs": df[["swc1", "swc2", "swc3"]].mean(axis=1),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "sem": csl_stats.sem(df, BLOCKS, PATHS, residual_covariances=[("loy1", "loy2")], nan_policy="fiml"),
            "sem_mlr_boot": csl_stats.sem(df, BLOCKS, PATHS, estimator="mlr", n_boot=100, rng=1),
            "invariance": csl_stats.measurement_invariance(df, {"sat": BLOCKS["sat"], "loy": BLOCKS["loy"]},
                                                           "region"),
            "invariance_mlr": csl_stats.measurement_invariance(
                df, {"sat": BLOCKS["sat"], "loy": BLOCKS["loy"]}, "size", levels=("configural", "metric"),
                estimator="mlr"),
            "process": csl_stats.process(scores, 7, x="satisfaction", m="trust", y="loyalty", w="switching_costs",
                                         n_boot=500, rng=1),
        }


@pytest.mark.parametrize("name", ["sem", "sem_mlr_boot", "invariance", "invariance_mlr", "process"])
def test_markdown_tables_and_methods_match_snapshots(fits, name):
    check_snapshot(f"table_{name}.md", report_table(fits[name], number=1))
    check_snapshot(f"methods_{name}.txt", methods_text(fits[name]) + "\n")


@pytest.mark.parametrize("name", ["sem", "invariance", "process"])
def test_html_and_latex_match_snapshots(fits, name):
    pytest.importorskip("great_tables")
    html = report_table(fits[name], fmt="html", number=2)
    check_snapshot(f"table_{name}.html", html[html.index("</style>") + len("</style>"):])
    assert "<em>p</em></th>" in html
    check_snapshot(f"table_{name}.tex", report_table(fits[name], fmt="latex", number=2))


@pytest.mark.parametrize(("name", "kwargs", "snapshot"), [
    ("sem", {}, "diagram_sem.dot"),
    ("sem", {"indicators": True}, "diagram_sem_indicators.dot"),
    ("sem_mlr_boot", {"ci": True}, "diagram_sem_ci.dot"),
    ("process", {}, "diagram_process.dot"),
    ("process", {"ci": True, "digits": 3}, "diagram_process_ci.dot"),
    ("process", {"conceptual": True}, "diagram_process_conceptual.dot"),
])
def test_dot_matches_snapshot(fits, name, kwargs, snapshot):
    check_snapshot(snapshot, plot_model(fits[name], **kwargs).dot)


def test_sem_table_content(fits):
    r = fits["sem"]
    md = report_table(r)
    p = r.params.set_index(["lhs", "op", "rhs"])
    x = p.loc[("trust", "~", "sat")]
    beta = f"{x['std_estimate']:.2f}".lstrip("0")
    row = f"| sat → trust | {x['estimate']:.2f} | {x['se']:.2f} | [{x['ci_low']:.2f}, {x['ci_high']:.2f}] | " \
          f"{beta} | < .001 |"
    assert row in md
    # the marker loading is fixed: no SE, interval or p value
    assert "| sat1 | 1.00 | — | — | " in md
    f = r.fit_indices
    assert f"*χ*²({int(f['df'])}) = {f['chisq']:.2f}" in md and f"SRMR = {f['srmr']:.3f}"[:-5] in md
    assert "95% CI" in md  # the Wald level is recovered from the stored bounds
    assert "FIML" in md and f"*n* = {r.n_obs}" in md and "| **Covariances** |" in md
    assert "| loy1 ↔ loy2 |" in md
    trust_r2 = f"{r.r2['trust']:.2f}".lstrip("0")
    assert f"trust = {trust_r2}" in md


def test_bootstrap_sem_says_what_is_not_recorded(fits):
    r = fits["sem_mlr_boot"]
    md = report_table(r)
    assert "| Parameter | *b* | *SE* | CI |" in md  # level not recorded: no "95%" claimed
    assert f"{r.n_boot} bootstrap resamples" in md and "not recorded" in md
    assert "Scaled *χ*²" in md and "scaling factor" in md
    text = methods_text(r)
    assert "seed is not recorded" in text and "MLR" in text and f"{r.n_dropped} rows" in text


def test_invariance_table_content(fits):
    r = fits["invariance"]
    md = report_table(r)
    metric = r.table.loc["metric"]
    line = next(s for s in md.splitlines() if s.startswith("| Metric"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1] == f"{metric['chisq']:.2f}" and cells[2] == str(int(metric["df"]))
    assert cells[6] == f"{metric['chisq_diff']:.2f}" and cells[7] == str(int(metric["df_diff"]))
    assert cells[9] == f"{metric['delta_cfi']:.3f}".replace("0.", ".")
    assert cells[10] == f"{metric['delta_rmsea']:.3f}".replace("0.", ".")
    config = next(s for s in md.splitlines() if s.startswith("| Configural"))
    assert config.count("—") == 5  # no comparison for the first level
    assert "region (east, north, south, west)" in md and f"*n* = {r.n_obs}" in md
    assert "Satorra-Bentler" in report_table(fits["invariance_mlr"])
    assert "No resampling" in methods_text(r) and "seed" not in methods_text(r)


def test_process_table_content(fits):
    r = fits["process"]
    md = report_table(r)
    assert "| **Outcome: trust** |" in md and "| **Index of moderated mediation** |" in md
    idx = r.effects[r.effects["effect"] == "index"].iloc[0]
    assert f"[{idx['ci_low']:.3f}, {idx['ci_high']:.3f}]" in md
    assert "satisfaction × switching\\_costs" in md
    n_ind = int((r.effects["effect"] == "indirect").sum())
    rows = [s for s in md.splitlines() if s.startswith("| indirect")]
    assert len(rows) == n_ind and all(s.endswith("| — |") for s in rows)  # bootstrap: no p value
    assert f"{r.n_boot} resamples" in md and f"*n* = {r.n}" in md
    text = methods_text(r)
    assert "model 7" in text and "seed is not recorded" in text and f"leaving n = {r.n}" in text
    assert "percentile bootstrap" in text and "not recorded" in text


def test_diagram_content(fits):
    sem = plot_model(fits["sem"]).dot
    assert '"sat" [shape=ellipse' in sem and "sat1" not in sem
    assert "1 residual covariance between items not drawn" in sem
    x = fits["sem"].params.set_index(["lhs", "op", "rhs"]).loc[("loy", "~", "trust")]
    assert f'"trust" -> "loy" [label="{x["std_estimate"]:.2f}'.replace('"0.', '".') + '***"' in sem
    ind = plot_model(fits["sem"], indicators=True).dot
    assert '"item:loy1" -> "item:loy2" [dir=both, style=dashed' in ind
    assert ind.count("->") == 3 + 10 + 1
    ci = plot_model(fits["sem_mlr_boot"], ci=True).dot
    assert "bootstrap resamples" in ci and "scaled χ²(32)" in ci
    proc = plot_model(fits["process"]).dot
    assert '"satisfaction*switching_costs" -> "trust"' in proc and "style=dashed" in proc
    assert 'label="satisfaction × switching_costs"' in proc and "index[trust, by switching_costs]" in proc
    assert proc.count("->") == len(fits["process"].coefs) - 2  # every coefficient but the two intercepts


def test_multigroup_sem_is_refused(fits):
    level = fits["invariance"].fits["metric"]
    with pytest.raises(ArgumentError, match="InvarianceResult"):
        report_table(level)
    with pytest.raises(ArgumentError, match="multi-group"):
        methods_text(level)
    with pytest.raises(ArgumentError, match="multi-group"):
        plot_model(level)


def test_results_are_not_changed(fits):
    before = fits["sem"].params.copy()
    report_table(fits["sem"])
    plot_model(fits["sem"], indicators=True, ci=True)
    pd.testing.assert_frame_equal(fits["sem"].params, before)


def test_word_document_for_process(fits, tmp_path):
    docx = pytest.importorskip("docx")
    out = report_table(fits["process"], fmt="docx", path=tmp_path / "p.docx")
    doc = docx.Document(str(out))
    cells = [c.text for c in doc.tables[0].rows[0].cells]
    assert cells == ["Term or effect", "b", "SE", "95% CI", "p"]
    assert re.search(r"PROCESS model 7", doc.paragraphs[-1].text)
    assert np.isfinite(fits["process"].n)


def test_process_without_resampling_and_with_a_multicategorical_x(df):
    sc = pd.DataFrame({"satisfaction": df[BLOCKS["sat"]].mean(axis=1), "trust": df[BLOCKS["trust"]].mean(axis=1),
                       "loyalty": df[BLOCKS["loy"]].mean(axis=1),
                       "switching_costs": df[["swc1", "swc2", "swc3"]].mean(axis=1), "region": df["region"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m1 = csl_stats.process(sc, 1, x="satisfaction", w="switching_costs", y="loyalty", n_boot=1000, rng=1)
        mc = csl_stats.process(sc, 4, x="region", m="trust", y="loyalty", mcx="indicator", n_boot=200, rng=1)
    # model 1 has nothing to resample: neither the table nor the text claims bootstrap intervals
    assert "bootstrap" not in report_table(m1) and "No resampling" in methods_text(m1)
    assert "| **Conditional effects of X** |" in report_table(m1)
    dot = plot_model(m1).dot
    assert "resamples" not in dot and dot.count("->") == 3
    # the total-effect equation is in the table but not in the statistical diagram
    assert "| **Outcome: loyalty (total)** |" in report_table(mc)
    dmc = plot_model(mc).dot
    assert "(total)" not in dmc and '"region[north]" -> "trust"' in dmc and "indirect[trust, region[north]]" in dmc


def test_process_logit_outcome_with_hc_se_is_reported_as_it_was_computed(df):
    """Regression: with se="HC3" and a logistic outcome, process() applies HC3 to the OLS equations only (the
    logistic equation keeps its model-based covariance), but the table note and methods paragraph said every
    standard error was HC3."""
    sc = pd.DataFrame({"satisfaction": df[BLOCKS["sat"]].mean(axis=1), "trust": df[BLOCKS["trust"]].mean(axis=1),
                       "churned": df["churned"]})
    r = csl_stats.process(sc, 4, x="satisfaction", m="trust", y="churned", y_family="binomial", se="HC3",
                          n_boot=100, rng=1)
    for text in (methods_text(r), report_table(r)):
        assert "heteroskedasticity-consistent (HC3)" in text
        assert "model-based" in text and "churned" in text[text.index("model-based") - 80:text.index("model-based") + 80]
    # a Gaussian outcome keeps the plain wording
    g = csl_stats.process(sc, 4, x="satisfaction", m="trust", y="churned", se="HC3", n_boot=100, rng=1)
    assert "model-based" not in methods_text(g) and "model-based" not in report_table(g)


def test_process_table_reports_multi_df_joint_tests(df):
    """A multicategorical X or W makes tests that no coefficient row shows (the 2-df interaction with a
    three-group moderator, the omnibus relative direct effect): the table note gives them, with F, df, p and
    the R² change, as PROCESS prints them. Single-df tests are the coefficient rows and are not repeated."""
    sc = pd.DataFrame({"satisfaction": df[BLOCKS["sat"]].mean(axis=1), "trust": df[BLOCKS["trust"]].mean(axis=1),
                       "loyalty": df[BLOCKS["loy"]].mean(axis=1), "size": df["size"],
                       "switching_costs": df[["swc1", "swc2", "swc3"]].mean(axis=1), "region": df["region"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = csl_stats.process(sc, 7, x="satisfaction", m="trust", y="loyalty", w="size", mcw="indicator",
                              n_boot=100, rng=1)
        r4 = csl_stats.process(sc, 4, x="region", m="trust", y="loyalty", mcx="indicator", n_boot=100, rng=1)
    row = r.omnibus.iloc[0]
    assert row["df1"] == 2
    md = report_table(r)
    assert (f"satisfaction x size in the equation of trust: *F*(2, {row['df2']:.0f}) = {row['F']:.2f}, "
            f"*p* = {fmt_p(row['p'])}, Δ*R*² = {fmt_bounded(row['r2_change'], 3)}") in md
    md4 = report_table(r4)
    assert "region (omnibus, direct effect) in the equation of loyalty: *F*(3," in md4
    assert "region (omnibus, total effect)" in md4
    assert "Joint tests" not in report_table(csl_stats.process(sc, 7, x="satisfaction", m="trust", y="loyalty",
                                                               w="switching_costs", n_boot=100, rng=1))


def test_process_probe_rule_with_values_passed(df):
    """Regression: with w_values= the result's probe is "values", and the table note and methods text then
    claimed the mean +/- 1 SD rule although the moderator was probed at the values passed."""
    sc = pd.DataFrame({"satisfaction": df[BLOCKS["sat"]].mean(axis=1), "trust": df[BLOCKS["trust"]].mean(axis=1),
                       "loyalty": df[BLOCKS["loy"]].mean(axis=1), "value": df[["val1", "val2", "val3"]].mean(axis=1),
                       "switching_costs": df[["swc1", "swc2", "swc3"]].mean(axis=1)})
    r = csl_stats.process(sc, 21, x="satisfaction", m="trust", y="loyalty", w="switching_costs", z="value",
                          w_values=[2.0, 6.0], n_boot=100, rng=1)
    for text in (report_table(r), methods_text(r)):
        assert "± 1" not in text and "standard deviation below" not in text
        assert "values passed for W (2, 6)" in text and "16th, 50th and 84th percentiles for Z)." in text
    sd = csl_stats.process(sc, 7, x="satisfaction", m="trust", y="loyalty", w="switching_costs", probe="sd",
                           n_boot=100, rng=1)
    assert "mean and mean ± 1 *SD*" in report_table(sd)


def test_process_methods_text_states_the_missing_value_policy(fits):
    """ProcessResult now records nan_policy; the methods paragraph said the policy was not recorded."""
    text = methods_text(fits["process"])
    assert "not recorded" not in text.split("leaving n =")[1]
    assert "listwise deletion" in text
