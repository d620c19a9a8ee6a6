"""Input validation shared by every csl_stats function.

The helpers here never modify the caller's DataFrame: they return new objects.
Error messages follow one pattern: what was expected, what was found, and
where (the column and a preview of the offending values).

Argument policies (one rule each, applied by every public function)
--------------------------------------------------------------------
Flags
    :func:`check_flag`: a yes/no option (``paired``, ``center``, ``by_cohort``,
    ...) must be a real boolean (``bool`` or ``numpy.bool_``). ``"no"``, ``0``,
    ``1`` and ``None`` are refused (:class:`~csl_stats.errors.ArgumentTypeError`),
    because ``bool("no")`` is ``True``.
Numbers
    :func:`check_number`: a numeric option (``tol``, ``cut``, ``trim``, ...)
    is an int or float (numpy scalars included), never a string or a bool, never
    NaN, and finite unless ``finite=False``. ``integer=True`` asks for an
    integer type (``10.0`` is refused, as :func:`check_int` does).
Labels
    A column label is any hashable value except ``None``, ``bool`` and NaN:
    strings, ints and tuples (the labels of two-level columns read with
    ``read_csv(header=[0, 1])``) are all supported. :func:`check_labels` turns
    an item-list argument into a list: a list, tuple, :class:`pandas.Index`,
    1-D :class:`numpy.ndarray` or the values of a :class:`pandas.Series` are
    lists of labels; any other hashable (``"sat1"``, ``5``) is ONE label, so
    ``items=5`` names the column labelled ``5`` (and fails with
    :class:`~csl_stats.errors.ColumnNotFoundError` if the columns are strings).
    A tuple is one label when the data have a column with exactly that label
    (``columns=`` given), otherwise a list of labels. Sets, dicts and other
    containers are refused (their order is undefined); so are duplicated labels,
    which are named. Output tables keep tuple labels as flat tuples
    (:func:`label_index`), never splitting them into index levels.
    :func:`check_label` is the one-column version (``y="CUSL"``): a list there is
    refused with a message showing the single label to pass.
    Only the columns a function uses are checked for duplicated labels
    (:func:`check_dataframe` with ``columns=``): a duplicated label elsewhere in
    a wide export does not stop an analysis that does not read it.
Bootstrap resamples
    :func:`check_n_boot`: ``n_boot`` is always validated, even when no bootstrap
    runs (so a typo surfaces at once). It is an integer >= ``N_BOOT_MIN`` = 100
    wherever a bootstrap runs; functions whose bootstrap is optional also accept
    ``0`` (= no bootstrap). 100 is the least number of resamples at which each
    tail of a 95 % percentile interval holds more than two draws; the defaults
    (1,000 to 5,000) are what results should be reported with.
Random generators
    :func:`check_rng`: ``rng`` is always validated (None, a non-negative int, a
    :class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`),
    even when the options chosen draw no random numbers; ``rng="abc"`` is refused.
    No global random state is read or changed.
Dates
    :func:`check_dates`: datetime columns are used as they are; text is parsed
    with ``date_format`` when given. Numeric dd/mm/yyyy vs mm/dd/yyyy text is
    refused as ambiguous (:class:`~csl_stats.errors.DateError`, with example
    values) unless ``date_format`` or ``dayfirst`` is given, or a value with a
    first (or second) field above 12 settles the order for the whole column.
    Time-zone-aware timestamps keep their own time zone (periods and days are
    bucketed in local time, never silently converted to UTC); values with
    different UTC offsets or time zones are refused with the fix
    (``pd.to_datetime(col, utc=True).dt.tz_convert("Europe/Berlin")``).
    Unparseable values are named.
Pairing
    :func:`align_series`: Series that are paired row by row (answers and
    weights, two waves of a panel, attitude and behaviour) are aligned on their
    index: identical indexes pair by position; the same unique labels in another
    order are re-ordered to the first Series; anything else (different labels,
    duplicated labels in different orders) is refused with
    :class:`~csl_stats.errors.AlignmentError` naming the labels. Arrays and lists
    have no index and pair by position (lengths must match).
Reverse-keyed items
    :func:`warn_reverse_keyed` is the one check every function that combines
    items into a score runs: an item whose corrected item-total correlation (with
    the sum of the other items of its construct) is negative raises
    :class:`~csl_stats.errors.ReverseKeyWarning` naming the item.
Warnings
    Every warning points at the caller's line: :func:`stacklevel` counts the
    frames up to the first one outside the csl_stats package, and :func:`warn`
    uses it.
"""

from __future__ import annotations

import datetime
import difflib
import numbers
import os
import re
import sys
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import (
    AlignmentError,
    ArgumentError,
    ArgumentTypeError,
    CollinearityError,
    ColumnNotFoundError,
    ConstantError,
    DateError,
    DuplicateColumnError,
    InsufficientDataError,
    MissingDataWarning,
    ModelSpecificationError,
    NonNumericError,
    ReverseKeyWarning,
    ScaleError,
)

__all__ = [
    "NAN_POLICIES",
    "preview",
    "as_generator",
    "check_dataframe",
    "check_columns",
    "check_numeric",
    "check_scale",
    "check_not_constant",
    "check_answered",
    "apply_nan_policy",
    "check_min_rows",
    "check_choice",
    "check_probability",
    "check_int",
    "check_distinct_roles",
    "check_full_rank",
    "numeric_frame",
    # shared argument checkers (issue 15)
    "N_BOOT_MIN",
    "stacklevel",
    "warn",
    "check_flag",
    "check_number",
    "check_labels",
    "check_label",
    "label_index",
    "check_n_boot",
    "check_rng",
    "check_dates",
    "align_series",
    "corrected_item_total",
    "reverse_key_message",
    "warn_reverse_keyed",
]

NAN_POLICIES = ("listwise", "pairwise", "raise")


def preview(values: Iterable[Any], limit: int = 5) -> str:
    """Return a short, readable list of values for an error message.

    Examples
    --------
    >>> preview([8, 9, 9, 12, 0, 15, 20])
    '[8, 9, 12, 0, 15, ...] (6 distinct)'
    """
    seen: list[Any] = []
    for v in values:
        if not any(v is s or v == s for s in seen):
            seen.append(v)
    shown = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in seen[:limit])
    if len(seen) > limit:
        return f"[{shown}, ...] ({len(seen)} distinct)"
    return f"[{shown}]"


def as_generator(rng: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``rng`` (None, an int seed or a Generator) into a Generator.

    No global random state is read or changed: ``None`` draws fresh entropy
    from the operating system, exactly like :func:`numpy.random.default_rng`.

    Examples
    --------
    >>> g = as_generator(42)
    >>> as_generator(g) is g
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and int(rng) < 0:
            raise ArgumentError(f"rng must be a non-negative integer seed; got {rng}.")
        return np.random.default_rng(None if rng is None else int(rng))
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise ArgumentTypeError(
        "rng must be None, a non-negative int or a numpy.random.Generator; "
        f"got {type(rng).__name__}. Legacy RandomState objects are not accepted."
    )


def check_dataframe(data: Any, *, name: str = "data", unique_columns: bool = True) -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame (with unique column labels, by default).

    Public functions pass ``unique_columns=False`` and let :func:`check_columns`
    refuse duplicated labels among the columns they use only: a duplicated
    label elsewhere in a wide export does not stop an analysis that does not read it.
    """
    if not isinstance(data, pd.DataFrame):
        raise ArgumentTypeError(
            f"{name} must be a pandas DataFrame; got {type(data).__name__}. "
            "Wrap arrays with pandas.DataFrame(array, columns=[...])."
        )
    if data.shape[0] == 0:
        raise InsufficientDataError(f"{name} has no rows.")
    if unique_columns and not data.columns.is_unique:
        dup = data.columns[data.columns.duplicated()].unique().tolist()
        raise DuplicateColumnError(
            f"{name} has duplicated column labels {dup}; each column must be named once."
        )
    return data


def check_columns(
    data: pd.DataFrame,
    columns: Hashable | Sequence[Hashable] | None,
    *,
    arg: str = "columns",
    min_count: int = 1,
) -> list[Hashable]:
    """Normalise a column name or list of names and check they exist in ``data``.

    ``None`` means every column of ``data``. Raises
    :class:`~csl_stats.errors.ColumnNotFoundError` listing the missing names
    (with close matches) and :class:`~csl_stats.errors.DuplicateColumnError`
    when a name is requested twice.

    Examples
    --------
    >>> df = pd.DataFrame({"sat1": [1, 2], "sat2": [2, 3]})
    >>> check_columns(df, "sat1")
    ['sat1']
    >>> check_columns(df, ["sat1", "sat3"])
    Traceback (most recent call last):
    ...
    csl_stats.errors.ColumnNotFoundError: columns: column(s) not found in data: 'sat3' (did you mean 'sat2'?). Available columns: ['sat1', 'sat2'].
    """
    if columns is None:
        if not data.columns.is_unique:
            dup = data.columns[data.columns.duplicated()].unique().tolist()
            raise DuplicateColumnError(
                f"data has duplicated column labels {dup}; each column must be named once."
            )
        cols = list(data.columns)
    else:
        cols = check_labels(columns, arg, allow_empty=True, columns=data.columns, what="column")
    if len(cols) < min_count:
        raise InsufficientDataError(
            f"{arg}: at least {min_count} column(s) needed; got {len(cols)} ({cols})."
        )
    nlevels = data.columns.nlevels
    missing = [
        c for c in cols if c not in data.columns or (nlevels > 1 and not (isinstance(c, tuple) and len(c) == nlevels))
    ]
    if missing and nlevels > 1:
        raise ColumnNotFoundError(
            f"{arg}: column(s) {missing} not found: the data have {nlevels}-level column labels, so each "
            f"column is named by a tuple such as {data.columns[0]!r}."
        )
    if missing:
        available = [str(c) for c in data.columns]
        parts = []
        for c in missing:
            close = difflib.get_close_matches(str(c), available, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            parts.append(f"{c!r}{hint}")
        shown = available if len(available) <= 12 else available[:12] + ["..."]
        raise ColumnNotFoundError(
            f"{arg}: column(s) not found in data: {', '.join(parts)}. Available columns: {shown}."
        )
    if not data.columns.is_unique:
        dup = [c for c in cols if not isinstance(data.columns.get_loc(c), int | np.integer)]
        if dup:
            raise DuplicateColumnError(
                f"data has duplicated column labels {dup}; each column used must be named once."
            )
    return cols


def check_numeric(
    data: pd.DataFrame, columns: Sequence[Hashable], *, booleans: bool = True, expected: str = "answers"
) -> pd.DataFrame:
    """Return a float64 copy of ``data[columns]``; raise on non-numeric content.

    Booleans are accepted as 0/1, unless ``booleans=False`` (where a scale
    answer such as a 0-10 rating is expected, a ``recommend > 8`` mask is a
    mistake, not an answer; ``expected`` names what is expected). Text that merely looks like numbers
    (``"5"``) is *not* converted silently: survey exports that store answers as
    text usually also hold labels such as ``"don't know"``, and those must be
    recoded deliberately.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 3], "q2": ["4", "n/a", 5]})
    >>> check_numeric(df, ["q1", "q2"])
    Traceback (most recent call last):
    ...
    csl_stats.errors.NonNumericError: column 'q2' must be numeric but holds non-numeric values ['4', 'n/a'] (object dtype). Recode text answers (e.g. "don't know") to numbers or NaN first.
    """
    sub = data.loc[:, list(columns)]
    mixed = []  # object/categorical columns of numbers: converted one by one (pd.NA, None -> NaN)
    for c in columns:
        s = sub[c]
        if pd.api.types.is_complex_dtype(s):
            raise NonNumericError(
                f"column {c!r} holds complex numbers ({s.dtype} dtype); answers must be real numbers."
            )
        is_bool = pd.api.types.is_bool_dtype(s) or (
            s.dtype == object and s.notna().any() and all(isinstance(v, bool | np.bool_) for v in s.dropna())
        )
        if is_bool and not booleans:
            raise NonNumericError(
                f"column {c!r} holds True/False values ({s.dtype} dtype) where {expected} are expected; "
                "pass the answers themselves, not a mask such as answers > 8."
            )
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        bad = [v for v in s.dropna() if not (isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_))]
        if bad:
            raise NonNumericError(
                f"column {c!r} must be numeric but holds non-numeric values {preview(bad)} "
                f"({s.dtype} dtype). Recode text answers (e.g. \"don't know\") to numbers or NaN first."
            )
        mixed.append(c)
    if mixed:
        sub = sub.copy()
        for c in mixed:
            obj = sub[c].astype(object)
            try:
                sub[c] = np.array([np.nan if pd.isna(v) else float(v) for v in obj], dtype="float64")
            except OverflowError:
                raise NonNumericError(
                    f"column {c!r} holds integers too large to convert to float ({preview(obj.dropna())})."
                ) from None
    # one conversion for all columns (nullable Int64/Float64: pd.NA -> NaN; bool -> 0/1)
    values = sub.astype("float64").to_numpy(dtype="float64", na_value=np.nan, copy=True)
    inf = np.isinf(values).any(axis=0)
    if inf.any():
        raise NonNumericError(f"column(s) {[c for c, f in zip(columns, inf, strict=True) if f]} contain infinite values.")
    return pd.DataFrame(values, index=data.index, columns=list(columns))


def check_scale(
    frame: pd.DataFrame,
    scale: tuple[float, float] | None,
    *,
    integer: bool = True,
) -> None:
    """Check that every non-missing value lies on the declared answer ``scale``.

    ``scale`` is ``(low, high)``, e.g. ``(1, 7)``; with ``integer=True`` answers
    must also be whole numbers.

    Examples
    --------
    >>> check_scale(pd.DataFrame({"sat1": [1.0, 7.0, 9.0]}), (1, 7))
    Traceback (most recent call last):
    ...
    csl_stats.errors.ScaleError: column 'sat1' has values outside the declared 1-7 scale: [9.0] (1 row(s)).
    """
    if scale is None:
        return
    low, high = _check_scale_arg(scale)
    for c in frame.columns:
        v = frame[c].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        out = v[(v < low) | (v > high)]
        if out.size:
            raise ScaleError(
                f"column {c!r} has values outside the declared {_fmt(low)}-{_fmt(high)} scale: "
                f"{preview(np.sort(out))} ({out.size} row(s))."
            )
        if integer:
            frac = v[v != np.round(v)]
            if frac.size:
                raise ScaleError(
                    f"column {c!r} must hold whole-number answers on the {_fmt(low)}-{_fmt(high)} "
                    f"scale but has {preview(frac)} ({frac.size} row(s))."
                )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_scale_arg(scale: Any) -> tuple[float, float]:
    if isinstance(scale, str | bytes):
        raise ArgumentError(f"scale must be a (low, high) pair such as (1, 7); got {scale!r}.")
    try:
        low, high = (float(scale[0]), float(scale[1]))
        if len(scale) != 2:
            raise ValueError
    except (TypeError, ValueError, IndexError):
        raise ArgumentError(f"scale must be a (low, high) pair such as (1, 7); got {scale!r}.") from None
    if not low < high:
        raise ArgumentError(f"scale must satisfy low < high; got {scale!r}.")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ArgumentError(f"scale must have finite end points; got {scale!r}.")
    return low, high


def check_answered(frame: pd.DataFrame, *, what: str = "item") -> None:
    """Raise :class:`~csl_stats.errors.ConstantError` naming the columns without a single answer.

    An all-missing item must not be dropped silently from a score.
    """
    empty = [c for c in frame.columns if not frame[c].notna().any()]
    if empty:
        raise ConstantError(
            f"{what}(s) {empty} have no non-missing values; remove them from the analysis "
            "(a score would otherwise rest silently on the other items)."
        )


def check_not_constant(frame: pd.DataFrame) -> None:
    """Raise :class:`~csl_stats.errors.ConstantError` for an empty or constant column."""
    values = frame.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(values)
    filled_lo = np.where(valid, values, np.inf).min(axis=0)
    filled_hi = np.where(valid, values, -np.inf).max(axis=0)
    for j, c in enumerate(frame.columns):
        if not valid[:, j].any():
            raise ConstantError(f"column {c!r} has no non-missing values.")
        if filled_lo[j] == filled_hi[j]:
            raise ConstantError(
                f"column {c!r} is constant (every valid answer is {_fmt(float(filled_lo[j]))}); "
                "it carries no information and must be removed."
            )


def apply_nan_policy(
    frame: pd.DataFrame,
    nan_policy: str,
    *,
    allowed: Sequence[str] = ("listwise", "raise"),
    warn_share: float = 0.2,
) -> pd.DataFrame:
    """Apply an explicit missing-data policy and return a new DataFrame.

    - ``"listwise"``: drop every row with a missing value in ``frame``; a
      :class:`~csl_stats.errors.MissingDataWarning` is emitted when more than
      ``warn_share`` of the rows are dropped.
    - ``"pairwise"``: keep all rows (the caller uses pairwise-complete
      statistics); the warning is emitted when more than ``warn_share`` of
      the *cells* are missing.
    - ``"raise"``: raise :class:`~csl_stats.errors.DataError` if anything is missing.
    """
    check_choice(nan_policy, "nan_policy", allowed)
    counts = frame.isna().sum()
    if nan_policy == "raise":
        if counts.any():
            detail = ", ".join(f"{c!r}: {int(k)}" for c, k in counts[counts > 0].items())
            raise InsufficientDataError(
                f"missing values found ({detail}) and nan_policy='raise'; "
                "use nan_policy='listwise' to drop incomplete rows."
            )
        return frame
    if nan_policy == "pairwise":
        share = counts.sum() / max(frame.size, 1)
        if share > warn_share:
            warnings.warn(
                f"{share:.0%} of the values are missing; pairwise statistics rest on "
                "different subsets of respondents.",
                MissingDataWarning,
                stacklevel=3,
            )
        return frame
    complete = frame.dropna()
    dropped = len(frame) - len(complete)
    if len(frame) and dropped / len(frame) > warn_share:
        worst = counts.sort_values(ascending=False).head(3)
        detail = ", ".join(f"{c!r}: {int(k)}" for c, k in worst.items() if k > 0)
        warnings.warn(
            f"listwise deletion dropped {dropped} of {len(frame)} rows "
            f"({dropped / len(frame):.0%}); most missing: {detail}.",
            MissingDataWarning,
            stacklevel=3,
        )
    return complete


def check_min_rows(n: int, minimum: int, *, what: str = "complete rows") -> None:
    """Raise :class:`~csl_stats.errors.InsufficientDataError` if ``n < minimum``."""
    if n < minimum:
        raise InsufficientDataError(f"at least {minimum} {what} are needed; found {n}.")


def check_choice(value: Any, name: str, choices: Sequence[Any]) -> Any:
    """Check that ``value`` is one of ``choices``.

    Examples
    --------
    >>> check_choice("bca", "ci_method", ["percentile", "bc", "bca"])
    'bca'
    >>> check_choice("BCa", "ci_method", ["percentile", "bc", "bca"])
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentError: ci_method must be one of ['percentile', 'bc', 'bca']; got 'BCa'.
    """
    if not isinstance(value, Hashable) or value not in choices:
        raise ArgumentError(f"{name} must be one of {list(choices)}; got {value!r}.")
    return value


def check_probability(value: Any, name: str = "ci") -> float:
    """Check a confidence level or probability strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise ArgumentError(f"{name} must be a number strictly between 0 and 1 (e.g. 0.95); got {value!r}.")
    return float(value)


def check_int(value: Any, name: str, *, minimum: int = 0) -> int:
    """Check an integer argument (not a bool) with a lower bound."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}.")
    if value < minimum:
        raise ArgumentError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def check_distinct_roles(**roles: Hashable | Sequence[Hashable] | None) -> None:
    """Check that no column plays two roles (e.g. a mediator equal to X).

    Examples
    --------
    >>> check_distinct_roles(x="sat", m=["trust", "sat"], y="loy")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ModelSpecificationError: column 'sat' is used both as x and as m; each variable can play one role only.
    """
    owner: dict[Hashable, str] = {}
    for role, cols in roles.items():
        if cols is None:
            continue
        names = [cols] if isinstance(cols, str) or not isinstance(cols, Iterable) else list(cols)
        for c in names:
            if c in owner:
                first = owner[c]
                where = f"both as {first} and as {role}" if first != role else f"twice as {role}"
                raise ModelSpecificationError(
                    f"column {c!r} is used {where}; each variable can play one role only."
                )
            owner[c] = role


def check_full_rank(X: np.ndarray, names: Sequence[str], *, tol: float = 1e-10) -> None:
    """Raise :class:`~csl_stats.errors.CollinearityError` if ``X`` lacks full column rank.

    The message names the columns involved in the (near) linear dependency,
    read off the null space of ``X``.
    """
    X = np.asarray(X, dtype=float)
    if X.shape[0] < X.shape[1]:
        raise InsufficientDataError(
            f"{X.shape[0]} complete rows for {X.shape[1]} coefficients ({list(names)}); need more rows."
        )
    scale = np.sqrt((X**2).sum(axis=0))
    scale[scale == 0] = 1.0
    # X = QR has the singular values and right singular vectors of R (p x p): cheap for tall X
    r = np.linalg.qr(X / scale, mode="r")
    _, s, vt = np.linalg.svd(r)
    if s[-1] <= tol * s[0]:
        null = np.abs(vt[-1])
        involved = [names[i] for i in np.flatnonzero(null > 1e-6 * null.max())]
        raise CollinearityError(
            f"predictors {involved} are perfectly collinear (condition number "
            f"{s[0] / max(s[-1], np.finfo(float).tiny):.3g}); drop or combine one of them."
        )


def numeric_frame(
    data: Any,
    columns: Hashable | Sequence[Hashable] | None,
    *,
    arg: str = "columns",
    scale: tuple[float, float] | None = None,
    integer: bool = True,
    nan_policy: str = "listwise",
    allowed_policies: Sequence[str] = ("listwise", "raise"),
    min_rows: int = 2,
    allow_constant: bool = False,
    min_count: int = 1,
) -> pd.DataFrame:
    """The usual pipeline: DataFrame -> columns -> numeric -> scale -> NaN policy.

    Returns a new float64 DataFrame (the caller's data is untouched) whose
    length is the n actually used (for ``"pairwise"``, all rows).
    ``min_rows`` is checked on that length: after listwise deletion it
    counts complete rows, but under ``"pairwise"`` it counts all rows, so a
    caller using pairwise statistics must check the per-pair counts itself.
    Constant columns are checked on all rows and, for ``"listwise"``, again
    on the complete rows.
    """
    data = check_dataframe(data, unique_columns=False)
    cols = check_columns(data, columns, arg=arg, min_count=min_count)
    frame = check_numeric(data, cols)
    check_scale(frame, scale, integer=integer)
    if not allow_constant:
        check_not_constant(frame)
    frame = apply_nan_policy(frame, nan_policy, allowed=allowed_policies)
    check_min_rows(len(frame), min_rows)
    if not allow_constant and nan_policy == "listwise":
        check_not_constant(frame)
    return frame


# ---------------------------------------------------------------------------
# Shared argument checkers (issue 15). The policies are in the module docstring.
# ---------------------------------------------------------------------------

N_BOOT_MIN = 100
"""Least number of bootstrap resamples any csl_stats function accepts (0 = none, where optional)."""

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def stacklevel(depth: int = 1) -> int:
    """The ``stacklevel`` that makes a warning point at the first line outside csl_stats.

    Call it from the function that calls :func:`warnings.warn`:
    ``warnings.warn(msg, Category, stacklevel=stacklevel())``. ``depth`` is the
    number of frames from this call up to the frame that calls ``warnings.warn``
    (1: the function calling :func:`stacklevel` issues the warning itself). Frames of the csl_stats package
    (including private helpers) are skipped, whatever the call depth.

    Examples
    --------
    >>> stacklevel()  # called from outside the package: the caller's own line
    1
    """
    frame = sys._getframe(depth)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return max(level - 1, 1) if frame is None else level


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` pointing at the caller's line outside csl_stats (see :func:`stacklevel`)."""
    warnings.warn(message, category, stacklevel=stacklevel())


def check_flag(value: Any, name: str) -> bool:
    """Check a yes/no option: a ``bool`` or ``numpy.bool_``, nothing else.

    Examples
    --------
    >>> check_flag(True, "paired")
    True
    >>> check_flag("no", "paired")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentTypeError: paired must be True or False; got str 'no'.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ArgumentTypeError(f"{name} must be True or False; got {type(value).__name__} {value!r}.")


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    inclusive: bool = True,
    finite: bool = True,
    integer: bool = False,
) -> float | int:
    """Check a numeric option and return it as a Python ``float`` (``int`` with ``integer=True``).

    Strings, booleans and NaN are refused; infinities too unless ``finite=False``.
    ``minimum``/``maximum`` bound the value, inclusively unless ``inclusive=False``.

    Examples
    --------
    >>> check_number(0.01, "tol", minimum=0, inclusive=False)
    0.01
    >>> check_number("x", "tol")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentTypeError: tol must be a number; got str 'x'.
    >>> check_number(float("nan"), "tol")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentError: tol must be a number, not NaN.
    """
    kind = "an integer" if integer else "a number"
    ok_type = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool | np.bool_) or not isinstance(value, ok_type):
        raise ArgumentTypeError(f"{name} must be {kind}; got {type(value).__name__} {value!r}.")
    out: float | int = int(value) if integer else float(value)
    if not integer and np.isnan(out):
        raise ArgumentError(f"{name} must be {kind}, not NaN.")
    if finite and not np.isfinite(out):
        raise ArgumentError(f"{name} must be a finite number; got {value!r}.")
    low_bad = minimum is not None and (out < minimum if inclusive else out <= minimum)
    high_bad = maximum is not None and (out > maximum if inclusive else out >= maximum)
    if low_bad or high_bad:
        if minimum is not None and maximum is not None:
            lb, rb = ("[", "]") if inclusive else ("(", ")")
            want = f"{kind} in {lb}{minimum:g}, {maximum:g}{rb}"
        elif minimum is not None:
            want = f"{'>=' if inclusive else '>'} {minimum:g}"
        else:
            want = f"{'<=' if inclusive else '<'} {maximum:g}"
        raise ArgumentError(f"{name} must be {want}; got {value!r}.")
    return out


def _is_label(value: Any) -> bool:
    if value is None or isinstance(value, bool | np.bool_) or not isinstance(value, Hashable):
        return False
    if isinstance(value, float | np.floating) and np.isnan(value):
        return False
    return True


def check_labels(
    value: Any,
    name: str,
    *,
    allow_empty: bool = False,
    columns: Iterable[Hashable] | None = None,
    what: str = "label",
) -> list[Hashable]:
    """Turn an item/column-list argument into a list of labels (policy in the module docstring).

    Examples
    --------
    >>> check_labels("sat1", "items")
    ['sat1']
    >>> check_labels(pd.Index(["sat1", "sat2"]), "items")
    ['sat1', 'sat2']
    >>> check_labels(("sat", "q1"), "items", columns=pd.MultiIndex.from_tuples([("sat", "q1"), ("sat", "q2")]))
    [('sat', 'q1')]
    >>> check_labels(["a", "b", "a"], "items")
    Traceback (most recent call last):
    ...
    csl_stats.errors.DuplicateColumnError: items: label(s) ['a'] named more than once.
    >>> check_labels({"a", "b"}, "items")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentTypeError: items must be a column label or a list of labels; got set {...}.
    """
    if isinstance(value, tuple) and columns is not None and _tuple_is_column(value, columns):
        labels: list[Hashable] = [value]
    elif isinstance(value, pd.MultiIndex):
        labels = list(value)
    elif isinstance(value, pd.Index | pd.Series):
        labels = list(value.tolist())
    elif isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ArgumentTypeError(f"{name} must be a 1-D list of labels; got a {value.ndim}-D array.")
        labels = list(value.tolist())
    elif isinstance(value, list | tuple):
        labels = list(value)
    elif isinstance(value, str | bytes) or (
        _is_label(value) and not isinstance(value, Iterable | frozenset)
    ):
        labels = [value]
    else:
        shown = "{...}" if isinstance(value, set | frozenset | dict) else repr(value)
        raise ArgumentTypeError(
            f"{name} must be a column label or a list of labels; got {type(value).__name__} {shown}."
        )
    bad = [v for v in labels if not _is_label(v)]
    if bad:
        raise ArgumentTypeError(
            f"{name}: {preview(bad)} cannot be column labels (a label is a string, a number or a tuple)."
        )
    if not labels and not allow_empty:
        raise InsufficientDataError(f"{name}: at least one label is needed; got an empty {type(value).__name__}.")
    seen: set[Hashable] = set()
    dups = [c for c in labels if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if dups:
        raise DuplicateColumnError(f"{name}: {what}(s) {list(dict.fromkeys(dups))} named more than once.")
    return labels


def _tuple_is_column(value: tuple, columns: Iterable[Hashable]) -> bool:
    try:
        return value in columns  # type: ignore[operator]
    except (TypeError, KeyError, ValueError):
        return False


def check_label(value: Any, name: str) -> Hashable:
    """Check an argument naming ONE column (``y="CUSL"``); lists are refused with the fix.

    Examples
    --------
    >>> check_label(["CUSL"], "y")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentTypeError: y must be a single column label (e.g. y='CUSL'); got list ['CUSL'].
    """
    if isinstance(value, tuple) or (_is_label(value) and (isinstance(value, str) or not isinstance(value, Iterable))):
        if not _is_label(value):
            raise ArgumentTypeError(f"{name} must be a column label; got {value!r}.")
        return value
    if isinstance(value, list | tuple | pd.Index | pd.Series | np.ndarray):
        seq = list(value)
        hint = f" (e.g. {name}={seq[0]!r})" if len(seq) == 1 and _is_label(seq[0]) else ""
        raise ArgumentTypeError(
            f"{name} must be a single column label{hint}; got {type(value).__name__} {seq!r}."
        )
    raise ArgumentTypeError(f"{name} must be a column label; got {type(value).__name__} {value!r}.")


def label_index(labels: Sequence[Hashable], name: str | None = None) -> pd.Index:
    """A flat :class:`pandas.Index` of labels for an output table: tuple labels stay whole tuples.

    Examples
    --------
    >>> label_index([("sat", "q1"), ("sat", "q2")], name="item").nlevels
    1
    """
    labels = list(labels)
    if any(isinstance(v, tuple) for v in labels):
        return pd.Index(labels, name=name, tupleize_cols=False, dtype=object)
    return pd.Index(labels, name=name)


def check_n_boot(
    n_boot: Any,
    name: str = "n_boot",
    *,
    minimum: int = N_BOOT_MIN,
    allow_zero: bool = False,
) -> int:
    """Check a number of bootstrap resamples: an int >= ``minimum`` (100), or 0 where optional.

    Always called, even when the options chosen run no bootstrap.

    Examples
    --------
    >>> check_n_boot(0, allow_zero=True)
    0
    >>> check_n_boot(50)
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentError: n_boot must be >= 100 (bootstrap resamples); got 50.
    """
    if isinstance(n_boot, bool | np.bool_) or not isinstance(n_boot, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an integer; got {type(n_boot).__name__} {n_boot!r}.")
    n = int(n_boot)
    if n == 0 and allow_zero:
        return 0
    if n < 0 and allow_zero:
        raise ArgumentError(f"{name} must be >= 0 (0 for no bootstrap, else >= {minimum} resamples); got {n}.")
    if n < minimum:
        zero = " or 0 for no bootstrap" if allow_zero else ""
        raise ArgumentError(f"{name} must be >= {minimum} (bootstrap resamples){zero}; got {n}.")
    return n


def check_rng(rng: Any) -> np.random.Generator:
    """Validate ``rng`` and return a Generator (see :func:`as_generator`); called even when unused.

    Examples
    --------
    >>> check_rng("abc")
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentTypeError: rng must be None, a non-negative int or a numpy.random.Generator; got str. Legacy RandomState objects are not accepted.
    """
    return as_generator(rng)


_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")


def check_dates(
    values: Any,
    name: str,
    *,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> pd.Series:
    """Parse a date column safely (policy in the module docstring); return a datetime Series.

    Missing values stay ``NaT``. Time-zone-aware values keep their time zone.

    Examples
    --------
    >>> check_dates(pd.Series(["03/04/2024", "05/06/2024"]), "date")
    Traceback (most recent call last):
    ...
    csl_stats.errors.DateError: date column 'date': text dates such as ['03/04/2024', '05/06/2024'] can be read as dd/mm or mm/dd; pass date_format (e.g. '%d/%m/%Y') or dayfirst=True/False.
    >>> check_dates(pd.Series(["03/04/2024", "25/06/2024"]), "date").dt.month.tolist()
    [4, 6]
    """
    if date_format is not None and not isinstance(date_format, str):
        raise ArgumentTypeError(f"date_format must be a strftime string such as '%d/%m/%Y'; got {date_format!r}.")
    if dayfirst is not None:
        dayfirst = check_flag(dayfirst, "dayfirst")
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    where = f"date column {name!r}"
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.copy()
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise DateError(
            f"{where} holds numbers ({s.dtype} dtype), not dates; convert it with "
            "pandas.to_datetime (e.g. unit='D', origin=...) first."
        )
    present = s.dropna()
    # Timestamp / datetime objects: one time zone (or none) for all
    stamps = [v for v in present if isinstance(v, datetime.datetime | np.datetime64)]
    if stamps:
        zones = {str(getattr(v, "tzinfo", None)) for v in stamps}
        if len(zones) > 1:
            raise DateError(
                f"{where} mixes time zones {sorted(zones)}; convert them to one zone first, e.g. "
                "pd.to_datetime(col, utc=True).dt.tz_convert('Europe/Berlin')."
            )
    text = [v for v in present if isinstance(v, str)]
    if len(stamps) + len(text) < len(present):
        bad = [v for v in present if not isinstance(v, str | datetime.datetime | np.datetime64)]
        raise DateError(f"{where} holds values that are not dates: {preview(bad)}.")
    if text and date_format is None and dayfirst is None:
        dayfirst = _settle_day_order(text, where)
    kwargs: dict[str, Any] = {"format": date_format} if date_format is not None else {}
    if date_format is None and dayfirst is not None:
        kwargs["dayfirst"] = dayfirst
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": we check each value
            parsed = pd.to_datetime(s, errors="coerce", **kwargs)
    except (ValueError, TypeError) as exc:
        if "timezone" in str(exc).lower() or "tz-aware" in str(exc).lower() or "offset" in str(exc).lower():
            offsets = sorted({m.group(0) for v in text for m in [_OFFSET.search(v)] if m})
            raise DateError(
                f"{where} holds dates with different UTC offsets or time zones "
                f"({preview(offsets) if offsets else 'mixed'}); convert them to one time zone first, e.g. "
                "pd.to_datetime(col, utc=True).dt.tz_convert('Europe/Berlin')."
            ) from None
        raise DateError(f"{where} could not be read as dates ({exc}); pass date_format=...") from None
    bad_mask = parsed.isna() & s.notna()
    if bad_mask.any():
        raise DateError(
            f"{where}: {int(bad_mask.sum())} value(s) could not be parsed as dates"
            + (f" with format {date_format!r}" if date_format else "")
            + f": {preview(s[bad_mask].tolist())} in row(s) {preview(s.index[bad_mask.to_numpy()].tolist())}. "
            "Fix them or pass date_format=... (e.g. '%d/%m/%Y')."
        )
    return parsed


_OFFSET = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z)\s*$")


def _settle_day_order(text: list[str], where: str) -> bool | None:
    """``dayfirst`` implied by numeric a/b/yyyy text, or DateError when the column cannot tell."""
    pairs = [(int(m.group(1)), int(m.group(2)), v) for v in text for m in [_DMY.match(v)] if m]
    if not pairs:
        return None  # ISO (yyyy-mm-dd) or month names: unambiguous
    first_big = any(a > 12 for a, _, _ in pairs)
    second_big = any(b > 12 for _, b, _ in pairs)
    if first_big and second_big:
        ex = [v for a, b, v in pairs if a > 12][:1] + [v for a, b, v in pairs if b > 12][:1]
        raise DateError(
            f"{where}: text dates mix dd/mm and mm/dd order (e.g. {ex}); fix the column or pass date_format."
        )
    if first_big or second_big:
        return first_big
    raise DateError(
        f"{where}: text dates such as {preview([v for _, _, v in pairs], limit=3)} can be read as dd/mm or mm/dd; "
        "pass date_format (e.g. '%d/%m/%Y') or dayfirst=True/False."
    )


def align_series(*series: Any, names: Sequence[str]) -> list[pd.Series]:
    """Pair Series row by row on their index (policy in the module docstring).

    Returns Series sharing the index of the first one that has an index
    (arrays and lists get it when lengths match).

    Examples
    --------
    >>> a = pd.Series([1, 2], index=["x", "y"])
    >>> b = pd.Series([20, 10], index=["y", "x"])
    >>> align_series(a, b, names=["score", "weights"])[1].tolist()
    [10, 20]
    >>> align_series(a, pd.Series([1, 2], index=["x", "z"]), names=["score", "weights"])
    Traceback (most recent call last):
    ...
    csl_stats.errors.AlignmentError: score and weights are paired row by row but have different index labels: ['y'] only in score, ['z'] only in weights. Align them (e.g. weights.reindex(score.index)) or pass arrays to pair by position.
    """
    if len(names) != len(series):
        raise ArgumentError("align_series needs one name per series.")
    ref_i = next((i for i, s in enumerate(series) if isinstance(s, pd.Series)), None)
    out: list[pd.Series] = []
    if ref_i is None:
        ref_index = pd.RangeIndex(len(np.asarray(series[0], dtype=object).reshape(-1)))
    else:
        ref_index = series[ref_i].index
    for s, nm in zip(series, names, strict=True):
        if isinstance(s, pd.Series):
            if s.index.equals(ref_index):
                out.append(s)
                continue
            ref_name = names[ref_i]  # type: ignore[index]
            same = (
                len(s.index) == len(ref_index)
                and s.index.is_unique
                and ref_index.is_unique
                and set(s.index) == set(ref_index)
            )
            if same:
                out.append(s.reindex(ref_index))
                continue
            only_ref = [v for v in ref_index if v not in set(s.index)] if s.index.is_unique or True else []
            only_s = [v for v in s.index if v not in set(ref_index)]
            if only_ref or only_s:
                detail = f"{preview(only_ref)} only in {ref_name}, {preview(only_s)} only in {nm}"
            else:
                detail = "the same labels, duplicated, in a different order"
            raise AlignmentError(
                f"{ref_name} and {nm} are paired row by row but have different index labels: {detail}. "
                f"Align them (e.g. {nm}.reindex({ref_name}.index)) or pass arrays to pair by position."
            )
        arr = np.asarray(s)
        if arr.ndim != 1:
            raise ArgumentTypeError(f"{nm} must be 1-D; got an array of shape {arr.shape}.")
        if len(arr) != len(ref_index):
            raise ArgumentError(
                f"{nm} has {len(arr)} values for {len(ref_index)} rows; lengths must match."
            )
        out.append(pd.Series(arr, index=ref_index))
    return out


def corrected_item_total(C: np.ndarray) -> np.ndarray:
    """Corrected item-total correlations from an item covariance matrix ``C``.

    ``r_j = cov(x_j, sum of the others) / (sd_j * sd(sum of the others))``.
    """
    d = np.diag(C)
    S = C.sum()
    s = C.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s - d) / np.sqrt(d * (S - 2.0 * s + d))


def reverse_key_message(
    items: Sequence[Hashable], r: np.ndarray, construct: Hashable | None = None, *, use: str = "combining them"
) -> str | None:
    """The ReverseKeyWarning text for items with a negative corrected item-total correlation, or None."""
    neg = np.flatnonzero(np.asarray(r) < 0)
    if not neg.size:
        return None
    detail = ", ".join(f"{items[i]!r} (r = {r[i]:.2f})" for i in neg)
    of = f" of {construct!r}" if construct is not None else ""
    return (
        f"item(s) {detail} correlate negatively with the sum of the other items{of}; "
        f"reverse-code them (e.g. 8 - x on a 1-7 scale) or check the item wording before {use}."
    )


def warn_reverse_keyed(
    frame: pd.DataFrame,
    constructs: Sequence[Hashable] | Mapping[Hashable, Sequence[Hashable]],
    *,
    stacklevel: int | None = None,
) -> list[Hashable]:
    """Warn :class:`~csl_stats.errors.ReverseKeyWarning` for items that run against their construct.

    ``constructs`` is one list of items, or a mapping ``construct -> items``.
    For every construct with at least two items, the corrected item-total
    correlation of each item is computed on pairwise-complete rows (as
    :func:`~csl_stats.cronbach_alpha` does); negative ones are named in ONE
    warning per construct. Returns the flagged items. ``frame`` must be numeric
    (e.g. the output of :func:`check_numeric`).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 3, 2, 5, 4], "c": [2, 1, 3, 4, 5], "d": [5, 4, 3, 2, 1]})
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_reverse_keyed(df, {"quality": ["a", "b", "c", "d"]})
    ['d']
    >>> w[0].category.__name__
    'ReverseKeyWarning'
    """
    groups = constructs.items() if isinstance(constructs, Mapping) else [(None, list(constructs))]
    flagged: list[Hashable] = []
    level = stacklevel if stacklevel is not None else _outside_level()
    for construct, items in groups:
        items = list(items)
        if len(items) < 2:
            continue
        block = frame[items] if not isinstance(frame, np.ndarray) else pd.DataFrame(frame)
        X = np.asarray(block.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        X = X[~np.isnan(X).all(axis=1)]
        if X.shape[0] < 3:
            continue
        if np.isnan(X).any():
            C = pd.DataFrame(X).cov(min_periods=2).to_numpy()
        else:
            C = np.cov(X, rowvar=False)
        r = corrected_item_total(C)
        msg = reverse_key_message(items, r, construct)
        if msg:
            flagged += [items[i] for i in np.flatnonzero(r < 0)]
            warnings.warn(msg, ReverseKeyWarning, stacklevel=level)
    return flagged


def _outside_level() -> int:
    # called from warn_reverse_keyed, whose frame makes the warnings.warn call
    return stacklevel(2)
