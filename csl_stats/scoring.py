"""Scale scores, reverse coding and the 0-100 satisfaction index.

Managers act on scores, so the arithmetic must be explicit: which items were
reversed, how many answers a respondent needs for a score, and how the items
are weighted. Everything here returns new objects; the caller's DataFrame is
never modified.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 7, 4], "b": [2, 6, None]})
>>> reverse_code(df, "b", scale=(1, 7))["b"].tolist()
[6.0, 2.0, nan]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    _check_scale_arg,
    check_answered,
    check_choice,
    check_columns,
    check_dataframe,
    check_labels,
    check_numeric,
    check_scale,
    warn_reverse_keyed,
)
from .errors import ArgumentError, ArgumentTypeError, DuplicateColumnError

__all__ = [
    "reverse_code",
    "scale_scores",
    "ScaleScoresResult",
    "satisfaction_index",
]


def reverse_code(data: pd.DataFrame, items: Hashable | Sequence[Hashable], *, scale: tuple[float, float]) -> pd.DataFrame:
    """Reverse-code negatively worded items: ``x -> low + high - x``.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey answers; it is not modified.
    items : str or list of str
        Columns to reverse (e.g. ``["srv4", "loy4"]``).
    scale : tuple (low, high)
        The answer scale, e.g. ``(1, 7)``; reversing maps ``low`` to ``high``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` in which ``items`` are reversed (as float, missing
        answers stay missing). The other columns are unchanged.

    Raises
    ------
    ColumnNotFoundError
        An item is not in ``data``.
    NonNumericError
        An item holds text.
    ScaleError
        An answer lies outside ``scale``.
    ArgumentError
        ``scale`` is not a ``(low, high)`` pair with ``low < high``.

    Notes
    -----
    On a ``low``-``high`` scale the reversed answer is ``low + high - x``; on
    a 1-7 scale this is the familiar ``8 - x``. Answers need not be whole
    numbers (averaged items can be reversed too), but must lie on the scale.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"srv4": [1, 2, 7], "srv1": [5, 5, 5]})
    >>> out = reverse_code(df, ["srv4"], scale=(1, 7))
    >>> out["srv4"].tolist(), df["srv4"].tolist()
    ([7.0, 6.0, 1.0], [1, 2, 7])
    """
    data = check_dataframe(data, unique_columns=False)
    low, high = _check_scale_arg(scale)
    cols = check_columns(data, items, arg="items")
    frame = check_numeric(data, cols)
    check_scale(frame, (low, high), integer=False)
    out = data.copy()
    for c in cols:
        out[c] = low + high - frame[c]
    return out


def _resolve_min_valid(min_valid: int | float | None, k: int, construct: Hashable) -> int:
    if min_valid is None:
        return max(1, math.ceil(k / 2))
    if isinstance(min_valid, bool) or not isinstance(min_valid, numbers.Real):
        raise ArgumentTypeError(
            f"min_valid must be an int (number of items) or a float share in (0, 1]; got {min_valid!r}."
        )
    if isinstance(min_valid, numbers.Integral):
        m = int(min_valid)
        if not 1 <= m <= k:
            raise ArgumentError(
                f"min_valid={m} is impossible for construct {construct!r} with {k} item(s); "
                f"use a count between 1 and {k}, or a share such as 0.5."
            )
        return m
    share = float(min_valid)
    if not 0 < share <= 1:
        raise ArgumentError(f"min_valid as a share must lie in (0, 1]; got {min_valid!r}.")
    return max(1, math.ceil(share * k - 1e-12))


@result_dataclass
class ScaleScoresResult(Result):
    """Scale scores per respondent, with the count of respondents without a score.

    Attributes
    ----------
    scores : pandas.DataFrame
        One column per construct, one row per respondent (same index as the
        data). ``NaN`` where the respondent answered fewer than ``min_valid``
        items of the construct.
    constructs : dict
        Construct -> list of items used.
    min_valid : dict
        Construct -> number of valid answers required.
    method : str
        ``"mean"`` or ``"sum"``.
    """

    scores: pd.DataFrame
    constructs: dict[Hashable, list[Hashable]]
    min_valid: dict[Hashable, int]
    method: str
    _title = "Scale scores"

    @property
    def n_insufficient(self) -> pd.Series:
        """Respondents per construct with too few valid answers (score is NaN)."""
        return self.scores.isna().sum().astype(int).rename("n_insufficient")

    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return int(self.scores.shape[0])

    _frame = "scores"

    def summary(self) -> pd.DataFrame:
        """Per construct: items, rule, respondents scored / not scored, mean and SD."""
        s = self.scores
        return pd.DataFrame(
            {
                "n_items": [len(self.constructs[c]) for c in s.columns],
                "min_valid": [self.min_valid[c] for c in s.columns],
                "n_scored": s.notna().sum().astype(int).to_numpy(),
                "n_insufficient": self.n_insufficient.to_numpy(),
                "mean": s.mean().to_numpy(),
                "sd": s.std(ddof=1).to_numpy(),
            },
            index=pd.Index(s.columns, name="construct"),
        )


def scale_scores(
    data: pd.DataFrame,
    constructs: Mapping[Hashable, Sequence[Hashable]],
    *,
    min_valid: int | float | None = None,
    method: str = "mean",
    reverse: Sequence[Hashable] | None = None,
    scale: tuple[float, float] | None = None,
) -> ScaleScoresResult:
    """Score multi-item scales: the mean (or prorated sum) of each respondent's valid answers.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers; it is not modified.
    constructs : dict
        Construct name -> list of its items, e.g. ``{"sat": ["sat1", "sat2", "sat3"]}``.
        An item may belong to one construct only.
    min_valid : int, float or None, default None
        Valid answers a respondent needs for a score. An int is a number of
        items; a float in (0, 1] is a share of the construct's items (rounded
        up). Default ``None``: at least half of the items (``ceil(k / 2)``),
        the usual "half rule" for prorating scales.
    method : {"mean", "sum"}, default "mean"
        ``"mean"``: mean of the valid answers (stays on the answer scale).
        ``"sum"``: prorated sum, ``k`` times that mean, so that respondents
        with a skipped item are comparable with complete ones.
    reverse : list of str, optional
        Items to reverse-code first (``low + high - x``); needs ``scale``.
    scale : tuple (low, high), optional
        Answer scale. When given, every answer is checked to lie on it.

    Returns
    -------
    ScaleScoresResult
        ``.scores`` (respondent x construct DataFrame), ``.n_insufficient``
        (Series: respondents left without a score per construct) and
        ``.summary()``.

    Raises
    ------
    ArgumentTypeError
        ``data`` is not a DataFrame or ``constructs`` is not a mapping.
    ArgumentError
        Unknown ``method``, impossible ``min_valid``, ``reverse`` without
        ``scale``, or a reversed item that belongs to no construct.
    ColumnNotFoundError, NonNumericError, ScaleError
        Missing, non-numeric or off-scale items.
    DuplicateColumnError
        An item is listed under two constructs (or twice in one).
    InsufficientDataError
        A construct has no items.
    ConstantError
        An item has no answer at all (it would be dropped silently from the mean).

    Warns
    -----
    ReverseKeyWarning
        An item correlates negatively with the sum of the other items of its
        construct (after ``reverse``): probably a reverse-keyed item not recoded.

    Notes
    -----
    For respondent :math:`i` with valid answers :math:`V_i` among the
    :math:`k` items of a construct,

    .. math:: \\text{score}_i = \\frac{1}{|V_i|}\\sum_{j\\in V_i} x_{ij}
              \\quad\\text{if } |V_i| \\ge m, \\text{ else NaN},

    and the prorated sum is :math:`k\\,\\text{score}_i`. Person-mean
    imputation of this kind is unbiased when items are exchangeable and
    missingness is unrelated to the missing answer; with many skipped items it
    is not, which is why a minimum :math:`m` is enforced.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s1": [5, 6, None], "s2": [7, None, None], "s3": [6, 4, 3]})
    >>> res = scale_scores(df, {"sat": ["s1", "s2", "s3"]})
    >>> res.scores["sat"].round(2).tolist()
    [6.0, 5.0, nan]
    >>> int(res.n_insufficient["sat"])
    1
    """
    data = check_dataframe(data, unique_columns=False)
    if not isinstance(constructs, Mapping) or not constructs:
        raise ArgumentTypeError(
            "constructs must be a non-empty dict mapping a construct name to its items, "
            f"e.g. {{'sat': ['sat1', 'sat2']}}; got {type(constructs).__name__}."
        )
    check_choice(method, "method", ("mean", "sum"))
    spec: dict[Hashable, list[Hashable]] = {}
    owner: dict[Hashable, Hashable] = {}
    for name, items in constructs.items():
        cols = check_columns(data, items, arg=f"constructs[{name!r}]")
        for c in cols:
            if c in owner:
                raise DuplicateColumnError(
                    f"item {c!r} is listed under both {owner[c]!r} and {name!r}; each item belongs to one construct."
                )
            owner[c] = name
        spec[name] = cols
    all_items = list(owner)
    frame = check_numeric(data, all_items)
    check_answered(frame)
    if scale is not None:
        check_scale(frame, scale, integer=False)
    if reverse is not None:
        if scale is None:
            raise ArgumentError("reverse needs the answer scale: pass scale=(low, high), e.g. scale=(1, 7).")
        rev = check_columns(data, check_labels(reverse, "reverse"), arg="reverse")
        unknown = [c for c in rev if c not in owner]
        if unknown:
            raise ArgumentError(f"reverse: item(s) {unknown} belong to no construct.")
        frame = reverse_code(frame, rev, scale=scale)
    warn_reverse_keyed(frame, spec)
    out = {}
    rules: dict[Hashable, int] = {}
    for name, cols in spec.items():
        m = _resolve_min_valid(min_valid, len(cols), name)
        rules[name] = m
        block = frame[cols]
        n_valid = block.notna().sum(axis=1)
        score = block.mean(axis=1, skipna=True)
        if method == "sum":
            score = score * len(cols)
        out[name] = score.where(n_valid >= m).to_numpy()
    scores = pd.DataFrame(out, index=data.index)
    return ScaleScoresResult(scores=scores, constructs=spec, min_valid=rules, method=method)


def normalise_weights(
    weights: Any,
    names: Sequence[Hashable],
    *,
    arg: str = "weights",
) -> pd.Series:
    """Validate non-negative weights for ``names`` and rescale them to sum to one.

    ``weights`` may be ``None`` (equal weights), a sequence aligned with
    ``names``, or a mapping / Series keyed by name (it must cover every name
    and name nothing else). Negative, missing or non-finite weights raise
    :class:`~csl_stats.errors.ArgumentError`; weights that do not sum to one
    are divided by their sum (documented behaviour, no warning).

    Examples
    --------
    >>> normalise_weights([2, 1, 1], ["a", "b", "c"]).tolist()
    [0.5, 0.25, 0.25]
    >>> normalise_weights({"a": -1, "b": 2}, ["a", "b"])
    Traceback (most recent call last):
    ...
    csl_stats.errors.ArgumentError: weights must be non-negative; got negative weight(s) {'a': -1.0}.
    """
    names = list(names)
    k = len(names)
    if weights is None:
        return pd.Series(np.full(k, 1.0 / k), index=pd.Index(names), name="weight")
    if isinstance(weights, Mapping | pd.Series):
        keys = list(weights.keys())
        missing = [n for n in names if n not in keys]
        extra = [key for key in keys if key not in names]
        if missing or extra:
            raise ArgumentError(
                f"{arg} must give one weight per item {names}; missing {missing}, unknown {extra}."
            )
        raw = [weights[n] for n in names]
    elif isinstance(weights, str) or not isinstance(weights, Sequence | np.ndarray):
        raise ArgumentTypeError(
            f"{arg} must be None, a sequence of numbers or a dict/Series keyed by item; got {type(weights).__name__}."
        )
    else:
        raw = list(np.asarray(weights, dtype=object).ravel())
        if len(raw) != k:
            raise ArgumentError(f"{arg} has {len(raw)} value(s) for {k} item(s) {names}.")
    try:
        w = np.array([float(v) for v in raw], dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{arg} must be numbers; got {raw!r}.") from None
    if not np.all(np.isfinite(w)):
        bad = {n: v for n, v in zip(names, w, strict=True) if not np.isfinite(v)}
        raise ArgumentError(f"{arg} must be finite numbers; got {bad}.")
    if (w < 0).any():
        bad = {n: float(v) for n, v in zip(names, w, strict=True) if v < 0}
        raise ArgumentError(f"{arg} must be non-negative; got negative weight(s) {bad}.")
    total = w.sum()
    if total <= 0:
        raise ArgumentError(f"{arg} sum to zero; at least one item needs a positive weight.")
    return pd.Series(w / total, index=pd.Index(names), name="weight")


def satisfaction_index(
    data: pd.DataFrame,
    items: Sequence[Hashable],
    *,
    scale: tuple[float, float],
    weights: Sequence[float] | Mapping[Hashable, float] | pd.Series | None = None,
    min_valid: int | float | None = None,
) -> pd.Series:
    """ACSI-style 0-100 satisfaction index per respondent.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers (not modified). Reverse-code negatively worded items first.
    items : list of str
        The satisfaction items.
    scale : tuple (low, high)
        Answer scale of the items, e.g. ``(1, 7)``; every answer is checked.
    weights : sequence, dict or Series, optional
        Item weights, e.g. the outer weights of an index model. Default: equal
        weights. Negative weights raise an error; weights that do not sum to
        one are rescaled to sum to one.
    min_valid : int, float or None, default None
        Valid answers needed for an index value, as in :func:`scale_scores`
        (default: at least half of the items). With skipped items the weights
        are rescaled over the answered items.

    Returns
    -------
    pandas.Series
        Index values in [0, 100] named ``"satisfaction_index"``, aligned with
        ``data``; NaN for respondents with too few answers.

    Raises
    ------
    ArgumentError
        Negative, non-finite or all-zero weights; bad ``scale`` or ``min_valid``.
    ColumnNotFoundError, NonNumericError, ScaleError
        Missing, non-numeric or off-scale items.
    ConstantError
        An item has no answer at all.

    Warns
    -----
    ReverseKeyWarning
        An item correlates negatively with the sum of the other items.

    Notes
    -----
    Following the ACSI convention (Fornell et al., 1996), each item is mapped
    to 0-100 and the index is their weighted mean:

    .. math:: I_i = 100 \\sum_j w_j \\frac{x_{ij} - \\text{low}}{\\text{high} - \\text{low}},
              \\qquad w_j \\ge 0,\\ \\sum_j w_j = 1 .

    Because the map is linear and the weights are convex, :math:`I_i` lies in
    [0, 100]: 0 when every item is at the bottom of the scale, 100 at the top.
    For a respondent who skipped items the sum runs over the answered items
    with weights rescaled to sum to one over them.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E.
    (1996). The American Customer Satisfaction Index: Nature, purpose, and
    findings. *Journal of Marketing*, 60(4), 7-18.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sat1": [7, 4, 1], "sat2": [7, 5, 1]})
    >>> satisfaction_index(df, ["sat1", "sat2"], scale=(1, 7)).round(1).tolist()
    [100.0, 58.3, 0.0]
    >>> satisfaction_index(df, ["sat1", "sat2"], scale=(1, 7), weights=[3, 1]).round(1).tolist()
    [100.0, 54.2, 0.0]
    """
    data = check_dataframe(data, unique_columns=False)
    low, high = _check_scale_arg(scale)
    cols = check_columns(data, items, arg="items")
    w = normalise_weights(weights, cols)
    frame = check_numeric(data, cols)
    check_answered(frame)
    check_scale(frame, (low, high), integer=False)
    warn_reverse_keyed(frame, {"satisfaction_index": cols})
    m = _resolve_min_valid(min_valid, len(cols), "satisfaction_index")
    x = ((frame.to_numpy() - low) / (high - low)) * 100.0
    valid = ~np.isnan(x)
    wv = np.where(valid, w.to_numpy()[None, :], 0.0)
    wsum = wv.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = (np.where(valid, x, 0.0) * wv).sum(axis=1) / wsum
    ok = (valid.sum(axis=1) >= m) & (wsum > 0)
    idx = np.where(ok, np.clip(idx, 0.0, 100.0), np.nan)
    return pd.Series(idx, index=data.index, name="satisfaction_index")
