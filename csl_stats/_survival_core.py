"""Numerical engine of :func:`csl_stats.survival` (private).

Kaplan-Meier with Greenwood variances, the log-rank test (with its
observed-minus-expected vector and variance matrix, so that a trend test
across ordered groups can be formed), and the Cox proportional-hazards model
with Efron or Breslow ties, case weights and strata: partial likelihood,
score and information by risk-set sums, Newton-Raphson, score residuals (for
the robust sandwich variance), the Grambsch-Therneau score test of
proportional hazards as ``cox.zph`` of R's survival 3.x computes it, and
Harrell's concordance. Every function works on plain NumPy arrays that the
public wrapper has already validated.

Why not lifelines or statsmodels: lifelines requires pandas < 3 (this
package supports pandas 3), statsmodels' ``PHReg`` has no case weights, and
the proportional-hazards test of survival 3.x needs the per-event-time score
and information blocks, which neither exposes. The same risk-set sums serve
the fit, the residuals and the test, so they live in one place; the results
are checked against R's survival package in ``tests/test_survival.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import stats

__all__: list[str] = []


# ============================================================================ Kaplan-Meier
def kaplan_meier(time: np.ndarray, event: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """KM estimate at every distinct time (events or censorings), as R's ``survfit``.

    Returns arrays ``time``, ``at_risk``, ``events``, ``censored`` (weighted
    counts), ``survival`` and ``se_log`` (Greenwood standard error of
    ``log S``; ``inf`` once ``S`` = 0).
    """
    order = np.argsort(time, kind="stable")
    t, d, w = time[order], event[order], weights[order]
    ut, first = np.unique(t, return_index=True)
    ev = np.add.reduceat(w * d, first)
    tot = np.add.reduceat(w, first)
    at_risk = tot[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - ev / at_risk)
        inc = np.where(ev > 0, ev / (at_risk * (at_risk - ev)), 0.0)
    se_log = np.sqrt(np.cumsum(inc))
    return {"time": ut, "at_risk": at_risk, "events": ev, "censored": tot - ev, "survival": surv,
            "se_log": se_log}


def km_confint(surv: np.ndarray, se_log: np.ndarray, level: float, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI as R's ``survfit`` (``conf.type`` "log", "log-log" or "plain"); NaN where R gives NA."""
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "log":
            xx = np.where(surv == 0, np.nan, surv)
            lo = np.exp(np.log(xx) - z * se_log)
            hi = np.minimum(np.exp(np.log(xx) + z * se_log), 1.0)
        elif method == "log-log":
            xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
            se2 = z * se_log / np.log(xx)
            lo = np.exp(-np.exp(np.log(-np.log(xx)) - se2))
            hi = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
        else:  # plain
            se2 = z * se_log * surv
            lo = np.maximum(surv - se2, 0.0)
            hi = np.minimum(surv + se2, 1.0)
    lo = np.where(np.isfinite(se_log), lo, np.nan)
    hi = np.where(np.isfinite(se_log), hi, np.nan)
    return lo, hi


def km_quantile(time: np.ndarray, surv: np.ndarray, p: float, tol: float = np.sqrt(np.finfo(float).eps)) -> float:
    """Time at which ``1 - S`` first reaches ``p``, averaging over flat stretches (R's ``findq``)."""
    x = np.concatenate([[0.0], time])
    y = np.concatenate([[0.0], 1.0 - surv])
    if not np.any(np.isfinite(y)) or np.nanmax(y) < p:
        return float("nan")
    xmax = x[-1]
    _, keep = np.unique(y, return_index=True)  # first occurrence of each value (NaN included)
    keep = np.sort(keep)
    x, y = x[keep], y[keep]
    ok = ~np.isnan(y)
    x, y = x[ok], y[ok]

    def first_at_least(level: np.ndarray) -> float:
        idx = np.flatnonzero(level >= p)
        return float(x[idx[0]]) if idx.size else float("nan")

    q = (first_at_least(y + tol) + first_at_least(y - tol)) / 2
    if abs(p - y[-1]) < tol:
        idx = np.flatnonzero(y + tol >= p)
        q = (float(x[idx[0]]) + xmax) / 2
    return q


# ============================================================================ log-rank
def logrank(time: np.ndarray, event: np.ndarray, group: np.ndarray, n_groups: int,
            strata: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed and expected events per group and the variance matrix of O - E (R's ``survdiff``, rho = 0)."""
    obs = np.zeros(n_groups)
    exp = np.zeros(n_groups)
    var = np.zeros((n_groups, n_groups))
    for s in np.unique(strata):
        m = strata == s
        t, d, g = time[m], event[m], group[m]
        onehot = np.eye(n_groups)[g]
        order = np.argsort(-t, kind="stable")
        t, d, onehot = t[order], d[order], onehot[order]
        ut, first = np.unique(-t, return_index=True)  # descending times
        last = np.r_[first[1:], len(t)] - 1
        risk = np.cumsum(onehot, axis=0)[last]  # n at risk per group at each distinct time
        deaths = np.add.reduceat(onehot * d[:, None], first)
        n = risk.sum(axis=1)
        dd = deaths.sum(axis=1)
        use = dd > 0
        risk, deaths, n, dd = risk[use], deaths[use], n[use], dd[use]
        obs += deaths.sum(axis=0)
        exp += (dd / n) @ risk
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(n > 1, dd * (n - dd) / (n * n * (n - 1)), 0.0)
        var += np.diag((c * n) @ risk) - (risk * c[:, None]).T @ risk
    return obs, exp, var


def chisq_from(oe: np.ndarray, var: np.ndarray) -> tuple[float, int]:
    """Quadratic form (O-E)' V^- (O-E) with a generalised inverse (as ``survdiff``); df = rank."""
    vals, vecs = np.linalg.eigh(var)
    keep = vals > 1e-10 * max(vals.max(), 1e-300)
    proj = vecs[:, keep].T @ oe
    return float(np.sum(proj**2 / vals[keep])), int(keep.sum())


# ============================================================================ Cox model
@dataclasses.dataclass
class _Stratum:
    """One stratum sorted by descending time, with the positions of its distinct event times."""

    idx: np.ndarray  # row positions (into the full arrays), descending time
    times: np.ndarray  # distinct event times, descending
    risk_end: np.ndarray  # number of rows (prefix length) at risk at each event time
    death_rows: list[np.ndarray]  # positions within idx of the deaths at each event time
    death_pos: np.ndarray  # the same positions, concatenated (grouped by event time)
    death_tid: np.ndarray  # event-time index of each of them


def prepare_strata(time: np.ndarray, event: np.ndarray, strata: np.ndarray) -> list[_Stratum]:
    out = []
    for s in np.unique(strata):
        idx = np.flatnonzero(strata == s)
        order = np.lexsort((-event[idx], -time[idx]))  # descending time; deaths first within ties
        idx = idx[order]
        t, d = time[idx], event[idx]
        ev_times = np.unique(t[d == 1])[::-1]
        risk_end = np.searchsorted(-t, -ev_times, side="right")
        dead = np.flatnonzero(d == 1)  # in descending time order, so grouped by event time
        tid = np.searchsorted(-ev_times, -t[dead])
        death_rows = np.split(dead, np.flatnonzero(np.diff(tid)) + 1) if dead.size else []
        out.append(_Stratum(idx, ev_times, risk_end, death_rows, dead, tid))
    return out


def _steps(d: int, ties: str) -> np.ndarray:
    return np.arange(d) / d if ties == "efron" else np.zeros(1)


def cox_sums(beta: np.ndarray, X: np.ndarray, weights: np.ndarray, strata: list[_Stratum], ties: str,
             per_time: bool = False) -> dict:
    """Log partial likelihood, score and information at ``beta`` (Efron or Breslow ties, case weights).

    With ``per_time`` also returns, per distinct event time (all strata, in
    stratum order): the time, the score contribution (sum of weighted
    Schoenfeld residuals) and the information contribution. Vectorised over
    the event times: each tied set of :math:`d` deaths contributes :math:`d`
    Efron steps (one Breslow step).
    """
    p = X.shape[1]
    eta = X @ beta
    loglik = 0.0
    score = np.zeros(p)
    info = np.zeros((p, p))
    t_list, u_list, i_list = [], [], []
    for st in strata:
        n_t = len(st.times)
        if n_t == 0:
            continue
        Xs, ws = X[st.idx], weights[st.idx]
        r = ws * np.exp(eta[st.idx])
        c0 = np.cumsum(r)
        c1 = np.cumsum(r[:, None] * Xs, axis=0)
        c2 = np.cumsum(r[:, None, None] * Xs[:, :, None] * Xs[:, None, :], axis=0)
        pos, tid = st.death_pos, st.death_tid
        rd = r[pos]
        nd = np.bincount(tid, minlength=n_t).astype(float)
        wd = np.bincount(tid, weights=ws[pos], minlength=n_t)
        d0 = np.bincount(tid, weights=rd, minlength=n_t)
        d1 = np.zeros((n_t, p))
        np.add.at(d1, tid, rd[:, None] * Xs[pos])
        d2 = np.zeros((n_t, p, p))
        np.add.at(d2, tid, rd[:, None, None] * Xs[pos][:, :, None] * Xs[pos][:, None, :])
        wx = np.zeros((n_t, p))
        np.add.at(wx, tid, ws[pos][:, None] * Xs[pos])
        if ties == "efron":
            step_t = tid  # one step per death; deaths are grouped by time in pos order
            k = np.arange(len(tid)) - np.searchsorted(tid, tid, side="left")
            f = k / nd[tid]
            meanwt = (wd / nd)[step_t]
        else:
            step_t = np.arange(n_t)
            f = np.zeros(n_t)
            meanwt = wd
        e = st.risk_end[step_t] - 1
        a0 = c0[e] - f * d0[step_t]
        a1 = c1[e] - f[:, None] * d1[step_t]
        a2 = c2[e] - f[:, None, None] * d2[step_t]
        xbar = a1 / a0[:, None]
        loglik += float(ws[pos] @ eta[st.idx[pos]] - meanwt @ np.log(a0))
        u_t = wx.copy()
        np.add.at(u_t, step_t, -meanwt[:, None] * xbar)
        i_t = np.zeros((n_t, p, p))
        np.add.at(i_t, step_t, meanwt[:, None, None] * (a2 / a0[:, None, None] - xbar[:, :, None] * xbar[:, None, :]))
        score += u_t.sum(axis=0)
        info += i_t.sum(axis=0)
        if per_time:
            t_list.append(st.times)
            u_list.append(u_t)
            i_list.append(i_t)
    out = {"loglik": loglik, "score": score, "info": info}
    if per_time:
        out.update(times=np.concatenate(t_list) if t_list else np.zeros(0),
                   u_t=np.concatenate(u_list) if u_list else np.zeros((0, p)),
                   i_t=np.concatenate(i_list) if i_list else np.zeros((0, p, p)))
    return out


def cox_fit(X: np.ndarray, weights: np.ndarray, strata: list[_Stratum], ties: str, *,
            max_iter: int = 30, tol: float = 1e-10) -> dict:
    """Newton-Raphson with step halving, from ``beta = 0`` (as R's ``coxph``)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # diverging fits are flagged by the caller
        return _cox_fit(X, weights, strata, ties, max_iter, tol)


def _cox_fit(X: np.ndarray, weights: np.ndarray, strata: list[_Stratum], ties: str, max_iter: int,
             tol: float) -> dict:
    p = X.shape[1]
    beta = np.zeros(p)
    cur = cox_sums(beta, X, weights, strata, ties)
    loglik0 = cur["loglik"]
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is reported
        try:
            step = np.linalg.solve(cur["info"], cur["score"])
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(cur["info"], cur["score"], rcond=None)[0]
        new_beta = beta + step
        new = cox_sums(new_beta, X, weights, strata, ties)
        halvings = 0
        while (not np.isfinite(new["loglik"]) or new["loglik"] < cur["loglik"] - 1e-12) and halvings < 30:
            step = step / 2
            new_beta = beta + step
            new = cox_sums(new_beta, X, weights, strata, ties)
            halvings += 1
        change = abs(new["loglik"] - cur["loglik"])
        beta, cur = new_beta, new
        if change <= tol * max(abs(cur["loglik"]), 1.0) and np.max(np.abs(step)) < 1e-7 * max(1.0, np.max(
                np.abs(beta))):
            converged = True
            break
    return {"beta": beta, "loglik": cur["loglik"], "loglik0": loglik0, "info": cur["info"],
            "score": cur["score"], "converged": converged, "n_iter": n_iter}


def score_residuals(beta: np.ndarray, X: np.ndarray, weights: np.ndarray, event: np.ndarray,
                    strata: list[_Stratum], ties: str) -> np.ndarray:
    """Score residuals (R's ``residuals(fit, "score")``; unweighted), one row per observation."""
    n, p = X.shape
    eta = X @ beta
    resid = np.zeros((n, p))
    for st in strata:
        Xs, ws = X[st.idx], weights[st.idx]
        rexp = np.exp(eta[st.idx])
        r = ws * rexp
        c0 = np.cumsum(r)
        c1 = np.cumsum(r[:, None] * Xs, axis=0)
        m = len(st.idx)
        # hazard increments H and H*xbar at each event time, full (non-deaths) and Efron-discounted (deaths)
        H = np.zeros(len(st.times))
        A = np.zeros((len(st.times), p))
        res = np.zeros((m, p))
        for j, rows in enumerate(st.death_rows):
            e = st.risk_end[j] - 1
            d0 = r[rows].sum()
            d1 = r[rows] @ Xs[rows]
            f = _steps(len(rows), ties)
            meanwt = ws[rows].sum() / len(f)
            a0 = c0[e] - f * d0
            a1 = c1[e][None, :] - f[:, None] * d1[None, :]
            h = meanwt / a0
            xbar = a1 / a0[:, None]
            H[j] = h.sum()
            A[j] = h @ xbar
            # deaths at this time: Schoenfeld part and the Efron-discounted risk part (replaces the full one)
            hd = (1 - f) * h
            res[rows] += Xs[rows] - xbar.mean(axis=0)
            res[rows] -= rexp[rows, None] * (Xs[rows] * hd.sum() - (hd @ xbar)[None, :])
            res[rows] += rexp[rows, None] * (Xs[rows] * H[j] - A[j][None, :])
        # every row at risk at an event time gets -exp(eta) (x H - A) summed over event times up to its time;
        # event times are in descending order, the prefix risk_end[j] rows are at risk at time j
        cumH = np.cumsum(H[::-1])[::-1]  # sum over event times <= times[j]
        cumA = np.cumsum(A[::-1], axis=0)[::-1]
        # row i (descending order) is at risk at event times j with risk_end[j] > i: those are j >= j_i
        j_first = np.searchsorted(st.risk_end, np.arange(m), side="right")
        has = j_first < len(st.times)
        jf = np.minimum(j_first, max(len(st.times) - 1, 0))
        if len(st.times):
            res[has] -= rexp[has, None] * (Xs[has] * cumH[jf[has], None] - cumA[jf[has]])
        resid[st.idx] = res
    return resid


def cox_zph(fit_beta: np.ndarray, X: np.ndarray, weights: np.ndarray, time: np.ndarray, event: np.ndarray,
            strata: list[_Stratum], ties: str, terms: list[list[int]], transform: str) -> np.ndarray:
    """Score test of proportional hazards per term and globally, exactly as ``cox.zph`` of survival 3.x.

    The model is extended by ``X * g(t)``, with ``g`` the (centred)
    transformed time; the score of the extra coefficients at ``(beta, 0)``
    and the full information matrix of the extended model give one chi-square
    per term (the ``beta`` part of the score set to zero) and a global one.
    Returns rows ``[chisq, df]`` for each term, then the global test.
    """
    p = X.shape[1]
    sums = cox_sums(fit_beta, X, weights, strata, ties, per_time=True)
    if transform == "km":
        km = kaplan_meier(time, event.astype(float), np.ones_like(time))
        # left-continuous KM: S(t-)
        pos = np.searchsorted(km["time"], time, side="left")
        ttimes = 1.0 - np.concatenate([[1.0], km["survival"]])[pos]
    elif transform == "identity":
        ttimes = time.astype(float)
    elif transform == "log":
        ttimes = np.log(time)
    else:  # rank
        ttimes = stats.rankdata(time)
    center = ttimes[event == 1].mean()
    lookup = dict(zip(time[event == 1].tolist(), (ttimes[event == 1] - center).tolist(), strict=False))
    g = np.array([lookup[t] for t in sums["times"].tolist()])
    u2 = (g[:, None] * sums["u_t"]).sum(axis=0)
    i11 = sums["i_t"].sum(axis=0)
    i12 = (g[:, None, None] * sums["i_t"]).sum(axis=0)
    i22 = (g[:, None, None] ** 2 * sums["i_t"]).sum(axis=0)
    imat = np.block([[i11, i12], [i12.T, i22]])
    u = np.concatenate([np.zeros(p), u2])
    rows = []
    for jj in terms:
        kk = list(range(p)) + [p + j for j in jj]
        uk = u[kk]
        rows.append([float(np.linalg.solve(imat[np.ix_(kk, kk)], uk) @ uk), len(jj)])
    rows.append([float(np.linalg.solve(imat, u) @ u), p])
    return np.asarray(rows)


def concordance(time: np.ndarray, event: np.ndarray, risk: np.ndarray, weights: np.ndarray,
                strata: np.ndarray) -> tuple[float, float]:
    """Harrell's C for a risk score (higher = shorter time), as R's ``concordance`` with ``timewt = "n"``.

    A pair is comparable when the shorter time is an event (an event and a
    censoring at the same time count the censored one as longer); pairs
    tied on the score count one half; pairs of events at the same time are
    not comparable. Pairs are weighted by the product of the case weights
    and formed within strata. Returns (C, number of comparable pairs, weighted).
    """
    conc = disc = tied = 0.0
    for s in np.unique(strata):
        m = strata == s
        t, d, x, w = time[m], event[m], risk[m], weights[m]
        ranks = np.searchsorted(np.unique(x), x) + 1  # 1..k
        tree = [0.0] * (int(ranks.max()) + 1)  # Fenwick tree of weights by risk rank

        def add(i: int, v: float, tree: list = tree) -> None:
            while i < len(tree):
                tree[i] += v
                i += i & -i

        def prefix(i: int, tree: list = tree) -> float:
            out = 0.0
            while i > 0:
                out += tree[i]
                i -= i & -i
            return out

        total_w = 0.0
        order = np.argsort(-t, kind="stable")
        ut, first = np.unique(-t[order], return_index=True)
        bounds = np.r_[first, len(order)]
        for g in range(len(ut)):  # time groups, longest first
            grp = order[bounds[g]:bounds[g + 1]]
            for i in grp[d[grp] == 0]:  # censored at this time count as later than events at it
                add(int(ranks[i]), float(w[i]))
                total_w += float(w[i])
            for i in grp[d[grp] == 1]:
                below = prefix(int(ranks[i]) - 1)
                upto = prefix(int(ranks[i]))
                conc += w[i] * below
                tied += w[i] * (upto - below)
                disc += w[i] * (total_w - upto)
            for i in grp[d[grp] == 1]:
                add(int(ranks[i]), float(w[i]))
                total_w += float(w[i])
    total = conc + disc + tied
    return (conc + tied / 2) / total if total > 0 else float("nan"), total
