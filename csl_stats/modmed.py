"""Moderated mediation: conditional indirect effects (PROCESS models 7, 8, 14, 15, 58 and 59).

A front end of the general conditional process engine (:mod:`csl_stats._process_engine`,
PROCESS templates 7, 8, 14, 15, 58 and 59), with the conventions of PROCESS 2 (probe
values at the mean and +-1 SD); :func:`csl_stats.process` offers every template.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from . import _validation as v
from ._bootstrap import Engine
from ._process_engine import build_model, derivative, evaluate
from ._process_templates import TEMPLATES
from ._results import Result, result_dataclass
from .errors import ArgumentError, ArgumentTypeError
from .mediation import (
    _labels,
    _single,
    check_options,
    effects_frame,
    paths_table,
    prepare,
    run_intervals,
)

__all__ = ["moderated_mediation", "ModeratedMediationResult"]

STAGES = {"first": 7, "second": 14, "both": 58}
#: model numbers when W also moderates the direct effect
STAGES_DIRECT = {"first": 8, "second": 15, "both": 59}


@result_dataclass
class ModeratedMediationResult(Result):
    """Result of :func:`moderated_mediation`.

    Attributes
    ----------
    effects : DataFrame
        Indexed by effect name, with columns ``mediator``, ``w`` (the value of the
        moderator, NaN when not conditional), ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``delta_se``, ``z``, ``p``. Rows: ``direct`` (c', models 7, 14, 58)
        or, with ``moderate_direct=True``, the conditional direct effects
        ``direct[W=value]`` and their slope ``index[direct]`` (models 8, 15, 59);
        ``indirect[M|W=value]``, the conditional indirect
        effect at each value of W; ``index[M]``, the index of moderated mediation
        (models 7 and 14); for model 58 (``stage="both"``), where the indirect effect
        is quadratic in W and no single index exists, the pairwise contrasts
        ``contrast[M|W=v2 vs v1]`` of conditional indirect effects.
    paths : DataFrame
        Every slope (``a[M]``, ``a_int[M]`` for X*W, ``b[M]``, ``b_int[M]`` for M*W,
        ``c'``, others as ``outcome~predictor``) with se, t, p, n and r2 of its regression.
    boot_draws : ndarray, shape (n_boot, len(effects))
        Bootstrap (or Monte Carlo) draws, columns in the order of ``effects.index``.
    """

    effects: pd.DataFrame
    paths: pd.DataFrame
    boot_draws: np.ndarray = dataclasses.field(repr=False)
    x: str
    y: str
    w: str
    mediators: tuple[str, ...] = dataclasses.field(repr=False)
    values: tuple[float, ...] = dataclasses.field(repr=False)
    stage: str
    moderate_direct: bool
    model: int
    y_family: str
    n: int
    n_dropped: int
    n_boot: int
    ci: float
    ci_method: str
    n_failed: int

    _title = "Moderated mediation"

    _frame = "effects"

    @property
    def conditional(self) -> pd.DataFrame:
        """The conditional indirect effects (one row per mediator and value of W)."""
        return self.effects[self.effects.index.str.startswith("indirect[")]

    @property
    def index(self) -> pd.DataFrame:
        """Index of moderated mediation per mediator (empty for ``stage="both"``)."""
        e = self.effects
        return e[e.index.str.startswith("index[") & e["mediator"].notna()]

    def draws(self, effect: str) -> np.ndarray:
        """The bootstrap (or Monte Carlo) draws of one effect."""
        if effect not in self.effects.index:
            raise ArgumentError(f"effect must be one of {list(self.effects.index)}; got {effect!r}.")
        return self.boot_draws[:, self.effects.index.get_loc(effect)]


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def moderated_mediation(
    data: pd.DataFrame,
    x: Hashable,
    m: Hashable | Sequence[Hashable],
    y: Hashable,
    w: Hashable,
    *,
    stage: str = "first",
    covariates: Hashable | Sequence[Hashable] | None = None,
    values: Sequence[float] | None = None,
    moderate_direct: bool = False,
    y_family: str = "gaussian",
    n_boot: int = 5000,
    ci: float = 0.95,
    ci_method: str = "percentile",
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
    nan_policy: str = "listwise",
) -> ModeratedMediationResult:
    r"""Conditional indirect effects of ``x`` on ``y`` through ``m``, moderated by ``w``.

    Parameters
    ----------
    data : DataFrame
    x, y, w : antecedent, outcome and moderator columns.
    m : mediator column, or a list of parallel mediators.
    stage : ``"first"`` (W moderates X -> M, PROCESS model 7), ``"second"`` (W moderates
        M -> Y, model 14) or ``"both"`` (model 58).
    covariates : column name(s) entered in every equation.
    moderate_direct : also let W moderate the direct effect X -> Y (adds X*W to the
        outcome equation: PROCESS models 8, 15 and 59 instead of 7, 14 and 58).
    values : values of W at which to condition. Default: the two values of a
        dichotomous W, else mean - SD, mean, mean + SD (SD with n - 1) of W in the
        complete cases, the PROCESS 2 rule (PROCESS 3+ uses the 16th, 50th and 84th
        percentiles by default; pass them here to reproduce it).
    y_family, n_boot, ci, ci_method, rng, progress, nan_policy : as in
        :func:`csl_stats.mediation`.

    Returns
    -------
    ModeratedMediationResult

    Raises
    ------
    ModelSpecificationError
        A column plays two roles (e.g. ``w`` equal to ``x`` or a mediator).
    ConstantError, InsufficientDataError, DataError, CollinearityError, ArgumentError
        As in :func:`csl_stats.mediation`; ``ArgumentError`` also for an unknown
        ``stage`` or repeated ``values``.

    Notes
    -----
    Products are formed from the raw (uncentred) variables, as PROCESS does by
    default; conditional effects and indices do not depend on centring.

    - Model 7: :math:`M = i + a_1 X + a_2 W + a_3 XW`, :math:`Y = i + c'X + bM`;
      conditional indirect effect :math:`(a_1 + a_3 w) b`, index :math:`a_3 b`.
    - Model 14: :math:`M = i + aX`, :math:`Y = i + c'X + b_1 M + b_2 W + b_3 MW`;
      :math:`a (b_1 + b_3 w)`, index :math:`a b_3`.
    - Model 58: both; :math:`(a_1 + a_3 w)(b_1 + b_3 w)` is quadratic in :math:`w`, so
      there is no index of moderated mediation (Hayes 2015). We report instead the
      pairwise differences of the conditional indirect effects at the chosen
      values (``contrast[M|W=v2 vs v1]``) with their intervals; an interval that
      excludes zero says the indirect effect differs between those two values.

    With ``moderate_direct=True`` the outcome equation also holds :math:`W` and
    :math:`XW`, :math:`Y = \dots + c'_1 X + c'_3 XW`, and the conditional direct effect
    :math:`c'_1 + c'_3 w` is reported at the same values (``index[direct]`` = :math:`c'_3`).
    Leaving out a moderation of the direct path that is present can make a
    second-stage index look significant when X and M are correlated: the omitted
    :math:`XW` term is partly picked up by :math:`MW`.

    Covariates enter every equation. With a binary outcome (``y_family="binomial"``)
    :math:`b` and the indirect effects are on the log-odds scale of ``y``.
    The index is a linear function of :math:`w`'s effect on the indirect effect:
    the conditional indirect effect changes by the index per unit of W (Hayes 2015).

    References
    ----------
    Hayes, A. F. (2015). An index and test of linear moderated mediation.
    *Multivariate Behavioral Research*, 50, 1-22.
    Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional
    process analysis* (3rd ed.). Guilford.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import csl_stats
    >>> g = np.random.default_rng(2)
    >>> sat, swc = g.normal(size=400), g.normal(size=400)
    >>> trust = 0.5 * sat + 0.3 * sat * swc + g.normal(size=400)
    >>> loy = 0.4 * trust + g.normal(size=400)
    >>> df = pd.DataFrame({"sat": sat, "swc": swc, "trust": trust, "loy": loy})
    >>> res = csl_stats.moderated_mediation(df, "sat", "trust", "loy", "swc", n_boot=500, rng=1)
    >>> res.model
    7
    >>> print(f"{res.effects.at['index[trust]', 'estimate']:.3f}")
    0.076
    """
    n_boot, ci, rng = check_options(n_boot, ci, ci_method, rng, progress)
    v.check_choice(stage, "stage", list(STAGES))
    if not isinstance(moderate_direct, bool):
        raise ArgumentError(f"moderate_direct must be True or False; got {moderate_direct!r}.")
    v.check_dataframe(data, unique_columns=False)
    xc, yc, wc = _single(data, x, "x"), _single(data, y, "y"), _single(data, w, "w")
    ms = _labels(data, m, "m")
    covs = [] if covariates is None else _labels(data, covariates, "covariates")
    v.check_distinct_roles(x=[xc], m=ms, y=[yc], w=[wc], covariates=covs)  # lists: tuple labels stay whole
    k = len(ms)
    second = stage in ("second", "both")
    n_params = 2 + k + len(covs) + (k if second else 0) + (1 if second or moderate_direct else 0)
    n_params += 1 if moderate_direct else 0
    frame, n_dropped = prepare(
        data, {"x": xc, "m": ms, "y": yc, "w": wc}, covs, y=yc, y_family=y_family,
        nan_policy=nan_policy, n_params=n_params,
    )
    wv = frame[wc].to_numpy()
    if values is None:
        uniq = np.unique(wv)
        vals = tuple(uniq) if uniq.size == 2 else (wv.mean() - wv.std(ddof=1), wv.mean(), wv.mean() + wv.std(ddof=1))
    else:
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise ArgumentTypeError(f"values must be a list of numbers; got {type(values).__name__}.")
        try:
            vals = tuple(float(a) for a in values)
        except (TypeError, ValueError):
            raise ArgumentTypeError(f"values must be a list of numbers; got {values!r}.") from None
        if not vals or len(set(map(_fmt, vals))) != len(vals) or not np.all(np.isfinite(vals)):
            raise ArgumentError(f"values must be distinct finite numbers (at 4 significant digits); got {values!r}.")
    vals = tuple(float(a) for a in vals)

    model, _, _ = build_model(
        frame, TEMPLATES[(STAGES_DIRECT if moderate_direct else STAGES)[stage]],
        x=xc, y=yc, ms=ms, covs=covs, w=wc, y_family=y_family,
    )
    fits = model.fit()
    Z, eqs, names = model.Z, model.equations, model.names

    if moderate_direct:
        labels = [f"direct[{wc}={_fmt(val)}]" for val in vals] + ["index[direct]"]
        mediator_col, w_col = [None] * (len(vals) + 1), [*vals, np.nan]
    else:
        labels, mediator_col, w_col = ["direct"], [None], [np.nan]
    for mc in ms:
        for val in vals:
            labels.append(f"indirect[{mc}|{wc}={_fmt(val)}]")
            mediator_col.append(str(mc))
            w_col.append(val)
        if stage != "both":
            labels.append(f"index[{mc}]")
            mediator_col.append(str(mc))
            w_col.append(np.nan)
    pairs = list(itertools.combinations(range(len(vals)), 2))
    if stage == "both":
        for mc in ms:
            for i, j in pairs:
                labels.append(f"contrast[{mc}|{wc}={_fmt(vals[j])} vs {_fmt(vals[i])}]")
                mediator_col.append(str(mc))
                w_col.append(np.nan)
    points = {"w0": np.asarray(vals)}
    nv = len(vals)
    direct_poly = model.direct(0)
    direct_index = derivative(direct_poly, "w0")
    ind_polys = [model.indirect(0, (j,)) for j in range(k)]
    index_polys = [derivative(p, "w0") for p in ind_polys]

    def effect_fn(coefs: list[np.ndarray], sd: np.ndarray) -> np.ndarray:
        out = [evaluate(direct_poly, coefs, points, nv)]
        if moderate_direct:
            out.append(evaluate(direct_index, coefs, {}, 1))
        else:
            out[0] = out[0][:, :1]
        conds = []
        for j in range(k):
            cond = evaluate(ind_polys[j], coefs, points, nv)
            out.append(cond)
            if stage != "both":
                out.append(evaluate(index_polys[j], coefs, {}, 1))
            conds.append(cond)
        if stage == "both":
            for cond in conds:
                out.extend(cond[:, [jj]] - cond[:, [ii]] for ii, jj in pairs)
        return np.hstack(out)

    engine = Engine(Z, eqs, fits, effect_fn)
    est, draws, se, lo, hi, dse = run_intervals(
        engine, n_boot=n_boot, ci=ci, ci_method=ci_method, rng=rng, progress=progress
    )
    effects = effects_frame(labels, est, se, lo, hi, dse)
    effects.insert(0, "w", w_col)
    effects.insert(0, "mediator", pd.array(mediator_col, dtype=object))

    def label(eq: int, pos: int) -> str:
        key = model.label_of(eq, pos)
        if eq < k:
            if key == ("x0",):
                return f"a[{ms[eq]}]"
            if key == ("w0", "x0"):
                return f"a_int[{ms[eq]}]"
        else:
            if key == ("x0",):
                return "c'"
            if key == ("w0", "x0"):
                return "c'_int"
            if len(key) == 1 and key[0] in model.m:
                return f"b[{ms[model.m.index(key[0])]}]"
            if len(key) == 2 and key[0] in model.m and key[1] == "w0":
                return f"b_int[{ms[model.m.index(key[0])]}]"
        return f"{eqs[eq].name}~{names[model.equations[eq].predictors[pos]]}"

    return ModeratedMediationResult(
        effects=effects,
        paths=paths_table(eqs, fits, names, label),
        boot_draws=draws,
        x=str(xc),
        y=str(yc),
        w=str(wc),
        mediators=tuple(map(str, ms)),
        values=vals,
        stage=stage,
        moderate_direct=moderate_direct,
        model=(STAGES_DIRECT if moderate_direct else STAGES)[stage],
        y_family=y_family,
        n=len(frame),
        n_dropped=n_dropped,
        n_boot=n_boot,
        ci=ci,
        ci_method=ci_method,
        n_failed=engine.n_failed,
    )
