"""Behaviour of the surveyed customers in the 12 months BEFORE the survey.

The survey's behaviour columns (``orders_12m``, ``revenue_12m``,
``share_of_wallet``, ``churned``) describe the 12 months *after* it, so
comparing them with survey answers tells what customers did after they
spoke. Behavioural loyalty used to *classify* customers at survey time
(e.g. the "repeat patronage" axis of Dick & Basu) must instead come from
the months before the survey; this module provides it, one row per
customer. The packaged copy is ``prior_behaviour.csv``; ``python -m
csl_stats.datasets`` regenerates it.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
from scipy import special

from .._validation import as_generator, check_int
from ._survey import SURVEY_N, SURVEY_SEED, _population_truth, _simulate_with_latents
from ._transactions import SURVEY_DATE, TRANSACTIONS_SEED, _simulate_with_truth

__all__ = [
    "PRIOR_SEED",
    "simulate_prior_behaviour",
    "load_prior_behaviour",
    "prior_behaviour_csv_text",
]

#: Seed of the prior-period share of wallet (its own stream: the survey and the order log are unchanged).
PRIOR_SEED = 20231231

_COLUMNS = ["customer_id", "orders_prior_12m", "revenue_prior_12m", "last_order_prior", "recency_days",
            "share_of_wallet_prior"]
#: Share-of-wallet model (same form as the survey's share_of_wallet after the survey): mean
#: expit(-0.1 + 0.5 loy + 0.3 swc), beta with precision 8.
_SOW = {"intercept": -0.1, "loy": 0.5, "swc": 0.3, "precision": 8.0}


def simulate_prior_behaviour(
    n: int = SURVEY_N,
    *,
    survey_rng: int = SURVEY_SEED,
    transactions_rng: int = TRANSACTIONS_SEED,
    rng: int | np.random.Generator | None = PRIOR_SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate each surveyed customer's behaviour in the 12 months before the survey.

    Parameters
    ----------
    n : int, default 1000
        Number of customers of the survey to replay.
    survey_rng : int, default ``SURVEY_SEED``
        Seed of :func:`~csl_stats.simulate_supply_chain_survey`; the
        survey (and its latent satisfaction, loyalty and switching costs) is
        replayed from it.
    transactions_rng : int, default ``TRANSACTIONS_SEED``
        Seed of :func:`~csl_stats.datasets.simulate_transactions`; the order
        log (both years) is replayed from it.
    rng : int, numpy.random.Generator or None, default ``PRIOR_SEED``
        Seed or generator of the prior-period share of wallet (its own
        stream, so the survey and the order log do not change).

    Returns
    -------
    prior : pandas.DataFrame
        One row per customer (survey order): ``customer_id``;
        ``orders_prior_12m`` and ``revenue_prior_12m`` (kEUR): count and sum
        of the customer's orders in the order log dated in the 12 months up
        to and including the survey date; ``last_order_prior`` (date of the
        last of them) and ``recency_days`` (survey date minus that date);
        ``share_of_wallet_prior`` (0-1).
    truth : pandas.DataFrame
        One row per customer: ``customer_id``, the latent ``sat``, ``loy``
        and ``swc`` of the survey model, and ``churn_date``, the day the
        customer's buying stopped in the order-log simulator (NaT for
        customers who stay; on or before the survey date for churned
        customers who had drifted away and ordered nothing afterwards).

    Notes
    -----
    Orders and revenue are *not* drawn again: they are summaries of the
    pre-survey part of the packaged order log (see
    :func:`~csl_stats.datasets.simulate_transactions`, whose order rate
    before the survey follows the customer's later rate, itself rising with
    latent loyalty), so this table and the log always agree.

    The share of wallet before the survey is drawn as in the survey
    (Beta with mean :math:`\\mu` and precision 8) with

    .. math::

        \\mu = \\operatorname{expit}(-0.1 + 0.5\\,\\text{loy} + 0.3\\,\\text{swc})
        \\cdot a,

    where loy and swc are the customer's latent attitudinal loyalty and
    switching costs and :math:`a` is the share of the prior year the
    customer was still buying (1, except for churned customers who had
    drifted away before the survey: the day of their last order divided by
    the length of the year). Prior and later share of wallet thus share
    their drivers but not their noise.

    Examples
    --------
    >>> from csl_stats.datasets import simulate_prior_behaviour
    >>> prior, truth = simulate_prior_behaviour(50, survey_rng=1, transactions_rng=2, rng=3)
    >>> prior.shape
    (50, 6)
    >>> bool(prior["share_of_wallet_prior"].between(0, 1).all())
    True
    """
    n = check_int(n, "n", minimum=20)
    gen = as_generator(rng)
    survey, lat = _simulate_with_latents(n, as_generator(survey_rng), _population_truth())
    tx, tx_truth = _simulate_with_truth(survey, as_generator(transactions_rng), SURVEY_DATE)
    t0 = pd.Timestamp(SURVEY_DATE)
    before = tx[tx["date"] <= t0]
    g = before.groupby("customer_id", sort=False)
    summary = pd.DataFrame({
        "orders_prior_12m": g.size(),
        "units": g["amount"].sum(),
        "last_order_prior": g["date"].max(),
    }).reindex(survey["customer_id"])
    first_day = t0 - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    n_days = (t0 - first_day).days + 1
    days_active = (summary["last_order_prior"] - first_day).dt.days.to_numpy() + 1
    drifted = (survey["churned"].to_numpy() == 1) & (survey["orders_12m"].to_numpy() == 0)
    a = np.where(drifted, days_active / n_days, 1.0)
    mu = special.expit(_SOW["intercept"] + _SOW["loy"] * lat["loy"] + _SOW["swc"] * lat["swc"]) * a
    k = _SOW["precision"]
    sow = gen.beta(k * mu + 1e-9, k * (1 - mu) + 1e-9)
    prior = pd.DataFrame({
        "customer_id": survey["customer_id"].astype(str).to_numpy(),
        "orders_prior_12m": summary["orders_prior_12m"].to_numpy(),
        "revenue_prior_12m": _round3(summary["units"].to_numpy()),
        "last_order_prior": summary["last_order_prior"].to_numpy(),
        "recency_days": (t0 - summary["last_order_prior"]).dt.days.to_numpy(),
        "share_of_wallet_prior": _round3(sow),
    })
    truth = pd.DataFrame({
        "customer_id": prior["customer_id"],
        "sat": lat["sat"], "loy": lat["loy"], "swc": lat["swc"],
        "churn_date": tx_truth["churn_date"].to_numpy(),
    })
    return _set_dtypes(prior), truth


def _round3(x: np.ndarray) -> np.ndarray:
    """Round to the float the CSV text (three decimals) reads back as, so the file round-trips exactly."""
    return np.asarray(np.char.mod("%.3f", np.asarray(x, dtype=float)), dtype=float)


def _set_dtypes(prior: pd.DataFrame) -> pd.DataFrame:
    return prior.astype({"customer_id": "str", "orders_prior_12m": "int64", "revenue_prior_12m": "float64",
                         "last_order_prior": "datetime64[us]", "recency_days": "int64",
                         "share_of_wallet_prior": "float64"})[_COLUMNS]


def load_prior_behaviour() -> pd.DataFrame:
    """Load each surveyed customer's behaviour in the 12 months before the survey.

    Identical to ``data/prior_behaviour.csv`` and to
    ``simulate_prior_behaviour()[0]`` (survey, order log and prior share of
    wallet replayed from ``SURVEY_SEED``, ``TRANSACTIONS_SEED`` and
    ``PRIOR_SEED``). Use it for behavioural loyalty *at survey time* (e.g.
    the repeat-patronage axis of a Dick & Basu classification); use the
    survey's ``orders_12m``, ``revenue_12m``, ``share_of_wallet`` and
    ``churned`` (the 12 months after) as outcomes.

    Returns
    -------
    pandas.DataFrame
        1,000 rows, in survey order: ``customer_id`` (str),
        ``orders_prior_12m`` (int), ``revenue_prior_12m`` (kEUR),
        ``last_order_prior`` (datetime64), ``recency_days`` (int, days from
        the last prior order to the survey date 2024-12-31) and
        ``share_of_wallet_prior`` (0-1). No missing values.

    Examples
    --------
    >>> from csl_stats.datasets import load_prior_behaviour
    >>> prior = load_prior_behaviour()
    >>> prior.shape
    (1000, 6)
    >>> int(prior["orders_prior_12m"].min())
    1
    """
    ref = resources.files("csl_stats.datasets").joinpath("data", "prior_behaviour.csv")
    with ref.open("r", encoding="utf-8", newline="") as fh:
        prior = pd.read_csv(fh, dtype={"customer_id": "str"}, parse_dates=["last_order_prior"],
                            date_format="%Y-%m-%d")
    return _set_dtypes(prior)


def prior_behaviour_csv_text(prior: pd.DataFrame | None = None) -> str:
    """CSV text of the prior-period table exactly as committed (ISO dates, three decimals).

    With ``prior=None`` it is regenerated: ``simulate_prior_behaviour()[0]``.
    """
    if prior is None:
        prior, _ = simulate_prior_behaviour()
    return prior.to_csv(index=False, lineterminator="\n", float_format="%.3f", date_format="%Y-%m-%d")
