"""Confirmatory factor analysis (maximum likelihood) for measurement models.

Why an in-house estimator rather than semopy
--------------------------------------------
semopy fits CFA models on pandas 3 and its chi-square matches lavaan, but it
reports the NFI under the name GFI and has no SRMR, and it would be one more
runtime dependency. The models a questionnaire study needs are narrow: every item
loads on exactly one construct, constructs correlate freely, residuals are
uncorrelated. For that model family the ML estimator is short (Fisher scoring
with analytic derivatives, below), converges in a handful of iterations and
reproduces lavaan's ``cfa(model, data, std.lv = TRUE)`` to within a few 1e-6 on
the estimates, standard errors and fit indices (see ``tests/test_cfa.py`` and
``tests/reference/cfa.R``). So :func:`cfa` is implemented here with numpy and
scipy, and semopy is not a dependency.

The model
---------
For ``p`` items and ``m`` constructs,

.. math:: \\Sigma(\\theta) = \\Lambda \\Phi \\Lambda^\\top + \\Theta,

with ``Lambda`` the ``p x m`` loading matrix (one free loading per item),
``Phi`` the factor correlation matrix (latent variances fixed to 1: lavaan's
``std.lv = TRUE``) and ``Theta`` the diagonal matrix of residual variances.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._results import Result, result_dataclass
from ._validation import (
    apply_nan_policy,
    check_columns,
    check_dataframe,
    check_int,
    check_min_rows,
    check_not_constant,
    check_numeric,
)
from .errors import (
    ArgumentTypeError,
    CollinearityError,
    ConvergenceWarning,
    HeywoodWarning,
    ModelSpecificationError,
    ReverseKeyWarning,
)

__all__ = ["CFAResult", "cfa"]


# --------------------------------------------------------------------------- model specification
def _check_constructs(constructs: Any) -> dict[str, list[Hashable]]:
    """Validate ``{"construct": ["item", ...]}`` and return an ordered copy."""
    if not isinstance(constructs, Mapping):
        raise ArgumentTypeError(
            "constructs must be a dict mapping each construct name to its list of items, e.g. "
            f"{{'delivery': ['dlv1', 'dlv2', 'dlv3']}}; got {type(constructs).__name__}."
        )
    if len(constructs) == 0:
        raise ModelSpecificationError("constructs is empty; give at least one construct with its items.")
    out: dict[str, list[Hashable]] = {}
    owner: dict[Hashable, str] = {}
    for name, items in constructs.items():
        if isinstance(items, str) or not isinstance(items, Sequence | pd.Index):
            raise ArgumentTypeError(
                f"constructs[{name!r}] must be a list of item names; got {type(items).__name__} {items!r}."
            )
        items = list(items)
        for it in items:
            if it in owner:
                where = f"both {owner[it]!r} and {name!r}" if owner[it] != name else f"{name!r} twice"
                raise ModelSpecificationError(
                    f"item {it!r} is assigned to {where}; in this measurement model each item "
                    "measures exactly one construct."
                )
            owner[it] = name
        if len(items) < 2:
            raise ModelSpecificationError(
                f"construct {name!r} has {len(items)} item(s) {items}; a construct needs at least 2 items "
                "(3 if it is the only construct). A single-indicator construct is identified only with a "
                "fixed error variance, which this function does not support: drop the construct from the "
                "measurement model or add items."
            )
        out[str(name)] = items
    if len(out) == 1:
        ((name, items),) = out.items()
        if len(items) < 3:
            raise ModelSpecificationError(
                f"a one-construct model needs at least 3 items to be identified; {name!r} has {len(items)}."
            )
    return out


class _Model:
    """Parameter bookkeeping for the simple-structure CFA with std.lv = TRUE."""

    def __init__(self, constructs: dict[str, list[Hashable]]):
        self.factors = list(constructs)
        self.items = [it for items in constructs.values() for it in items]
        self.p, self.m = len(self.items), len(self.factors)
        self.item_factor = np.array([j for j, items in enumerate(constructs.values()) for _ in items])
        self.pairs = [(j, k) for j in range(self.m) for k in range(j + 1, self.m)]
        # parameter vector: loadings (p), residual variances (p), factor correlations
        self.q = 2 * self.p + len(self.pairs)
        self.df = self.p * (self.p + 1) // 2 - self.q

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p, m = self.p, self.m
        lam = np.zeros((p, m))
        lam[np.arange(p), self.item_factor] = theta[:p]
        psi = theta[p : 2 * p]
        phi = np.eye(m)
        for r, (j, k) in enumerate(self.pairs):
            phi[j, k] = phi[k, j] = theta[2 * p + r]
        return lam, phi, psi

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        lam, phi, psi = self.unpack(theta)
        return lam @ phi @ lam.T + np.diag(psi)

    def delta(self, theta: np.ndarray) -> np.ndarray:
        """Return the ``q x p x p`` array of derivatives d Sigma / d theta_a."""
        lam, phi, _ = self.unpack(theta)
        p = self.p
        out = np.zeros((self.q, p, p))
        lp = lam @ phi  # p x m
        idx = np.arange(p)
        a = lp[:, self.item_factor].T  # row i = column f(i) of Lambda Phi
        out[idx, idx, :] += a
        out[idx, :, idx] += a
        out[p + idx, idx, idx] = 1.0
        for r, (j, k) in enumerate(self.pairs):
            outer = np.outer(lam[:, j], lam[:, k])
            out[2 * p + r] = outer + outer.T
        return out


# --------------------------------------------------------------------------- estimation
def _f_ml(sigma: np.ndarray, s: np.ndarray, logdet_s: float) -> float:
    return _evaluate(sigma, s, logdet_s)[0]


def _evaluate(sigma: np.ndarray, s: np.ndarray, logdet_s: float) -> tuple[float, np.ndarray | None]:
    """F_ML and Sigma^-1 (inf, None when Sigma is not positive definite)."""
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf, None
    try:
        sinv = np.linalg.inv(sigma)
    except np.linalg.LinAlgError:
        return np.inf, None
    return float(logdet + np.sum(s * sinv) - logdet_s - s.shape[0]), sinv


def _gradient(model: _Model, theta: np.ndarray, sinv: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """g_a = tr(R dSigma_a) with R = Sigma^-1 (Sigma - S) Sigma^-1, in closed form."""
    lam, phi, _ = model.unpack(theta)
    r = sinv @ diff @ sinv
    rc = r @ (lam @ phi)  # p x m
    p = model.p
    g = np.empty(model.q)
    g[:p] = 2 * rc[np.arange(p), model.item_factor]
    g[p : 2 * p] = np.diag(r)
    if model.pairs:
        lrl = lam.T @ r @ lam
        j, k = np.array(model.pairs).T
        g[2 * p :] = 2 * lrl[j, k]
    return g


def _information(model: _Model, theta: np.ndarray, sinv: np.ndarray) -> np.ndarray:
    """H_ab = tr(A dSigma_a A dSigma_b), A = Sigma^-1 (twice the unit expected information).

    Closed form for dSigma/dlambda_i = e_i c_i' + c_i e_i' (c = column f(i) of Lambda Phi),
    dSigma/dpsi_i = e_i e_i' and dSigma/dphi_jk = l_j l_k' + l_k l_j', using
    tr(A(uv' + vu')A(wz' + zw')) = 2[(u'Az)(v'Aw) + (u'Aw)(v'Az)]; equal to
    Delta' (A kron A) Delta (checked in the tests against :meth:`_Model.delta`).
    """
    lam, phi, _ = model.unpack(theta)
    a = sinv
    p, f = model.p, model.item_factor
    ac = a @ (lam @ phi)  # p x m
    cac = (lam @ phi).T @ ac  # m x m
    mm = ac[:, f]  # mm[i, k] = (A C)_{i, f(k)}
    h = np.empty((model.q, model.q))
    h[:p, :p] = 2 * (mm * mm.T + a * cac[np.ix_(f, f)])
    h[:p, p : 2 * p] = 2 * a * mm.T
    h[p : 2 * p, p : 2 * p] = a * a
    if model.pairs:
        j, k = np.array(model.pairs).T
        al = a @ lam  # p x m
        cal = (lam @ phi).T @ al  # m x m
        lal = lam.T @ al  # m x m
        cal_f = cal[f]  # row i = (C'A Lambda)_{f(i), .}
        h[:p, 2 * p :] = 2 * (al[:, k] * cal_f[:, j] + al[:, j] * cal_f[:, k])
        h[p : 2 * p, 2 * p :] = 2 * al[:, j] * al[:, k]
        h[2 * p :, 2 * p :] = 2 * (
            lal[np.ix_(j, k)] * lal[np.ix_(k, j)] + lal[np.ix_(j, j)] * lal[np.ix_(k, k)]
        )
    upper = np.triu_indices(model.q, 1)
    h[upper[1], upper[0]] = h[upper]
    return h


def _start_values(model: _Model, s: np.ndarray) -> np.ndarray:
    """One-factor principal-axis solution per block; factor correlations from the block covariances."""
    p = model.p
    lam = np.zeros(p)
    for j in range(model.m):
        idx = np.flatnonzero(model.item_factor == j)
        sb = s[np.ix_(idx, idx)]
        d = np.diag(sb)
        try:  # squared multiple correlations as initial communalities
            h = np.clip(d - 1.0 / np.diag(np.linalg.inv(sb)), 0.05 * d, 0.95 * d)
        except np.linalg.LinAlgError:
            h = 0.5 * d
        for _ in range(3):
            r = sb - np.diag(d) + np.diag(h)
            w, v = np.linalg.eigh(r)
            load = v[:, -1] * np.sqrt(max(w[-1], 1e-8))
            h = np.clip(load**2, 0.05 * d, 0.95 * d)
        if load[0] < 0:
            load = -load
        lam[idx] = load
    psi = np.maximum(np.diag(s) - lam**2, 0.05 * np.diag(s))
    cors = []
    for j, k in model.pairs:
        ij, ik = model.item_factor == j, model.item_factor == k
        cov = lam[ij] @ s[np.ix_(ij, ik)] @ lam[ik] / ((lam[ij] @ lam[ij]) * (lam[ik] @ lam[ik]))
        cors.append(np.clip(cov, -0.95, 0.95))
    cors = np.asarray(cors, dtype=float)
    if model.m > 2:  # keep the starting factor correlation matrix positive definite
        for _ in range(20):
            phi = model.unpack(np.concatenate([lam, psi, cors]))[1]
            if np.linalg.eigvalsh(phi)[0] > 0.05:
                break
            cors = 0.8 * cors
    return np.concatenate([lam, psi, cors])


def _fisher_scoring(
    model: _Model, s: np.ndarray, theta: np.ndarray, max_iter: int, tol: float
) -> tuple[np.ndarray, int, bool]:
    """Minimise F_ML by Fisher scoring with step halving."""
    logdet_s = np.linalg.slogdet(s)[1]
    sigma = model.sigma(theta)
    f, sinv = _evaluate(sigma, s, logdet_s)
    if sinv is None:
        sinv = np.linalg.pinv(sigma)
    for it in range(1, max_iter + 1):
        grad = _gradient(model, theta, sinv, sigma - s)
        info = _information(model, theta, sinv)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        t = 1.0
        while True:
            cand = theta - t * step
            cand_sigma = model.sigma(cand)
            f_new, cand_sinv = _evaluate(cand_sigma, s, logdet_s)
            if (cand_sinv is not None and f_new <= f + 1e-14 * abs(f)) or t < 1e-6:
                break
            t /= 2
        if cand_sinv is None:  # no admissible step: stop here
            return theta, it, False
        theta, sigma, sinv, f_old, f = cand, cand_sigma, cand_sinv, f, f_new
        if np.max(np.abs(t * step)) < tol and abs(f_old - f) < tol:
            return theta, it, True
    return theta, max_iter, False


def _std_transform(model: _Model, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized (std.all) values of the free parameters and their Jacobian.

    With one loading per item and unit latent variances the model-implied item
    variance is ``v_i = lambda_i^2 + psi_i``; the standardized loading is
    ``lambda_i / sqrt(v_i)``, the standardized residual variance ``psi_i / v_i``
    and factor correlations are already standardized.
    """
    p = model.p
    lam, psi = theta[:p], theta[p : 2 * p]
    v = lam**2 + psi
    std = theta.copy()
    std[:p] = lam / np.sqrt(v)
    std[p : 2 * p] = psi / v
    jac = np.eye(model.q)
    idx = np.arange(p)
    jac[idx, idx] = psi / v**1.5
    jac[idx, p + idx] = -lam / (2 * v**1.5)
    jac[p + idx, idx] = -2 * lam * psi / v**2
    jac[p + idx, p + idx] = lam**2 / v**2
    return std, jac


# --------------------------------------------------------------------------- fit indices
def _rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square (as lavaan)."""
    if df <= 0:
        return np.nan, np.nan
    upper_p, lower_p = (1 + level) / 2, (1 - level) / 2

    def ncp_for(prob: float) -> float:
        def g(lam: float) -> float:
            cdf = stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)
            return float(cdf) - prob

        if g(0.0) < 0:
            return 0.0
        hi = max(chisq, 1.0)
        while g(hi) > 0:
            hi *= 2
        return optimize.brentq(g, 0.0, hi, xtol=1e-12)

    lo = ncp_for(upper_p)
    hi = ncp_for(lower_p)
    return float(np.sqrt(lo / (n * df))), float(np.sqrt(hi / (n * df)))


def _fit_indices(model: _Model, s: np.ndarray, sigma: np.ndarray, n: int) -> pd.Series:
    p, q, df = model.p, model.q, model.df
    logdet_s = np.linalg.slogdet(s)[1]
    fmin = _f_ml(sigma, s, logdet_s)
    chisq = max(n * fmin, 0.0)  # a saturated model gives -1e-13 by rounding
    base_chisq = n * float(np.sum(np.log(np.diag(s))) - logdet_s)
    base_df = p * (p - 1) // 2
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 if t1 == 0 and t2 == 0 else 1 - t1 / t2
    if df > 0:
        tli_num = base_chisq / base_df - chisq / df
        tli_den = base_chisq / base_df - 1
        tli = 1.0 if (tli_num < 0 and tli_den < 0) else tli_num / tli_den
        rmsea = float(np.sqrt(max(chisq / (n * df) - 1 / n, 0.0)))
        ci_low, ci_high = _rmsea_ci(chisq, df, n)
        rmsea_p = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2))
    else:  # saturated model (df = 0): lavaan's conventions
        tli, rmsea, ci_low, ci_high, rmsea_p = 1.0, 0.0, 0.0, 0.0, np.nan
    sd = np.sqrt(np.diag(s))
    resid = (s - sigma) / np.outer(sd, sd)
    iu = np.triu_indices(p)
    srmr = float(np.sqrt(np.mean(resid[iu] ** 2)))
    const = p * np.log(2 * np.pi)
    loglik = -n / 2 * (np.linalg.slogdet(sigma)[1] + np.trace(np.linalg.solve(sigma, s)) + const)
    loglik_h1 = -n / 2 * (logdet_s + p + const)
    return pd.Series(
        {
            "chisq": chisq,
            "df": float(df),
            "pvalue": pvalue,
            "cfi": cfi,
            "tli": tli,
            "rmsea": rmsea,
            "rmsea_ci_low": ci_low,
            "rmsea_ci_high": ci_high,
            "rmsea_pvalue": rmsea_p,
            "srmr": srmr,
            "baseline_chisq": base_chisq,
            "baseline_df": float(base_df),
            "loglik": loglik,
            "loglik_h1": loglik_h1,
            "aic": -2 * loglik + 2 * q,
            "bic": -2 * loglik + q * np.log(n),
            "npar": float(q),
        },
        name="fit_indices",
    )


# --------------------------------------------------------------------------- result
@result_dataclass
class CFAResult(Result):
    """Result of :func:`cfa`.

    Attributes
    ----------
    params : DataFrame
        One row per free parameter (lavaan's ``parameterEstimates`` joined with
        ``standardizedSolution``): ``op`` (``"=~"`` loading, ``"~~"`` residual
        variance or factor correlation), ``lhs``, ``rhs``, ``estimate``, ``se``,
        ``z``, ``p``, ``std_estimate`` (std.all) and ``std_se`` (delta method).
    fit_indices : Series
        ``chisq``, ``df``, ``pvalue``, ``cfi``, ``tli``, ``rmsea``,
        ``rmsea_ci_low``, ``rmsea_ci_high`` (90 %), ``rmsea_pvalue``
        (H0: RMSEA <= .05), ``srmr``, ``baseline_chisq``, ``baseline_df``,
        ``loglik``, ``loglik_h1``, ``aic``, ``bic``, ``npar``.
    sample_cov : DataFrame
        The covariance matrix analysed (divisor N, as lavaan).
    n_obs, n_dropped : int
        Rows used, and rows dropped for missing values.
    n_iter : int
        Fisher-scoring iterations.
    converged : bool
    """

    _title = "Confirmatory factor analysis (ML)"

    params: pd.DataFrame
    fit_indices: pd.Series
    sample_cov: pd.DataFrame
    constructs: dict
    n_obs: int
    n_dropped: int
    n_iter: int
    converged: bool

    def _header(self) -> str:
        f = self.fit_indices
        return (
            f"{super()._header()}, chisq={f['chisq']:.4g}, df={int(f['df'])}, cfi={f['cfi']:.3f}, "
            f"rmsea={f['rmsea']:.3f}, srmr={f['srmr']:.3f}"
        )

    _frame = "params"

    def summary(self) -> pd.DataFrame:
        """Loadings (unstandardized and standardized) with standard errors."""
        return self.loadings.set_index(["construct", "item"])

    @property
    def loadings(self) -> pd.DataFrame:
        """Loadings: ``construct``, ``item``, estimate, se, z, p, std_estimate, std_se."""
        t = self.params[self.params["op"] == "=~"].drop(columns="op")
        return t.rename(columns={"lhs": "construct", "rhs": "item"}).reset_index(drop=True)

    @property
    def residual_variances(self) -> pd.DataFrame:
        """Residual (error) variances of the items, indexed by item."""
        t = self.params[(self.params["op"] == "~~") & (self.params["lhs"] == self.params["rhs"])]
        return t.drop(columns=["op", "lhs"]).rename(columns={"rhs": "item"}).set_index("item")

    @property
    def factor_correlations(self) -> pd.DataFrame:
        """Factor correlations (long format, with SEs)."""
        t = self.params[(self.params["op"] == "~~") & (self.params["lhs"] != self.params["rhs"])]
        t = t.drop(columns=["op", "std_estimate", "std_se"])
        return t.rename(columns={"lhs": "construct1", "rhs": "construct2"}).reset_index(drop=True)

    @property
    def factor_corr_matrix(self) -> pd.DataFrame:
        """Factor correlations as a symmetric matrix (ones on the diagonal)."""
        names = list(self.constructs)
        mat = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
        for _, r in self.factor_correlations.iterrows():
            mat.loc[r["construct1"], r["construct2"]] = mat.loc[r["construct2"], r["construct1"]] = r[
                "estimate"
            ]
        return mat

    @property
    def implied_cov(self) -> pd.DataFrame:
        """Model-implied covariance matrix of the items."""
        items = list(self.sample_cov.columns)
        lam = self.loadings
        load = np.zeros((len(items), len(self.constructs)))
        pos = {c: j for j, c in enumerate(self.constructs)}
        for _, r in lam.iterrows():
            load[items.index(r["item"]), pos[r["construct"]]] = r["estimate"]
        phi = self.factor_corr_matrix.to_numpy()
        psi = self.residual_variances["estimate"].reindex(items).to_numpy()
        return pd.DataFrame(load @ phi @ load.T + np.diag(psi), index=items, columns=items)

    @property
    def residual_cov(self) -> pd.DataFrame:
        """Sample minus model-implied covariances (look here for the sources of misfit)."""
        return self.sample_cov - self.implied_cov


# --------------------------------------------------------------------------- public function
def cfa(
    data: pd.DataFrame,
    constructs: Mapping[str, Sequence[Hashable]],
    *,
    nan_policy: str = "listwise",
    max_iter: int = 500,
    tol: float = 1e-8,
) -> CFAResult:
    """Confirmatory factor analysis of a measurement model by maximum likelihood.

    Each item loads on one construct; constructs correlate freely; latent
    variances are fixed to 1; loadings and residual variances are free. This is
    lavaan's ``cfa(model, data, std.lv = TRUE)`` with its defaults (ML,
    normal-theory likelihood with divisor N, expected information).

    Parameters
    ----------
    data : DataFrame
        One row per respondent; the items must be numeric.
    constructs : dict
        ``{"construct": ["item", ...], ...}``. Every construct needs at least
        two items (three when it is the only construct); an item may appear
        once only. Reverse-keyed items should be reverse-coded first (a
        negative loading is otherwise estimated, which is legal but easy to miss).
    nan_policy : {"listwise", "raise"}
        Rows with a missing value on any item are dropped (and counted in
        ``n_dropped``), or an error is raised. Full-information ML is not offered.
    max_iter : int
        Maximum number of Fisher-scoring iterations.
    tol : float
        Convergence criterion on the largest parameter change and on the change
        of the fit function.

    Returns
    -------
    CFAResult
        ``loadings``, ``residual_variances``, ``factor_correlations``,
        ``fit_indices``, ``params`` (everything), ``n_obs``.

    Raises
    ------
    ModelSpecificationError
        An item in two constructs, a construct with fewer than 2 items, a lone
        construct with fewer than 3 items, or more free parameters than moments.
    ColumnNotFoundError, NonNumericError, ConstantError
        Unknown, non-numeric or constant item columns.
    InsufficientDataError
        Fewer complete rows than items + 1.
    CollinearityError
        The sample covariance matrix is not positive definite.

    Warns
    -----
    HeywoodWarning
        A negative residual variance or a standardized loading above 1 in
        absolute value (improper solution), naming the item; or a factor
        correlation above 1 in absolute value (a factor correlation matrix that
        is not positive definite), naming the constructs.
    ConvergenceWarning
        Fisher scoring stopped after ``max_iter`` iterations.

    Notes
    -----
    With the sample covariance matrix ``S`` (divisor N) the estimator minimises

    .. math:: F_{ML} = \\log|\\Sigma(\\theta)| + \\mathrm{tr}(S\\Sigma(\\theta)^{-1}) - \\log|S| - p

    by Fisher scoring, :math:`\\theta \\leftarrow \\theta - H^{-1} g`, with the
    gradient :math:`g_a = \\mathrm{tr}(\\Sigma^{-1}(\\Sigma - S)\\Sigma^{-1}\\,
    \\partial\\Sigma/\\partial\\theta_a)` and the expected Hessian
    :math:`H_{ab} = \\mathrm{tr}(\\Sigma^{-1}\\partial_a\\Sigma\\,\\Sigma^{-1}\\partial_b\\Sigma)`
    (step halving guards against an increase of F). Start values are one-factor
    principal-axis solutions per construct. Standard errors come from the
    expected information, :math:`\\mathrm{Cov}(\\hat\\theta) = (2/N) H^{-1}`;
    standardized (std.all) estimates divide by the model-implied item SDs and
    their SEs use the delta method (analytic Jacobian), as lavaan's
    ``standardizedSolution``.

    Fit indices follow lavaan's ``fitMeasures``: :math:`\\chi^2 = N F_{ML}`;
    baseline (independence) model :math:`\\chi^2_0 = N(\\sum\\log s_{ii} - \\log|S|)`
    on :math:`p(p-1)/2` df; CFI :math:`= 1 - \\max(\\chi^2-df, 0)/\\max(\\chi^2-df, \\chi^2_0-df_0, 0)`;
    TLI :math:`= (\\chi^2_0/df_0 - \\chi^2/df)/(\\chi^2_0/df_0 - 1)`; RMSEA
    :math:`= \\sqrt{\\max(\\chi^2/(N\\,df) - 1/N, 0)}` with a 90 % CI from the
    noncentral chi-square; SRMR is Bentler's version,
    :math:`\\sqrt{\\text{mean}_{i\\le j}((s_{ij}-\\hat\\sigma_{ij})/\\sqrt{s_{ii}s_{jj}})^2}`
    (lavaan's ``srmr`` for continuous ML without mean structure). For a
    saturated model (df = 0) lavaan's conventions are kept: CFI = TLI = 1,
    RMSEA and its limits 0, p-values NaN.

    Agreement with lavaan 0.6-14 on ``tests/reference/cfa_data.csv``
    (3 constructs x 4 items, n = 400): estimates within 3e-6 (the tolerance of
    lavaan's own optimizer), SEs and standardized SEs within 2e-7, fit indices
    within 2e-8 (tests use 1e-4). On lavaan's ``HolzingerSwineford1939``
    three-factor model (n = 301): estimates within 4e-6, SEs within 3e-7,
    chi-square 85.306 on 24 df, CFI .931, RMSEA .092, SRMR .065, as in lavaan.

    Simulation (``benchmarks/sim_cfa.py``: correct 3 x 4 model, normal data,
    1,000 replications per n, Monte Carlo SE 0.7 points): the chi-square test
    rejects at the 5 % level in 6.9 % of samples at n = 200 and 5.4 % at
    n = 500 (the ML chi-square is known to be somewhat liberal in small
    samples); 95 % Wald intervals cover the loadings in 94.7 % / 94.7 %, the
    standardized loadings in 93.9 % / 94.6 % and the factor correlations in
    93.1 % / 94.6 % of samples (n = 200 / 500).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
    *Journal of Statistical Software*, 48(2), 1-36.

    Bollen, K. A. (1989). *Structural equations with latent variables*. Wiley.

    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in
    covariance structure analysis. *Structural Equation Modeling*, 6(1), 1-55.

    Examples
    --------
    >>> import csl_stats
    >>> data, _ = csl_stats.simulate_supply_chain_survey(n=300, rng=1)
    >>> res = csl_stats.cfa(data, {"sat": ["sat1", "sat2", "sat3"],
    ...                            "trust": ["trs1", "trs2", "trs3", "trs4"]})
    >>> res.n_obs <= 300, res.converged
    (True, True)
    >>> list(res.fit_indices[["chisq", "df"]].index)
    ['chisq', 'df']
    """
    data = check_dataframe(data)
    spec = _check_constructs(constructs)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    model = _Model(spec)
    if model.df < 0:
        raise ModelSpecificationError(
            f"the model has {model.q} free parameters but only {model.p * (model.p + 1) // 2} "
            "variances and covariances; it is not identified."
        )
    cols = check_columns(data, model.items, arg="constructs")
    frame = check_numeric(data, cols)
    check_not_constant(frame)
    complete = apply_nan_policy(frame, nan_policy)
    n = len(complete)
    check_min_rows(n, model.p + 1, what=f"complete rows (items + 1 = {model.p + 1})")
    check_not_constant(complete)
    x = complete.to_numpy()
    s = np.cov(x, rowvar=False, bias=True)
    eig = np.linalg.eigvalsh(s / np.sqrt(np.outer(np.diag(s), np.diag(s))))
    if eig[0] <= 1e-10:
        raise CollinearityError(
            "the sample covariance matrix of the items is not positive definite (smallest eigenvalue of "
            f"the correlation matrix {eig[0]:.3g}): some items are linear combinations of others "
            "(duplicated items, or a sum score entered as an item)."
        )
    theta0 = _start_values(model, s)
    theta, n_iter, converged = _fisher_scoring(model, s, theta0, max_iter, tol)
    # sign convention (lavaan): the first item of each construct loads positively
    for j in range(model.m):
        first = int(np.flatnonzero(model.item_factor == j)[0])
        if theta[first] < 0:
            theta[: model.p][model.item_factor == j] *= -1
            for r, pair in enumerate(model.pairs):
                if j in pair:
                    theta[2 * model.p + r] *= -1
    if not converged:
        warnings.warn(
            f"CFA did not converge in {n_iter} Fisher-scoring iterations; estimates are unreliable. "
            "Check for constructs with weak or near-zero loadings, or increase max_iter.",
            ConvergenceWarning,
            stacklevel=2,
        )
    sigma = model.sigma(theta)
    sinv = np.linalg.inv(sigma)
    info = _information(model, theta, sinv)
    try:
        vcov = 2.0 / n * np.linalg.inv(info)
        se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    except np.linalg.LinAlgError:
        vcov = np.full((model.q, model.q), np.nan)
        se = np.full(model.q, np.nan)
    std, jac = _std_transform(model, theta)
    std_se = np.sqrt(np.clip(np.diag(jac @ vcov @ jac.T), 0, None))
    p = model.p
    n_pairs = len(model.pairs)
    items = [str(i) if not isinstance(i, str) else i for i in model.items]
    params = pd.DataFrame(
        {
            "op": ["=~"] * p + ["~~"] * (p + n_pairs),
            "lhs": [model.factors[j] for j in model.item_factor]
            + list(model.items)
            + [model.factors[j] for j, _ in model.pairs],
            "rhs": list(model.items) + list(model.items) + [model.factors[k] for _, k in model.pairs],
            "estimate": theta,
            "se": se,
        }
    )
    params["z"] = params["estimate"] / params["se"]
    params["p"] = 2 * stats.norm.sf(np.abs(params["z"]))
    params["std_estimate"] = std
    params["std_se"] = std_se
    # Heywood cases
    bad = [items[i] for i in range(p) if theta[p + i] < 0 or abs(std[i]) > 1]
    if bad:
        warnings.warn(
            f"improper solution (Heywood case): negative residual variance or |standardized loading| > 1 "
            f"for item(s) {bad}. The construct may be over-factored, the item nearly redundant, or the "
            "sample too small; do not interpret these estimates as they are.",
            HeywoodWarning,
            stacklevel=2,
        )
    # an item loading against the rest of its construct: most often a reverse-keyed item not recoded
    for j, factor in enumerate(model.factors):
        idx = [i for i in range(p) if model.item_factor[i] == j]
        signs = np.sign(theta[idx])
        if (signs > 0).any() and (signs < 0).any():
            majority = 1.0 if (signs > 0).sum() >= (signs < 0).sum() else -1.0
            odd = [items[i] for i, sg in zip(idx, signs, strict=True) if sg == -majority]
            warnings.warn(
                f"item(s) {odd} load with the opposite sign to the other items of {factor!r}; "
                "reverse-code them (e.g. 8 - x on a 1-7 scale) or check their wording before "
                "interpreting the construct.",
                ReverseKeyWarning,
                stacklevel=2,
            )
    phi = model.unpack(theta)[1]
    over = [(model.factors[j], model.factors[k], phi[j, k]) for j, k in model.pairs if abs(phi[j, k]) > 1]
    if over or (model.m > 1 and np.linalg.eigvalsh(phi)[0] < 0):
        detail = (
            ", ".join(f"{a!r} and {b!r} ({r:.3f})" for a, b, r in over)
            if over
            else "the factor correlation matrix is not positive definite"
        )
        warnings.warn(
            f"improper solution (Heywood case): factor correlation above 1 in absolute value or not "
            f"positive definite: {detail}. The constructs are not empirically distinct (merge them or "
            "revise their items); do not interpret these estimates as they are.",
            HeywoodWarning,
            stacklevel=2,
        )
    fit = _fit_indices(model, s, sigma, n)
    return CFAResult(
        params=params,
        fit_indices=fit,
        sample_cov=pd.DataFrame(s, index=model.items, columns=model.items),
        constructs={k: list(v) for k, v in spec.items()},
        n_obs=n,
        n_dropped=len(frame) - n,
        n_iter=n_iter,
        converged=converged,
    )
