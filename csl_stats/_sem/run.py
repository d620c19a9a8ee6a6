"""Layer 5: one call from validated arguments to everything a result needs (shared by sem, cfa, invariance)."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._threads import blas_single_thread
from .._validation import as_generator, check_min_rows, check_not_constant, check_numeric, stacklevel
from ..errors import (
    CollinearityError,
    HeywoodWarning,
    InsufficientDataError,
    MissingDataWarning,
    ModelSpecificationError,
)
from .fitting import Fit, fit_model
from .inference import (
    effect_pairs,
    effects_table,
    effects_vector,
    fit_indices,
    jacobian,
    r_squared,
    robust_test,
    standardized,
    vcov,
)
from .moments import moments_from_array
from .specification import PSI, Model, Spec, build_model

__all__ = ["Prepared", "prepare", "Outcome", "estimate"]


@dataclass
class Prepared:
    xs: list[np.ndarray]
    groups: list[Hashable]
    n_obs: int
    n_dropped: int
    missing: bool


def prepare(
    data: pd.DataFrame,
    items: Sequence[Hashable],
    nan_policy: str,
    group: Hashable | None = None,
    min_rows: int | None = None,
) -> Prepared:
    """Select, check and split the item columns; apply the NaN policy (never touching ``data``)."""
    frame = check_numeric(data, list(items))
    check_not_constant(frame)
    if group is not None:
        gcol = data[group]
        if gcol.isna().any():
            rows = list(gcol.index[gcol.isna()][:5])
            raise InsufficientDataError(
                f"the grouping column {group!r} has {int(gcol.isna().sum())} missing value(s) (rows {rows}); "
                "drop those rows or give them a group."
            )
        labels = list(pd.unique(gcol))
        if len(labels) < 2:
            raise InsufficientDataError(
                f"the grouping column {group!r} has a single value {labels}; need 2+ groups."
            )
        parts = [frame[(gcol == lab).to_numpy()] for lab in labels]
    else:
        labels = [None]
        parts = [frame]
    p = len(items)
    xs = []
    dropped = 0
    any_missing = False
    for lab, part in zip(labels, parts, strict=True):
        x = part.to_numpy(dtype=float)
        miss = np.isnan(x)
        if nan_policy == "raise" and miss.any():
            counts = miss.sum(axis=0)
            detail = ", ".join(f"{items[j]!r}: {int(counts[j])}" for j in np.flatnonzero(counts))
            raise InsufficientDataError(
                f"missing values found ({detail}) and nan_policy='raise'; use nan_policy='listwise' "
                "or 'fiml'."
            )
        if nan_policy == "listwise":
            keep = ~miss.any(axis=1)
        else:
            keep = ~miss.all(axis=1)  # rows with every item missing carry no information (dropped, as lavaan)
        any_missing |= bool(miss[keep].any())
        dropped += int((~keep).sum())
        x = x[keep]
        where = "" if lab is None else f" in group {lab!r}"
        need = p + 1 if min_rows is None else min_rows
        kind = "complete rows" if nan_policy != "fiml" else "rows with an answer"
        check_min_rows(len(x), need, what=f"{kind}{where} (items + 1 = {p + 1})")
        xs.append(x)
    n_obs = sum(len(x) for x in xs)
    total = n_obs + dropped
    if nan_policy == "listwise" and total and dropped / total > 0.2:
        warnings.warn(
            f"listwise deletion dropped {dropped} of {total} rows ({dropped / total:.0%}); consider "
            "nan_policy='fiml', which uses every answered item.",
            MissingDataWarning,
            stacklevel=stacklevel(),
        )
    if nan_policy == "fiml" and not any_missing:
        warnings.warn(
            "nan_policy='fiml' was requested but the items have no missing values; FIML equals ML here "
            "(with a mean structure and observed-information standard errors, as lavaan's missing='ml').",
            MissingDataWarning,
            stacklevel=stacklevel(),
        )
    for x in xs:
        if not np.isnan(x).any():
            c = np.cov(x, rowvar=False, bias=True).reshape(p, p)
            eig = np.linalg.eigvalsh(c / np.sqrt(np.outer(np.diag(c), np.diag(c))))
            if eig[0] <= 1e-10:
                raise CollinearityError(
                    "the sample covariance matrix of the items is not positive definite (smallest eigenvalue "
                    f"of the correlation matrix {eig[0]:.3g}): some items are linear combinations of others "
                    "(duplicated items, or a sum score entered as an item)."
                )
    return Prepared(xs, labels, n_obs, dropped, any_missing)


@dataclass
class Outcome:
    model: Model
    fit: Fit
    params: pd.DataFrame
    fit_indices: pd.Series
    vcov: np.ndarray
    r2: pd.Series
    effects: pd.DataFrame
    info: dict = field(default_factory=dict)


def _boot_interval(ci: float, method: str):
    from .._bootstrap import interval

    def f(est: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return interval(draws, est, ci, method)

    return f


def _admissible(model: Model, theta: np.ndarray) -> bool:
    """No negative free variance and a positive semi-definite latent covariance matrix."""
    var = getattr(model, "_free_variances", None)
    if var is None:
        t = model.table
        var = (t["op"] == "~~").to_numpy() & (t["lhs"] == t["rhs"]).to_numpy() & (t["free"] >= 0).to_numpy()
        model._free_variances = var
    v = model.values(theta)
    if np.any(v[var] < 0):
        return False
    for mat in model.matrices(theta):
        eta = mat["a"] @ mat["psi"] @ mat["a"].T
        if model.m > 1 and np.linalg.eigvalsh(eta)[0] < 0:
            return False
    return True


TOL_BOOT = 1e-6  # bootstrap refits: parameter changes below 1e-6 are far below any percentile's noise


def bootstrap(
    fit: Fit, xs: list[np.ndarray], n_boot: int, rng, progress: bool, std_lv: bool
) -> tuple[np.ndarray, int, int]:
    """Row resamples (within groups) refitted from the full-sample solution.

    Returns the estimates of the converged resamples (``n_ok x q``), the number
    of failed resamples and the number of non-admissible ones among those kept.
    Only the parameter vectors are stored, so memory is ``n_boot x q`` floats.
    """
    gen = as_generator(rng)
    out = np.full((n_boot, fit.model.q), np.nan)
    failed = improper = 0
    it = range(n_boot)
    if progress:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover
            from ..errors import ArgumentError

            raise ArgumentError("progress=True needs the optional package tqdm (pip install tqdm).") from None
        it = tqdm(it, unit="resample", desc="bootstrap")
    for b in it:
        sample = [x[gen.integers(0, len(x), len(x))] for x in xs]
        try:
            moms = [moments_from_array(x) for x in sample]
            res = fit_model(
                fit.model,
                sample,
                std_lv=std_lv,
                start=fit.theta,
                moments=moms,
                h1=fit.h1,
                check=False,
                warn=False,
                max_iter=100,
                tol=TOL_BOOT,
                n_scoring=2,
            )
        except (FloatingPointError, np.linalg.LinAlgError, ValueError):
            failed += 1
            continue
        if not res.converged:
            failed += 1
            continue
        if not _admissible(fit.model, res.theta):
            improper += 1
        out[b] = res.theta
    return out[~np.isnan(out).any(axis=1)], failed, improper


def estimate(*args, **kwargs) -> Outcome:
    """Fit the model and compute SEs, fit indices, standardized solution, R^2 and effects."""
    with blas_single_thread():
        return _estimate(*args, **kwargs)


def _estimate(
    spec: Spec,
    prepared: Prepared,
    *,
    nan_policy: str,
    estimator: str,
    std_lv: bool,
    ci: float,
    n_boot: int = 0,
    ci_method: str = "percentile",
    rng=None,
    progress: bool = False,
    group_equal: Sequence[str] = (),
    free: Sequence[tuple[str, str, str]] = (),
    max_iter: int = 500,
    tol: float = 1e-9,
) -> Outcome:
    """Fit the model and compute SEs, fit indices, standardized solution, R^2 and effects."""
    n_groups = len(prepared.xs)
    meanstructure = nan_policy == "fiml" or n_groups > 1
    model = build_model(
        spec,
        std_lv=std_lv,
        meanstructure=meanstructure,
        n_groups=n_groups,
        group_equal=group_equal,
        free=free,
    )
    df = n_groups * (model.p * (model.p + 1) // 2 + (model.p if meanstructure else 0)) - model.q
    if df < 0:
        raise ModelSpecificationError(
            f"the model has {model.q} free parameters but only {model.q + df} sample moments; it is not "
            "identified (give constructs more items, or drop paths or residual covariances)."
        )
    fit = fit_model(model, prepared.xs, std_lv=std_lv, max_iter=max_iter, tol=tol)
    fi = fit_indices(fit)
    if estimator == "mlr":
        cov, extra = vcov(fit, kind="sandwich", data=prepared.xs)
    else:
        cov, extra = vcov(fit, kind="observed" if nan_policy == "fiml" else "expected")
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    if np.any(np.diag(cov) < 0) or np.linalg.eigvalsh((cov + cov.T) / 2)[0] < -1e-10 * np.abs(cov).max():
        warnings.warn(
            "the covariance matrix of the estimates is not positive definite; standard errors are unreliable "
            "(the model may be empirically under-identified).",
            HeywoodWarning,
            stacklevel=stacklevel(),
        )
    if estimator == "mlr":
        c = robust_test(fit, extra, prepared.xs, fi["df"]) if fi["df"] > 0 else np.nan
        fi.update(_robust_indices(fit, fi, c, prepared))
    t = model.table
    vals = model.values(fit.theta)
    free = t["free"].to_numpy()
    se_rows = np.where(free >= 0, se[np.maximum(free, 0)], 0.0)
    zc = stats.norm.ppf(0.5 + ci / 2)
    params = pd.DataFrame({"lhs": t["lhs"], "op": t["op"], "rhs": t["rhs"]})
    if n_groups > 1:
        params["group"] = [prepared.groups[g] for g in t["group"]]
    params["estimate"] = vals
    params["se"] = se_rows
    with np.errstate(divide="ignore", invalid="ignore"):
        params["z"] = np.where(free >= 0, vals / se_rows, np.nan)
    params["p"] = 2 * stats.norm.sf(np.abs(params["z"]))
    params["ci_low"] = np.where(free >= 0, vals - zc * se_rows, vals)
    params["ci_high"] = np.where(free >= 0, vals + zc * se_rows, vals)
    std = standardized(model, fit.theta)
    params["std_estimate"] = std
    jac = jacobian(lambda th: standardized(model, th), fit.theta)
    params["std_se"] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, cov, jac), 0, None))
    boot = None
    info: dict = {
        "n_iter": fit.n_iter,
        "converged": fit.converged,
        "n_boot_ok": 0,
        "n_boot_failed": 0,
        "n_boot_improper": 0,
    }
    if n_boot > 0:
        boot, failed, improper = bootstrap(fit, prepared.xs, n_boot, rng, progress, std_lv)
        info.update(n_boot_ok=len(boot), n_boot_failed=failed, n_boot_improper=improper)
        if failed:
            from ..errors import ConvergenceWarning

            warnings.warn(
                f"{failed} of {n_boot} bootstrap resamples did not converge and were dropped; "
                f"{improper} of the {len(boot)} kept are improper (negative variance).",
                ConvergenceWarning,
                stacklevel=stacklevel(),
            )
        lo, hi = _boot_interval(ci, ci_method)(fit.theta, boot)
        params.loc[free >= 0, "ci_low"] = lo[free[free >= 0]]
        params.loc[free >= 0, "ci_high"] = hi[free[free >= 0]]
    eff = effects_table(
        model, fit.theta, cov, ci, boot, _boot_interval(ci, ci_method) if boot is not None else None
    )
    r2 = (
        r_squared(model, fit.theta)[0]
        if n_groups == 1
        else pd.concat({g: s for g, s in zip(prepared.groups, r_squared(model, fit.theta), strict=True)})
    )
    _heywood(model, fit.theta, std)
    return Outcome(model, fit, params, pd.Series(fi, dtype=float), cov, r2, eff, info)


def _robust_indices(fit: Fit, fi: dict, c: float, prepared: Prepared) -> dict:
    """Scaled chi-square and lavaan's robust CFI/TLI/RMSEA (Brosseau-Liard & Savalei)."""
    df = fi["df"]
    out = {"chisq_scaled": fi["chisq"] / c, "scaling_factor": c}
    out["pvalue_scaled"] = float(stats.chi2.sf(out["chisq_scaled"], df)) if df > 0 else np.nan
    # baseline model's scaling factor: independence model (diagonal Sigma, free means/variances)
    cb = _baseline_scaling(fit, prepared)
    out["baseline_chisq_scaled"] = fi["baseline_chisq"] / cb
    n, g = fit.objective.n_total, fit.model.n_groups
    # robust CFI/TLI (Brosseau-Liard & Savalei 2014) and robust RMSEA (Brosseau-Liard, Savalei & Li 2012)
    t, tb, dfb = fi["chisq"], fi["baseline_chisq"], fi["baseline_df"]
    num = max(t - c * df, 0.0)
    den = max(t - c * df, tb - cb * dfb, 0.0)
    out["cfi_robust"] = 1.0 if den == 0 else 1 - num / den
    out["tli_robust"] = 1 - ((t - c * df) / (tb - cb * dfb)) * (dfb / df) if df > 0 else 1.0
    out["rmsea_robust"] = float(np.sqrt(max((t - c * df) / (n * df), 0.0)) * np.sqrt(g)) if df > 0 else 0.0
    if prepared.missing:
        # with incomplete data lavaan 0.6-14 computes the robust CFI/TLI/RMSEA differently
        # (Savalei 2018; Zhang & Savalei 2023); the complete-data formulas above would be a different
        # number under the same name, so they are not reported.
        out.update(cfi_robust=np.nan, tli_robust=np.nan, rmsea_robust=np.nan)
    return out


def _baseline_scaling(fit: Fit, prepared: Prepared) -> float:
    from .fitting import Fit as _Fit
    from .moments import baseline_loglik

    p = fit.model.p
    # independence model as a diagonal-Sigma "model": parameters (mu, diag) per group
    groups = fit.objective.groups

    class _Indep:
        def __init__(self):
            self.p, self.n_groups, self.meanstructure = p, len(groups), True
            self.q = 2 * p * len(groups)
            self.lv, self.ov = [], []

        def implied(self, theta):
            return [
                (np.diag(theta[g * 2 * p + p : (g + 1) * 2 * p]), theta[g * 2 * p : g * 2 * p + p])
                for g in range(self.n_groups)
            ]

        def delta(self, theta):
            out = []
            for g in range(self.n_groups):
                ds = np.zeros((self.q, p, p))
                dm = np.zeros((self.q, p))
                dm[g * 2 * p + np.arange(p), np.arange(p)] = 1.0
                ds[g * 2 * p + p + np.arange(p), np.arange(p), np.arange(p)] = 1.0
                out.append((ds, dm))
            return out

    from .estimator import Objective

    model = _Indep()
    theta = np.concatenate([np.concatenate(baseline_loglik(m)[1:]) for m in groups])
    obj = Objective(model, groups)  # type: ignore[arg-type]
    bfit = _Fit(model, obj, theta, 0, True, fit.h1)  # type: ignore[arg-type]
    _cov, extra = vcov(bfit, kind="sandwich", data=prepared.xs)
    dfb = len(groups) * p * (p - 1) // 2
    return robust_test(bfit, extra, prepared.xs, dfb)


def _heywood(model: Model, theta: np.ndarray, std: np.ndarray) -> None:
    t = model.table
    vals = model.values(theta)
    var = (t["op"] == "~~").to_numpy() & (t["lhs"] == t["rhs"]).to_numpy() & (t["free"] >= 0).to_numpy()
    neg = list(dict.fromkeys(t.loc[var & (vals < 0), "lhs"]))
    over = list(dict.fromkeys(t.loc[(t["op"] == "=~").to_numpy() & (np.abs(std) > 1), "rhs"]))
    corr = (t["mat"] == PSI).to_numpy() & (t["lhs"] != t["rhs"]).to_numpy() & (np.abs(std) > 1)
    pairs = [
        f"{a!r} and {b!r} ({s:.3f})"
        for a, b, s in zip(t.loc[corr, "lhs"], t.loc[corr, "rhs"], std[corr], strict=True)
    ]
    if not pairs and model.m > 1:
        for mat in model.matrices(theta):
            eta = mat["a"] @ mat["psi"] @ mat["a"].T
            if np.linalg.eigvalsh(eta)[0] < 0:
                pairs = ["the factor covariance matrix is not positive definite"]
                break
    if neg or over or pairs:
        parts = []
        if neg:
            parts.append(f"negative variance of {neg}")
        if over:
            parts.append(f"|standardized loading| > 1 for item(s) {over}")
        if pairs:
            parts.append(
                f"factor correlation above 1 in absolute value or not positive definite: {', '.join(pairs)}"
            )
        warnings.warn(
            "improper solution (Heywood case): " + "; ".join(parts) + ". Do not interpret these estimates as "
            "they are (over-factoring, nearly redundant items or constructs, or too small a sample).",
            HeywoodWarning,
            stacklevel=stacklevel(),
        )


__all__ += ["bootstrap", "effect_pairs", "effects_vector"]
