"""Publication tables (APA 7 style) and methods paragraphs for csl_stats results.

:func:`report_table` turns a result into the table a paper prints, as HTML or
LaTeX (rendered with great_tables), Markdown (written here) or a Word
document (python-docx). :func:`methods_text` writes the paragraph of the
Method section that says how the numbers were obtained. Both dispatch on the
result's type; the results themselves are not changed.

APA 7 conventions applied: statistics that cannot exceed 1 in absolute value
(correlations, standardized coefficients, reliabilities, AVE, CFI, RMSEA,
SRMR, *p* values, R-squared) are printed without a leading zero; *p* below
.001 as "< .001"; confidence intervals in square brackets; statistical symbols
in italics; a note under the table names the estimator, the interval method,
the number of resamples and the *n* used.

The table builders read only what the result stores. Where a result does not
store something (the random seed of a bootstrap, the missing-value policy of
a regression), the methods text says "not recorded" instead of guessing.
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_choice
from .errors import ArgumentError, ArgumentTypeError

__all__ = ["methods_text", "report_table"]

FORMATS = ("markdown", "html", "latex", "docx")
DASH = "\u2014"


# ---------------------------------------------------------------------------
# number formatting (APA 7)


def fmt_num(x: Any, digits: int = 2) -> str:
    """Format an unbounded statistic with a leading zero (``0.44``, ``-1.20``).

    Examples
    --------
    >>> fmt_num(0.4369), fmt_num(-12.5, 1), fmt_num(float("nan"))
    ('0.44', '-12.5', '—')
    """
    if x is None or (isinstance(x, float | np.floating) and not np.isfinite(x)):
        return DASH
    s = f"{float(x):.{digits}f}"
    return "0" + s[2:] if s.startswith("-0") and float(s) == 0 else s


def fmt_bounded(x: Any, digits: int = 2) -> str:
    """Format a statistic bounded by 1 in absolute value without the leading zero (``.79``, ``-.05``).

    Examples
    --------
    >>> fmt_bounded(0.7866), fmt_bounded(-0.0244, 3), fmt_bounded(1.0)
    ('.79', '-.024', '1.00')
    """
    s = fmt_num(x, digits)
    if s == DASH:
        return s
    if s.startswith("0."):
        return s[1:]
    if s.startswith("-0."):
        return "-" + s[2:]
    return s


def fmt_p(p: Any) -> str:
    """Format a *p* value the APA way: three decimals, no leading zero, ``< .001`` below .001.

    Examples
    --------
    >>> fmt_p(0.0489), fmt_p(2e-9), fmt_p(0.5)
    ('.049', '< .001', '.500')
    """
    if p is None or not np.isfinite(p):
        return DASH
    return "< .001" if p < 0.001 else fmt_bounded(p, 3)


def fmt_ci(lo: Any, hi: Any, digits: int = 2, bounded: bool = False) -> str:
    """Format an interval in square brackets: ``[0.38, 0.50]``.

    Examples
    --------
    >>> fmt_ci(0.3765, 0.4974), fmt_ci(0.70, 0.76, bounded=True)
    ('[0.38, 0.50]', '[.70, .76]')
    """
    f = fmt_bounded if bounded else fmt_num
    a, b = f(lo, digits), f(hi, digits)
    if DASH in (a, b):
        return DASH
    return f"[{a}, {b}]"


def _pct(level: float) -> str:
    v = 100 * float(level)
    return f"{v:.0f}%" if v.is_integer() else f"{v:g}%"


#: Symbols of the tables as LaTeX commands: pdflatex (the default of most journal templates) reads UTF-8
#: text but has no glyph for Greek letters and mathematical symbols, and stops with "Unicode character
#: ... not set up for use with LaTeX".
_LATEX_SYMBOLS = {
    **{chr(0x3B1 + i): rf"\ensuremath{{\{n}}}" for i, n in enumerate(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau "
        "upsilon phi chi psi omega".split())},
    **{c: rf"\ensuremath{{\{n}}}" for c, n in zip("ΓΔΘΛΞΠΣΦΨΩ", "Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi "
                                                               "Omega".split(), strict=True)},
    "\u03bf": "o", "²": r"\textsuperscript{2}", "³": r"\textsuperscript{3}", "√": r"\ensuremath{\surd}",
    "→": r"\ensuremath{\rightarrow}", "←": r"\ensuremath{\leftarrow}", "↔": r"\ensuremath{\leftrightarrow}",
    "×": r"\ensuremath{\times}", "±": r"\ensuremath{\pm}", "≤": r"\ensuremath{\leq}", "≥": r"\ensuremath{\geq}",
    "−": r"\ensuremath{-}", "—": "---", "–": "--", "…": r"\ldots{}",
}


def latex_symbols(text: str) -> str:
    r"""Replace the Greek letters and mathematical symbols of a table by LaTeX commands.

    Other characters (accented letters of data labels) are left alone: pdflatex reads them as UTF-8.

    Examples
    --------
    >>> latex_symbols("\\emph{α} = .79; \\emph{χ}² → ±1 — ok")
    '\\emph{\\ensuremath{\\alpha}} = .79; \\emph{\\ensuremath{\\chi}}\\textsuperscript{2} \\ensuremath{\\rightarrow} \\ensuremath{\\pm}1 --- ok'
    """
    return "".join(_LATEX_SYMBOLS.get(ch, ch) for ch in text)


# ---------------------------------------------------------------------------
# the format-neutral table


@dataclass
class _Table:
    """A table before rendering. Text may contain ``*italic*`` spans."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    groups: list[str] | None = None  # one group label per row (row groups), or None
    notes: list[str] = field(default_factory=list)
    stub: str = ""  # header of the first column


_ITALIC = re.compile(r"\*([^*]+)\*")


def _render_markdown(t: _Table, number: int | None) -> str:
    head = f"**Table{'' if number is None else ' ' + str(number)}**\n\n*{t.title}*\n"
    cols = [t.stub, *t.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join([":---"] + ["---:"] * len(t.columns)) + "|"]
    last = None
    for i, row in enumerate(t.rows):
        if t.groups is not None and t.groups[i] != last:
            last = t.groups[i]
            label = re.sub(r"([|*_`\\])", r"\\\1", str(last))
            lines.append("| " + " | ".join([f"**{label}**"] + [""] * len(t.columns)) + " |")
        # body cells hold data labels (e.g. "dlv1*swc1"): Markdown characters are escaped, not interpreted
        cells = [re.sub(r"([|*_`\\])", r"\\\1", c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    note = ("\n*Note.* " + " ".join(t.notes) + "\n") if t.notes else ""
    return head + "\n" + "\n".join(lines) + "\n" + note


def _gt(t: _Table, number: int | None) -> Any:
    try:
        from great_tables import GT, md
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('HTML and LaTeX tables need great_tables: pip install "csl-stats[report]"') from exc
    keys = [f"c{j}" for j in range(len(t.columns) + 1)]
    frame = pd.DataFrame(t.rows, columns=keys)
    if t.groups is not None:
        frame.insert(0, "group", t.groups)
    gt = GT(frame, groupname_col="group" if t.groups is not None else None, id="csl-table")
    gt = gt.tab_header(title=md(f"**Table{'' if number is None else ' ' + str(number)}**"),
                       subtitle=md(f"*{t.title}*"))
    gt = gt.cols_label(**{k: md(lab) if lab else "" for k, lab in zip(keys, [t.stub, *t.columns], strict=True)})
    gt = gt.cols_align("left", columns=keys[0]).cols_align("right", columns=keys[1:])
    if t.notes:
        gt = gt.tab_source_note(md("*Note.* " + " ".join(t.notes)))
    return gt


def _render_docx(t: _Table, number: int | None, path: str | Path) -> Path:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('Word tables need python-docx: pip install "csl-stats[report]"') from exc

    def runs(par: Any, text: str, bold: bool = False) -> None:
        for k, piece in enumerate(_ITALIC.split(text)):
            if piece:
                r = par.add_run(piece)
                r.italic = k % 2 == 1
                r.bold = bold

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def rule(cell: Any, *sides: str) -> None:
        """APA rules: a single horizontal line on the given sides of a cell (no vertical lines)."""
        tc_pr = cell._tc.get_or_add_tcPr()
        borders = tc_pr.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            tc_pr.append(borders)
        for side in sides:
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "auto")
            borders.append(el)

    doc = docx.Document()
    runs(doc.add_paragraph(), f"Table{'' if number is None else ' ' + str(number)}", bold=True)
    runs(doc.add_paragraph(), f"*{t.title}*")
    cols = [t.stub, *t.columns]
    table = doc.add_table(rows=1, cols=len(cols))
    for j, c in enumerate(cols):
        par = table.rows[0].cells[j].paragraphs[0]
        runs(par, c)
        if j:
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        rule(table.rows[0].cells[j], "top", "bottom")
    last = None
    for i, row in enumerate(t.rows):
        if t.groups is not None and t.groups[i] != last:
            last = t.groups[i]
            cells = table.add_row().cells
            runs(cells[0].paragraphs[0], str(last), bold=True)
        cells = table.add_row().cells
        for j, c in enumerate(row):
            cells[j].paragraphs[0].add_run(c)  # data labels: no italic markup
            if j:  # numbers right-aligned, so that decimal points line up
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in table.rows[-1].cells:
        rule(cell, "bottom")
    if t.notes:
        runs(doc.add_paragraph(), "*Note.* " + " ".join(t.notes))
    out = Path(path)
    doc.save(str(out))
    return out


# ---------------------------------------------------------------------------
# builders: one per result type


def _kind(result: Any) -> str:
    name = type(result).__name__
    if name in _BUILDERS:
        return name
    if isinstance(result, pd.DataFrame):
        cols = set(result.columns)
        if {"alpha", "omega", "ave", "max_htmt"} <= cols:
            return "scale_report"
        if {"n", "promoters", "passives", "detractors", "score", "ci_low", "ci_high"} <= cols:
            return "nps_by"
    supported = sorted(set(_BUILDERS) - {"scale_report", "nps_by"})
    raise ArgumentTypeError(
        f"report_table and methods_text support {supported}, the DataFrame returned by scale_report "
        f"and the DataFrame returned by nps_by; got {name}."
    )


def _alpha_table(r: Any, part: str) -> _Table:
    it = r.item_stats
    rows = [[str(i), fmt_num(it.loc[i, "mean"]), fmt_num(it.loc[i, "sd"]), fmt_bounded(it.loc[i, "r_corrected"]),
             fmt_bounded(it.loc[i, "alpha_if_deleted"])] for i in it.index]
    notes = [
        f"Cronbach's *α* = {fmt_bounded(r.alpha)}, {_pct(r.ci_level)} CI {fmt_ci(*r.ci, bounded=True)} "
        f"({_ci_name(r.ci_method)}); standardized *α* = {fmt_bounded(r.std_alpha)}.",
        f"*n* = {r.n_obs} ({_nan_phrase(r.nan_policy, r.n_excluded)}).",
        "*r*(it) = corrected item-total correlation.",
    ]
    return _Table(f"Item statistics and internal consistency ({r.n_items} items)",
                  ["*M*", "*SD*", "*r*(it)", "*α* if item deleted"], rows, None, notes, "Item")


def _scale_report_table(r: pd.DataFrame, part: str) -> _Table:
    rows = []
    for c in r.index:
        x = r.loc[c]
        rows.append([str(c), str(int(x["n_items"])), fmt_bounded(x["alpha"]),
                     fmt_ci(x["alpha_ci_low"], x["alpha_ci_high"], bounded=True), fmt_bounded(x["omega"]),
                     fmt_bounded(x["ave"]), fmt_bounded(x["sqrt_ave"]), fmt_bounded(x["max_factor_corr"]),
                     fmt_num(x["max_htmt"])])
    n = r.attrs.get("n_obs")
    notes = [
        "*k* = number of items; *ω* = composite reliability and AVE = average variance extracted, from a "
        "confirmatory factor model (ML) with one factor per construct; max *r* = largest factor correlation "
        "with another construct; HTMT = largest heterotrait-monotrait ratio.",
        f"CI = Feldt confidence interval for *α* ({_pct(r.attrs['ci'])})." if "ci" in r.attrs else
        "CI = Feldt confidence interval for *α* (level not recorded in the table; scale_report's default is 95%).",
        f"*n* = {n}." if n is not None else "*n* not recorded.",
    ]
    return _Table("Reliability and convergent and discriminant validity",
                  ["*k*", "*α*", f"{_pct(r.attrs['ci'])} CI" if "ci" in r.attrs else "CI", "*ω*", "AVE", "√AVE", "max *r*", "HTMT"], rows, None, notes, "Construct")


def _cfa_table(r: Any, part: str) -> _Table:
    ld = r.loadings
    rows = [[str(x["item"]), fmt_num(x["estimate"]), fmt_num(x["se"]), fmt_bounded(x["std_estimate"]),
             fmt_p(x["p"])] for _, x in ld.iterrows()]
    f = r.fit_indices
    fit = (
        f"*χ*²({int(f['df'])}) = {fmt_num(f['chisq'])}, *p* = {fmt_p(f['pvalue']).replace('= <', '<')}; "
        f"CFI = {fmt_bounded(f['cfi'], 3)}; TLI = {fmt_num(f['tli'], 3)}; RMSEA = {fmt_bounded(f['rmsea'], 3)}, "
        f"90% CI {fmt_ci(f['rmsea_ci_low'], f['rmsea_ci_high'], 3, bounded=True)}; SRMR = {fmt_bounded(f['srmr'], 3)}."
    )
    fit = fit.replace("*p* = < .001", "*p* < .001")
    notes = [
        "*b* = unstandardized loading; *β* = standardized loading (std.all); maximum likelihood estimation, "
        "standard errors from the expected information.",
        fit,
        f"*n* = {r.n_obs} ({r.n_dropped} rows with missing answers dropped).",
    ]
    if not r.converged:
        notes.append("The estimation did NOT converge.")
    return _Table("Confirmatory factor analysis: loadings and fit",
                  ["*b*", "*SE*", "*β*", "*p*"], rows, [str(c) for c in ld["construct"]], notes, "Item")


def _regression_table(r: Any, part: str) -> _Table:
    c = r.coefs
    rows = [[str(t), fmt_num(x["estimate"]), fmt_num(x["se"]), fmt_ci(x["ci_low"], x["ci_high"]), fmt_p(x["p"])]
            for t, x in c.iterrows()]
    groups = None
    if r.thresholds is not None and len(r.thresholds):  # ordinal models: the cut points below the slopes
        groups = ["Coefficients"] * len(rows) + ["Thresholds"] * len(r.thresholds)
        rows += [[str(t), fmt_num(x["estimate"]), fmt_num(x["se"]), fmt_ci(x["ci_low"], x["ci_high"]),
                  fmt_p(x["p"])] for t, x in r.thresholds.iterrows()]
    fam = {"gaussian": "ordinary least squares", "binomial": "logistic regression (coefficients in log-odds)",
           "ordinal": "ordinal logistic regression (coefficients in log-odds)"}.get(r.family, r.family)
    fitline = (f"*R*² = {fmt_bounded(r.r2)}." if r.r2 is not None
               else f"McFadden's pseudo-*R*² = {fmt_bounded(r.pseudo_r2)}." if r.pseudo_r2 is not None else "")
    notes = [f"Estimated by {fam}; standard errors: {_se_name(r.se_type, r.family)}.", fitline, f"*n* = {r.n_obs}."]
    return _Table("Regression coefficients", ["*b*", "*SE*", f"{_pct(r.ci)} CI", "*p*"], rows, groups,
                  [n for n in notes if n], "Predictor")


def _moderation_table(r: Any, part: str) -> _Table:
    rows = [[str(t).replace(":", " × "), fmt_num(x["estimate"]), fmt_num(x["se"]), fmt_ci(x["ci_low"], x["ci_high"]),
             fmt_p(x["p"])] for t, x in r.coefs.iterrows()]
    groups = ["Coefficients"] * len(rows)
    for probe, x in r.simple_slopes.iterrows():
        rows.append([f"{r.x} at {r.w} = {fmt_num(x['w'])} ({probe})", fmt_num(x["estimate"]), fmt_num(x["se"]),
                     fmt_ci(x["ci_low"], x["ci_high"]), fmt_p(x["p"])])
        groups.append(f"Conditional effects of {r.x}")
    centred = (f"{r.x} and {r.w} mean-centred (means {fmt_num(r.x_center)} and {fmt_num(r.w_center)}), so their "
               "rows are effects at the other's mean" if r.x_center or r.w_center else f"{r.x} and {r.w} not centred")
    notes = [f"Estimated by ordinary least squares; standard errors: {_se_name(r.se_type)}; {centred}.",
             f"*R*² = {fmt_bounded(r.r2)}; Δ*R*² from the interaction = {fmt_bounded(r.r2_change, 3)}."]
    jn = r.johnson_neyman
    if len(jn):
        parts = [f"{fmt_num(x['w_low'])} to {fmt_num(x['w_high'])} "
                 f"({'significantly ' + str(x['direction']) if x['significant'] else 'not significant'})" for _, x in jn.iterrows()]
        notes.append(f"Johnson-Neyman regions of {r.w} (observed range, {_pct(r.ci)} level): " + "; ".join(parts) + ".")
    notes.append(f"*n* = {r.n_obs}.")
    return _Table(f"Moderation of the effect of {r.x} on {r.y} by {r.w}", ["*b*", "*SE*", f"{_pct(r.ci)} CI", "*p*"],
                  rows, groups, notes, "Term")


_COEF_ANALYSES = ("RegressionResult", "ModerationResult", "MediationResult", "ModeratedMediationResult")
_ANALYSIS_NAMES = {"RegressionResult": "regression", "ModerationResult": "moderation", "MediationResult": "mediation",
                   "ModeratedMediationResult": "moderated mediation", "NPSResult": "Net Promoter Score",
                   "AlphaResult": "Cronbach's alpha", "TopBoxResult": "top-box share", "PLSResult": "PLS path model",
                   "RelativeImportanceResult": "relative importance"}


def _analysis_name(r: Any) -> str:
    return _ANALYSIS_NAMES.get(r.analysis, r.analysis.removesuffix("Result"))


def _pooled_table(r: Any, part: str) -> _Table:
    t = r.table

    def bounded(i: Any) -> bool:  # shares, reliabilities: no leading zero
        return r.analysis in ("AlphaResult", "TopBoxResult") or ("scale" in t.columns and t.at[i, "scale"] == "logit")

    def num(i: Any, v: Any) -> str:
        return fmt_bounded(v) if bounded(i) else fmt_num(v)

    est = "*b*" if r.analysis in _COEF_ANALYSES else "Estimate"
    ci_col = f"{_pct(r.ci_level)} CI"
    if r.method == "bootstrap":
        cols = [est, "*SE*", ci_col]
        rows = [[str(i), num(i, x["estimate"]), num(i, x["se"]), fmt_ci(x["ci_low"], x["ci_high"], bounded=bounded(i))]
                for i, x in t.iterrows()]
        how = (f"estimates averaged over the {r.m} imputed data sets; their bootstrap draws pooled into one "
               "distribution, whose standard deviation is the *SE* and whose percentiles the interval (MI then "
               "bootstrap)")
    else:
        cols = [est, "*SE*", "*df*", ci_col, "*p*", "FMI"]
        rows = []
        for i, x in t.iterrows():
            label = "NPS" if r.analysis == "NPSResult" and i == "nps" else str(i)
            p = x["p"] if "p" in t.columns else np.nan
            rows.append([label, num(i, x["estimate"]), num(i, x["se"]), fmt_num(x["df"], 1),
                         fmt_ci(x["ci_low"], x["ci_high"], bounded=bounded(i)),
                         fmt_p(p) if np.isfinite(p) else DASH, fmt_bounded(x["fmi"])])
        how = (f"Rubin's rules over {r.m} imputed data sets; *df* by the Barnard-Rubin small-sample formula; "
               "FMI = fraction of missing information")
        if r.method == "rubin-transformed" and "scale" in t.columns:
            scales = ", ".join(f"{'NPS' if i == 'nps' else i}: {sc}" for i, sc in t["scale"].items())
            how += f"; pooled on a transformed scale and back-transformed ({scales})"
            if "p" in t.columns and t["p"].isna().any():
                how += f"; {DASH} = no test"
    notes = [f"Multiple imputation: {how}.", f"*n* = {r.n} in each completed data set."]
    name = _analysis_name(r)
    return _Table(f"{name[0].upper() + name[1:]} estimates pooled over {r.m} imputations", cols, rows, None, notes,
                  "Term")


def _top_box_table(r: Any, part: str) -> _Table:
    lo, hi = r.ci
    rows = [[f"Top-{r.k}-box", str(r.count), str(r.n), fmt_bounded(r.share), fmt_ci(lo, hi, bounded=True)]]
    notes = [f"Share of answers in the top {r.k} categories of the scale; {_pct(r.ci_level)} Wilson score "
             f"interval. Respondents without an answer are excluded; *n* = {r.n}."]
    return _Table("Top-box share", ["Count", "*n*", "Share", f"{_pct(r.ci_level)} CI"], rows, None, notes, "")


def _nps_test_table(r: Any, part: str) -> _Table:
    t = r.to_frame() if hasattr(r, "to_frame") else r.table
    rows = [[str(g), str(int(x["n"])), f"{100 * x['promoters']:.1f}", f"{100 * x['detractors']:.1f}",
             fmt_num(x["score"], 1)] for g, x in t.iterrows()]
    groups = list(map(str, t.index))
    lo, hi = r.ci
    rows.append([f"Difference ({groups[0]} - {groups[1]})", DASH, DASH, DASH, fmt_num(r.diff, 1)])
    how = ("paired: the mean of the per-respondent differences of the NPS scores (-100, 0, 100) with its "
           "standard error" if r.paired else "independent samples: multinomial variances of the two scores")
    notes = [f"Difference {fmt_num(r.diff, 1)}, *SE* = {fmt_num(r.se, 1)}, {_pct(r.ci_level)} CI "
             f"{fmt_ci(lo, hi, 1)}, *z* = {fmt_num(r.z)}, *p* {_p_phrase(r.p_value)}; Wald test, {how}."]
    return _Table("Net Promoter Score by group and their difference",
                  ["*n*", "% promoters", "% detractors", "NPS"], rows, None, notes, "Group")


def _p_phrase(p: float) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


def _mediation_table(r: Any, part: str) -> _Table:
    rows, groups = [], []
    for name, x in r.paths.iterrows():
        outcome = str(x["outcome"]).replace(" (total)", "")
        rows.append([f"{name} ({x['predictor']} → {outcome})", fmt_num(x["estimate"]), fmt_num(x["se"]),
                     DASH, fmt_p(x["p"])])
        groups.append("Paths")
    for name, x in r.effects.iterrows():
        p = x["p"] if str(name) in ("total", "direct") else np.nan
        rows.append([str(name), fmt_num(x["estimate"]), fmt_num(x["se"]), fmt_ci(x["ci_low"], x["ci_high"]),
                     fmt_p(p)])
        groups.append("Effects")
    w = f" at values of {r.w}" if hasattr(r, "w") else ""
    notes = [
        ("Paths are ordinary least squares coefficients" if r.y_family == "gaussian" else
         f"Paths are regression coefficients ({r.y_family} model for {r.y})") + f"; effects{w} with {_pct(r.ci)} "
        f"{_ci_name(r.ci_method)} bootstrap confidence intervals from {r.n_boot:,} resamples"
        + (f" ({r.n_failed} failed)" if r.n_failed else "") + "; *SE* of effects = bootstrap standard deviation.",
        "Indirect effects are judged by their interval (no *p* value shown).",
        f"*n* = {r.n} ({r.n_dropped} rows with missing values dropped).",
    ]
    title = "Moderated mediation: paths and conditional effects" if hasattr(r, "w") else "Mediation: paths and effects"
    return _Table(title, ["*b*", "*SE*", f"{_pct(r.ci)} CI", "*p*"], rows, groups, notes, "Path or effect")


def _importance_table(r: Any, part: str) -> _Table:
    t = r.summary()
    has_ci = "ci_low" in t.columns
    rows = []
    for name, x in t.iterrows():
        row = [str(name), fmt_bounded(x["importance"], 3), f"{100 * x['share']:.1f}", str(int(x["rank"]))]
        if has_ci:
            row.append(fmt_ci(x["ci_low"], x["ci_high"], 3, bounded=True))
        rows.append(row)
    method = {"lmg": "LMG (Shapley decomposition of *R*²)",
              "relative_weights": "relative weights (Johnson)"}.get(r.method, r.method)
    boot = (f"{_pct(r.ci)} percentile bootstrap intervals from {r.n_boot:,} resamples." if r.n_boot
            else "No bootstrap.")
    notes = [f"Importance = part of *R*² attributed by {method}; total *R*² = {fmt_bounded(r.r2, 3)}.", boot,
             f"*n* = {r.n_obs}."]
    cols = ["Importance", "% of *R*²", "Rank"] + ([f"{_pct(r.ci)} CI"] if has_ci else [])
    return _Table("Relative importance of the drivers", cols, rows, None, notes, "Predictor")


def _pls_table(r: Any, part: str) -> _Table:
    boot = (f"{_pct(r.ci)} percentile bootstrap intervals and *SE*s from {r.n_boot:,} resamples "
            f"(sign changes: {r.sign_change})." if r.n_boot else "No bootstrap.")
    base = f"PLS path modelling ({r.scheme} weighting scheme, converged in {r.iterations} iterations); *n* = {r.n}."
    if part == "paths":
        rows = [[f"{x['from']} → {x['to']}", fmt_bounded(x["estimate"]), fmt_num(x["se"]),
                 fmt_ci(x["ci_low"], x["ci_high"], bounded=True), fmt_p(x["p"])] for _, x in r.path_table.iterrows()]
        return _Table("PLS structural model: path coefficients", ["*β*", "*SE*", f"{_pct(r.ci)} CI", "*p*"],
                      rows, None, [base, boot, f"GoF = {fmt_bounded(r.gof, 3)}."], "Path")
    if part == "constructs":
        ct = r.construct_table
        rows = [[str(c), str(int(x["n_indicators"])), fmt_bounded(x["alpha"]), fmt_bounded(x["rhoA"]),
                 fmt_bounded(x["rhoC"]), fmt_bounded(x["AVE"]), fmt_bounded(x["r2"]), fmt_num(x["index"], 1)]
                for c, x in ct.iterrows()]
        lo, hi = r.scale
        return _Table("PLS measurement model: reliability, explained variance and indices",
                      ["*k*", "*α*", "*ρ*(A)", "*ρ*(C)", "AVE", "*R*²", "Index"], rows, None,
                      [base, f"Index = construct score rescaled from the {lo:g}-{hi:g} answer scale to 0-100."],
                      "Construct")
    ot = r.outer_table
    rows = [[str(x["indicator"]), fmt_bounded(x["weight"]), fmt_bounded(x["loading"]),
             fmt_ci(x["loading_ci_low"], x["loading_ci_high"], bounded=True)] for _, x in ot.iterrows()]
    return _Table("PLS measurement model: outer weights and loadings",
                  ["Weight", "Loading", f"{_pct(r.ci)} CI"], rows, [str(c) for c in ot["construct"]],
                  [base, boot], "Indicator")


def _nps_rows(t: pd.DataFrame) -> list[list[str]]:
    return [[str(i) if not isinstance(i, tuple) else " / ".join(map(str, i)), str(int(x["n"])),
             f"{100 * x['promoters']:.1f}", f"{100 * x['passives']:.1f}", f"{100 * x['detractors']:.1f}",
             fmt_num(x["score"], 1), fmt_ci(x["ci_low"], x["ci_high"], 1)] for i, x in t.iterrows()]


_NPS_COLS = ["*n*", "% promoters", "% passives", "% detractors", "NPS"]


def _nps_table(r: Any, part: str) -> _Table:
    t = r.summary()
    t.index = ["All respondents"]
    notes = [f"NPS = % promoters (9-10) minus % detractors (0-6); {_pct(r.ci_level)} {_ci_name(r.ci_method)} "
             f"interval in NPS points.", f"*n* = {r.n}" + (f" (effective *n* = {r.n_eff:.1f})." if r.n_eff != r.n
                                                              else ".")]
    cols = [*_NPS_COLS, f"{_pct(r.ci_level)} CI"]
    return _Table("Net Promoter Score", cols, _nps_rows(t), None, notes, "")


def _nps_by_table(r: pd.DataFrame, part: str) -> _Table:
    name = " / ".join(map(str, r.index.names)) if any(n is not None for n in r.index.names) else "Segment"
    notes = ["NPS = % promoters (9-10) minus % detractors (0-6), in points.",
             "CI = confidence interval in NPS points (method and level not recorded in the table; nps_by's "
             "default is the adjusted Wald 95% interval).", f"Total *n* = {int(r['n'].sum())}."]
    return _Table("Net Promoter Score by segment", [*_NPS_COLS, "CI"], _nps_rows(r), None, notes,
                  name.capitalize())


# ---------------------------------------------------------------------------
# latent SEM, measurement invariance and PROCESS (issue 17, second part)


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _wald_level(r: Any) -> float | None:
    """Confidence level of the Wald intervals a result stores (recovered from estimate, SE and bounds)."""
    import math

    p = r.params
    ok = p[(p["se"] > 0) & np.isfinite(p["ci_high"])]
    if r.n_boot or not len(ok):
        return None
    x = ok.iloc[0]
    z = (x["ci_high"] - x["estimate"]) / x["se"]
    return round(math.erf(z / math.sqrt(2)), 4)


def _sem_ci_header(r: Any) -> str:
    level = _wald_level(r)
    return f"{_pct(level)} CI" if level is not None else "CI"


def _sem_estimator(r: Any) -> str:
    if r.estimator == "mlr":
        return ("robust maximum likelihood (MLR: Huber-White sandwich standard errors, Yuan-Bentler scaled "
                "*χ*²)")
    se = "observed" if r.nan_policy == "fiml" else "expected"
    return f"maximum likelihood (ML; standard errors from the {se} information)"


def _sem_missing(r: Any) -> str:
    if r.nan_policy == "fiml":
        return (f"full-information maximum likelihood (FIML) on every row with at least one answered item; "
                f"{r.n_dropped} rows without any answer dropped")
    return f"listwise deletion; {r.n_dropped} rows with missing answers dropped"


def _sem_interval(r: Any) -> str:
    if r.n_boot:
        return (f"intervals from {r.n_boot:,} bootstrap resamples"
                + (f" ({r.n_boot_failed} failed)" if r.n_boot_failed else "")
                + " (interval method and level not recorded in the result; sem's defaults: percentile, 95%)")
    level = _wald_level(r)
    return f"{_pct(level)} Wald intervals" if level is not None else "Wald intervals"


def _sem_fit_line(f: pd.Series, estimator: str) -> str:
    chi, pv, cfi, tli, rmsea = "chisq", "pvalue", "cfi", "tli", "rmsea"
    scaled = estimator == "mlr" and np.isfinite(f.get("chisq_scaled", np.nan))
    robust = scaled and np.isfinite(f.get("cfi_robust", np.nan))
    if scaled:
        chi, pv = "chisq_scaled", "pvalue_scaled"
    if robust:
        cfi, tli, rmsea = "cfi_robust", "tli_robust", "rmsea_robust"
    rob = " (robust)" if robust else ""
    line = (f"{'Scaled ' if scaled else ''}*χ*²({int(f['df'])}) = {fmt_num(f[chi])}, *p* = {fmt_p(f[pv])}"
            + (f" (scaling factor {fmt_num(f['scaling_factor'], 3)})" if scaled else "")
            + f"; CFI{rob} = {fmt_bounded(f[cfi], 3)}; TLI{rob} = {fmt_num(f[tli], 3)}; "
            f"RMSEA{rob} = {fmt_bounded(f[rmsea], 3)}")
    if not robust:
        line += f", 90% CI {fmt_ci(f['rmsea_ci_low'], f['rmsea_ci_high'], 3, bounded=True)}"
    line += f"; SRMR = {fmt_bounded(f['srmr'], 3)}."
    return line.replace("*p* = < .001", "*p* < .001")


def _single_group(r: Any) -> None:
    if "group" in r.params.columns:
        raise ArgumentError(
            "this SEMResult is a multi-group model (a level of measurement_invariance): report the "
            "InvarianceResult instead, or fit one group at a time."
        )


def _sem_row(label: str, x: pd.Series) -> list[str]:
    fixed = not (x["se"] > 0)
    ci = DASH if fixed else fmt_ci(x["ci_low"], x["ci_high"])
    return [label, fmt_num(x["estimate"]), DASH if fixed else fmt_num(x["se"]), ci, fmt_bounded(x["std_estimate"]),
            fmt_p(x["p"])]


def _sem_table(r: Any, part: str) -> _Table:
    _single_group(r)
    p = r.params
    rows, groups = [], []
    for _, x in p[p["op"] == "=~"].iterrows():
        rows.append(_sem_row(str(x["rhs"]), x))
        groups.append(f"Loadings on {x['lhs']}")
    for _, x in p[p["op"] == "~"].iterrows():
        rows.append(_sem_row(f"{x['rhs']} → {x['lhs']}", x))
        groups.append("Structural paths")
    for _, x in p[(p["op"] == "~~") & (p["lhs"] != p["rhs"])].iterrows():
        rows.append(_sem_row(f"{x['lhs']} ↔ {x['rhs']}", x))
        groups.append("Covariances")
    r2 = "; ".join(f"{k} = {fmt_bounded(v)}" for k, v in r.r2.items())
    notes = [
        f"*b* = unstandardized estimate; *β* = standardized estimate (std.all; correlations for covariances); "
        f"estimated by {_sem_estimator(r)}; {_sem_interval(r)}; a dash marks a parameter fixed for "
        "identification.",
        _sem_fit_line(r.fit_indices, r.estimator),
    ]
    if r2:
        notes.append(f"*R*²: {r2}.")
    notes.append(f"Missing data: {_sem_missing(r)}; *n* = {r.n_obs}.")
    if not r.converged:
        notes.append("The estimation did NOT converge.")
    return _Table("Structural equation model: loadings, paths and fit",
                  ["*b*", "*SE*", _sem_ci_header(r), "*β*", "*p*"], rows, groups, notes, "Parameter")


def _invariance_table(r: Any, part: str) -> _Table:
    t = r.table
    first = next(iter(r.fits.values()))
    scaled = first.estimator == "mlr" and "chisq_scaled" in t.columns
    rows = []
    for level, x in t.iterrows():
        rows.append([str(level).capitalize(), fmt_num(x["chisq_scaled" if scaled else "chisq"]), str(int(x["df"])),
                     fmt_bounded(x["cfi"], 3), fmt_bounded(x["rmsea"], 3), fmt_bounded(x["srmr"], 3),
                     fmt_num(x["chisq_diff"]), DASH if not np.isfinite(x["df_diff"]) else str(int(x["df_diff"])),
                     fmt_p(x["p_diff"]), fmt_bounded(x["delta_cfi"], 3), fmt_bounded(x["delta_rmsea"], 3)])
    diff = "Satorra-Bentler scaled *χ*² difference test" if scaled else "likelihood-ratio *χ*² difference test"
    groups = ", ".join(map(str, r.groups))
    notes = [
        f"Multi-group confirmatory factor models across {len(r.groups)} groups of {r.group} ({groups}); each "
        "level adds equality constraints to the previous one: metric = equal loadings, scalar = also equal "
        "intercepts, strict = also equal residual variances.",
        f"Δ = change from the previous level; Δ*χ*² from the {diff}; *p* of the difference test.",
        f"Estimated by {_sem_estimator(first)}" + ("; *χ*² scaled." if scaled else "."),
        f"Missing data: {_sem_missing(first)}; *n* = {r.n_obs}.",
    ]
    bad = [str(k) for k, f in r.fits.items() if not f.converged]
    if bad:
        notes.append(f"Did NOT converge: {', '.join(bad)}.")
    return _Table("Measurement invariance: fit of nested models",
                  ["*χ*²", "*df*", "CFI", "RMSEA", "SRMR", "Δ*χ*²", "Δ*df*", "*p*", "ΔCFI", "ΔRMSEA"],
                  rows, None, notes, "Model")


def _resampled(r: Any) -> bool:
    """Whether any effect of a ProcessResult rests on resampling (models 1-3 have none, whatever ``n_boot``)."""
    return bool(r.n_boot) and "inference" in r.effects and \
        bool(r.effects["inference"].isin(["bootstrap", "montecarlo"]).any())


_PROCESS_GROUPS = {
    "effect": "Conditional effects of X", "direct": "Direct effect", "total": "Total effect",
    "indirect": "Indirect effects", "total indirect": "Total indirect effects",
    "index": "Index of moderated mediation", "partial index": "Indices of partial moderated mediation",
    "conditional index": "Indices of conditional moderated mediation",
    "mm index": "Index of moderated moderated mediation",
}


def _process_se(r: Any) -> str:
    """Standard errors of a ProcessResult as computed: ``se`` applies to the OLS equations; a logistic outcome
    equation keeps its model-based covariance."""
    if r.y_family == "gaussian" or r.se_type == "nonrobust":
        return _se_name(r.se_type, "gaussian") if r.y_family == "gaussian" else (
            f"conventional (homoskedastic) for the OLS equations and model-based for the logistic regression of {r.y}")
    return (f"{_se_name(r.se_type, 'gaussian')} for the OLS equations and model-based (inverse information "
            f"matrix) for the logistic regression of {r.y}")


def _probe_values(r: Any, sd_text: str) -> str:
    """Probe rule of a ProcessResult probed at values passed (``w_values``/``z_values``), moderator by moderator."""
    rule = "16th, 50th and 84th percentiles" if getattr(r, "probe_rule", "percentile") == "percentile" else sd_text
    parts = []
    for role, col, given in (("W", r.w, getattr(r, "w_values", None)), ("Z", r.z, getattr(r, "z_values", None))):
        if col is None:
            continue
        if given is not None:
            parts.append(f"values passed for {role} ({', '.join(f'{v:g}' for v in given)})")
        elif role == "W" and r.mcw is not None:
            parts.append("each category of W")
        else:
            parts.append(f"{rule} for {role}")
    return "; ".join(parts)


def _process_table(r: Any, part: str) -> _Table:
    rows, groups = [], []
    for _, x in r.coefs.iterrows():
        rows.append([str(x["term"]).replace("*", " × "), fmt_num(x["estimate"], 3), fmt_num(x["se"], 3),
                     fmt_ci(x["ci_low"], x["ci_high"], 3), fmt_p(x["p"])])
        groups.append(f"Outcome: {x['outcome']}")
    e = r.effects
    for kind in _PROCESS_GROUPS:  # the engine's order of kinds, grouped
        for label, x in e[e["effect"] == kind].iterrows():
            p = x["p"] if x.get("inference") in ("t", "z") else np.nan
            rows.append([str(label), fmt_num(x["estimate"], 3), fmt_num(x["se"], 3),
                         fmt_ci(x["ci_low"], x["ci_high"], 3), fmt_p(p)])
            groups.append(_PROCESS_GROUPS[kind])
    fam = "OLS" if r.y_family == "gaussian" else f"OLS (mediators) and logistic regression ({r.y}, log-odds)"
    r2 = "; ".join(f"{o} = {fmt_bounded(x['r2'])}" for o, x in r.fit.iterrows())
    resampling = ("Monte Carlo" if r.ci_method == "montecarlo" else f"{_ci_name(r.ci_method)} bootstrap")
    notes = [
        f"PROCESS model {r.model}" + (f" ({r.description})" if r.description else "") + f"; X = {r.x}, "
        f"Y = {r.y}" + (f", M = {', '.join(r.mediators)}" if r.mediators else "")
        + (f", W = {r.w}" if r.w else "") + (f", Z = {r.z}" if r.z else "") + ".",
        f"Coefficients: {fam}, standard errors {_process_se(r)}, {_pct(r.ci)} CIs and *p* "
        f"from *t* tests" + ("" if r.y_family == "gaussian" else f" (*z* tests for {r.y})")
        + f"; *R*²{'' if r.y_family == 'gaussian' else f' (McFadden for {r.y})'}: {r2}.",
    ]
    if _resampled(r):
        notes.append(f"Indirect effects and indices: {_pct(r.ci)} {resampling} confidence intervals from "
                     f"{r.n_boot:,} resamples" + (f" ({r.n_failed} failed)" if r.n_failed else "")
                     + "; *SE* = resampling standard deviation; judged by their interval (no *p* value).")
    if r.w:
        rule = (f"{_probe_values(r, 'mean and mean ± 1 *SD*')})." if r.probe == "values" else
                ("16th, 50th and 84th percentiles" if r.probe == "percentile" else "mean and mean ± 1 *SD*")
                + ", unless other values were passed).")
        notes.append(f"{'w, z' if r.z else 'w'} = the moderator value an effect is conditioned on (probe rule: "
                     + rule)
    omni = getattr(r, "omnibus", None)
    if omni is not None and (omni["df1"] > 1).any():  # tests no coefficient row shows (multicategorical X or W)
        parts = []
        for _, x in omni[omni["df1"] > 1].iterrows():
            if np.isfinite(x["df2"]):
                stat = f"*F*({int(x['df1'])}, {x['df2']:.0f}) = {fmt_num(x['F'])}"
                r2c = f", Δ*R*² = {fmt_bounded(x['r2_change'], 3)}"
            else:
                stat, r2c = f"*χ*²({int(x['df1'])}) = {fmt_num(x['F'] * x['df1'])}", ""
            parts.append(f"{x['test']} in the equation of {x['outcome']}: {stat}, *p* {_p_phrase(x['p'])}{r2c}")
        notes.append("Joint tests (Wald, standard errors as above): " + "; ".join(parts) + ".")
    notes.append(f"*n* = {r.n} ({r.n_dropped} rows with missing values dropped).")
    return _Table(f"Conditional process analysis (PROCESS model {r.model}): coefficients and effects",
                  ["*b*", "*SE*", f"{_pct(r.ci)} CI", "*p*"], rows, groups, notes, "Term or effect")


_BUILDERS = {
    "AlphaResult": _alpha_table,
    "scale_report": _scale_report_table,
    "CFAResult": _cfa_table,
    "RegressionResult": _regression_table,
    "ModerationResult": _moderation_table,
    "TopBoxResult": _top_box_table,
    "NPSTestResult": _nps_test_table,
    "PooledResult": _pooled_table,
    "MediationResult": _mediation_table,
    "ModeratedMediationResult": _mediation_table,
    "RelativeImportanceResult": _importance_table,
    "PLSResult": _pls_table,
    "NPSResult": _nps_table,
    "nps_by": _nps_by_table,
    "SEMResult": _sem_table,
    "InvarianceResult": _invariance_table,
    "ProcessResult": _process_table,
}


def _ci_name(method: str) -> str:
    return {"feldt": "Feldt", "percentile": "percentile", "bc": "bias-corrected", "bca": "BCa",
            "adjusted_wald": "adjusted Wald", "wald": "Wald", "bootstrap": "bootstrap"}.get(method, method)


def _se_name(se: str, family: str = "gaussian") -> str:
    if se == "nonrobust":
        return "conventional (homoskedastic)" if family == "gaussian" else "model-based (inverse information matrix)"
    return f"heteroskedasticity-consistent ({se})"


def _nan_phrase(policy: str, excluded: int) -> str:
    if policy == "listwise":
        return f"listwise deletion; {excluded} rows excluded"
    if policy == "pairwise":
        return f"pairwise deletion; {excluded} rows with at least one missing answer"
    return f"missing values: {policy}; {excluded} rows excluded"


# ---------------------------------------------------------------------------


def report_table(
    result: Any,
    *,
    style: str = "apa",
    fmt: str = "markdown",
    part: str = "paths",
    number: int | None = None,
    title: str | None = None,
    path: str | Path | None = None,
) -> Any:
    """Render a result as a publication table (APA 7 style).

    Parameters
    ----------
    result
        An :class:`~csl_stats.AlphaResult`, :class:`~csl_stats.CFAResult`,
        :class:`~csl_stats.RegressionResult`, :class:`~csl_stats.ModerationResult`
        (coefficients, conditional effects, Johnson-Neyman regions in the note),
        :class:`~csl_stats.MediationResult`,
        :class:`~csl_stats.ModeratedMediationResult`,
        :class:`~csl_stats.RelativeImportanceResult`, :class:`~csl_stats.PLSResult`,
        :class:`~csl_stats.NPSResult`, :class:`~csl_stats.NPSTestResult` (two
        groups' scores and their difference), :class:`~csl_stats.TopBoxResult`,
        :class:`~csl_stats.PooledResult` (an
        analysis pooled over multiple imputations: Rubin's rules with *df*
        and FMI, or pooled bootstrap draws), :class:`~csl_stats.SEMResult` (single
        group: loadings, structural paths and covariances with std.all, fit in
        the note), :class:`~csl_stats.InvarianceResult` (fit of the nested
        models with the Δ statistics) or :class:`~csl_stats.ProcessResult`
        (coefficients by outcome, conditional effects, indices of moderated
        mediation; multi-df joint tests of a multicategorical X or W in the
        note), or the DataFrame returned by
        :func:`~csl_stats.scale_report` (reliability and validity) or by
        :func:`~csl_stats.nps_by` (NPS by segment).
    style : {"apa"}
        Table conventions; APA 7 is the one offered.
    fmt : {"markdown", "html", "latex", "docx"}
        ``"markdown"`` returns a pipe table (str); ``"html"`` and ``"latex"``
        return the great_tables rendering (str); ``"docx"`` writes a Word
        document to ``path`` and returns its path.
    part : {"paths", "constructs", "loadings"}
        For :class:`~csl_stats.PLSResult` only: which table.
    number : int, optional
        Table number shown in the header ("Table 2").
    title : str, optional
        Replaces the default title (the italic line under the number).
    path : str or pathlib.Path
        Output file for ``fmt="docx"``.

    Returns
    -------
    str or pathlib.Path

    Raises
    ------
    ArgumentTypeError
        A result type without a publication table.
    ArgumentError
        Unknown ``style``, ``fmt`` or ``part``; ``fmt="docx"`` without ``path``; a
        multi-group :class:`~csl_stats.SEMResult` (report the
        :class:`~csl_stats.InvarianceResult`).

    Notes
    -----
    Numbers are rounded for display only: two decimals for coefficients,
    three for *p* values and fit indices; no leading zero for statistics that
    cannot exceed 1 (APA 7, section 6.36). HTML and LaTeX need great_tables,
    Word needs python-docx (``pip install "csl-stats[report]"``); Markdown
    needs nothing.

    A :class:`~csl_stats.SEMResult` does not store its confidence level: for
    Wald intervals it is recovered from the estimate, standard error and
    bound (exact); for bootstrap intervals the table says that level and
    interval method are not recorded. PROCESS tables print three decimals,
    since indices of moderated mediation are often below .01.

    References
    ----------
    American Psychological Association (2020). *Publication Manual of the
    American Psychological Association* (7th ed.), chapter 7 (tables).

    Examples
    --------
    >>> import csl_stats
    >>> df = csl_stats.load_supply_chain_survey()
    >>> fit = csl_stats.regress(df, "loy1", ["sat1", "dlv1"])
    >>> print(report_table(fit, number=1))  # doctest: +NORMALIZE_WHITESPACE
    **Table 1**
    <BLANKLINE>
    *Regression coefficients*
    <BLANKLINE>
    | Predictor | *b* | *SE* | 95% CI | *p* |
    |:---|---:|---:|---:|---:|
    | Intercept | 2.27 | 0.18 | [1.91, 2.63] | < .001 |
    | sat1 | 0.44 | 0.03 | [0.38, 0.49] | < .001 |
    | dlv1 | 0.12 | 0.03 | [0.06, 0.18] | < .001 |
    <BLANKLINE>
    *Note.* Estimated by ordinary least squares; standard errors: conventional (homoskedastic). *R*² = .24. *n* = 939.
    <BLANKLINE>
    """
    check_choice(style, "style", ["apa"])
    check_choice(fmt, "fmt", list(FORMATS))
    check_choice(part, "part", ["paths", "constructs", "loadings"])
    if number is not None and (isinstance(number, bool) or not isinstance(number, int | np.integer)):
        raise ArgumentTypeError(f"number must be an integer table number; got {number!r}.")
    kind = _kind(result)
    if part != "paths" and kind != "PLSResult":
        raise ArgumentError(f"part={part!r} applies to PLSResult only; got a {kind}.")
    table = _BUILDERS[kind](result, part)
    if title is not None:
        table.title = str(title)
    if fmt == "markdown":
        return _render_markdown(table, number)
    if fmt == "docx":
        if path is None:
            raise ArgumentError('fmt="docx" writes a Word file: pass path="table.docx".')
        return _render_docx(table, number, path)
    gt = _gt(table, number)
    if fmt == "html":
        return gt.as_raw_html(inline_css=False)
    return latex_symbols(gt.as_latex())


# ---------------------------------------------------------------------------
# methods paragraphs


def _software() -> str:
    from . import __version__

    return f"csl_stats (version {__version__}) in Python"


#: The seed the caller passed to methods_text(rng=...), for the paragraph being written (None: not given).
_SEED: contextvars.ContextVar[int | None] = contextvars.ContextVar("csl_stats_report_seed", default=None)


def _seed_sentence(n_boot: int) -> str:
    if not n_boot:
        return ""
    seed = _SEED.get()
    if seed is not None:
        return (f" The resamples were drawn with the random seed {seed} (rng={seed}), so that they can be "
                "reproduced.")
    return (" The random seed is not recorded in the result: report the rng value passed to the function "
            "so that the resamples can be reproduced.")


def _methods_alpha(r: Any) -> str:
    boot = r.ci_method not in ("feldt",)
    return (
        f"Internal consistency of the {r.n_items}-item scale was estimated with Cronbach's alpha using "
        f"{_software()}. The {_pct(r.ci_level)} confidence interval used the {_ci_name(r.ci_method)} method."
        + (_seed_sentence(1) if boot else "")
        + f" Missing answers were handled by {_nan_phrase(r.nan_policy, r.n_excluded)}; n = {r.n_obs}."
    )


def _methods_scale_report(r: pd.DataFrame) -> str:
    n = r.attrs.get("n_obs")
    return (
        f"Reliability and validity of the {len(r)} constructs were assessed with {_software()}: Cronbach's alpha, "
        "composite reliability (omega) and average variance extracted (AVE) from a confirmatory factor model "
        "estimated by maximum likelihood with one factor per construct, the Fornell-Larcker criterion and the "
        "heterotrait-monotrait ratio (HTMT). "
        + (f"The analysis used n = {n} respondents with complete answers on the items." if n is not None
           else "The n used is not recorded in the table.")
    )


def _methods_cfa(r: Any) -> str:
    return (
        f"A confirmatory factor analysis with {len(r.constructs)} correlated factors was estimated by maximum "
        f"likelihood (normal theory, Fisher scoring; converged: {'yes' if r.converged else 'NO'}, "
        f"{r.n_iter} iterations) using {_software()}; standard errors come from the expected information. "
        f"Rows with missing answers were dropped (listwise deletion: {r.n_dropped} rows), leaving n = {r.n_obs}. "
        "Fit is reported with the chi-square test, CFI, TLI, RMSEA with its 90% interval and SRMR."
    )


def _methods_regression(r: Any) -> str:
    fam = {"gaussian": "an ordinary least squares regression", "binomial": "a logistic regression",
           "ordinal": "an ordinal (proportional-odds) logistic regression"}.get(r.family, f"a {r.family} model")
    return (
        f"We estimated {fam} using {_software()}, with {_se_name(r.se_type, r.family)} standard errors and "
        f"{_pct(r.ci)} Wald confidence intervals. The model used n = {r.n_obs} observations; the missing-value "
        "handling is not recorded in the result (the function's default is listwise deletion)."
    )


def _methods_moderation(r: Any) -> str:
    centred = "; both mean-centred" if r.x_center or r.w_center else ""
    covs = [t for t in r.coefs.index if t not in ("Intercept", r.x, r.w) and ":" not in str(t)]
    cov = f", controlling for {', '.join(map(str, covs))}" if covs else ""
    return (
        f"We tested whether {r.w} moderates the effect of {r.x} on {r.y} with an ordinary least squares regression "
        f"including the product of {r.x} and {r.w} (PROCESS model 1{centred}){cov}, with "
        f"{_se_name(r.se_type)} standard errors, using {_software()}. Conditional effects of {r.x} were probed "
        f"at {len(r.simple_slopes)} values of {r.w} with {_pct(r.ci)} confidence intervals, and the "
        f"Johnson-Neyman technique located the values of {r.w} at which the conditional effect differs "
        f"significantly from zero. The model used n = {r.n_obs} rows; the missing-value policy and the number of "
        "rows dropped are not recorded in the result (the function's default is listwise deletion)."
    )


def _methods_pooled(r: Any) -> str:
    name = _analysis_name(r)
    if r.method == "bootstrap":
        how = (f"The estimates were averaged over the imputations, and the bootstrap draws of the {r.m} analyses "
               f"were pooled into one distribution, whose percentiles give {_pct(r.ci_level)} intervals (MI then "
               "bootstrap)." + _seed_sentence(1))
    else:
        how = (f"Estimates were pooled with Rubin's rules, with degrees of freedom from the Barnard-Rubin "
               f"small-sample formula and {_pct(r.ci_level)} confidence intervals; the fraction of missing "
               "information is reported for each estimate.")
        if r.method == "rubin-transformed":
            how += " Bounded statistics were pooled on a transformed scale and transformed back."
    return (
        f"Missing values were multiply imputed ({r.m} imputed data sets), the {name} analysis was repeated on "
        f"each completed data set of n = {r.n} using {_software()}, and the results were combined. {how} The "
        "imputation model (method, variables, iterations) and its random seed are not stored in the pooled "
        "result: report them from the imputation step."
    )


def _methods_top_box(r: Any) -> str:
    return (
        f"The top-{r.k}-box share, the percentage of respondents answering in the {r.k} highest categories of "
        f"the scale, was computed with {_software()}, with a {_pct(r.ci_level)} Wilson "
        f"score interval. Respondents without an answer were excluded; n = {r.n}."
    )


def _methods_nps_test(r: Any) -> str:
    how = ("For paired answers (the same respondents twice) the difference is the mean of the per-respondent "
           "differences of the scores (promoter 100, passive 0, detractor -100), tested with its standard error"
           if r.paired else "For independent samples the standard error of the difference combines the "
           "multinomial variances of the two scores")
    n = " and ".join(f"{g}: n = {int(x['n'])}" for g, x in r.table.iterrows())
    return (
        "The Net Promoter Scores of two groups were compared with a Wald (z) test of their difference using "
        f"{_software()}, with a {_pct(r.ci_level)} confidence interval. {how}. Respondents without an answer "
        f"were excluded ({n})."
    )


def _methods_mediation(r: Any) -> str:
    meds = ", ".join(r.mediators)
    design = (f"a moderated mediation model (PROCESS model {r.model}; moderator {r.w}, {r.stage} stage)"
              if hasattr(r, "w") else ("a serial" if getattr(r, "serial", False) else "a") + " mediation model")
    fam = ("ordinary least squares regressions" if r.y_family == "gaussian" else
           f"ordinary least squares regressions for the mediators and a logistic regression for {r.y} (paths "
           f"into {r.y} and the indirect effects on the log-odds scale)")
    return (
        f"We estimated {design} of the effect of {r.x} on {r.y} through {meds} with {fam} "
        f"using {_software()}. Indirect effects were tested with {_pct(r.ci)} "
        f"{_ci_name(r.ci_method)} bootstrap confidence intervals from {r.n_boot:,} resamples"
        + (f" ({r.n_failed} resamples failed and were discarded)" if r.n_failed else "") + "."
        + _seed_sentence(r.n_boot)
        + f" Rows with missing values on the model variables were dropped ({r.n_dropped} rows), leaving n = {r.n}."
    )


def _methods_importance(r: Any) -> str:
    method = {"lmg": "the LMG decomposition (Shapley values of R-squared over all orderings of the predictors)",
              "relative_weights": "Johnson's relative weights"}.get(r.method, r.method)
    boot = (f" Intervals are {_pct(r.ci)} percentile bootstrap intervals from {r.n_boot:,} resamples."
            + _seed_sentence(r.n_boot)) if r.n_boot else " No bootstrap intervals were computed."
    return (f"The relative importance of the drivers was estimated with {method} using {_software()}.{boot} "
            f"The analysis used the n = {r.n_obs} complete rows.")


def _methods_pls(r: Any) -> str:
    boot = (f" Standard errors and {_pct(r.ci)} percentile confidence intervals come from {r.n_boot:,} bootstrap "
            f"resamples (sign-change option: {r.sign_change}"
            + (f"; {r.n_boot_failed} resamples failed" if r.n_boot_failed else "") + ")."
            + _seed_sentence(r.n_boot)) if r.n_boot else " No bootstrap was run."
    return (
        f"The index model was estimated by partial least squares path modelling with the {r.scheme} weighting "
        f"scheme (converged in {r.iterations} iterations) using {_software()}.{boot} "
        f"Construct indices rescale the scores from the {r.scale[0]:g}-{r.scale[1]:g} answer scale to 0-100. "
        f"The model used n = {r.n} respondents; the missing-value handling is not recorded in the result."
    )


def _methods_nps(r: Any) -> str:
    w = f" Weights were applied (effective n = {r.n_eff:.1f})." if r.n_eff != r.n else ""
    return (
        "The Net Promoter Score was computed as the percentage of promoters (9-10) minus the percentage of "
        f"detractors (0-6) on the 0-10 recommendation item using {_software()}, with a {_pct(r.ci_level)} "
        f"{_ci_name(r.ci_method)} confidence interval." + (_seed_sentence(1) if r.ci_method == "bootstrap" else "")
        + f"{w} Respondents without an answer were excluded; n = {r.n}."
    )


def _methods_nps_by(r: pd.DataFrame) -> str:
    return (
        f"Net Promoter Scores were computed for {len(r)} segments using {_software()}, each with a confidence "
        "interval in NPS points (the interval method and level are not recorded in the table; the function's "
        f"default is the adjusted Wald 95% interval). The segments hold n = {int(r['n'].sum())} respondents."
    )


def _sem_missing_text(r: Any) -> str:
    if r.nan_policy == "fiml":
        return (f"Missing answers were handled by full-information maximum likelihood (FIML) on every respondent "
                f"with at least one answered item; {r.n_dropped} rows without any answer were dropped, leaving "
                f"n = {r.n_obs}.")
    return (f"Rows with missing answers were dropped (listwise deletion: {r.n_dropped} rows), leaving "
            f"n = {r.n_obs}.")


def _sem_estimator_text(r: Any) -> str:
    if r.estimator == "mlr":
        return ("robust maximum likelihood (MLR), with Huber-White sandwich standard errors and the "
                "Yuan-Bentler scaled chi-square,")
    se = "observed" if r.nan_policy == "fiml" else "expected"
    return f"maximum likelihood, with standard errors from the {se} information,"


def _methods_sem(r: Any) -> str:
    _single_group(r)
    k, p_items = len(r.measurement), sum(len(v) for v in r.measurement.values())
    n_cov = int(((r.params["op"] == "~~") & (r.params["lhs"] != r.params["rhs"])).sum())
    if r.n_boot:
        ci = (f" Confidence intervals come from {r.n_boot:,} bootstrap resamples, each refitted from the "
              "full-sample solution" + (f" ({r.n_boot_failed} failed and were discarded)" if r.n_boot_failed
                                        else "")
              + "; the interval method and level are not recorded in the result (sem's defaults: percentile, "
              "95%)." + _seed_sentence(r.n_boot))
    else:
        level = _wald_level(r)
        ci = f" Confidence intervals are {_pct(level) + ' ' if level is not None else ''}Wald intervals."
    return (
        f"A structural equation model with {k} latent constructs measured by {p_items} items, "
        f"{len(r.structural)} structural {_plural(len(r.structural), 'path')} and {n_cov} free "
        f"{_plural(n_cov, 'covariance')} was estimated by {_sem_estimator_text(r)} using {_software()} "
        f"(Fisher scoring; converged: {'yes' if r.converged else 'NO'}, {r.n_iter} iterations).{ci} "
        f"{_sem_missing_text(r)} "
        + ("Fit is reported with the Yuan-Bentler scaled chi-square test, CFI, TLI and RMSEA (robust versions "
           "where the data are complete) and SRMR" if r.estimator == "mlr" else
           "Fit is reported with the chi-square test, CFI, TLI, RMSEA with its 90% interval and SRMR")
        + "; standardized estimates are std.all."
    )


def _methods_invariance(r: Any) -> str:
    first = next(iter(r.fits.values()))
    lv = list(map(str, r.table.index))
    levels = ", ".join(lv[:-1]) + " and " + lv[-1] if len(lv) > 1 else lv[0]
    test = ("Satorra-Bentler scaled chi-square difference tests" if first.estimator == "mlr"
            else "likelihood-ratio chi-square difference tests")
    return (
        f"Measurement invariance across the {len(r.groups)} groups of {r.group} ({', '.join(map(str, r.groups))}) "
        f"was tested with multi-group confirmatory factor models at the {levels} levels, estimated by "
        f"{_sem_estimator_text(first)} using {_software()}. Constructs were identified by a first loading "
        "fixed to 1 and, from the scalar level on, latent means fixed to 0 in the first group. Each level was "
        f"compared with the previous one by {test} and by the changes in CFI and RMSEA. "
        f"{_sem_missing_text(first)} No resampling was involved. Parameters released for partial invariance "
        "(the free argument), if any, are not recorded in the result: name them."
    )


def _methods_process(r: Any) -> str:
    roles = f"X = {r.x}, Y = {r.y}" + (f", M = {', '.join(r.mediators)}" if r.mediators else "") \
        + (f", W = {r.w}" if r.w else "") + (f", Z = {r.z}" if r.z else "")
    fam = ("ordinary least squares regressions" if r.y_family == "gaussian"
           else f"ordinary least squares regressions for the mediators and a logistic regression for {r.y}")
    resampling = ("Monte Carlo" if r.ci_method == "montecarlo" else f"{_ci_name(r.ci_method)} bootstrap")
    boot = (f" Indirect effects and indices were tested with {_pct(r.ci)} {resampling} confidence intervals "
            f"from {r.n_boot:,} resamples" + (f" ({r.n_failed} failed and were discarded)" if r.n_failed else "")
            + "." + _seed_sentence(r.n_boot)) if _resampled(r) else " No resampling was involved."
    probe = ""
    if r.w:
        probe = (" Conditional effects were probed at the moderator values shown in the table (probe rule: "
                 + (f"{_probe_values(r, 'mean and one standard deviation below and above it')})."
                    if r.probe == "values" else
                    "16th, 50th and 84th percentiles unless other values were passed)." if r.probe == "percentile"
                    else "mean and one standard deviation below and above it unless other values were passed)."))
    return (
        f"We estimated model {r.model} of Hayes' PROCESS templates" + (f" ({r.description})" if r.description
                                                                      else "")
        + f", with {roles}, by {fam} "
        f"with {_process_se(r)} standard errors, using {_software()}.{boot}{probe} "
        + (f"Rows with missing values on the model variables were dropped (listwise deletion: {r.n_dropped} rows), "
           f"leaving n = {r.n}." if getattr(r, "nan_policy", None) == "listwise" else
           f"Missing values were not allowed (nan_policy='raise'); n = {r.n}." if getattr(r, "nan_policy", None)
           == "raise" else f"Rows with missing values on the model variables were dropped ({r.n_dropped} rows), "
           f"leaving n = {r.n}; the missing-value policy itself is not recorded in the result.")
    )


_METHODS = {
    "AlphaResult": _methods_alpha,
    "scale_report": _methods_scale_report,
    "CFAResult": _methods_cfa,
    "RegressionResult": _methods_regression,
    "ModerationResult": _methods_moderation,
    "TopBoxResult": _methods_top_box,
    "NPSTestResult": _methods_nps_test,
    "PooledResult": _methods_pooled,
    "MediationResult": _methods_mediation,
    "ModeratedMediationResult": _methods_mediation,
    "RelativeImportanceResult": _methods_importance,
    "PLSResult": _methods_pls,
    "NPSResult": _methods_nps,
    "nps_by": _methods_nps_by,
    "SEMResult": _methods_sem,
    "InvarianceResult": _methods_invariance,
    "ProcessResult": _methods_process,
}


def methods_text(result: Any, *, rng: int | None = None) -> str:
    """Return a methods paragraph for a result, to adapt for a paper.

    The paragraph names the estimator, the software and its version, the
    interval method and the number of resamples, the handling of missing
    values and the *n* used. Results do not store the random seed of their
    bootstrap: pass the integer ``rng`` you gave the function and the text
    states it; without it the text says the seed is not recorded and asks
    for it, rather than inventing one.

    Parameters
    ----------
    result
        Any result :func:`report_table` accepts.
    rng : int, optional
        The integer seed passed as ``rng=`` to the function that produced
        ``result``. Used only when the result involved resampling (the
        sentence is about the resamples); a ``numpy.random.Generator``
        cannot be described by a number and is refused.

    Returns
    -------
    str

    Raises
    ------
    ArgumentTypeError
        A result type without a methods paragraph; ``rng`` not an integer.
    ArgumentError
        A negative ``rng``.

    Examples
    --------
    >>> import csl_stats
    >>> df = csl_stats.load_supply_chain_survey()
    >>> a = csl_stats.cronbach_alpha(df, ["dlv1", "dlv2", "dlv3"])
    >>> print(methods_text(a))  # doctest: +ELLIPSIS
    Internal consistency of the 3-item scale was estimated with Cronbach's alpha using csl_stats (version ...) in
    Python. The 95% confidence interval used the Feldt method. Missing answers were handled by listwise deletion;
    ... rows excluded; n = ...
    >>> med = csl_stats.mediation(df, x="dlv1", m="sat1", y="loy1", n_boot=200, rng=7)
    >>> "random seed 7 (rng=7)" in methods_text(med, rng=7)
    True
    """
    if rng is not None:
        if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
            raise ArgumentTypeError(
                f"rng must be the integer seed passed to the analysis (e.g. rng=2026); got {type(rng).__name__}. "
                "A numpy Generator cannot be reported as a number: report how it was created instead."
            )
        if rng < 0:
            raise ArgumentError(f"rng must be a non-negative integer seed; got {rng}.")
        rng = int(rng)
    kind = _kind(result)
    token = _SEED.set(rng)
    try:
        return _METHODS[kind](result)
    finally:
        _SEED.reset(token)

