"""Packaging invariants: metadata, lazy imports, exports, environment.yml vs pyproject."""

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import csl_stats

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> tuple[str, str]:
    req = req.strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    name = m.group(1).lower().replace("_", "-")
    spec = ",".join(sorted(s.strip() for s in m.group(2).split(",") if s.strip()))
    return name, spec


def test_environment_yml_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(r) for r in pyproject["dependencies"]}
    for extra in ("book", "test"):
        wanted |= {_norm(r) for r in pyproject["optional-dependencies"][extra]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    found = set()
    for dep in env:
        if isinstance(dep, dict):
            found |= {_norm(r) for r in dep["pip"] if not r.startswith("-")}
        elif dep.split(">")[0].split("=")[0] not in ("python", "pip"):
            found.add(_norm(dep))
    assert found == wanted, f"only in environment.yml: {found - wanted}; only in pyproject: {wanted - found}"
    python = [d for d in env if isinstance(d, str) and d.startswith("python")]
    assert python == ["python" + pyproject["requires-python"]]


def test_version_from_metadata():
    from importlib.metadata import version

    assert csl_stats.__version__ == version("csl-stats")


def test_every_public_name_resolves():
    for name in csl_stats.__all__:
        assert getattr(csl_stats, name) is not None, name
    # each lazy name is exactly the object defined in the module it is mapped to
    for name, module in csl_stats._LAZY.items():
        assert getattr(csl_stats, name) is getattr(importlib.import_module(f"csl_stats.{module}"), name), name
    assert set(csl_stats.__all__) <= set(dir(csl_stats))
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        csl_stats.not_a_function  # noqa: B018


def test_every_module_all_is_exported():
    """Each public module's __all__ is reachable from the top level (one way to do each thing)."""
    exported = set(csl_stats.__all__)
    for path in sorted((ROOT / "csl_stats").glob("*.py")):
        if path.name.startswith("_") or path.stem == "errors":
            continue
        module = importlib.import_module(f"csl_stats.{path.stem}")
        missing = set(getattr(module, "__all__", [])) - exported
        assert not missing, f"csl_stats.{path.stem} defines {missing} but csl_stats does not export them"


def test_import_is_light():
    """`import csl_stats` must not pull in statsmodels, matplotlib, seaborn or scipy.stats."""
    code = (
        "import sys, csl_stats; heavy = [m for m in ('statsmodels', 'matplotlib', 'seaborn', 'pingouin', "
        "'scipy.stats') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_py_typed_shipped():
    assert (ROOT / "csl_stats" / "py.typed").exists()


def test_api_page_lists_every_public_name():
    """The book's API reference documents every name exported by csl_stats."""
    text = (ROOT / "book" / "api.md").read_text()
    listed = set(re.findall(r"^   ([A-Za-z_][A-Za-z0-9_]*)\s*$", text, flags=re.M))
    public = {n for n in csl_stats.__all__ if not n.startswith("_") and n not in ("datasets", "errors")}
    missing = public - listed
    assert not missing, f"add to book/api.md: {sorted(missing)}"


def test_toc_lists_every_chapter():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    chapters = {f"chapters/{p.stem}" for p in (ROOT / "book" / "chapters").glob("*.ipynb")}
    assert chapters <= files, f"chapters missing from _toc.yml: {sorted(chapters - files)}"


def test_function_not_shadowed_by_same_named_submodule():
    """``csl_stats.nps`` stays the function after ``csl_stats.nps`` the module is imported."""
    same = [name for name, mod in csl_stats._LAZY.items() if name == mod]
    for name in same:
        module = importlib.import_module(f"csl_stats.{name}")
        assert callable(getattr(csl_stats, name)) and not isinstance(getattr(csl_stats, name), type(module))
        assert getattr(csl_stats, name) is getattr(module, name)


def test_readme_quick_start_runs(capsys):
    """The README's quick start is real code: run it."""
    text = (ROOT / "README.md").read_text()
    code = re.search(r"## Quick start\n\n```python\n(.*?)```", text, flags=re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "indirect[trust]" in out and "NPS" in out
