"""Which chapters use which public function: the "Used in chapters" lists of the API pages.

A Sphinx extension (loaded from ``_config.yml`` ``sphinx.local_extensions``) with one
directive, ``.. csl-used-in:: csl_stats.name``, used by the autosummary templates in
``book/_templates/autosummary``. At build time it scans the chapter notebooks for
``csl_stats.<name>`` (in code and prose) and writes links to the chapters that use the name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

NAME = re.compile(r"\bcsl_stats\.([A-Za-z_][A-Za-z0-9_]*)")


def usage(chapters: Path, names: set[str]) -> dict[str, list[str]]:
    """Map each public name to the chapters (notebook stems, sorted) that mention ``csl_stats.<name>``."""
    found: dict[str, list[str]] = {}
    for nb in sorted(Path(chapters).glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
        for name in sorted(set(NAME.findall(text)) & names):
            found.setdefault(name, []).append(nb.stem)
    return found


def setup(app):  # pragma: no cover - exercised by the book build
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    cache: dict[str, dict[str, list[str]]] = {}

    def _usage(srcdir: str) -> dict[str, list[str]]:
        if srcdir not in cache:
            import csl_stats

            cache[srcdir] = usage(Path(srcdir) / "chapters", set(csl_stats.__all__))
        return cache[srcdir]

    class UsedIn(SphinxDirective):
        required_arguments = 1

        def run(self):
            name = self.arguments[0].rsplit(".", 1)[-1]
            docs = _usage(self.env.srcdir).get(name, [])
            if not docs:
                return []
            links = ", ".join(f":doc:`/chapters/{d}`" for d in docs)
            node = nodes.container(classes=["csl-used-in"])
            self.state.nested_parse(StringList([f"**Used in chapters:** {links}"]), self.content_offset, node)
            return [node]

    app.add_directive("csl-used-in", UsedIn)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
