"""Speed of :func:`csl_stats.survival` against statsmodels (same process, same data).

Run: ``.venv/bin/python benchmarks/bench_survival.py [--n 5000]``. Compares

1. the Cox fit (Efron ties, 5 covariates) with ``statsmodels.duration.hazard_regression.PHReg``
   (``ties="efron"``), which computes the estimates and naive standard errors only; csl_stats
   also computes the proportional-hazards test, the concordance and the baseline hazard, so the
   ratio is reported for the full call and the agreement of the estimates is printed;
2. Kaplan-Meier by three groups with the log-rank test against ``SurvfuncRight`` per group plus
   ``survdiff``.

Peak memory of the full ``survival`` call is measured with ``tracemalloc``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

import csl_stats


def timed(fn, reps: int) -> tuple[float, object]:
    out = None
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(n: int, reps: int) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 5))
    t = rng.exponential(365 / np.exp(X @ np.array([0.5, -0.3, 0.2, 0.0, 0.1])))
    c = rng.uniform(0, 730, size=n)
    d = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    d["time"] = np.ceil(np.minimum(t, c))
    d["event"] = (t <= c).astype(int)
    d["g"] = rng.integers(0, 3, size=n)
    covs = [f"x{i}" for i in range(5)]

    t_ours, ours = timed(lambda: csl_stats.survival(d, "time", "event", covariates=covs), reps)
    t_sm, sm = timed(lambda: PHReg(d["time"], d[covs], status=d["event"], ties="efron").fit(), reps)
    diff = np.max(np.abs(ours.cox["coef"].to_numpy() - np.asarray(sm.params)))
    print(f"Cox, n = {n}, 5 covariates, Efron ties ({d['time'].nunique()} distinct times)")
    print(f"  csl_stats.survival (fit + PH test + concordance): {t_ours:.3f} s")
    print(f"  statsmodels PHReg (fit only):                     {t_sm:.3f} s   ratio {t_ours / t_sm:.2f}")
    print(f"  max |coef difference| = {diff:.2e}")

    def sm_km():
        for g in range(3):
            m = d["g"] == g
            SurvfuncRight(d.loc[m, "time"], d.loc[m, "event"])
        return survdiff(d["time"], d["event"], d["g"])

    t_km, _ = timed(lambda: csl_stats.survival(d, "time", "event", groups="g", covariates=[]), reps)
    t_smk, _ = timed(sm_km, reps)
    print(f"KM by 3 groups + log-rank: csl_stats {t_km:.3f} s, statsmodels {t_smk:.3f} s, ratio {t_km / t_smk:.2f}")

    tracemalloc.start()
    csl_stats.survival(d, "time", "event", covariates=covs, groups="g", robust=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak memory of survival(..., robust=True), n = {n}: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    main(args.n, args.reps)
