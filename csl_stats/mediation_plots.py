"""Figures for mediation results: path diagram and bootstrap distribution.

matplotlib is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ArgumentError, ArgumentTypeError
from .mediation import MediationResult
from .modmed import ModeratedMediationResult

__all__ = ["plot_paths", "plot_bootstrap"]



def _check_result(result: Any) -> None:
    if not isinstance(result, MediationResult | ModeratedMediationResult):
        raise ArgumentTypeError(
            f"result must be a MediationResult or ModeratedMediationResult; got {type(result).__name__}."
        )

def _label(paths: Any, name: str, digits: int = 2) -> str:
    est, p = paths.at[name, "estimate"], paths.at[name, "p"]
    stars = "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
    return f"{est:.{digits}f}{stars}"


def _box(ax: Any, xy: tuple[float, float], text: str, color: str = "#f2f2f2") -> None:
    ax.text(*xy, text, ha="center", va="center", fontsize=10, zorder=3,
            bbox={"boxstyle": "round,pad=0.5", "fc": color, "ec": "#333333"})


def _arrow(ax: Any, a: tuple[float, float], b: tuple[float, float], text: str, *, offset: float = 0.04,
           rad: float = 0.0, frac: float = 0.5) -> tuple[float, float]:
    ax.annotate("", xy=b, xytext=a, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.3, "shrinkA": 22, "shrinkB": 22,
                            "connectionstyle": f"arc3,rad={rad}"})
    mid = (a[0] + frac * (b[0] - a[0]), a[1] + frac * (b[1] - a[1]) + offset)
    ax.text(*mid, text, ha="center", va="bottom", fontsize=9, zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def plot_paths(result: MediationResult | ModeratedMediationResult, ax: Any = None) -> Any:
    """Draw the path diagram of a fitted (moderated) mediation model.

    Boxes are the variables, arrows the regression paths labelled with their
    unstandardized estimates (``*`` p < .05, ``**`` p < .01, ``***`` p < .001);
    the x -> y arrow shows c' and, for a continuous outcome of
    :func:`~csl_stats.mediation`, the total effect c in brackets. For a moderated
    mediation the moderator W points at the path(s) it moderates, labelled with
    the interaction coefficient; the labels of the moderated paths are then their
    slopes at W = 0 (PROCESS's a1, b1, c'1), which need not lie in the data range.

    Parameters
    ----------
    result : MediationResult or ModeratedMediationResult
    ax : matplotlib Axes, optional (a new figure otherwise).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    _check_result(result)
    ms = result.mediators
    k = len(ms)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 2.6 + 0.9 * k))
    p = result.paths
    X, Y = (0.0, 0.0), (1.0, 0.0)
    serial = isinstance(result, MediationResult) and result.serial
    if serial:
        pos = {m: (0.12 + 0.76 * j / (k - 1), 0.9) for j, m in enumerate(ms)}
    else:
        pos = {m: (0.5, 0.6 + 0.5 * (k - 1 - j)) for j, m in enumerate(ms)}
    for m in ms:
        _box(ax, pos[m], m)
    _box(ax, X, result.x)
    _box(ax, Y, result.y)
    a_mid, b_mid = {}, {}
    for j, m in enumerate(ms):
        fa, fb = (0.3 + 0.4 * j / (k - 1), 0.7 - 0.4 * j / (k - 1)) if serial else (0.5, 0.5)
        a_mid[m] = _arrow(ax, X, pos[m], f"a = {_label(p, f'a[{m}]')}", offset=0.02, frac=fa)
        b_mid[m] = _arrow(ax, pos[m], Y, f"b = {_label(p, f'b[{m}]')}", offset=0.02, frac=fb)
        if serial:
            for i, prev in enumerate(ms[:j]):
                far = j - i > 1
                _arrow(ax, pos[prev], pos[m], f"d = {_label(p, f'd[{prev}->{m}]')}",
                       offset=0.25 if far else 0.03, rad=-0.35 if far else 0.0)
    direct = "c' = " + _label(p, "c'")
    if "c" in p.index:
        direct += f"  (c = {_label(p, 'c')})"
    c_mid = _arrow(ax, X, Y, direct, offset=-0.12)
    top = max(y for _, y in pos.values())
    if isinstance(result, ModeratedMediationResult):
        W = (0.5, top + 0.55)
        _box(ax, W, result.w, color="#fde9c9")
        for m in ms:
            if result.stage in ("first", "both"):
                _arrow(ax, W, a_mid[m], f"{_label(p, f'a_int[{m}]')}", offset=0.0)
            if result.stage in ("second", "both"):
                _arrow(ax, W, b_mid[m], f"{_label(p, f'b_int[{m}]')}", offset=0.0)
        if result.moderate_direct:
            target = (0.2, c_mid[1])
            ax.annotate("", xy=target, xytext=W, zorder=1,
                        arrowprops={"arrowstyle": "-|>", "color": "#777777", "lw": 1.0, "ls": "--",
                                    "shrinkA": 14, "shrinkB": 2, "connectionstyle": "arc3,rad=0.5"})
            ax.text(0.02, 0.3 * W[1], _label(p, "c'_int"), fontsize=9, color="#555555")
        top = W[1]
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.35, top + 0.3)
    ax.set_axis_off()
    return ax


def plot_bootstrap(
    result: MediationResult | ModeratedMediationResult,
    effect: str = "indirect",
    ax: Any = None,
    bins: int = 60,
) -> Any:
    """Histogram of the bootstrap (or Monte Carlo) draws of one effect.

    Marks the point estimate (solid), the interval limits of ``result.ci_method``
    (dashed) and zero (dotted). Uses ``result.boot_draws``.

    Parameters
    ----------
    result : MediationResult or ModeratedMediationResult
    effect : a label of ``result.effects.index`` (default the total indirect effect;
        for a moderated mediation pass e.g. ``"index[M]"``).
    ax : matplotlib Axes, optional.
    bins : number of histogram bins.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    _check_result(result)
    if effect not in result.effects.index:
        raise ArgumentError(f"effect must be one of {list(result.effects.index)}; got {effect!r}.")
    d = result.draws(effect)
    d = d[~np.isnan(d)]
    row = result.effects.loc[effect]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.5))
    ax.hist(d, bins=bins, color="#9ecae1", edgecolor="white")
    ax.axvline(row["estimate"], color="#08519c", lw=2, label="estimate")
    ax.axvline(row["ci_low"], color="#08519c", ls="--", lw=1.3,
               label=f"{result.ci:.0%} {result.ci_method} interval")
    ax.axvline(row["ci_high"], color="#08519c", ls="--", lw=1.3)
    ax.axvline(0.0, color="#a50f15", ls=":", lw=1.3, label="zero")
    what = "Monte Carlo" if result.ci_method == "montecarlo" else "bootstrap"
    ax.set_xlabel(effect)
    ax.set_ylabel(f"{what} draws (of {d.size})")
    ax.legend(frameon=False, fontsize=8)
    return ax
