"""A simulated order log for the surveyed customers, consistent with the survey.

The survey records, for each customer, what they did in the 12 months after
the survey (``orders_12m``, ``revenue_12m``, ``churned``). This module turns
those totals into individual orders (customer, date, amount), and adds the
12 months *before* the survey so that recency, frequency and monetary value
(RFM) at the survey date can be computed. The packaged copy is
``transactions.csv``; ``python -m csl_stats.datasets`` regenerates it.
"""

from __future__ import annotations

import math
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_generator, check_columns, check_dataframe, check_numeric, preview
from ..errors import ArgumentError, DataError

__all__ = [
    "SURVEY_DATE",
    "TRANSACTIONS_SEED",
    "simulate_transactions",
    "load_transactions",
    "transactions_csv_text",
]

#: Date on which the survey was answered: the day the "previous 12 months"
#: end and after which the "following 12 months" (``orders_12m``...) start.
SURVEY_DATE = "2024-12-31"

#: Seed that regenerates the packaged ``transactions.csv`` from the packaged survey.
TRANSACTIONS_SEED = 20241231

_UNIT = 1000  # amounts are whole euros: 1 kEUR = 1000 units
_COLUMNS = ["order_id", "customer_id", "date", "amount"]


def _split_exact(total: int, k: int, gen: np.random.Generator, shape: float = 4.0) -> np.ndarray:
    """Split a non-negative integer ``total`` into ``k`` non-negative integers that sum to it."""
    w = gen.gamma(shape, 1.0, size=k)
    w = w / w.sum()
    raw = total * w
    parts = np.floor(raw).astype(np.int64)
    rest = int(total - parts.sum())
    if rest:
        # largest remainders first; ties broken by position (stable sort), so it is deterministic
        idx = np.argsort(-(raw - parts), kind="stable")[:rest]
        parts[idx] += 1
    return parts


def _stratified_days(k: int, lo: int, hi: int, gen: np.random.Generator) -> np.ndarray:
    """``k`` order days in ``[lo, hi]``, one in each of ``k`` equal slices (regular B2B replenishment)."""
    span = hi - lo + 1
    u = (np.arange(k) + gen.uniform(size=k)) / k
    return lo + np.minimum((u * span).astype(np.int64), span - 1)


def simulate_transactions(
    survey: pd.DataFrame,
    *,
    rng: int | np.random.Generator | None = None,
    survey_date: Any = SURVEY_DATE,
) -> pd.DataFrame:
    """Simulate the order log of the surveyed customers, consistent with the survey.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per customer with ``customer_id`` (unique), ``orders_12m``,
        ``revenue_12m`` (kEUR) and ``churned`` (0/1); ``tenure_years`` is used
        if present. Typically :func:`csl_stats.load_supply_chain_survey`.
    rng : int, numpy.random.Generator or None
        Seed or generator.
    survey_date : date, default ``SURVEY_DATE`` ("2024-12-31")
        The survey date. "Before" = the 12 months up to and including it;
        "after" = the 12 months that follow.

    Returns
    -------
    pandas.DataFrame
        One row per order, sorted by date and customer, with ``order_id``
        (``"T000001"``...), ``customer_id``, ``date`` (datetime64) and
        ``amount`` (kEUR, whole euros, i.e. three decimals).

    Raises
    ------
    ColumnNotFoundError
        A required survey column is missing.
    DataError
        Duplicated customer ids; negative or non-integer orders; negative
        revenue; revenue without any order; ``churned`` not 0/1.

    Notes
    -----
    *After the survey* (the 12 months following ``survey_date``): a customer
    with ``orders_12m`` = :math:`k` and ``revenue_12m`` = :math:`R` gets
    exactly :math:`k` orders whose amounts sum exactly to :math:`R` (split in
    whole euros with gamma(4) weights and the largest-remainder rule). A
    customer who stays places one order in each of :math:`k` equal slices of
    the year; a churned customer stops at a churn day drawn uniformly between
    15 % and 90 % of the year, and the :math:`k` orders fall before it.

    *Before the survey* (the 12 months up to ``survey_date``, or since the
    start of the relationship if ``tenure_years`` < 1): the number of orders
    is :math:`\\max\\{1, \\mathrm{Poisson}(\\lambda e^{\\varepsilon} s)\\}`,
    :math:`\\varepsilon \\sim N(0, 0.25^2)`, where :math:`s` is the share of
    the year the customer was active and :math:`\\lambda` the customer's
    yearly order rate: :math:`\\max(k, 1)` for a customer who stays;
    :math:`\\max(k / a, \\lambda_0 / 2, 1)` for a churner active for a share
    :math:`a` of the following year (:math:`\\lambda_0` = median
    ``orders_12m`` of the staying customers of the same ``size``, if that
    column exists). A churner with no order after the survey had already
    drifted away: their last order before the survey falls on a random day
    between the middle and the end of the year, so recency at the survey
    date carries a churn signal. Orders are spread over equal slices of the
    active window; every surveyed customer bought at least once in the year
    before the survey. The average order value before the survey is the
    customer's post-survey value (or the median of their ``size`` group if
    they ordered nothing afterwards) times a log-normal factor (sd 0.2);
    amounts vary around it with gamma(4) noise (mean 1, sd 0.5).

    Missing survey values: a missing ``revenue_12m`` is drawn as
    ``orders_12m`` times the median order value of the ``size`` group times a
    log-normal factor (sd 0.3); a missing ``orders_12m`` from the revenue (or
    the group's median orders); a missing ``churned`` from the observed churn
    rate. The consistency then holds for the imputed values, which the survey
    does not show.

    Examples
    --------
    >>> import pandas as pd
    >>> from csl_stats.datasets import simulate_transactions
    >>> survey = pd.DataFrame({"customer_id": ["C1", "C2"], "orders_12m": [3, 0],
    ...                        "revenue_12m": [12.5, 0.0], "churned": [0, 1]})
    >>> tx = simulate_transactions(survey, rng=1)
    >>> after = tx[tx["date"] > "2024-12-31"]
    >>> after.groupby("customer_id")["amount"].agg(["size", "sum"]).round(3)
                 size   sum
    customer_id
    C1              3  12.5
    """
    tx, _ = _simulate_with_truth(survey, as_generator(rng), survey_date)
    return tx


def _simulate_with_truth(
    survey: pd.DataFrame, gen: np.random.Generator, survey_date: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The order-log draw; also returns each customer's true churn date (NaT if they stay)."""
    data = check_dataframe(survey, name="survey")
    check_columns(data, ["customer_id", "orders_12m", "revenue_12m", "churned"], arg="survey columns")
    try:
        t0 = pd.Timestamp(survey_date).normalize()
    except (TypeError, ValueError):
        raise ArgumentError(f"survey_date must be a date such as '2024-12-31'; got {survey_date!r}.") from None
    ids = data["customer_id"]
    if ids.isna().any():
        raise DataError(f"survey: customer_id is missing in row(s) {preview(data.index[ids.isna()].tolist())}.")
    dup = ids.duplicated(keep=False)
    if dup.any():
        raise DataError(f"survey: customer_id must be unique; duplicated ids {preview(ids[dup].tolist())}.")
    num = check_numeric(data, ["orders_12m", "revenue_12m", "churned"])
    orders, revenue, churned = (num[c].to_numpy(copy=True) for c in ("orders_12m", "revenue_12m", "churned"))
    bad = (orders < 0) | (orders != np.round(orders))
    if np.any(bad & ~np.isnan(orders)):
        raise DataError(f"survey: orders_12m must be whole numbers >= 0; got {preview(orders[bad])}.")
    if np.any(revenue < 0):
        raise DataError(f"survey: revenue_12m must be >= 0; got {preview(revenue[revenue < 0])}.")
    both = ~np.isnan(orders) & ~np.isnan(revenue)
    impossible = both & (orders == 0) & (np.round(revenue * _UNIT) > 0)
    if impossible.any():
        raise DataError(
            "survey: revenue_12m > 0 with orders_12m = 0 for customer(s) "
            f"{preview(ids[impossible].tolist())}; the revenue cannot be split into orders."
        )
    if np.any(~np.isin(churned[~np.isnan(churned)], (0.0, 1.0))):
        raise DataError(f"survey: churned must be 0/1; got {preview(np.unique(churned[~np.isnan(churned)]))}.")
    tenure = (
        check_numeric(data, ["tenure_years"])["tenure_years"].to_numpy()
        if "tenure_years" in data.columns
        else np.full(len(data), np.nan)
    )

    # typical order rate and order value per size group (overall if there is no `size` column)
    group = data["size"].astype(str).to_numpy() if "size" in data.columns else np.zeros(len(data), dtype=str)
    pos = ~np.isnan(orders) & ~np.isnan(revenue) & (orders > 0)
    stay = ~np.isnan(orders) & (churned == 0)

    def typical(mask: np.ndarray, values: np.ndarray, default: float) -> dict[str, float]:
        overall = float(np.median(values[mask])) if mask.any() else default
        return {g: float(np.median(values[mask & (group == g)])) if (mask & (group == g)).any() else overall
                for g in np.unique(group)}

    with np.errstate(invalid="ignore", divide="ignore"):
        aov = typical(pos, revenue / orders, 10.0)
    rate = typical(stay, orders, 10.0)

    # impute what the survey does not say (documented in Notes)
    for i in np.flatnonzero(np.isnan(orders)):
        if np.isnan(revenue[i]):
            orders[i] = gen.poisson(rate[group[i]])
        elif round(revenue[i] * _UNIT) == 0:
            orders[i] = 0
        else:
            orders[i] = max(1, gen.poisson(revenue[i] / aov[group[i]]))
    for i in np.flatnonzero(np.isnan(revenue)):
        revenue[i] = round(orders[i] * aov[group[i]] * math.exp(gen.normal(0, 0.3)), 3) if orders[i] > 0 else 0.0
    churn_rate = float(np.nanmean(churned)) if (~np.isnan(churned)).any() else 0.1
    for i in np.flatnonzero(np.isnan(churned)):
        churned[i] = float(gen.uniform() < churn_rate)

    n_after = (t0 + pd.DateOffset(years=1) - t0).days
    before0 = t0 - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    n_before = (t0 - before0).days + 1

    cust, day, units, churn_day = [], [], [], []
    for i, cid in enumerate(ids.tolist()):
        k = int(orders[i])
        total = int(round(revenue[i] * _UNIT))
        # after the survey: k orders summing exactly to the revenue; churners stop at `active`
        active = gen.uniform(0.15, 0.90) if churned[i] == 1 else 1.0
        if k > 0:
            d = _stratified_days(k, 1, max(1, int(active * n_after)), gen)
            cust += [cid] * k
            day += d.tolist()
            units += _split_exact(total, k, gen).tolist()
        # before the survey: the same order rate (while active), with noise
        share = 1.0 if np.isnan(tenure[i]) else float(np.clip(tenure[i], 1 / 12, 1.0))
        if churned[i] == 1:
            per_year = max(k / active, 0.5 * rate[group[i]], 1.0)
        else:
            per_year = max(k, 1)
        end = n_before
        if churned[i] == 1 and k == 0:  # drifted away already before the survey
            end = max(1, int(gen.uniform(0.5, 1.0) * n_before))
            share = share * end / n_before
        # truth: the day buying stopped (relative to the survey date; drifted customers: before it)
        churn_day.append(np.nan if churned[i] == 0 else
                         (max(1, int(active * n_after)) if k > 0 else end - n_before))
        m = max(1, int(gen.poisson(per_year * math.exp(gen.normal(0, 0.25)) * share)))
        value = (total / k if k > 0 else aov[group[i]] * _UNIT) * math.exp(gen.normal(0, 0.2))
        start = end - max(1, int(round(share * n_before))) + 1
        d = _stratified_days(m, max(start, 1), end, gen) - n_before  # -(n_before - 1) .. 0
        amounts = np.maximum(1, np.round(value * gen.gamma(4.0, 0.25, size=m))).astype(np.int64)
        cust += [cid] * m
        day += d.tolist()
        units += amounts.tolist()

    out = pd.DataFrame({"customer_id": cust, "day": day, "units": units})
    out = out.sort_values(["day", "customer_id"], kind="stable").reset_index(drop=True)
    out["date"] = t0 + pd.to_timedelta(out["day"], unit="D")
    out["amount"] = out["units"] / _UNIT
    out.insert(0, "order_id", [f"T{j:06d}" for j in range(1, len(out) + 1)])
    truth = pd.DataFrame({
        "customer_id": ids.astype(str).to_numpy(),
        "churn_date": t0 + pd.to_timedelta(np.asarray(churn_day, dtype=float), unit="D"),
    })
    return _set_dtypes(out[_COLUMNS]), truth


def _set_dtypes(tx: pd.DataFrame) -> pd.DataFrame:
    return tx.astype({"order_id": "str", "customer_id": "str", "date": "datetime64[us]", "amount": "float64"})


# --------------------------------------------------------------------------- packaged copy
def load_transactions() -> pd.DataFrame:
    """Load the packaged order log of the 1,000 surveyed customers.

    Generated by ``simulate_transactions(load_supply_chain_survey(),
    rng=TRANSACTIONS_SEED)`` (see :func:`transactions_csv_text`); identical to
    ``data/transactions.csv`` in the repository.

    Returns
    -------
    pandas.DataFrame
        ``order_id`` (str, unique), ``customer_id`` (str, as in the survey),
        ``date`` (datetime64; 2024-01-01 .. 2025-12-31, the survey date is
        2024-12-31) and ``amount`` (kEUR, whole euros).

    Examples
    --------
    >>> from csl_stats.datasets import load_transactions
    >>> tx = load_transactions()
    >>> list(tx.columns)
    ['order_id', 'customer_id', 'date', 'amount']
    >>> tx["order_id"].is_unique
    True
    """
    ref = resources.files("csl_stats.datasets").joinpath("data", "transactions.csv")
    with ref.open("r", encoding="utf-8", newline="") as fh:
        tx = pd.read_csv(fh, dtype={"order_id": "str", "customer_id": "str"}, parse_dates=["date"],
                         date_format="%Y-%m-%d")
    return _set_dtypes(tx)


def transactions_csv_text(tx: pd.DataFrame | None = None) -> str:
    """CSV text of the order log exactly as committed (dates ISO, amounts with three decimals).

    With ``tx=None`` the log is regenerated from the packaged survey:
    ``simulate_transactions(load_supply_chain_survey(), rng=TRANSACTIONS_SEED)``.
    Written by ``python -m csl_stats.datasets`` together with the other data sets.
    """
    if tx is None:
        from ._survey import load_supply_chain_survey

        tx = simulate_transactions(load_supply_chain_survey(), rng=TRANSACTIONS_SEED)
    return tx.to_csv(index=False, lineterminator="\n", float_format="%.3f", date_format="%Y-%m-%d")
