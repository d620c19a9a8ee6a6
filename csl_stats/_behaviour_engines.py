"""RFM and retention on other dataframe engines (Polars, DuckDB, PyArrow, Dask, Spark) through narwhals.

:func:`csl_stats.rfm` and :func:`csl_stats.retention` hand any input that is
not a pandas DataFrame to this module. The work is written once with narwhals
expressions, so it runs *inside* the engine that holds the data (group-by,
window and rank expressions; no row-wise Python, no collect of the order log):

- validation is one aggregate query per check (counts of missing values,
  negative amounts, duplicated orders, the date range), so errors are raised
  at call time, with the same error classes and policy as the pandas path;
- :func:`rfm_engine` returns a lazy query on a lazy input (Polars LazyFrame,
  DuckDB relation, Dask or Spark DataFrame) and a DataFrame on an eager one
  (Polars DataFrame; a PyArrow Table is queried by DuckDB and returned as a
  PyArrow Table);
- :func:`retention_counts` aggregates the log to one row per period (or per
  cohort and age) inside the engine; only that small table comes back to
  Python, where empty periods are filled in, and it is returned as the input's
  kind.

Paths (``"orders/*.parquet"``, ``"orders.csv"``) are read by an embedded
DuckDB connection with a ``memory_limit`` (out of core).

Where narwhals lacks an operation on an engine, the engine's own is used:
ranks over all customers on Dask (one partition of the customer table, ranked
by a pandas task on a worker), and joins instead of ordered windows for
retention on Dask.

narwhals, Polars, DuckDB, Dask and PySpark are optional (``csl-stats[polars]``,
``[duckdb]``, ``[dask]``, ``[spark]``); they are imported here only, when such
an input arrives.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_columns, check_flag, preview, stacklevel
from .errors import ArgumentTypeError, DataError, DateError, InsufficientDataError, MissingDataWarning

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_ISO_TIME = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"
_DMY = r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}$"
_MONDAY = _dt.datetime(1970, 1, 5)


def _days(when: _dt.datetime) -> int:
    """Days since 1970-01-01 of a date (its time of day ignored)."""
    return (when.date() - _dt.date(1970, 1, 1)).days


def _epoch_days(expr: Any) -> Any:
    """Days since 1970-01-01 of a datetime expression, from its calendar date by integer arithmetic
    (Hinnant's days-from-civil), so every engine computes it the same way."""
    import narwhals.stable.v2 as nw

    y0 = expr.dt.year().cast(nw.Int64)
    m = expr.dt.month().cast(nw.Int64)
    d = expr.dt.day().cast(nw.Int64)
    y = y0 - (m <= 2).cast(nw.Int64)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# --------------------------------------------------------------------------- dispatch
def as_engine_frame(obj: Any) -> Any | None:
    """A narwhals LazyFrame for a Polars/DuckDB/... input, or None for pandas and non-frames."""
    if isinstance(obj, pd.DataFrame) or isinstance(obj, dict | list | tuple | np.ndarray):
        return None
    module = _module(obj)
    if module not in _ENGINES:
        return None
    try:
        import narwhals.stable.v2 as nw
    except ImportError:  # pragma: no cover - the extras install narwhals
        raise ArgumentTypeError(
            f"transactions is a {module} object; install the engine extra (pip install "
            f"\"csl-stats[{_ENGINES[module]}]\") so csl_stats can compute on it through narwhals."
        ) from None
    with warnings.catch_warnings():
        # narwhals announces that its Dask support moves to a plugin package; it works as it is
        warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)
        return nw.from_native(obj)


#: Top-level module of a supported input -> the extra that installs its engine.
_ENGINES = {"polars": "polars", "duckdb": "duckdb", "pyarrow": "duckdb", "dask": "dask", "pyspark": "spark"}


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def arrow_relation(table: Any) -> Any:
    """A PyArrow table as a narwhals LazyFrame over a DuckDB relation (DuckDB reads the Arrow memory)."""
    try:
        import duckdb
    except ImportError:
        raise ArgumentTypeError(
            "transactions is a PyArrow table; csl_stats computes on it with DuckDB: pip install \"csl-stats[duckdb]\"."
        ) from None
    import narwhals.stable.v2 as nw
    import pyarrow as pa
    import pyarrow.compute as pc

    # an Arrow timestamp keeps its zone, which DuckDB's TIMESTAMP WITH TIME ZONE would drop: the local
    # wall-clock times go to DuckDB (orders are bucketed in their own zone), the zone stays in the schema
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            table = table.set_column(i, field.name, pc.local_timestamp(table.column(i)))
    return nw.from_native(duckdb.from_arrow(table))


def arrow_zone(table: Any, name: Hashable) -> str | None:
    """The time zone of a PyArrow table's timestamp column ``name`` (None if naive or not a timestamp)."""
    import pyarrow as pa

    kind = table.schema.field(str(name)).type
    return kind.tz if pa.types.is_timestamp(kind) else None


def is_path(obj: Any) -> bool:
    return isinstance(obj, str | os.PathLike)


def read_path(path: Any, memory_limit: str | None) -> tuple[Any, Any]:
    """(connection, relation) reading a Parquet or CSV path (globs allowed) with embedded DuckDB."""
    try:
        import duckdb
    except ImportError:
        raise ArgumentTypeError(
            f"transactions is a path ({str(path)!r}); reading files needs DuckDB: pip install \"csl-stats[duckdb]\"."
        ) from None
    text = os.fspath(path)
    low = text.lower()
    con = duckdb.connect()
    # the result is sorted at the end, so row order need not be kept while streaming (less memory)
    con.execute("SET preserve_insertion_order = false")
    with contextlib.suppress(duckdb.Error):  # cosmetic; in Jupyter DuckDB refuses the setting without ipywidgets
        con.execute("SET enable_progress_bar = false")
    if memory_limit is not None:
        if not isinstance(memory_limit, str):
            raise ArgumentTypeError(f"memory_limit must be a string such as '2GB'; got {memory_limit!r}.")
        con.execute("SET memory_limit = ?", [memory_limit])
    if low.endswith((".parquet", ".pq")):
        rel = con.read_parquet(text)
    elif low.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        rel = con.read_csv(text)
    else:
        raise ArgumentTypeError(f"transactions path {text!r} must end in .parquet or .csv (globs allowed).")
    return con, rel


def to_kind(table: pd.DataFrame, transactions: Any, kind: str) -> Any:
    """A small pandas result (no index) as the caller's kind: Polars for Polars, a DuckDB relation for DuckDB."""
    if kind == "path":
        return table
    module = _module(transactions)
    if module == "polars":
        import polars as pl

        out = pl.from_pandas(table)
        return out.lazy() if kind == "lazy" else out
    if module == "pyarrow":
        return _arrow(table)
    if module == "dask":
        import dask.dataframe as dd

        return dd.from_pandas(table, npartitions=1)
    if module == "pyspark":  # a DataFrame of the caller's own session (local or a cluster)
        return transactions.sparkSession.createDataFrame(table)
    import duckdb

    return duckdb.from_arrow(_arrow(table))


def _arrow(table: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(table, preserve_index=False)


# --------------------------------------------------------------------------- validation
def _count(condition: Any) -> Any:
    """Number of rows where a boolean expression holds (cast first: Spark does not sum booleans)."""
    import narwhals.stable.v2 as nw

    return condition.cast(nw.Int64).sum()


def _one_row(lf: Any, *exprs: Any) -> dict[str, Any]:
    return lf.select(*exprs).collect().to_pandas().iloc[0].to_dict()


def prepare(
    lf: Any,
    roles: dict[str, Hashable],
    *,
    date_format: str | None,
    dayfirst: bool | None,
    nan_policy: str,
) -> tuple[Any, Any]:
    """Validated lazy frame with columns customer/date[/amount][/order] and the data's time zone."""
    import narwhals.stable.v2 as nw

    schema = lf.collect_schema()
    check_columns(pd.DataFrame(columns=list(schema.names())), list(roles.values()), arg="transactions columns")
    lf = lf.select(*[nw.col(col).alias(role) for role, col in roles.items()])
    # a float NaN is a missing value, as in pandas (Polars and DuckDB keep NaN apart from null)
    nan_roles = [role for role, col in roles.items() if schema[col].is_float()]
    if nan_roles:
        lf = lf.with_columns(*[nw.col(r).fill_nan(None) for r in nan_roles])
    # missing values: rows minus non-missing values, which DuckDB answers from a Parquet file's statistics
    # without reading the columns when they record no nulls; incomplete rows are counted only if there are any
    counts = _one_row(lf, *[(nw.len() - nw.col(r).count()).alias(r) for r in roles], nw.len().alias("_n"))
    n = int(counts.pop("_n"))
    if not n:  # as check_dataframe says for an empty pandas frame
        raise InsufficientDataError("transactions has no rows.")
    counts = {r: int(k) for r, k in counts.items() if k}
    if counts and nan_policy == "raise":
        detail = ", ".join(f"{roles[r]!r}: {k}" for r, k in counts.items())
        raise InsufficientDataError(
            f"missing values found ({detail}) and nan_policy='raise'; use nan_policy='listwise' to drop incomplete rows."
        )
    if counts:
        incomplete = nw.any_horizontal(*[nw.col(r).is_null() for r in roles], ignore_nulls=False)
        dropped = int(_one_row(lf, incomplete.cast(nw.Int64).sum().alias("_dropped"))["_dropped"])
        if n and dropped / n > 0.2:  # as apply_nan_policy does for pandas
            worst = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
            warnings.warn(
                f"listwise deletion dropped {dropped} of {n} rows ({dropped / n:.0%}); most missing: "
                + ", ".join(f"{roles[r]!r}: {k}" for r, k in worst) + ".",
                MissingDataWarning,
                stacklevel=stacklevel(),
            )
        lf = lf.drop_nulls()
    lf, tz = _dates(lf, schema[roles["date"]], roles["date"], date_format, dayfirst)
    if "amount" in roles:
        lf = _amounts(lf, schema[roles["amount"]], roles["amount"])
    _unique(lf, roles)
    return lf, tz


def _dates(lf: Any, dtype: Any, name: Hashable, date_format: str | None, dayfirst: bool | None) -> tuple[Any, Any]:
    import narwhals.stable.v2 as nw

    if date_format is not None and not isinstance(date_format, str):
        raise ArgumentTypeError(f"date_format must be a strftime string such as '%d/%m/%Y'; got {date_format!r}.")
    if dayfirst is not None:
        dayfirst = check_flag(dayfirst, "dayfirst")
    where = f"date column {name!r}"
    d = nw.col("date")
    if dtype == nw.Unknown and lf.implementation == nw.Implementation.DASK:
        # narwhals does not map pandas' datetime64[ns, <zone>] when the zone's name has an underscore
        # (America/New_York): the partitions' own dtype tells the zone
        native = lf.to_native()._meta["date"].dtype
        if isinstance(native, pd.DatetimeTZDtype):
            return lf.with_columns(d.dt.replace_time_zone(None)), str(native.tz)
    if dtype == nw.Datetime:
        tz = getattr(dtype, "time_zone", None)
        if tz is not None and lf.implementation == nw.Implementation.DUCKDB:
            # TIMESTAMPTZ stores instants, not the zone they were recorded in: local calendar days are unknown
            raise DateError(
                f"{where} is TIMESTAMP WITH TIME ZONE, which does not keep the zone the orders were placed "
                f"in, so their local calendar days are unknown; convert it to local time first, e.g. "
                f"timezone('Europe/Berlin', {name}) in DuckDB SQL."
            )
        if tz is not None:  # bucket in the data's own time zone: keep the local wall-clock time
            lf = lf.with_columns(d.dt.replace_time_zone(None))
        return lf, tz
    if dtype == nw.Date:
        return lf.with_columns(d.cast(nw.Datetime("us"))), None
    if dtype.is_numeric() or dtype == nw.Boolean:
        raise DateError(
            f"{where} holds numbers ({dtype} dtype), not dates; convert it to dates (e.g. pandas.to_datetime "
            "with unit='D', origin=...) first."
        )
    if dtype != nw.String:
        raise DateError(f"{where} holds {dtype} values, not dates.")
    fmt = date_format
    if fmt is None:
        st = _one_row(
            lf,
            _count(d.str.contains(_ISO_DATE)).alias("iso"),
            _count(d.str.contains(_ISO_TIME)).alias("iso_t"),
            _count(d.str.contains(_DMY)).alias("dmy"),
            d.len().alias("n"),
        )
        n = int(st["n"])
        if int(st["iso"]) == n:
            fmt = "%Y-%m-%d"
        elif int(st["iso_t"]) == n:
            sample = lf.select(d).head(1).collect().to_pandas()["date"].iloc[0]
            fmt = "%Y-%m-%dT%H:%M:%S" if "T" in sample else "%Y-%m-%d %H:%M:%S"
        elif int(st["dmy"]) == n:
            big = r"(?:1[3-9]|[2-9]\d)"  # a day (13-31, or a typo above): settles the order
            mx = _one_row(
                lf, _count(d.str.contains(rf"^{big}[/.\-]")).alias("a"),
                _count(d.str.contains(rf"^\d{{1,2}}[/.\-]{big}[/.\-]")).alias("b"),
            )
            first_big, second_big = int(mx["a"]) > 0, int(mx["b"]) > 0
            if first_big and second_big:
                raise DateError(f"{where}: text dates mix dd/mm and mm/dd order; fix the column or pass date_format.")
            if dayfirst is None:
                if not (first_big or second_big):
                    sample = lf.select(d).head(3).collect().to_pandas()["date"].tolist()
                    raise DateError(
                        f"{where}: text dates such as {preview(sample, limit=3)} can be read as dd/mm or mm/dd; "
                        "pass date_format (e.g. '%d/%m/%Y') or dayfirst=True/False."
                    )
                dayfirst = first_big
            sep = next(c for c in lf.select(d).head(1).collect().to_pandas()["date"].iloc[0] if c in "/.-")
            fmt = f"%d{sep}%m{sep}%Y" if dayfirst else f"%m{sep}%d{sep}%Y"
        else:
            raise DateError(
                f"{where}: text dates that are not ISO (yyyy-mm-dd) or numeric dd/mm/yyyy; pass date_format=..."
                f" (e.g. '%d/%m/%Y') or convert the column to dates in the engine first."
            )
    parsed = lf.with_columns(d.str.to_datetime(format=fmt))
    try:
        _one_row(parsed, nw.col("date").min().alias("lo"))
    except Exception as exc:  # the engine's own parse error, e.g. month 13
        raise DateError(f"{where}: values could not be parsed as dates with format {fmt!r} ({exc}).") from None
    return parsed, None


def _amounts(lf: Any, dtype: Any, name: Hashable) -> Any:
    import narwhals.stable.v2 as nw

    if not dtype.is_numeric() or dtype == nw.Boolean:
        raise DataError(f"amount column {name!r} must be numeric; got {dtype} dtype.")
    lf = lf.with_columns(nw.col("amount").cast(nw.Float64))
    a = nw.col("amount")
    st = _one_row(lf, _count(a < 0).alias("neg"), _count(~a.is_finite()).alias("inf"))
    if int(st["inf"]):
        raise DataError(f"amount column {name!r} contains infinite values.")
    if int(st["neg"]):
        bad = lf.filter(a < 0).select(a).head(5).collect().to_pandas()["amount"].tolist()
        raise DataError(
            f"amount column {name!r} has {int(st['neg'])} negative value(s) {preview(bad)}; "
            "net returns and credit notes against their orders before computing RFM."
        )
    return lf


def _unique(lf: Any, roles: dict[str, Hashable]) -> None:
    import narwhals.stable.v2 as nw

    if "order" in roles:
        # one scan comparing the count with the distinct count (30 % less CPU than a grouped count in DuckDB;
        # both spill to disk within its memory_limit); integer ids on DuckDB are counted in a bitmap instead
        # of a hash table; only when the counts differ, a grouped count names the repeated ids
        st = _bitmap_unique(lf)
        if st is None:
            st = _one_row(lf, nw.len().alias("n"), nw.col("order").n_unique().alias("u"))
        if int(st["u"]) < int(st["n"]):
            repeated = lf.group_by("order").agg(nw.len().alias("k")).filter(nw.col("k") > 1)
            dup = repeated.select("order").head(5).collect().to_pandas()["order"].tolist()
            raise DataError(
                f"order id column {roles['order']!r} must be unique (one row per order) but "
                f"{preview(sorted(dup, key=str))} occur more than once; aggregate order lines first."
            )
    elif "amount" in roles:
        keys = ["customer", "date", "amount"]
        n_dup = _one_row(
            lf.group_by(keys).agg(nw.len().alias("k")).filter(nw.col("k") > 1), nw.col("k").sum().alias("d")
        )["d"]
        if n_dup is not None and not pd.isna(n_dup) and int(n_dup):
            raise DataError(
                f"{int(n_dup)} rows are exact duplicates (same customer, date and amount): probably loaded twice. "
                "Drop them, or pass order=... with the order ids if they are genuinely separate orders."
            )


#: Widest range of integer order ids counted in a bitmap (bits; 2**30 bits = 128 MB per thread).
_BITMAP_BITS = 2**30


def _bitmap_unique(lf: Any) -> dict[str, int] | None:
    """{"n": rows, "u": distinct order ids} for integer ids on DuckDB, or None (then the caller counts distinct
    values in a hash table).

    Order ids are usually integers from a sequence, so they span a range not much wider than their number.
    DuckDB's ``bitstring_agg`` sets one bit per id in a bitmap over that range, and the number of set bits is
    the number of distinct ids: exact, without the hash table of a distinct count, which for 100 M ids
    outgrows the memory limit and spills to disk (at 20 M ids: 0.3 s instead of 3 s)."""
    import narwhals.stable.v2 as nw

    if lf.implementation != nw.Implementation.DUCKDB or not lf.collect_schema()["order"].is_integer():
        return None
    rel = lf.select("order").to_native()
    n, lo, hi = rel.aggregate('count(*), min("order"), max("order")').fetchall()[0]
    if not n:
        return {"n": 0, "u": 0}
    lo, hi = int(lo), int(hi)
    if hi - lo + 1 > _BITMAP_BITS or lo < -(2**63) or hi >= 2**63:  # too wide, or not a BIGINT
        return None
    (u,) = rel.aggregate(f'bit_count(bitstring_agg(CAST("order" AS BIGINT), {lo}, {hi}))').fetchall()[0]
    return {"n": int(n), "u": int(u)}


# --------------------------------------------------------------------------- RFM
def _score(rank: str, bins: int) -> Any:
    import narwhals.stable.v2 as nw

    s = ((bins * (nw.col(rank) - 0.5)) / nw.col("_n")).floor().cast(nw.Int64) + 1
    return nw.when(s < 1).then(1).when(s > bins).then(bins).otherwise(s).cast(nw.Int64)


def _ranks(g: Any, cols: list[str], ties: str) -> Any:
    """Columns ``_r<col>`` (rank 1..n of each column over all customers: mid-ranks for ``ties="average"``,
    ties broken by customer id ``_key`` for ``"first"``) and ``_n`` (number of customers), by the engine's
    own ranking: window functions where narwhals has them, a sort and cumulative sum on Dask."""
    import narwhals.stable.v2 as nw

    if g.implementation == nw.Implementation.DASK:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)
            return nw.from_native(_dask_ranks(g.to_native(), cols, ties))
    if ties == "first":
        for col in cols:
            g = g.with_row_index(f"_i{col}", order_by=[col, "_key"]).with_columns((nw.col(f"_i{col}") + 1).alias(f"_r{col}"))
    else:
        g = g.with_columns(*[nw.col(col).rank(method="average").alias(f"_r{col}") for col in cols])
    return g.with_columns(nw.len().alias("_n"))


def _dask_ranks(ddf: Any, cols: list[str], ties: str) -> Any:
    """Dask has no rank over a whole frame. As Spark does for a window without a partition, the customer
    table (one row per customer, already aggregated from the order log by the cluster) is moved into one
    partition, where the worker ranks it with pandas (lazy: a task in the graph, run on the cluster)."""

    def rank(part: pd.DataFrame) -> pd.DataFrame:
        part = part.copy()
        for col in cols:
            if ties == "first":
                order = np.lexsort((part["_key"].to_numpy(dtype=str), part[col].to_numpy()))
                r = np.empty(len(part))
                r[order] = np.arange(1, len(part) + 1)
                part[f"_r{col}"] = r
            else:
                part[f"_r{col}"] = part[col].rank(method="average").astype("float64")
        part["_n"] = np.int64(len(part))
        return part

    meta = rank(ddf._meta)
    return ddf.repartition(npartitions=1).map_partitions(rank, meta=meta)


def _level(score: str, bins: int) -> Any:
    import narwhals.stable.v2 as nw

    u = (nw.col(score) - 1) / (bins - 1)
    return nw.when(u >= 0.75).then(nw.lit("high")).when(u <= 0.25).then(nw.lit("low")).otherwise(nw.lit("mid"))


def rfm_engine(
    lf: Any, *, customer_name: Hashable, ref: pd.Timestamp, cutoff: tuple[str, pd.Timestamp] | None,
    bins: int, monetary: str, ties: str, segments: dict[tuple[str, str], str], monetary_decimals: int,
) -> Any:
    """The RFM table as a narwhals LazyFrame (columns as in the pandas result, customer first)."""
    import narwhals.stable.v2 as nw

    if cutoff is not None:
        lf = lf.filter(before(cutoff))
    ref_day = ref.normalize().to_pydatetime()
    g = lf.group_by("customer").agg(
        nw.col("date").max().alias("last_order"),
        nw.col("date").min().alias("first_order"),
        nw.len().alias("frequency"),
        (nw.col("amount").sum() if monetary == "sum" else nw.col("amount").mean()).alias("monetary"),
    )
    g = g.with_columns(
        nw.col("frequency").cast(nw.Int64),
        (_days(ref_day) - _epoch_days(nw.col("last_order"))).alias("recency"),
        nw.col("customer").cast(nw.String).alias("_key"),
    ).with_columns(
        (-nw.col("recency")).alias("_neg_recency"),
        nw.col("monetary").round(monetary_decimals).alias("_m_rank"),
    )
    score_cols = {"r_score": "_neg_recency", "f_score": "frequency", "m_score": "_m_rank"}
    g = _ranks(g, list(score_cols.values()), ties)
    g = g.with_columns(*[_score(f"_r{v}", bins).alias(s) for s, v in score_cols.items()])
    width = len(str(bins))
    cell = nw.concat_str([nw.col(s).cast(nw.String).str.zfill(width) for s in score_cols])
    g = g.with_columns(
        cell.alias("rfm_cell"),
        (nw.col("r_score") + nw.col("f_score") + nw.col("m_score")).alias("rfm_score"),
        _level("r_score", bins).alias("_rl"),
        _level("f_score", bins).alias("_fl"),
    )
    seg = None
    for (rl, fl), name in segments.items():
        cond = (nw.col("_rl") == rl) & (nw.col("_fl") == fl)
        seg = nw.when(cond).then(nw.lit(name)) if seg is None else seg.when(cond).then(nw.lit(name))
    g = g.with_columns(seg.otherwise(nw.lit(None)).alias("segment"))
    cols = ["recency", "frequency", "monetary", "first_order", "last_order", "r_score", "f_score", "m_score",
            "rfm_cell", "rfm_score", "segment"]
    return g.select(nw.col("customer").alias(str(customer_name)), *cols).sort(str(customer_name))


def before(cutoff: tuple[str, pd.Timestamp]) -> Any:
    import narwhals.stable.v2 as nw

    op, when = cutoff
    when = when.to_pydatetime()
    return nw.col("date") < when if op == "<" else nw.col("date") <= when


def after(when: pd.Timestamp) -> Any:
    import narwhals.stable.v2 as nw

    return nw.col("date") >= when.to_pydatetime()


def date_range(lf: Any) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    import narwhals.stable.v2 as nw

    st = _one_row(lf, nw.col("date").min().alias("lo"), nw.col("date").max().alias("hi"), nw.len().alias("n"))
    n = int(st["n"])
    return (pd.Timestamp(st["lo"]) if n else None), (pd.Timestamp(st["hi"]) if n else None), n


# --------------------------------------------------------------------------- retention
def _period_key(freq: str) -> Any:
    import narwhals.stable.v2 as nw

    d = nw.col("date")
    if freq == "W":  # weeks Monday-Sunday, as pandas' "W" (W-SUN) periods; week 0 starts on Monday 1970-01-05
        return (_epoch_days(d) - _days(_MONDAY)) // 7
    y = d.dt.year().cast(nw.Int64)
    if freq == "Y":
        return y
    m = d.dt.month().cast(nw.Int64) - 1
    return y * 12 + m if freq == "M" else y * 4 + m // 3


def _period(k: int, freq: str) -> pd.Period:
    if freq == "W":
        return pd.Period(pd.Timestamp(_MONDAY) + pd.Timedelta(days=7 * int(k)), freq="W")
    if freq == "Y":
        return pd.Period(year=int(k), freq="Y")
    if freq == "M":
        return pd.Period(year=int(k) // 12, month=int(k) % 12 + 1, freq="M")
    return pd.Period(f"{int(k) // 4}Q{int(k) % 4 + 1}", freq="Q")


def retention_counts(lf: Any, freq: str, by_cohort: bool) -> pd.DataFrame:
    """Per-period (or per cohort x age) counts computed in the engine; a small pandas table.

    One scan of the log gives the (customer, period) pairs with their number of orders. Each customer's
    first period and previous active period come from window functions over the customer's pairs where
    the engine has them (DuckDB, Polars, Spark); Dask has no ordered windows, so there they come from
    joins and elementary group-by aggregations (the pairs joined to each customer's first period and to
    the same pairs one period later). On DuckDB, per-period counts (not cohorts) come from one bitmap of
    active periods per customer instead (:func:`_bitmask_counts`). All give the same counts."""
    import narwhals.stable.v2 as nw

    if not by_cohort:
        counts = _bitmask_counts(lf, freq)
        if counts is not None:
            return counts
    pairs = lf.with_columns(_period_key(freq).alias("k")).group_by("customer", "k").agg(nw.len().alias("_orders"))
    windows = pairs.implementation != nw.Implementation.DASK
    if by_cohort or not windows:
        if windows:
            pairs = pairs.with_columns(nw.col("k").min().over("customer").alias("first_k"))
        else:
            first = pairs.group_by("customer").agg(nw.col("k").min().alias("first_k"))
            pairs = pairs.join(first, on="customer", how="inner")
    if by_cohort:
        out = pairs.with_columns((nw.col("k") - nw.col("first_k")).alias("age")).group_by("first_k", "age").agg(
            nw.len().alias("count")
        )
        return out.collect().to_pandas()
    if windows:
        # one ordered window gives both flags: a pair without a previous active period is the customer's
        # first (new); with the previous one exactly one period earlier, the customer was retained
        prev = nw.col("k").shift(1).over("customer", order_by="k")
        pairs = pairs.with_columns(
            (prev == nw.col("k") - 1).fill_null(False).cast(nw.Int64).alias("_ret"),
            prev.is_null().cast(nw.Int64).alias("_new"),
        )
    else:
        earlier = pairs.select("customer", (nw.col("k") + 1).alias("k"), nw.lit(1).alias("_was"))
        pairs = pairs.join(earlier, on=["customer", "k"], how="left").with_columns(
            (~nw.col("_was").is_null()).cast(nw.Int64).alias("_ret"),
            (nw.col("k") == nw.col("first_k")).cast(nw.Int64).alias("_new"),
        )
    out = pairs.group_by("k").agg(
        nw.len().alias("active"), nw.col("_new").sum().alias("new"), nw.col("_ret").sum().alias("retained"),
        nw.col("_orders").sum().alias("orders"),
    )
    return out.collect().to_pandas()


#: Most 64-bit words of active periods per customer in :func:`_bitmask_counts` (1024 periods).
_MASK_WORDS = 16


def _bitmask_counts(lf: Any, freq: str) -> pd.DataFrame | None:
    """Per-period counts on DuckDB from one row per customer instead of one per (customer, period) pair;
    None on other engines or for more than ``64 * _MASK_WORDS`` periods.

    Orders per period are a grouped count over the few periods. The customers' active periods are a bitmap
    per customer (``bit_or`` of ``1 << period`` in 64-bit words), aggregated in the same hash table size as
    the RFM table (one row per customer) rather than the pairs (a dozen per customer for quarters), and with
    no window sort. The bitmaps (8 bytes per customer and word) are counted with NumPy: active customers
    (bit set), new ones (lowest set bit) and retained ones (this bit and the previous one set). The same
    counts as the pairs and window path, which the other engines use."""
    import narwhals.stable.v2 as nw

    if lf.implementation != nw.Implementation.DUCKDB:
        return None
    rel = lf.select("customer", _period_key(freq).alias("k")).to_native()
    orders = rel.aggregate("k, count(*) AS orders", "k").fetchdf()
    lo, hi = int(orders["k"].min()), int(orders["k"].max())
    n_periods = hi - lo + 1
    n_words = -(-n_periods // 64)
    if n_words > _MASK_WORDS:
        return None
    words = ", ".join(
        f"bit_or(CASE WHEN k - {lo} BETWEEN {64 * j} AND {64 * j + 63} "
        f"THEN CAST(1 AS UBIGINT) << CAST(k - {lo + 64 * j} AS UBIGINT) ELSE CAST(0 AS UBIGINT) END) AS w{j}"
        for j in range(n_words)
    )
    # (an unsigned shift amount keeps the words UBIGINT: a signed one widens them to HUGEINT, fetched as floats)
    native = rel.aggregate(words, "customer").fetchnumpy()
    if any(np.asarray(native[f"w{j}"]).dtype != np.uint64 for j in range(n_words)):  # pragma: no cover
        return None
    masks = np.column_stack([np.asarray(native[f"w{j}"]).astype("<u8") for j in range(n_words)])
    active = np.zeros(n_periods, dtype="int64")
    new = np.zeros(n_periods, dtype="int64")
    retained = np.zeros(n_periods, dtype="int64")
    step = 1 << 18  # customers per chunk: bounds the bit matrix at step * periods bytes
    for at in range(0, len(masks), step):
        chunk = np.ascontiguousarray(masks[at:at + step])
        bits = np.unpackbits(chunk.view(np.uint8), axis=1, bitorder="little")[:, :n_periods].astype(bool)
        active += bits.sum(axis=0)
        new += np.bincount(bits.argmax(axis=1), minlength=n_periods)
        retained[1:] += (bits[:, 1:] & bits[:, :-1]).sum(axis=0)
    out = pd.DataFrame({"k": np.arange(lo, hi + 1), "active": active, "new": new, "retained": retained})
    return out.merge(orders, on="k", how="left")


def retention_table(counts: pd.DataFrame, freq: str, by_cohort: bool) -> pd.DataFrame:
    """The engine counts completed into the retention table (same numbers as the pandas path)."""
    if by_cohort:
        lo = int(counts["first_k"].min())
        hi = int((counts["first_k"] + counts["age"]).max())
        wide = counts.pivot_table(index="first_k", columns="age", values="count", aggfunc="sum", fill_value=0)
        wide = wide.reindex(columns=range(hi - lo + 1), fill_value=0).sort_index()
        size = wide[0].astype("int64")
        table = wide.div(size, axis=0).astype("float64")
        for k in table.index:
            table.loc[k, [c for c in table.columns if c > hi - k]] = np.nan
        table.columns = [str(c) for c in table.columns]
        table.insert(0, "size", size)
        table.insert(0, "cohort", [str(_period(k, freq)) for k in table.index])
        return table.reset_index(drop=True)
    counts = counts.set_index("k").sort_index()
    ks = range(int(counts.index.min()), int(counts.index.max()) + 1)
    c = counts.reindex(ks, fill_value=0).fillna(0).astype("int64")
    active = c["active"].to_numpy()
    prev = np.concatenate([[0], active[:-1]])
    retained = c["retained"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(prev > 0, retained / np.where(prev > 0, prev, 1), np.nan)
        repeat = np.where(active > 0, (active - c["new"].to_numpy()) / np.where(active > 0, active, 1), np.nan)
    rate[0] = np.nan
    out = pd.DataFrame(
        {
            "period": [str(_period(k, freq)) for k in ks],
            "active": active,
            "orders": c["orders"].to_numpy(),
            "new": c["new"].to_numpy(),
            "returning": active - c["new"].to_numpy(),
            "retained": retained,
            "lapsed": np.where(np.arange(len(ks)) == 0, 0, prev - retained),
            "retention_rate": rate,
            "repeat_rate": repeat,
        }
    )
    return out
