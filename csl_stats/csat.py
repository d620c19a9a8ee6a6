"""CSAT: the share of answers in the top boxes, with Wilson intervals and a two-group test.

Examples
--------
>>> res = top_box([7, 6, 5, 7, 3, 6, 6, 2, 7, 4], scale=(1, 7))
>>> res.count, res.n
(6, 10)
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._results import Result, result_dataclass
from ._validation import _check_scale_arg, check_int, check_probability, check_scale
from .errors import ArgumentError, InsufficientDataError
from .net_promoter import _as_vector, _missing

__all__ = ["TopBoxResult", "TopBoxTestResult", "top_box", "top_box_test"]


def _top_box_counts(values: Any, name: str, scale: tuple[float, float], k: int, nan_policy: str) -> tuple[int, int]:
    low, high = _check_scale_arg(scale)
    n_points = int(round(high - low)) + 1
    k = check_int(k, "k", minimum=1)
    if k >= n_points:
        raise ArgumentError(f"k={k} top boxes cover the whole {n_points}-point scale; use k < {n_points}.")
    s = _as_vector(values, name, expected=f"answers on the {low:g}-{high:g} scale")
    miss = _missing(s, name, nan_policy)
    check_scale(pd.DataFrame({name: s}), (low, high), integer=True)
    x = s.to_numpy()[~miss]
    if x.size == 0:
        raise InsufficientDataError(f"{name} has no valid answers.")
    return int(np.sum(x > high - k)), int(x.size)


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(centre - half, 0.0), min(centre + half, 1.0)


@result_dataclass
class TopBoxResult(Result):
    """Share of answers in the top ``k`` boxes with a Wilson interval.

    Attributes
    ----------
    count : int
        Answers in the top boxes.
    n : int
        Valid answers.
    k : int
    ci_level : float
    """

    count: int
    n: int
    k: int
    ci_level: float
    _title = "Top-box share"

    @property
    def share(self) -> float:
        """Top-box share, 0..1."""
        return self.count / self.n

    @property
    def ci(self) -> tuple[float, float]:
        """Wilson score interval for the share."""
        return _wilson(self.count, self.n, float(stats.norm.ppf(0.5 + self.ci_level / 2)))

    def to_frame(self) -> pd.DataFrame:
        """One row: count, n, share and interval."""
        lo, hi = self.ci
        return pd.DataFrame(
            {"count": [self.count], "n": [self.n], "share": [self.share], "ci_low": [lo], "ci_high": [hi]},
            index=pd.Index([f"top-{self.k}-box"]),
        )


def top_box(
    scores: Any,
    *,
    scale: tuple[float, float],
    k: int = 2,
    ci: float = 0.95,
    nan_policy: str = "listwise",
) -> TopBoxResult:
    """Share of answers in the top ``k`` boxes (CSAT "top-2-box") with a Wilson interval.

    Parameters
    ----------
    scores : Series, 1-D array or list
        Answers on the integer ``scale``.
    scale : tuple (low, high)
        Answer scale, e.g. ``(1, 7)``.
    k : int, default 2
        Number of top boxes: on a 1-7 scale ``k=2`` counts 6 and 7.
    ci : float, default 0.95
    nan_policy : {"listwise", "raise"}

    Returns
    -------
    TopBoxResult
        ``share``, ``ci`` (Wilson), ``count``, ``n``.

    Raises
    ------
    ScaleError
        Answers off the scale or not whole numbers.
    ArgumentError
        ``k`` covers the whole scale, bad ``scale`` or ``ci``.

    Notes
    -----
    With :math:`x` of :math:`n` answers in the top boxes and
    :math:`\\hat p = x/n`, the Wilson (1927) interval is

    .. math:: \\frac{\\hat p + z^2/(2n) \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/(4n^2)}}{1 + z^2/n}.

    Its coverage stays near the nominal level for small :math:`n` and shares
    near 0 or 1, where the Wald interval fails. Coverage of the 95 % interval
    for a top-2-box share of 0.1 / 0.5 / 0.9 (``benchmarks/sim_nps.py``,
    2,000 samples per cell): 97.2 / 95.6 / 97.0 % with n = 30, 93.3 / 94.3 /
    93.8 % with n = 100, 95.3 / 94.2 / 95.8 % with n = 300.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> res = top_box([7, 6, 5, 7, 3, 6, 6, 2, 7, 4], scale=(1, 7))
    >>> print(f"{res.share:.2f} [{res.ci[0]:.3f}, {res.ci[1]:.3f}]")
    0.60 [0.313, 0.832]
    """
    ci = check_probability(ci, "ci")
    x, n = _top_box_counts(scores, "scores", scale, k, nan_policy)
    return TopBoxResult(count=x, n=n, k=int(k), ci_level=ci)


@result_dataclass
class TopBoxTestResult(Result):
    """Difference between two top-box shares.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per group: ``count`` and ``n``; ``to_frame()`` adds the
        derived ``share`` (count / n).
    ci_level : float
    k : int
    """

    table: pd.DataFrame
    ci_level: float
    k: int
    _title = "Top-box difference test"

    def _counts(self) -> tuple[int, int, int, int]:
        t = self.table
        return int(t["count"].iloc[0]), int(t["n"].iloc[0]), int(t["count"].iloc[1]), int(t["n"].iloc[1])

    @property
    def diff(self) -> float:
        """Share of the first group minus that of the second."""
        x1, n1, x2, n2 = self._counts()
        return x1 / n1 - x2 / n2

    @property
    def z(self) -> float:
        """Pooled two-proportion z statistic (0 if both shares are 0 or 1)."""
        x1, n1, x2, n2 = self._counts()
        pool = (x1 + x2) / (n1 + n2)
        se0 = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        return 0.0 if se0 == 0 else self.diff / se0

    @property
    def p_value(self) -> float:
        """Two-sided p-value of the pooled z test."""
        return float(2 * stats.norm.sf(abs(self.z)))

    @property
    def ci(self) -> tuple[float, float]:
        """Newcombe (1998) hybrid score interval for the difference."""
        x1, n1, x2, n2 = self._counts()
        zq = float(stats.norm.ppf(0.5 + self.ci_level / 2))
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = _wilson(x1, n1, zq)
        l2, u2 = _wilson(x2, n2, zq)
        d = p1 - p2
        return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))

    def _header(self) -> str:
        lo, hi = self.ci
        return f"diff={self.diff:.4g}, z={self.z:.4g}, p_value={self.p_value:.4g}, ci=({lo:.4g}, {hi:.4g}), k={self.k}"

    def to_frame(self) -> pd.DataFrame:
        """One row per group: count, n and the top-box share."""
        return self.table.assign(share=self.table["count"] / self.table["n"])


def top_box_test(
    a: Any,
    b: Any,
    *,
    scale: tuple[float, float],
    k: int = 2,
    ci: float = 0.95,
    labels: tuple[Hashable, Hashable] = ("a", "b"),
    nan_policy: str = "listwise",
) -> TopBoxTestResult:
    """Compare the top-``k``-box shares of two independent groups.

    Parameters
    ----------
    a, b : Series, 1-D array or list
        Answers of the two groups on the integer ``scale``.
    scale, k, ci, nan_policy
        As in :func:`top_box`.
    labels : pair of labels, default ("a", "b")

    Returns
    -------
    TopBoxTestResult
        ``diff`` (share of ``a`` minus share of ``b``), ``z`` and ``p_value``
        (pooled two-proportion z test), ``ci`` (Newcombe hybrid score
        interval) and the per-group ``table``.

    Raises
    ------
    ScaleError, ArgumentError
        As in :func:`top_box`.

    Notes
    -----
    The test statistic is :math:`z = (\\hat p_a - \\hat p_b) /
    \\sqrt{\\bar p(1-\\bar p)(1/n_a + 1/n_b)}` with the pooled share
    :math:`\\bar p`. The interval is Newcombe's (1998, method 10) combination
    of the two Wilson intervals :math:`(l_i, u_i)`:
    :math:`\\hat\\delta - \\sqrt{(\\hat p_a - l_a)^2 + (u_b - \\hat p_b)^2}` to
    :math:`\\hat\\delta + \\sqrt{(u_a - \\hat p_a)^2 + (\\hat p_b - l_b)^2}`.

    Type I error of the z test at the 5 % level (``benchmarks/sim_nps.py``,
    2,000 samples per cell, shares 0.1, 0.5, 0.9): 5.5-6.0 % with n = 30 per
    group, 6.3-6.5 % with n = 100, 5.1-6.2 % with n = 300; the pooled z test
    is slightly liberal, a known effect of the discreteness of the counts.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. *Statistics in
    Medicine*, 17(8), 873-890.

    Examples
    --------
    >>> res = top_box_test([7, 6, 6, 7, 5, 6], [3, 4, 6, 5, 2, 7], scale=(1, 7))
    >>> print(f"{res.diff:.3f} {res.p_value:.3f}")
    0.500 0.079
    """
    ci = check_probability(ci, "ci")
    if len(labels) != 2:
        raise ArgumentError(f"labels must be a pair such as ('north', 'south'); got {labels!r}.")
    if labels[0] == labels[1]:
        raise ArgumentError(f"labels must be two different labels (they name the rows of the table); got {labels!r}.")
    x1, n1 = _top_box_counts(a, "a", scale, k, nan_policy)
    x2, n2 = _top_box_counts(b, "b", scale, k, nan_policy)
    table = pd.DataFrame(
        {"count": [x1, x2], "n": [n1, n2]},
        index=pd.Index(list(labels), name="group"),
    )
    return TopBoxTestResult(table=table, ci_level=ci, k=int(k))
