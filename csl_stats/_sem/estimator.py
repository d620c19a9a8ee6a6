"""Layer 3 of the SEM engine: the ML / FIML fit function, its derivatives and the optimiser.

The fit function is :math:`F(\\theta) = -2\\log L(\\theta)/N` summed over groups
and missingness patterns (for complete data this is lavaan's
:math:`F_{ML}` plus a constant). Derivatives are analytic: the gradient is
the chain rule through :math:`\\partial\\Sigma/\\partial\\theta` and
:math:`\\partial\\mu/\\partial\\theta` (:meth:`Model.delta`), and the expected
information is :math:`\\sum n\\,[\\mathrm{tr}(A\\,\\partial_a\\Sigma\\,A\\,\\partial_b\\Sigma)
+ 2\\,\\partial_a\\mu^\\top A\\,\\partial_b\\mu]` with :math:`A = \\Sigma_{oo}^{-1}`
per pattern, accumulated for all patterns at once as one matrix product.
Fisher scoring with step halving converges in a few iterations, also under
FIML (where the expected information is that of the incomplete data).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .moments import Moments, gradient_sigma_mu, minus2_loglik
from .specification import Model

__all__ = ["Objective", "fisher_scoring", "observed_information", "casewise_scores"]


class Objective:
    """``-2 log L / N`` of a model on the moments of its groups."""

    def __init__(self, model: Model, groups: Sequence[Moments]):
        self.model = model
        self.groups = list(groups)
        self.n_total = int(sum(g.n for g in groups))
        self.use_mu = model.meanstructure

    def _implied(self, theta: np.ndarray):
        return self._both(theta)[0]

    def _delta(self, theta: np.ndarray):
        return self._both(theta)[1]

    def _both(self, theta: np.ndarray):
        """Implied moments and their derivatives at ``theta`` (the last point is cached)."""
        key = theta.tobytes()
        cache = getattr(self, "_cache", None)
        if cache is None or cache[0] != key:
            both = getattr(self.model, "implied_and_delta", None)
            pair = both(theta) if both is not None else (self.model.implied(theta), self.model.delta(theta))
            cache = (key, *pair)
            self._cache = cache
        return cache[1], cache[2]

    def value(self, theta: np.ndarray) -> float:
        total = 0.0
        for mom, (sigma, mu) in zip(self.groups, self._implied(theta), strict=True):
            v, _ = minus2_loglik(mom, sigma, mu if self.use_mu else None)
            if not np.isfinite(v):
                return np.inf
            total += v
        return total / self.n_total

    def value_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray | None]:
        total = 0.0
        chain = getattr(self.model, "chain_gradient", None)
        if chain is not None:  # closed-form chain rule, no derivative matrices
            mats = self.model.matrices(theta)
            implied = self.model.implied(theta, mats)
        else:
            implied, deltas = self._both(theta)
        grads = []
        for mom, (sigma, mu) in zip(self.groups, implied, strict=True):
            v, pieces = minus2_loglik(mom, sigma, mu if self.use_mu else None)
            if pieces is None:
                return np.inf, None
            total += v
            gs, gm = gradient_sigma_mu(mom, pieces)
            grads.append((gs, gm if self.use_mu else None))
        if chain is not None:
            grad = chain(mats, grads)
        else:
            grad = np.zeros(self.model.q)
            for (gs, gm), (ds, dm) in zip(grads, deltas, strict=True):
                grad += ds.reshape(len(grad), -1) @ gs.ravel()
                if gm is not None:
                    grad += dm @ gm
        return total / self.n_total, grad / self.n_total

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        g = self.value_grad(theta)[1]
        if g is None:
            return np.full(self.model.q, np.nan)
        return g

    def scoring_metric(self, theta: np.ndarray) -> np.ndarray | None:
        """Metric for Fisher scoring: the expected information when data are complete (or have few
        patterns); with many missingness patterns the complete-data information at the current
        (Sigma, mu), which costs O(q p^3) instead of O(P p^4) and converges almost as fast when the
        share of missing values is moderate."""
        if all(m.complete or len(m.counts) <= 8 for m in self.groups):
            return self.expected_information(theta)
        q = self.model.q
        h = np.zeros((q, q))
        for mom, (sigma, _mu), (ds, dm) in zip(self.groups, *self._both(theta), strict=True):
            try:
                a = np.linalg.inv(sigma)
            except np.linalg.LinAlgError:
                return None
            h += information_block(a[None], np.array([mom.n]), ds, dm if self.use_mu else None)
        return h / self.n_total

    def expected_information(self, theta: np.ndarray) -> np.ndarray | None:
        """Expected (Fisher) information of ``F`` (i.e. of -2 log L / N); None if Sigma is not PD."""
        from .moments import pattern_inverses

        q = self.model.q
        h = np.zeros((q, q))
        for mom, (sigma, _mu), (ds, dm) in zip(self.groups, *self._both(theta), strict=True):
            inv = pattern_inverses(mom, sigma)
            if inv is None:
                return None
            a = inv[0]
            h += information_block(a, mom.counts, ds, dm if self.use_mu else None)
        return h / self.n_total


def information_block(a: np.ndarray, counts: np.ndarray, ds: np.ndarray, dm: np.ndarray | None) -> np.ndarray:
    """``sum_k n_k [tr(A_k dS_a A_k dS_b) + 2 dm_a' A_k dm_b]`` for padded pattern inverses ``A_k``."""
    q, p = ds.shape[0], ds.shape[1]
    if a.shape[0] == 1:
        x = a[0] @ ds  # (q, p, p), batched BLAS
        h = counts[0] * (x.reshape(q, p * p) @ np.swapaxes(x, 1, 2).reshape(q, p * p).T)
    else:
        flat = a.reshape(a.shape[0], p * p)
        m = (flat * counts[:, None]).T @ flat  # M[(i,j),(k,l)] = sum n A_ij A_kl
        t = m.reshape(p, p, p, p).transpose(1, 2, 3, 0).reshape(p * p, p * p)
        d = ds.reshape(q, p * p)
        h = d @ t @ d.T
    if dm is not None:
        am = np.tensordot(counts, a, axes=1)
        h = h + 2 * dm @ am @ dm.T
    return (h + h.T) / 2


def fisher_scoring(
    obj: Objective, theta: np.ndarray, *, max_iter: int = 500, tol: float = 1e-9, n_scoring: int = 4
) -> tuple[np.ndarray, int, bool]:
    """Minimise ``F``: Fisher scoring steps, then quasi-Newton (BFGS) updates of the scoring metric.

    The first ``n_scoring`` iterations (and any iteration after a failed
    update) use the expected information as metric, which is robust far from
    the optimum; later iterations update it with the BFGS formula from the
    analytic gradients, which turns the linear convergence of scoring on a
    misfitting model into superlinear convergence. Step halving guards against
    an increase of ``F``. Converged when the largest step and the change of
    ``F`` are below ``tol``.
    """
    f, grad = obj.value_grad(theta)
    if grad is None:
        raise FloatingPointError("the start values imply a covariance matrix that is not positive definite")
    info = None
    for it in range(1, max_iter + 1):
        if info is None or it <= n_scoring:
            info = obj.scoring_metric(theta)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        t = 1.0
        while True:
            cand = theta - t * step
            f_new, g_new = obj.value_grad(cand)
            if (g_new is not None and f_new <= f + 1e-12 * abs(f)) or t < 1e-8:
                break
            t /= 2
        if g_new is None:
            return theta, it, False
        small = np.max(np.abs(t * step)) < tol and abs(f - f_new) < tol
        s_vec, y_vec = cand - theta, g_new - grad
        theta, f, grad = cand, f_new, g_new
        if small or np.max(np.abs(grad)) < tol * 1e-2:
            return theta, it, True
        sy = float(s_vec @ y_vec)
        if sy > 1e-12 * float(np.linalg.norm(s_vec) * np.linalg.norm(y_vec)) and t == 1.0:
            hs = info @ s_vec
            info = info - np.outer(hs, hs) / float(s_vec @ hs) + np.outer(y_vec, y_vec) / sy
        else:
            info = None  # fall back to the expected information next time
    return theta, max_iter, False


def observed_information(obj: Objective, theta: np.ndarray, *, h: float = 1e-6) -> np.ndarray:
    """Observed information (Hessian) of ``F = -2 log L / N``, analytic in Sigma and mu.

    Per pattern (``A`` the padded inverse of the observed block, ``S~`` the
    pattern's second moments about ``mu``, ``d`` its mean minus ``mu``):
    :math:`n[-\\mathrm{tr}(A\\Sigma_aA\\Sigma_b) + \\mathrm{tr}(A\\Sigma_aA\\Sigma_bA\\tilde S)
    + \\mathrm{tr}(A\\Sigma_bA\\Sigma_aA\\tilde S) + 2d^\\top A\\Sigma_aA\\mu_b
    + 2d^\\top A\\Sigma_bA\\mu_a + 2\\mu_a^\\top A\\mu_b]`, accumulated over patterns as
    matrix products; plus the curvature of Sigma(theta) and mu(theta) contracted
    with the gradient in (Sigma, mu), by central differences of the (cheap)
    derivative matrices at fixed (Sigma, mu)-gradient.
    """
    from .moments import gradient_sigma_mu, minus2_loglik

    model = obj.model
    q = model.q
    hess = np.zeros((q, q))
    grads = []
    for mom, (sigma, mu), (ds, dm) in zip(obj.groups, model.implied(theta), model.delta(theta), strict=True):
        _v, pieces = minus2_loglik(mom, sigma, mu if obj.use_mu else None)
        a, d, stil = pieces
        grads.append(gradient_sigma_mu(mom, pieces))
        n = mom.counts.astype(float)
        p = a.shape[1]
        w = a @ stil @ a
        dflat = ds.reshape(q, p * p)
        fa = a.reshape(len(n), p * p)
        fw = w.reshape(len(n), p * p)
        m1 = (fa * n[:, None]).T @ fa  # [(i,j),(k,l)] = sum n A_ij A_kl
        t1 = m1.reshape(p, p, p, p).transpose(1, 2, 3, 0).reshape(p * p, p * p)
        m2 = (fa * n[:, None]).T @ fw  # [(k,l),(m,j)] = sum n A_kl W_mj
        t2 = m2.reshape(p, p, p, p).transpose(3, 0, 1, 2).reshape(p * p, p * p)
        h2 = dflat @ t2 @ dflat.T
        hess += -(dflat @ t1 @ dflat.T) + h2 + h2.T
        if obj.use_mu:
            ad = np.einsum("kij,kj->ki", a, d)  # (P, p)
            m3 = (ad * n[:, None]).T @ fa  # [j, (k,l)] = sum n (Ad)_j A_kl
            t3 = m3.reshape(p, p, p).reshape(p * p, p)  # [(j,k), l]
            h3 = 2 * dflat @ t3 @ dm.T
            am = np.tensordot(n, a, axes=1)
            hess += h3 + h3.T + 2 * dm @ am @ dm.T

    # curvature: d/dtheta of Delta(theta)' g at fixed g
    def contracted(th: np.ndarray) -> np.ndarray:
        out = np.zeros(q)
        for (gs, gm), (ds, dm) in zip(grads, model.delta(th), strict=True):
            out += ds.reshape(q, -1) @ gs.ravel()
            if obj.use_mu:
                out += dm @ gm
        return out

    curv = np.zeros((q, q))
    for k in np.flatnonzero(~getattr(model, "linear", np.zeros(q, dtype=bool))):
        step = h * max(1.0, abs(theta[k]))
        e = np.zeros(q)
        e[k] = step
        curv[:, k] = (contracted(theta + e) - contracted(theta - e)) / (2 * step)
    hess = hess + (curv + curv.T) / 2
    return hess / obj.n_total


def observed_information_numeric(obj: Objective, theta: np.ndarray, *, h: float = 1e-5) -> np.ndarray:
    """Central differences of the analytic gradient (a check of :func:`observed_information`)."""
    q = obj.model.q
    out = np.empty((q, q))
    for k in range(q):
        step = h * max(1.0, abs(theta[k]))
        e = np.zeros(q)
        e[k] = step
        out[:, k] = (obj.gradient(theta + e) - obj.gradient(theta - e)) / (2 * step)
    return (out + out.T) / 2


def casewise_scores(model: Model, data: Sequence[np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Gradient of each row's log-likelihood w.r.t. the free parameters (rows of all groups stacked).

    ``data[g]`` is the row array of group ``g`` (NaN = missing). Without a mean
    structure the sample mean is the mean (complete data only).
    """
    from .moments import pattern_inverses

    out = []
    for x, (sigma, mu), (ds, dm) in zip(data, model.implied(theta), model.delta(theta), strict=True):
        miss = np.isnan(x)
        if not model.meanstructure:
            mu = x.mean(axis=0)
        e = np.where(miss, 0.0, x - mu[None])
        if not miss.any():
            a = np.linalg.inv(sigma)[None]
            inverse = np.zeros(len(x), dtype=int)
        else:
            pats, inverse = np.unique(~miss, axis=0, return_inverse=True)
            inverse = inverse.ravel()
            mom = Moments(
                0,
                pats.astype(bool),
                np.zeros(len(pats)),
                np.zeros((len(pats), x.shape[1])),
                np.zeros((len(pats), x.shape[1], x.shape[1])),
                False,
            )
            a = pattern_inverses(mom, sigma)[0]
        ae = np.einsum("nij,nj->ni", a[inverse], e) if a.shape[0] > 1 else e @ a[0]
        tr = np.einsum("kij,aji->ka", a, ds)  # tr(A_k dS_a)
        quad = np.einsum("ni,aij,nj->na", ae, ds, ae)
        s = -0.5 * (tr[inverse] - quad)
        if model.meanstructure:
            s = s + ae @ dm.T
        out.append(s)
    return np.vstack(out)
