"""Speed of csl_stats.relative_importance (LMG) against pingouin's LMG, same data, one process.

pingouin.linear_regression(..., relimp=True) refits every subset; csl_stats
solves every subset from one correlation matrix. Prints median times over
repeats and the ratio peer / ours (higher = csl_stats faster).

Run: .venv/bin/python benchmarks/bench_drivers.py
"""

import statistics
import time

import numpy as np
import pandas as pd
import pingouin as pg

import csl_stats


def median_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for p in (4, 8, 12):
        n = 2000
        z = rng.normal(size=(n, p + 1))
        z[:, 1:] += 0.5 * z[:, [0]]
        names = [f"x{i}" for i in range(p)]
        df = pd.DataFrame(z, columns=["y", *names])
        ours = median_time(lambda df=df, names=names: csl_stats.relative_importance(df, "y", names))
        peer = median_time(lambda df=df, names=names: pg.linear_regression(df[names], df["y"], relimp=True), 3)
        a = csl_stats.relative_importance(df, "y", names).table["importance"].to_numpy()
        b = pg.linear_regression(df[names], df["y"], relimp=True).set_index("names").loc[names, "relimp"].to_numpy()
        rows.append({"predictors": p, "n": n, "csl_stats_s": ours, "pingouin_s": peer,
                     "ratio": peer / ours, "max_abs_diff": float(np.max(np.abs(a - b)))})
    # the bootstrap: 2,000 resamples of 4 drivers, n = 1,000 (pingouin has no interval)
    z = rng.normal(size=(1000, 5))
    df = pd.DataFrame(z, columns=["y", "a", "b", "c", "d"])
    boot = median_time(lambda: csl_stats.relative_importance(df, "y", ["a", "b", "c", "d"], n_boot=2000, rng=1), 3)
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"LMG with 2,000 bootstrap resamples (4 drivers, n = 1,000): {boot:.3f} s (median of 3)")


if __name__ == "__main__":
    main()
