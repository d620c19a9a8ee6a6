"""plot_model: Graphviz DOT path diagrams (snapshots) and rendering where `dot` exists."""

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
    assert '"swc1" -> "sat1" [style=dashed' in mm and "index[sat1]" in mm


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
    assert d._repr_mimebundle_() == {"text/plain": d.dot}
    assert d._repr_svg_() is None
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
    assert "image/svg+xml" in d._repr_mimebundle_()
    with pytest.raises(RuntimeError, match="dot failed"):
        ModelDiagram("digraph { a -> }").pipe("svg")
