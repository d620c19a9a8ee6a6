"""Path diagrams of fitted models as Graphviz DOT text, rendered by the ``dot`` program when it exists.

:func:`plot_model` describes a fitted :class:`~csl_stats.MediationResult`,
:class:`~csl_stats.ModeratedMediationResult`, :class:`~csl_stats.PLSResult`,
:class:`~csl_stats.CFAResult`, :class:`~csl_stats.SEMResult` or
:class:`~csl_stats.ProcessResult` as a left-to-right Graphviz graph: latent
variables as ellipses, observed variables (and, on request, indicators) as
boxes, estimates on the arrows with significance stars or confidence
intervals. Graphviz places the labels, so they do not collide as hand-placed
labels do.

The DOT text (:attr:`ModelDiagram.dot`) needs nothing beyond Python; paste it
into any Graphviz tool. :meth:`ModelDiagram.render` and the notebook display
call the ``dot`` program (Debian/Ubuntu: ``apt-get install graphviz``; conda:
``conda install graphviz``; macOS: ``brew install graphviz``).
"""

from __future__ import annotations

import base64
import dataclasses
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import check_choice, check_flag
from .errors import ArgumentError, ArgumentTypeError
from .report import fmt_bounded, fmt_ci, fmt_num

__all__ = ["ModelDiagram", "plot_model"]

STAR_NOTE = "* p < .05, ** p < .01, *** p < .001"


def _stars(p: Any) -> str:
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _q(text: Any) -> str:
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclasses.dataclass(frozen=True)
class ModelDiagram:
    """A path diagram: Graphviz DOT text, rendered with the ``dot`` program where it exists.

    Attributes
    ----------
    dot : str
        The Graphviz description (always available).

    Notes
    -----
    In a notebook the diagram displays as a PNG at twice its display
    resolution (sharp on high-density screens), with the DOT text as the
    plain-text alternative; without ``dot`` (or if it fails) only the text is shown. PNG, not
    SVG, so that a notebook's stored outputs do not depend on the Graphviz
    version (an SVG names it, and output checkers such as nbval compare SVG
    text but not PNG images). For an SVG use :meth:`render` or
    ``IPython.display.SVG(diagram.pipe("svg"))``.
    """

    dot: str

    #: Resolution of the notebook PNG: twice Graphviz's 96 dpi, shown at half its pixel width.
    DISPLAY_DPI = 192

    def __str__(self) -> str:
        return self.dot

    @staticmethod
    def dot_available() -> bool:
        """Whether the Graphviz ``dot`` program is on the PATH."""
        return shutil.which("dot") is not None

    def pipe(self, format: str = "svg", *, dpi: float | None = None) -> bytes:
        """Run ``dot`` and return the rendered bytes (``"svg"``, ``"png"`` or ``"pdf"``).

        ``dpi`` sets the resolution of a PNG (Graphviz's default is 96).
        """
        check_choice(format, "format", ["svg", "png", "pdf"])
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(
                "rendering needs the Graphviz 'dot' program (apt-get install graphviz, conda install graphviz "
                "or brew install graphviz); the DOT text is in .dot"
            )
        args = [exe, f"-T{format}"]
        if dpi is not None:
            if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not 24 <= dpi <= 1200:
                raise ArgumentError(f"dpi must be a number from 24 to 1200; got {dpi!r}.")
            args.append(f"-Gdpi={dpi:g}")
        out = subprocess.run(args, input=self.dot.encode("utf-8"), capture_output=True, check=False, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"dot failed: {out.stderr.decode('utf-8', 'replace').strip()}")
        return out.stdout

    def render(self, path: str | Path, format: str | None = None, *, dpi: float | None = None) -> Path:
        """Write the diagram to ``path`` (format from ``format`` or the extension: svg, png, pdf, dot).

        ``dpi`` applies to PNG files (e.g. 300 for print).
        """
        p = Path(path)
        fmt = format or p.suffix.lstrip(".").lower()
        check_choice(fmt, "format", ["svg", "png", "pdf", "dot", "gv"])
        if fmt in ("dot", "gv"):
            p.write_text(self.dot, encoding="utf-8")
        else:
            p.write_bytes(self.pipe(fmt, dpi=dpi if fmt == "png" else None))
        return p

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        data: dict[str, str] = {"text/plain": self.dot}
        meta: dict[str, dict] = {}
        if self.dot_available():
            try:
                png = self.pipe("png", dpi=self.DISPLAY_DPI)
            except (RuntimeError, OSError, subprocess.TimeoutExpired):
                # a broken Graphviz (no PNG renderer, missing fonts): show the text rather than fail the display
                return data, meta
            width = int.from_bytes(png[16:20], "big")  # the IHDR chunk: width, then height
            height = int.from_bytes(png[20:24], "big")
            data["image/png"] = base64.b64encode(png).decode("ascii")
            meta["image/png"] = {"width": width // 2, "height": height // 2}
        return data, meta


def _item_id(name: Any) -> str:
    """Node id of an indicator: distinct from a construct of the same name (a construct "sat", an item "sat")."""
    return f"item:{name}"


def _header(name: str, ranksep: float = 1.1) -> list[str]:
    return [
        f"digraph {_q(name)} {{",
        f'  graph [rankdir=LR, splines=true, nodesep=0.5, ranksep={ranksep:g}, fontname="Helvetica", fontsize=10, '
        'labelloc=b, labeljust=l];',
        '  node [fontname="Helvetica", fontsize=11, shape=box];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]


def _item_order(lines: list[str], constructs: Any) -> None:
    """Keep each construct's indicators in their given order, top to bottom: the construct's out-edges (its
    loadings, written in item order) are laid out in the order written (``ordering=out``). Without it Graphviz
    orders them to minimise crossings (e.g. qlt3, qlt4, qlt1, qlt2)."""
    for c in dict.fromkeys(constructs):
        lines.append(f"  {_q(c)} [ordering=out];")


NOTE_WIDTH = 72  # characters per line of the note under a diagram (narrow enough for a phone screen)


def _footer(lines: list[str], note: str) -> str:
    """Close the graph with ``note`` as its label: wrapped at NOTE_WIDTH, lines left-justified (DOT ``\\l``)."""
    # keep "*** p < .001" and "name = value" in one piece: their spaces become unbreakable while wrapping
    glue = re.compile(r"(?:(?<=\*) p <|(?<=\S) [=<]) (?=\S)")
    protected = [glue.sub(lambda m: m.group(0).replace(" ", "\0"), line) for line in note.split("\n")]
    wrapped = [part.replace("\0", " ") for line in protected
               for part in textwrap.wrap(line, NOTE_WIDTH, break_on_hyphens=False) or [""]]
    escaped = [ln.replace("\\", "\\\\").replace('"', '\\"') for ln in wrapped]
    lines.append('  label="' + "".join(ln + "\\l" for ln in escaped) + '";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mediation_dot(r: Any, *, ci: bool, digits: int) -> str:
    moderated = hasattr(r, "w")
    w = str(r.w) if moderated else ""
    nodes = [r.x, *r.mediators, r.y] + ([r.w] if moderated else [])
    # points on moderated paths add ranks: closer ranks keep the diagram within a page's width
    lines = _header("mediation", ranksep=0.5 if moderated else 0.8)
    for v in nodes:
        lines.append(f"  {_q(v)} [shape=box];")
    lines.append(f"  {{rank=min; {_q(r.x)};}}")
    lines.append(f"  {{rank=max; {_q(r.y)};}}")
    keep = set(map(str, nodes))
    paths = [(str(name), str(x["predictor"]), str(x["outcome"]), x) for name, x in r.paths.iterrows()
             if "(total)" not in str(x["outcome"])]
    # interactions with the moderator, keyed by the path they moderate: (predictor, outcome) -> label
    moderates: dict[tuple[str, str], str] = {}
    for name, pred, out, x in paths:
        if moderated and pred.endswith("*" + w) and (pred[: -len(w) - 1], out) in {(a, b) for _, a, b, _ in paths}:
            moderates[(pred[: -len(w) - 1], out)] = f"{name} = {fmt_num(x['estimate'], digits)}{_stars(x['p'])}"
    points = []
    for name, pred, out, x in paths:
        label = f"{name} = {fmt_num(x['estimate'], digits)}{_stars(x['p'])}"
        if "*" in pred:  # an interaction term
            if moderated and not any(pred == f"{a}*{w}" and b == out for a, b in moderates):
                # no drawn path to attach it to: the moderator's arrow points at the outcome's equation
                lines.append(f"  {_q(r.w)} -> {_q(out)} [style=dashed, label={_q(label + ' (' + pred + ')')}];")
            continue
        if pred not in keep or out not in keep:
            continue  # covariates are not drawn
        if moderated and pred == w:
            continue  # first-order moderator slopes are in the table, not on the conceptual diagram
        if (pred, out) in moderates:
            # Hayes' conceptual diagram: the moderator's dashed arrow meets the moderated path at a point
            pt = f"moderates:{pred}->{out}"
            points.append(pt)
            lines.append(f"  {_q(pt)} [shape=point, width=0.08, label=\"\"];")
            lines.append(f"  {_q(pred)} -> {_q(pt)} [arrowhead=none, label={_q(label)}];")
            lines.append(f"  {_q(pt)} -> {_q(out)};")
            # a ranked edge (no constraint=false): dot places its label like any other, never drops it
            lines.append(f"  {_q(r.w)} -> {_q(pt)} [style=dashed, label={_q(moderates[(pred, out)])}];")
            continue
        lines.append(f"  {_q(pred)} -> {_q(out)} [label={_q(label)}];")
    eff = r.effects
    notes = []
    level = f"{100 * r.ci:g}%"
    for name, x in eff.iterrows():
        if str(name).startswith(("indirect", "index")) and (ci or str(name) == "indirect" or moderated):
            shown = str(name)
            if moderated and "|" in shown and np.isfinite(x.get("w", np.nan)):  # conditional: W's value, rounded
                shown = f"{shown.split('|')[0]}] at {w} = {fmt_num(x['w'], digits)}:"
            else:
                shown += " ="
            notes.append(f"{shown} {fmt_num(x['estimate'], digits)}, {level} CI "
                         f"{fmt_ci(x['ci_low'], x['ci_high'], digits)}")
    fam = "OLS" if getattr(r, "y_family", "gaussian") == "gaussian" else \
        f"OLS and logistic regression (log-odds) for {r.y}"
    notes.append(f"Unstandardized {fam} coefficients; {STAR_NOTE}; bootstrap CIs ({r.ci_method}, "
                 f"{r.n_boot:,} resamples); n = {r.n}.")
    if points:
        notes.append(f"Dashed: {w} moderates the path it points at (interaction coefficient).")
    return _footer(lines, "\n".join(notes))


def _pls_dot(r: Any, *, indicators: bool, ci: bool, digits: int) -> str:
    lines = _header("pls")
    ct = r.construct_table
    for c, x in ct.iterrows():
        label = str(c) if not np.isfinite(x["r2"]) else f"{c}\nR² = {fmt_bounded(x['r2'], digits)}"
        lines.append(f"  {_q(c)} [shape=ellipse, label={_q(label)}];")
    if indicators:
        for _, x in r.outer_table.iterrows():
            ind, con = _item_id(x["indicator"]), x["construct"]
            lines.append(f"  {_q(ind)} [shape=box, label={_q(x['indicator'])}];")
            if ct.loc[con, "mode"] == "B":
                lines.append(f"  {_q(ind)} -> {_q(con)} [label={_q('w = ' + fmt_bounded(x['weight'], digits))}];")
            else:
                lines.append(f"  {_q(con)} -> {_q(ind)} [label={_q(fmt_bounded(x['loading'], digits))}, "
                             "arrowsize=0.6];")
    if indicators:
        _item_order(lines, r.outer_table.loc[r.outer_table["construct"].map(ct["mode"]) != "B", "construct"])
    for _, x in r.path_table.iterrows():
        est = fmt_bounded(x["estimate"], digits)
        if ci and np.isfinite(x.get("ci_low", np.nan)):
            label = f"{est} {fmt_ci(x['ci_low'], x['ci_high'], digits, bounded=True)}"
        else:
            label = est + _stars(x.get("p", np.nan))
        lines.append(f"  {_q(x['from'])} -> {_q(x['to'])} [label={_q(label)}, penwidth=1.5];")
    if r.n_boot:
        what = (f"{100 * r.ci:g}% percentile bootstrap CIs" if ci else STAR_NOTE + " (bootstrap)")
        note = f"PLS path coefficients; {what}, {r.n_boot:,} resamples; n = {r.n}."
    else:
        note = f"PLS path coefficients (no bootstrap, no significance shown); n = {r.n}."
    return _footer(lines, note)


def _cfa_dot(r: Any, *, indicators: bool, digits: int) -> str:
    lines = _header("cfa")
    lines[1] = lines[1].replace("rankdir=LR", "rankdir=LR, newrank=true")
    factors = list(r.constructs)
    for f in factors:
        lines.append(f"  {_q(f)} [shape=ellipse];")
    if indicators:
        for _, x in r.loadings.iterrows():
            lines.append(f"  {_q(_item_id(x['item']))} [shape=box, label={_q(x['item'])}];")
            lines.append(f"  {_q(x['construct'])} -> {_q(_item_id(x['item']))} "
                         f"[label={_q(fmt_bounded(x['std_estimate'], digits) + _stars(x['p']))}, arrowsize=0.6];")
        _item_order(lines, r.loadings["construct"])
    p = r.params
    cov = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"]) & p["lhs"].isin(factors) & p["rhs"].isin(factors)]
    for _, x in cov.iterrows():
        lines.append(f"  {_q(x['lhs'])} -> {_q(x['rhs'])} [dir=both, style=dashed, "
                     f"label={_q(fmt_bounded(x['std_estimate'], digits) + _stars(x['p']))}];")
    f = r.fit_indices
    note = (f"Standardized ML estimates; {STAR_NOTE}; χ²({int(f['df'])}) = {fmt_num(f['chisq'])}, "
            f"CFI = {fmt_bounded(f['cfi'], 3)}, RMSEA = {fmt_bounded(f['rmsea'], 3)}, "
            f"SRMR = {fmt_bounded(f['srmr'], 3)}; n = {r.n_obs}.")
    return _footer(lines, note)


def _sem_label(x: Any, ci: bool, digits: int) -> str:
    """Standardized estimate with stars, or (``ci``) the unstandardized estimate with its interval."""
    if ci:
        return f"{fmt_num(x['estimate'], digits)} {fmt_ci(x['ci_low'], x['ci_high'], digits)}"
    p = x["p"] if x["se"] > 0 else np.nan
    return fmt_bounded(x["std_estimate"], digits) + _stars(p)


def _sem_dot(r: Any, *, indicators: bool, ci: bool, digits: int) -> str:
    from .report import _sem_interval, _single_group

    _single_group(r)
    lines = _header("sem")
    lines[1] = lines[1].replace("rankdir=LR", "rankdir=LR, newrank=true")
    p = r.params
    constructs = [str(c) for c in r.measurement]
    for c in constructs:
        label = f"{c}\nR² = {fmt_bounded(r.r2[c], digits)}" if c in r.r2.index else c
        lines.append(f"  {_q(c)} [shape=ellipse, label={_q(label)}];")
    if indicators:
        for _, x in p[p["op"] == "=~"].iterrows():
            lines.append(f"  {_q(_item_id(x['rhs']))} [shape=box, label={_q(x['rhs'])}];")
            lines.append(f"  {_q(x['lhs'])} -> {_q(_item_id(x['rhs']))} "
                         f"[label={_q(_sem_label(x, False, digits))}, arrowsize=0.6];")
        _item_order(lines, p.loc[p["op"] == "=~", "lhs"])
    for _, x in p[p["op"] == "~"].iterrows():
        lines.append(f"  {_q(x['rhs'])} -> {_q(x['lhs'])} [label={_q(_sem_label(x, ci, digits))}, penwidth=1.5];")
    cov = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"])]
    hidden = 0
    for _, x in cov.iterrows():
        a, b = str(x["lhs"]), str(x["rhs"])
        if a not in constructs or b not in constructs:
            if not indicators:
                hidden += 1
                continue
            a, b = (v if v in constructs else _item_id(v) for v in (a, b))
        lines.append(f"  {_q(a)} -> {_q(b)} [dir=both, style=dashed, constraint=false, "
                     f"label={_q(_sem_label(x, ci, digits))}];")
    f = r.fit_indices
    what = (f"Structural paths and covariances: unstandardized estimates with {_sem_interval(r)}"
            + ("; loadings standardized" if indicators else "") if ci
            else f"Standardized estimates (std.all); {STAR_NOTE}")
    if indicators:
        what += "; marker loadings (fixed to 1) carry no test"
    scaled = r.estimator == "mlr" and np.isfinite(f.get("chisq_scaled", np.nan))
    chi2 = f"scaled χ²({int(f['df'])}) = {fmt_num(f['chisq_scaled'])}" if scaled else \
        f"χ²({int(f['df'])}) = {fmt_num(f['chisq'])}"
    note = (f"{what}; {r.estimator.upper()}, {'FIML' if r.nan_policy == 'fiml' else 'listwise deletion'}; "
            f"{chi2}, CFI = {fmt_bounded(f['cfi'], 3)}, "
            f"RMSEA = {fmt_bounded(f['rmsea'], 3)}, SRMR = {fmt_bounded(f['srmr'], 3)}; n = {r.n_obs}.")
    if hidden:
        note += f"\n{hidden} residual {'covariance' if hidden == 1 else 'covariances'} between items not drawn " \
                "(indicators=True shows them)."
    return _footer(lines, note)


def _process_dot(r: Any, *, ci: bool, digits: int) -> str:
    from .report import _resampled

    lines = _header("process")
    # the statistical diagram: the model's equations, without intercepts and without the total-effect equation
    coefs = r.coefs[(r.coefs["term"] != "(intercept)") & ~r.coefs["outcome"].astype(str).str.endswith("(total)")]
    outcomes = list(dict.fromkeys(map(str, coefs["outcome"])))
    terms = [t for t in dict.fromkeys(map(str, coefs["term"])) if t not in outcomes]
    for t in terms:
        if "*" in t:  # a product term: the moderation, drawn as its own box (Hayes' statistical diagram)
            lines.append(f"  {_q(t)} [shape=box, style=rounded, label={_q(t.replace('*', ' × '))}];")
        else:
            lines.append(f"  {_q(t)} [shape=box];")
    for o in outcomes:
        lines.append(f"  {_q(o)} [shape=box];")
    lines.append(f"  {{rank=min; {'; '.join(_q(t) for t in terms)};}}")
    lines.append(f"  {{rank=max; {_q(r.y)};}}")
    for _, x in coefs.iterrows():
        if ci:
            label = f"{fmt_num(x['estimate'], digits)} {fmt_ci(x['ci_low'], x['ci_high'], digits)}"
        else:
            label = fmt_num(x["estimate"], digits) + _stars(x["p"])
        style = ", style=dashed" if "*" in str(x["term"]) else ""
        lines.append(f"  {_q(x['term'])} -> {_q(x['outcome'])} [label={_q(label)}{style}];")
    notes = []
    level = f"{100 * r.ci:g}%"
    e = r.effects
    kinds = ["index", "partial index", "conditional index", "mm index"]
    if r.w is None and r.z is None:  # unmoderated mediation: the indirect effects themselves (else: the table)
        kinds += ["indirect", "total indirect"]
    for name, x in e[e["effect"].isin(kinds)].iterrows():
        notes.append(f"{name} = {fmt_num(x['estimate'], 3)}, {level} CI {fmt_ci(x['ci_low'], x['ci_high'], 3)}")
    fam = "OLS" if r.y_family == "gaussian" else f"OLS and logit ({r.y})"
    what = f"{level} CIs" if ci else STAR_NOTE
    method = "Monte Carlo" if r.ci_method == "montecarlo" else f"{r.ci_method} bootstrap"
    boot = (f"; effects in this caption: {method} CIs, "
            f"{r.n_boot:,} resamples") if notes and _resampled(r) else ""
    notes.append(f"PROCESS model {r.model}, statistical diagram: unstandardized {fam} coefficients; {what}{boot}; "
                 f"n = {r.n}.")
    return _footer(lines, "\n".join(notes))


def _template_dot(t: Any, names: dict[str, str], mediators: list[str]) -> str:
    """Hayes' conceptual diagram of a PROCESS template: moderators' dashed arrows meet the paths they moderate."""
    lines = _header(f"process_model_{t.number}", ranksep=0.5)
    x, y = names["x"], names["y"]
    roles = sorted(t.roles - {"x"})  # model 74: X moderates its own M -> Y path (no extra box)
    for v in [x, *mediators, y]:
        lines.append(f"  {_q(v)} [shape=box];")
    for r in roles:
        lines.append(f"  {_q(names[r])} [shape=box, style=filled, fillcolor=\"#fde9c9\"];")
    lines.append(f"  {{rank=min; {_q(x)};}}")
    lines.append(f"  {{rank=max; {_q(y)};}}")
    node = {"x": x, "y": y, **{f"m{j}": m for j, m in enumerate(mediators)}}
    three_way = False
    for _path, src_key, dst_key, mod in t.arrows(len(mediators)):
        a, b = node[src_key], node[dst_key]
        if not mod:
            lines.append(f"  {_q(a)} -> {_q(b)};")
            continue
        pt = f"moderates:{a}->{b}"
        lines.append(f"  {_q(pt)} [shape=point, width=0.08, label=\"\"];")
        lines.append(f"  {_q(a)} -> {_q(pt)} [arrowhead=none];")
        lines.append(f"  {_q(pt)} -> {_q(b)};")
        three = any(len(term) == 2 for term in mod)
        three_way |= three
        for term in mod:
            if len(term) != 1 or (three and term[0] == "z"):
                continue  # the three-way term: Z's arrow meets W's arrow (below)
            src = names[term[0]]
            if three:
                pw = f"moderates:{src}->{pt}"
                lines.append(f"  {_q(pw)} [shape=point, width=0.06, label=\"\"];")
                lines.append(f"  {_q(src)} -> {_q(pw)} [arrowhead=none, style=dashed, constraint=false];")
                lines.append(f"  {_q(pw)} -> {_q(pt)} [style=dashed, constraint=false];")
                lines.append(f"  {_q(names['z'])} -> {_q(pw)} [style=dashed, constraint=false];")
            else:
                lines.append(f"  {_q(src)} -> {_q(pt)} [style=dashed, constraint=false];")
    generic = {"x": "X", "y": "Y", "w": "W", "z": "Z"}
    named = [f"{k.upper()} = {names[k]}" for k in ("x", "w", "z", "y") if names[k] != generic[k]
             and (k in "xy" or k in roles)]
    notes = [f"PROCESS model {t.number}: {t.description}" + (f" ({', '.join(named)})." if named else ".")]
    if roles:
        notes.append("Conceptual diagram: a moderator's dashed arrow meets the path it moderates"
                     + (f"; {names['z']}'s arrow meets {names['w']}'s (three-way interaction)." if three_way else "."))
    return _footer(lines, "\n".join(notes))


def plot_model(result: Any, *, indicators: bool = False, ci: bool = False, digits: int = 2,
               conceptual: bool = False) -> ModelDiagram:
    """Draw a fitted model as a path diagram (Graphviz DOT; rendered where ``dot`` exists).

    Parameters
    ----------
    result : MediationResult, ModeratedMediationResult, PLSResult, CFAResult, SEMResult, ProcessResult or int
        The fitted model (a single-group :class:`~csl_stats.SEMResult`), or
        a PROCESS model number: its conceptual diagram with the generic
        names X, M (M1, M2 when serial), W, Z and Y.
    indicators : bool, default False
        PLS, CFA and SEM: also draw the indicators (boxes) with their loadings
        (PLS Mode B: weights; SEM: standardized, with the residual covariances
        between items as dashed two-headed arrows). Ignored for mediation and
        PROCESS models, whose variables are observed and always drawn as boxes.
    ci : bool, default False
        Show confidence intervals instead of significance stars: on the PLS
        paths (bootstrap), on the SEM structural paths and covariances
        (unstandardized estimates with the intervals the result stores, Wald
        or bootstrap), on every PROCESS coefficient, and every indirect
        effect's interval under a mediation diagram. CFA results store no
        intervals (refused).
    digits : int, default 2
        Decimals shown.
    conceptual : bool, default False
        For a :class:`~csl_stats.ProcessResult`: Hayes' *conceptual*
        diagram (X, the mediators, Y and the moderators, each moderator's
        dashed arrow meeting the path it moderates; no estimates) instead of
        the statistical diagram. Model numbers are always drawn this way.

    Returns
    -------
    ModelDiagram
        ``.dot`` (text), ``.render(path)`` (svg/png/pdf via ``dot``, or the
        DOT text for ``.dot``/``.gv`` paths) and notebook display (SVG where
        ``dot`` exists, otherwise the DOT text).

    Raises
    ------
    ArgumentTypeError
        A result type without a diagram, or non-boolean flags.
    ArgumentError
        ``ci=True`` for a CFA; ``digits`` outside 0-4; a multi-group SEMResult;
        ``conceptual=True`` for a result other than a ProcessResult; a model
        number that is not a PROCESS template.

    Notes
    -----
    Latent variables are ellipses and observed variables boxes, arrows run
    left to right. Mediation diagrams carry the unstandardized OLS
    coefficients with stars from their *t* tests (``*`` *p* < .05,
    ``**`` *p* < .01, ``***`` *p* < .001); the indirect effect, which has no
    *t* test, is given with its bootstrap interval in the caption. In a
    moderated mediation the moderator's dashed arrow points at the variable
    whose equation holds the interaction, labelled with the interaction
    coefficient (the conceptual-diagram convention of Hayes). Covariates and
    the total effect are not drawn.

    A :class:`~csl_stats.SEMResult` is drawn with its constructs as ellipses
    (R² under the endogenous ones), standardized (std.all) structural paths
    with stars, and covariances between constructs (and, with
    ``indicators=True``, residual covariances between items) as dashed
    two-headed arrows; the caption gives the estimator, the missing-data
    handling, the fit and *n*. A :class:`~csl_stats.ProcessResult` is drawn
    as Hayes' *statistical* diagram: every regressor of every equation (X,
    the mediators, the moderators, each product term, covariates) is a box
    with an arrow to the outcome of its equation carrying the unstandardized
    coefficient; product terms are rounded boxes labelled "X × W" with
    dashed arrows; the indices of moderated mediation, with their intervals,
    are in the caption. With ``conceptual=True`` (or a model number) the
    same model is drawn as Hayes' *conceptual* diagram: a moderator's dashed
    arrow meets the path it moderates at a dot, and in a three-way
    (moderated moderation) template Z's arrow meets W's.

    References
    ----------
    Gansner, E. R., & North, S. C. (2000). An open graph visualization
    system and its applications to software engineering. *Software:
    Practice and Experience*, 30(11), 1203-1233.

    Hayes, A. F. (2022). *Introduction to Mediation, Moderation, and
    Conditional Process Analysis* (3rd ed.). Guilford Press.

    Examples
    --------
    >>> import csl_stats
    >>> df = csl_stats.load_supply_chain_survey()
    >>> med = csl_stats.mediation(df, x="dlv1", m="sat1", y="loy1", n_boot=200, rng=1)
    >>> d = plot_model(med)
    >>> print(d.dot.splitlines()[0])
    digraph "mediation" {
    >>> [line.strip() for line in d.dot.splitlines() if "->" in line][0]
    '"dlv1" -> "sat1" [label="a[sat1] = 0.25***"];'

    The conceptual diagram of a PROCESS template, by its number:

    >>> [line.strip() for line in plot_model(14).dot.splitlines() if '"W" ->' in line]
    ['"W" -> "moderates:M->Y" [style=dashed, constraint=false];']
    """
    check_flag(indicators, "indicators")
    check_flag(ci, "ci")
    check_flag(conceptual, "conceptual")
    if isinstance(digits, bool) or not isinstance(digits, int | np.integer) or not 0 <= digits <= 4:
        raise ArgumentError(f"digits must be an integer from 0 to 4; got {digits!r}.")
    # a multi-group SEMResult (a level of measurement_invariance) is refused with ArgumentError
    name = type(result).__name__
    if isinstance(result, int | np.integer) and not isinstance(result, bool):
        from ._process_templates import get_template

        t = get_template(int(result))
        return ModelDiagram(_template_dot(t, {"x": "X", "y": "Y", "w": "W", "z": "Z"}, t.generic_mediators()))
    if conceptual and name != "ProcessResult":
        raise ArgumentError(f"conceptual=True applies to a ProcessResult (or a PROCESS model number); got {name}, "
                            "whose diagram is drawn one way only.")
    if name in ("MediationResult", "ModeratedMediationResult"):
        return ModelDiagram(_mediation_dot(result, ci=ci, digits=digits))
    if name == "PLSResult":
        return ModelDiagram(_pls_dot(result, indicators=indicators, ci=ci, digits=digits))
    if name == "CFAResult":
        if ci:
            raise ArgumentError("ci=True: a CFAResult stores no confidence intervals; use ci=False (stars).")
        return ModelDiagram(_cfa_dot(result, indicators=indicators, digits=digits))
    if name == "SEMResult":
        return ModelDiagram(_sem_dot(result, indicators=indicators, ci=ci, digits=digits))
    if name == "ProcessResult":
        if conceptual:
            from ._process_templates import get_template

            names = {"x": str(result.x), "y": str(result.y), "w": str(result.w), "z": str(result.z)}
            return ModelDiagram(_template_dot(get_template(result.model), names, list(result.mediators)))
        return ModelDiagram(_process_dot(result, ci=ci, digits=digits))
    raise ArgumentTypeError(
        "plot_model draws MediationResult, ModeratedMediationResult, PLSResult, CFAResult, SEMResult and "
        "ProcessResult results, and PROCESS model numbers (int); "
        f"got {name}."
    )
