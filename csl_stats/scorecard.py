"""Weighted supplier scorecards and the stability of their ranking.

A purchasing manager rates each supplier on several criteria (cost,
technology, delivery, service, continuity of supply, global support, defects
per million parts, as in Dell's quarterly supplier scorecard), puts every
criterion on a common 0-100 scale, weights them and ranks the suppliers.
:func:`supplier_scorecard` does this and reports how much the ranking depends
on the weights: each weight moved by +-``sensitivity`` (then renormalised),
and optionally many random perturbations of all weights at once (rank
acceptability, as in stochastic multicriteria acceptability analysis).
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
    check_choice,
    check_columns,
    check_dataframe,
    check_int,
    check_numeric,
    check_rng,
    label_index,
    preview,
)
from .errors import ArgumentError, ArgumentTypeError, DataError, InsufficientDataError

__all__ = ["ScorecardResult", "supplier_scorecard", "plot_scorecard"]

#: Accepted criterion directions: a higher value is better ("benefit") or worse ("cost").
DIRECTIONS = ("benefit", "cost")


@result_dataclass
class ScorecardResult(Result):
    """Result of :func:`supplier_scorecard`.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per supplier (in input order): the normalised 0-100 score on
        each criterion, the weighted ``score`` (0-100) and its ``rank``
        (1 = best; tied scores share the best rank).
    weights : pandas.DataFrame
        One row per criterion: ``direction``, ``weight_given`` (as passed),
        ``weight`` (normalised to sum to one, used for the scores).
    scenarios : pandas.DataFrame
        Long table of the one-at-a-time sensitivity analysis: ``scenario``
        (``"base"``, ``"cost +20%"``, ...), ``criterion``, ``change`` (relative
        change of that weight before renormalisation), ``supplier``,
        ``score``, ``rank``.
    acceptability : pandas.DataFrame or None
        With ``n_draws > 0``: rows = suppliers, columns = ranks 1..min(n,
        ``max_rank``), values = share of the random weight draws in which the
        supplier got that rank.
    draw_ranks : pandas.DataFrame or None
        With ``n_draws > 0``: per supplier, ``p_top`` and ``p_same_rank``
        (share of draws ranked first / at its base rank), ``rank_mean``,
        ``rank_best`` and ``rank_worst`` over the draws.
    normalise, sensitivity, n_draws, weights_rescaled
        The options used; ``weights_rescaled`` is True when the weights given
        did not sum to one and were divided by their sum.
    """

    scores: pd.DataFrame
    weights: pd.DataFrame
    scenarios: pd.DataFrame
    acceptability: pd.DataFrame | None
    normalise: str
    sensitivity: float
    n_draws: int
    weights_rescaled: bool
    draw_ranks: pd.DataFrame | None = None

    _title = "Supplier scorecard"

    @property
    def criteria(self) -> list[Hashable]:
        """The criteria, in the order given."""
        return list(self.weights.index)

    @property
    def ranking(self) -> pd.Series:
        """Rank of each supplier (1 = best), sorted from best to worst."""
        return self.scores["rank"].sort_values(kind="stable")

    @property
    def top(self) -> Hashable:
        """The supplier ranked first (the first in input order if several tie)."""
        return self.ranking.index[0]

    @property
    def contributions(self) -> pd.DataFrame:
        """Weight x normalised score for each supplier and criterion (rows sum to ``score``)."""
        return self.scores[self.criteria].mul(self.weights["weight"], axis=1)

    @property
    def rank_range(self) -> pd.DataFrame:
        """Base rank and the best / worst rank over the +-``sensitivity`` scenarios."""
        r = self.scenarios.pivot(index="supplier", columns="scenario", values="rank")
        r = r.reindex(self.scores.index)
        return pd.DataFrame(
            {"rank": self.scores["rank"], "rank_best": r.min(axis=1), "rank_worst": r.max(axis=1)}
        )

    def sensitivity_table(self) -> pd.DataFrame:
        """One row per scenario: the top supplier and how many suppliers change rank."""
        base = self.scores["rank"]
        rows = []
        for name, g in self.scenarios.groupby("scenario", sort=False):
            rank = g.set_index("supplier")["rank"].reindex(base.index)
            diff = (rank - base).abs()
            rows.append(
                {
                    "scenario": name,
                    "criterion": g["criterion"].iloc[0],
                    "change": g["change"].iloc[0],
                    "top": rank.sort_values(kind="stable").index[0],
                    "n_rank_changes": int((diff > 0).sum()),
                    "max_rank_shift": int(diff.max()),
                }
            )
        return pd.DataFrame(rows).set_index("scenario")

    @property
    def top_is_stable(self) -> bool:
        """True if the same supplier is first in every +-``sensitivity`` scenario."""
        return bool((self.sensitivity_table()["top"] == self.top).all())

    @property
    def ranking_is_stable(self) -> bool:
        """True if no supplier changes rank in any +-``sensitivity`` scenario."""
        return bool((self.sensitivity_table()["n_rank_changes"] == 0).all())

    @property
    def p_top(self) -> pd.Series | None:
        """Share of random weight draws in which each supplier ranks first (None without draws)."""
        return None if self.draw_ranks is None else self.draw_ranks["p_top"].rename("p_top")

    @property
    def p_same_rank(self) -> pd.Series | None:
        """Share of random weight draws in which each supplier keeps its base rank."""
        if self.draw_ranks is None:
            return None
        return self.draw_ranks["p_same_rank"].rename("p_same_rank")

    def to_frame(self) -> pd.DataFrame:
        out = self.scores.join(self.rank_range[["rank_best", "rank_worst"]])
        if self.acceptability is not None:
            out["p_same_rank"] = self.p_same_rank
            out["p_top"] = self.p_top
        return out

    def summary(self) -> pd.DataFrame:
        cols = ["score", "rank", "rank_best", "rank_worst"]
        if self.acceptability is not None:
            cols += ["p_same_rank", "p_top"]
        return self.to_frame()[cols].sort_values("rank", kind="stable")


# --------------------------------------------------------------------------- validation
def _check_criteria(criteria: Any) -> dict[Hashable, str]:
    if not isinstance(criteria, Mapping):
        raise ArgumentTypeError(
            "criteria must be a mapping {column: 'benefit' or 'cost'}, e.g. "
            f"{{'on_time_delivery': 'benefit', 'defects_ppm': 'cost'}}; got {type(criteria).__name__}."
        )
    if len(criteria) == 0:
        raise ArgumentError("criteria is empty; name at least one criterion column.")
    bad = {c: d for c, d in criteria.items() if not isinstance(d, str) or d not in DIRECTIONS}
    if bad:
        raise ArgumentError(
            f"unknown criterion direction(s) {bad}; each direction must be 'benefit' (higher is better) "
            "or 'cost' (lower is better)."
        )
    return dict(criteria)


def _check_weights(weights: Any, criteria: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray, bool]:
    if isinstance(weights, Mapping | pd.Series):
        if isinstance(weights, pd.Series) and not weights.index.is_unique:
            dup = weights.index[weights.index.duplicated()].unique().tolist()
            raise ArgumentError(f"weights name criterion(s) {dup} more than once; give one weight per criterion.")
        w = dict(weights.items())
        missing = [c for c in criteria if c not in w]
        extra = [c for c in w if c not in criteria]
        if missing or extra:
            raise ArgumentError(
                "weights must have one entry per criterion; "
                + (f"missing {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"not a criterion {extra}" if extra else "")
                + "."
            )
        values = [w[c] for c in criteria]
    elif isinstance(weights, Sequence | np.ndarray) and not isinstance(weights, str):
        values = list(weights)
        if len(values) != len(criteria):
            raise ArgumentError(
                f"weights has {len(values)} value(s) for {len(criteria)} criteria {list(criteria)}."
            )
    else:
        raise ArgumentTypeError(
            f"weights must be a mapping {{criterion: weight}} or a sequence in criteria order; "
            f"got {type(weights).__name__}."
        )
    nonnum = [v for v in values if isinstance(v, bool) or not isinstance(v, numbers.Real)]
    if nonnum:
        raise ArgumentTypeError(f"weights must be numbers; got {preview(nonnum)}.")
    given = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(given)):
        raise ArgumentError(f"weights must be finite; got {preview(given[~np.isfinite(given)])}.")
    neg = {c: float(v) for c, v in zip(criteria, given, strict=True) if v < 0}
    if neg:
        raise ArgumentError(f"weights must be >= 0; negative weight(s) {neg}.")
    total = given.sum()
    if total <= 0:
        raise ArgumentError("weights are all zero; at least one criterion needs a positive weight.")
    rescaled = not math.isclose(total, 1.0, rel_tol=0.0, abs_tol=1e-9)
    return given, given / total, rescaled


def _normalise(x: np.ndarray, direction: str, method: str) -> np.ndarray:
    if method == "minmax":
        lo, hi = x.min(), x.max()
        if hi == lo:
            return np.full_like(x, 100.0)
        s = (x - lo) / (hi - lo) if direction == "benefit" else (hi - x) / (hi - lo)
        return 100.0 * s
    # ratio to the best value
    return 100.0 * (x / x.max() if direction == "benefit" else x.min() / x)


def _rank(score: np.ndarray) -> np.ndarray:
    """Competition ranks, 1 = highest score; ties share the best rank.

    Scores are rounded to 1e-9 points first, so that renormalising the same
    weights (floating-point noise) cannot break a genuine tie.
    """
    return pd.Series(np.round(score, 9)).rank(method="min", ascending=False).to_numpy().astype(int)


_DRAW_CELLS = 2**21  # suppliers x draws ranked at once (~16 MB of scores): memory stays bounded


def _rank_draws(
    s: np.ndarray, wd: np.ndarray, base_rank: np.ndarray, index: pd.Index, max_rank: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank acceptability (ranks 1..max_rank) and per-supplier rank summaries over the weight draws.

    The draws are ranked in chunks and only running counts are kept, so time and
    memory are linear in the number of suppliers (the former suppliers x
    suppliers table is gone) and memory does not grow with ``n_draws``.
    """
    n, n_draws = s.shape[0], wd.shape[0]
    top = min(n, max_rank)
    counts = np.zeros(n * top, dtype=np.int64)
    same = np.zeros(n, dtype=np.int64)
    rank_sum = np.zeros(n)
    best = np.full(n, n, dtype=np.int64)
    worst = np.zeros(n, dtype=np.int64)
    rows = np.arange(n)
    step = max(1, _DRAW_CELLS // n)
    for start in range(0, n_draws, step):
        sd = np.round(s @ wd[start : start + step].T, 9)  # suppliers x draws in this chunk
        ranks = pd.DataFrame(sd).rank(method="min", ascending=False).to_numpy().astype(np.int64)
        hit = ranks <= top
        counts += np.bincount((rows[:, None] * top + ranks - 1)[hit], minlength=n * top)
        same += (ranks == base_rank[:, None]).sum(axis=1)
        rank_sum += ranks.sum(axis=1)
        best = np.minimum(best, ranks.min(axis=1))
        worst = np.maximum(worst, ranks.max(axis=1))
    acceptability = pd.DataFrame(
        counts.reshape(n, top) / n_draws, index=index, columns=pd.RangeIndex(1, top + 1, name="rank")
    )
    summary = pd.DataFrame(
        {
            "p_top": acceptability[1].to_numpy(),
            "p_same_rank": same / n_draws,
            "rank_mean": rank_sum / n_draws,
            "rank_best": best,
            "rank_worst": worst,
        },
        index=index,
    )
    return acceptability, summary


# --------------------------------------------------------------------------- main
def supplier_scorecard(
    data: pd.DataFrame,
    criteria: Mapping[Hashable, str],
    weights: Mapping[Hashable, float] | Sequence[float],
    *,
    supplier: Hashable = "supplier",
    normalise: str = "minmax",
    sensitivity: float = 0.2,
    n_draws: int = 0,
    rng: int | np.random.Generator | None = None,
    max_rank: int = 20,
) -> ScorecardResult:
    """Weighted supplier scorecard: normalise, weight, rank, and test the ranking's stability.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per supplier.
    criteria : mapping
        ``{column: direction}`` with direction ``"benefit"`` (higher is
        better: technology, on-time delivery, service, ...) or ``"cost"``
        (lower is better: price or cost index, defects per million parts).
    weights : mapping or sequence
        Importance of each criterion, ``{column: weight}`` or a sequence in
        the order of ``criteria``. Weights must be >= 0 and not all zero.
        **Weights that do not sum to one are divided by their sum** (so
        points such as 30/20/20/10/10/10 are accepted); the result keeps the
        weights as given and flags ``weights_rescaled``.
    supplier : column name, default "supplier"
        Supplier id (unique).
    normalise : {"minmax", "ratio"}
        How each criterion is put on a 0-100 scale (see Notes).
    sensitivity : float in (0, 1), default 0.2
        Relative change applied to each weight in turn (+-20 %).
    n_draws : int, default 0
        Number of random weight vectors for the rank acceptability analysis
        (0 = skip). Each draw multiplies every weight by an independent
        Uniform(1 - sensitivity, 1 + sensitivity) factor and renormalises.
    rng : int, numpy.random.Generator or None
        Seed for the random draws (always checked, even without draws).
    max_rank : int, default 20
        The rank acceptability table covers ranks 1..``max_rank`` (all ranks
        when there are at most ``max_rank`` suppliers). Whatever its value,
        ``draw_ranks`` gives every supplier's share of first places and of
        draws at its base rank, and its mean, best and worst rank over the
        draws, so the cost stays linear in the number of suppliers.

    Returns
    -------
    ScorecardResult
        ``scores`` (criterion scores, ``score``, ``rank``), ``weights``,
        ``scenarios``, ``acceptability``; accessors ``ranking``, ``top``,
        ``contributions``, ``rank_range``, ``sensitivity_table()``,
        ``top_is_stable``, ``ranking_is_stable``, ``p_top``, ``p_same_rank``.

    Raises
    ------
    ArgumentTypeError
        ``criteria`` not a mapping; ``weights`` not a mapping or sequence or
        holding non-numbers.
    ArgumentError
        Unknown direction; weights negative, all zero, not finite, missing
        or extra criteria; ``sensitivity`` outside (0, 1); unknown
        ``normalise``.
    ColumnNotFoundError
        A criterion or the supplier column is not in ``data``.
    DataError
        Duplicated or missing supplier ids; a missing criterion value;
        non-numeric criteria; values <= 0 with ``normalise="ratio"``.
    InsufficientDataError
        Fewer than two suppliers.

    Notes
    -----
    For supplier :math:`i` and criterion :math:`j` with values :math:`x_{ij}`:

    - ``"minmax"`` (default): :math:`s_{ij} = 100\\,(x_{ij} - \\min_i x_{ij}) /
      (\\max_i x_{ij} - \\min_i x_{ij})` for a benefit criterion and
      :math:`100\\,(\\max_i x_{ij} - x_{ij}) / (\\max_i x_{ij} - \\min_i x_{ij})`
      for a cost criterion: the best supplier gets 100 points, the worst 0. A
      criterion on which all suppliers are equal gives everybody 100 points.
      Scores are relative to the suppliers compared and invariant to any
      increasing linear change of units (:math:`a x + b`, :math:`a > 0`).
    - ``"ratio"``: points relative to the best supplier, :math:`s_{ij} = 100\\,
      x_{ij} / \\max_i x_{ij}` (benefit) or :math:`100\\,\\min_i x_{ij} / x_{ij}`
      (cost); needs positive values and is invariant to a change of scale
      only. It keeps the proportions between suppliers (a supplier with twice
      the defects gets half the points) and rarely gives 0.

    The weighted score is :math:`S_i = \\sum_j w_j s_{ij} \\in [0, 100]` with
    :math:`\\sum_j w_j = 1`, and rank 1 is the highest score. In the
    sensitivity analysis weight :math:`w_k` becomes :math:`w_k (1 \\pm
    \\delta)` and all weights are renormalised to sum to one, so the other
    weights move by the opposite, proportional amount.

    References
    ----------
    Chopra, S., & Meindl, P. (2016). *Supply Chain Management: Strategy,
    Planning, and Operation* (6th ed.). Pearson. (Supplier scoring and assessment.)

    Lahdelma, R., Hokkanen, J., & Salminen, P. (1998). SMAA - Stochastic
    multiobjective acceptability analysis. *European Journal of Operational
    Research*, 106(1), 137-143.

    Examples
    --------
    >>> import pandas as pd
    >>> import csl_stats
    >>> df = pd.DataFrame({"supplier": ["A", "B", "C"], "cost": [100, 90, 110],
    ...                    "delivery": [95, 90, 99]})
    >>> res = csl_stats.supplier_scorecard(df, {"cost": "cost", "delivery": "benefit"},
    ...                                    {"cost": 0.6, "delivery": 0.4})
    >>> res.scores.round(1)
               cost  delivery  score  rank
    supplier
    A          50.0      55.6   52.2     2
    B         100.0       0.0   60.0     1
    C           0.0     100.0   40.0     3
    >>> res.top_is_stable
    True
    """
    frame = check_dataframe(data, unique_columns=False)
    crit = _check_criteria(criteria)
    names = list(crit)
    check_columns(frame, [supplier], arg="supplier")
    check_columns(frame, names, arg="criteria")
    if supplier in crit:
        raise ArgumentError(f"column {supplier!r} cannot be both the supplier id and a criterion.")
    check_choice(normalise, "normalise", ("minmax", "ratio"))
    if isinstance(sensitivity, bool | np.bool_) or not isinstance(sensitivity, numbers.Real) or not 0 < sensitivity < 1:
        raise ArgumentError(f"sensitivity must be a number strictly between 0 and 1 (0.2 = +-20 %); got {sensitivity!r}.")
    n_draws = check_int(n_draws, "n_draws", minimum=0)
    max_rank = check_int(max_rank, "max_rank", minimum=1)
    gen = check_rng(rng)
    given, w, rescaled = _check_weights(weights, names)

    ids = frame[supplier]
    if ids.isna().any():
        raise DataError(f"supplier id column {supplier!r} is missing in row(s) {preview(frame.index[ids.isna()].tolist())}.")
    if ids.duplicated().any():
        raise DataError(
            f"supplier ids must be unique; {preview(ids[ids.duplicated(keep=False)].tolist())} occur more than once."
        )
    if len(frame) < 2:
        raise InsufficientDataError(f"a scorecard compares suppliers: at least 2 needed; got {len(frame)}.")
    x = check_numeric(frame, names)
    if x.isna().any().any():
        where = [(ids.iloc[i], c) for c in names for i in np.flatnonzero(x[c].isna().to_numpy())]
        raise DataError(
            f"missing criterion value(s) for (supplier, criterion) {preview(where)}; every supplier needs a "
            "value on every criterion (impute or drop the supplier first)."
        )
    if normalise == "ratio":
        nonpos = [c for c in names if (x[c] <= 0).any()]
        if nonpos:
            raise DataError(
                f"normalise='ratio' needs positive values; criteria {nonpos} have values <= 0. "
                "Use normalise='minmax'."
            )

    s = np.column_stack([_normalise(x[c].to_numpy(), crit[c], normalise) for c in names])
    index = label_index(ids.to_numpy(), name=supplier)
    base_score = s @ w
    scores = pd.DataFrame(s, index=index, columns=label_index(names))
    scores["score"] = base_score
    scores["rank"] = _rank(base_score)

    wtab = pd.DataFrame(
        {"direction": [crit[c] for c in names], "weight_given": given, "weight": w},
        index=label_index(names, name="criterion"),
    )

    blocks = [("base", None, 0.0, base_score)]
    for k, c in enumerate(names):
        for sign in (+1, -1):
            wk = w.copy()
            wk[k] *= 1 + sign * sensitivity
            wk = wk / wk.sum()
            blocks.append((f"{c} {sign * sensitivity:+.0%}", c, sign * sensitivity, s @ wk))
    scenarios = pd.concat(
        [
            pd.DataFrame(
                {
                    "scenario": name,
                    "criterion": crit_name,
                    "change": change,
                    "supplier": index,
                    "score": sc,
                    "rank": _rank(sc),
                }
            )
            for name, crit_name, change, sc in blocks
        ],
        ignore_index=True,
    )

    acceptability = None
    draw_ranks = None
    if n_draws > 0:
        factors = gen.uniform(1 - sensitivity, 1 + sensitivity, size=(n_draws, len(names)))
        wd = w * factors
        wd /= wd.sum(axis=1, keepdims=True)
        acceptability, draw_ranks = _rank_draws(s, wd, scores["rank"].to_numpy(), index, max_rank)

    return ScorecardResult(
        scores=scores,
        weights=wtab,
        scenarios=scenarios,
        acceptability=acceptability,
        draw_ranks=draw_ranks,
        normalise=normalise,
        sensitivity=float(sensitivity),
        n_draws=n_draws,
        weights_rescaled=rescaled,
    )


def plot_scorecard(result: ScorecardResult, *, kind: str = "contributions", ax: Any = None) -> Any:
    """Plot a scorecard; return the matplotlib Axes.

    Parameters
    ----------
    result : ScorecardResult
    kind : {"contributions", "sensitivity"}
        ``"contributions"``: horizontal stacked bars of weight x criterion score
        (bars sum to the total score), best supplier on top.
        ``"sensitivity"``: each supplier's base rank (dot) and the range of its
        ranks over the +-``sensitivity`` weight scenarios (line); with
        ``n_draws > 0`` the share of draws keeping the base rank is printed.
    ax : matplotlib Axes, optional
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, ScorecardResult):
        raise ArgumentTypeError(f"result must be a ScorecardResult; got {type(result).__name__}.")
    check_choice(kind, "kind", ("contributions", "sensitivity"))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(result.scores) + 1.5))
    order = result.ranking.index[::-1]  # best at the top
    labels = [str(s) for s in order]
    if kind == "contributions":
        contrib = result.contributions.loc[order]
        left = np.zeros(len(order))
        colors = plt.get_cmap("tab10")
        for j, c in enumerate(contrib.columns):
            ax.barh(labels, contrib[c].to_numpy(), left=left, color=colors(j % 10), label=str(c))
            left += contrib[c].to_numpy()
        ax.set_xlabel("weighted score (0-100)")
        ax.set_xlim(0, 100)
        ax.legend(loc="lower right", fontsize="small", frameon=False)
        ax.set_title("Supplier scorecard: contribution of each criterion")
    else:
        rr = result.rank_range.loc[order]
        y = np.arange(len(order))
        ax.hlines(y, rr["rank_best"], rr["rank_worst"], color="grey", lw=3, alpha=0.6)
        ax.plot(rr["rank"], y, "o", color="black")
        ax.set_yticks(y, labels)
        ax.set_xlabel(f"rank (base = dot; line = range under weights +-{result.sensitivity:.0%})")
        ax.set_xlim(0.5, len(order) + 0.5)
        ax.invert_xaxis()
        if result.acceptability is not None:  # share of random draws keeping the base rank, right of the axes
            p = result.p_same_rank.loc[order]
            trans = ax.get_yaxis_transform()  # x in axes fraction, y in data units
            for yi, pi in zip(y, p, strict=True):
                ax.text(1.02, yi, f"{pi:.0%}", transform=trans, ha="left", va="center", fontsize="small")
            ax.text(1.02, len(order) - 0.4, "kept\nrank", transform=trans, ha="left", va="bottom",
                    fontsize="small")
        ax.set_title("Stability of the supplier ranking")
    return ax
