"""Checks on the built HTML book: no external scripts/styles (works offline), page weight.

Usage::

    python book/tools/check_html.py book/_build/html            # fails on any external asset
    python book/tools/check_html.py book/_build/html --weight chapters/01_study.html

An external asset is a ``<script src>``, ``<img src>``, ``<iframe src>`` or a
``<link rel="stylesheet|preload|modulepreload|icon" href>`` whose URL has a scheme or
starts with ``//``. Plain links (``<a href>``), canonical links and launch buttons are fine:
the book must render from a folder or an intranet without network access.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ASSET_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut"}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.other: list[str] = []
        self.order: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
            self.order.append(a["src"])
        elif tag == "link" and a.get("href") and ASSET_RELS & set(a.get("rel", "").lower().split()):
            self.styles.append(a["href"])
            self.order.append(a["href"])
        elif tag in ("img", "iframe") and a.get("src"):
            self.other.append(a["src"])
            self.order.append(a["src"])


def _parse(page: Path) -> _Assets:
    p = _Assets()
    p.feed(page.read_text(encoding="utf-8", errors="replace"))
    return p


def external_assets(root: Path) -> list[tuple[Path, str]]:
    """(page, url) of every external script, stylesheet, image or frame in the HTML files under root."""
    found = []
    for page in sorted(Path(root).rglob("*.html")):
        found += [(page, u) for u in _parse(page).order if EXTERNAL.match(u) and not u.startswith("data:")]
    return found


def _local(page: Path, url: str) -> Path | None:
    if EXTERNAL.match(url):
        return None
    target = (page.parent / url.split("?")[0].split("#")[0]).resolve()
    return target if target.is_file() else None


def page_weight(page: Path) -> dict[str, int]:
    """Bytes of each local script and stylesheet a page loads, plus the woff2 fonts those stylesheets name.

    Keys are paths relative to the page's folder; fonts are counted once (a browser fetches
    the woff2 file of each @font-face it uses; this counts all of them: an upper bound).
    """
    page = Path(page)
    p = _parse(page)
    sizes: dict[str, int] = {}
    for url in p.scripts + p.styles:
        target = _local(page, url)
        if target is None:
            continue
        sizes[url.split("?")[0]] = target.stat().st_size
        if target.suffix == ".css":
            for font in re.findall(r"url\(\s*['\"]?([^'\")]+\.woff2)", target.read_text(errors="replace")):
                f = (target.parent / font).resolve()
                if f.is_file():
                    sizes[str(Path(url.split("?")[0]).parent / font).replace("\\", "/")] = f.stat().st_size
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__)
        return 2
    root = Path(argv[0])
    if "--weight" in argv:
        page = root / argv[argv.index("--weight") + 1]
        sizes = page_weight(page)
        for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]):
            print(f"{v / 1024:9.1f} KiB  {k}")
        print(f"{sum(sizes.values()) / 1024:9.1f} KiB  total (scripts, stylesheets, woff2 fonts) for {page.name}")
        return 0
    pages = list(root.rglob("*.html"))
    if not pages:
        print(f"check_html: no HTML pages under {root}")
        return 1
    found = external_assets(root)
    for page, url in found:
        print(f"{page.relative_to(root)}: external asset {url}")
    if found:
        print(f"check_html: {len(found)} external assets; the book must work offline")
        return 1
    print(f"check_html: {len(pages)} pages, no external scripts, stylesheets or images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
