"""Figures for mediation results: path diagram and bootstrap distribution.

matplotlib is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import ArgumentError, ArgumentTypeError
from .mediation import MediationResult
from .modmed import ModeratedMediationResult

__all__ = ["plot_paths", "plot_bootstrap", "plot_conditional_indirect", "plot_template"]



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
           rad: float = 0.0, frac: float = 0.5, shrink_b: float = 22) -> tuple[float, float]:
    ax.annotate("", xy=b, xytext=a, zorder=2,
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.3, "shrinkA": 22, "shrinkB": shrink_b,
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


def plot_conditional_indirect(result: Any, path: str | None = None, x: str | None = None, ax: Any = None) -> Any:
    """Conditional indirect effect along a continuous moderator with its bootstrap band (floodlight).

    Draws, for one indirect route of a :class:`~csl_stats.ProcessResult`, the estimate on the grid
    of ``result.floodlight`` with its pointwise ``ci`` band (one line per probed value of the other
    moderator, if any), marks zero, and shades the stretches of the moderator where the band excludes
    zero. The probed conditional indirect effects are shown as points with their intervals.

    Parameters
    ----------
    result : ProcessResult
    path : the mediator (or chain ``"M1->M2"``) to draw; default the first.
    x : the code of a multicategorical X to draw; default the first.
    ax : matplotlib Axes, optional.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from .conditional_process import ProcessResult

    if not isinstance(result, ProcessResult):
        raise ArgumentTypeError(f"result must be a ProcessResult; got {type(result).__name__}.")
    fl = result.floodlight
    if fl is None:
        raise ArgumentError(
            f"model {result.model} has no conditional indirect effect along a continuous moderator "
            "(no mediator, or only dichotomous/multicategorical moderators on the indirect path)."
        )
    paths = list(dict.fromkeys(fl["path"]))
    path = paths[0] if path is None else path
    if path not in paths:
        raise ArgumentError(f"path must be one of {paths}; got {path!r}.")
    sub = fl[fl["path"] == path]
    if "x" in fl:
        codes = list(dict.fromkeys(sub["x"]))
        x = codes[0] if x is None else x
        if x not in codes:
            raise ArgumentError(f"x must be one of {codes}; got {x!r}.")
        sub = sub[sub["x"] == x]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    along = sub["along"].iloc[0]
    groups = [g for _, g in sub.groupby("at", dropna=False, sort=False)]
    other = "z" if along == result.w else "w"
    other_name = result.z if other == "z" else result.w
    for k, g in enumerate(groups):
        at = g["at"].iloc[0]
        lab = "estimate" if pd.isna(at) else f"{other_name} = {at:.3g}" if isinstance(at, float) else f"{other_name} = {at}"
        ax.plot(g["value"], g["estimate"], color=f"C{k}", lw=2, label=lab)
        ax.fill_between(g["value"], g["ci_low"], g["ci_high"], color=f"C{k}", alpha=0.18)
        if len(groups) == 1:
            sig = g["significant"].to_numpy()
            vals = g["value"].to_numpy()
            step = (vals[-1] - vals[0]) / (len(vals) - 1)
            for val, s in zip(vals, sig, strict=True):
                if s:
                    ax.axvspan(val - step / 2, val + step / 2, color="#2ca02c", alpha=0.06, lw=0)
    ci = result.conditional_indirect
    ci = ci[ci["path"] == path]
    if "x" in ci:
        ci = ci[ci["x"] == x]
    if along in (result.w, result.z) and len(groups) == 1:
        col = "w" if along == result.w else "z"
        ax.errorbar(ci[col], ci["estimate"], yerr=[ci["estimate"] - ci["ci_low"], ci["ci_high"] - ci["estimate"]],
                    fmt="o", color="#08519c", capsize=3, label="probed values")
    ax.axhline(0.0, color="#a50f15", ls=":", lw=1.2)
    ax.set_xlabel(along)
    ax.set_ylabel(f"indirect effect of {result.x} via {path}")
    what = "Monte Carlo" if result.ci_method == "montecarlo" else "bootstrap"
    ax.set_title(f"Model {result.model}: {result.ci:.0%} pointwise {what} band", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_template(model: Any, ax: Any = None) -> Any:
    """Conceptual diagram of a PROCESS model template.

    Boxes for X, the mediator(s), Y and the moderators; arrows for the paths; a moderator's arrow
    points at the path it moderates, and in a three-way (moderated moderation) template Z's arrow
    points at W's. Pass a model number (generic names X, M, W, Z, Y) or a
    :class:`~csl_stats.ProcessResult` (its variable names).

    Parameters
    ----------
    model : int or ProcessResult
    ax : matplotlib Axes, optional.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from ._process_templates import get_template
    from .conditional_process import ProcessResult

    if isinstance(model, ProcessResult):
        t = get_template(model.model)
        names = {"x": model.x, "y": model.y, "w": model.w or "W", "z": model.z or "Z"}
        ms = list(model.mediators)
    else:
        t = get_template(model)
        names = {"x": "X", "y": "Y", "w": "W", "z": "Z"}
        ms = t.generic_mediators()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.6))
    X, Y = (0.0, 0.0), (1.0, 0.0)
    k = len(ms)
    if t.mediators == "serial":
        pos = {m: (0.15 + 0.7 * j / max(k - 1, 1), 0.75) for j, m in enumerate(ms)}
    elif t.mediators == "parallel-serial":  # M1..Mk-1 stacked, feeding Mk
        pos = {m: (0.3, 0.75 + 0.4 * (k - 2 - j)) for j, m in enumerate(ms[:-1])}
        pos[ms[-1]] = (0.72, 0.75 + 0.2 * (k - 2))
    elif t.mediators == "serial-parallel":  # M1 feeding M2..Mk stacked
        pos = {ms[0]: (0.28, 0.75 + 0.2 * (k - 2))}
        pos.update({m: (0.72, 0.75 + 0.4 * (k - 1 - j)) for j, m in enumerate(ms) if j})
    elif t.mediators == "two-chains":
        pos = {ms[0]: (0.28, 1.15), ms[1]: (0.72, 1.15), ms[2]: (0.28, 0.6), ms[3]: (0.72, 0.6)}
    else:
        pos = {m: (0.5, 0.75 + 0.4 * (k - 1 - j)) for j, m in enumerate(ms)}
    _box(ax, X, names["x"])
    _box(ax, Y, names["y"])
    for m in ms:
        _box(ax, pos[m], m)
    at = {"x": X, "y": Y, **{f"m{j}": pos[m] for j, m in enumerate(ms)}}
    mids: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": [], "d": []}
    for path, src, dst, mod in t.arrows(k):
        mid = _arrow(ax, at[src], at[dst], "")
        if mod:  # moderated: the moderator's arrow ends at the middle of this one
            mids[path].append(mid)
    top = max([y for _, y in pos.values()], default=0.0)
    mod_pos = {"w": (0.25, top + 0.55), "z": (0.75, top + 0.55)}
    shown = t.roles - {"x"}  # model 74: X itself moderates, no extra box
    if len(shown) == 1:  # one moderator: above the path(s) it moderates, clear of the mediator box
        (role,) = shown
        hits = [p for p in ("a", "b", "c", "d") if any(role in term for term in t.path(p))]
        targets = [pt for p in hits for pt in mids[p]]
        mod_pos[role] = (float(np.clip(np.mean([pt[0] for pt in targets]), 0.1, 0.9)), top + 0.55)
    if t.mediators == "none":
        mod_pos = {"w": (0.5, 0.7), "z": (0.5, -0.7)}
    mod_pos["x"] = X
    for role in sorted(shown):
        _box(ax, mod_pos[role], names[role], color="#fde9c9")
    three_way_w_targets = []
    for path in ("a", "b", "c", "d"):
        for term in t.path(path):
            if len(term) != 1:
                continue
            role = term[0]
            three = any(len(tt) == 2 for tt in t.path(path))
            for target in mids[path]:
                if role == "z" and three:
                    continue
                _arrow(ax, mod_pos[role], target, "", rad=-0.3 if role == "x" else 0.0, shrink_b=3)
                if role == "w" and three:
                    three_way_w_targets.append(target)
    for target in three_way_w_targets:  # Z moderates W's moderation: arrow to the middle of W's arrow
        w0 = mod_pos["w"]
        mid = ((w0[0] + target[0]) / 2, (w0[1] + target[1]) / 2)
        ax.annotate("", xy=mid, xytext=mod_pos["z"], zorder=2,
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.3, "shrinkA": 22, "shrinkB": 2})
    ys = [y for _, y in [*pos.values(), *(mod_pos[r] for r in shown)]] + [0.0]
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(min(ys) - 0.35, max(ys) + 0.35)
    ax.set_title(f"PROCESS model {t.number}: {t.description}", fontsize=10)
    ax.set_axis_off()
    return ax
