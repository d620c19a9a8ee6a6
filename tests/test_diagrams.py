"""plot_model: Graphviz DOT path diagrams (snapshots) and rendering where `dot` exists."""

import base64
import os
import shutil
import warnings
from pathlib import Path

import pytest

import csl_stats
from csl_stats.diagrams import ModelDiagram, plot_model
from csl_stats.errors import ArgumentError, ArgumentTypeError

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/snapshots/<name>``.

    Regenerate after an intended change: CSL_UPDATE_SNAPSHOTS=1 pytest tests/test_diagrams.py; review the diff.
    """
    path = SNAPSHOTS / name
    if os.environ.get("CSL_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the committed snapshot"


PLS_BLOCKS = {"DLV": ["dlv1", "dlv2", "dlv3"], "SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]}


@pytest.fixture(scope="module")
def fits():
    df = csl_stats.load_supply_chain_survey()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "mediation": csl_stats.mediation(df, x="dlv1", m=["sat1", "trs1"], y="loy1", covariates="swc1",
                                             n_boot=200, rng=1),
            "modmed": csl_stats.moderated_mediation(df, x="dlv1", m="sat1", y="loy1", w="swc1", n_boot=100,
                                                    rng=1),
            "pls": csl_stats.pls_pm(df, PLS_BLOCKS, [("DLV", "SAT"), ("SAT", "LOY"), ("DLV", "LOY")],
                                    n_boot=100, rng=1),
            "cfa": csl_stats.cfa(df, {"dlv": ["dlv1", "dlv2", "dlv3"], "qlt": ["qlt1", "qlt2", "qlt3", "qlt4"]}),
        }


@pytest.mark.parametrize(("name", "kwargs", "snapshot"), [
    ("mediation", {"ci": True}, "diagram_mediation.dot"),
    ("modmed", {}, "diagram_modmed.dot"),
    ("pls", {"indicators": True}, "diagram_pls_indicators.dot"),
    ("pls", {"ci": True}, "diagram_pls_ci.dot"),
    ("cfa", {"indicators": True}, "diagram_cfa.dot"),
])
def test_dot_matches_snapshot(fits, name, kwargs, snapshot):
    check_snapshot(snapshot, plot_model(fits[name], **kwargs).dot)


def test_dot_content(fits):
    med = fits["mediation"]
    dot = plot_model(med).dot
    assert "rankdir=LR" in dot and "swc1" not in dot  # covariate not drawn
    a = med.paths.loc["a[sat1]"]
    stars = "***" if a["p"] < 0.001 else ""
    assert f'"dlv1" -> "sat1" [label="a[sat1] = {a["estimate"]:.2f}{stars}"];' in dot
    assert dot.count("->") == 5  # a1, a2, c', b1, b2; the total effect is not drawn
    pls = plot_model(fits["pls"]).dot
    assert '"SAT" [shape=ellipse' in pls and "dlv1" not in pls
    low = fits["pls"].path_table.iloc[0]["ci_low"]
    assert f"[{low:.2f}".replace("0.", ".") in plot_model(fits["pls"], ci=True).dot
    mm = plot_model(fits["modmed"]).dot
    # the moderator's dashed arrow meets the moderated a path at a point (Hayes' conceptual diagram)
    assert '"dlv1" -> "moderates:dlv1->sat1" [arrowhead=none, label="a[sat1] = ' in mm
    assert '"moderates:dlv1->sat1" -> "sat1";' in mm
    assert '"swc1" -> "moderates:dlv1->sat1" [style=dashed' in mm and "index[sat1]" in mm
    assert "indirect[sat1] at swc1 = 3.00: " in mm


def test_note_lines_are_wrapped_and_left_justified(fits):
    for fit in fits.values():
        label = plot_model(fit).dot.splitlines()[-2]
        assert label.startswith('  label="') and label.endswith('\\l";')
        assert all(len(line) <= 72 for line in label[len('  label="'):-len('\\l";')].split("\\l"))


def test_bad_arguments(fits):
    with pytest.raises(ArgumentTypeError, match="got RegressionResult"):
        plot_model(csl_stats.regress(csl_stats.load_supply_chain_survey(), "loy1", ["sat1"]))
    with pytest.raises(ArgumentError, match="no confidence intervals"):
        plot_model(fits["cfa"], ci=True)
    with pytest.raises(ArgumentTypeError, match="indicators"):
        plot_model(fits["pls"], indicators="yes")
    with pytest.raises(ArgumentError, match="digits"):
        plot_model(fits["pls"], digits=9)


def test_without_dot_the_text_is_shown(fits, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    d = plot_model(fits["pls"])
    assert d._repr_mimebundle_() == ({"text/plain": d.dot}, {})
    assert not hasattr(d, "_repr_svg_")  # IPython would add an SVG (which names the Graphviz version)
    with pytest.raises(RuntimeError, match="Graphviz"):
        d.render(tmp_path / "x.svg")
    assert d.render(tmp_path / "x.dot").read_text() == d.dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' program not installed")
def test_render_svg_and_png(fits, tmp_path):
    d = plot_model(fits["pls"], indicators=True)
    svg = d.render(tmp_path / "m.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and ">SAT<" in svg and ">loy3<" in svg
    png = d.render(tmp_path / "m.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, meta = d._repr_mimebundle_()
    # notebook display: text/plain is the DOT text with or without Graphviz; the PNG (which nbval does not
    # compare) is rendered at 2x and shown at half its pixel width
    assert set(data) == {"text/plain", "image/png"} and data["text/plain"] == d.dot
    raw = base64.b64decode(data["image/png"])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    assert meta["image/png"]["width"] == int.from_bytes(raw[16:20], "big") // 2
    assert d.pipe("png", dpi=192) == raw  # deterministic rendering
    assert d.pipe("svg") == d.pipe("svg")
    assert int.from_bytes(d.pipe("png", dpi=192)[16:20], "big") > int.from_bytes(d.pipe("png")[16:20], "big")
    with pytest.raises(ArgumentError, match="dpi"):
        d.pipe("png", dpi=5)
    with pytest.raises(RuntimeError, match="dot failed"):
        ModelDiagram("digraph { a -> }").pipe("svg")


@pytest.mark.parametrize("model", [7, 11, 6])
def test_process_template_conceptual_diagram_matches_snapshot(model):
    check_snapshot(f"diagram_template_{model}.dot", plot_model(model).dot)


def test_process_template_conceptual_diagrams():
    from csl_stats._process_templates import TEMPLATES

    for number, t in TEMPLATES.items():
        dot = plot_model(number).dot
        assert dot.startswith(f'digraph "process_model_{number}" {{') and f"PROCESS model {number}: " in dot
        # one dot on every moderated path (mediator links and per-mediator moderation included)
        moderated = [arrow for arrow in t.arrows(len(t.generic_mediators())) if arrow[3]]
        assert dot.count("[shape=point, width=0.08") == len(moderated)
        for *_, mod in moderated:  # every single moderator of a path sends a dashed arrow
            for (role,) in (term for term in mod if len(term) == 1):
                assert f'"{role.upper()}" -> "moderates:' in dot
        for role, name in (("w", "W"), ("z", "Z")):
            assert (f'"{name}" [shape=box, style=filled' in dot) == (role in t.roles)
    seven = plot_model(7).dot
    assert '"X" -> "moderates:X->M" [arrowhead=none];' in seven and '"moderates:X->M" -> "M";' in seven
    assert '"W" -> "moderates:X->M" [style=dashed, constraint=false];' in seven and '"X" -> "Y";' in seven
    eleven = plot_model(11).dot  # three-way: Z's arrow meets W's arrow
    assert '"Z" -> "moderates:W->moderates:X->M" [style=dashed' in eleven and "three-way" in eleven
    assert '"M1" -> "M2";' in plot_model(6).dot and "moderates" not in plot_model(6).dot
    assert '"W" -> "moderates:M1->M2" [style=dashed' in plot_model(91).dot  # a moderated mediator link
    seventy_four = plot_model(74).dot  # X moderates its own M -> Y path: no separate moderator box
    assert '"X" -> "moderates:M->Y" [style=dashed' in seventy_four and "style=filled" not in seventy_four
    with pytest.raises(ArgumentError, match="not available here|not a PROCESS v4 model"):
        plot_model(99)
    with pytest.raises(ArgumentError, match="conceptual=True applies to a ProcessResult"):
        plot_model(csl_stats.mediation(csl_stats.load_supply_chain_survey(), x="dlv1", m="sat1", y="loy1",
                                       n_boot=100, rng=1), conceptual=True)
    with pytest.raises(ArgumentTypeError, match="conceptual"):
        plot_model(7, conceptual="yes")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' program not installed")
def test_rendering_keeps_every_label():
    """Graphviz silently drops labels it cannot place (e.g. on constraint=false edges): none may go missing."""
    import html
    import re

    df = csl_stats.load_supply_chain_survey()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = csl_stats.moderated_mediation(df, "dlv1", ["sat1", "trs1"], "loy1", "swc1", stage="both",
                                             moderate_direct=True, n_boot=100, rng=1)
    d = plot_model(both)
    labels = re.findall(r'\[(?:[^\]]*, )?label="([^"]+)"', d.dot)
    assert len(labels) == 10  # 5 paths and 5 interactions
    svg = html.unescape(d.pipe("svg").decode("utf-8"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert all(lab in texts for lab in labels), [lab for lab in labels if lab not in texts]


def test_a_failing_dot_shows_the_text(fits, monkeypatch):
    d = plot_model(fits["pls"])

    def broken(*args, **kwargs):
        raise RuntimeError("dot failed: no PNG renderer")

    monkeypatch.setattr(shutil, "which", lambda _name: "/usr/bin/dot")
    monkeypatch.setattr(ModelDiagram, "pipe", broken)
    assert d._repr_mimebundle_() == ({"text/plain": d.dot}, {})


def test_mediation_diagram_of_a_binary_outcome_names_the_logit():
    """Regression: the note under a mediation or moderated-mediation diagram said "Unstandardized OLS
    coefficients" when the paths into a 0/1 outcome were logistic-regression (log-odds) coefficients."""
    df = csl_stats.load_supply_chain_survey()
    d = df.assign(sat=df[["sat1", "sat2", "sat3"]].mean(axis=1), trs=df[["trs1", "trs2"]].mean(axis=1),
                  swc=df[["swc1", "swc2", "swc3"]].mean(axis=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        med = csl_stats.mediation(d, x="sat", m="trs", y="churned", y_family="binomial", n_boot=100, rng=1)
        mm = csl_stats.moderated_mediation(d, "sat", "trs", "churned", "swc", stage="second",
                                           y_family="binomial", n_boot=100, rng=1)
    for r in (med, mm):
        dot = plot_model(r).dot
        assert "Unstandardized OLS coefficients" not in dot
        assert "logistic regression (log-odds) for churned" in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_indicators_are_drawn_in_their_order():
    """Regression: with indicators=True Graphviz placed each construct's items in the order that minimised
    crossings (qlt3, qlt4, qlt1, qlt2 on the survey), not the order of the items; they now stack top to bottom
    in the order given (PLS outer model, SEM and CFA measurement models)."""
    import subprocess

    df = csl_stats.load_supply_chain_survey()
    blocks = {"DLV": ["dlv1", "dlv2", "dlv3", "dlv4"], "QLT": ["qlt1", "qlt2", "qlt3", "qlt4"],
              "SAT": ["sat1", "sat2", "sat3"], "TRS": ["trs1", "trs2", "trs3", "trs4"]}
    paths = [("DLV", "SAT"), ("QLT", "SAT"), ("SAT", "TRS"), ("DLV", "TRS")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [csl_stats.pls_pm(df, blocks, paths), csl_stats.sem(df, blocks, paths),
                   csl_stats.cfa(df, blocks)]
    for res in results:
        plain = subprocess.run(["dot", "-Tplain"], input=plot_model(res, indicators=True).dot, text=True,
                               capture_output=True, check=True).stdout
        y = {ln.split()[1].strip('"'): float(ln.split()[3]) for ln in plain.splitlines() if ln.startswith("node")}
        for items in blocks.values():
            heights = [y[f"item:{i}"] for i in items]
            assert heights == sorted(heights, reverse=True), (type(res).__name__, items, heights)
