"""The book's Sphinx extension (``_config.yml``: ``sphinx.local_extensions: {csl_book: tools/}``).

- ``{{ repository_url }}``, ``{{ pip_install_git }}`` and ``{{ chapters_url }}``: MyST
  substitutions derived from ``repository.url`` in ``_config.yml`` (the one place that names
  the repository).
- ``authoryear`` bibliography style: entries labelled "Author Year" (``Morgan and Hunt 1994``,
  ``Eklöf et al. 2002``, a/b suffixes for ties), sorted by author and year, so the references
  page matches the author-year citations in the text.
- ``.. csl-used-in::`` (from :mod:`chapter_links`): API pages list the chapters that use a name.
- One search field: pydata-sphinx-theme's header copy is switched off (``navbar_persistent``).
- After the build: drop the theme's 1.5 MB ``fontawesome.js`` (it swaps ``<i class="fa-...">``
  for inline SVG; the theme's CSS already draws the same icons from the woff2 webfonts) and the
  ``.ttf`` copies of those webfonts (every browser the theme supports takes woff2); load the
  search index (190 KiB, growing with the book) only on the search page and MathJax only on
  pages with math.
- ``_static/csl_book.css``: wide outputs scroll inside their own box at phone width.
"""

from __future__ import annotations

import re
from pathlib import Path

import chapter_links

FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
# pydata-sphinx-theme loads the whole search index on every page for its optional search-as-you-type
# (off here: the search dialog opens search.html, which loads the index itself).
# MathJax (1.1 MB) is needed only on pages with math: formulas (class "math") or notebook outputs
# (MathJax also processes "output_area"); other pages (API, references, intro) skip it.
MATHJAX = re.compile(r'\s*<script>window\.MathJax = .*?</script>|\s*<script defer="defer" src="[^"]*_static/mathjax/[^"]*"></script>')
NEEDS_MATH = re.compile(r'class="(?:[^"]* )?(?:math|output_area)[ "]')
SEARCH_INDEX = re.compile(r'\s*<script src="[^"]*searchindex\.js"></script>')


def _author_year_style():
    from pybtex.richtext import Text
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting import BaseSortingStyle

    def _names(entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [Text.from_latex(" ".join(p.last_names)).render_as("text") for p in people]
        if not last:
            return entry.fields.get("organization", entry.fields.get("title", "Anon."))[:30]
        if len(last) == 1:
            return last[0]
        if len(last) == 2:
            return f"{last[0]} and {last[1]}"
        return f"{last[0]} et al."

    class AuthorYearLabelStyle(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            entries = list(sorted_entries)
            base = [f"{_names(e)} {e.fields.get('year', 'n.d.')}" for e in entries]
            count = {b: base.count(b) for b in base}
            seen: dict[str, int] = {}
            for b in base:
                if count[b] > 1:
                    seen[b] = seen.get(b, 0) + 1
                    yield b + "abcdefghijklmnopqrstuvwxyz"[seen[b] - 1]
                else:
                    yield b

    class AuthorYearSortingStyle(BaseSortingStyle):
        # sort by the label's name part as the reader sees it (corporate authors are braced in BibTeX,
        # which would otherwise sort them after every personal name)
        def sorting_key(self, entry):
            return (_names(entry).lower(), entry.fields.get("year", ""), entry.fields.get("title", "").lower())

    class AuthorYearStyle(PlainStyle):
        default_label_style = AuthorYearLabelStyle
        default_sorting_style = AuthorYearSortingStyle

    return AuthorYearStyle


def _theme_options(app, config) -> None:
    # sphinx-book-theme 1.3 leaves pydata-sphinx-theme 0.17's header search field in place next to
    # its own sidebar search field: two search bars. Keep the sidebar one (and the header button).
    config.html_theme_options = {**(config.html_theme_options or {}), "navbar_persistent": []}


def _substitutions(app, config) -> None:
    url = (config.html_theme_options or {}).get("repository_url", "").rstrip("/")
    if not url:
        return
    branch = (config.html_theme_options or {}).get("repository_branch", "main")
    subs = dict(config.myst_substitutions or {})
    subs.setdefault("repository_url", f"<{url}>")
    subs.setdefault("pip_install_git", f'`pip install "csl-stats @ git+{url}"`')
    subs.setdefault("chapters_url", f"<{url}/tree/{branch}/book/chapters>")
    config.myst_substitutions = subs


def _trim_assets(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = FONTAWESOME_JS.sub("", text)
        if page.name != "search.html" and not (app.config.html_theme_options or {}).get("search_as_you_type"):
            new = SEARCH_INDEX.sub("", new)
        if not NEEDS_MATH.search(new):
            new = MATHJAX.sub("", new)
        if new != text:
            page.write_text(new, encoding="utf-8")
    for junk in [out / "_static" / "scripts" / "fontawesome.js", out / "_static" / "scripts" / "fontawesome.js.map",
                 *(out / "_static" / "vendor" / "fontawesome").rglob("*.ttf")]:
        if junk.exists():
            junk.unlink()


def setup(app):
    import pybtex.plugin

    pybtex.plugin.register_plugin("pybtex.style.formatting", "authoryear", _author_year_style())
    app.connect("config-inited", _substitutions)
    app.connect("config-inited", _theme_options)
    app.connect("build-finished", _trim_assets)
    app.add_css_file("csl_book.css")
    chapter_links.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
