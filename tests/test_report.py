"""report_table / methods_text: APA tables (Markdown, HTML, LaTeX, Word) and methods paragraphs."""

import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

import csl_stats
from csl_stats.errors import ArgumentError, ArgumentTypeError
from csl_stats.report import fmt_bounded, fmt_ci, fmt_num, fmt_p, methods_text, report_table

pytest.importorskip("great_tables")

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/snapshots/<name>`` (the package version is written as {version})."""
    text = text.replace(csl_stats.__version__, "{version}")
    path = SNAPSHOTS / name
    if os.environ.get("CSL_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the committed snapshot"


# Regenerate after an intended change: CSL_UPDATE_SNAPSHOTS=1 pytest tests/test_report.py; review the diff.
CONSTRUCTS = {"dlv": ["dlv1", "dlv2", "dlv3"], "qlt": ["qlt1", "qlt2", "qlt3", "qlt4"]}


@pytest.fixture(scope="module")
def df():
    return csl_stats.load_supply_chain_survey()


@pytest.fixture(scope="module")
def results(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "alpha": csl_stats.cronbach_alpha(df, ["dlv1", "dlv2", "dlv3", "dlv4"]),
            "scale_report": csl_stats.scale_report(df, CONSTRUCTS),
            "cfa": csl_stats.cfa(df, CONSTRUCTS),
            "regression": csl_stats.regress(df, "loy1", ["sat1", "dlv1"], se="HC3"),
            "moderation": csl_stats.moderation(df, x="sat1", w="swc1", y="loy1", covariates="dlv1", se="HC3"),
            "mediation": csl_stats.mediation(df, x="dlv1", m="sat1", y="loy1", n_boot=200, rng=1),
            "importance": csl_stats.relative_importance(df, "sat1", ["dlv1", "qlt1", "srv1"]),
            "pls": csl_stats.pls_pm(
                df, {"DLV": ["dlv1", "dlv2", "dlv3"], "SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]},
                [("DLV", "SAT"), ("SAT", "LOY"), ("DLV", "LOY")], n_boot=100, rng=1),
            "nps": csl_stats.nps(df["recommend"]),
            "nps_by": csl_stats.nps_by(df, "recommend", "industry"),
            "top_box": csl_stats.top_box(df["sat1"], scale=(1, 7)),
            "nps_test": csl_stats.nps_test(df.loc[df["region"] == "north", "recommend"],
                                           df.loc[df["region"] == "south", "recommend"], labels=("north", "south")),
        }


def test_apa_number_formats():
    assert fmt_num(0.4369) == "0.44" and fmt_num(-0.001) == "0.00" and fmt_num(-1.204) == "-1.20"
    assert fmt_bounded(0.7866) == ".79" and fmt_bounded(-0.0244, 3) == "-.024" and fmt_bounded(1) == "1.00"
    assert fmt_p(0.0009) == "< .001" and fmt_p(0.001) == ".001" and fmt_p(0.04899) == ".049"
    assert fmt_ci(0.3765, 0.4974) == "[0.38, 0.50]" and fmt_ci(0.70, 0.76, bounded=True) == "[.70, .76]"
    assert fmt_num(float("nan")) == "\u2014" and fmt_ci(float("nan"), 1) == "\u2014"


@pytest.mark.parametrize("name", ["alpha", "scale_report", "cfa", "regression", "moderation", "mediation",
                                  "importance", "pls", "nps", "nps_by", "top_box", "nps_test"])
def test_markdown_tables_and_methods_match_snapshots(results, name):
    check_snapshot(f"table_{name}.md", report_table(results[name], number=1))
    check_snapshot(f"methods_{name}.txt", methods_text(results[name]) + "\n")


def test_pls_measurement_tables(results):
    check_snapshot("table_pls_constructs.md", report_table(results["pls"], part="constructs"))
    check_snapshot("table_pls_loadings.md", report_table(results["pls"], part="loadings"))


@pytest.mark.parametrize("name", ["cfa", "mediation"])
def test_html_and_latex_match_snapshots(results, name):
    html = report_table(results[name], fmt="html", number=2)
    # the CSS block is great_tables' own styling; the table itself is compared
    check_snapshot(f"table_{name}.html", html[html.index("</style>") + len("</style>"):])
    assert "<em>p</em></th>" in html and "&lt; .001" in html
    check_snapshot(f"table_{name}.tex", report_table(results[name], fmt="latex", number=2))


def test_table_content_follows_apa(results):
    md = report_table(results["regression"])
    row = [line for line in md.splitlines() if line.startswith("| sat1")][0]
    c = results["regression"].coefs.loc["sat1"]
    assert row == f"| sat1 | {c['estimate']:.2f} | {c['se']:.2f} | [{c['ci_low']:.2f}, {c['ci_high']:.2f}] | < .001 |"
    assert "*R*² = .24" in md and "*n* = 939" in md and "HC3" in md
    cfa = report_table(results["cfa"])
    f = results["cfa"].fit_indices
    assert f"*χ*²(13) = {f['chisq']:.2f}" in cfa and f"SRMR = {f['srmr']:.3f}"[:-5] in cfa
    assert "| **dlv** |" in cfa and "| **qlt** |" in cfa


def test_ordinal_regression_table_lists_the_thresholds(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = csl_stats.regress(df, "loy1", ["sat1", "dlv1"], family="ordinal")
    check_snapshot("table_regression_ordinal.md", report_table(fit))
    text = methods_text(fit)
    assert "proportional-odds" in text and "inverse information" in text


def test_word_document(results, tmp_path):
    docx = pytest.importorskip("docx")
    out = report_table(results["cfa"], fmt="docx", path=tmp_path / "t.docx", number=3)
    doc = docx.Document(str(out))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "Table 3" and paragraphs[1] == "Confirmatory factor analysis: loadings and fit"
    assert paragraphs[2].startswith("Note. b = unstandardized loading")
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Item", "b", "SE", "β", "p"]
    assert len(table.rows) == 1 + 2 + 7  # header, two construct rows, seven items
    assert [c.text for c in table.rows[2].cells][0] == "dlv1"
    italic = [r.italic for r in table.rows[0].cells[1].paragraphs[0].runs]
    assert italic == [True]


def test_bad_arguments(results, df):
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        report_table(df)
    with pytest.raises(ArgumentTypeError, match="got int"):
        methods_text(3)
    with pytest.raises(ArgumentError, match="fmt"):
        report_table(results["cfa"], fmt="pdf")
    with pytest.raises(ArgumentError, match="path="):
        report_table(results["cfa"], fmt="docx")
    with pytest.raises(ArgumentError, match="PLSResult only"):
        report_table(results["cfa"], part="loadings")
    with pytest.raises(ArgumentError, match="style"):
        report_table(results["cfa"], style="chicago")


def test_methods_text_says_what_is_not_recorded(results):
    text = methods_text(results["mediation"])
    assert "200 resamples" in text and "percentile" in text and "seed is not recorded" in text
    assert f"n = {results['mediation'].n}" in text and csl_stats.__version__ in text
    assert "not recorded" in methods_text(results["regression"])
    assert "seed" not in methods_text(results["cfa"])


def test_results_are_not_changed(results):
    before = results["regression"].coefs.copy()
    report_table(results["regression"], fmt="html")
    pd.testing.assert_frame_equal(results["regression"].coefs, before)


@pytest.mark.parametrize("name", ["alpha", "cfa", "regression", "mediation", "pls"])
def test_result_methods_are_the_report_functions(results, name):
    """``result.to_table()`` and ``result.methods_text()`` give what the functions give (issue 17's contract)."""
    res = results[name]
    assert res.to_table(fmt="markdown") == report_table(res, fmt="markdown")
    assert res.methods_text() == methods_text(res)


def test_result_methods_refuse_unsupported_results(df):
    unsupported = csl_stats.kmo(df, ["dlv1", "dlv2", "dlv3"])
    with pytest.raises(ArgumentTypeError, match="got KMOResult"):
        unsupported.to_table()
    with pytest.raises(ArgumentTypeError, match="got KMOResult"):
        unsupported.methods_text()


def test_methods_text_states_the_seed_given(results):
    med, pls = results["mediation"], results["pls"]
    text = methods_text(med, rng=1)
    assert "random seed 1 (rng=1)" in text and "not recorded in the result: report the rng" not in text
    assert text.replace(" The resamples were drawn with the random seed 1 (rng=1), so that they can be reproduced.",
                        "") == methods_text(med).replace(
        " The random seed is not recorded in the result: report the rng value passed to the function so that the "
        "resamples can be reproduced.", "")
    assert "random seed 1 (rng=1)" in pls.methods_text(rng=1) == methods_text(pls, rng=1)
    assert methods_text(results["cfa"], rng=5) == methods_text(results["cfa"])  # no resampling: nothing to seed
    assert "random seed 1" not in methods_text(med)  # the seed of one call does not leak into the next
    with pytest.raises(ArgumentTypeError, match="Generator"):
        methods_text(med, rng=__import__("numpy").random.default_rng(1))
    with pytest.raises(ArgumentError, match="non-negative"):
        methods_text(med, rng=-1)


def test_moderation_table_content(results, df):
    r = results["moderation"]
    md = report_table(r)
    inter = r.coefs.loc["sat1:swc1"]
    assert f"| sat1 × swc1 | {fmt_num(inter['estimate'])} | {fmt_num(inter['se'])} |" in md
    assert "**Conditional effects of sat1**" in md and md.count("sat1 at swc1 = ") == len(r.simple_slopes)
    assert "heteroskedasticity-consistent (HC3)" in md and f"*n* = {r.n_obs}." in md
    assert "mean-centred" in md and "Johnson-Neyman regions of swc1" in md
    plain = csl_stats.moderation(df, x="sat1", w="swc1", y="loy1", center=False)
    assert "sat1 and swc1 not centred" in report_table(plain)
    assert "controlling for dlv1" in methods_text(r) and "controlling" not in methods_text(plain)
    assert "mean-centred" not in methods_text(plain)


@pytest.fixture(scope="module")
def pooled(df):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imp = csl_stats.impute(df, ["recommend", "sat1", "dlv1", "loy1"], m=3, max_iter=3, rng=2)
        return {
            "regression": imp.analyse(lambda f: csl_stats.regress(f, "loy1", ["sat1", "dlv1"])),
            "nps": imp.analyse(lambda f: csl_stats.nps(f["recommend"])),
            "mediation": imp.analyse(lambda f: csl_stats.mediation(f, x="dlv1", m="sat1", y="loy1", n_boot=100,
                                                                  rng=1)),
        }


@pytest.mark.parametrize("name", ["regression", "nps", "mediation"])
def test_pooled_tables_and_methods_match_snapshots(pooled, name):
    check_snapshot(f"table_pooled_{name}.md", report_table(pooled[name], number=1))
    check_snapshot(f"methods_pooled_{name}.txt", methods_text(pooled[name]) + "\n")


def test_pooled_table_content(pooled):
    reg = pooled["regression"]
    md = report_table(reg)
    x = reg.table.loc["sat1"]
    assert (f"| sat1 | {fmt_num(x['estimate'])} | {fmt_num(x['se'])} | {x['df']:.1f} | "
            f"{fmt_ci(x['ci_low'], x['ci_high'])} | < .001 | {fmt_bounded(x['fmi'])} |") in md
    assert "Rubin's rules over 3 imputed data sets" in md and f"*n* = {reg.n} in each" in md
    nps = report_table(pooled["nps"])
    assert "| NPS |" in nps and "Estimate" in nps and "atanh(NPS/100)" in nps
    share = pooled["nps"].table.loc["promoters", "estimate"]
    assert f"| promoters | {fmt_bounded(share)} |" in nps  # a share: no leading zero
    med = report_table(pooled["mediation"])
    assert "*df*" not in med and "MI then bootstrap" in med
    assert "seed is not recorded" in methods_text(pooled["mediation"])
    assert "Rubin's rules" in methods_text(reg) and "imputation model" in methods_text(reg)


def test_top_box_and_nps_test_tables(results, df):
    t = results["top_box"]
    md = report_table(t)
    assert f"| Top-2-box | {t.count} | {t.n} | {fmt_bounded(t.share)} | {fmt_ci(*t.ci, bounded=True)} |" in md
    assert "Wilson" in md and "Wilson" in methods_text(t)
    r = results["nps_test"]
    md = report_table(r)
    assert "| Difference (north - south) | — | — | — | " + fmt_num(r.diff, 1) + " |" in md
    assert f"*z* = {fmt_num(r.z)}" in md and "independent samples" in md
    paired = csl_stats.nps_test(df["recommend"].to_numpy()[:400], df["recommend"].to_numpy()[400:800], paired=True)
    assert "paired" in report_table(paired) and "per-respondent differences" in methods_text(paired)


def test_latex_tables_compile_with_pdflatex_defaults(results):
    """Regression: LaTeX output held raw Unicode symbols (α, β, χ, ω, ρ, Δ, √, →, ×, ±) that pdflatex, the
    default engine of most journals' templates and Overleaf, rejects ("Unicode character α not set up for use
    with LaTeX"); they must be LaTeX commands."""
    for name in ["alpha", "scale_report", "cfa", "mediation", "pls", "moderation"]:
        tex = report_table(results[name], fmt="latex")
        bad = sorted({ch for ch in tex if ord(ch) > 127})
        assert not bad, f"{name}: non-ASCII characters {bad} in the LaTeX table"
    tex = report_table(results["scale_report"], fmt="latex")
    assert r"\ensuremath{\alpha}" in tex and r"\ensuremath{\omega}" in tex
    assert r"\textsuperscript{2}" in report_table(results["cfa"], fmt="latex")
    assert r"\ensuremath{\rightarrow}" in report_table(results["pls"], fmt="latex")


def test_methods_text_of_a_mediation_with_a_binary_outcome_names_the_logistic_model(df):
    """Regression: methods_text said "ordinary least squares regressions" for a mediation (or moderated
    mediation) whose outcome was modelled by a logistic regression (y_family="binomial")."""
    d = df.assign(sat=df[["sat1", "sat2", "sat3"]].mean(axis=1), trs=df[["trs1", "trs2"]].mean(axis=1),
                  swc=df[["swc1", "swc2", "swc3"]].mean(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med = csl_stats.mediation(d, x="sat", m="trs", y="churned", y_family="binomial", n_boot=100, rng=1)
        mm = csl_stats.moderated_mediation(d, "sat", "trs", "churned", "swc", stage="second",
                                           y_family="binomial", n_boot=100, rng=1)
    for r in (med, mm):
        text = methods_text(r)
        assert "logistic regression for churned" in text and "log-odds" in text
    assert "ordinary least squares regressions using" in methods_text(
        csl_stats.mediation(d, x="sat", m="trs", y="loy1", n_boot=100, rng=1))


def test_word_table_has_apa_rules_and_aligned_numbers(results, tmp_path):
    """Regression: the Word table had no rules at all (python-docx's default "Normal Table" style) and
    left-aligned numbers; an APA 7 table has horizontal rules above and below the column heads and below
    the last row, no vertical rules, and numbers aligned to the right (decimal points under each other)."""
    docx = pytest.importorskip("docx")
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    doc = docx.Document(str(report_table(results["cfa"], fmt="docx", path=tmp_path / "t.docx")))
    table = doc.tables[0]

    def borders(cell):
        tc_pr = cell._tc.tcPr
        b = None if tc_pr is None else tc_pr.find(qn("w:tcBorders"))
        return {} if b is None else {el.tag.split("}")[1]: el.get(qn("w:val")) for el in b}

    for cell in table.rows[0].cells:
        assert borders(cell).get("top") == "single" and borders(cell).get("bottom") == "single"
    for cell in table.rows[-1].cells:
        assert borders(cell).get("bottom") == "single"
    assert all(v != "single" for v in borders(table.rows[2].cells[1]).values())  # no rules inside the body
    assert not any(b in borders(table.rows[0].cells[0]) for b in ("left", "right"))
    body = table.rows[2]  # rows[1] is the first group label ("dlv")
    assert body.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[0].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert body.cells[0].paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
