"""csl_stats: customer satisfaction and loyalty statistics for supply chains.

Public functions are imported lazily (PEP 562): ``import csl_stats`` loads only
this file, :mod:`csl_stats.errors` and package metadata, and a submodule (with
its statsmodels, matplotlib or seaborn imports) is loaded the first time one of
its names is used. Every public name is listed in ``__all__``.

Examples
--------
>>> import csl_stats
>>> data = csl_stats.load_supply_chain_survey()
>>> data.shape[0]
1000
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import errors

try:
    __version__ = version("csl-stats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

# name -> submodule that defines it. One section per topic; keep sorted within a section.
_LAZY: dict[str, str] = {
    # --- datasets (issue 2) ---
    "load_supply_chain_survey": "datasets",
    "simulate_supply_chain_survey": "datasets",
    # --- reliability and validity (issue 3) ---
    # --- scoring (issue 4) ---
    # --- satisfaction -> loyalty (issue 5) ---
    # --- mediation (issue 6) ---
    # --- key drivers (issue 7) ---
    # --- index model / PLS-PM (issue 8) ---
}

_SUBMODULES = ("datasets", "errors")

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # cache: the next access skips __getattr__
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'csl_stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
