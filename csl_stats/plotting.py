"""Plots for survey data. matplotlib is imported inside the functions (import time stays light)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._validation import _check_scale_arg, check_choice, label_index, numeric_frame
from .errors import ArgumentError, ArgumentTypeError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["likert_shares", "likert_chart"]


def likert_shares(
    data: pd.DataFrame,
    items: Hashable | Sequence[Hashable],
    *,
    scale: tuple[int, int] = (1, 7),
) -> pd.DataFrame:
    """Share of each answer category per item (rows: items; columns: categories).

    Each item uses its own non-missing answers (shares sum to 1 per row).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 2, 3], "q2": [3, 3, 1, None]})
    >>> likert_shares(df, ["q1", "q2"], scale=(1, 3)).round(3)
            1      2      3
    q1  0.250  0.500  0.250
    q2  0.333  0.000  0.667
    """
    low, high = _check_scale_arg(scale)
    if not (float(low).is_integer() and float(high).is_integer()):
        raise ArgumentError(f"scale must be a pair of whole numbers such as (1, 7); got {scale!r}.")
    frame = numeric_frame(data, items, arg="items", scale=(low, high), nan_policy="pairwise",
                          allowed_policies=("pairwise",), allow_constant=True, min_rows=1)
    cats = np.arange(int(low), int(high) + 1)
    rows = {}
    for c in frame.columns:
        v = frame[c].dropna().to_numpy()
        if v.size == 0:
            raise ArgumentError(f"item {c!r} has no non-missing answers; drop it from items.")
        rows[c] = [(v == k).mean() for k in cats]
    return pd.DataFrame(list(rows.values()), index=label_index(list(rows)), columns=[int(k) for k in cats])


def likert_chart(
    data: pd.DataFrame,
    items: Hashable | Sequence[Hashable],
    *,
    scale: tuple[int, int] = (1, 7),
    labels: Mapping[Hashable, str] | None = None,
    category_labels: Sequence[str] | None = None,
    sort: str = "none",
    cmap: str = "RdBu",
    ax: Axes | None = None,
) -> Axes:
    """Diverging stacked bar chart of Likert items (one bar per item).

    Bars are centred on the middle of the neutral category: disagreeing
    answers extend to the left, agreeing answers to the right, and the
    neutral category (odd scales) is split half and half. The x axis shows
    the percentage of each item's non-missing answers.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw answers; missing values are ignored item by item.
    items : column name or list of column names
        Items to plot, top to bottom.
    scale : (int, int), default (1, 7)
        Lowest and highest answer; values outside raise ``ScaleError``.
    labels : mapping, optional
        Item -> text shown on the y axis (default: the column names).
    category_labels : sequence of str, optional
        Legend text for each category (default: the numbers).
    sort : {"none", "agree"}, default "none"
        ``"agree"`` orders the items by their share of answers above the
        midpoint, highest at the top.
    cmap : str, default "RdBu"
        A diverging matplotlib colormap.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ColumnNotFoundError, NonNumericError, ScaleError
        For unknown, non-numeric or out-of-scale items.
    ArgumentError
        For a bad ``scale``, ``sort`` or a wrong number of ``category_labels``.

    Notes
    -----
    Reverse-keyed items are plotted as answered; reverse-code them first
    (``8 - x`` on a 1-7 scale) when the chart should read "right = better".
    The chart follows the recommendation of Robbins & Heiberger (2011) to
    centre the neutral category on zero.

    References
    ----------
    Robbins, N. B., & Heiberger, R. M. (2011). Plotting Likert and other rating
    scales. Proceedings of the 2011 Joint Statistical Meeting, 1058-1066.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from csl_stats import load_supply_chain_survey
    >>> from csl_stats.plotting import likert_chart
    >>> ax = likert_chart(load_supply_chain_survey(), ["sat1", "sat2", "sat3"])
    >>> len(ax.patches)
    21
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    check_choice(sort, "sort", ["none", "agree"])
    if labels is not None and not isinstance(labels, Mapping | pd.Series):
        raise ArgumentTypeError(f"labels must be a dict {{item: display name}}; got {type(labels).__name__} {labels!r}.")
    if category_labels is not None and (
        isinstance(category_labels, str) or not isinstance(category_labels, Sequence | np.ndarray)
    ):
        raise ArgumentTypeError(
            f"category_labels must be a list of names, one per answer category; got {type(category_labels).__name__}."
        )
    shares = likert_shares(data, items, scale=scale)
    k = shares.shape[1]
    if category_labels is not None and len(category_labels) != k:
        raise ArgumentError(
            f"category_labels must have one label per category ({k}); got {len(category_labels)}."
        )
    mid = (k - 1) / 2  # index of the neutral category (fractional for even scales)
    if sort == "agree":
        agree = shares.iloc[:, int(np.floor(mid)) + 1:].sum(axis=1)
        shares = shares.loc[agree.sort_values(ascending=False).index]
    pct = 100 * shares.to_numpy()
    # left edge: minus (all categories below the middle + half of the neutral one)
    below = pct[:, : int(np.ceil(mid))].sum(axis=1)
    if k % 2 == 1:
        below = below + pct[:, int(mid)] / 2
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(shares) + 1.2))  # <= 7 in: readable at phone width
    if not isinstance(cmap, str) or cmap not in colormaps:
        raise ArgumentError(f"cmap must be the name of a matplotlib colormap such as 'RdBu'; got {cmap!r}.")
    colors = colormaps[cmap](np.linspace(0.08, 0.92, k))
    if k % 2 == 1:
        colors[int(mid)] = (0.82, 0.82, 0.82, 1.0)
    y = np.arange(len(shares))[::-1]
    left = -below
    names = category_labels if category_labels is not None else [str(c) for c in shares.columns]
    for j in range(k):
        ax.barh(y, pct[:, j], left=left, color=colors[j], edgecolor="white", linewidth=0.5,
                height=0.75, label=names[j])
        left = left + pct[:, j]
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([str(labels.get(i, i)) if labels is not None else str(i) for i in shares.index])
    ax.set_xlabel("% of answers (left: below the midpoint, right: above)")
    lim = max(float(below.max()), float((pct.sum(axis=1) - below).max()))
    ax.set_xlim(-lim - 2, lim + 2)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(t):.0f}" for t in ticks])
    ax.set_xlim(-lim - 2, lim + 2)
    ax.legend(ncol=k, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize="small",
              handlelength=1.2, columnspacing=0.8)
    return ax
