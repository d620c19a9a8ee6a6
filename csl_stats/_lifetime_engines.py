"""The order-log side of :func:`csl_stats.customer_lifetimes` on Polars, DuckDB, PyArrow and Spark.

The lapse rule is written with narwhals expressions, so the engine that holds the
log does the work (distinct order days, a window over each customer's days, grouped
aggregations and joins); only the per-customer table comes back, as the input's kind:

- the distinct (customer, order day) pairs, with each customer's previous order day
  (a window ordered by day);
- a gap longer than the window after an order day ``p`` makes ``p`` a lapse
  candidate; so does the last order day if the window after it ends by ``as_of``;
- per customer: the start of follow-up (first order, or the origin rule), the last
  order on or before it (the anchor), the first candidate on or after the anchor
  (the lapse, if the window after it ends by ``observation_end``), the last order,
  and the number of order days between start and last order.

This is the same rule, step for step, as the pandas loop in :mod:`csl_stats.lifetimes`
(tested to give identical tables). The customer-specific window (``gap_multiple``)
needs a per-customer median of gaps and a per-row duration: it is refused with the
way out (compute on pandas). Dask has no ordered window: there the previous order day
comes from a shuffle by customer and a sort and shift per partition.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Hashable
from typing import Any

import pandas as pd

from ._validation import preview, stacklevel
from .errors import DataError, InconsistencyWarning, InsufficientDataError


def lifetimes_engine(
    lf: Any, *, customer_name: Hashable, date_name: Hashable, as_of: Any, inactivity: int,
    observation_end: Any, origin: Any, date_format: str | None, dayfirst: bool | None,
    one_date: Any,
) -> Any:
    """The lifetimes table as a narwhals LazyFrame (customer first, sorted), validated as the pandas path."""
    import narwhals.stable.v2 as nw

    from . import _behaviour_engines as eng

    schema = lf.collect_schema()
    lf = lf.select(nw.col(customer_name).alias("customer"), nw.col(date_name).alias("date"))
    if schema[customer_name].is_float():  # a float NaN is a missing id, as in pandas (not null in Polars, DuckDB)
        lf = lf.with_columns(nw.col("customer").fill_nan(None))
    # rows minus non-missing values: an empty log gives 0 (a null count can be NULL on DuckDB)
    miss = eng._one_row(lf, (nw.len() - nw.col("customer").count()).alias("c"),
                        (nw.len() - nw.col("date").count()).alias("d"), nw.len().alias("n"))
    if not int(miss["n"]):
        raise InsufficientDataError("transactions has no rows.")
    for role, name in (("c", customer_name), ("d", date_name)):
        if int(miss[role]):
            raise DataError(f"column {name!r} is missing in {int(miss[role])} row(s).")
    schema = lf.collect_schema()
    lf, _tz = eng._dates(lf, schema["date"], date_name, date_format, dayfirst)
    # the calendar day, kept a naive timestamp (Spark's date_trunc returns a session-zone TIMESTAMP)
    day = nw.col("date").dt.truncate("1d").cast(nw.Datetime("us"))
    days = lf.select("customer", day.alias("day")).unique()
    hi = eng._one_row(days, nw.col("day").max().alias("hi"))["hi"]
    if hi is None or pd.isna(hi):
        raise DataError("transactions has no orders.")
    as_of = pd.Timestamp(hi) if as_of is None else one_date(as_of, "as_of")
    late = days.filter(nw.col("day") > as_of.to_pydatetime())
    n_late = int(eng._one_row(late, nw.len().alias("n"))["n"])
    if n_late:
        from .lifetimes import _late_orders_error

        sample = late.sort("day").head(5).collect().to_pandas()
        raise _late_orders_error(f"{n_late} order day(s) are", as_of, sample["day"], sample["customer"])
    from .lifetimes import _window_bounds

    end_obs, org = _window_bounds(as_of, observation_end, origin)

    w = _dt.timedelta(days=inactivity)
    a, e = as_of.to_pydatetime(), end_obs.to_pydatetime()
    d = nw.col("day")
    days = _with_previous_day(days)
    # lapse candidates: an order day followed by a gap longer than the window
    gap = days.filter(~nw.col("prev").is_null() & (d > nw.col("prev") + w)).select(
        "customer", nw.col("prev").alias("cand"))
    # conditional days as columns first, then elementary aggregations (the shape Dask accepts too)
    cond = {"last_le_end": (d <= e, "max")}
    if org is not None:
        o = org.to_pydatetime()
        cond |= {"le_org": ((d > o - w) & (d <= o), "max"), "after": (d > o, "min")}
    per = days.with_columns(*[nw.when(c).then(d).alias(f"_{k}") for k, (c, _) in cond.items()]).group_by(
        "customer").agg(d.min().alias("first"), d.max().alias("lastday"),
                        *[getattr(nw.col(f"_{k}"), how)().alias(k) for k, (_, how) in cond.items()])
    if org is None:
        per = per.with_columns(nw.col("first").alias("start"), nw.col("first").alias("anchor"))
    else:
        active = ~nw.col("le_org").is_null()
        per = per.with_columns(
            nw.when(active).then(nw.lit(o)).otherwise(nw.col("after")).alias("start"),
            nw.when(active).then(nw.col("le_org")).otherwise(nw.col("after")).alias("anchor"),
        )
        lapsed = per.filter(nw.col("start").is_null())
        n_lapsed = int(eng._one_row(lapsed, nw.len().alias("n"))["n"])
        if n_lapsed:
            warnings.warn(f"{n_lapsed} customer(s) had lapsed by the origin {org.date()} and are left out "
                          f"(not at risk): {_first_ids(lapsed, n_lapsed)}.", InconsistencyWarning,
                          stacklevel=stacklevel())
        per = per.filter(~nw.col("start").is_null())
    # the last order day is a candidate too when the window after it ends by as_of
    last_cand = per.filter(nw.col("lastday") + w <= a).select("customer", nw.col("lastday").alias("cand"))
    cands = nw.concat([gap, last_cand], how="vertical")
    firstk = cands.join(per.select("customer", "anchor"), on="customer", how="inner").filter(
        nw.col("cand") >= nw.col("anchor")).group_by("customer").agg(nw.col("cand").min().alias("k"))
    per = per.join(firstk, on="customer", how="left")
    event = ~nw.col("k").is_null() & (nw.col("k") + w <= e)
    per = per.with_columns(
        nw.when(event).then(nw.col("k")).otherwise(nw.col("last_le_end")).alias("last_order"),
        nw.when(event).then(nw.col("k") + w).otherwise(nw.lit(None)).alias("lapse_date"),
        nw.when(event).then(nw.col("k") + w).otherwise(nw.lit(e)).alias("end"),
        event.cast(nw.Int64).alias("event"),
    )
    empty = per.filter(nw.col("start") >= nw.col("end"))
    n_empty = int(eng._one_row(empty, nw.len().alias("n"))["n"])
    if n_empty:
        warnings.warn(f"{n_empty} customer(s) have no follow-up time (first order on or after the end of "
                      f"follow-up) and are left out: {_first_ids(empty, n_empty)}.", InconsistencyWarning,
                      stacklevel=stacklevel())
    per = per.filter(nw.col("start") < nw.col("end"))
    counted = days.join(per.select("customer", "start", "last_order"), on="customer", how="inner").filter(
        (d >= nw.col("start")) & (d <= nw.col("last_order"))).group_by("customer").agg(nw.len().alias("n_orders"))
    per = per.join(counted, on="customer", how="left")
    per = per.with_columns(
        (eng._epoch_days(nw.col("end")) - eng._epoch_days(nw.col("start"))).cast(nw.Int64).alias("duration"),
        nw.lit(inactivity).cast(nw.Int64).alias("window"),
        nw.col("n_orders").fill_null(0).cast(nw.Int64),
    )
    cols = ["start", "first_order", "last_order", "n_orders", "lapse_date", "end", "duration", "event", "window"]
    per = per.with_columns(nw.col("first").alias("first_order"))
    return per.select(nw.col("customer").alias(str(customer_name)), *cols).sort(str(customer_name))


def _first_ids(frame: Any, n: int) -> str:
    """The customers of a lazy frame as :func:`preview` shows them (first five in order, then the count)."""
    ids = frame.sort("customer").select("customer").head(5).collect().to_pandas()["customer"].tolist()
    text = preview(ids)
    return text if n <= 5 else f"{text[:-1]}, ...] ({n} distinct)"


def _with_previous_day(days: Any) -> Any:
    """Column ``prev``: the customer's previous order day (a window ordered by day). Dask has no ordered
    window: there the days are shuffled so each customer sits in one partition, and each partition is
    sorted and shifted by pandas on the workers (lazy, in the task graph)."""
    import narwhals.stable.v2 as nw

    if days.implementation != nw.Implementation.DASK:
        return days.with_columns(nw.col("day").shift(1).over("customer", order_by="day").alias("prev"))

    def shift(part: pd.DataFrame) -> pd.DataFrame:
        part = part.sort_values(["customer", "day"])
        return part.assign(prev=part.groupby("customer", sort=False)["day"].shift(1))

    ddf = days.to_native().shuffle("customer")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)
        return nw.from_native(ddf.map_partitions(shift, meta=shift(ddf._meta)))
