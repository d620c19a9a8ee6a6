"""Indicator weights: AHP from pairwise judgements, entropy weights from the data.

Managers' judgements and the spread of the data are the two usual sources of
weights for a composite index (a loyalty index, a supplier scorecard). AHP
(Saaty 1980) turns pairwise comparisons into priority weights and checks
their consistency; the entropy weight method gives more weight to indicators
on which the observations differ more.

Examples
--------
>>> import numpy as np
>>> res = ahp_weights(np.array([[1, 3], [1 / 3, 1]]))
>>> res.weights.round(3).tolist()
[0.75, 0.25]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    _check_scale_arg,
    check_columns,
    check_dataframe,
    check_labels,
    check_number,
    check_scale,
    label_index,
    numeric_frame,
    stacklevel,
)
from .errors import ArgumentError, ArgumentTypeError, InconsistencyWarning

__all__ = ["AHPResult", "EntropyWeightsResult", "ahp_weights", "entropy_weights"]

#: Saaty's random consistency index RI by matrix order n (Saaty 1980 for
#: n <= 10; n = 11-15 as tabulated in Saaty & Vargas 2012).
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49,
    11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

DIRECTIONS = ("benefit", "cost")


# --------------------------------------------------------------------------- AHP


@result_dataclass
class AHPResult(Result):
    """Priority weights from an AHP pairwise comparison matrix.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per criterion with its ``weight`` (sums to one).
    lambda_max : float
        Principal eigenvalue of the judgement matrix.
    """

    table: pd.DataFrame
    lambda_max: float
    _title = "AHP priority weights"

    @property
    def weights(self) -> pd.Series:
        """Priority weights (principal right eigenvector, normalised to sum to one)."""
        return self.table["weight"]

    @property
    def n(self) -> int:
        """Number of criteria (matrix order)."""
        return int(self.table.shape[0])

    @property
    def consistency_index(self) -> float:
        """CI = (lambda_max - n) / (n - 1); 0 for n <= 2."""
        return 0.0 if self.n <= 2 else (self.lambda_max - self.n) / (self.n - 1)

    @property
    def random_index(self) -> float:
        """Saaty's random index RI for this n."""
        return RANDOM_INDEX[self.n]

    @property
    def consistency_ratio(self) -> float:
        """CR = CI / RI (0 for n <= 2, where every reciprocal matrix is consistent)."""
        return 0.0 if self.n <= 2 else self.consistency_index / self.random_index

    @property
    def consistent(self) -> bool:
        """True when CR <= 0.10 (Saaty's rule of thumb)."""
        return self.consistency_ratio <= 0.10

    def _header(self) -> str:
        return (
            f"n={self.n}, lambda_max={self.lambda_max:.4g}, CI={self.consistency_index:.4g}, "
            f"RI={self.random_index:.4g}, CR={self.consistency_ratio:.4g}"
        )

    _frame = "table"


def _as_matrix(matrix: Any) -> tuple[np.ndarray, list[Hashable]]:
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            raise ArgumentError(
                "matrix: the row labels must equal the column labels in the same order; got rows "
                f"{list(matrix.index)} and columns {list(matrix.columns)}."
            )
        labels = check_labels(matrix.columns, "matrix labels", what="criterion label")
        raw = matrix.to_numpy()
    elif isinstance(matrix, np.ndarray | Sequence) and not isinstance(matrix, str):
        raw = np.asarray(matrix, dtype=object)
        labels = []
    else:
        raise ArgumentTypeError(
            f"matrix must be a square DataFrame, numpy array or nested list; got {type(matrix).__name__}."
        )
    try:
        a = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError("matrix must hold numbers (judgements such as 3 or 1/3).") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ArgumentError(f"matrix must be square (n x n); got shape {a.shape}.")
    if not labels:
        labels = [f"c{i + 1}" for i in range(a.shape[0])]
    return a, labels


def ahp_weights(matrix: Any, *, tol: float = 0.01) -> AHPResult:
    """Priority weights and consistency of an AHP pairwise comparison matrix.

    Parameters
    ----------
    matrix : pandas.DataFrame or array-like (n x n)
        Judgements :math:`a_{ij}` = how much more important criterion *i* is
        than *j* on Saaty's 1-9 scale, with :math:`a_{ji} = 1/a_{ij}` and ones
        on the diagonal. A DataFrame's labels name the criteria.
    tol : float, default 0.01
        Tolerance for the reciprocal check :math:`|a_{ij}a_{ji} - 1| \\le` tol
        (so that 0.333 is accepted for 1/3, but 0.3 is not); a finite number >= 0.

    Returns
    -------
    AHPResult
        ``weights`` (Series summing to one), ``lambda_max``,
        ``consistency_index``, ``random_index``, ``consistency_ratio``,
        ``consistent``.

    Raises
    ------
    ArgumentTypeError
        Not an array-like of numbers.
    ArgumentError
        Not square; fewer than 2 or more than 15 criteria; non-finite or
        non-positive entries; diagonal entries other than 1; not reciprocal
        (the message names the first offending pair).
    DuplicateColumnError
        A criterion label appears twice (a weight would be lost in ``weights.to_dict()``).

    Warns
    -----
    InconsistencyWarning
        When the consistency ratio exceeds 0.10.

    Notes
    -----
    The weights are the principal right eigenvector of :math:`A`,
    :math:`A w = \\lambda_{\\max} w`, normalised to :math:`\\sum w = 1`
    (Perron-Frobenius: for a positive matrix it is positive and unique). For
    a perfectly consistent matrix (:math:`a_{ik} = a_{ij}a_{jk}`)
    :math:`\\lambda_{\\max} = n`; otherwise :math:`\\lambda_{\\max} > n` and

    .. math:: CI = \\frac{\\lambda_{\\max} - n}{n - 1}, \\qquad CR = \\frac{CI}{RI_n},

    with Saaty's random index :math:`RI_n` (mean CI of random reciprocal
    matrices: 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 for
    n = 3..10). Judgements with CR > 0.10 should be revisited.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.

    Saaty, T. L. (1990). How to make a decision: The analytic hierarchy
    process. *European Journal of Operational Research*, 48(1), 9-26.

    Saaty, T. L., & Vargas, L. G. (2012). *Models, Methods, Concepts &
    Applications of the Analytic Hierarchy Process* (2nd ed.). Springer
    (random index for n = 11-15).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]],
    ...                  index=["delivery", "quality", "price"], columns=["delivery", "quality", "price"])
    >>> res = ahp_weights(m)
    >>> res.weights.round(3).to_dict()
    {'delivery': 0.648, 'quality': 0.23, 'price': 0.122}
    >>> round(res.consistency_ratio, 4)
    0.0032
    """
    tol = check_number(tol, "tol", minimum=0.0)
    a, labels = _as_matrix(matrix)
    n = a.shape[0]
    if n < 2:
        raise ArgumentError(f"matrix must compare at least 2 criteria; got {n}.")
    if n > max(RANDOM_INDEX):
        raise ArgumentError(
            f"matrix has {n} criteria; Saaty's random index is tabulated up to {max(RANDOM_INDEX)}. "
            "Structure the criteria in a hierarchy with fewer elements per level."
        )
    if not np.all(np.isfinite(a)):
        raise ArgumentError("matrix contains missing or infinite judgements.")
    if (a <= 0).any():
        i, j = map(int, np.argwhere(a <= 0)[0])
        raise ArgumentError(
            f"matrix entries must be positive ratios; got {a[i, j]:g} at ({labels[i]!r}, {labels[j]!r})."
        )
    diag = np.diag(a)
    if not np.allclose(diag, 1.0):
        i = int(np.flatnonzero(~np.isclose(diag, 1.0))[0])
        raise ArgumentError(f"matrix diagonal must be 1 (a criterion equals itself); got {diag[i]:g} for {labels[i]!r}.")
    dev = np.abs(a * a.T - 1.0)
    if (dev > tol).any():
        i, j = map(int, np.argwhere(dev > tol)[0])
        raise ArgumentError(
            f"matrix is not reciprocal: a[{labels[i]!r}, {labels[j]!r}] = {a[i, j]:g} but "
            f"a[{labels[j]!r}, {labels[i]!r}] = {a[j, i]:g} (expected {1 / a[i, j]:.4g})."
        )
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    v = np.abs(vecs[:, k].real)
    w = v / v.sum()
    res = AHPResult(table=pd.DataFrame({"weight": w}, index=label_index(labels, name="criterion")), lambda_max=lam)
    if res.consistency_ratio > 0.10:
        warnings.warn(
            f"AHP consistency ratio {res.consistency_ratio:.3f} exceeds 0.10 "
            f"(lambda_max = {lam:.3f}, n = {n}); revisit the pairwise judgements.",
            InconsistencyWarning,
            stacklevel=stacklevel(),
        )
    return res


# --------------------------------------------------------------------------- entropy weights


def _directions(directions: Any, cols: Sequence[Hashable]) -> dict[Hashable, str]:
    out = dict.fromkeys(cols, "benefit")
    if directions is None:
        return out
    if not isinstance(directions, Mapping | pd.Series):
        raise ArgumentTypeError(
            f"directions must be a dict mapping a column to 'benefit' or 'cost'; got {type(directions).__name__}."
        )
    for c, d in directions.items():
        if c not in out:
            raise ArgumentError(f"directions: {c!r} is not one of the indicators {list(cols)}.")
        if d not in DIRECTIONS:
            raise ArgumentError(
                f"directions[{c!r}] must be 'benefit' (higher is better) or 'cost' (lower is better); got {d!r}."
            )
        out[c] = d
    return out


def _minmax(frame: pd.DataFrame, dirs: Mapping[Hashable, str],
            bounds: Mapping[Hashable, tuple[float, float]] | None = None) -> pd.DataFrame:
    out = {}
    for c in frame.columns:
        x = frame[c]
        if bounds is not None and c in bounds:
            lo, hi = _check_scale_arg(bounds[c])
            check_scale(frame[[c]], (lo, hi), integer=False)
        else:
            lo, hi = float(x.min()), float(x.max())
        y = (x - lo) / (hi - lo)
        out[c] = 1.0 - y if dirs[c] == "cost" else y
    return pd.DataFrame(out, index=frame.index)


@result_dataclass
class EntropyWeightsResult(Result):
    """Indicator weights from the entropy weight method.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per indicator: ``direction``, ``entropy`` (e), ``divergence``
        (1 - e) and ``weight`` (sums to one).
    n : int
        Observations used.
    """

    table: pd.DataFrame
    n: int
    _title = "Entropy weights"

    @property
    def weights(self) -> pd.Series:
        """Indicator weights, summing to one."""
        return self.table["weight"]

    _frame = "table"


def entropy_weights(
    data: pd.DataFrame,
    *,
    columns: Sequence[Hashable] | None = None,
    directions: Mapping[Hashable, str] | None = None,
    nan_policy: str = "listwise",
) -> EntropyWeightsResult:
    """Objective indicator weights by the entropy weight method.

    Parameters
    ----------
    data : pandas.DataFrame
        Observations (customers) x indicators.
    columns : list of str, optional
        Indicators to weight (default: every column).
    directions : dict, optional
        Indicator -> ``"benefit"`` (higher is better, the default) or
        ``"cost"`` (lower is better, e.g. churn, complaints, defects).
    nan_policy : {"listwise", "raise"}, default "listwise"

    Returns
    -------
    EntropyWeightsResult
        ``weights`` (Series summing to one) and the indicator ``table``.

    Raises
    ------
    ArgumentError
        Unknown direction, or a direction for a column that is not an indicator.
    ColumnNotFoundError, NonNumericError
        Missing or non-numeric indicator.
    ConstantError
        An indicator does not vary (its entropy weight is undefined).
    InsufficientDataError
        Fewer than 2 complete rows.

    Notes
    -----
    With :math:`n` observations and indicator values :math:`x_{ij}`:

    1. min-max normalise, :math:`y_{ij} = (x_{ij} - \\min_i x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`
       for a benefit indicator and :math:`1 - y_{ij}` for a cost indicator;
    2. shares :math:`p_{ij} = y_{ij} / \\sum_i y_{ij}`;
    3. entropy :math:`e_j = -\\frac{1}{\\ln n} \\sum_i p_{ij} \\ln p_{ij}`
       (with :math:`0 \\ln 0 = 0`), so :math:`0 \\le e_j \\le 1`;
    4. divergence :math:`d_j = 1 - e_j` and weight :math:`w_j = d_j / \\sum_k d_k`.

    An indicator on which customers differ a lot (low entropy) gets a large
    weight; one on which they are all alike gets a small weight. The weights
    describe *dispersion*, not managerial importance: combine or compare them
    with judgement-based (AHP) weights. Variants shift :math:`y` by a small
    constant before step 2; this function does not.

    References
    ----------
    Shannon, C. E. (1948). A mathematical theory of communication. *Bell
    System Technical Journal*, 27(3), 379-423.

    Zeleny, M. (1982). *Multiple Criteria Decision Making*. McGraw-Hill
    (entropy as a measure of the contrast intensity of a criterion).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"orders": [1, 2, 3, 10], "churned": [1, 0, 0, 0]})
    >>> res = entropy_weights(df, directions={"churned": "cost"})
    >>> res.weights.round(3).to_dict()
    {'orders': 0.698, 'churned': 0.302}
    """
    data = check_dataframe(data, unique_columns=False)
    cols = check_columns(data, columns, arg="columns")
    dirs = _directions(directions, cols)
    frame = numeric_frame(data, cols, arg="columns", nan_policy=nan_policy, min_rows=2)
    n = len(frame)
    y = _minmax(frame, dirs).to_numpy()
    p = y / y.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / math.log(n)
    d = 1.0 - e
    w = d / d.sum()
    table = pd.DataFrame(
        {"direction": [dirs[c] for c in cols], "entropy": e, "divergence": d, "weight": w},
        index=label_index(cols, name="indicator"),
    )
    return EntropyWeightsResult(table=table, n=n)
