"""Time and peak memory of the two scale fixes of issue 15.

1. ``supplier_scorecard`` with 20,000 suppliers and ``n_draws=200``: the rank
   acceptability analysis was suppliers x suppliers x draws; it is now linear in
   suppliers (ranks 1..``max_rank`` tabulated, per-supplier rank summaries
   accumulated over chunks of draws).
2. The weighted ``nps`` bootstrap with 50,000 answers and 2,000 resamples
   materialised three 2,000 x 50,000 arrays (2.4 GB); it is now drawn in chunks
   of about 2 million cells (same draws, same result).

Run from the repository root (one case per process, so peaks do not mix)::

    python benchmarks/bench_robustness.py scorecard
    python benchmarks/bench_robustness.py nps

To measure another copy of the package (e.g. the code before the fix, exported
with ``git archive <commit> csl_stats | tar -x -C /tmp/old``), put it first on
``PYTHONPATH``. Peak memory is the ``tracemalloc`` peak of the call (Python and
NumPy allocations) plus the process' maximum resident set size.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd


def _scorecard() -> None:
    import csl_stats

    g = np.random.default_rng(1)
    n = 20_000
    data = pd.DataFrame(
        {
            "supplier": [f"S{i:05d}" for i in range(n)],
            "cost": g.normal(100, 10, n),
            "delivery": g.uniform(80, 100, n),
            "quality": g.uniform(0, 100, n),
            "defects": g.gamma(2.0, 50.0, n),
        }
    )
    crit = {"cost": "cost", "delivery": "benefit", "quality": "benefit", "defects": "cost"}
    w = {"cost": 0.4, "delivery": 0.3, "quality": 0.2, "defects": 0.1}
    tracemalloc.start()
    t0 = time.perf_counter()
    res = csl_stats.supplier_scorecard(data, crit, w, n_draws=200, rng=1)
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"supplier_scorecard, 20,000 suppliers, n_draws=200: {dt:.2f} s, "
          f"tracemalloc peak {peak / 2**20:.0f} MiB, acceptability {res.acceptability.shape}")


def _nps() -> None:
    import csl_stats

    g = np.random.default_rng(1)
    n = 50_000
    scores = g.integers(0, 11, n)
    weights = g.uniform(0.5, 2.0, n)
    tracemalloc.start()
    t0 = time.perf_counter()
    res = csl_stats.nps(scores, weights=weights, ci_method="bootstrap", n_boot=2000, rng=1)
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"weighted nps bootstrap, 50,000 answers x 2,000 resamples: {dt:.2f} s, "
          f"tracemalloc peak {peak / 2**20:.0f} MiB, ci=({res.ci_low:.4f}, {res.ci_high:.4f})")


if __name__ == "__main__":
    case = sys.argv[1] if len(sys.argv) > 1 else "scorecard"
    {"scorecard": _scorecard, "nps": _nps}[case]()
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; csl_stats from "
          f"{sys.modules['csl_stats'].__file__}")
