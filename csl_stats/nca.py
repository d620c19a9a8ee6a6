"""Necessary condition analysis (NCA) and the combined importance-performance map (cIPMA).

:func:`csl_stats.nca` finds the empty upper-left corner of an x-y scatter: a level of
the condition x below which a high outcome y does not occur ("necessary but
not sufficient"), with its effect size, bottleneck table and permutation
test. :func:`csl_stats.cipma` adds it to the PLS importance-performance map: which
driver is a must-have (a necessary condition: without it the target level is
out of reach), and which is a nice-to-have (it raises the target on average,
but its absence does not block it).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, result_dataclass
from ._validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_distinct_roles,
    check_flag,
    check_int,
    check_number,
    check_probability,
    check_rng,
    numeric_frame,
)
from .errors import ArgumentError, ArgumentTypeError, ModelSpecificationError

__all__ = ["NCAResult", "nca", "plot_nca", "CIPMAResult", "cipma", "plot_cipma"]

CEILINGS = ("ce_fdh", "cr_fdh")
PERM_CELLS = 2_000_000
"""Permuted outcome values processed at once by the permutation test (about 16 MB per array)."""
ABOVE_TOL = 1e-7
"""Vertical distance above the CR-FDH line from which an observation counts as above it (NCA's constant)."""


# ============================================================================= result
@result_dataclass
class NCAResult(Result):
    """Result of :func:`csl_stats.nca`.

    Attributes
    ----------
    table : DataFrame
        One row per condition and ceiling: ``condition``, ``ceiling``, ``n``,
        the observed ranges (``x_min``, ``x_max``, ``y_min``, ``y_max``), the
        scope used (``x_low``, ``x_high``, ``y_low``, ``y_high``: the observed
        ranges unless a theoretical ``scope`` was given) and its area
        ``scope``, ``ceiling_zone``, ``effect_size`` (d), ``size`` (Dul's
        qualification), ``accuracy`` (% of cases on or below the ceiling),
        ``slope`` and ``intercept`` (CR-FDH), ``n_peers`` and ``p_value``
        (permutation test; NaN without one).
    bottlenecks : DataFrame
        The bottleneck table in long form: ``condition``, ``ceiling``,
        ``y_percent`` (outcome level as % of its range), ``y_value``,
        ``x_value`` (the level of the condition needed; NaN when it is not
        necessary or not attainable), ``x_percent`` (% of the condition's
        range), ``status`` (``"required"``, ``"NN"`` not necessary, ``"NA"``
        not attainable within the data), ``share_below`` (share of cases whose
        condition is below the level needed: they cannot reach the outcome
        level without raising it).
    peers : DataFrame
        The CE-FDH peers (the corners of the step ceiling) per condition.
    perm_effects : ndarray or None
        Permutation distribution of d, shape (n_perm, rows of ``table``).
    """

    table: pd.DataFrame
    bottlenecks: pd.DataFrame
    peers: pd.DataFrame
    x: tuple
    y: Hashable
    n: int
    ceilings: tuple
    n_perm: int
    data: pd.DataFrame
    perm_effects: np.ndarray | None = None

    _title = "Necessary condition analysis"
    _frame = "table"

    @property
    def effect_size(self) -> pd.DataFrame:
        """Effect size d: conditions in rows, ceilings in columns."""
        return self.table.pivot(index="condition", columns="ceiling", values="effect_size").loc[list(self.x)]

    def bottleneck_table(self, ceiling: str | None = None, *, unit: str = "percent") -> pd.DataFrame:
        """The bottleneck table as the NCA R package prints it.

        Rows are the outcome levels (% of its range), columns the
        conditions; cells the level of the condition needed (``unit="percent"``
        of its range, or ``"actual"`` values), ``"NN"`` (not necessary) or
        ``"NA"`` (not attainable).
        """
        ceiling = self.ceilings[0] if ceiling is None else check_choice(ceiling, "ceiling", self.ceilings)
        check_choice(unit, "unit", ("percent", "actual"))
        b = self.bottlenecks[self.bottlenecks["ceiling"] == ceiling]
        col = "x_percent" if unit == "percent" else "x_value"
        cell = b[col].astype(object).where(b["status"] == "required", b["status"])
        wide = b.assign(cell=cell).pivot(index="y_percent", columns="condition", values="cell")
        wide.insert(0, "y_value", b.drop_duplicates("y_percent").set_index("y_percent")["y_value"])
        return wide[["y_value", *self.x]]


# ============================================================================= geometry
def _groups(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Order of x, the distinct x values and where each group starts in that order."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    return order, xs[starts], starts


def _ce_fdh(ys: np.ndarray, ux: np.ndarray, starts: np.ndarray, y_max: float) -> np.ndarray:
    """CE-FDH ceiling zone for rows of ``ys`` (y sorted by x): area above the step ceiling, vectorised."""
    gmax = np.maximum.reduceat(ys, starts, axis=-1)
    ceil = np.maximum.accumulate(gmax, axis=-1)
    widths = np.diff(ux)
    return ((y_max - ceil[..., :-1]) * widths).sum(axis=-1)


def _peer_mask(ys: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cases on the CE-FDH ceiling (no other case has x <= and y >=), duplicates included."""
    gmax = np.maximum.reduceat(ys, starts, axis=-1)
    prev = np.concatenate([np.full(gmax.shape[:-1] + (1,), -np.inf), np.maximum.accumulate(gmax, axis=-1)[..., :-1]],
                          axis=-1)
    peer_group = gmax > prev
    return (ys == np.repeat(gmax, sizes, axis=-1)) & np.repeat(peer_group, sizes, axis=-1)


def _cr_fdh(ys: np.ndarray, xs: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
            scope: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CR-FDH: OLS line through the CE-FDH peers and the area above it in the scope (vectorised).

    Returns slope, intercept and ceiling zone (NaN slope/intercept with a
    single distinct peer; NaN zone with a negative slope).
    """
    x0, x1, y0, y1 = scope
    mask = _peer_mask(ys, starts, sizes).astype(float)
    k = mask.sum(axis=-1)
    sx, sy = mask @ xs, (mask * ys).sum(axis=-1)
    sxx, sxy = mask @ (xs**2), (mask * ys * xs).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vxx = sxx - sx**2 / k
        slope = (sxy - sx * sy / k) / vxx
        slope = np.where(vxx > 1e-12 * np.maximum(sxx, 1.0), slope, np.nan)  # one distinct peer: no line
        intercept = (sy - slope * sx) / k
        zone = _area_above_line(slope, intercept, x0, x1, y0, y1)
    zone = np.where(np.isnan(slope), 0.0, zone)
    return slope, intercept, zone


def _area_above_line(b: np.ndarray, a: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """Area of the scope rectangle above y = a + b x (the line clipped to [y0, y1]); NaN for b < 0."""
    b = np.asarray(b, dtype=float)
    a = np.asarray(a, dtype=float)
    flat = b == 0
    bb = np.where(flat, 1.0, b)
    xa = np.clip((y0 - a) / bb, x0, x1)  # where the line leaves the floor
    xb = np.clip((y1 - a) / bb, x0, x1)  # where it reaches the top
    under = y0 * (xa - x0) + a * (xb - xa) + 0.5 * bb * (xb**2 - xa**2) + y1 * (x1 - xb)
    under = np.where(flat, (x1 - x0) * np.clip(a, y0, y1), under)
    return np.where(b < 0, np.nan, (x1 - x0) * y1 - under)


def _size_label(d: float) -> str:
    if not np.isfinite(d):
        return ""
    if d == 0:
        return "none"
    return "small" if d < 0.1 else "medium" if d < 0.3 else "large" if d < 0.5 else "very large"


# ============================================================================= nca
def nca(
    data: pd.DataFrame,
    x: Hashable | Sequence[Hashable],
    y: Hashable,
    *,
    ceiling: str | Sequence[str] = "ce_fdh",
    n_perm: int = 0,
    steps: int | Sequence[float] = 10,
    rng: int | np.random.Generator | None = None,
    nan_policy: str = "listwise",
    scope: Sequence[float | None] | Mapping[Hashable, Sequence[float | None]] | None = None,
) -> NCAResult:
    """Necessary condition analysis: is a level of ``x`` needed for a level of ``y``?

    Parameters
    ----------
    data : DataFrame
        One row per case (respondent, customer, supplier).
    x : column or list of columns
        The condition(s), each analysed against ``y`` on its own (bivariate NCA).
    y : column
        The outcome.
    ceiling : {"ce_fdh", "cr_fdh"} or list of them
        ``"ce_fdh"`` (ceiling envelopment, free disposal hull: a step
        function; for discrete answers such as 1-7 ratings) and/or
        ``"cr_fdh"`` (ceiling regression: the OLS line through the CE-FDH
        peers; for continuous data). The first one is the default of
        :meth:`csl_stats.NCAResult.bottleneck_table`.
    n_perm : int
        Permutations of the test of Dul, van der Laan & Kuik (2020) (0 = no
        test; else at least 100, 10,000 for a p-value to two decimals).
    steps : int or list of float
        Outcome levels of the bottleneck table: ``10`` gives 0, 10, ..., 100 %
        of the range of ``y``; a list gives the percentages themselves.
    rng : int, Generator or None
        Seed of the permutations.
    nan_policy : {"listwise", "raise"}
        Cases with a missing ``x`` or ``y`` are dropped (``n`` reports the
        cases used) or an error is raised.
    scope : 4-tuple, dict or None
        The theoretical scope ``(x_low, x_high, y_low, y_high)`` (the NCA R
        package's ``scope``), e.g. ``(1, 7, 1, 7)`` for 1-7 ratings: the
        possible values rather than the observed ones. One tuple for every
        condition, or a dict ``{condition: tuple}`` (conditions left out use
        the empirical scope); ``None`` inside a tuple keeps that observed
        bound. ``None`` (default): the empirical scope, the observed minima
        and maxima. All conditions must share the outcome's bounds, and the
        scope must contain every observation.

    Returns
    -------
    NCAResult
        ``table`` (effect sizes, accuracy, p-values), ``bottlenecks`` (long),
        :meth:`~csl_stats.NCAResult.bottleneck_table` (wide, as NCA prints it),
        ``peers``.

    Raises
    ------
    ColumnNotFoundError, NonNumericError, ConstantError, InsufficientDataError
        Bad columns (named), a constant condition or outcome, fewer than 3 cases.
    ModelSpecificationError
        ``y`` also listed in ``x``.
    ArgumentError
        A theoretical ``scope`` that excludes observed values (the condition,
        the bound and the observed range are named), has its low bound at or
        above its high bound, or gives the conditions different outcome bounds.

    Notes
    -----
    With the empirical scope :math:`S = (x_{max}-x_{min})(y_{max}-y_{min})`,
    the CE-FDH ceiling is :math:`c(x) = \\max\\{y_i : x_i \\le x\\}` and its
    ceiling zone is the empty area above it,
    :math:`C = \\int_{x_{min}}^{x_{max}} (y_{max} - c(x))\\,dx`. The peers are the
    cases that no other case dominates (:math:`x_j \\le x_i` and
    :math:`y_j \\ge y_i`), tied duplicates included; CR-FDH fits an OLS line
    through them and :math:`C` is the area of the scope above that line
    (cases above it lower its ``accuracy``). The effect size is
    :math:`d = C/S` (Dul 2016: 0-0.1 small, 0.1-0.3 medium, 0.3-0.5 large,
    at least 0.5 very large). The bottleneck table gives, for each outcome
    level :math:`y^*`, the lowest condition level whose ceiling reaches it:
    CE-FDH the x of the first peer with :math:`y \\ge y^*`, CR-FDH
    :math:`(y^* - a)/b`; ``NN`` when that is the minimum of x (no constraint),
    ``NA`` when it lies beyond the maximum.

    *Theoretical scope* (``scope=``; Dul 2016, NCA's ``scope`` option): the
    rectangle :math:`[x_{low}, x_{high}] \\times [y_{low}, y_{high}]` replaces
    the observed one in :math:`S`, in the ceiling zone and in the
    bottleneck table (outcome levels and condition percentages are shares
    of the theoretical ranges). The unobserved strips belong to the empty
    zone: CE-FDH adds the strip left of the smallest observed x (full
    height) and the strip above the largest observed y (full width),
    :math:`(x_{min}-x_{low})(y_{high}-y_{low}) + (x_{high}-x_{low})(y_{high}-y_{max})
    - (x_{min}-x_{low})(y_{high}-y_{max})`; CR-FDH takes the area above its
    line within the theoretical rectangle. The lowest observed x becomes a
    ``required`` level (lower values were possible but not observed), and
    outcome levels above the largest observed y are ``NA`` (not attainable
    within the data). The permutation test keeps the scope; with CE-FDH
    its p-value is that of the empirical scope (the strips and the area
    are the same in every permutation, so d keeps its order).

    *Permutation test* (Dul, van der Laan & Kuik 2020): y is permuted
    against x (the scope stays the same), d recomputed, and
    :math:`p = (1 + \\#\\{d_{perm} \\ge d\\})/(1 + R)`. A CR-FDH line with
    negative slope in a permutation counts as :math:`d = 0` (the NCA package
    drops it from the distribution instead). In ``benchmarks/sim_nca.py``
    (x and y independent, 1,000 data sets per design, R = 999; Monte Carlo
    SE 0.7 %) the test rejected at the 5 % level in 5.4 % / 4.6 % (CE-FDH /
    CR-FDH) of the data sets with continuous data and n = 100, 4.6 % / 5.0 %
    with n = 300; with 1-7 ratings, whose many ties make d take few values,
    it is conservative: 2.9 % / 4.7 % (n = 100) and 1.7 % / 2.6 % (n = 300).
    With a true ceiling (:math:`y = x\\,U^{1/2}` on [0, 1], n = 100) it
    rejected in 100 % of the data sets with both ceilings.

    *Checked* against the NCA R package 5.0.1 (``nca_analysis`` with
    ``ceilings = c("ce_fdh", "cr_fdh")``, its R code run from source,
    ``tests/reference/nca.R``): ceiling zones, effect sizes, slopes,
    intercepts, accuracies and bottleneck tables agree to 1e-9 on simulated
    continuous and 1-7 data (``tests/test_nca.py``), and on the package's
    own example data (28 countries: individualism and risk taking as
    conditions of innovation performance) both give d = 0.4155 and 0.3066
    (individualism, CE-FDH and CR-FDH) and 0.3094 and 0.2819 (risk taking);
    the permutation p-values agree within Monte Carlo error.

    References
    ----------
    Dul, J. (2016). Necessary condition analysis (NCA): Logic and methodology of "necessary but not
    sufficient" causality. *Organizational Research Methods*, 19(1), 10-52.

    Dul, J., van der Laan, E., & Kuik, R. (2020). A statistical significance test for necessary
    condition analysis. *Organizational Research Methods*, 23(2), 385-395.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> df = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 5, 6], "y": [1, 2, 1, 4, 3, 6, 2, 5]})
    >>> res = csl_stats.nca(df, "x", "y", ceiling=["ce_fdh", "cr_fdh"], n_perm=200, rng=1)
    >>> res.table[["ceiling", "ceiling_zone", "effect_size", "accuracy"]].round(3)
      ceiling  ceiling_zone  effect_size  accuracy
    0  ce_fdh        13.000        0.520     100.0
    1  cr_fdh         9.722        0.389      87.5
    >>> res.bottleneck_table(unit="actual").loc[[0, 10, 50, 100], "x"].tolist()  # x needed for 0, 10, 50, 100 % of y
    ['NN', 2.0, 3.0, 5.0]
    """
    data = check_dataframe(data, unique_columns=False)
    xs_ = check_columns(data, x, arg="x")
    (y_col,) = check_columns(data, [y], arg="y")
    check_distinct_roles(x=xs_, y=[y_col])
    ceilings = _check_ceilings(ceiling)
    n_perm = check_int(n_perm, "n_perm", minimum=0)
    if 0 < n_perm < 100:
        raise ArgumentError(f"n_perm must be 0 (no test) or >= 100 permutations; got {n_perm}.")
    levels = _check_steps(steps)
    rng = check_rng(rng)
    check_choice(nan_policy, "nan_policy", ("listwise", "raise"))
    frame = numeric_frame(data, [*xs_, y_col], arg="x and y", integer=False, nan_policy=nan_policy, min_rows=3)
    yv = frame[y_col].to_numpy()
    y0, y1 = float(yv.min()), float(yv.max())
    bounds = _check_scope(scope, frame, xs_, y_col)
    y0t, y1t = bounds[xs_[0]][2:]
    n = len(frame)
    perms = np.array([rng.permutation(n) for _ in range(n_perm)], dtype=np.int32).reshape(n_perm, n) if n_perm else None
    step = max(1, PERM_CELLS // n)  # permutations evaluated together (bounded memory)

    rows, bneck, peer_rows, perm_cols = [], [], [], []
    for c in xs_:
        xv = frame[c].to_numpy()
        x0, x1 = float(xv.min()), float(xv.max())
        x0t, x1t = bounds[c][:2]
        area = (x1t - x0t) * (y1t - y0t)
        # empty strips of a theoretical scope outside the observed rectangle (0 with the empirical scope)
        strips = (x0 - x0t) * (y1t - y0t) + (x1t - x0t) * (y1t - y1) - (x0 - x0t) * (y1t - y1)
        order, ux, starts = _groups(xv)
        sizes = np.diff(np.r_[starts, n])
        xs, ys = xv[order], yv[order]
        mask = _peer_mask(ys, starts, sizes)
        peer_rows.append(pd.DataFrame({"condition": [c] * int(mask.sum()), "x": xs[mask], "y": ys[mask]}))
        py = ys[mask]
        px = xs[mask]
        for ceil in ceilings:
            if ceil == "ce_fdh":
                zone = float(_ce_fdh(ys, ux, starts, y1)) + strips
                slope = intercept = np.nan
                accuracy = 100.0
                need = np.array([px[np.argmax(py >= lv - 1e-10)] if lv <= y1 + 1e-10 else np.inf
                                 for lv in y0t + levels / 100 * (y1t - y0t)])
            else:
                s_, i_, z_ = _cr_fdh(ys, xs, starts, sizes, (x0t, x1t, y0t, y1t))
                slope, intercept, zone = float(s_), float(i_), float(z_)
                if np.isnan(slope):  # one distinct peer: no line, only the unobserved strips are empty
                    zone = strips
                above = int(((yv - (intercept + slope * xv)) > ABOVE_TOL).sum()) if np.isfinite(slope) else 0
                accuracy = 100.0 * (n - above) / n
                with np.errstate(invalid="ignore", divide="ignore"):
                    need = (y0t + levels / 100 * (y1t - y0t) - intercept) / slope
                if not np.isfinite(slope) or slope <= 0:
                    need = np.full(len(levels), -np.inf)
            d = zone / area
            p = np.nan
            if perms is not None:
                parts = []
                for k in range(0, n_perm, step):
                    yp = yv[perms[k : k + step]][:, order]
                    if ceil == "ce_fdh":
                        parts.append(_ce_fdh(yp, ux, starts, y1) + strips)
                    else:
                        sp, _, zp = _cr_fdh(yp, xs, starts, sizes, (x0t, x1t, y0t, y1t))
                        parts.append(np.where(np.isnan(sp), strips, zp))
                dp = np.concatenate(parts) / area
                dp = np.where(np.isnan(dp), 0.0, dp)
                perm_cols.append(dp)
                p = (1 + int((dp >= d - 1e-12).sum())) / (1 + n_perm) if np.isfinite(d) else np.nan
            rows.append({"condition": c, "ceiling": ceil, "n": n, "x_min": x0, "x_max": x1, "y_min": y0, "y_max": y1,
                         "x_low": x0t, "x_high": x1t, "y_low": y0t, "y_high": y1t,
                         "scope": area, "ceiling_zone": zone, "effect_size": d, "size": _size_label(d),
                         "accuracy": accuracy, "slope": slope, "intercept": intercept,
                         "n_peers": int(mask.sum()), "p_value": p})
            status = np.where(need < x0t + 1e-10, "NN", np.where(need > x1t, "NA", "required"))
            x_value = np.where(status == "required", need, np.nan)
            share = np.array([(xv < v).mean() if s == "required" else 0.0 if s == "NN" else np.nan
                              for v, s in zip(x_value, status, strict=True)])
            bneck.append(pd.DataFrame({"condition": [c] * len(levels), "ceiling": ceil, "y_percent": levels,
                                       "y_value": y0t + levels / 100 * (y1t - y0t), "x_value": x_value,
                                       "x_percent": 100 * (x_value - x0t) / (x1t - x0t), "status": status,
                                       "share_below": share}))
    return NCAResult(
        table=pd.DataFrame(rows),
        bottlenecks=pd.concat(bneck, ignore_index=True),
        peers=pd.concat(peer_rows, ignore_index=True),
        x=tuple(xs_), y=y_col, n=n, ceilings=ceilings, n_perm=n_perm, data=frame,
        perm_effects=np.column_stack(perm_cols) if perm_cols else None,
    )


def _check_scope(scope: Any, frame: pd.DataFrame, xs: Sequence[Hashable], y: Hashable) -> dict:
    """Scope bounds ``{condition: (x_low, x_high, y_low, y_high)}``: the theoretical ones where given."""
    if scope is None:
        given: dict = {}
    elif isinstance(scope, Mapping):
        unknown = [k for k in scope if k not in xs]
        if unknown:
            raise ArgumentError(f"scope has keys {unknown} that are not conditions; expected some of {list(xs)}.")
        given = dict(scope)
    else:
        given = dict.fromkeys(xs, scope)
    out = {}
    for c in xs:
        obs = (float(frame[c].min()), float(frame[c].max()), float(frame[y].min()), float(frame[y].max()))
        spec = given.get(c)
        if spec is None:
            out[c] = obs
            continue
        if isinstance(spec, str) or not isinstance(spec, Sequence | np.ndarray) or len(spec) != 4:
            raise ArgumentTypeError(
                f"scope must be (x_low, x_high, y_low, y_high) or a dict of such tuples; got {spec!r} for {c!r}.")
        vals = [o if v is None or (isinstance(v, float) and np.isnan(v)) else
                float(check_number(v, "scope")) for v, o in zip(spec, obs, strict=True)]
        names = ("x_low", "x_high", "y_low", "y_high")
        for k, (lo, hi) in enumerate(((vals[0], vals[1]), (vals[2], vals[3]))):
            if not lo < hi:
                raise ArgumentError(f"scope for {c!r}: {names[2 * k]} = {lo:g} must be below {names[2 * k + 1]} = "
                                    f"{hi:g}.")
        for k, col in ((0, c), (2, y)):
            tol = 1e-9 * (vals[k + 1] - vals[k])  # rounding of computed scores (0-100 indices)
            if obs[k] < vals[k] <= obs[k] + tol:
                vals[k] = obs[k]
            if obs[k + 1] - tol <= vals[k + 1] < obs[k + 1]:
                vals[k + 1] = obs[k + 1]
            if vals[k] > obs[k] or vals[k + 1] < obs[k + 1]:
                raise ArgumentError(
                    f"scope for {c!r}: [{vals[k]:g}, {vals[k + 1]:g}] excludes observed values of column {col!r} "
                    f"(observed range [{obs[k]:g}, {obs[k + 1]:g}]); a theoretical scope must contain the data.")
        out[c] = tuple(vals)
    ys = {c: b[2:] for c, b in out.items()}
    if len(set(ys.values())) > 1:
        raise ArgumentError(f"scope: the outcome bounds (y_low, y_high) differ between conditions ({ys}); "
                            "give every condition the same bounds for the outcome.")
    return out


def _check_ceilings(ceiling: Any) -> tuple[str, ...]:
    items = [ceiling] if isinstance(ceiling, str) else ceiling
    if not isinstance(items, Sequence) or not len(items):
        raise ArgumentTypeError(f"ceiling must be 'ce_fdh', 'cr_fdh' or a list of them; got {ceiling!r}.")
    for c in items:
        check_choice(c, "ceiling", CEILINGS)
    return tuple(dict.fromkeys(items))


def _check_steps(steps: Any) -> np.ndarray:
    if isinstance(steps, bool | np.bool_):
        raise ArgumentTypeError(f"steps must be an integer or a list of percentages; got {steps!r}.")
    if isinstance(steps, int | np.integer):
        k = check_int(steps, "steps", minimum=1)
        return np.linspace(0.0, 100.0, k + 1)
    if isinstance(steps, str) or not isinstance(steps, Sequence | np.ndarray) or not len(steps):
        raise ArgumentTypeError(f"steps must be an integer or a non-empty list of percentages; got {steps!r}.")
    vals = np.array([check_number(v, "steps", minimum=0, maximum=100) for v in steps], dtype=float)
    return np.unique(vals)


def plot_nca(result: NCAResult, condition: Hashable | None = None, *, ax: Any = None) -> Any:
    """Scatter of one condition against the outcome with its ceiling line(s); returns the ``Axes``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd, csl_stats
    >>> res = csl_stats.nca(pd.DataFrame({"x": [1, 2, 3, 4, 5], "y": [1, 3, 2, 5, 4]}), "x", "y")
    >>> csl_stats.plot_nca(res).get_xlabel()
    'x'
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, NCAResult):
        raise ArgumentTypeError(f"result must be an NCAResult from csl_stats.nca; got {type(result).__name__}.")
    condition = result.x[0] if condition is None else condition
    if condition not in result.x:
        raise ArgumentError(f"condition must be one of {list(result.x)}; got {condition!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    xv, yv = result.data[condition].to_numpy(), result.data[result.y].to_numpy()
    ax.scatter(xv, yv, s=14, alpha=0.5, color="tab:blue", zorder=2, label="cases")
    rows = result.table[result.table["condition"] == condition].set_index("ceiling")
    x0, x1 = rows["x_low"].iloc[0], rows["x_high"].iloc[0]
    y0, y1 = rows["y_low"].iloc[0], rows["y_high"].iloc[0]
    ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, color="grey", linestyle=":", linewidth=1))
    if "ce_fdh" in rows.index:
        pk = result.peers[result.peers["condition"] == condition].drop_duplicates()
        sx = np.r_[pk["x"].to_numpy(), x1]
        sy = np.r_[pk["y"].to_numpy(), pk["y"].to_numpy()[-1]]
        ax.step(sx, sy, where="post", color="tab:red", linewidth=1.6,
                label=f"CE-FDH ceiling (d = {rows.at['ce_fdh', 'effect_size']:.2f})")
    if "cr_fdh" in rows.index and np.isfinite(rows.at["cr_fdh", "slope"]):
        gx = np.linspace(x0, x1, 200)
        gy = rows.at["cr_fdh", "intercept"] + rows.at["cr_fdh", "slope"] * gx
        keep = (gy >= y0) & (gy <= y1)
        ax.plot(gx[keep], gy[keep], color="tab:orange", linewidth=1.6, linestyle="--",
                label=f"CR-FDH ceiling (d = {rows.at['cr_fdh', 'effect_size']:.2f})")
    ax.set_xlabel(str(condition))
    ax.set_ylabel(str(result.y))
    ax.set_title(f"Necessary condition analysis: {condition} for {result.y}")
    ax.legend(loc="lower right", fontsize=8)
    return ax


# ============================================================================= cIPMA
@result_dataclass
class CIPMAResult(Result):
    """Result of :func:`csl_stats.cipma`.

    ``table`` has one row per driver (construct or questionnaire item):
    ``importance`` and ``performance`` (the IPMA of :func:`csl_stats.ipma`),
    ``effect_size`` (NCA d of the driver's 0-100 score for the target's
    0-100 index), ``p_value``, ``necessary`` (d >= ``d_min`` and p <
    ``alpha``), ``required`` (the driver score needed for
    ``target_level``; NaN when not necessary or not attainable),
    ``status`` and ``share_below`` (share of respondents below the required
    level: they cannot reach ``target_level`` without improving the driver).
    ``nca`` holds the full NCA (bottleneck tables for every level).
    """

    table: pd.DataFrame
    nca: NCAResult
    target: str
    level: str
    target_level: float
    ceiling: str
    d_min: float
    alpha: float

    _title = "Combined importance-performance map (cIPMA)"
    _frame = "table"

    @property
    def n(self) -> int:
        """Respondents in the NCA (those of the PLS model)."""
        return self.nca.n


def cipma(
    result: Any,
    target: str,
    *,
    drivers: Sequence[str] | None = None,
    level: str = "construct",
    target_level: float = 80.0,
    ceiling: str = "ce_fdh",
    n_perm: int = 10_000,
    d_min: float = 0.1,
    alpha: float = 0.05,
    rng: int | np.random.Generator | None = None,
    scope: str = "empirical",
) -> CIPMAResult:
    """Combined importance-performance map: IPMA plus necessary condition analysis (Hauff et al. 2024).

    Parameters
    ----------
    result : PLSResult
        A model fitted by :func:`csl_stats.pls_pm` (with the answer ``scale``
        declared, so that the 0-100 scores mean what they say).
    target : str
        The outcome construct (e.g. loyalty).
    drivers : list of str, optional
        Constructs to map (default: every construct with a total effect on ``target``).
    level : {"construct", "indicator"}
        Map the driver constructs, or their questionnaire items (each item's
        0-100 score as the condition).
    target_level : float
        The target index (0-100) management wants to reach; the table reports
        the driver level needed for it.
    ceiling : {"ce_fdh", "cr_fdh"}
        The NCA ceiling (CE-FDH for rating data).
    n_perm : int
        Permutations of the NCA test (>= 100).
    d_min, alpha : float
        A driver is flagged ``necessary`` when d >= ``d_min`` and p < ``alpha``
        (Hauff et al. 2024; Dul 2016's "medium" effect).
    rng : int, Generator or None
        Seed of the permutations.
    scope : {"empirical", "theoretical"}
        NCA scope: the observed ranges of the 0-100 scores, or their
        theoretical range 0-100 for drivers and target (``scope=(0, 100, 0,
        100)`` of :func:`csl_stats.nca`; ``target_level`` is then a share of
        0-100 rather than of the observed range).

    Returns
    -------
    CIPMAResult

    Notes
    -----
    The IPMA (:func:`csl_stats.ipma`) answers "which driver raises the
    target most on average"; NCA answers "which driver level must be there
    for a high target at all". NCA runs on the respondents' 0-100 scores
    (``result.index_scores``; items rescaled with ``result.scale``) with the
    empirical scope. A necessary driver with low performance is a must-have
    to fix first: the respondents below its required level cannot reach
    ``target_level`` whatever else improves. A driver with high importance
    but no necessity is a nice-to-have: it raises the target on average but
    its absence blocks nothing. Like the IPMA, NCA on survey data describes
    the pattern of answers; that the empty corner is causal is an
    assumption of the research design, not a result.

    References
    ----------
    Hauff, S., Richter, N. F., Sarstedt, M., & Ringle, C. M. (2024). Importance and performance in PLS-SEM
    and NCA: Introducing the combined importance-performance map analysis (cIPMA). *Journal of Retailing
    and Consumer Services*, 78, 103723.

    Richter, N. F., Schubring, S., Hauff, S., Ringle, C. M., & Sarstedt, M. (2020). When predictors of
    outcomes are necessary: Guidelines for the combined use of PLS-SEM and NCA. *Industrial Management &
    Data Systems*, 120(12), 2243-2267.

    Examples
    --------
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> mm = {"SAT": ["sat1", "sat2", "sat3"], "TRS": ["trs1", "trs2", "trs3"], "LOY": ["loy1", "loy2", "loy3"]}
    >>> res = csl_stats.pls_pm(survey, mm, [("SAT", "TRS"), ("SAT", "LOY"), ("TRS", "LOY")], scale=(1, 7))
    >>> c = csl_stats.cipma(res, "LOY", n_perm=200, rng=1)
    >>> c.table.columns.tolist()[:4]
    ['importance', 'performance', 'effect_size', 'p_value']
    """
    from .pls import PLSResult, ipma

    if not isinstance(result, PLSResult):
        raise ArgumentTypeError(f"result must be a PLSResult from csl_stats.pls_pm; got {type(result).__name__}.")
    check_choice(level, "level", ("construct", "indicator"))
    check_choice(ceiling, "ceiling", CEILINGS)
    check_choice(scope, "scope", ("empirical", "theoretical"))
    target_level = check_number(target_level, "target_level", minimum=0, maximum=100)
    d_min = check_number(d_min, "d_min", minimum=0, maximum=1)
    alpha = check_probability(alpha, "alpha")
    if check_int(n_perm, "n_perm", minimum=0) < 100:
        raise ArgumentError(f"n_perm must be >= 100 permutations (the necessity flag needs a p-value); got {n_perm}.")
    ip = ipma(result, target, drivers=drivers, level=level)
    y = result.index_scores[target]
    if level == "construct":
        cond = result.index_scores[list(ip.index)]
    else:
        if result.data is None:
            raise ArgumentTypeError("result does not carry its data; refit it with csl_stats.pls_pm.")
        low, high = result.scale
        cond = (result.data[list(ip.index)] - low) / (high - low) * 100.0
    names = [str(c) for c in ip.index]
    if str(target) in names:
        raise ModelSpecificationError(f"target {target!r} cannot also be a driver.")
    frame = pd.DataFrame(cond.to_numpy(), columns=names, index=cond.index).assign(**{f"{target} (target)": y})
    yname = f"{target} (target)"
    y0, y1 = float(frame[yname].min()), float(frame[yname].max())
    if not y0 < y1:
        raise ModelSpecificationError(f"the target index {target!r} is constant; NCA needs variation in the outcome.")
    theo = (0.0, 100.0, 0.0, 100.0) if scope == "theoretical" else None
    if theo is not None:
        y0, y1 = 0.0, 100.0
    pct = 100 * (target_level - y0) / (y1 - y0)
    steps = sorted({*np.linspace(0, 100, 11).tolist(), float(np.clip(pct, 0, 100))})
    res = nca(frame, names, yname, ceiling=ceiling, n_perm=n_perm, steps=steps, rng=rng, scope=theo)
    t = res.table.set_index("condition")
    if pct > 100:
        req = pd.DataFrame({"required": np.nan, "status": "NA", "share_below": np.nan}, index=names)
    else:
        b = res.bottlenecks[res.bottlenecks["y_percent"] == float(np.clip(pct, 0, 100))].set_index("condition")
        req = b.rename(columns={"x_value": "required"})[["required", "status", "share_below"]]
    table = pd.DataFrame({
        "importance": ip["importance"].to_numpy(),
        "performance": ip["performance"].to_numpy(),
        "effect_size": t.loc[names, "effect_size"].to_numpy(),
        "p_value": t.loc[names, "p_value"].to_numpy(),
    }, index=pd.Index(list(ip.index), name=ip.index.name))
    table["necessary"] = (table["effect_size"] >= d_min) & (table["p_value"] < alpha)
    for col in ("required", "status", "share_below"):
        table[col] = req.loc[names, col].to_numpy()
    if level == "indicator":
        table.insert(0, "construct", ip["construct"].to_numpy())
    return CIPMAResult(table=table, nca=res, target=target, level=level, target_level=float(target_level),
                       ceiling=ceiling, d_min=float(d_min), alpha=float(alpha))


def plot_cipma(result: CIPMAResult, *, ax: Any = None, annotate: bool = True) -> Any:
    """The cIPMA chart: importance-performance map with bubbles sized by the NCA effect size.

    Necessary drivers are filled red, the others open grey circles; each
    label gives d and, for necessary drivers, the share of respondents below
    the level required for the target level. Returns the ``Axes``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import csl_stats
    >>> survey = csl_stats.load_supply_chain_survey()
    >>> mm = {"SAT": ["sat1", "sat2", "sat3"], "LOY": ["loy1", "loy2", "loy3"]}
    >>> res = csl_stats.pls_pm(survey, mm, [("SAT", "LOY")], scale=(1, 7))
    >>> ax = csl_stats.plot_cipma(csl_stats.cipma(res, "LOY", n_perm=100, rng=1))
    >>> ax.get_xlabel()
    'Importance (total effect on LOY, 0-100 scale)'
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, CIPMAResult):
        raise ArgumentTypeError(f"result must be a CIPMAResult from csl_stats.cipma; got {type(result).__name__}.")
    annotate = check_flag(annotate, "annotate")
    t = result.table
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.8))
    size = 60 + 1400 * t["effect_size"].fillna(0).to_numpy()
    nec = t["necessary"].to_numpy(dtype=bool)
    ax.scatter(t["importance"][~nec], t["performance"][~nec], s=size[~nec], facecolors="none", edgecolors="grey",
               linewidths=1.4, label="not necessary", zorder=3)
    ax.scatter(t["importance"][nec], t["performance"][nec], s=size[nec], color="tab:red", alpha=0.6,
               edgecolors="tab:red", label="necessary condition", zorder=3)
    if annotate:
        for name, row in t.iterrows():
            text = f"{name}\nd = {row['effect_size']:.3f}"
            if row["necessary"] and np.isfinite(row["share_below"]):
                text += f", {100 * row['share_below']:.0f}% below"
            ax.annotate(text, (row["importance"], row["performance"]), textcoords="offset points", xytext=(9, 4),
                        fontsize=8)
    ax.axvline(t["importance"].mean(), color="grey", linestyle="--", linewidth=1)
    ax.axhline(t["performance"].mean(), color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel(f"Importance (total effect on {result.target}, 0-100 scale)")
    ax.set_ylabel("Performance (0-100)")
    ax.set_title(f"cIPMA: {result.target} (target level {result.target_level:g})")
    ax.margins(x=0.3, y=0.25)
    ax.legend(loc="lower left", fontsize=8, markerscale=0.5)
    return ax
