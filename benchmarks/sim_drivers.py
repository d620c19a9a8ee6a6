"""Coverage of the bootstrap percentile intervals of csl_stats.relative_importance.

Four correlated drivers and an outcome drawn from a multivariate normal whose
correlation matrix is known, so the population LMG shares and relative weights
are known exactly (both are functions of the correlation matrix). For each n,
REPS data sets are drawn; each gets a B-resample percentile interval; the
script prints the share of intervals that cover the population value.

Run: .venv/bin/python benchmarks/sim_drivers.py  (about two minutes on one core)
"""

import numpy as np
import pandas as pd

import csl_stats
from csl_stats.drivers import _lmg, _relative_weights

REPS, B = 500, 500
X = ["dlv", "qlt", "srv", "val"]

# population: drivers correlate 0.3-0.6; the outcome depends on them unequally
rxx = np.array(
    [[1.0, 0.5, 0.4, 0.3], [0.5, 1.0, 0.6, 0.4], [0.4, 0.6, 1.0, 0.3], [0.3, 0.4, 0.3, 1.0]]
)
beta = np.array([0.35, 0.25, 0.15, 0.05])
rxy = rxx @ beta
corr = np.eye(5)
corr[1:, 1:] = rxx
corr[0, 1:] = corr[1:, 0] = rxy
truth = {"lmg": _lmg(corr), "relative_weights": _relative_weights(corr)}


def main() -> None:
    rng = np.random.default_rng(2026)
    rows = []
    for method in ("lmg", "relative_weights"):
        for n in (100, 300, 1000):
            hits = np.zeros(4)
            for _ in range(REPS):
                z = rng.multivariate_normal(np.zeros(5), corr, size=n)
                df = pd.DataFrame(z, columns=["sat", *X])
                res = csl_stats.relative_importance(df, "sat", X, method=method, n_boot=B, rng=rng)
                t = res.table
                hits += (t["ci_low"].to_numpy() <= truth[method]) & (truth[method] <= t["ci_high"].to_numpy())
            rows.append({"method": method, "n": n, **dict(zip(X, hits / REPS, strict=True))})
    table = pd.DataFrame(rows)
    print(f"Coverage of 95 % percentile intervals ({REPS} data sets, B = {B}); population importances:")
    print({k: np.round(v, 4).tolist() for k, v in truth.items()})
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
