"""The book's conventions (BRIEF "Chapter conventions"), checked on the committed notebooks.

Every chapter in ``book/chapters/*.ipynb`` must have:

- a title cell ``# ...``, a "Learning objectives" bullet list and, in the same or the next
  markdown cell, the install note (``pip install csl-stats`` or ``pip install "csl-stats[extra]"``);
- figures: every code cell with an image output carries ``mystnb.figure.caption``,
  ``mystnb.figure.name`` (``fig-...``, unique across the book) and ``mystnb.image.alt``
  (words, not a file name, at least 20 characters); one image per cell; at most 7 inches wide;
  the first code cell switches the inline backend to retina PNG (readable on phones);
- ``## Key terms`` (a definition list), then ``## Exercises`` with 3-5 ``### Exercise N``
  cells numbered 1, 2, ... (the first may share its cell with the ``## Exercises`` heading);
  each followed by its solution: a markdown cell starting
  ``**Solution N.**`` and/or a code cell tagged ``hide-input`` that ran without error.

Also: the book's HTML checker (``book/tools/check_html.py``) on synthetic pages, the
page-layout check at phone width in headless Chromium (skipped without Chromium or a
built book), and the API pages' links back to the chapters.
"""

import json
import re
import shutil
import struct
import sys
from base64 import b64decode
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted((BOOK / "chapters").glob("*.ipynb"))
RETINA = '%config InlineBackend.figure_formats = ["retina"]'
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
MAX_WIDTH_PX = 760  # 7 inches at the inline backend's 100 dpi, plus what a tight bounding box adds

sys.path.insert(0, str(BOOK / "tools"))
import chapter_links  # noqa: E402
import check_html  # noqa: E402
import check_layout  # noqa: E402
import csl_book  # noqa: E402


def _cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for c in cells:
        c["text"] = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
    return cells


def _images(cell: dict) -> list[tuple[str, dict, dict]]:
    out = []
    for o in cell.get("outputs", []):
        for kind in IMAGE_TYPES:
            if kind in o.get("data", {}):
                out.append((kind, o["data"], o.get("metadata", {}).get(kind, {})))
    return out


def _png_width(data: str) -> int:
    raw = b64decode(data)
    return struct.unpack(">I", raw[16:20])[0]


chapter = pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])


@chapter
def test_title_objectives_and_install_note(path):
    cells = _cells(path)
    md = [(i, c["text"]) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    assert md and md[0][1].startswith("# "), f"{path.name}: the first cell must be the title '# ...'"
    obj = [k for k, (_, t) in enumerate(md) if "Learning objectives" in t]
    assert obj, f"{path.name}: no 'Learning objectives' list"
    k = obj[0]
    after = md[k][1].split("Learning objectives", 1)[1]
    assert re.search(r"^\s*[-*] \S", after, re.M), f"{path.name}: 'Learning objectives' is not followed by a bullet list"
    note = after + "\n" + (md[k + 1][1] if k + 1 < len(md) else "")
    assert re.search(r"pip install \"?csl-stats", note), (
        f"{path.name}: the install note (pip install csl-stats ...) must follow the learning objectives"
    )


@chapter
def test_figures_have_caption_name_and_alt(path):
    problems = []
    for i, c in enumerate(_cells(path)):
        if c["cell_type"] != "code" or not _images(c):
            continue
        md = c.get("metadata", {}).get("mystnb", {})
        fig, img = md.get("figure", {}), md.get("image", {})
        caption, name, alt = fig.get("caption", ""), fig.get("name", ""), img.get("alt", "")
        if len(caption.strip()) < 10:
            problems.append(f"cell {i}: no mystnb.figure.caption")
        if not re.fullmatch(r"fig-[a-z0-9][a-z0-9-]*", name):
            problems.append(f"cell {i}: mystnb.figure.name must look like 'fig-<slug>', got {name!r}")
        if len(alt.strip()) < 20 or " " not in alt.strip() or re.search(r"\S+\.(png|svg|jpe?g)\b", alt):
            problems.append(f"cell {i}: mystnb.image.alt must describe the figure in words (>= 20 chars), got {alt!r}")
        if len(_images(c)) != 1:
            problems.append(f"cell {i}: {len(_images(c))} images in one cell (draw one figure, show it once)")
        for kind, data, meta in _images(c):
            if kind == "image/png":
                width = meta.get("width", _png_width(data[kind]))
                if width > MAX_WIDTH_PX:
                    problems.append(f"cell {i}: figure {width} px wide (> 7 inches); stack panels vertically")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


@chapter
def test_figures_are_retina(path):
    cells = _cells(path)
    if not any(c["cell_type"] == "code" and _images(c) for c in cells):
        pytest.skip("no figures")
    first = next(c for c in cells if c["cell_type"] == "code")
    assert RETINA in first["text"], f"{path.name}: the first code cell must contain {RETINA}"
    for c in cells:
        for kind, data, meta in _images(c):
            if kind == "image/png":
                assert "width" in meta, f"{path.name}: a PNG without display width (not retina)"
                assert _png_width(data[kind]) >= 1.9 * meta["width"], f"{path.name}: PNG is not 2x"


def test_figure_names_unique_across_the_book():
    seen: dict[str, str] = {}
    dups = []
    for path in CHAPTERS:
        for c in _cells(path):
            name = c.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
            if name:
                if name in seen:
                    dups.append(f"{name} in {seen[name]} and {path.name}")
                seen[name] = path.name
    assert not dups, dups


@chapter
def test_key_terms_and_exercises_with_solutions(path):
    cells = _cells(path)
    heads = [(i, c["text"]) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    key = [i for i, t in heads if re.search(r"^## Key terms\s*$", t, re.M)]
    ex = [i for i, t in heads if re.search(r"^## Exercises\s*$", t, re.M)]
    assert key, f"{path.name}: no '## Key terms' section"
    assert ex and ex[0] >= key[0], f"{path.name}: '## Exercises' must follow '## Key terms'"
    terms = cells[key[0]]["text"].split("## Key terms", 1)[1]
    if ex[0] != key[0]:
        terms += "".join(cells[j]["text"] for j in range(key[0] + 1, ex[0]) if cells[j]["cell_type"] == "markdown")
    terms = terms.split("## Exercises", 1)[0]
    assert re.search(r"^\S.*\n: \S", terms, re.M), f"{path.name}: '## Key terms' must be a definition list"
    # an exercise cell starts with '### Exercise N' (the first may follow the '## Exercises' heading in its cell)
    starts = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
              and re.sub(r"^## Exercises\s*", "", c["text"]).startswith("### Exercise")]
    numbers = [int(m.group(1)) for i in starts
               if (m := re.match(r"### Exercise (\d+)\b", re.sub(r"^## Exercises\s*", "", cells[i]["text"])))]
    assert len(numbers) == len(starts), f"{path.name}: exercise headings must read '### Exercise N'"
    assert 3 <= len(numbers) <= 5, f"{path.name}: {len(numbers)} exercises (want 3-5)"
    assert numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercises numbered {numbers}"
    assert all(i >= ex[0] for i in starts), f"{path.name}: exercises must be under '## Exercises'"
    for n, i in zip(numbers, starts, strict=True):
        end = next((j for j in starts if j > i), len(cells))
        block = cells[i + 1 : end]
        prose = block and block[0]["cell_type"] == "markdown" and block[0]["text"].startswith(f"**Solution {n}.**")
        code = [c for c in block if c["cell_type"] == "code" and "hide-input" in c.get("metadata", {}).get("tags", [])]
        assert prose or (block and block[0] in code), (
            f"{path.name}: Exercise {n} must be followed by '**Solution {n}.**' or a hide-input code cell"
        )
        for c in code:
            assert c.get("outputs"), f"{path.name}: Exercise {n}'s solution code has no output (not executed?)"
            assert not any(o["output_type"] == "error" for o in c["outputs"]), f"{path.name}: Exercise {n} fails"


# --- HTML checks -------------------------------------------------------------------------------


def test_check_html_flags_external_assets(tmp_path):
    (tmp_path / "ok.html").write_text(
        '<html><head><script src="_static/a.js"></script><link rel="stylesheet" href="_static/a.css">'
        '<link rel="canonical" href="https://example.org/x.html"></head>'
        '<body><a href="https://example.org">a link is fine</a></body></html>'
    )
    assert check_html.external_assets(tmp_path) == []
    (tmp_path / "bad.html").write_text(
        '<html><head><script src="https://cdn.example.org/mathjax.js"></script>'
        "<link href='//fonts.example.org/f.css' rel='stylesheet'></head><body>"
        '<img src="http://example.org/x.png"></body></html>'
    )
    found = check_html.external_assets(tmp_path)
    assert [(f.name, url) for f, url in found] == [
        ("bad.html", "https://cdn.example.org/mathjax.js"),
        ("bad.html", "//fonts.example.org/f.css"),
        ("bad.html", "http://example.org/x.png"),
    ]
    assert check_html.main([str(tmp_path)]) == 1


def test_page_weight_counts_scripts_styles_and_fonts(tmp_path):
    static = tmp_path / "_static"
    static.mkdir()
    (static / "a.js").write_bytes(b"x" * 1000)
    (static / "a.css").write_text("@font-face{src:url(f.woff2)}")
    (static / "f.woff2").write_bytes(b"y" * 500)
    (tmp_path / "p.html").write_text('<script src="_static/a.js"></script><link rel="stylesheet" href="_static/a.css">')
    weight = check_html.page_weight(tmp_path / "p.html")
    assert weight == {"_static/a.js": 1000, "_static/a.css": 28, "_static/f.woff2": 500}


def test_chapter_links_scans_public_names(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["x = csl_stats.nps(d)\ny = csl_stats.scale_scores(d)\n"]},
                    {"cell_type": "markdown", "source": ["see {func}`csl_stats.cfa` and csl_stats.nps"]}]}
    (tmp_path / "01_a.ipynb").write_text(json.dumps(nb))
    (tmp_path / "02_b.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "csl_stats.nps(x)"}]}))
    usage = chapter_links.usage(tmp_path, {"nps", "scale_scores", "cfa", "kmo"})
    assert usage == {"nps": ["01_a", "02_b"], "scale_scores": ["01_a"], "cfa": ["01_a"]}


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BUILT = BOOK / "_build" / "html" / "chapters"


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed")
@pytest.mark.skipif(not BUILT.is_dir(), reason="book not built (run after the book build)")
def test_chapter_pages_have_no_horizontal_overflow(tmp_path):
    """Every built chapter page fits a phone's 390 px (wide outputs scroll in their own box), and 1280 px."""
    pages = sorted(BUILT.glob("[0-9][0-9]_*.html"))
    assert pages, "no chapter pages in the build"
    todo = [(p, 390) for p in pages] + [(pages[0], 1280)]
    results = check_layout.probe_many([p for p, _ in todo], [w for _, w in todo], workdir=tmp_path)
    bad = [(p.name, w, r) for (p, w), r in zip(todo, results, strict=True) if r["scroll_width"] > r["inner_width"]]
    assert not bad, bad


def test_repository_url_is_one_setting():
    """_config.yml's repository.url is the only place naming the repository; pyproject agrees."""
    import tomllib

    import yaml

    url = yaml.safe_load((BOOK / "_config.yml").read_text())["repository"]["url"]
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Repository"] == url
    owner, repo = re.match(r"https://github\.com/([^/]+)/([^/]+)$", url).groups()
    assert urls["Documentation"].rstrip("/") == f"https://{owner}.github.io/{repo}"
    intro = (BOOK / "intro.md").read_text()
    assert "{{ pip_install_git }}" in intro and "{{ repository_url }}" in intro
    assert "<repository>" not in intro and "github.com" not in intro
    assert "pip install csl-stats" in intro


def test_trim_assets_drops_fontawesome_js_and_search_index(tmp_path):
    from types import SimpleNamespace



    (tmp_path / "_static" / "scripts").mkdir(parents=True)
    (tmp_path / "_static" / "scripts" / "fontawesome.js").write_text("x")
    fonts = tmp_path / "_static" / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    (fonts / "fa-solid-900.ttf").write_text("x")
    (fonts / "fa-solid-900.woff2").write_text("x")
    head = ('<script defer src="../_static/scripts/fontawesome.js?digest=abc"></script>\n'
            '<script src="../searchindex.js"></script>\n<script src="../_static/doctools.js"></script>'
            '\n<script>window.MathJax = {"options": {}}</script>'
            '\n<script defer="defer" src="../_static/mathjax/tex-chtml.js"></script>')
    (tmp_path / "page.html").write_text(head)
    (tmp_path / "search.html").write_text(head)
    (tmp_path / "maths.html").write_text(head + '<span class="math notranslate">\\(x\\)</span>')
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"),
                          config=SimpleNamespace(html_theme_options={}))
    csl_book._trim_assets(app, None)
    assert (tmp_path / "page.html").read_text() == '\n<script src="../_static/doctools.js"></script>'
    assert "searchindex.js" in (tmp_path / "search.html").read_text()
    assert "fontawesome" not in (tmp_path / "search.html").read_text()
    assert "mathjax" not in (tmp_path / "search.html").read_text().lower()
    maths = (tmp_path / "maths.html").read_text()
    assert "tex-chtml.js" in maths and "window.MathJax" in maths and "searchindex" not in maths
    assert not (tmp_path / "_static" / "scripts" / "fontawesome.js").exists()
    assert not (fonts / "fa-solid-900.ttf").exists() and (fonts / "fa-solid-900.woff2").exists()


def test_bibliography_labels_are_author_year():
    """The references page labels entries 'Author Year' (as the citations read), unique, sorted by author."""
    from pybtex.database import parse_file

    style = csl_book._author_year_style()()
    bib = parse_file(str(BOOK / "references.bib"))
    formatted = list(style.format_entries(bib.entries.values()))
    labels = [e.label for e in formatted]
    assert len(set(labels)) == len(labels)
    assert all(re.fullmatch(r"\S.* (\d{4}[a-z]?|n\.d\.)", lab) for lab in labels), labels
    assert "Morgan and Hunt 1994" in labels and "Kapuscinski et al. 2004" in labels
    assert not any("{" in lab or "\\" in lab for lab in labels)
    firsts = [lab.split()[0].lower() for lab in labels]
    assert firsts == sorted(firsts)


def test_repository_substitutions_come_from_the_config():
    from types import SimpleNamespace

    config = SimpleNamespace(html_theme_options={"repository_url": "https://github.com/o/r/", "repository_branch": "dev"},
                             myst_substitutions={"other": "x"})
    csl_book._substitutions(None, config)
    assert config.myst_substitutions == {
        "other": "x",
        "repository_url": "<https://github.com/o/r>",
        "pip_install_git": '`pip install "csl-stats @ git+https://github.com/o/r"`',
        "chapters_url": "<https://github.com/o/r/tree/dev/book/chapters>",
    }
