"""Speed and memory of csl_stats.mediation against pingouin and pyprocessmacro.

Run: ``python benchmarks/bench_mediation.py`` (single process, same data for all).

Setting (issue 6): two parallel mediators, n = 2,000, B = 5,000 bootstrap resamples,
percentile intervals everywhere (pingouin always computes bias-corrected ones, which
costs nothing extra). The three are run in turn, ``REPS`` rounds (pingouin in the first
``PING_REPS`` rounds only, it takes tens of seconds), so that load on a shared machine
hits all of them alike; the medians are reported. Peak memory of ``mediation`` at n = 100,000 (B = 5,000) is
measured with tracemalloc (Python and numpy allocations).

Model 7 (issue 20): :func:`csl_stats.process` with first-stage moderation (one mediator,
a continuous moderator, n = 2,000, B = 5,000, percentile intervals, conditional indirect
effects at three moderator values plus the index and a 60-point floodlight band) against
pyprocessmacro's model 7 (``percent=True``), after one warm-up call of each, median of ``REPS``
alternating rounds; and the peak memory of model 7 at n = 100,000
for B = 5,000 and B = 20,000 (memory is bounded by the bootstrap chunk, not by ``n_boot x n``:
only the stored draws grow with B).

Requires pingouin and pyprocessmacro (the ``bench`` extra).
"""

from __future__ import annotations

import os

# One BLAS thread for every library in this process: the benchmark machine is shared, and
# multi-threaded BLAS on small matrices mostly measures contention. Override from the shell.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

import csl_stats

N, B, REPS, PING_REPS = 2_000, 5_000, 5, 2


def make_data(n: int, seed: int = 1) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.normal(size=n)
    m1 = 0.5 * x + g.normal(size=n)
    m2 = 0.3 * x + g.normal(size=n)
    y = 0.3 * m1 + 0.3 * m2 + 0.2 * x + g.normal(size=n)
    return pd.DataFrame({"x": x, "m1": m1, "m2": m2, "y": y})


def timed(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_data7(n: int, seed: int = 3) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x, w = g.normal(size=n), g.normal(size=n)
    m = 0.5 * x + 0.2 * w + 0.2 * x * w + g.normal(size=n)
    y = 0.4 * m + 0.2 * x + g.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, "m": m, "y": y})


def model7() -> None:
    from pyprocessmacro import Process

    df = make_data7(N)
    t_ours, t_ppm = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # warm-up (imports, first-call caches) of both, then REPS alternating rounds
        csl_stats.process(df, 7, x="x", m="m", y="y", w="w", n_boot=100, rng=1)
        Process(data=df, model=7, x="x", m=["m"], y="y", w="w", boot=100, seed=1, percent=True,
                suppr_init=True, detail=False)
        for _ in range(REPS):
            t_ours.append(timed(lambda: csl_stats.process(df, 7, x="x", m="m", y="y", w="w", n_boot=B, rng=1), 1))
            t_ppm.append(timed(
                lambda: Process(data=df, model=7, x="x", m=["m"], y="y", w="w", boot=B, seed=1, percent=True,
                                suppr_init=True, detail=False),
                1,
            ))
    ours, ppm = statistics.median(t_ours), statistics.median(t_ppm)
    print(f"model 7 (first-stage moderated mediation), n = {N}, B = {B} (median seconds)")
    print(f"  csl_stats.process(model=7)  {ours:8.3f}")
    print(f"  pyprocessmacro model 7      {ppm:8.3f}   ratio {ppm / ours:6.1f}x (target >= 5x)")
    big = make_data7(100_000, seed=4)
    for b in (B, 4 * B):
        tracemalloc.start()
        t0 = time.perf_counter()
        csl_stats.process(big, 7, x="x", m="m", y="y", w="w", n_boot=b, rng=1)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"model 7, n = 100,000, B = {b}: peak traced memory {peak / 2**20:.0f} MB, {elapsed:.1f} s")


def main() -> None:
    import pingouin
    from pyprocessmacro import Process

    df = make_data(N)
    t_ours, t_ping, t_ppm = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(REPS):
            t_ours.append(timed(lambda: csl_stats.mediation(df, "x", ["m1", "m2"], "y", n_boot=B, rng=1), 1))
            t_ppm.append(timed(
                lambda: Process(data=df, model=4, x="x", m=["m1", "m2"], y="y", boot=B, seed=1, percent=True,
                                suppr_init=True, detail=False),
                1,
            ))
            if r < PING_REPS:
                t_ping.append(timed(
                    lambda: pingouin.mediation_analysis(df, x="x", m=["m1", "m2"], y="y", n_boot=B, seed=1), 1
                ))
    ours, ping, ppm = statistics.median(t_ours), statistics.median(t_ping), statistics.median(t_ppm)
    print(f"two parallel mediators, n = {N}, B = {B} (median seconds)")
    print(f"  csl_stats.mediation        {ours:8.3f}")
    print(f"  pingouin.mediation_analysis {ping:8.3f}   ratio {ping / ours:6.1f}x (target >= 25x)")
    print(f"  pyprocessmacro model 4     {ppm:8.3f}   ratio {ppm / ours:6.1f}x (target >= 5x)")

    big = make_data(100_000, seed=2)
    tracemalloc.start()
    t0 = time.perf_counter()
    csl_stats.mediation(big, "x", ["m1", "m2"], "y", n_boot=B, rng=1)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data_mb = big.memory_usage(deep=True).sum() / 2**20
    print(f"n = 100,000, B = {B}: peak traced memory {peak / 2**20:.0f} MB (target < 200 MB; "
          f"the data frame itself is {data_mb:.0f} MB), {elapsed:.1f} s")


if __name__ == "__main__":
    import sys

    if "--model7" not in sys.argv:
        main()
    model7()
