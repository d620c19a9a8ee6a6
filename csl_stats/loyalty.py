"""Loyalty as an evaluation value: the combined (subjective + objective) index and Dick & Basu segments.

The supply-chain literature measures customer loyalty in four steps: choose
indicators, collect them, compute a *subjective* value (from survey answers:
attitudinal loyalty) and an *objective* value (from behaviour: repurchase,
share of wallet, tenure, churn), and combine the two into one evaluation
value. The weights of the indicators come either from managers' pairwise
judgements (:func:`~csl_stats.ahp_weights`) or from the data
(:func:`~csl_stats.entropy_weights`). Dick & Basu (1994) cross relative
attitude with repeat patronage into four segments.

Examples
--------
>>> seg = dick_basu_segments([6.5, 1.5], [10, 2])
>>> seg.tolist()
['true loyalty', 'no loyalty']
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    _check_scale_arg,
    align_series,
    apply_nan_policy,
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_min_rows,
    check_not_constant,
    check_number,
    check_numeric,
    check_scale,
    label_index,
    warn_reverse_keyed,
)
from .errors import ArgumentError, ArgumentTypeError, ConstantError, InsufficientDataError
from .scoring import normalise_weights
from .weighting import _directions, _minmax, entropy_weights

__all__ = ["LoyaltyIndexResult", "dick_basu_segments", "loyalty_index"]

#: Dick & Basu (1994) segment labels, in the order used by the categorical result.
DICK_BASU_SEGMENTS = ("true loyalty", "latent loyalty", "spurious loyalty", "no loyalty")


# --------------------------------------------------------------------------- loyalty index


@result_dataclass
class LoyaltyIndexResult(Result):
    """Combined (subjective + objective) loyalty evaluation value per customer.

    Attributes
    ----------
    scores : pandas.DataFrame
        Per customer (index of the data): ``subjective``, ``objective`` and
        ``loyalty``, all on 0-100; NaN for customers with missing indicators.
    weights : pandas.DataFrame
        Per indicator: ``block`` (subjective / objective), ``direction`` and
        ``weight`` (weights sum to one within each block).
    subjective_weight : float
        Weight of the subjective value in the combination.
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    subjective_weight: float
    _title = "Loyalty index"

    @property
    def loyalty(self) -> pd.Series:
        """Combined evaluation value (0-100)."""
        return self.scores["loyalty"]

    @property
    def subjective(self) -> pd.Series:
        """Subjective (attitudinal) value (0-100)."""
        return self.scores["subjective"]

    @property
    def objective(self) -> pd.Series:
        """Objective (behavioural) value (0-100)."""
        return self.scores["objective"]

    @property
    def n(self) -> int:
        """Customers with an index value."""
        return int(self.scores["loyalty"].notna().sum())

    def _header(self) -> str:
        return f"n={self.n}, subjective_weight={self.subjective_weight:.4g}, mean loyalty={self.loyalty.mean():.4g}"

    _frame = "scores"

    def summary(self) -> pd.DataFrame:
        """Indicator weights, with the effective weight of each indicator in the final index."""
        t = self.weights.copy()
        share = np.where(t["block"] == "subjective", self.subjective_weight, 1.0 - self.subjective_weight)
        t["overall_weight"] = t["weight"] * share
        return t


def _block_weights(weights: Any, block: str, cols: list[Hashable], frame01: pd.DataFrame) -> pd.Series:
    if weights is None or (isinstance(weights, str) and weights == "equal"):
        return normalise_weights(None, cols)
    if isinstance(weights, str):
        check_choice(weights, "weights", ("equal", "entropy"))
        # entropy on the already normalised block (directions applied, so all are benefits)
        res = entropy_weights(frame01, columns=cols)
        return res.weights.rename("weight")
    if isinstance(weights, Mapping | pd.Series):
        sub = {c: weights[c] for c in cols if c in weights}
        if len(sub) != len(cols):
            missing = [c for c in cols if c not in weights]
            raise ArgumentError(f"weights: no weight for {block} indicator(s) {missing}.")
        return normalise_weights(sub, cols, arg=f"weights ({block})")
    raise ArgumentTypeError(
        "weights must be None/'equal', 'entropy', or a dict/Series keyed by indicator "
        f"(e.g. AHPResult.weights); got {type(weights).__name__}."
    )


def loyalty_index(
    data: pd.DataFrame,
    attitudinal: Sequence[Hashable],
    behavioural: Sequence[Hashable],
    *,
    scale: tuple[float, float],
    weights: Any = None,
    directions: Mapping[Hashable, str] | None = None,
    bounds: Mapping[Hashable, tuple[float, float]] | None = None,
    subjective_weight: float = 0.5,
    nan_policy: str = "listwise",
) -> LoyaltyIndexResult:
    """Combine attitudinal (survey) and behavioural (objective) loyalty into one 0-100 value.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (not modified).
    attitudinal : list of str
        Survey items of attitudinal loyalty on ``scale`` (reverse-code
        negatively worded items first, see :func:`~csl_stats.reverse_code`).
    behavioural : list of str
        Objective indicators, e.g. ``["orders_12m", "share_of_wallet",
        "tenure_years", "churned"]``.
    scale : tuple (low, high)
        Answer scale of the attitudinal items, e.g. ``(1, 7)``.
    weights : None, "equal", "entropy", dict or Series, default None
        Indicator weights. ``None``/``"equal"``: equal weights within each
        block. ``"entropy"``: entropy weights computed from the data within
        each block (:func:`entropy_weights`). A dict/Series (e.g.
        ``pd.concat([ahp_att.weights, ahp_beh.weights])``) must give a weight
        for every indicator and name nothing else; weights are validated
        (non-negative) and rescaled to sum to one within each block.
    directions : dict, optional
        Behavioural indicator -> ``"benefit"`` (default) or ``"cost"``
        (e.g. ``{"churned": "cost"}``).
    bounds : dict, optional
        Behavioural indicator -> fixed ``(low, high)`` range used for
        normalisation (e.g. ``{"share_of_wallet": (0, 1)}``); values outside
        raise :class:`~csl_stats.errors.ScaleError`. Default: the sample
        minimum and maximum.
    subjective_weight : float, default 0.5
        :math:`\\lambda`, weight of the subjective value; the objective value
        gets :math:`1 - \\lambda`.
    nan_policy : {"listwise", "raise"}, default "listwise"
        Customers with a missing indicator get NaN (and are left out of the
        min-max ranges and entropy weights).

    Returns
    -------
    LoyaltyIndexResult
        ``loyalty``, ``subjective``, ``objective`` (Series, 0-100), the
        per-indicator ``weights`` table and ``summary()`` with the overall
        weight of each indicator.

    Raises
    ------
    ArgumentError
        Negative/non-finite weights, a weight for a name that is not an
        indicator, unknown direction, ``subjective_weight`` outside [0, 1],
        a column in both blocks.
    ColumnNotFoundError, NonNumericError, ScaleError
        Missing, non-numeric or off-scale indicators.
    ConstantError
        A behavioural indicator without variance (min-max undefined).

    Warns
    -----
    ReverseKeyWarning
        An attitudinal item correlates negatively with the sum of the others
        (a reverse-keyed item not recoded, see :func:`~csl_stats.reverse_code`).

    Notes
    -----
    For customer :math:`i`, attitudinal items :math:`j` and behavioural
    indicators :math:`k`:

    .. math::

        s_{ij} = \\frac{x_{ij} - \\text{low}}{\\text{high} - \\text{low}}, \\qquad
        o_{ik} = \\frac{z_{ik} - \\min_k}{\\max_k - \\min_k}
        \\ (\\text{cost: } 1 - \\cdot),

        S_i = \\sum_j a_j s_{ij}, \\qquad O_i = \\sum_k b_k o_{ik}, \\qquad
        L_i = 100\\,[\\lambda S_i + (1 - \\lambda) O_i],

    with :math:`a_j, b_k \\ge 0`, :math:`\\sum_j a_j = \\sum_k b_k = 1`,
    :math:`0 \\le \\lambda \\le 1`. Every term lies in [0, 1], so
    :math:`S_i`, :math:`O_i` (reported x 100) and :math:`L_i` lie in
    [0, 100]. Survey items are rescaled on their fixed answer scale, so the
    subjective value is comparable across samples; behavioural indicators are
    rescaled on the sample range unless ``bounds`` fixes it.

    References
    ----------
    Dick, A. S., & Basu, K. (1994). Customer loyalty: Toward an integrated
    conceptual framework. *Journal of the Academy of Marketing Science*,
    22(2), 99-113.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"loy1": [7, 4, 1], "loy2": [6, 4, 2],
    ...                    "orders": [12, 6, 0], "churned": [0, 0, 1]})
    >>> res = loyalty_index(df, ["loy1", "loy2"], ["orders", "churned"], scale=(1, 7),
    ...                     directions={"churned": "cost"})
    >>> res.loyalty.round(1).tolist()
    [95.8, 62.5, 4.2]
    """
    data = check_dataframe(data, unique_columns=False)
    att = check_columns(data, attitudinal, arg="attitudinal")
    beh = check_columns(data, behavioural, arg="behavioural")
    check_distinct_roles(attitudinal=att, behavioural=beh)
    low, high = _check_scale_arg(scale)
    lam = check_number(subjective_weight, "subjective_weight", minimum=0.0, maximum=1.0)
    dirs = _directions(directions, beh)
    if isinstance(weights, Mapping | pd.Series):
        unknown = [c for c in weights.keys() if c not in att and c not in beh]
        if unknown:
            raise ArgumentError(
                f"weights: {unknown} are not indicators (attitudinal {att}, behavioural {beh}); "
                "give one weight per indicator and nothing else."
            )
    if bounds is not None:
        unknown = [c for c in bounds if c not in beh]
        if unknown:
            raise ArgumentError(f"bounds: {unknown} are not behavioural indicators {beh}.")
    frame = check_numeric(data, att + beh)
    check_scale(frame[att], (low, high), integer=False)
    warn_reverse_keyed(frame, {"attitudinal": att})
    apply_nan_policy(frame, nan_policy)  # checks the policy, warns on heavy loss, raises for "raise"
    keep = frame.notna().all(axis=1).to_numpy()  # by position: the index may repeat labels (stacked waves)
    complete = frame[keep]
    check_min_rows(len(complete), 2)
    check_not_constant(complete[[c for c in beh if bounds is None or c not in bounds]])
    s01 = (complete[att] - low) / (high - low)
    o01 = _minmax(complete[beh], dirs, bounds)
    wa = _block_weights(weights, "subjective", att, s01)
    wb = _block_weights(weights, "objective", beh, o01)
    subj = 100.0 * (s01.to_numpy() @ wa.to_numpy())
    obj = 100.0 * (o01.to_numpy() @ wb.to_numpy())
    full = np.full((len(frame), 3), np.nan)
    full[keep] = np.column_stack([subj, obj, lam * subj + (1 - lam) * obj]).clip(0.0, 100.0)
    scores = pd.DataFrame(full, index=data.index, columns=["subjective", "objective", "loyalty"])
    wtab = pd.DataFrame(
        {
            "block": ["subjective"] * len(att) + ["objective"] * len(beh),
            "direction": ["benefit"] * len(att) + [dirs[c] for c in beh],
            "weight": np.r_[wa.to_numpy(), wb.to_numpy()],
        },
        index=label_index(att + beh, name="indicator"),
    )
    return LoyaltyIndexResult(scores=scores, weights=wtab, subjective_weight=lam)


# --------------------------------------------------------------------------- Dick & Basu


def _cut_value(x: np.ndarray, cut: Any, name: str) -> float:
    if cut is None:
        return float(np.nanmedian(x))
    return check_number(cut, f"cut for {name}")


def dick_basu_segments(
    attitudinal: Any,
    behavioural: Any,
    *,
    cut: tuple[float | None, float | None] | None = None,
) -> pd.Series:
    """Dick & Basu (1994) loyalty segments from relative attitude x repeat patronage.

    Parameters
    ----------
    attitudinal : Series or 1-D array
        Attitudinal loyalty (e.g. the subjective value or a scale score).
    behavioural : Series or 1-D array
        Behavioural loyalty (e.g. the objective value, orders or share of wallet).
        Same length as ``attitudinal``. Two Series are paired on their index
        (same labels, any order); arrays and lists by position. The result
        takes the index of ``attitudinal`` when it is a Series.
    cut : pair (attitudinal_cut, behavioural_cut), optional
        Values above which a customer counts as "high". Default: the medians
        (of the complete pairs). Either element may be ``None`` (median).

    Returns
    -------
    pandas.Series
        Categorical with categories ``"true loyalty"`` (high attitude, high
        patronage), ``"latent loyalty"`` (high, low), ``"spurious loyalty"``
        (low, high) and ``"no loyalty"`` (low, low); missing where either
        input is missing.

    Raises
    ------
    ArgumentError
        Inputs of different length, or a ``cut`` that is not a pair of numbers.
    AlignmentError
        Two Series with different index labels (they are paired on the index).
    NonNumericError
        Text values.
    InsufficientDataError
        No complete pair.
    ConstantError
        An input without variance among the complete pairs, or a default
        (median) cut that leaves nobody above it (ties at the top): the
        segments would silently rest on the other input alone.

    Notes
    -----
    "High" means strictly above the cut, so with the default median cut
    customers exactly at the median count as low. Latent loyalty (liked but
    little bought) is the growth opportunity; spurious loyalty (bought but not
    liked: inertia, switching costs, contracts) is the churn risk.

    Examples
    --------
    >>> seg = dick_basu_segments([6.5, 6.0, 2.0, 1.5], [10, 1, 12, 2])
    >>> seg.tolist()
    ['true loyalty', 'latent loyalty', 'spurious loyalty', 'no loyalty']
    """
    if isinstance(attitudinal, pd.Series) and isinstance(behavioural, pd.Series):
        attitudinal, behavioural = align_series(attitudinal, behavioural, names=["attitudinal", "behavioural"])
    index = attitudinal.index if isinstance(attitudinal, pd.Series) else None
    a = _vector(attitudinal, "attitudinal")
    b = _vector(behavioural, "behavioural")
    if a.size != b.size:
        raise ArgumentError(f"attitudinal and behavioural must have the same length; got {a.size} and {b.size}.")
    ok = ~(np.isnan(a) | np.isnan(b))
    if not ok.any():
        raise InsufficientDataError("no customer has both an attitudinal and a behavioural value.")
    if cut is None:
        cut = (None, None)
    if not isinstance(cut, tuple | list) or len(cut) != 2:
        raise ArgumentError(f"cut must be a pair (attitudinal_cut, behavioural_cut); got {cut!r}.")
    for x, name in ((a, "attitudinal"), (b, "behavioural")):
        v = x[ok]
        if v.min() == v.max():
            raise ConstantError(
                f"{name} is constant among the complete pairs (every value is {v[0]:g}); the segments "
                "would rest on the other input alone."
            )
    ca = _cut_value(a[ok], cut[0], "attitudinal")
    cb = _cut_value(b[ok], cut[1], "behavioural")
    for x, c, given, name in ((a, ca, cut[0], "attitudinal"), (b, cb, cut[1], "behavioural")):
        if given is None and not (x[ok] > c).any():
            raise ConstantError(
                f"{name}: nobody is above its median {c:g} (ties at the top of the range), so every customer "
                f"would count as low; pass an explicit cut, e.g. cut=(..., ...)."
            )
    hi_a, hi_b = a > ca, b > cb
    lab = np.where(hi_a & hi_b, DICK_BASU_SEGMENTS[0],
                   np.where(hi_a, DICK_BASU_SEGMENTS[1],
                            np.where(hi_b, DICK_BASU_SEGMENTS[2], DICK_BASU_SEGMENTS[3]))).astype(object)
    lab[~ok] = None
    return pd.Series(pd.Categorical(lab, categories=list(DICK_BASU_SEGMENTS)), index=index, name="segment")


def _vector(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        raise ArgumentTypeError(f"{name} must be one column (Series or 1-D array), not a DataFrame.")
    s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(
        np.asarray(values, dtype=object).ravel())
    return check_numeric(pd.DataFrame({name: s}), [name])[name].to_numpy()
