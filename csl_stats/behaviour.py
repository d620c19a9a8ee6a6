"""Behavioural loyalty from a transaction log: RFM scores and retention rates.

What customers *say* in a survey (satisfaction, intention to repurchase) is
one side of loyalty; what they *do* is the other. This module turns a table
of transactions (one row per order: customer, date, amount) into

- :func:`rfm`: recency, frequency and monetary value per customer with
  1..``bins`` scores and a named segment (Hughes, 1994);
- :func:`retention`: retention and repeat-purchase rates by calendar period,
  optionally as a cohort table.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._validation import (
    apply_nan_policy,
    check_choice,
    check_columns,
    check_dataframe,
    check_dates,
    check_flag,
    check_int,
    check_label,
    preview,
)
from .errors import ArgumentError, ArgumentTypeError, DataError, DuplicateColumnError, InsufficientDataError

__all__ = ["rfm", "retention"]

#: Segment names on the (recency level x frequency level) grid used by :func:`rfm`.
RFM_SEGMENTS: dict[tuple[str, str], str] = {
    ("high", "high"): "champions",
    ("high", "mid"): "potential loyalists",
    ("high", "low"): "new customers",
    ("mid", "high"): "loyal customers",
    ("mid", "mid"): "needs attention",
    ("mid", "low"): "about to sleep",
    ("low", "high"): "at risk",
    ("low", "mid"): "hibernating",
    ("low", "low"): "lost",
}

#: Decimals to which monetary values are rounded *for ranking only* (the ``monetary`` column is not rounded).
MONETARY_DECIMALS = 6

_PERIODS = {"W": "W", "M": "M", "ME": "M", "Q": "Q", "QE": "Q", "Y": "Y", "YE": "Y"}


# --------------------------------------------------------------------------- validation
def _roles(**named: Hashable | None) -> dict[str, Hashable]:
    """The role -> column mapping, checked (customer and date required, one column per role)."""
    for required in ("customer", "date"):
        if named[required] is None:
            raise ArgumentTypeError(f"{required} must name a column of transactions; got None.")
    roles = {k: check_label(v, k) for k, v in named.items() if v is not None}
    seen: dict[Hashable, str] = {}
    for role, col in roles.items():
        if col in seen:
            raise DuplicateColumnError(
                f"column {col!r} is used both as {seen[col]} and as {role}; each role needs its own column."
            )
        seen[col] = role
    return roles


def _engine_input(transactions: Any, memory_limit: str | None) -> tuple[Any, str, Any]:
    """(narwhals LazyFrame, kind, connection) for a Polars/DuckDB input or a file path; (None, "pandas", None)
    otherwise. ``kind`` is "path", "eager" or "lazy": what the result is returned as."""
    from . import _behaviour_engines as eng

    if eng.is_path(transactions):
        import narwhals.stable.v2 as nw

        con, rel = eng.read_path(transactions, memory_limit)
        return nw.from_native(rel), "path", con
    if memory_limit is not None:
        raise ArgumentError("memory_limit applies to file paths (read with DuckDB); pass it only with a path.")
    frame = eng.as_engine_frame(transactions)
    if frame is None:
        return None, "pandas", None
    import narwhals.stable.v2 as nw

    if frame.implementation == nw.Implementation.PYARROW:
        # Arrow is a memory format without a query engine (no window ranks): DuckDB queries the table in
        # place (zero copy) and the result comes back as an Arrow table
        return eng.arrow_relation(transactions), "arrow", None
    return frame.lazy(), ("eager" if isinstance(frame, nw.DataFrame) else "lazy"), None


def _engine_output(result: Any, kind: str, index: Hashable | None) -> Any:
    """A narwhals LazyFrame result as the caller's kind (for paths: pandas, shaped as the pandas path)."""
    if kind == "path":
        out = result.collect().to_pandas()
        return out.set_index(str(index)) if index is not None else out
    if kind == "arrow":
        return result.collect(backend="pyarrow").to_native()
    return result.collect().to_native() if kind == "eager" else result.to_native()


def _transactions_frame(
    transactions: Any,
    *,
    customer: Hashable,
    date: Hashable,
    amount: Hashable | None,
    order: Hashable | None,
    date_format: str | None,
    nan_policy: str,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Validate a transaction table; return a clean copy with columns customer/date[/amount][/order]."""
    data = check_dataframe(transactions, name="transactions", unique_columns=False)
    roles = _roles(customer=customer, date=date, amount=amount, order=order)
    check_columns(data, list(roles.values()), arg="transactions columns")
    # missing values are reported under the caller's column names, then the columns take their role names
    frame = pd.DataFrame({col: data[col] for col in roles.values()}, index=data.index)
    frame = apply_nan_policy(frame, nan_policy, allowed=("raise", "listwise"))
    frame.columns = list(roles)
    if frame.empty:
        raise InsufficientDataError("transactions: no complete rows left after dropping missing values.")

    # dates: the shared reader (ambiguous dd/mm text refused, time zones kept); tz-aware dates are
    # bucketed in their own time zone: the local wall-clock time is kept and the zone noted in attrs
    dates = check_dates(frame["date"], date, date_format=date_format, dayfirst=dayfirst)
    tz = getattr(dates.dt, "tz", None)
    if tz is not None:
        dates = dates.dt.tz_localize(None)
    frame["date"] = dates
    frame.attrs["tz"] = tz

    # amounts
    if amount is not None:
        a = frame["amount"]
        if pd.api.types.is_bool_dtype(a) or not pd.api.types.is_numeric_dtype(a):
            raise DataError(
                f"amount column {amount!r} must be numeric; got {a.dtype} dtype with values "
                f"{preview(a.head(50).tolist())}."
            )
        a = a.astype("float64")
        if np.isinf(a.to_numpy()).any():
            raise DataError(f"amount column {amount!r} contains infinite values.")
        neg = a < 0
        if neg.any():
            raise DataError(
                f"amount column {amount!r} has {int(neg.sum())} negative value(s) "
                f"{preview(a[neg].tolist())} in row(s) {preview(frame.index[neg.to_numpy()].tolist())}; "
                "net returns and credit notes against their orders before computing RFM."
            )
        frame["amount"] = a

    # uniqueness
    if order is not None:
        dup = frame["order"].duplicated(keep=False)
        if dup.any():
            raise DataError(
                f"order id column {order!r} must be unique (one row per order) but "
                f"{preview(frame.loc[dup, 'order'].tolist())} occur more than once "
                f"(row(s) {preview(frame.index[dup.to_numpy()].tolist())}); aggregate order lines first."
            )
    elif amount is not None:  # without amounts, repeated (customer, date) rows are normal
        dup = frame.duplicated(keep=False)
        if dup.any():
            raise DataError(
                f"{int(dup.sum())} rows are exact duplicates (same customer, date and amount), "
                f"row(s) {preview(frame.index[dup.to_numpy()].tolist())}: probably loaded twice. Drop them, "
                "or pass order=... with the order ids if they are genuinely separate orders."
            )
    return frame


def _as_timestamp(value: Any, name: str, tz: Any = None) -> pd.Timestamp:
    """A date argument as a naive Timestamp in the data's local time (``tz``: the data's time zone)."""
    if isinstance(value, bool | int | float | np.number):
        raise ArgumentTypeError(f"{name} must be a date (string or Timestamp); got {value!r}.")
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"{name} must be a date such as '2024-12-31'; got {value!r}.") from None
    if ts is pd.NaT:
        raise ArgumentError(f"{name} must be a date; got {value!r}.")
    if ts.tzinfo is not None:
        ts = (ts.tz_convert(tz) if tz is not None else ts).tz_localize(None)
    return ts


# --------------------------------------------------------------------------- RFM
def _scores(values: pd.Series, bins: int, *, higher_is_better: bool, ties: str) -> pd.Series:
    """Quantile scores 1..bins from mid-ranks: score = floor(bins * (rank - 1/2) / n) + 1."""
    v = values if higher_is_better else -values
    if ties == "average":
        r = v.rank(method="average")
    else:  # "first": order by value, then by customer id (the index), so the result is reproducible
        order = np.lexsort((np.asarray(values.index.astype(str)), v.to_numpy()))
        r = pd.Series(np.empty(len(v)), index=v.index)
        r.iloc[order] = np.arange(1, len(v) + 1)
    n = len(v)
    s = np.floor(bins * (r.to_numpy() - 0.5) / n).astype(int) + 1
    return pd.Series(np.clip(s, 1, bins), index=values.index)


def _level(score: pd.Series, bins: int) -> pd.Series:
    u = (score - 1) / (bins - 1)
    return pd.Series(np.where(u >= 0.75, "high", np.where(u <= 0.25, "low", "mid")), index=score.index)


def rfm(
    transactions: pd.DataFrame,
    *,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    amount: Hashable = "amount",
    order: Hashable | None = None,
    as_of: Any = None,
    bins: int = 5,
    monetary: str = "sum",
    ties: str = "average",
    date_format: str | None = None,
    nan_policy: str = "raise",
    dayfirst: bool | None = None,
    memory_limit: str | None = None,
) -> Any:
    """Recency, frequency and monetary value (RFM) per customer, with 1..``bins`` scores.

    Parameters
    ----------
    transactions : pandas.DataFrame, Polars DataFrame or LazyFrame, DuckDB relation, PyArrow Table, Dask or PySpark DataFrame, or path
        One row per order (aggregate order lines first). A Polars, DuckDB,
        Dask or Spark table is computed in its own engine (a PyArrow Table by
        DuckDB; see Notes); a path to Parquet or
        CSV files (``"orders/*.parquet"``, globs allowed) is read by an
        embedded DuckDB connection, out of core.
    customer, date, amount : column names
        Customer id, order date (datetime, or text parsed with
        :func:`pandas.to_datetime`) and order value (non-negative).
    order : column name, optional
        Order id. If given it must be unique; if not, exact duplicate rows are
        rejected as probable double loads.
    as_of : date, optional
        The analysis date. Orders *after* ``as_of`` are ignored, so RFM "at the
        survey date" uses only the history known then; a date without a time
        includes the whole day. Default: the latest order date in the table.
    bins : int, default 5
        Number of score groups (5 = quintiles, Hughes' convention).
    monetary : {"sum", "mean"}
        Monetary value as total spend (default) or average order value.
    ties : {"average", "first"}
        ``"average"`` (default): tied values get the same score, the one of
        their mid-rank, so groups can be unequal in size. ``"first"``: ties
        are broken by customer id, giving groups of (nearly) equal size.
    date_format : str, optional
        ``strftime`` format for text dates, e.g. ``"%d/%m/%Y"``. Without it, ISO
        dates (``2024-03-04``) are read as such, but numeric dd/mm/yyyy or
        mm/dd/yyyy text is refused as ambiguous (:class:`~csl_stats.errors.DateError`)
        unless a day above 12 settles the order or ``dayfirst`` is given.
        Time-zone-aware dates are bucketed in their own time zone (local
        calendar days and periods, never converted to UTC); a time-zone-aware
        ``as_of`` (``start``, ``end``) is converted to the data's zone. Text
        dates with different UTC offsets are refused with the fix.
    nan_policy : {"raise", "listwise"}
        What to do with rows missing the customer, date or amount.
    dayfirst : bool, optional
        Read numeric text dates as dd/mm (True) or mm/dd (False), when no
        ``date_format`` is given.
    memory_limit : str, optional
        With a path only: DuckDB's ``memory_limit`` for the query (e.g.
        ``"2GB"``); DuckDB spills to disk beyond it. Default: DuckDB's own
        (80 % of the RAM).

    Returns
    -------
    pandas.DataFrame, or the input's kind
        For pandas input and for paths: a pandas DataFrame indexed by customer (sorted), columns ``recency`` (days since the last
        order, integer), ``frequency`` (number of orders), ``monetary``,
        ``first_order``, ``last_order``, ``r_score``, ``f_score``, ``m_score``,
        ``rfm_cell`` (e.g. ``"545"``), ``rfm_score`` (sum of the three scores)
        and ``segment``. Only customers with at least one order up to
        ``as_of`` appear. For a Polars DataFrame: a Polars DataFrame; for a
        PyArrow Table: a PyArrow Table; for a Polars LazyFrame, a DuckDB
        relation, a Dask or a Spark DataFrame: a lazy query of the same kind
        (nothing is computed until it is collected); in these the customer id
        is the first column (named as in the input), sorted.

    Raises
    ------
    ColumnNotFoundError
        A named column is not in ``transactions``.
    DataError
        Dates that do not parse (the values and rows are named), numeric
        dates, negative or non-numeric amounts, duplicated order ids or exact
        duplicate rows, missing values with ``nan_policy="raise"``.
    InsufficientDataError
        No orders on or before ``as_of``.
    ArgumentError
        ``bins`` < 2, unknown ``monetary`` / ``ties``, ``as_of`` not a date.

    Notes
    -----
    With :math:`n` customers and rank :math:`r_i` (1 = worst: oldest last
    order, fewest orders, lowest spend; ties get their mean rank), the score is

    .. math:: s_i = \\lfloor b\\,(r_i - 1/2)/n \\rfloor + 1 \\in \\{1,\\dots,b\\},

    which gives exactly :math:`n/b` customers per score when :math:`b`
    divides :math:`n` and there are no ties. Monetary values are ranked
    after rounding to 6 decimals (the column itself is not rounded), so that
    totals that are equal in exact arithmetic, e.g. sums of amounts in cents,
    tie even when floating-point summation in a different order (another
    engine, another number of threads) leaves them a few units in the last
    digit apart. Recency is the number of
    calendar days from the last order to ``as_of`` (times of day are ignored). Segments come from the recency and
    frequency levels ("high" = top quarter of the score range, i.e. 4-5 on a
    1-5 scale; "low" = 1-2; "mid" = 3): see :data:`RFM_SEGMENTS`. The segment
    names follow common CRM practice; they are labels, not a standard.

    *Other engines.* Polars, DuckDB, Dask and Spark inputs are handled through narwhals
    (``pip install "csl-stats[polars]"``, ``[duckdb]``, ``[dask]`` or ``[spark]``): the
    per-customer aggregation, the ranks (``rank(method="average")``, or a
    row index ordered by value and customer id for ``ties="first"``) and the
    scores are expressions run by the engine, so the order log never comes
    into Python. Validation runs a few aggregate queries at call time (missing
    values, negative amounts, duplicate orders, the date range), with the same
    errors as for pandas. Text dates must be ISO (``2024-03-04``,
    ``2024-03-04 10:00:00``) or numeric dd/mm/yyyy with the order settled as
    for pandas, or come with ``date_format``. Time-zone-aware Polars dates
    are bucketed in their own zone, as for pandas; DuckDB's ``TIMESTAMP WITH
    TIME ZONE`` keeps no zone, so it is refused (convert it with
    ``timezone('Europe/Berlin', date)`` first), while a PyArrow table's
    zoned timestamps are bucketed in their zone; Spark's ``TIMESTAMP`` is
    read in the session time zone (``spark.sql.session.timeZone``). Dask
    (``csl-stats[dask]``) has no rank over a whole frame: the per-customer
    table is moved into one partition and ranked there by a pandas task on
    a worker, as Spark does for a window without a partition; the order
    log itself is aggregated across the cluster. The results equal the
    pandas path's (scores identical, values to 1e-9; tested on every engine).

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus.

    Examples
    --------
    >>> import pandas as pd
    >>> import csl_stats
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["A", "A", "B", "C", "C", "C"],
    ...     "date": ["2024-01-10", "2024-03-01", "2024-02-15", "2024-01-05", "2024-02-01", "2024-03-20"],
    ...     "amount": [10.0, 20.0, 5.0, 8.0, 8.0, 9.0]})
    >>> r = csl_stats.rfm(tx, as_of="2024-03-31", bins=3)
    >>> r[["recency", "frequency", "monetary", "rfm_cell"]]
                 recency  frequency  monetary rfm_cell
    customer_id
    A                 30          2      30.0      223
    B                 45          1       5.0      111
    C                 11          3      25.0      332

    The same call on a Polars LazyFrame returns a LazyFrame (computed by
    Polars when collected), with the same numbers:

    >>> import polars as pl
    >>> lazy = csl_stats.rfm(pl.from_pandas(tx).lazy(), as_of="2024-03-31", bins=3)
    >>> lazy.collect()["rfm_cell"].to_list()
    ['223', '111', '332']
    """
    check_int(bins, "bins", minimum=2)
    if amount is None:
        raise ArgumentTypeError("rfm needs amount=... naming the order-value column (monetary value); got None.")
    check_choice(monetary, "monetary", ("sum", "mean"))
    check_choice(ties, "ties", ("average", "first"))
    lf, kind, _con = _engine_input(transactions, memory_limit)
    if lf is not None:
        from . import _behaviour_engines as eng

        roles = _roles(customer=customer, date=date, amount=amount, order=order)
        lf, tz = eng.prepare(lf, roles, date_format=date_format, dayfirst=dayfirst, nan_policy=nan_policy)
        if kind == "arrow":  # zoned Arrow timestamps reach DuckDB as local times; the zone is in the schema
            tz = eng.arrow_zone(transactions, date)
        cutoff = None
        if as_of is None:
            ref = eng.date_range(lf)[1]
            if ref is None:
                raise InsufficientDataError("transactions: no complete rows left after dropping missing values.")
        else:
            ref = _as_timestamp(as_of, "as_of", tz)
            cutoff = ("<", ref + pd.Timedelta(days=1)) if ref == ref.normalize() else ("<=", ref)
            if eng.date_range(lf.filter(eng.before(cutoff)))[2] == 0:
                raise InsufficientDataError(f"no orders on or before as_of={ref.date()}.")
        result = eng.rfm_engine(
            lf, customer_name=customer, ref=ref, cutoff=cutoff, bins=bins, monetary=monetary, ties=ties,
            segments=RFM_SEGMENTS, monetary_decimals=MONETARY_DECIMALS,
        )
        return _engine_output(result, kind, customer)
    frame = _transactions_frame(
        transactions,
        customer=customer,
        date=date,
        amount=amount,
        order=order,
        date_format=date_format,
        nan_policy=nan_policy,
        dayfirst=dayfirst,
    )
    if as_of is None:
        ref = frame["date"].max()
    else:
        ref = _as_timestamp(as_of, "as_of", frame.attrs.get("tz"))
        if ref == ref.normalize():  # a date: the whole day counts
            frame = frame[frame["date"] < ref + pd.Timedelta(days=1)]
        else:
            frame = frame[frame["date"] <= ref]
        if frame.empty:
            raise InsufficientDataError(f"no orders on or before as_of={ref.date()}.")
    g = frame.groupby("customer", sort=True)
    out = pd.DataFrame(
        {
            "recency": (ref.normalize() - g["date"].max().dt.normalize()).dt.days.astype("int64"),
            "frequency": g.size().astype("int64"),
            "monetary": g["amount"].sum() if monetary == "sum" else g["amount"].mean(),
            "first_order": g["date"].min(),
            "last_order": g["date"].max(),
        }
    )
    out.index.name = customer
    out["r_score"] = _scores(out["recency"], bins, higher_is_better=False, ties=ties)
    out["f_score"] = _scores(out["frequency"], bins, higher_is_better=True, ties=ties)
    # ranked to the micro-unit: totals equal in exact arithmetic tie, whatever order the engine summed in
    out["m_score"] = _scores(out["monetary"].round(MONETARY_DECIMALS), bins, higher_is_better=True, ties=ties)
    width = len(str(bins))
    out["rfm_cell"] = [
        f"{r:0{width}d}{f:0{width}d}{m:0{width}d}"
        for r, f, m in zip(out["r_score"], out["f_score"], out["m_score"], strict=True)
    ]
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    key = zip(_level(out["r_score"], bins), _level(out["f_score"], bins), strict=True)
    out["segment"] = [RFM_SEGMENTS[k] for k in key]
    return out


# --------------------------------------------------------------------------- retention
def _end_cutoff(hi: pd.Timestamp) -> tuple[str, pd.Timestamp]:
    """The last instant kept for ``end``: a date without a time includes the whole day, as ``as_of`` in rfm."""
    return ("<", hi + pd.Timedelta(days=1)) if hi == hi.normalize() else ("<=", hi)


def retention(
    transactions: pd.DataFrame,
    *,
    customer: Hashable = "customer_id",
    date: Hashable = "date",
    order: Hashable | None = None,
    period: str = "Q",
    start: Any = None,
    end: Any = None,
    by_cohort: bool = False,
    date_format: str | None = None,
    nan_policy: str = "raise",
    dayfirst: bool | None = None,
    memory_limit: str | None = None,
) -> Any:
    """Retention and repeat-purchase rates by calendar period.

    Parameters
    ----------
    transactions : pandas.DataFrame, Polars DataFrame or LazyFrame, DuckDB relation, PyArrow Table, Dask or PySpark DataFrame, or path
        One row per order; other engines and paths as in :func:`rfm`.
    customer, date, order : column names
        As in :func:`rfm` (no amount is needed).
    period : {"W", "M", "Q", "Y"}
        Calendar period; the pandas offset aliases ``"ME"``, ``"QE"``,
        ``"YE"`` are accepted too.
    start, end : date, optional
        Restrict to orders in ``[start, end]``; an ``end`` without a time
        includes the whole day (as ``as_of`` in :func:`rfm`). The first and
        last periods are complete only if ``start``/``end`` fall on period
        boundaries.
    by_cohort : bool, default False
        Return a cohort table instead (see Returns).
    date_format, nan_policy, dayfirst, memory_limit
        As in :func:`rfm`.

    Returns
    -------
    pandas.DataFrame
        ``by_cohort=False``: one row per period (index ``period``, every
        period from the first to the last, empty ones included) with
        ``active`` (customers with at least one order), ``orders``, ``new``
        (first order in the table falls in this period), ``returning``
        (= active - new), ``retained`` (active in this *and* the previous
        period), ``lapsed`` (active in the previous period, not in this one),
        ``retention_rate`` = retained / active in the previous period (NaN for
        the first period or after an empty one) and ``repeat_rate`` =
        returning / active.

        ``by_cohort=True``: rows = cohort (period of a customer's first order
        in the table), columns = periods since the first order (0, 1, ...),
        values = share of the cohort with at least one order in that period
        (column 0 is 1 by construction); column ``size`` holds the cohort size.

        Polars, DuckDB, PyArrow, Dask and Spark inputs (and paths) give the same numbers in a table
        of the input's kind (a pandas DataFrame for paths) with the period or
        cohort as a first column of text labels as pandas prints them
        (``"2024Q1"``, ``"2024-03"``) and, for cohorts, text column names
        ``"0"``, ``"1"``, .... The counts per period (and per cohort and age) are
        computed by the engine (distinct customer-period pairs, a window over
        each customer's periods; on DuckDB, one bitmap of active periods per
        customer, counted with NumPy); only that small table comes back to Python,
        where empty periods are filled in, so a lazy input gives a lazy frame
        over an already computed table.

    Raises
    ------
    DataError, ColumnNotFoundError, ArgumentError
        As in :func:`rfm`; unknown ``period``; ``start`` after ``end``.
    InsufficientDataError
        No orders between ``start`` and ``end``.

    Notes
    -----
    "New" means new *to the table*: customers whose history starts before the
    first date of the log look new in the first period (left censoring), so
    read ``new`` and ``repeat_rate`` from the second period on.

    Examples
    --------
    >>> import pandas as pd
    >>> import csl_stats
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["A", "B", "A", "C", "B", "C"],
    ...     "date": ["2024-01-15", "2024-02-01", "2024-04-02", "2024-05-05", "2024-08-01", "2024-09-09"]})
    >>> csl_stats.retention(tx, period="Q")[["active", "new", "retained", "retention_rate"]]
            active  new  retained  retention_rate
    period
    2024Q1       2    2         0             NaN
    2024Q2       2    1         1             0.5
    2024Q3       2    0         1             0.5
    """
    check_choice(period, "period", list(_PERIODS))
    by_cohort = check_flag(by_cohort, "by_cohort")
    freq = _PERIODS[period]
    lf, kind, _con = _engine_input(transactions, memory_limit)
    if lf is not None:
        from . import _behaviour_engines as eng

        roles = _roles(customer=customer, date=date, amount=None, order=order)
        lf, tz = eng.prepare(lf, roles, date_format=date_format, dayfirst=dayfirst, nan_policy=nan_policy)
        if kind == "arrow":  # zoned Arrow timestamps reach DuckDB as local times; the zone is in the schema
            tz = eng.arrow_zone(transactions, date)
        lo = None if start is None else _as_timestamp(start, "start", tz)
        hi = None if end is None else _as_timestamp(end, "end", tz)
        if lo is not None and hi is not None and lo > hi:
            raise ArgumentError(f"start ({lo.date()}) is after end ({hi.date()}).")
        if lo is not None:
            lf = lf.filter(eng.after(lo))
        if hi is not None:
            lf = lf.filter(eng.before(_end_cutoff(hi)))
        if eng.date_range(lf)[2] == 0:
            raise InsufficientDataError("no orders between start and end.")
        table = eng.retention_table(eng.retention_counts(lf, freq, by_cohort), freq, by_cohort)
        return eng.to_kind(table, transactions, kind)
    frame = _transactions_frame(
        transactions,
        customer=customer,
        date=date,
        amount=None,
        order=order,
        date_format=date_format,
        nan_policy=nan_policy,
        dayfirst=dayfirst,
    )
    lo = None if start is None else _as_timestamp(start, "start", frame.attrs.get("tz"))
    hi = None if end is None else _as_timestamp(end, "end", frame.attrs.get("tz"))
    if lo is not None and hi is not None and lo > hi:
        raise ArgumentError(f"start ({lo.date()}) is after end ({hi.date()}).")
    if lo is not None:
        frame = frame[frame["date"] >= lo]
    if hi is not None:
        op, cut = _end_cutoff(hi)
        frame = frame[frame["date"] < cut] if op == "<" else frame[frame["date"] <= cut]
    if frame.empty:
        raise InsufficientDataError("no orders between start and end.")
    frame = frame.assign(period=frame["date"].dt.to_period(freq))
    periods = pd.period_range(frame["period"].min(), frame["period"].max(), freq=freq)
    first = frame.groupby("customer")["period"].min()

    if by_cohort:
        age = frame["period"].astype("int64") - frame["customer"].map(first).astype("int64")
        act = pd.DataFrame({"cohort": frame["customer"].map(first), "age": age, "customer": frame["customer"]})
        counts = act.drop_duplicates().groupby(["cohort", "age"]).size().unstack("age", fill_value=0)
        counts = counts.reindex(columns=range(len(periods)), fill_value=0)
        size = first.value_counts().reindex(counts.index)
        table = counts.div(size, axis=0).astype("float64")
        # periods not yet observed for a cohort are unknown, not zero
        last = periods[-1]
        for cohort in table.index:
            horizon = int(last.ordinal - cohort.ordinal)
            table.loc[cohort, [c for c in table.columns if c > horizon]] = np.nan
        table.insert(0, "size", size.astype("int64"))
        table.index.name = "cohort"
        table.columns.name = "periods_since_first"
        return table

    active_sets = frame.groupby("period")["customer"].agg(lambda s: set(s.unique()))
    rows = []
    prev: set[Any] | None = None
    for p in periods:
        act = active_sets.get(p, set())
        new = int((first == p).sum())
        if prev is None:
            retained = lapsed = 0
            rate = math.nan
        else:
            retained = len(act & prev)
            lapsed = len(prev - act)
            rate = retained / len(prev) if prev else math.nan
        rows.append(
            {
                "active": len(act),
                "orders": int((frame["period"] == p).sum()),
                "new": new,
                "returning": len(act) - new,
                "retained": retained,
                "lapsed": lapsed,
                "retention_rate": rate,
                "repeat_rate": (len(act) - new) / len(act) if act else math.nan,
            }
        )
        prev = act
    out = pd.DataFrame(rows, index=pd.PeriodIndex(periods, name="period"))
    return out
