"""Vectorised resampling engine for recursive systems of regressions (private).

A mediation model is a small system of regressions that all draw their
columns from one data matrix ``Z`` (column 0 is the intercept). For a
bootstrap resample with multinomial counts ``w`` (how often each row was
drawn) every ordinary least-squares fit only needs the weighted
cross-products ``Z' diag(w) Z``, so with the per-row products
``R[i] = vech(z_i z_i')`` stacked as an ``n x q(q+1)/2`` matrix, the
cross-products of a whole chunk of resamples are one matrix product
``W_chunk @ R``. The small normal equations are then solved in batch.
Nothing is refitted per resample and memory is bounded by the chunk size,
which is chosen from ``n`` (about 2 million counts per chunk), not by
``n_boot x n``.

Numerical safeguards: columns are centred and scaled (full-sample mean and
SD) before any cross-product is formed, each batched system is checked for
its condition number and near-collinear resamples are re-solved by QR on the
weighted rows (or marked as failed when rank deficient). Logistic outcome
equations are fitted by batched Newton steps started at the full-sample
estimate.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from ._validation import stacklevel
from .errors import ArgumentError, ConvergenceWarning, SeparationWarning

__all__ = [
    "Equation",
    "FullFit",
    "fit_full",
    "Engine",
    "interval",
    "acceleration",
    "chunk_size",
]

#: Largest condition number of the scaled normal-equation matrix solved directly.
COND_MAX = 1e8
#: Target number of resampling counts held in memory at once.
CHUNK_ELEMS = 2_000_000
#: Standardised logistic coefficients beyond this are treated as separation.
LOGIT_BOUND = 50.0

EffectFn = Callable[[list[np.ndarray], np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Equation:
    """One regression of the system: ``Z[:, outcome] ~ Z[:, predictors]``."""

    name: str
    outcome: int
    predictors: tuple[int, ...]  # first is 0, the intercept
    family: str = "gaussian"


@dataclass(frozen=True)
class FullFit:
    """Full-sample fit of one equation (raw scale)."""

    coef: np.ndarray
    cov: np.ndarray
    n: int
    r2: float  # OLS R^2; McFadden's pseudo R^2 for a logistic equation
    converged: bool = True


def chunk_size(n: int, n_boot: int) -> int:
    """Resamples per chunk so that a chunk holds about ``CHUNK_ELEMS`` counts."""
    return int(max(1, min(n_boot, CHUNK_ELEMS // max(n, 1), 2000)))


# ----------------------------------------------------------------------------------------------
# full-sample fits
# ----------------------------------------------------------------------------------------------
def _ols(X: np.ndarray, y: np.ndarray) -> FullFit:
    n, p = X.shape
    q, r = np.linalg.qr(X)
    coef = np.linalg.solve(r, q.T @ y)
    resid = y - X @ coef
    rss = float(resid @ resid)
    sigma2 = rss / (n - p)
    rinv = np.linalg.solve(r, np.eye(p))
    cov = sigma2 * (rinv @ rinv.T)
    tss = float(((y - y.mean()) ** 2).sum())
    return FullFit(coef, cov, n, 1.0 - rss / tss)


def _logit(X: np.ndarray, y: np.ndarray, name: str) -> FullFit:
    n, p = X.shape
    beta = np.zeros(p)
    converged = False
    for _ in range(100):
        mu = special.expit(X @ beta)
        h = (X * (mu * (1 - mu))[:, None]).T @ X
        step = np.linalg.lstsq(h, X.T @ (y - mu), rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < 1e-11 * (1 + np.max(np.abs(beta))):
            converged = True
            break
    mu = special.expit(X @ beta)
    h = (X * (mu * (1 - mu))[:, None]).T @ X
    cov = np.linalg.pinv(h)
    ybar = y.mean()
    ll = float(np.sum(special.xlogy(y, mu) + special.xlogy(1 - y, 1 - mu)))
    ll0 = float(n * (ybar * np.log(ybar) + (1 - ybar) * np.log(1 - ybar)))
    separated = not converged or np.min(np.minimum(mu, 1 - mu)) < 1e-10
    if separated:
        warnings.warn(
            f"the logistic model for {name!r} shows (quasi-)complete separation or did not converge; "
            "its coefficients and the indirect effects built on them are unreliable.",
            SeparationWarning,
            stacklevel=stacklevel(),
        )
    return FullFit(beta, cov, n, 1.0 - ll / ll0, converged=converged)


def fit_full(Z: np.ndarray, eq: Equation) -> FullFit:
    """Fit one equation on the full sample (QR for OLS, Newton for logit)."""
    X = Z[:, list(eq.predictors)]
    y = Z[:, eq.outcome]
    if eq.family == "binomial":
        return _logit(X, y, eq.name)
    return _ols(X, y)


# ----------------------------------------------------------------------------------------------
# the engine
# ----------------------------------------------------------------------------------------------
class Engine:
    """Batched fits of a system of equations under resampling weights.

    Parameters
    ----------
    Z : (n, q) raw data matrix, column 0 all ones.
    equations : the equations of the system.
    full : full-sample fits, in the order of ``equations``.
    effect_fn : maps the raw-scale coefficient arrays ``[(b, p_e), ...]`` and the
        raw standard deviations ``(b, q)`` of every column to effects ``(b, k)``.
    """

    def __init__(
        self,
        Z: np.ndarray,
        equations: Sequence[Equation],
        full: Sequence[FullFit],
        effect_fn: EffectFn,
    ) -> None:
        self.n, self.q = Z.shape
        self.equations = list(equations)
        self.full = list(full)
        self.effect_fn = effect_fn
        binom = {e.outcome for e in self.equations if e.family == "binomial"}
        mu = Z.mean(axis=0)
        sd = Z.std(axis=0)
        mu[0], sd[0] = 0.0, 1.0
        for j in binom:
            mu[j], sd[j] = 0.0, 1.0
        sd[sd == 0] = 1.0
        self.mu, self.sd = mu, sd
        self.Zs = (Z - mu) / sd
        self.Zs[:, 0] = 1.0
        self.iu = np.triu_indices(self.q)
        # full-sample coefficients on the scaled columns (starting values for Newton)
        self.full_scaled = [self._to_scaled(e, f.coef) for e, f in zip(self.equations, self.full, strict=True)]
        self.n_failed = 0

    # -- scale conversions ---------------------------------------------------------------------
    def _to_scaled(self, eq: Equation, coef: np.ndarray) -> np.ndarray:
        P = np.asarray(eq.predictors)
        out = coef * self.sd[P] / self.sd[eq.outcome]
        out[0] = (coef[0] + coef[1:] @ self.mu[P[1:]] - self.mu[eq.outcome]) / self.sd[eq.outcome]
        return out

    def _to_raw(self, eq: Equation, beta: np.ndarray) -> np.ndarray:
        P = np.asarray(eq.predictors)
        so, mo = self.sd[eq.outcome], self.mu[eq.outcome]
        out = beta * so / self.sd[P]
        out[:, 0] = so * beta[:, 0] + mo - out[:, 1:] @ self.mu[P[1:]]
        return out

    def _sym(self, flat: np.ndarray) -> np.ndarray:
        b = flat.shape[0]
        S = np.empty((b, self.q, self.q))
        S[:, self.iu[0], self.iu[1]] = flat
        S[:, self.iu[1], self.iu[0]] = flat
        return S

    def _raw_sd(self, S: np.ndarray) -> np.ndarray:
        nb = S[:, 0, 0]
        mean = S[:, 0, :] / nb[:, None]
        diag = np.einsum("bjj->bj", S)
        var = (diag - nb[:, None] * mean**2) / (nb[:, None] - 1)
        return np.sqrt(np.clip(var, 0, None)) * self.sd

    # -- batched solvers -----------------------------------------------------------------------
    def _solve_ols(
        self, S: np.ndarray, predictors: tuple[int, ...], outcomes: list[int], W: np.ndarray | None
    ) -> np.ndarray:
        """Batched OLS of every column in ``outcomes`` on one design: ``(b, p, len(outcomes))``."""
        P = np.asarray(predictors)
        p, m = len(P), len(outcomes)
        A = S[:, P[:, None], P[None, :]]
        r = S[:, P[:, None], np.asarray(outcomes)[None, :]]
        diag = np.einsum("bjj->bj", A)
        beta = np.full((S.shape[0], p, m), np.nan)
        try:
            # one batched solve gives the coefficients and the inverse; for the scaled matrix
            # D^-1/2 A D^-1/2, trace * trace of the inverse bounds the condition number from above
            sol = np.linalg.solve(A, np.concatenate([r, np.broadcast_to(np.eye(p), A.shape)], axis=2))
            with np.errstate(invalid="ignore", over="ignore"):
                cond = p * np.einsum("bj,bjj->b", diag, sol[:, :, m:])
            ok = np.isfinite(cond) & (cond > 0) & (cond < COND_MAX)
            beta[ok] = sol[ok, :, :m]
        except np.linalg.LinAlgError:  # an exactly singular resample in the batch
            d = np.sqrt(diag)
            with np.errstate(divide="ignore", invalid="ignore"):
                ev = np.linalg.eigvalsh(np.nan_to_num(A / (d[:, :, None] * d[:, None, :])))
                ok = np.where(ev[:, 0] > 0, ev[:, -1] / ev[:, 0], np.inf) < COND_MAX
            if ok.any():
                beta[ok] = np.linalg.solve(A[ok], r[ok])
        bad = np.flatnonzero(~ok)
        if bad.size and W is not None:  # QR on the weighted rows of each near-collinear resample
            X, y = self.Zs[:, P], self.Zs[:, outcomes]
            for i in bad:
                sw = np.sqrt(W[i])
                sol, _, rank, _ = np.linalg.lstsq(X * sw[:, None], y * sw[:, None], rcond=None)
                if rank == p:
                    beta[i] = sol
        return beta

    def _ols_groups(self, S: np.ndarray, W: np.ndarray | None) -> dict[int, np.ndarray]:
        """Solve the OLS equations, one batched solve per distinct design (e.g. parallel mediators)."""
        groups: dict[tuple[int, ...], list[int]] = {}
        for k, eq in enumerate(self.equations):
            if eq.family != "binomial":
                groups.setdefault(eq.predictors, []).append(k)
        out = {}
        for P, ks in groups.items():
            beta = self._solve_ols(S, P, [self.equations[k].outcome for k in ks], W)
            for j, k in enumerate(ks):
                out[k] = beta[:, :, j]
        return out

    def _solve_logit(self, W: np.ndarray, eq: Equation, beta0: np.ndarray) -> np.ndarray:
        P = list(eq.predictors)
        X, y = self.Zs[:, P], self.Zs[:, eq.outcome]
        p = len(P)
        outer = (X[:, :, None] * X[:, None, :]).reshape(self.n, p * p)
        b = W.shape[0]
        beta = np.tile(beta0, (b, 1))
        active = np.arange(b)
        done = np.zeros(b, dtype=bool)
        for _ in range(30):
            Wa = W[active]
            mu = special.expit(beta[active] @ X.T)
            g = (Wa * (y - mu)) @ X
            H = ((Wa * (mu * (1 - mu))) @ outer).reshape(-1, p, p)
            with np.errstate(all="ignore"):
                try:
                    step = np.linalg.solve(H, g[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    step = np.stack([np.linalg.lstsq(h, v, rcond=None)[0] for h, v in zip(H, g, strict=True)])
            beta[active] += step
            big = np.abs(beta[active]).max(axis=1) > LOGIT_BOUND
            conv = np.abs(step).max(axis=1) < 1e-10 * (1 + np.abs(beta[active]).max(axis=1))
            done[active[conv & ~big]] = True
            beta[active[big]] = np.nan
            active = active[~(conv | big)]
            if active.size == 0:
                break
        beta[~done] = np.nan
        return beta

    def _coefs(self, S: np.ndarray, W: np.ndarray) -> list[np.ndarray]:
        ols = self._ols_groups(S, W)
        out = []
        for k, (eq, b0) in enumerate(zip(self.equations, self.full_scaled, strict=True)):
            beta = self._solve_logit(W, eq, b0) if eq.family == "binomial" else ols[k]
            out.append(self._to_raw(eq, beta))
        return out

    # -- public --------------------------------------------------------------------------------
    def estimate(self) -> tuple[np.ndarray, np.ndarray]:
        """Effects at the full-sample fits and the sample SDs (ddof=1) of every column."""
        coefs = [f.coef[None, :] for f in self.full]
        sd = self.Zs.std(axis=0, ddof=1) * self.sd
        return self.effect_fn(coefs, sd[None, :])[0], sd

    def bootstrap(self, n_boot: int, rng: np.random.Generator, progress: bool = False) -> np.ndarray:
        """``(n_boot, k)`` effects over nonparametric bootstrap resamples (NaN for failed fits)."""
        n = self.n
        R = self.Zs[:, self.iu[0]] * self.Zs[:, self.iu[1]]
        chunk = chunk_size(n, n_boot)
        starts = range(0, n_boot, chunk)
        if progress:
            starts = _progress(starts, n_boot, chunk)
        out: np.ndarray | None = None
        itype = np.uint16 if n <= 2**16 else np.int32
        buffer = np.empty((chunk, n))  # reused: fresh pages for every chunk cost more than the counting
        for start in starts:
            b = min(chunk, n_boot - start)
            idx = rng.integers(0, n, size=(b, n), dtype=itype)
            W = buffer[:b]
            for r in range(b):  # one resample at a time: the n bins stay in cache
                W[r] = np.bincount(idx[r], minlength=n)
            del idx
            S = self._sym(W @ R)
            eff = self.effect_fn(self._coefs(S, W), self._raw_sd(S))
            if out is None:
                out = np.empty((n_boot, eff.shape[1]))
            out[start : start + b] = eff
        assert out is not None
        self.n_failed = int(np.isnan(out).any(axis=1).sum())
        return out

    def jackknife(self) -> np.ndarray:
        """``(n, k)`` leave-one-out effects: exact rank-one downdates for OLS equations,
        one Newton step from the full-sample fit (with a downdated Hessian) for logistic ones."""
        n, q = self.n, self.q
        S_full = self.Zs.T @ self.Zs
        logit_parts = {}
        for k, eq in enumerate(self.equations):
            if eq.family == "binomial":
                X = self.Zs[:, list(eq.predictors)]
                mu = special.expit(X @ self.full_scaled[k])
                H = (X * (mu * (1 - mu))[:, None]).T @ X
                logit_parts[k] = (X, mu, H)
        chunk = max(1, min(n, CHUNK_ELEMS // (q * q)))
        out = None
        for start in range(0, n, chunk):
            rows = slice(start, min(n, start + chunk))
            Zc = self.Zs[rows]
            S = S_full[None] - Zc[:, :, None] * Zc[:, None, :]
            ols = self._ols_groups(S, None)
            coefs = []
            for k, eq in enumerate(self.equations):
                if eq.family == "binomial":
                    X, mu, H = logit_parts[k]
                    Xi, mui = X[rows], mu[rows]
                    v = mui * (1 - mui)
                    Hi = H[None] - v[:, None, None] * Xi[:, :, None] * Xi[:, None, :]
                    gi = -(self.Zs[rows, eq.outcome] - mui)[:, None] * Xi
                    beta = self.full_scaled[k] + np.linalg.solve(Hi, gi[..., None])[..., 0]
                else:
                    beta = ols[k]
                coefs.append(self._to_raw(eq, beta))
            eff = self.effect_fn(coefs, self._raw_sd(S))
            if out is None:
                out = np.empty((n, eff.shape[1]))
            out[rows] = eff
        assert out is not None
        return out

    def monte_carlo(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """``(n_draws, k)`` effects with coefficients drawn from N(estimate, covariance) per equation."""
        _, sd = self.estimate()
        chunk = 5000
        out = None
        for start in range(0, n_draws, chunk):
            b = min(chunk, n_draws - start)
            coefs = [rng.multivariate_normal(f.coef, f.cov, size=b, method="eigh") for f in self.full]
            eff = self.effect_fn(coefs, np.broadcast_to(sd, (b, self.q)))
            if out is None:
                out = np.empty((n_draws, eff.shape[1]))
            out[start : start + b] = eff
        assert out is not None
        return out

    def delta_se(self) -> np.ndarray:
        """First-order delta-method (Sobel) standard errors of every effect.

        The Jacobian is taken by central differences (exact up to rounding for the
        bilinear effects of mediation); coefficients of different equations are
        independent, so the covariance is block diagonal.
        """
        sizes = [f.coef.size for f in self.full]
        theta = np.concatenate([f.coef for f in self.full])
        dim = theta.size
        h = 1e-5 * np.maximum(1.0, np.abs(theta))
        pert = np.concatenate([theta + np.diag(h), theta - np.diag(h)])
        splits = np.cumsum(sizes)[:-1]
        coefs = np.split(pert, splits, axis=1)
        _, sd = self.estimate()
        eff = self.effect_fn(list(coefs), np.broadcast_to(sd, (2 * dim, self.q)))
        J = (eff[:dim] - eff[dim:]) / (2 * h[:, None])  # (dim, k)
        V = np.zeros((dim, dim))
        pos = np.concatenate([[0], np.cumsum(sizes)])
        for f, a, b in zip(self.full, pos[:-1], pos[1:], strict=True):
            V[a:b, a:b] = f.cov
        return np.sqrt(np.einsum("dk,de,ek->k", J, V, J))


def _progress(starts: range, n_boot: int, chunk: int):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - depends on the environment
        raise ArgumentError(
            "progress=True needs the optional package tqdm (pip install tqdm); "
            "install it or call with progress=False."
        ) from None
    bar = tqdm(total=n_boot, unit="resample", desc="bootstrap")
    try:
        for s in starts:
            yield s
            bar.update(min(chunk, n_boot - s))
    finally:
        bar.close()


def acceleration(jack: np.ndarray) -> np.ndarray:
    """BCa acceleration from leave-one-out estimates (Efron 1987, eq. 6.6)."""
    d = np.nanmean(jack, axis=0) - jack
    num = np.nansum(d**3, axis=0)
    den = 6.0 * np.nansum(d**2, axis=0) ** 1.5
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def interval(
    draws: np.ndarray,
    estimate: np.ndarray,
    ci: float,
    method: str,
    accel: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile, bias-corrected (``"bc"``) or BCa limits for each column of ``draws``.

    ``"montecarlo"`` draws use the percentile rule. NaN draws (failed resamples) are
    ignored column by column.
    """
    alpha = (1.0 - ci) / 2.0
    k = draws.shape[1]
    if method in ("percentile", "montecarlo") and draws.shape[0] >= 2 and not np.isnan(draws).any():
        lo, hi = np.quantile(draws, [alpha, 1 - alpha], axis=0)  # all columns in one pass
        return lo, hi
    lo, hi = np.full(k, np.nan), np.full(k, np.nan)
    zq = stats.norm.ppf([alpha, 1 - alpha])
    for j in range(k):
        d = draws[:, j]
        d = d[~np.isnan(d)]
        if d.size < 2:
            continue
        if method in ("percentile", "montecarlo"):
            probs = np.array([alpha, 1 - alpha])
        else:
            prop = (np.sum(d < estimate[j]) + 0.5 * np.sum(d == estimate[j])) / d.size
            z0 = stats.norm.ppf(prop)
            if not np.isfinite(z0):
                continue
            a = 0.0 if method == "bc" or accel is None else float(accel[j])
            probs = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
        lo[j], hi[j] = np.quantile(d, probs)
    if np.any(np.isnan(draws)):
        warnings.warn(
            f"{int(np.isnan(draws).any(axis=1).sum())} of {draws.shape[0]} resamples could not be fitted "
            "(rank-deficient or separated) and were left out of the intervals.",
            ConvergenceWarning,
            stacklevel=stacklevel(),
        )
    return lo, hi
