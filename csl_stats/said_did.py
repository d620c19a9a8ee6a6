"""What customers said versus what they did: later behaviour by survey rating.

Mittal and Kamakura (2001) showed that the same satisfaction rating goes
with different repurchase rates in different customer groups, and that
repurchase responds to ratings non-linearly (a threshold). The honest
version of this comparison uses attitudes measured *at the survey* and
behaviour observed *after* it. :func:`rating_vs_behaviour` tabulates a later
outcome (lapse, repurchase, share of wallet) at each rating level, with
intervals, overall or by group; :func:`plot_rating_vs_behaviour` draws it
with the counts.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import (
    apply_nan_policy,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_int,
    check_label,
    check_numeric,
    check_probability,
)
from .csat import _wilson
from .errors import ArgumentError

__all__ = ["RatingBehaviourResult", "rating_vs_behaviour", "plot_rating_vs_behaviour"]


@result_dataclass
class RatingBehaviourResult(Result):
    """Result of :func:`rating_vs_behaviour`.

    Attributes
    ----------
    table : DataFrame
        One row per group and rating level: ``group``, ``rating``, ``n``,
        ``mean`` (share for a 0/1 outcome), ``ci_low``, ``ci_high`` (Wilson
        for 0/1 outcomes, t otherwise).
    trend : DataFrame
        Indexed by group: Spearman rank correlation between rating and
        outcome (``rho``) with its ``p`` and ``n``.
    rating, outcome : str
    binary : bool
    n_obs : int
    ci : float
    """

    table: pd.DataFrame
    trend: pd.DataFrame
    rating: Hashable
    outcome: Hashable
    binary: bool
    n_obs: int
    ci: float
    by: Hashable | None = None

    _title = "Rating versus behaviour"
    _frame = "table"


def rating_vs_behaviour(
    data: pd.DataFrame,
    rating: Hashable,
    outcome: Hashable,
    *,
    by: Hashable | None = None,
    bins: int | None = None,
    min_n: int = 1,
    ci: float = 0.95,
) -> RatingBehaviourResult:
    """A later outcome at each level of a survey rating, overall or by group.

    Parameters
    ----------
    data : DataFrame
        One row per customer: the rating given in the survey and the
        behaviour observed *after* it (never a behaviour measured over the
        same period the rating is meant to predict: that is circular).
    rating : column name
        A numeric rating (1-7 item, 0-10 recommendation, or a mean score).
    outcome : column name
        Numeric later behaviour: a 0/1 flag (churned, repurchased) or an
        amount (orders, share of wallet).
    by : column name, optional
        Customer characteristic to compare (size, industry, switching costs
        band); Mittal and Kamakura's point is that the curves differ.
    bins : int, optional
        Cut a fine-grained rating (e.g. a mean score) into this many
        equal-width classes over its observed range; by default every
        distinct rating value is a level.
    min_n : int, default 1
        Levels with fewer customers are left out of the table (their counts
        still enter ``trend``).
    ci : float, default 0.95

    Returns
    -------
    RatingBehaviourResult

    Notes
    -----
    A flat stretch followed by a steep one (the outcome moves only above a
    rating) is the threshold Mittal and Kamakura found; test it formally
    with :func:`csl_stats.threshold_regression` on the same data. Ratings
    and behaviour share causes (switching costs, contract terms), so the
    curves describe association, not the effect of raising a rating.

    References
    ----------
    Mittal, V., & Kamakura, W. A. (2001). Satisfaction, repurchase intent, and
    repurchase behavior: investigating the moderating effect of customer
    characteristics. Journal of Marketing Research, 38(1), 131-142.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> res = csl_stats.rating_vs_behaviour(survey, "sat1", "churned")
    >>> res.table[["rating", "n", "mean"]].tail(3).round(3)
       rating    n   mean
    4     5.0  297  0.101
    5     6.0  266  0.053
    6     7.0  125  0.008
    """
    data = check_dataframe(data, unique_columns=False)
    rating, outcome = check_label(rating, "rating"), check_label(outcome, "outcome")
    by = None if by is None else check_label(by, "by")
    check_distinct_roles(rating=[rating], outcome=[outcome], by=None if by is None else [by])
    check_columns(data, [rating, outcome] + ([by] if by is not None else []), arg="columns")
    ci = check_probability(ci, "ci")
    min_n = check_int(min_n, "min_n", minimum=1)
    num = check_numeric(data, [rating, outcome])
    frame = num.assign(_group=data[by] if by is not None else "all")
    frame = apply_nan_policy(frame, "listwise")
    if bins is not None:
        bins = check_int(bins, "bins", minimum=2)
        frame[rating] = pd.cut(frame[rating], bins=bins).map(lambda iv: iv.mid).astype(float)
    y = frame[outcome].to_numpy()
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    z = float(stats.norm.ppf(0.5 + ci / 2))
    rows, trend = [], []
    groups = (sorted(frame["_group"].unique().tolist(), key=str) if by is not None else ["all"])
    for g in groups:
        sub = frame[frame["_group"] == g]
        for r, part in sub.groupby(rating, sort=True):
            v = part[outcome].to_numpy()
            if v.size < min_n:
                continue
            if binary:
                lo, hi = _wilson(int(v.sum()), v.size, z)
            elif v.size > 1:
                half = stats.t.ppf(0.5 + ci / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
                lo, hi = v.mean() - half, v.mean() + half
            else:
                lo = hi = float("nan")
            rows.append({"group": g, "rating": float(r), "n": int(v.size), "mean": float(v.mean()),
                         "ci_low": lo, "ci_high": hi})
        if sub[rating].nunique() > 1 and sub[outcome].nunique() > 1:
            rho, p = stats.spearmanr(sub[rating], sub[outcome])
        else:
            rho, p = float("nan"), float("nan")
        trend.append({"group": g, "rho": float(rho), "p": float(p), "n": len(sub)})
    table = pd.DataFrame(rows, columns=["group", "rating", "n", "mean", "ci_low", "ci_high"])
    return RatingBehaviourResult(table=table, trend=pd.DataFrame(trend).set_index("group"), rating=rating,
                                 outcome=outcome, binary=binary, n_obs=len(frame), ci=ci, by=by)


def plot_rating_vs_behaviour(result: RatingBehaviourResult, *, ax: Any = None, ylabel: str | None = None):
    """Outcome by rating level with interval whiskers, one panel per group stacked vertically.

    Point size and labels show the number of customers at each level.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, RatingBehaviourResult):
        raise ArgumentError(f"result must be a RatingBehaviourResult; got {type(result).__name__}.")
    tab = result.table
    groups = list(dict.fromkeys(tab["group"]))
    if ax is None:
        fig, axes = plt.subplots(len(groups), 1, figsize=(7, 1.2 + 2.2 * len(groups)), sharex=True, sharey=True,
                                 squeeze=False)
        axes = axes[:, 0]
    else:
        if len(groups) > 1:
            raise ArgumentError("ax can be given only for a result without groups (one panel per group).")
        fig, axes = ax.figure, [ax]
    nmax = tab["n"].max()
    for g, ax_g in zip(groups, axes, strict=True):
        sub = tab[tab["group"] == g]
        err = np.vstack([sub["mean"] - sub["ci_low"], sub["ci_high"] - sub["mean"]])
        ax_g.plot(sub["rating"], sub["mean"], "-", color="tab:blue", alpha=0.6)
        ax_g.errorbar(sub["rating"], sub["mean"], yerr=err, fmt="none", ecolor="tab:blue", capsize=2)
        ax_g.scatter(sub["rating"], sub["mean"], s=12 + 120 * sub["n"] / nmax, color="tab:blue", zorder=3)
        for _, row in sub.iterrows():
            ax_g.annotate(f"n = {int(row['n'])}", (row["rating"], row["ci_high"]), textcoords="offset points",
                          xytext=(0, 4), ha="center", fontsize=7)
        ax_g.grid(alpha=0.3)
        if len(groups) > 1:
            ax_g.set_title(f"{result.by} = {g}", fontsize=9, loc="left")
    axes[-1].set_xlabel(f"{result.rating} (survey)")
    label = ylabel or (f"share {result.outcome} (after the survey)" if result.binary
                       else f"mean {result.outcome} (after the survey)")
    for ax_g in axes:
        ax_g.set_ylabel(label if len(groups) == 1 else "")
    if len(groups) > 1:
        fig.supylabel(label, fontsize=10)
    top = float(tab["ci_high"].max())
    axes[0].set_ylim(bottom=min(0.0, float(tab["ci_low"].min())), top=top + 0.12 * abs(top))
    fig.tight_layout()
    return fig
