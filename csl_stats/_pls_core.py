"""Numerical core of PLS path modelling (used by :mod:`csl_stats.pls`).

Model specification checks, Lohmoller's iterative algorithm as implemented
in seminr's ``simplePLS`` (so that results agree with seminr), the
quantities derived from the outer weights, and the nonparametric bootstrap.
Everything here works on numpy arrays; :mod:`csl_stats.pls` wraps it in
the public API and the result object.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import stacklevel
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    CollinearityError,
    ConvergenceWarning,
    ModelSpecificationError,
)

__all__ = [
    "ModelSpec",
    "Fit",
    "parse_model",
    "fit_pls",
    "estimates_from_weights",
    "orient",
    "reliability",
    "htmt",
    "boot_summary",
    "bootstrap",
    "inner_vif_f2",
    "outer_vif",
    "implied_construct_cor",
    "srmr_composite",
    "implied_indicator_cor",
    "consistent",
]

SCHEMES = ("path", "centroid", "factorial")


@dataclass(frozen=True)
class ModelSpec:
    """A checked PLS model: construct order, blocks and the structural adjacency."""

    constructs: list[str]
    indicators: list[Hashable]  # all indicators, block by block
    blocks: list[np.ndarray]  # column positions of each construct's indicators
    mode_b: np.ndarray  # bool per construct
    adjacency: np.ndarray  # P[i, j] = 1 for a path i -> j
    paths: list[tuple[str, str]]  # in the user's order

    @property
    def mask(self) -> np.ndarray:
        """Indicator x construct 0/1 membership matrix."""
        m = np.zeros((len(self.indicators), len(self.constructs)))
        for j, b in enumerate(self.blocks):
            m[b, j] = 1.0
        return m

    @property
    def endogenous(self) -> list[int]:
        return [j for j in range(len(self.constructs)) if self.adjacency[:, j].any()]


def _find_cycle(names: list[str], adjacency: np.ndarray) -> list[str] | None:
    """Return one directed cycle as a list of names (first == last), or None."""
    q = len(names)
    state = [0] * q  # 0 new, 1 on stack, 2 done
    stack: list[int] = []

    def visit(i: int) -> list[int] | None:
        state[i] = 1
        stack.append(i)
        for j in np.flatnonzero(adjacency[i]):
            if state[j] == 1:
                return [*stack[stack.index(int(j)) :], int(j)]
            if state[j] == 0:
                found = visit(int(j))
                if found:
                    return found
        stack.pop()
        state[i] = 2
        return None

    for i in range(q):
        if state[i] == 0:
            cyc = visit(i)
            if cyc:
                return [names[k] for k in cyc]
    return None


def parse_model(
    measurement: Any,
    structural: Any,
    modes: Any,
) -> ModelSpec:
    """Check the measurement model, the structural model and ``modes``."""
    if not isinstance(measurement, Mapping) or not measurement:
        raise ArgumentTypeError(
            "measurement must be a non-empty dict mapping each construct to its indicator columns, "
            f"e.g. {{'Satisfaction': ['sat1', 'sat2', 'sat3']}}; got {type(measurement).__name__}."
        )
    constructs: list[str] = []
    indicators: list[Hashable] = []
    owner: dict[Hashable, str] = {}
    blocks: list[np.ndarray] = []
    for name, items in measurement.items():
        if not isinstance(name, str):
            raise ArgumentTypeError(f"construct names must be strings; got {name!r}.")
        if isinstance(items, str):
            items = [items]
        try:
            items = list(items)
        except TypeError:
            raise ArgumentTypeError(
                f"measurement[{name!r}] must be a list of indicator columns; got {type(items).__name__}."
            ) from None
        if not items:
            raise ModelSpecificationError(
                f"construct {name!r} has no indicators; give at least one column in measurement[{name!r}]."
            )
        start = len(indicators)
        for it in items:
            if it in owner:
                where = (
                    f"twice in construct {name!r}"
                    if owner[it] == name
                    else f"in two blocks ({owner[it]!r} and {name!r})"
                )
                raise ModelSpecificationError(
                    f"indicator {it!r} is used {where}; each indicator must measure exactly one construct."
                )
            owner[it] = name
            indicators.append(it)
        constructs.append(name)
        blocks.append(np.arange(start, len(indicators)))

    if isinstance(structural, str) or not isinstance(structural, Sequence) or not structural:
        raise ModelSpecificationError(
            "structural must be a non-empty list of (from, to) pairs, e.g. "
            f"[('Value', 'Satisfaction')]; got {structural!r}."
        )
    index = {c: k for k, c in enumerate(constructs)}
    q = len(constructs)
    adjacency = np.zeros((q, q))
    paths: list[tuple[str, str]] = []
    for pair in structural:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ModelSpecificationError(f"each structural path must be a (from, to) pair; got {pair!r}.")
        a, b = pair
        for c in (a, b):
            if c not in index:
                close = difflib.get_close_matches(str(c), constructs, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ModelSpecificationError(
                    f"structural path {a!r} -> {b!r}: construct {c!r} is not in the measurement model{hint}. "
                    f"Constructs: {constructs}."
                )
        if a == b:
            raise ModelSpecificationError(f"the structural model has a cycle: {a} -> {a} (a self-loop).")
        if adjacency[index[a], index[b]]:
            raise ModelSpecificationError(f"structural path {a!r} -> {b!r} is listed twice.")
        adjacency[index[a], index[b]] = 1.0
        paths.append((a, b))
    cycle = _find_cycle(constructs, adjacency)
    if cycle:
        raise ModelSpecificationError(
            f"the structural model has a cycle: {' -> '.join(cycle)}. PLS path models must be recursive "
            "(no feedback loops)."
        )
    lonely = [c for k, c in enumerate(constructs) if not adjacency[k].any() and not adjacency[:, k].any()]
    if lonely:
        raise ModelSpecificationError(
            f"construct(s) {lonely} are not connected to any other construct in the structural model; "
            "add a path or remove them from measurement."
        )

    mode_b = np.zeros(q, dtype=bool)
    if modes is not None:
        if not isinstance(modes, Mapping):
            raise ArgumentTypeError(f"modes must be a dict such as {{'Value': 'B'}}; got {type(modes).__name__}.")
        for name, mode in modes.items():
            if name not in index:
                raise ModelSpecificationError(f"modes: construct {name!r} is not in the measurement model.")
            if mode not in ("A", "B"):
                raise ArgumentError(f"modes[{name!r}] must be 'A' (reflective) or 'B' (formative); got {mode!r}.")
            mode_b[index[name]] = mode == "B"
    return ModelSpec(constructs, indicators, blocks, mode_b, adjacency, paths)


def _center(x: np.ndarray) -> np.ndarray:
    n = x.shape[-2]
    return x - ((np.ones(n) @ x) / n)[..., None, :]  # matmul: faster than mean() over axis -2


def _sd(x: np.ndarray) -> np.ndarray:
    """Column standard deviations (n-1) over axis -2, shape (..., 1, columns)."""
    xc = _center(x)
    return np.sqrt((np.ones(x.shape[-2]) @ (xc * xc)) / (x.shape[-2] - 1))[..., None, :]


def standardize(x: np.ndarray) -> np.ndarray:
    """Centre each column and divide by its n-1 standard deviation (rows on axis -2)."""
    xc = _center(x)
    return xc / np.sqrt((np.ones(x.shape[-2]) @ (xc * xc)) / (x.shape[-2] - 1))[..., None, :]


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _regress(r: np.ndarray, preds: np.ndarray, target: int) -> np.ndarray:
    """Standardized OLS coefficients of ``target`` on ``preds`` from (stacked) correlation matrices."""
    try:
        return np.linalg.solve(r[..., preds[:, None], preds], r[..., preds, target][..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise CollinearityError("construct scores are perfectly collinear; the structural regressions fail.") from None


def _inner_weights(y: np.ndarray, spec: ModelSpec, scheme: str, n: int) -> np.ndarray:
    r = (_t(y) @ y) / (n - 1)  # y is standardized, so this is the correlation matrix
    return _inner_from_cor(r, spec, scheme)


def _inner_from_cor(r: np.ndarray, spec: ModelSpec, scheme: str) -> np.ndarray:
    """Inner weights of the scheme from the correlations ``r`` of the outer proxies (batch-aware)."""
    p = spec.adjacency
    if scheme == "factorial":
        return r * (p + p.T)
    if scheme == "centroid":
        return np.sign(r) * (p + p.T)
    e = r * p.T  # successors enter with their correlation
    for j in spec.endogenous:
        preds = np.flatnonzero(p[:, j])
        e[..., preds, j] = _regress(r, preds, j)  # predecessors enter with regression weights
    return e


@dataclass
class Fit:
    weights: np.ndarray  # (..., indicator, construct), zeros off-block
    iterations: np.ndarray  # (...,) passes until convergence (max_iter if not converged)
    converged: np.ndarray  # (...,) bool


def fit_pls(xs: np.ndarray, spec: ModelSpec, scheme: str, max_iter: int, tol: float) -> Fit:
    """Lohmoller's PLS algorithm on standardized indicators ``xs`` (seminr's simplePLS).

    Outer weights start at one; each pass computes standardized outer
    proxies, inner proxies from the weighting scheme (standardized), new
    outer weights (Mode A: covariances; Mode B: multiple regression) and
    rescales them so that the outer proxies have unit variance. It stops
    when the sum of absolute changes in the weights is below ``tol``.
    Every quantity of a pass is a function of the indicator covariance
    matrix, so the passes work on it (``p x p``) rather than on the
    ``n x p`` data: the same algorithm, several times faster for stacks of
    resamples or permutations.

    ``xs`` is ``(n, p)`` or a stack ``(B, n, p)`` of data sets (bootstrap
    resamples), which are iterated together; each one's weights are frozen
    at the pass where it converged, so the result for every member equals
    its own separate fit.
    """
    n = xs.shape[-2]
    mask = spec.mask
    batch = xs.shape[:-2]
    w = np.broadcast_to(mask, (*batch, *mask.shape)).copy()
    modeb_blocks = [(j, spec.blocks[j]) for j in np.flatnonzero(spec.mode_b)]
    rxx = {j: (_t(xs[..., b]) @ xs[..., b]) / (n - 1) for j, b in modeb_blocks}
    xc = _center(xs)
    s = (_t(xc) @ xc) / (n - 1)  # indicator covariances: every step below needs only these
    active = np.ones(batch, dtype=bool)
    iterations = np.full(batch, max_iter)
    it = 0
    while it < max_iter and active.any():
        it += 1
        # outer proxies y = standardize(xs w): their correlations r and cov(xs, y) = s w / sd(xs w)
        sw = s @ w
        cw = _t(w) @ sw
        d = np.sqrt(np.diagonal(cw, axis1=-2, axis2=-1))
        r = cw / (d[..., :, None] * d[..., None, :])
        e = _inner_from_cor(r, spec, scheme)
        # inner proxies z = standardize(y e); Mode A weights cov(xs, z) = (s w / d) e / sd(y e)
        sz = np.sqrt(np.diagonal(_t(e) @ r @ e, axis1=-2, axis2=-1))
        w_new = (((sw / d[..., None, :]) @ e) / sz[..., None, :]) * mask
        for j, b in modeb_blocks:
            try:
                w_new[..., b, j] = np.linalg.solve(rxx[j], w_new[..., b, j][..., None])[..., 0]
            except np.linalg.LinAlgError:
                raise CollinearityError(
                    f"the indicators of Mode B construct {spec.constructs[j]!r} are perfectly collinear."
                ) from None
        w_new = w_new / np.sqrt(np.diagonal(_t(w_new) @ s @ w_new, axis1=-2, axis2=-1))[..., None, :]
        diff = np.abs(w_new - w).sum(axis=(-2, -1))
        w = np.where(active[..., None, None], w_new, w)
        done = active & (diff < tol)
        iterations = np.where(done, it, iterations)
        active = active & ~done
    return Fit(w, iterations, ~active)


def estimates_from_weights(xs: np.ndarray, w: np.ndarray, spec: ModelSpec) -> dict[str, np.ndarray]:
    """Scores, loadings, path coefficients, R2 and total effects implied by weights ``w`` (batch-aware)."""
    n = xs.shape[-2]
    scores = xs @ w
    loadings = ((_t(xs) @ scores) / (n - 1)) * spec.mask
    zs = standardize(scores)
    r = (_t(zs) @ zs) / (n - 1)
    q = w.shape[-1]
    beta = np.zeros(r.shape)
    r2 = np.full(r.shape[:-1], np.nan)
    for j in spec.endogenous:
        preds = np.flatnonzero(spec.adjacency[:, j])
        b = _regress(r, preds, j)
        beta[..., preds, j] = b
        r2[..., j] = (b * r[..., preds, j]).sum(axis=-1)
    total = np.linalg.inv(np.eye(q) - beta) - np.eye(q)
    return {"scores": scores, "loadings": loadings, "beta": beta, "r2": r2, "total": total}


def orient(xs: np.ndarray, w: np.ndarray, spec: ModelSpec, reference: np.ndarray | None = None) -> np.ndarray:
    """Fix the sign of each construct's weights (batch-aware).

    Without ``reference``: the construct is oriented so that the sum of its
    loadings is positive (its score goes with the majority of its
    indicators). With ``reference`` (loadings of the original sample): the
    construct is reversed when that brings its loadings closer to the
    reference (Tenenhaus et al. 2005, construct-level sign change).
    """
    n = xs.shape[-2]
    lo = ((_t(xs) @ (xs @ w)) / (n - 1)) * spec.mask
    if reference is None:
        flip = lo.sum(axis=-2) < 0
    else:
        flip = np.abs(reference - lo).sum(axis=-2) > np.abs(reference + lo).sum(axis=-2)
    return w * np.where(flip, -1.0, 1.0)[..., None, :]


def reliability(xs: np.ndarray, w: np.ndarray, loadings: np.ndarray, spec: ModelSpec) -> pd.DataFrame:
    n = xs.shape[0]
    rows = []
    for j, b in enumerate(spec.blocks):
        k = len(b)
        if spec.mode_b[j]:
            rows.append((np.nan, np.nan, np.nan, np.nan))
            continue
        if k == 1:
            rows.append((1.0, 1.0, 1.0, 1.0))
            continue
        s = (xs[:, b].T @ xs[:, b]) / (n - 1)
        alpha = k / (k - 1) * (1 - k / s.sum())
        wj = w[b, j]
        off = s - np.diag(np.diag(s))
        ww = np.outer(wj, wj)
        ww_off = ww - np.diag(np.diag(ww))
        rho_a = (wj @ wj) ** 2 * (wj @ off @ wj) / (wj @ ww_off @ wj)
        lam = loadings[b, j]
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
        ave = float(np.mean(lam**2))
        rows.append((alpha, rho_a, rho_c, ave))
    return pd.DataFrame(rows, index=spec.constructs, columns=["alpha", "rhoA", "rhoC", "AVE"])


def htmt(xs: np.ndarray, spec: ModelSpec) -> pd.DataFrame:
    r = np.abs(np.corrcoef(xs, rowvar=False))  # absolute correlations, as seminr and SmartPLS
    q = len(spec.constructs)
    out = np.full((q, q), np.nan)

    def mono(b: np.ndarray) -> float:
        if len(b) == 1:
            return 1.0
        sub = r[np.ix_(b, b)]
        return float(sub[np.triu_indices(len(b), 1)].mean())

    for i in range(q):
        for j in range(i + 1, q):
            bi, bj = spec.blocks[i], spec.blocks[j]
            out[i, j] = out[j, i] = r[np.ix_(bi, bj)].mean() / np.sqrt(mono(bi) * mono(bj))
    return pd.DataFrame(out, index=spec.constructs, columns=spec.constructs)


def boot_summary(est: np.ndarray, reps: np.ndarray, ci: float) -> dict[str, np.ndarray]:
    """se, percentile CI, t and two-sided p from bootstrap replicates (axis 0)."""
    a = (1 - ci) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.nanstd(reps, axis=0, ddof=1)
        lo, hi = np.nanquantile(reps, [a, 1 - a], axis=0)
        t = est / se
    df = max(int(np.sum(np.isfinite(reps.reshape(reps.shape[0], -1)[:, 0]))) - 1, 1)
    p = 2 * stats.t.sf(np.abs(t), df)
    return {"se": se, "ci_low": lo, "ci_high": hi, "t": t, "p": p}


def index_weights(w: np.ndarray, sd: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Unstandardized weights (w / SD), rescaled to sum to one within each block (batch-aware)."""
    u = w / sd[..., :, None]
    return u / u.sum(axis=-2, keepdims=True)


def index_scores(x_raw: np.ndarray, u: np.ndarray, low: float, high: float) -> np.ndarray:
    """Respondent-level 0-100 indices from raw indicators and rescaled weights."""
    return (x_raw @ u - low) / (high - low) * 100.0


def _boot_chunk(xb: np.ndarray, spec: ModelSpec, scheme: str, max_iter: int, tol: float,
                reference: np.ndarray, sign_change: str, low: float, high: float,
                factor: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Fit a stack of resamples ``xb`` (B, n, p); failed members are NaN."""
    sd = _sd(xb)[:, 0, :]
    xs = _center(xb) / sd[:, None, :]
    fit = fit_pls(xs, spec, scheme, max_iter, tol)
    w = orient(xs, fit.weights, spec)
    if sign_change == "construct":
        w = orient(xs, w, spec, reference=reference)
    est = estimates_from_weights(xs, w, spec)
    if factor is not None and factor.any():
        est.update({k: v for k, v in consistent(xs, w, spec, factor).items() if k in ("beta", "total", "loadings")})
    means = (np.ones(xb.shape[-2]) @ xb) / xb.shape[-2]
    index = index_scores(means[:, None, :], index_weights(w, sd, spec), low, high)[:, 0, :]
    out = {"beta": est["beta"], "total": est["total"], "w": w, "loadings": est["loadings"], "index": index}
    bad = (~fit.converged | ~np.isfinite(w).all(axis=(-2, -1)) | ~np.isfinite(est["total"]).all(axis=(-2, -1))
           | ~np.isfinite(est["loadings"]).all(axis=(-2, -1)))
    for v in out.values():
        v[bad] = np.nan
    return out


def bootstrap(
    x_raw: np.ndarray,
    spec: ModelSpec,
    *,
    scheme: str,
    max_iter: int,
    tol: float,
    n_boot: int,
    rng: np.random.Generator,
    low: float,
    high: float,
    reference_loadings: np.ndarray,
    sign_change: str,
    factor: np.ndarray | None = None,
    max_cells: int = 3_000_000,
    draws: np.ndarray | None = None,
    what: str = "bootstrap replicates",
) -> tuple[dict[str, np.ndarray], int]:
    """Nonparametric bootstrap of every estimate; failed replicates are NaN.

    Resamples are fitted together in stacks of about ``max_cells`` data
    cells (vectorised over resamples); a stack in which a matrix is
    singular is refitted one resample at a time. Returns the stacked
    replicates (``beta``, ``total``, ``w``, ``loadings``, ``index``) and the
    number of failed replicates (non-convergence, constant indicator,
    collinearity or, with ``factor`` (PLSc), an undefined consistent loading
    in the resample). With ``factor`` the paths, total effects and loadings
    of each resample are the PLSc ones. Missing answers (NaN) in ``x_raw`` are
    replaced by the resample's indicator means.

    ``draws`` (optional, ``(B, m)`` row positions) replaces the resampling:
    row ``b`` of the result is the fit to ``x_raw[draws[b]]`` (``rng`` and
    ``n_boot`` are then unused). :func:`csl_stats.pls_mga` passes the group
    parts of random permutations and the rows of each group this way;
    ``what`` names the replicates in the warning.
    """
    if draws is not None:
        n_boot = len(draws)
    n, p = x_raw.shape
    q = len(spec.constructs)
    out = {
        "beta": np.full((n_boot, q, q), np.nan),
        "total": np.full((n_boot, q, q), np.nan),
        "w": np.full((n_boot, p, q), np.nan),
        "loadings": np.full((n_boot, p, q), np.nan),
        "index": np.full((n_boot, q), np.nan),
    }
    if draws is None:
        draws = rng.integers(0, n, size=(n_boot, n))
    m = draws.shape[1]
    step = max(1, max_cells // (m * p))
    args = (spec, scheme, max_iter, tol, reference_loadings, sign_change, low, high, factor)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in range(0, n_boot, step):
            rows = np.arange(start, min(start + step, n_boot))
            xb = x_raw[draws[rows]]
            if np.isnan(xb).any():  # mean replacement (issue 19b): re-done within each resample, as seminr
                xb = np.where(np.isnan(xb), np.nanmean(xb, axis=1, keepdims=True), xb)
            ok = (_sd(xb)[:, 0, :] > 0).all(axis=-1)  # no constant indicator
            rows, xb = rows[ok], xb[ok]
            if not len(rows):
                continue
            try:
                parts = [(rows, _boot_chunk(xb, *args))]
            except (CollinearityError, np.linalg.LinAlgError):
                parts = []
                for k, r in enumerate(rows):
                    try:
                        parts.append((r[None], _boot_chunk(xb[k : k + 1], *args)))
                    except (CollinearityError, np.linalg.LinAlgError):
                        pass
            for r, res in parts:
                for key, v in res.items():
                    out[key][r] = v
    failed = int(np.isnan(out["w"]).any(axis=(-2, -1)).sum())
    if failed:
        warnings.warn(
            f"{failed} of {n_boot} {what} failed (no convergence within {max_iter} "
            "iterations, a constant indicator, collinear scores or, with consistent PLS, an undefined "
            "consistent loading in the resample) and were dropped.",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    return out, failed


# ---------------------------------------------------------------------------
# quality criteria of a fitted model (issue 14): VIF, f2, SRMR
# ---------------------------------------------------------------------------


def _r2_from_cor(r: np.ndarray, preds: Sequence[int], target: int) -> float:
    """R2 of ``target`` regressed on ``preds``, from a correlation matrix (0 without predictors)."""
    preds = list(preds)
    if not preds:
        return 0.0
    rp = r[np.ix_(preds, [target])][:, 0]
    return float(rp @ np.linalg.solve(r[np.ix_(preds, preds)], rp))


def inner_vif_f2(score_cor: np.ndarray, paths: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """VIF of each path's predictor and the path's f2 effect size, from the construct-score correlations.

    ``paths`` holds (from, to) positions. The VIF of predictor ``i`` of
    ``j`` is :math:`1/(1 - R^2_{i\\cdot P\\setminus i})` among the predictors
    ``P`` of ``j``; :math:`f^2 = (R^2_j - R^2_{j(-i)})/(1 - R^2_j)`.
    """
    preds_of: dict[int, list[int]] = {}
    for i, j in paths:
        preds_of.setdefault(j, []).append(i)
    vif = np.empty(len(paths))
    f2 = np.empty(len(paths))
    for k, (i, j) in enumerate(paths):
        others = [p for p in preds_of[j] if p != i]
        vif[k] = 1.0 / (1.0 - _r2_from_cor(score_cor, others, i))
        r2_full = _r2_from_cor(score_cor, preds_of[j], j)
        f2[k] = (r2_full - _r2_from_cor(score_cor, others, j)) / (1.0 - r2_full)
    return vif, f2


def outer_vif(indicator_cor: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """VIF of each indicator among the other indicators of its block (1 for single-item blocks)."""
    out = np.ones(len(spec.indicators))
    for b in spec.blocks:
        if len(b) > 1:
            out[b] = np.diag(np.linalg.inv(indicator_cor[np.ix_(b, b)]))
    return out


def implied_construct_cor(score_cor: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Construct correlations implied by a recursive structural model with uncorrelated disturbances.

    Exogenous constructs keep their observed correlations; each endogenous
    construct is :math:`\\eta_j = \\sum_i \\beta_{ij}\\eta_i + \\zeta_j` with
    :math:`\\mathrm{var}(\\zeta_j) = 1 - R^2_j`, disturbances uncorrelated with
    each other and with the exogenous constructs.
    """
    q = beta.shape[0]
    endo = beta.any(axis=0)
    exo = ~endo
    psi = np.zeros((q, q))
    psi[np.ix_(exo, exo)] = score_cor[np.ix_(exo, exo)]
    for j in np.flatnonzero(endo):
        preds = np.flatnonzero(beta[:, j])
        psi[j, j] = 1.0 - float(beta[preds, j] @ score_cor[preds, j])
    a = np.linalg.inv(np.eye(q) - beta.T)
    return a @ psi @ a.T


def srmr_composite(indicator_cor: np.ndarray, loadings: np.ndarray, construct_cor: np.ndarray,
                   spec: ModelSpec, factor: np.ndarray | None = None) -> float:
    """SRMR between observed and composite-model-implied indicator correlations.

    In the composite model every block is a weighted composite: within a
    block the indicator correlations are free (implied = observed); between
    blocks :math:`\\Sigma_{kl} = \\lambda_k \\rho_{kl} \\lambda_l'` with the
    composite loadings :math:`\\lambda` and the construct correlations
    :math:`\\rho`. SRMR is the root mean square of the residuals over the
    :math:`p(p+1)/2` elements of the lower triangle, diagonal included.
    Constructs marked in ``factor`` are common factors (PLSc): within their
    block the implied correlations are :math:`\\lambda\\lambda'` off the diagonal.
    """
    resid = indicator_cor - implied_indicator_cor(indicator_cor, loadings, construct_cor, spec, factor)
    tri = np.tril_indices(len(resid))
    return float(np.sqrt(np.mean(resid[tri] ** 2)))


def implied_indicator_cor(indicator_cor: np.ndarray, loadings: np.ndarray, construct_cor: np.ndarray,
                          spec: ModelSpec, factor: np.ndarray | None = None) -> np.ndarray:
    """Indicator correlations implied by the composite / common-factor model (see ``srmr_composite``)."""
    owner = np.array([j for j, b in enumerate(spec.blocks) for _ in b])
    lam = loadings[np.arange(len(owner)), owner]
    implied = np.outer(lam, lam) * construct_cor[np.ix_(owner, owner)]
    same = owner[:, None] == owner[None, :]
    if factor is None:
        factor = np.zeros(len(spec.blocks), dtype=bool)
    free = same & ~factor[owner][:, None]
    implied = np.where(free, indicator_cor, implied)
    np.fill_diagonal(implied, 1.0)
    return implied


# ---------------------------------------------------------------------------
# consistent PLS (issue 19): Dijkstra & Henseler (2015)
# ---------------------------------------------------------------------------


def consistent(xs: np.ndarray, w: np.ndarray, spec: ModelSpec, factor: np.ndarray) -> dict[str, np.ndarray]:
    """PLSc corrections from standardized indicators ``xs`` and PLS weights ``w`` (batch-aware).

    ``factor`` marks the constructs modelled as common factors (Mode A
    blocks with at least two indicators). For each of them

    .. math:: \\hat c^2 = \\frac{\\hat w'(S - \\mathrm{diag}\\,S)\\hat w}{\\hat w'(\\hat w\\hat w'
              - \\mathrm{diag}\\,\\hat w\\hat w')\\hat w},\\quad \\rho_A = (\\hat w'\\hat w)^2\\hat c^2,
              \\quad \\hat\\lambda = \\hat c\\,\\hat w,

    with the weights scaled so that the composite has unit variance; every
    other construct keeps :math:`\\rho_A = 1` and its composite loadings.
    The construct correlations are disattenuated,
    :math:`\\rho_{kl} = r_{kl}/\\sqrt{\\rho_{A,k}\\rho_{A,l}}`, and the
    structural regressions, R2 and total effects re-estimated from them.
    Returns ``rhoA`` (..., q), ``loadings`` (..., p, q), ``cor`` (..., q, q),
    ``beta``, ``r2`` and ``total``.
    """
    n = xs.shape[-2]
    q = w.shape[-1]
    scores = xs @ w
    comp_load = ((_t(xs) @ scores) / (n - 1)) * spec.mask
    zs = standardize(scores)
    r = (_t(zs) @ zs) / (n - 1)
    rho_a = np.ones(w.shape[:-2] + (q,))
    loadings = comp_load.copy()
    for j in np.flatnonzero(factor):
        b = spec.blocks[j]
        xb = xs[..., b]
        s = (_t(xb) @ xb) / (n - 1)
        wj = w[..., b, j]  # composite variance is one (fit_pls rescales the weights)
        s_off = s - s * np.eye(len(b))
        num = (wj[..., None, :] @ s_off @ wj[..., :, None])[..., 0, 0]
        ww = wj[..., :, None] * wj[..., None, :]
        ww_off = ww - ww * np.eye(len(b))
        den = (wj[..., None, :] @ ww_off @ wj[..., :, None])[..., 0, 0]
        c2 = num / den
        rho_a[..., j] = (wj * wj).sum(axis=-1) ** 2 * c2
        loadings[..., b, j] = np.sqrt(c2)[..., None] * wj
    scale = np.sqrt(rho_a[..., :, None] * rho_a[..., None, :])
    cor = r / scale
    idx = np.arange(q)
    cor[..., idx, idx] = 1.0
    beta = np.zeros(r.shape)
    r2 = np.full(r.shape[:-1], np.nan)
    for j in spec.endogenous:
        preds = np.flatnonzero(spec.adjacency[:, j])
        bj = _regress(cor, preds, j)
        beta[..., preds, j] = bj
        r2[..., j] = (bj * cor[..., preds, j]).sum(axis=-1)
    total = np.linalg.inv(np.eye(q) - beta) - np.eye(q)
    return {"rhoA": rho_a, "loadings": loadings, "cor": cor, "beta": beta, "r2": r2, "total": total}
