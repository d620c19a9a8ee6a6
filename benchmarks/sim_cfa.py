"""Simulation: type-I error of the CFA chi-square test and coverage of the Wald intervals.

A correctly specified 3-construct x 4-item model (normal data) is simulated
``reps`` times at n = 200 and n = 500 and fitted with :func:`csl_stats.cfa`.
Reported: the share of samples in which the chi-square test rejects at 5 %
(nominal 0.05), and the coverage of the 95 % Wald intervals (estimate +/- 1.96
SE) of the unstandardized loadings, of the standardized loadings (delta-method
SEs) and of the factor correlations (nominal 0.95), averaged over parameters.

Run:  .venv/bin/python benchmarks/sim_cfa.py [reps]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # many tiny fits: threads only add overhead

import sys
import time
import warnings

import numpy as np
import pandas as pd

import csl_stats

LOADINGS = np.array([0.8, 0.7, 0.6, 0.5, 0.85, 0.75, 0.65, 0.55, 0.8, 0.8, 0.7, 0.6])
PHI = np.array([[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]])
CONSTRUCTS = {f"f{j + 1}": [f"x{4 * j + i + 1}" for i in range(4)] for j in range(3)}


def population() -> np.ndarray:
    lam = np.zeros((12, 3))
    for j in range(3):
        lam[4 * j : 4 * j + 4, j] = LOADINGS[4 * j : 4 * j + 4]
    return lam @ PHI @ lam.T + np.diag(1 - LOADINGS**2)


def run(n: int, reps: int, rng: np.random.Generator) -> dict[str, float]:
    sigma = population()
    chol = np.linalg.cholesky(sigma)
    cols = [c for items in CONSTRUCTS.values() for c in items]
    true_phi = {("f1", "f2"): 0.3, ("f1", "f3"): 0.5, ("f2", "f3"): 0.4}
    reject = cover_l = cover_std = cover_phi = 0.0
    heywood = 0
    for _ in range(reps):
        data = pd.DataFrame(rng.standard_normal((n, 12)) @ chol.T, columns=cols)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = csl_stats.cfa(data, CONSTRUCTS)
        heywood += any(issubclass(w.category, csl_stats.errors.HeywoodWarning) for w in caught)
        reject += res.fit_indices["pvalue"] < 0.05
        load = res.loadings
        # population unstandardized = standardized loadings here (unit item variances)
        lo, hi = load["estimate"] - 1.96 * load["se"], load["estimate"] + 1.96 * load["se"]
        cover_l += np.mean((lo <= LOADINGS) & (LOADINGS <= hi))
        lo, hi = load["std_estimate"] - 1.96 * load["std_se"], load["std_estimate"] + 1.96 * load["std_se"]
        cover_std += np.mean((lo <= LOADINGS) & (LOADINGS <= hi))
        fc = res.factor_correlations
        truth = np.array([true_phi[(a, b)] for a, b in zip(fc["construct1"], fc["construct2"], strict=True)])
        lo, hi = fc["estimate"] - 1.96 * fc["se"], fc["estimate"] + 1.96 * fc["se"]
        cover_phi += np.mean((lo <= truth) & (truth <= hi))
    return {
        "n": n,
        "reps": reps,
        "chisq_reject_5pct": reject / reps,
        "cover_loading": cover_l / reps,
        "cover_std_loading": cover_std / reps,
        "cover_factor_corr": cover_phi / reps,
        "heywood_share": heywood / reps,
    }


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    rng = np.random.default_rng(20261127)
    start = time.perf_counter()
    rows = [run(n, reps, rng) for n in (200, 500)]
    out = pd.DataFrame(rows).set_index("n")
    mc_se = np.sqrt(0.05 * 0.95 / reps)
    with pd.option_context("display.precision", 3, "display.width", 200, "display.max_columns", 20):
        print(out)
    print(f"Monte Carlo SE of a 5 % rejection rate: {mc_se:.3f}; elapsed {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
