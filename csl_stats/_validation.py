"""Input validation shared by every csl_stats function.

The helpers here never modify the caller's DataFrame: they return new objects.
Error messages follow one pattern: what was expected, what was found, and
where (the column and a preview of the offending values).
"""

from __future__ import annotations

import difflib
import numbers
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import (
    ArgumentError,
    ArgumentTypeError,
    CollinearityError,
    ColumnNotFoundError,
    ConstantError,
    DuplicateColumnError,
    InsufficientDataError,
    MissingDataWarning,
    ModelSpecificationError,
    NonNumericError,
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
    "apply_nan_policy",
    "check_min_rows",
    "check_choice",
    "check_probability",
    "check_int",
    "check_distinct_roles",
    "check_full_rank",
    "numeric_frame",
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


def check_dataframe(data: Any, *, name: str = "data") -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame with unique column labels."""
    if not isinstance(data, pd.DataFrame):
        raise ArgumentTypeError(
            f"{name} must be a pandas DataFrame; got {type(data).__name__}. "
            "Wrap arrays with pandas.DataFrame(array, columns=[...])."
        )
    if data.shape[0] == 0:
        raise InsufficientDataError(f"{name} has no rows.")
    if not data.columns.is_unique:
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
        cols = list(data.columns)
    elif isinstance(columns, str) or not isinstance(columns, Iterable):
        cols = [columns]
    else:
        cols = list(columns)
    if len(cols) < min_count:
        raise InsufficientDataError(
            f"{arg}: at least {min_count} column(s) needed; got {len(cols)} ({cols})."
        )
    seen: set[Hashable] = set()
    dups = [c for c in cols if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if dups:
        raise DuplicateColumnError(f"{arg}: column(s) {dups} named more than once.")
    missing = [c for c in cols if c not in data.columns]
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
    return cols


def check_numeric(data: pd.DataFrame, columns: Sequence[Hashable]) -> pd.DataFrame:
    """Return a float64 copy of ``data[columns]``; raise on non-numeric content.

    Booleans are accepted as 0/1. Text that merely looks like numbers
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
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        bad = [v for v in s.dropna() if not (isinstance(v, numbers.Real) and not isinstance(v, bool))]
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
    data = check_dataframe(data)
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
