"""Base class for result objects.

Every public function returns a frozen dataclass derived from :class:`Result`.
A result stores one tidy table (plus the few scalars that do not fit in it);
accessors derive from that table rather than storing the same number twice.
``to_frame()`` returns a copy of the tidy table, ``summary()`` the table a
paper would print, and ``_repr_html_`` renders it in notebooks.

A subclass names the field that holds its tidy table in the class attribute
``_frame`` (e.g. ``_frame = "effects"``) and inherits ``to_frame()``, which
returns a copy, so callers can never change a result through its table. A
subclass whose table is computed overrides ``to_frame()`` instead; one that
does neither cannot be instantiated.

Subclasses are declared with :func:`result_dataclass`, which is
``dataclasses.dataclass(frozen=True, eq=False, repr=False)``: ``eq`` is off
because results hold DataFrames (whose ``==`` is element-wise), ``repr`` is
supplied here.
"""

from __future__ import annotations

import abc
import dataclasses
import html
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Result", "result_dataclass"]


def result_dataclass(cls: type) -> type:
    """Decorate a :class:`Result` subclass as a frozen, repr-less dataclass."""
    return dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)


def _scalar_fields(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if not f.repr:
            continue
        v = getattr(obj, f.name)
        if isinstance(v, bool | int | float | str | np.integer | np.floating) or v is None:
            out[f.name] = v
        elif isinstance(v, tuple) and len(v) <= 4 and all(isinstance(e, int | float | np.number) for e in v):
            out[f.name] = v
    return out


def _fmt_value(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return f"{v:.4g}"
    if isinstance(v, tuple):
        return "(" + ", ".join(_fmt_value(e) for e in v) + ")"
    return str(v)


def _copy_of_frame(self: Result) -> pd.DataFrame:
    """Return a copy of the result's tidy table (one row per estimate)."""
    return getattr(self, self._frame).copy()


class Result(abc.ABC):
    """Mixin for result dataclasses: tidy table, summary and notebook display."""

    #: Short human title used by ``repr`` and the HTML display.
    _title: str = "Result"
    #: Name of the field holding the tidy table returned (as a copy) by ``to_frame()``.
    _frame: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_frame") is not None and "to_frame" not in cls.__dict__:
            cls.to_frame = _copy_of_frame  # type: ignore[method-assign]

    @abc.abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """Return the result's tidy table (one row per estimate)."""

    def summary(self) -> pd.DataFrame:
        """Return the table to report; by default the tidy table itself."""
        return self.to_frame()

    def to_table(self, style: str = "apa", fmt: str = "markdown", **kwargs: Any) -> Any:
        """Publication table of this result: the same as :func:`csl_stats.report_table` (``result, ...``)."""
        from .report import report_table

        return report_table(self, style=style, fmt=fmt, **kwargs)

    def methods_text(self, *, rng: int | None = None) -> str:
        """Methods paragraph for this result: the same as :func:`csl_stats.methods_text` (``result, rng=rng``)."""
        from .report import methods_text

        return methods_text(self, rng=rng)

    def _header(self) -> str:
        scal = _scalar_fields(self)
        return ", ".join(f"{k}={_fmt_value(v)}" for k, v in scal.items())

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self._header()})"
        table = self.summary()
        with pd.option_context("display.precision", 4, "display.width", 100, "display.max_columns", 12):
            return f"{head}\n{table.to_string()}"

    def _repr_html_(self) -> str:
        table = self.summary()
        caption = html.escape(f"{self._title}: {self._header()}")
        body = table.to_html(float_format=lambda v: f"{v:.4g}", border=0, na_rep="")
        return f'<div class="csl-result"><p><strong>{caption}</strong></p>{body}</div>'
