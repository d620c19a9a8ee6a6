"""Render a built book page in headless Chromium and check it fits the window (no sideways scrolling).

Usage (after ``make book``)::

    python book/tools/check_layout.py book/_build/html/chapters/06_switching_threshold.html
    python book/tools/check_layout.py PAGE --screenshot /tmp/shots     # also write phone/desktop PNGs

For each width (390 px, a phone; 1280 px, a laptop) the page is copied next to itself with a
small script and shown in an iframe of that width; after loading, the script records ``document.documentElement.scrollWidth`` (the page
width including anything that sticks out), ``window.innerWidth`` and the elements that stick
out of the window; Chromium's ``--dump-dom`` returns them. Wide tables and long output lines
must scroll inside their own box (``overflow-x: auto``), not widen the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTHS = (390, 1280)
_PROBE = """<script>
window.addEventListener("load", function () { setTimeout(function () {
  var W = window.innerWidth, wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > W + 1 && wide.length < 10) {
      var p = el.parentElement, clipped = false;
      while (p) { var o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") { clipped = true; break; } p = p.parentElement; }
      if (!clipped) wide.push(el.tagName.toLowerCase() + "." + (el.className || "").toString().split(" ")[0] + " right=" + Math.round(r.right) + " '" + (el.textContent || "").trim().slice(0, 40) + "'");
    }
  });
  window.parent.postMessage(JSON.stringify({page: location.pathname.split("/").pop(), scroll_width: document.documentElement.scrollWidth, inner_width: W, wide: wide}), "*");
}, 300); });
</script>"""


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise FileNotFoundError("headless Chromium not found (Debian: apt-get install chromium)")
    return exe


def _run(args: list[str], width: int, height: int, profile: str) -> subprocess.CompletedProcess:
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={profile}", f"--window-size={max(width, 500) + 20},{height}", "--virtual-time-budget=2000", *args]
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}  # no D-Bus: starts a second faster
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)


_FRAME = """<!DOCTYPE html><html><body style="margin:0">{frames}
<script>window.addEventListener("message", function (e) {{
  var out = document.createElement("pre"); out.className = "csl-layout-probe"; out.textContent = e.data;
  document.body.appendChild(out); }});</script></body></html>"""
_IFRAME = '<iframe src="{src}" style="border:0;display:block;width:{width}px;height:{height}px"></iframe>'


def probe_many(pages: list[Path], widths: list[int], workdir: Path | None = None, height: int = 844) -> list[dict]:
    """``probe`` for several (page, width) pairs of one folder in a single Chromium run (it starts slowly)."""
    pages = [Path(p).resolve() for p in pages]
    folder = pages[0].parent
    if any(p.parent != folder for p in pages):
        raise ValueError("probe_many: all pages must be in one folder")
    inners, frames = [], []
    for page, width in zip(pages, widths, strict=True):
        inner = page.with_name(f"_layout_{width}_{page.name}")
        inner.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>", 1), encoding="utf-8")
        inners.append(inner)
        frames.append(_IFRAME.format(src=inner.name, width=width, height=height))
    frame = folder / "_layout_frame_many.html"
    frame.write_text(_FRAME.format(frames="\n".join(frames)), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(dir=workdir) as profile:
            res = _run(["--dump-dom", frame.as_uri()], max(widths), height, profile)
    finally:
        for f in [frame, *inners]:
            f.unlink()
    found = {}
    for m in re.finditer(r'<pre class="csl-layout-probe">(.*?)</pre>', res.stdout, re.S):
        r = json.loads(_unescape(m.group(1)))
        found[r["page"]] = r
    missing = [i.name for i in inners if i.name not in found]
    if missing:
        raise RuntimeError(f"the layout probe did not run on {missing}; chromium said: {res.stderr[-2000:]}")
    return [found[i.name] for i in inners]


def _unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _framed(page: Path, width: int, height: int, probe: bool) -> tuple[Path, Path]:
    """Write (frame page, framed copy of ``page``) next to ``page``: the frame shows it ``width`` px wide.

    Headless Chromium's window is at least 500 px wide, so phone widths are rendered in an iframe
    of that width (media queries see the iframe's width, as on a phone).
    """
    inner = page.with_name(f"_layout_{width}_{page.name}")
    html = page.read_text(encoding="utf-8")
    inner.write_text(html.replace("</body>", _PROBE + "</body>", 1) if probe else html, encoding="utf-8")
    frame = page.with_name(f"_layout_frame_{width}_{page.name}")
    frame.write_text(_FRAME.format(frames=_IFRAME.format(src=inner.name, width=width, height=height)), encoding="utf-8")
    return frame, inner


def probe(page: Path, width: int, workdir: Path | None = None, height: int = 844) -> dict:
    """Page width, window width and the elements sticking out, for ``page`` rendered ``width`` px wide."""
    page = Path(page).resolve()
    frame, inner = _framed(page, width, height, probe=True)
    try:
        with tempfile.TemporaryDirectory(dir=workdir) as profile:
            res = _run(["--dump-dom", frame.as_uri()], width, height, profile)
    finally:
        frame.unlink()
        inner.unlink()
    m = re.search(r'<pre class="csl-layout-probe">(.*?)</pre>', res.stdout, re.S)
    if not m:
        raise RuntimeError(f"the layout probe did not run; chromium said: {res.stderr[-2000:]}")
    return json.loads(_unescape(m.group(1)))


def screenshot(page: Path, out: Path, width: int, height: int = 2400) -> Path:
    """Write a PNG of the top ``height`` px of ``page`` at ``width`` px."""
    frame, inner = _framed(Path(page).resolve(), width, height, probe=False)
    try:
        with tempfile.TemporaryDirectory() as profile:
            _run([f"--screenshot={Path(out).resolve()}", frame.as_uri()], width, height, profile)
    finally:
        frame.unlink()
        inner.unlink()
    return Path(out)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(__doc__)
        return 2
    page = Path(argv[0])
    shots = Path(argv[argv.index("--screenshot") + 1]) if "--screenshot" in argv else None
    failed = False
    for w in WIDTHS:
        r = probe(page, w)
        ok = r["scroll_width"] <= r["inner_width"]
        failed |= not ok
        print(f"{page.name} at {w} px: page {r['scroll_width']} px wide, window {r['inner_width']} px: "
              f"{'ok' if ok else 'OVERFLOW ' + ', '.join(r['wide'])}")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            print("  screenshot:", screenshot(page, shots / f"{page.stem}_{w}.png", w))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
