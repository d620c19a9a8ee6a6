"""Importance-performance and asymmetric-effect (Kano-type) analysis.

- :func:`importance_performance`: importance-performance analysis (Martilla &
  James 1977) with derived importance, and :func:`plot_importance_performance`;
- :func:`penalty_reward`: penalty-reward contrast analysis (Brandt 1987) and
  the impact-range / impact-asymmetry indices of Mikulic & Prebezac (2008),
  which sort attributes into basic, performance and excitement factors.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    _check_scale_arg,
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_full_rank,
    check_label,
    check_number,
    check_scale,
    label_index,
    numeric_frame,
    warn_reverse_keyed,
)
from .drivers import relative_importance
from .errors import ArgumentError, InsufficientDataError, ScaleError

__all__ = [
    "PenaltyRewardResult",
    "importance_performance",
    "penalty_reward",
    "plot_importance_performance",
]

_QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}


# ---------------------------------------------------------------------------
# importance-performance analysis
# ---------------------------------------------------------------------------


def _attribute_scales(
    frame: pd.DataFrame, scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None
) -> dict[str, tuple[float, float]]:
    cols = list(frame.columns)
    if scale is None:
        lows, highs = frame.min(), frame.max()
        if lows.nunique() > 1 or highs.nunique() > 1:
            ranges = ", ".join(f"{c!r}: {lows[c]:g}-{highs[c]:g}" for c in cols)
            raise ScaleError(
                "attributes appear to be on different scales (observed ranges "
                f"{ranges}); declare scale=(low, high) or a dict of scales per attribute so that "
                "performance is comparable."
            )
        return dict.fromkeys(cols, (float(lows.iloc[0]), float(highs.iloc[0])))
    if isinstance(scale, Mapping):
        missing = [c for c in cols if c not in scale]
        if missing:
            raise ArgumentError(f"scale has no entry for attribute(s) {missing}.")
        out = {c: _check_scale_arg(scale[c]) for c in cols}
    else:
        out = dict.fromkeys(cols, _check_scale_arg(scale))
    for c, sc in out.items():
        check_scale(frame[[c]], sc, integer=False)  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _check_cut(cut: Any) -> tuple[float, float]:
    msg = f"cut must be two finite numbers (importance, performance) where the grid lines are drawn; got {cut!r}."
    if isinstance(cut, str | bytes):
        raise ArgumentError(msg)
    try:
        vals = [float(v) for v in cut]
    except (TypeError, ValueError):
        raise ArgumentError(msg) from None
    if len(vals) != 2 or not np.all(np.isfinite(vals)) or any(isinstance(v, bool | np.bool_) for v in cut):
        raise ArgumentError(msg)
    return vals[0], vals[1]


def importance_performance(
    data: pd.DataFrame,
    y: str,
    attributes: Sequence[str],
    *,
    scale: tuple[float, float] | Mapping[str, tuple[float, float]] | None = None,
    importance: str = "derived",
    cut: tuple[float, float] | None = None,
    nan_policy: str = "listwise",
) -> pd.DataFrame:
    """Importance-performance analysis: where to act.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str
        Outcome used to derive importance (e.g. overall satisfaction).
    attributes : list of str
        Attribute ratings (e.g. delivery, quality, service, value).
    scale : (low, high) or dict, optional
        Answer scale of the attributes, or one per attribute. Without it the
        attributes must share the same observed range, else a ScaleError is
        raised (performance on different scales is not comparable).
    importance : {"derived", "relative_weights", "correlation"}
        ``"derived"``: the LMG share of R2 of each attribute in the regression
        of ``y`` on all attributes (robust to correlated attributes);
        ``"relative_weights"``: Johnson's relative weights, as shares;
        ``"correlation"``: the simple correlation with ``y`` (the classic, but
        inflated by shared variance).
    cut : (importance, performance), optional
        Where the grid lines are drawn. Default: the means of the importance
        and performance columns (the "data-centred" grid).
    nan_policy : {"listwise", "raise"}
        Missing-data handling.

    Returns
    -------
    pandas.DataFrame
        One row per attribute: ``importance``, ``performance`` (mean rating
        rescaled to 0-100 on its scale), ``quadrant`` (one of "concentrate
        here", "keep up the good work", "low priority", "possible overkill").
        ``attrs["cut"]`` holds the grid and ``attrs["n_obs"]`` the rows used.

    Warns
    -----
    ReverseKeyWarning
        An attribute (or ``y``) correlates negatively with the sum of the
        others: probably a reverse-keyed item not recoded.

    Notes
    -----
    Performance of attribute j is :math:`100 (\\bar x_j - L_j)/(H_j - L_j)`
    on its scale :math:`[L_j, H_j]`. Martilla and James (1977) place each
    attribute on the importance x performance plane; an attribute above the
    importance line and left of the performance line is where improvement pays
    most ("concentrate here"). Stated importance ratings tend to be uniformly
    high, which is why derived importance is the default (Oliver 1997).

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
    *Journal of Marketing*, 41(1), 77-79.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> ipa = csl_stats.importance_performance(survey, "sat1", ["dlv1", "qlt1", "srv1", "val1"], scale=(1, 7))
    >>> list(ipa.columns)
    ['importance', 'performance', 'quadrant']
    """
    importance = check_choice(importance, "importance", ("derived", "relative_weights", "correlation"))
    data = check_dataframe(data, unique_columns=False)
    y = check_label(y, "y")
    attrs = check_columns(data, attributes, arg="attributes", min_count=2)
    check_distinct_roles(y=y, attributes=attrs)
    if cut is not None:
        cut = _check_cut(cut)
    frame = numeric_frame(data, [y, *attrs], arg="y and attributes", nan_policy=nan_policy, min_rows=len(attrs) + 2)
    warn_reverse_keyed(frame, {"y and attributes": [y, *attrs]})
    scales = _attribute_scales(frame[attrs], scale)
    if importance == "correlation":
        imp = frame[attrs].corrwith(frame[y]).to_numpy()
    else:
        method = "lmg" if importance == "derived" else "relative_weights"
        ri = relative_importance(frame, y, attrs, method=method)
        imp = ri.table["share"].to_numpy()
    perf = np.array([100 * (frame[c].mean() - scales[c][0]) / (scales[c][1] - scales[c][0]) for c in attrs])
    out = pd.DataFrame({"importance": imp, "performance": perf}, index=label_index(attrs, name="attribute"))
    if cut is None:
        cut = (float(out["importance"].mean()), float(out["performance"].mean()))
    out["quadrant"] = [
        _QUADRANTS[(bool(i >= cut[0]), bool(p >= cut[1]))] for i, p in zip(out["importance"], out["performance"], strict=True)
    ]
    out.attrs["cut"] = (float(cut[0]), float(cut[1]))
    out.attrs["n_obs"] = len(frame)
    return out


def plot_importance_performance(table: pd.DataFrame, *, ax: Any = None, labels: Mapping[str, str] | None = None) -> Any:
    """Quadrant plot of an :func:`importance_performance` table.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`importance_performance`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    labels : dict, optional
        Display names for the attributes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    for col in ("importance", "performance"):
        if col not in table.columns:
            raise ArgumentError(f"table must come from importance_performance(); column {col!r} is missing.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    cut = table.attrs.get("cut", (table["importance"].mean(), table["performance"].mean()))
    ax.scatter(table["performance"], table["importance"], s=60, color="C0", zorder=3)
    for name, row in table.iterrows():
        text = (labels or {}).get(str(name), str(name))
        ax.annotate(text, (row["performance"], row["importance"]), xytext=(5, 5), textcoords="offset points")
    ax.axvline(cut[1], color="grey", lw=1, ls="--")
    ax.axhline(cut[0], color="grey", lw=1, ls="--")
    ax.set_xlabel("performance (0-100)")
    ax.set_ylabel("importance")
    ax.margins(x=0.25, y=0.2)  # room for the point labels and the quadrant captions in the corners
    corners = {  # in axes fractions, inset from the frame
        "concentrate here": (0.02, 0.98, "left", "top"),
        "keep up the good work": (0.98, 0.98, "right", "top"),
        "low priority": (0.02, 0.02, "left", "bottom"),
        "possible overkill": (0.98, 0.02, "right", "bottom"),
    }
    for label, (px, py, ha, va) in corners.items():
        ax.text(px, py, label, ha=ha, va=va, fontsize=8, color="grey", style="italic", transform=ax.transAxes)
    return ax


# ---------------------------------------------------------------------------
# penalty-reward contrast analysis
# ---------------------------------------------------------------------------


@result_dataclass
class PenaltyRewardResult(Result):
    """Penalty-reward contrast analysis (see :func:`penalty_reward`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per attribute: ``penalty`` (effect on the outcome of a low
        rating, vs. a middle rating; usually negative), ``penalty_se``,
        ``penalty_p``, ``reward`` (effect of a high rating), ``reward_se``,
        ``reward_p``, ``n_low``, ``n_high``, ``impact_range`` (RIOS =
        max(-penalty, 0) + max(reward, 0)), ``impact_asymmetry`` (IA, between
        -1 and 1) and ``factor`` ("basic", "performance" or "excitement").
    r2 : float
        R2 of the dummy regression.
    n_obs : int
        Complete rows used.
    low, high : float
        Ratings at or below ``low`` count as low, at or above ``high`` as high.
    band : float
        Half-width of the band of impact asymmetry classified as "performance".
    """

    _title = "Penalty-reward contrast analysis"
    table: pd.DataFrame
    r2: float
    n_obs: int
    low: float
    high: float
    band: float

    _frame = "table"


def penalty_reward(
    data: pd.DataFrame,
    y: str,
    attributes: Sequence[str],
    *,
    low: float,
    high: float,
    band: float = 0.2,
    nan_policy: str = "listwise",
) -> PenaltyRewardResult:
    """Penalty-reward contrast analysis and impact asymmetry (Kano-type factors).

    Each attribute rating is split into low (``<= low``), middle and high
    (``>= high``) performance; the outcome is regressed on a low and a high
    dummy for every attribute (middle is the reference). The low coefficient is
    the *penalty* of poor performance, the high coefficient the *reward* of
    excellent performance.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str
        Outcome (overall satisfaction).
    attributes : list of str
        Attribute ratings.
    low, high : float
        Cut points on the rating scale, e.g. ``low=3, high=6`` on a 1-7 scale.
    band : float, default 0.2
        Attributes with impact asymmetry within ``[-band, band]`` are
        performance factors. The default is a convention of this package,
        not a cut-off prescribed by Mikulic & Prebezac (2008); see Notes.
    nan_policy : {"listwise", "raise"}
        Missing-data handling.

    Returns
    -------
    PenaltyRewardResult

    Raises
    ------
    ArgumentError
        If ``low >= high`` or ``band`` is outside (0, 1).
    InsufficientDataError
        If an attribute has no low or no high ratings (its dummy would be empty).
    CollinearityError
        If the dummies are collinear.

    Warns
    -----
    ReverseKeyWarning
        An attribute (or ``y``) correlates negatively with the sum of the
        others: probably a reverse-keyed item not recoded.

    Notes
    -----
    With penalty :math:`\\pi_j` and reward :math:`\\rho_j` (Brandt 1987), the
    range of impact on overall satisfaction is
    :math:`\\mathrm{RIOS}_j = |\\pi_j| + \\rho_j` and the impact asymmetry
    :math:`\\mathrm{IA}_j = (\\rho_j - |\\pi_j|) / \\mathrm{RIOS}_j`
    (Mikulic & Prebezac 2008), i.e. the satisfaction-generating potential
    :math:`\\rho_j/\\mathrm{RIOS}_j` minus the dissatisfaction-generating
    potential :math:`|\\pi_j|/\\mathrm{RIOS}_j`; it ranges from -1 (a pure
    dissatisfier) through 0 (a perfect hybrid) to +1 (a pure satisfier). A
    strongly negative IA marks a *basic* factor (its absence dissatisfies,
    its presence is taken for granted); a strongly positive IA an
    *excitement* factor (it delights but is not missed); IA near zero a
    *performance* factor (linear). Mikulic & Prebezac read IA on this
    continuum (their impact-asymmetry chart uses finer zones than three);
    the three-way split at ``+-band`` (default 0.2) is this package's
    simplification, not a published standard, so report the band you used
    and treat attributes near the border as borderline. Negative rewards or
    positive penalties are truncated at zero in RIOS and IA, and flagged by
    their sign in the table. The coefficients and their (non-robust OLS)
    standard errors equal R's ``lm(y ~ low_1 + high_1 + ...)`` (tested to
    1e-10 in ``tests/reference/drivers.R``).

    References
    ----------
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service
    components using customer satisfaction survey data. In C. Surprenant
    (Ed.), *Add value to your service* (pp. 61-65). American Marketing Association.

    Mikulic, J., & Prebezac, D. (2008). Prioritizing improvement of service
    attributes using impact range-performance analysis and impact-asymmetry
    analysis. *Managing Service Quality*, 18(6), 559-576.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> pr = csl_stats.penalty_reward(survey, "sat1", ["dlv1", "qlt1", "srv1", "val1"], low=3, high=6)
    >>> sorted(set(pr.table["factor"]) - {"basic", "performance", "excitement"})
    []
    """
    from scipy import stats

    if any(isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real) for v in (low, high)):
        raise ArgumentError(f"low and high must be numbers on the rating scale; got low={low!r}, high={high!r}.")
    if not low < high:
        raise ArgumentError(f"low must be below high; got low={low}, high={high}.")
    if isinstance(band, bool | np.bool_) or not isinstance(band, numbers.Real):
        check_number(band, "band")  # ArgumentTypeError naming the type (band="x")
    if not 0 < band < 1:  # NaN fails too
        raise ArgumentError(f"band must lie strictly between 0 and 1; got {band}.")
    data = check_dataframe(data, unique_columns=False)
    y = check_label(y, "y")
    attrs = check_columns(data, attributes, arg="attributes", min_count=1)
    check_distinct_roles(y=y, attributes=attrs)
    frame = numeric_frame(data, [y, *attrs], arg="y and attributes", nan_policy=nan_policy, min_rows=2 * len(attrs) + 2)
    warn_reverse_keyed(frame, {"y and attributes": [y, *attrs]})
    names, cols = ["Intercept"], [np.ones(len(frame))]
    counts = {}
    for a in attrs:
        lo = (frame[a] <= low).to_numpy(float)
        hi = (frame[a] >= high).to_numpy(float)
        if lo.sum() == 0 or hi.sum() == 0:
            which = f"low (<= {low:g})" if lo.sum() == 0 else f"high (>= {high:g})"
            raise InsufficientDataError(
                f"attribute {a!r} has no {which} ratings among {len(frame)} respondents; "
                "choose cut points inside the observed range."
            )
        counts[a] = (int(lo.sum()), int(hi.sum()))
        names += [f"{a}_low", f"{a}_high"]
        cols += [lo, hi]
    X = np.column_stack(cols)
    check_full_rank(X, names)
    yv = frame[y].to_numpy()
    beta, *_ = np.linalg.lstsq(X, yv, rcond=None)
    resid = yv - X @ beta
    dof = len(yv) - X.shape[1]
    sigma2 = resid @ resid / dof
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ X)) * sigma2)
    p = 2 * stats.t.sf(np.abs(beta / se), dof)
    r2 = 1 - resid @ resid / ((yv - yv.mean()) @ (yv - yv.mean()))
    rows = []
    for i, a in enumerate(attrs):
        jl, jh = 1 + 2 * i, 2 + 2 * i
        pen, rew = beta[jl], beta[jh]
        rng_ = max(-pen, 0.0) + max(rew, 0.0)
        ia = (max(rew, 0.0) - max(-pen, 0.0)) / rng_ if rng_ > 0 else 0.0
        factor = "basic" if ia < -band else "excitement" if ia > band else "performance"
        rows.append(
            {
                "penalty": pen, "penalty_se": se[jl], "penalty_p": p[jl],
                "reward": rew, "reward_se": se[jh], "reward_p": p[jh],
                "n_low": counts[a][0], "n_high": counts[a][1],
                "impact_range": rng_, "impact_asymmetry": ia, "factor": factor,
            }
        )
    table = pd.DataFrame(rows, index=label_index(attrs, name="attribute"))
    return PenaltyRewardResult(table=table, r2=float(r2), n_obs=len(frame), low=float(low), high=float(high), band=band)
