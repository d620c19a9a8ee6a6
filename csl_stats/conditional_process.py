"""Conditional process analysis: Hayes' PROCESS models from one general engine.

:func:`process` fits any PROCESS v4 model template of
:mod:`csl_stats._process_templates` (moderation, parallel, serial and hybrid
mediation, moderated mediation with one or two moderators, additive or three-way,
moderated serial mediation), with a multicategorical X or W, and probes every conditional effect. Estimation and
the vectorised bootstrap are those of :mod:`csl_stats._process_engine` and
:mod:`csl_stats._bootstrap`, shared with :func:`csl_stats.mediation` and
:func:`csl_stats.moderated_mediation`.
"""

from __future__ import annotations

import dataclasses
import itertools
import numbers
import warnings
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from . import _validation as v
from ._bootstrap import Engine, Equation, FullFit
from ._process_engine import (
    MCX_SCHEMES,
    Poly,
    ProcessModel,
    bases_of,
    build_model,
    degree,
    derivative,
    evaluate,
    linear_weights,
    make_coding,
)
from ._process_templates import TEMPLATES, Template, get_template
from ._results import Result, result_dataclass
from .errors import ArgumentError, ArgumentTypeError, DataError, ExtrapolationWarning, InsufficientDataError
from .mediation import CI_METHODS, FAMILIES, _labels, _single, run_intervals

__all__ = ["process", "ProcessResult", "PROCESS_MODELS"]

SE_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HC4")
PROBES = ("percentile", "sd")
#: Points of the floodlight grid along a continuous moderator.
GRID = 60
#: Smallest category of a multicategorical X or W in a bootstrapped model (a resample misses a category of
#: k rows with probability about exp(-k): 4.5e-5 for k = 10).
MIN_GROUP_ROWS = 10
#: Available PROCESS v4 model numbers.
PROCESS_MODELS: tuple[int, ...] = tuple(sorted(TEMPLATES))

EFFECT_COLUMNS = ["effect", "path", "x", "w", "z", "x_value", "moderator", "estimate", "se", "t", "p",
                  "ci_low", "ci_high", "inference"]


# ----------------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------------
@result_dataclass
class ProcessResult(Result):
    """Result of :func:`process`.

    Attributes
    ----------
    effects : DataFrame
        The tidy table of every reported effect, indexed by a readable label, with
        columns ``effect`` (``"effect"``: the conditional effect of X in models 1-3;
        ``"direct"``, ``"total"``, ``"indirect"``, ``"total indirect"``; ``"conditional
        interaction"`` (three-way models: the X x W interaction at each value of Z); ``"index"``,
        ``"partial index"``, ``"conditional index"`` and ``"mm index"`` for the indices of
        (partial, conditional) moderated mediation and of moderated moderated mediation),
        ``path`` (the mediator or chain ``M1->M2``; ``TOTAL``), ``x`` (the code of a
        multicategorical X), ``w`` and ``z`` (the moderator values the effect is conditioned
        on; a category for a multicategorical W), ``x_value`` (the value of X that moderates
        its own M -> Y path, model 74 only), ``moderator`` (what an index refers to),
        ``estimate``, ``se``, ``t``, ``p``, ``ci_low``, ``ci_high`` and ``inference``
        (``"t"``/``"z"``: normal-theory test from the regression; ``"bootstrap"`` or
        ``"montecarlo"``: resampling SE and interval, no p-value). Columns that do not apply
        to the model are left out.
    coefs : DataFrame
        Every coefficient of every equation: ``outcome``, ``term``, ``estimate``, ``se``
        (of the ``se`` type), ``t`` (a z for a logit), ``p``, ``ci_low``, ``ci_high``.
    fit : DataFrame
        One row per equation: ``n``, ``r2`` (McFadden's for a logit), ``df_resid``.
    johnson_neyman : DataFrame or None
        Johnson-Neyman regions of the conditional direct effect (or of X's effect in
        models 1-3) along a continuous moderator: ``x``, ``along``, ``at`` (value of the
        other moderator), ``low``, ``high``, ``significant``, ``direction`` (``"positive"``,
        ``"negative"``, or ``"changes sign"`` for a non-significant region across which the
        effect crosses zero).
    floodlight : DataFrame or None
        Conditional indirect effects on a grid of a continuous moderator with pointwise
        bootstrap intervals: ``path``, ``x``, ``along``, ``at``, ``value``, ``estimate``,
        ``ci_low``, ``ci_high``, ``significant`` (interval excludes 0).
    x_coding, w_coding : DataFrame or None
        Categories x codes of a multicategorical X or W.
    probe : str
        ``"percentile"`` or ``"sd"`` (the probe rule), or ``"values"`` when ``w_values`` or
        ``z_values`` were passed; ``probe_rule`` is then the rule used for a moderator without
        values, and ``w_values``/``z_values`` the values passed (None where not given).
    boot_draws : ndarray
        Resampling draws of the bootstrapped rows of ``effects`` (in their order).
    omnibus : DataFrame or None
        Joint tests of sets of coefficients, as PROCESS prints them: the highest-order interaction(s)
        of every moderated path (``X x W``; each moderator of an additive pair and ``both`` jointly;
        only ``X x W x Z`` in a three-way model; all codes of a multicategorical X or W together) and,
        for a multicategorical X whose direct path is not moderated, the omnibus tests of the direct
        and total effects. Columns ``outcome``, ``test``, ``terms``, ``r2_change`` (drop in R² when the
        terms are removed; OLS only), ``F`` (Wald, with the ``se`` covariance), ``df1``, ``df2``, ``p``
        (for a logistic outcome a Wald chi-square: ``F`` holds chi-square / df1, ``df2`` is NaN).
    """

    effects: pd.DataFrame
    coefs: pd.DataFrame = dataclasses.field(repr=False)
    fit: pd.DataFrame = dataclasses.field(repr=False)
    johnson_neyman: pd.DataFrame | None = dataclasses.field(repr=False)
    floodlight: pd.DataFrame | None = dataclasses.field(repr=False)
    x_coding: pd.DataFrame | None = dataclasses.field(repr=False)
    w_coding: pd.DataFrame | None = dataclasses.field(repr=False)
    boot_draws: np.ndarray = dataclasses.field(repr=False)
    boot_labels: tuple[str, ...] = dataclasses.field(repr=False)
    model: int
    x: str
    y: str
    mediators: tuple[str, ...] = dataclasses.field(repr=False)
    w: str | None
    z: str | None
    mcx: str | None
    mcw: str | None
    y_family: str
    se_type: str
    probe: str
    n: int
    n_dropped: int
    n_boot: int
    ci: float
    ci_method: str
    n_failed: int
    description: str = dataclasses.field(repr=False, default="")
    omnibus: pd.DataFrame | None = dataclasses.field(repr=False, default=None)
    probe_rule: str = dataclasses.field(repr=False, default="percentile")
    nan_policy: str = dataclasses.field(repr=False, default="listwise")
    w_values: tuple[float, ...] | None = dataclasses.field(repr=False, default=None)
    z_values: tuple[float, ...] | None = dataclasses.field(repr=False, default=None)

    _title = "Conditional process analysis (PROCESS)"
    _frame = "effects"

    def _rows(self, kinds: Sequence[str]) -> pd.DataFrame:
        e = self.effects
        out = e[e["effect"].isin(kinds)]
        return out.dropna(axis=1, how="all") if len(out) else out

    @property
    def conditional_effects(self) -> pd.DataFrame:
        """Effect of X at each probed moderator value (models 1-3; otherwise the direct effects)."""
        return self._rows(["effect"] if not self.mediators else ["direct"])

    @property
    def conditional_interaction(self) -> pd.DataFrame:
        """Three-way models (3, and the direct path of 12, 19, 69, 71, 73): the X x W interaction
        at each probed value of Z, :math:`b_{XW} + b_{XWZ} z`, with its t test and interval."""
        return self._rows(["conditional interaction"])

    @property
    def direct(self) -> pd.DataFrame:
        """Direct effect(s) of X on Y (conditional where the direct path is moderated)."""
        return self._rows(["direct"])

    @property
    def conditional_direct(self) -> pd.DataFrame:
        """Conditional direct effects (rows of ``direct`` at moderator values)."""
        d = self._rows(["direct"])
        cond = pd.Series(False, index=d.index)
        for col in ("w", "z"):
            if col in d:
                cond |= d[col].notna()
        return d[cond]

    @property
    def total(self) -> pd.DataFrame:
        """Total effect(s) of X (unmoderated mediation models with a continuous outcome)."""
        return self._rows(["total"])

    @property
    def conditional_indirect(self) -> pd.DataFrame:
        """(Conditional) indirect effects, one row per route, X code and moderator value(s)."""
        return self._rows(["indirect", "total indirect"])

    @property
    def relative_indirect(self) -> pd.DataFrame | None:
        """Relative indirect effects of a multicategorical X (None otherwise)."""
        return self.conditional_indirect if self.mcx is not None else None

    @property
    def relative_direct(self) -> pd.DataFrame | None:
        """Relative direct effects of a multicategorical X (None otherwise)."""
        return self.direct if self.mcx is not None else None

    @property
    def mm_index(self) -> pd.DataFrame:
        """Indices of moderated mediation (also partial and conditional) and of moderated
        moderated mediation, with bootstrap intervals."""
        return self._rows(["index", "partial index", "conditional index", "mm index"])

    def draws(self, effect: str) -> np.ndarray:
        """The bootstrap (or Monte Carlo) draws of one bootstrapped effect (a label of ``effects``)."""
        if effect not in self.boot_labels:
            raise ArgumentError(f"effect must be one of the bootstrapped effects {list(self.boot_labels)}; "
                                f"got {effect!r}.")
        return self.boot_draws[:, self.boot_labels.index(effect)]


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float | np.floating) else str(value)


def _scheme(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be one of {list(MCX_SCHEMES.values())} or a PROCESS code 1-4; "
                                f"got {value!r}.")
    if isinstance(value, numbers.Integral) and int(value) in MCX_SCHEMES:
        return MCX_SCHEMES[int(value)]
    if isinstance(value, str) and value in MCX_SCHEMES.values():
        return value
    raise ArgumentError(f"{name} must be one of {list(MCX_SCHEMES.values())} or a PROCESS code 1-4 "
                        f"(1 indicator, 2 sequential, 3 helmert, 4 effect); got {value!r}.")


def _values(values: Any, name: str) -> tuple[float, ...] | None:
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ArgumentTypeError(f"{name} must be a list of numbers; got {type(values).__name__}.")
    out = []
    for a in values:
        if isinstance(a, bool) or not isinstance(a, numbers.Real):
            raise ArgumentTypeError(f"{name} must be a list of numbers; got {values!r}.")
        out.append(float(a))
    if not out or not np.all(np.isfinite(out)) or len(set(out)) != len(out):
        raise ArgumentError(f"{name} must be distinct finite numbers; got {values!r}.")
    return tuple(out)


def _is_categorical(s: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def _hc_cov(Z: np.ndarray, eq: Equation, fit: FullFit, se: str) -> np.ndarray:
    """Classical or heteroskedasticity-consistent (HC0-HC4) covariance of an OLS equation."""
    if se == "nonrobust" or eq.family == "binomial":
        return fit.cov
    X = Z[:, list(eq.predictors)]
    e = Z[:, eq.outcome] - X @ fit.coef
    n, p = X.shape
    q, r = np.linalg.qr(X)
    rinv = np.linalg.solve(r, np.eye(p))
    bread = rinv @ rinv.T
    h = np.sum(q**2, axis=1)
    e2 = e**2
    if se == "HC0":
        omega = e2
    elif se == "HC1":
        omega = e2 * n / (n - p)
    elif se == "HC2":
        omega = e2 / (1 - h)
    elif se == "HC3":
        omega = e2 / (1 - h) ** 2
    else:  # HC4 (Cribari-Neto 2004)
        omega = e2 / (1 - h) ** np.minimum(4.0, n * h / p)
    meat = (X * omega[:, None]).T @ X
    return bread @ meat @ bread


class _Probes:
    """Probe values of the moderators: display value and base-variable values per probe."""

    def __init__(self) -> None:
        self.values: dict[str, list[tuple[Any, dict[str, float]]]] = {}

    def points(self, roles: Sequence[str]) -> tuple[int, dict[str, np.ndarray], dict[str, list[Any]]]:
        """All combinations of the probes of ``roles`` (W first, then Z)."""
        roles = [r for r in ("w", "z", "x") if r in roles]
        combos = list(itertools.product(*(self.values[r] for r in roles)))
        n = max(len(combos), 1)
        pts: dict[str, np.ndarray] = {}
        shown: dict[str, list[Any]] = {r: [] for r in roles}
        for combo in combos:
            for r, (disp, vals) in zip(roles, combo, strict=True):
                shown[r].append(disp)
                for b, val in vals.items():
                    pts.setdefault(b, np.empty(0))
                    pts[b] = np.append(pts[b], val)
        return n, pts, shown


def _role_of(base: str) -> str:
    return base[0]  # "w", "z" or "x" (X as its own moderator, model 74)


def _at(shown: dict[str, list[Any]], P: int, i: int) -> dict[str, Any]:
    """Moderator values of probe combination ``i`` as effect-table columns."""
    return {"w": shown.get("w", [np.nan] * P)[i], "z": shown.get("z", [np.nan] * P)[i],
            "x_value": shown.get("x", [np.nan] * P)[i]}


# ----------------------------------------------------------------------------------------------
# main function
# ----------------------------------------------------------------------------------------------
def process(
    data: pd.DataFrame,
    model: int,
    *,
    x: Hashable,
    y: Hashable,
    m: Hashable | Sequence[Hashable] | None = None,
    w: Hashable | None = None,
    z: Hashable | None = None,
    covariates: Hashable | Sequence[Hashable] | None = None,
    mcx: str | int | None = None,
    mcw: str | int | None = None,
    w_values: Sequence[float] | None = None,
    z_values: Sequence[float] | None = None,
    probe: str = "percentile",
    se: str = "nonrobust",
    y_family: str = "gaussian",
    n_boot: int = 5000,
    ci: float = 0.95,
    ci_method: str = "percentile",
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
    nan_policy: str = "listwise",
) -> ProcessResult:
    r"""Fit a PROCESS model (Hayes 2022) by number and probe its conditional effects.

    Parameters
    ----------
    data : DataFrame
    model : PROCESS v4 model number; see :data:`PROCESS_MODELS` (1-22, 28, 29, 58-76, 80-92).
    x, y : antecedent and outcome columns.
    m : mediator column or list of mediators, in the order the template reads them: parallel
        (models 4, 5, 7-76), serial (model 6: 2-6 mediators; models 83-92: exactly two, M1 -> M2),
        model 80: M1..Mk-1 in parallel each feeding the last one (3-6 mediators), model 81: the
        first feeding each of the others (3-6), model 82: exactly four, chains M1 -> M2 and M3 -> M4.
    w, z : moderator columns, as the template names them (W and Z of PROCESS v4).
    covariates : column(s) entered in every equation.
    mcx, mcw : code X (or W) as a multicategorical variable: ``"indicator"``, ``"sequential"``,
        ``"helmert"`` or ``"effect"`` (PROCESS codes 1-4). Categories are those of a pandas
        Categorical in their order, else the sorted distinct values; the first is the reference.
        A non-numeric X or W needs it.
    w_values, z_values : moderator values to probe at (continuous moderators). Default: the
        16th, 50th and 84th percentiles (PROCESS v4; linear interpolation), the two values of a
        dichotomous moderator, every category of a multicategorical W.
    probe : ``"percentile"`` (default) or ``"sd"`` (mean - 1 SD, mean, mean + 1 SD; SD with n - 1).
    se : ``"nonrobust"``, ``"HC0"``, ``"HC1"``, ``"HC2"``, ``"HC3"`` or ``"HC4"``: covariance of the
        OLS equations, used by ``coefs``, the direct and total effects and Johnson-Neyman regions.
    y_family : ``"gaussian"`` or ``"binomial"`` (logit for a 0/1 outcome; the mediator equations
        stay OLS), as in :func:`csl_stats.mediation`.
    n_boot, ci, ci_method, rng, progress, nan_policy : as in :func:`csl_stats.mediation`
        (``ci_method`` one of ``"percentile"``, ``"bc"``, ``"bca"``, ``"montecarlo"``).

    Returns
    -------
    ProcessResult

    Raises
    ------
    ArgumentError
        Unknown model number; a role the template does not take or lacks (named); a
        categorical X or W without ``mcx``/``mcw``; invalid options.
    ModelSpecificationError
        A column plays two roles (e.g. a moderator equal to X or M).
    ConstantError, InsufficientDataError, DataError, CollinearityError
        As in :func:`csl_stats.mediation`; also InsufficientDataError for a multicategorical X or W
        with a category of fewer than 10 complete rows in a bootstrapped model (resamples missing it
        could not be fitted).

    Warns
    -----
    ExtrapolationWarning
        A probe value lies outside the observed range of its moderator.

    Notes
    -----
    *Engine.* A template states which paths (``a``: X -> M, ``b``: M -> Y, ``c``: X -> Y)
    each moderator touches, additively or in a three-way interaction. Each path's conditional
    slope is a polynomial in the moderators, e.g. :math:`a_1 + a_3 W` in model 7 or
    :math:`b_1 + b_4 W + b_5 Z + b_7 WZ` in model 18; an indirect effect is the product of
    the slopes along its route, e.g. :math:`(a_1 + a_3 w)(b_1 + b_3 z)` in model 21. Products
    are formed from the variables as given (no centring, as PROCESS by default); conditional
    effects do not depend on centring.

    *Indices.* When the indirect effect :math:`\omega` is linear in a moderator, its slope
    :math:`\partial\omega/\partial W` is the index of moderated mediation (Hayes 2015): an
    interval excluding 0 says the indirect effect depends linearly on W. With two additive
    moderators these are indices of *partial* moderated mediation. When the slope itself depends
    linearly on the other moderator (three-way models 11-13, 18-20, 68-73, and models with W and
    Z on different paths such as 21), the indices conditional on each probed value of the other
    moderator are reported (``"conditional index"``) together with the mixed derivative
    :math:`\partial^2\omega/\partial W\partial Z`, the index of moderated moderated mediation
    (Hayes 2018). An indirect effect quadratic in a moderator (model 58: both stages by W) has
    no index; compare conditional indirect effects or read the floodlight band instead.

    *Three-way moderation.* In model 3 (and on the direct path of models 12, 19, 69, 71 and 73)
    the X x W interaction itself depends on Z; ``conditional_interaction`` gives it at each probed
    value of Z, :math:`b_{XW} + b_{XWZ} z`, with a t test and interval (PROCESS's "test of
    conditional X*W interaction at values of the moderator Z"); :math:`b_{XWZ}` in ``coefs`` is how
    much that interaction changes per unit of Z.

    *Serial and hybrid templates.* A mediator -> mediator link contributes its slope to every
    route through it: in model 91 (W on M1 -> M2) the route X -> M1 -> M2 -> Y has indirect effect
    :math:`a_1 (d_{21} + d_3 W) b_2` and index of moderated mediation :math:`a_1 d_3 b_2`; in
    model 83 (W on X -> M1 only) both routes through M1 are moderated, the route through M2 alone
    is not. Model 92 moderates every path, so its routes are quadratic or cubic in W and have no
    index. Model 74 lets X moderate its own M -> Y path (the X x M interaction): the conditional
    indirect effect :math:`a (b_1 + b_3 x)` is probed at values of X (column ``x_value``; its two
    values when X is dichotomous, where the two effects are the pure and total natural indirect
    effects of the counterfactual literature), the index is :math:`a b_3` and the direct effect
    reported is X's coefficient, the effect of X when M = 0. PROCESS 4 replaced model 74 by the
    ``xmint`` option of model 4 (same regressions). PROCESS 2's templates 23-27 and 30-57 need
    three or four moderators and are not PROCESS v4 models; their numbers raise an error.

    *Multicategorical X* (``mcx``): X enters as :math:`g - 1` codes; the effects of each code
    are *relative* effects (relative to the reference group under indicator coding; adjacent
    groups under sequential coding; a group against the mean of the later groups under Helmert
    coding; a group against the unweighted mean of the group means under effect coding), reported
    per code in the ``x`` column (Hayes & Preacher 2014). A multicategorical W is probed at each
    of its categories.

    *Inference.* Coefficients, direct, total and conditional effects of X on Y are tested with
    the (optionally heteroskedasticity-consistent) covariance of their regression and the
    t distribution (a z for a logit); Johnson-Neyman boundaries solve
    :math:`\theta(w)^2 = t^2_{crit}\,\widehat{\operatorname{Var}}\,\theta(w)`. Indirect effects and
    indices get resampling intervals from the vectorised bootstrap (no model is refitted per
    resample; memory is bounded by the chunk size, not by ``n_boot``); the floodlight band
    applies the same percentile rule pointwise on a grid of the moderator, so its "significant"
    region is a pointwise statement, not a simultaneous one.
    ``omnibus`` holds the joint tests PROCESS prints under "test(s) of highest order unconditional
    interaction(s)": the product terms of each moderated path (all codes of a multicategorical X or
    W together, so a three-group moderator is tested on 2 df), each moderator of an additive pair
    and both jointly, only the three-way term in a three-way model; and, for a multicategorical X,
    the omnibus tests of its relative direct and total effects. Each is a Wald F with the ``se``
    covariance (equal to the nested-model F for ``se="nonrobust"``) and the R² change of dropping
    the terms.

    *Conventions.* PROCESS 2 and pyprocessmacro name the moderators differently in some models
    (M in models 1-3, V and Q in models 14-22 and others; the mapping is
    ``csl_stats._process_templates.PROCESS2_ROLES``);
    pyprocessmacro probes at the mean and +-1 SD and reports bias-corrected intervals by default.

    *Simulation* (``benchmarks/sim_process.py``; model 7 with standard-normal X and W,
    1,000 replications per cell, 999 resamples, percentile 95 % intervals). With
    :math:`(a_1, a_3, b) = (0.4, 0.2, 0.3)` the conditional indirect effects at
    :math:`w = -1, 0, 1` were covered 94.3 / 94.9 / 95.3 % of the time at n = 100 and
    94.6 / 95.4 / 95.3 % at n = 300, the index (0.06) 94.6 and 95.3 %, and the index excluded 0
    in 39.8 and 92.4 % of the samples (power). With a true index of 0 it excluded 0 in 4.3 / 4.9 %
    (n = 100 / 300) when the first stage was not moderated (:math:`a_3 = 0`) and in 2.4 / 4.8 % when
    the first stage was moderated but :math:`b = 0` (conservative at n = 100, as products of
    coefficients near zero are). For the new templates (500 replications per cell, ``--issue20``): the
    interval of the index of moderated moderated mediation of model 11 (true 0.06) covered it
    95.2 / 95.6 % of the time at n = 150 / 400 and excluded 0 in 31.4 / 78.4 %; with a true
    index of 0 it covered 95.0 % and excluded 0 in 5.0 % at both sizes. The index of the serial
    route of model 91 (W on M1 -> M2, true 0.04) was covered 93.6 / 94.4 % (power 73.0 / 99.4 %),
    and a true 0 was wrongly excluded in 6.0 / 5.0 %. The t interval of the conditional X x W
    interaction of model 3 (``--model3``, 1,000 replications) covered 93.2-95.7 % at n = 150 and
    400 (classical SEs, homoskedastic errors) and 94.2-95.7 % with HC3 under heteroskedastic
    errors.

    References
    ----------
    Hayes, A. F. (2015). An index and test of linear moderated mediation. *Multivariate
    Behavioral Research*, 50, 1-22.
    Hayes, A. F. (2018). Partial, conditional, and moderated moderated mediation.
    *Communication Monographs*, 85, 4-40.
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process
    analysis* (3rd ed.). Guilford.
    Hayes, A. F., & Preacher, K. J. (2014). Statistical mediation analysis with a
    multicategorical independent variable. *British Journal of Mathematical and Statistical
    Psychology*, 67, 451-470.
    Cribari-Neto, F. (2004). Asymptotic inference under heteroskedasticity of unknown form.
    *Computational Statistics & Data Analysis*, 45, 215-233.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> g = np.random.default_rng(3)
    >>> sat, swc, val = g.normal(size=(3, 400))
    >>> trust = 0.5 * sat + 0.3 * sat * swc + g.normal(size=400)
    >>> loy = (0.4 + 0.2 * val) * trust + g.normal(size=400)
    >>> df = pd.DataFrame({"sat": sat, "swc": swc, "val": val, "trust": trust, "loy": loy})
    >>> res = csl_stats.process(df, 21, x="sat", m="trust", y="loy", w="swc", z="val",
    ...                         n_boot=500, rng=1)
    >>> res.conditional_indirect.shape[0]  # 3 values of W x 3 values of Z
    9
    >>> mm = res.mm_index
    >>> print(f"{mm.loc[mm['effect'] == 'mm index', 'estimate'].iloc[0]:.3f}")  # true 0.3 * 0.2 = 0.06
    0.071

    Moderated serial mediation (model 91: switching costs moderate the link from trust to
    commitment in the chain satisfaction -> trust -> commitment -> loyalty):

    >>> commit = 0.3 * sat + (0.4 + 0.2 * swc) * trust + g.normal(size=400)
    >>> loy2 = 0.3 * trust + 0.4 * commit + g.normal(size=400)
    >>> df2 = df.assign(commit=commit, loy2=loy2)
    >>> res91 = csl_stats.process(df2, 91, x="sat", m=["trust", "commit"], y="loy2", w="swc",
    ...                           n_boot=500, rng=1)
    >>> res91.mm_index[["path", "estimate"]].round(3)  # about 0.5 * 0.2 * 0.4 = 0.04
                                           path  estimate
    label
    index[trust->commit, by swc]  trust->commit     0.049
    """
    template = get_template(model)
    v.check_choice(se, "se", SE_TYPES)
    v.check_choice(probe, "probe", PROBES)
    v.check_choice(ci_method, "ci_method", CI_METHODS)
    v.check_choice(y_family, "y_family", FAMILIES)
    n_boot = v.check_n_boot(n_boot)
    ci = v.check_probability(ci, "ci")
    progress = v.check_flag(progress, "progress")
    gen = v.check_rng(rng)
    xs, ws = _scheme(mcx, "mcx"), _scheme(mcw, "mcw")
    wv_user, zv_user = _values(w_values, "w_values"), _values(z_values, "z_values")
    v.check_dataframe(data, unique_columns=False)

    xc, yc = _single(data, x, "x"), _single(data, y, "y")
    ms = [] if m is None else _labels(data, m, "m")
    wc = None if w is None else _single(data, w, "w")
    zc = None if z is None else _single(data, z, "z")
    covs = [] if covariates is None else _labels(data, covariates, "covariates")
    _check_roles(template, ms, wc, zc, ws, wv_user, zv_user, xs)
    v.check_distinct_roles(x=[xc], m=ms, y=[yc], w=None if wc is None else [wc], z=None if zc is None else [zc],
                           covariates=covs)  # lists: tuple labels stay whole
    for col, scheme, arg in ((xc, xs, "mcx"), (wc, ws, "mcw")):
        if col is not None and scheme is None and _is_categorical(data[col]):
            role = arg[-1].upper()
            raise ArgumentError(
                f"{role} column {col!r} is categorical (values {v.preview(data[col].dropna())}); "
                f"pass {arg}='indicator' (or 'sequential', 'helmert', 'effect') to code it as a "
                f"multicategorical {role}, or recode it to numbers."
            )

    # -- complete cases ------------------------------------------------------------------------
    cat_cols = [c for c, s in ((xc, xs), (wc, ws)) if c is not None and s is not None]
    all_cols = [c for c in (xc, *ms, wc, zc, *covs, yc) if c is not None]
    num_cols = [c for c in all_cols if c not in cat_cols]
    numeric = v.check_numeric(data, num_cols)
    v.check_not_constant(numeric)
    combined = pd.concat([numeric, data[cat_cols]], axis=1)
    with warnings.catch_warnings(record=True) as caught:  # re-emitted at the caller's line
        warnings.simplefilter("always")
        frame = v.apply_nan_policy(combined[all_cols], nan_policy)
    for wrn in caught:
        v.warn(str(wrn.message), wrn.category)
    n_dropped = len(data) - len(frame)
    v.check_min_rows(len(frame), 10)
    v.check_not_constant(frame[num_cols])
    codings = {}
    for col, scheme, role in ((xc, xs, "x"), (wc, ws, "w")):
        if col is None or scheme is None:
            continue
        s = data.loc[frame.index, col]
        if isinstance(data[col].dtype, pd.CategoricalDtype):
            s = s.astype(data[col].dtype)
        if s.nunique() < 2:
            raise InsufficientDataError(
                f"multicategorical {role.upper()} column {col!r} has a single category "
                f"{v.preview(s)} in the complete rows; it needs at least two."
            )
        counts = s.value_counts()
        sparse = counts[counts < MIN_GROUP_ROWS]
        numeric = pd.api.types.is_numeric_dtype(data[col]) and not isinstance(data[col].dtype, pd.CategoricalDtype)
        if ms and len(sparse):  # the bootstrap: every resample must hold every category
            raise InsufficientDataError(
                f"multicategorical {role.upper()} column {col!r} has categories with fewer than {MIN_GROUP_ROWS} "
                f"complete rows: {', '.join(f'{k} ({n})' for k, n in sparse.items())} ({len(counts)} categories in "
                f"all); bootstrap resamples that miss a category cannot be fitted. Merge or drop the small "
                f"categories{', or treat the numeric column as continuous (no mc' + role + '=)' if numeric else ''}."
            )
        codings[role] = make_coding(str(col), s, scheme)
    if y_family == "binomial":
        vals = np.unique(frame[yc].to_numpy(dtype=float))
        if not np.isin(vals, [0.0, 1.0]).all():
            raise DataError(
                f"y_family='binomial' needs a 0/1 outcome, but column {yc!r} holds "
                f"{v.preview(vals[~np.isin(vals, [0.0, 1.0])])}; recode it to 0/1 first."
            )

    total = bool(ms) and not template.moderated and y_family == "gaussian"
    pm, base, display = build_model(
        frame, template, x=xc, y=yc, ms=ms, covs=covs, w=wc, z=zc,
        x_coding=codings.get("x"), w_coding=codings.get("w"), y_family=y_family, total=total,
    )
    p_max = max(len(eq.predictors) for eq in pm.equations)
    v.check_min_rows(len(frame), max(10, p_max + 5), what=f"complete rows (for {p_max} coefficients per equation)")
    fits = pm.fit()
    covs_eq = [_hc_cov(pm.Z, eq, f, se) for eq, f in zip(pm.equations, fits, strict=True)]

    # -- probe values --------------------------------------------------------------------------
    probes = _Probes()
    for role, col, user in (("w", wc, wv_user), ("z", zc, zv_user)):
        if col is None:
            continue
        if role in codings:
            cod = codings[role][0]
            probes.values[role] = [
                (cat, {f"w{j}": float(cod.matrix[i, j]) for j in range(cod.matrix.shape[1])})
                for i, cat in enumerate(cod.categories)
            ]
            continue
        vals = base[f"{role}0"]
        if user is not None:
            lo, hi = float(vals.min()), float(vals.max())
            outside = [u for u in user if u < lo or u > hi]
            if outside:
                v.warn(
                    f"{role}_values {outside} lie outside the observed range of {col!r} "
                    f"({_fmt(lo)} to {_fmt(hi)}); conditional effects there are extrapolations.",
                    ExtrapolationWarning,
                )
            pv = list(user)
        elif np.unique(vals).size == 2:
            pv = [float(a) for a in np.unique(vals)]
        elif probe == "sd":
            mu, sd = vals.mean(), vals.std(ddof=1)
            pv = [mu - sd, mu, mu + sd]
        else:
            pv = [float(a) for a in np.percentile(vals, [16, 50, 84])]
        probes.values[role] = [(float(a), {f"{role}0": float(a)}) for a in pv]
    if "x" in template.roles:  # model 74: X moderates its own M -> Y path; probed like a moderator
        vals = base["x0"]
        if np.unique(vals).size == 2:
            pv = [float(a) for a in np.unique(vals)]
        elif probe == "sd":
            pv = [vals.mean() - vals.std(ddof=1), vals.mean(), vals.mean() + vals.std(ddof=1)]
        else:
            pv = [float(a) for a in np.percentile(vals, [16, 50, 84])]
        probes.values["x"] = [(float(a), {"x0": float(a)}) for a in pv]

    x_names = list(codings["x"][0].names) if "x" in codings else [""]
    x_label = list(codings["x"][0].contrasts) if "x" in codings else [""]
    rows: list[dict[str, Any]] = []

    # -- analytic effects: (conditional) direct, total, effect of X in models 1-3 -----------------
    n = len(frame)
    kind_direct = "direct" if ms else "effect"
    jn_rows: list[dict[str, Any]] = []
    analytic = [(kind_direct, pm.iy, j, pm.direct(j)) for j in range(len(pm.x))]
    if pm.itotal is not None:
        analytic += [("total", pm.itotal, j, pm.total_effect(j)) for j in range(len(pm.x))]
    for kind, ieq, j, poly in analytic:
        roles = sorted({_role_of(b) for b in bases_of(poly)})
        P, pts, shown = probes.points(roles)
        eq, fit, V = pm.equations[ieq], fits[ieq], covs_eq[ieq]
        L = linear_weights(poly, len(eq.predictors), pts, P)
        est = L @ fit.coef
        sev = np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
        dist = stats.norm() if eq.family == "binomial" else stats.t(n - len(eq.predictors))
        crit = dist.ppf(0.5 + ci / 2)
        for i in range(P):
            t = est[i] / sev[i]
            rows.append({
                "effect": kind, "path": "", "x": x_names[j],
                **_at(shown, P, i), "moderator": "", "estimate": est[i], "se": sev[i], "t": t, "p": 2 * dist.sf(abs(t)),
                "ci_low": est[i] - crit * sev[i], "ci_high": est[i] + crit * sev[i],
                "inference": "z" if eq.family == "binomial" else "t",
            })
        if kind == kind_direct:
            jn_rows += _johnson_neyman(poly, eq, fit.coef, V, dist, crit, base, probes, codings,
                                       display, x_names[j])
            # three-way X x W x Z: the X x W interaction conditional on Z (PROCESS's "test of
            # conditional X*W interaction at values of Z"), b_XW + b_XWZ z
            dpoly = derivative(poly, "w0") if "w1" not in base else None
            if dpoly and bases_of(dpoly) == {"z0"} and degree(dpoly, ["z0"]) == 1:
                P, pts, shown = probes.points(["z"])
                L = linear_weights(dpoly, len(eq.predictors), pts, P)
                est, sev = L @ fit.coef, np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
                for i in range(P):
                    t = est[i] / sev[i]
                    rows.append({
                        "effect": "conditional interaction", "path": "", "x": x_names[j], "w": np.nan,
                        "z": shown["z"][i], "x_value": np.nan, "moderator": display["w0"],
                        "estimate": est[i], "se": sev[i], "t": t, "p": 2 * dist.sf(abs(t)),
                        "ci_low": est[i] - crit * sev[i], "ci_high": est[i] + crit * sev[i],
                        "inference": "z" if eq.family == "binomial" else "t",
                    })

    # -- bootstrapped effects ------------------------------------------------------------------
    blocks: list[tuple[Poly, dict[str, np.ndarray], int]] = []
    boot_rows: list[dict[str, Any]] = []
    chains = pm.chains()
    chain_names = ["->".join(str(ms[i]) for i in c) for c in chains]
    flood_meta: list[dict[str, Any]] = []
    flood_blocks: list[tuple[Poly, dict[str, np.ndarray], int]] = []
    for j in range(len(pm.x)):
        polys = [(chain_names[i], pm.indirect(j, c)) for i, c in enumerate(chains)]
        if len(chains) > 1:
            polys.append(("TOTAL", [t for _, pl in polys for t in pl]))
        for path, poly in polys:
            roles = sorted({_role_of(b) for b in bases_of(poly)})
            P, pts, shown = probes.points(roles)
            blocks.append((poly, pts, P))
            kind = "indirect" if path != "TOTAL" else "total indirect"
            for i in range(P):
                boot_rows.append({"effect": kind, "path": path, "x": x_names[j], **_at(shown, P, i),
                                  "moderator": ""})
            if path == "TOTAL":
                continue
            for kind_i, mod, dpoly, droles in _indices(poly, pm, display):
                P, pts, shown = probes.points(droles)
                blocks.append((dpoly, pts, P))
                for i in range(P):
                    boot_rows.append({"effect": kind_i, "path": path, "x": x_names[j],
                                      **_at(shown, P, i), "moderator": mod})
            fl = _grid(poly, base, probes, display)
            if fl is not None:
                along, at_list, grid, pts, P = fl
                flood_blocks.append((poly, pts, P))
                flood_meta.append({"path": path, "x": x_names[j], "along": along, "at": at_list, "value": grid})

    n_failed = 0
    draws = np.empty((n_boot, 0))
    flood = None
    if blocks:
        def effect_fn(coefs: list[np.ndarray], sd: np.ndarray) -> np.ndarray:
            return np.hstack([evaluate(pl, coefs, pts, P) for pl, pts, P in blocks + flood_blocks])

        engine = Engine(pm.Z, pm.equations, fits, effect_fn)
        est, all_draws, bse, lo, hi, _ = run_intervals(
            engine, n_boot=n_boot, ci=ci, ci_method=ci_method, rng=gen, progress=progress
        )
        n_failed = engine.n_failed
        K = len(boot_rows)
        for i, r in enumerate(boot_rows):
            r.update({"estimate": est[i], "se": bse[i], "t": np.nan, "p": np.nan, "ci_low": lo[i],
                      "ci_high": hi[i], "inference": "montecarlo" if ci_method == "montecarlo" else "bootstrap"})
        rows += boot_rows
        draws = all_draws[:, :K]
        if flood_meta:
            parts, pos = [], K
            for meta in flood_meta:
                G = len(meta["value"])
                sl = slice(pos, pos + G)
                pos += G
                parts.append(pd.DataFrame({
                    "path": meta["path"], "x": meta["x"], "along": meta["along"], "at": meta["at"],
                    "value": meta["value"], "estimate": est[sl], "ci_low": lo[sl], "ci_high": hi[sl],
                    "significant": (lo[sl] > 0) | (hi[sl] < 0),
                }))
            flood = pd.concat(parts, ignore_index=True)
            if "x" not in codings:
                flood = flood.drop(columns="x")

    effects = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    effects.index = pd.Index([_label(r, x_label) for r in rows], name="label")
    boot_labels = tuple(effects.index[len(rows) - len(boot_rows):]) if blocks else ()
    drop = [c for c, keep in (("x", "x" in codings), ("w", wc is not None), ("z", zc is not None),
                              ("x_value", "x" in template.roles),
                              ("moderator", (effects["moderator"] != "").any()),
                              ("path", bool(ms))) if not keep]
    effects = effects.drop(columns=drop)
    if "x" in effects:
        effects.insert(effects.columns.get_loc("x") + 1, "contrast",
                       effects["x"].map(dict(zip(x_names, x_label, strict=True))))

    return ProcessResult(
        effects=effects,
        coefs=_coef_table(pm, fits, covs_eq, ci),
        fit=pd.DataFrame(
            {"n": [f.n for f in fits], "r2": [f.r2 for f in fits],
             "df_resid": [f.n - len(eq.predictors) for eq, f in zip(pm.equations, fits, strict=True)]},
            index=pd.Index([eq.name for eq in pm.equations], name="outcome"),
        ),
        johnson_neyman=_jn_frame(jn_rows, "x" in codings),
        floodlight=flood,
        x_coding=codings["x"][0].frame() if "x" in codings else None,
        w_coding=codings["w"][0].frame() if "w" in codings else None,
        boot_draws=draws,
        boot_labels=boot_labels,
        model=template.number,
        x=str(xc),
        y=str(yc),
        mediators=tuple(map(str, ms)),
        w=None if wc is None else str(wc),
        z=None if zc is None else str(zc),
        mcx=xs,
        mcw=ws,
        y_family=y_family,
        se_type=se,
        probe=probe if wv_user is None and zv_user is None else "values",
        n=n,
        n_dropped=n_dropped,
        n_boot=n_boot,
        ci=ci,
        ci_method=ci_method,
        n_failed=n_failed,
        description=template.description,
        probe_rule=probe,
        nan_policy=nan_policy,
        w_values=wv_user,
        z_values=zv_user,
        omnibus=_omnibus(pm, fits, covs_eq, "x" in codings,
                         {"x": str(xc), "w": str(wc), "z": str(zc), **{f"m{j}": str(mc) for j, mc in enumerate(ms)}}),
    )


# ----------------------------------------------------------------------------------------------
# pieces
# ----------------------------------------------------------------------------------------------
def _check_roles(template: Template, ms: list, wc: Any, zc: Any, ws: Any, wv: Any, zv: Any,
                 xs: Any = None) -> None:
    num, desc = template.number, template.description
    if template.mediators == "none" and ms:
        raise ArgumentError(f"model {num} ({desc}) takes no mediator; got m={ms}. Use model 4 or higher.")
    if template.mediators != "none" and not ms:
        raise ArgumentError(f"model {num} ({desc}) needs at least one mediator m.")
    lo, hi = template.mediator_range
    if ms and (len(ms) < lo or (hi is not None and len(ms) > hi)):
        want = f"exactly {lo}" if lo == hi else (f"{lo} to {hi}" if hi is not None else f"at least {lo}")
        raise ArgumentError(f"model {num} ({desc}) needs {want} mediators in m; got {len(ms)}: {ms}.")
    if "x" in template.roles and xs is not None:
        raise ArgumentError(f"model {num} ({desc}) uses X as a moderator of the M -> Y path, so X must be "
                            f"numeric; mcx={xs!r} is not available for it (use model 4 with mcx instead).")
    for role, col, values in (("w", wc, wv), ("z", zc, zv)):
        if role in template.roles and col is None:
            raise ArgumentError(f"model {num} ({desc}) needs a moderator {role}.")
        if role not in template.roles and col is not None:
            raise ArgumentError(f"model {num} ({desc}) takes no moderator {role}; got {role}={col!r}.")
        if values is not None and col is None:
            raise ArgumentError(f"{role}_values given but model {num} has no moderator {role}.")
    if ws is not None and wc is None:
        raise ArgumentError(f"mcw={ws!r} codes the moderator W, but model {num} ({desc}) takes no W; drop mcw or "
                            "choose a model with a moderator W.")
    if ws is not None and wv is not None:
        raise ArgumentError("w_values cannot be given for a multicategorical W: it is probed at each category.")


def _indices(poly: Poly, pm: ProcessModel, display: dict[str, str]) -> list[tuple[str, str, Poly, list[str]]]:
    """Indices of (partial, conditional) moderated mediation and of moderated moderated mediation."""
    present = bases_of(poly)
    out: list[tuple[str, str, Poly, list[str]]] = []
    done: set[frozenset[str]] = set()
    for role, other in (("w", "z"), ("z", "w"), ("x", "w")):
        rb = [b for b in pm.roles[role] if b in present]
        ob = [b for b in pm.roles[other] if b in present]
        if not rb or degree(poly, rb) != 1:
            continue
        for b in rb:
            d = derivative(poly, b)
            assert d is not None
            db = bases_of(d)
            if not db:
                out.append(("partial index" if ob else "index", display[b], d, []))
            elif db <= set(ob) and degree(d, ob) == 1:
                out.append(("conditional index", display[b], d, [other]))
                for o in ob:
                    key = frozenset((b, o))
                    d2 = derivative(d, o)
                    if key in done or d2 is None or bases_of(d2):
                        continue
                    done.add(key)
                    first, second = (b, o) if role == "w" else (o, b)
                    out.append(("mm index", f"{display[first]} x {display[second]}", d2, []))
    return out


def _grid(poly: Poly, base: dict[str, np.ndarray], probes: _Probes, display: dict[str, str]):
    """Floodlight grid along the first continuous moderator of ``poly`` (at probes of the other)."""
    present = bases_of(poly)
    for role, other in (("w", "z"), ("z", "w"), ("x", "w")):
        b = f"{role}0"
        continuous = b in present and role in probes.values and f"{role}1" not in base \
            and np.unique(base[b]).size > 2
        if not continuous:
            continue
        grid = np.linspace(base[b].min(), base[b].max(), GRID)
        others = [c for c in present if _role_of(c) == other]
        at_probes = probes.values[other] if others else [(np.nan, {})]
        pts: dict[str, np.ndarray] = {b: np.tile(grid, len(at_probes))}
        at_list: list[Any] = []
        for disp, vals in at_probes:
            at_list += [disp] * GRID
            for ob, val in vals.items():
                pts[ob] = np.append(pts.get(ob, np.empty(0)), np.full(GRID, val))
        return display[b], at_list, np.tile(grid, len(at_probes)), pts, GRID * len(at_probes)
    return None


def _johnson_neyman(poly, eq, coef, V, dist, crit, base, probes, codings, display, xname) -> list[dict[str, Any]]:
    """Johnson-Neyman regions of a path linear in one equation's coefficients."""
    present = bases_of(poly)
    out = []
    for role, other in (("w", "z"), ("z", "w")):
        b = f"{role}0"
        if b not in present or role in codings or np.unique(base[b]).size <= 2:
            continue
        others = [c for c in present if _role_of(c) == other]
        at_probes = probes.values[other] if others else [(np.nan, {})]
        lo, hi = float(base[b].min()), float(base[b].max())
        p = len(eq.predictors)
        for disp, vals in at_probes:
            pts0 = {b: np.array([0.0]), **{k: np.array([val]) for k, val in vals.items()}}
            pts1 = {b: np.array([1.0]), **{k: np.array([val]) for k, val in vals.items()}}
            l0 = linear_weights(poly, p, pts0, 1)[0]
            l1 = linear_weights(poly, p, pts1, 1)[0] - l0
            u0, u1 = l0 @ coef, l1 @ coef
            t2 = crit**2
            qa = u1**2 - t2 * l1 @ V @ l1
            qb = 2 * (u0 * u1 - t2 * l0 @ V @ l1)
            qc = u0**2 - t2 * l0 @ V @ l0
            roots: list[float] = []
            if abs(qa) < 1e-14 * max(abs(qb), abs(qc), 1e-300):
                if qb != 0:
                    roots = [-qc / qb]
            else:
                disc = qb**2 - 4 * qa * qc
                if disc >= 0:
                    sq = np.sqrt(disc)
                    roots = sorted({(-qb - sq) / (2 * qa), (-qb + sq) / (2 * qa)})
            edges = [lo, *[r for r in roots if lo < r < hi], hi]
            for a, c in itertools.pairwise(edges):
                mid = (a + c) / 2
                lm = l0 + mid * l1
                est = lm @ coef
                se = np.sqrt(lm @ V @ lm)
                ends = (u0 + a * u1, u0 + c * u1)  # the effect at the region's edges
                direction = ("changes sign" if ends[0] * ends[1] < 0
                             else "positive" if est >= 0 else "negative")
                out.append({"x": xname, "along": display[b], "at": disp, "low": a, "high": c,
                            "significant": bool(abs(est / se) > crit), "direction": direction})
        break
    return out


def _jn_frame(rows: list[dict[str, Any]], mcx: bool) -> pd.DataFrame | None:
    if not rows:
        return None
    out = pd.DataFrame(rows)
    if not mcx:
        out = out.drop(columns="x")
    if out["at"].isna().all():
        out = out.drop(columns="at")
    return out


def _term_sets(pm: ProcessModel, ieq: int, mcx: bool, names: dict[str, str]) -> list[tuple[str, list[Any]]]:
    """Sets of columns of equation ``ieq`` to test jointly: the highest-order interactions of each moderated
    path ending in it (PROCESS's "test of highest order unconditional interaction") and, for a multicategorical
    X, the omnibus tests of X where its path into the equation is not moderated (direct and total effects).
    ``names`` maps the roles ``x``, ``w``, ``z`` and the mediator bases to display names."""
    t = pm.template
    if ieq == pm.itotal:
        return [(f"{names['x']} (omnibus, total effect)", [(xb,) for xb in pm.x])] if mcx else []
    if ieq == pm.iy:
        paths = [(pm.x, t.c, "x")] + [([mb], t.b_moderated(j), mb) for j, mb in enumerate(pm.m)]
    else:
        paths = [(pm.x, t.a_moderated(ieq), "x")]
        paths += [([pm.m[i]], t.d, pm.m[i]) for i, jj in pm.edges if jj == ieq]
    out: list[tuple[str, list[Any]]] = []
    for focal, mod, who in paths:
        if not mod:
            if who == "x" and mcx and ieq == pm.iy:
                out.append((f"{names['x']} (omnibus, direct effect)", [(xb,) for xb in focal]))
            continue
        top = max(len(term) for term in mod)
        sets = []
        for term in (u for u in mod if len(u) == top):
            keys = [tuple(sorted((f, *combo))) for f in focal
                    for combo in itertools.product(*(pm.roles[r] for r in term))]
            sets.append((" x ".join([names[who], *(names[r] for r in term)]), keys))
        out += sets
        if len(sets) > 1:
            out.append((" and ".join(lab for lab, _ in sets) + " (jointly)", [k for _, keys in sets for k in keys]))
    return out


def _omnibus(pm: ProcessModel, fits: list[FullFit], covs: list[np.ndarray], mcx: bool,
             names: dict[str, str]) -> pd.DataFrame | None:
    """Joint Wald tests (F, or chi-square for a logistic equation) of the sets of :func:`_term_sets`, with the
    R² change of an OLS equation when the set is dropped."""
    rows = []
    for ieq, (eq, f, V) in enumerate(zip(pm.equations, fits, covs, strict=True)):
        for label, keys in _term_sets(pm, ieq, mcx, names):
            cols = [pm.keys.index(key) for key in keys]
            pos = [eq.predictors.index(c) for c in cols]
            b = f.coef[pos]
            q = len(pos)
            wald = float(b @ np.linalg.solve(V[np.ix_(pos, pos)], b))
            if eq.family == "binomial":
                F, df2, p, r2c = wald / q, np.nan, float(stats.chi2.sf(wald, q)), np.nan
            else:
                df2 = float(f.n - len(eq.predictors))
                keep = [c for c in eq.predictors if c not in cols]
                X, yv = pm.Z[:, keep], pm.Z[:, eq.outcome]
                resid = yv - X @ np.linalg.lstsq(X, yv, rcond=None)[0]
                r2c = f.r2 - (1 - resid @ resid / np.sum((yv - yv.mean()) ** 2))
                F, p = wald / q, float(stats.f.sf(wald / q, q, df2))
            rows.append({"outcome": eq.name, "test": label, "terms": ", ".join(pm.names[c] for c in cols),
                         "r2_change": r2c, "F": F, "df1": q, "df2": df2, "p": p})
    return pd.DataFrame(rows) if rows else None


def _coef_table(pm: ProcessModel, fits: list[FullFit], covs: list[np.ndarray], ci: float) -> pd.DataFrame:
    rows = []
    for eq, f, V in zip(pm.equations, fits, covs, strict=True):
        se = np.sqrt(np.diag(V))
        df = f.n - len(eq.predictors)
        dist = stats.norm() if eq.family == "binomial" else stats.t(df)
        crit = dist.ppf(0.5 + ci / 2)
        for pos, col in enumerate(eq.predictors):
            t = f.coef[pos] / se[pos]
            p = 2 * (special.ndtr(-abs(t)) if eq.family == "binomial" else special.stdtr(df, -abs(t)))
            rows.append({"outcome": eq.name, "term": pm.names[col], "estimate": f.coef[pos], "se": se[pos],
                         "t": t, "p": p, "ci_low": f.coef[pos] - crit * se[pos],
                         "ci_high": f.coef[pos] + crit * se[pos]})
    out = pd.DataFrame(rows)
    out.index = pd.Index([f"{r['outcome']}~{r['term']}" for r in rows], name="label")
    return out


def _label(r: dict[str, Any], x_label: list[str]) -> str:
    parts = [str(r[k]) for k in ("path", "x") if r.get(k)]
    for k in ("w", "z", "x_value"):
        val = r.get(k)
        if not (isinstance(val, float) and np.isnan(val)) and val is not None:
            parts.append(f"{k[0]}={_fmt(val)}")
    if r.get("moderator"):
        parts.append(f"by {r['moderator']}")
    return f"{r['effect']}[{', '.join(parts)}]" if parts else str(r["effect"])
