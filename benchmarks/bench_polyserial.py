"""Speed of csl_stats.polychoric with continuous variables beside lavaan's lavCor (run from the repository root).

The mixed correlation matrix of the survey's 39 items (ordinal, 1-7) and three continuous
customer figures (share of wallet, revenue, orders in the last 12 months), 1,000 customers,
pairwise deletion: 741 polychoric, 117 polyserial and 3 Pearson correlations, with thresholds,
means, variances, SEs and the asymptotic covariance matrix (NACOV):
``csl_stats.polychoric(data, items, continuous=[...])`` vs
``lavCor(d[, c(items, cont)], ordered = items, missing = "pairwise")`` (estimates only) and
``lavCor(..., se = "standard", output = "fit")`` (with NACOV), timed with Rscript when R/lavaan
are installed. Peak memory by tracemalloc. Usage::

    .venv/bin/python benchmarks/bench_polyserial.py

Result (2026-11-29, 2 cores shared with other jobs at load average 10, lavaan 0.6.14)::

    polychoric + polyserial + Pearson, 39 items + 3 continuous, n = 1000, pairwise,
    {'polychoric': 741, 'polyserial': 117, 'pearson': 3}: csl_stats 0.580 s (median of 5; peak 69 MB);
    lavCor estimates only 3.48 s, with SEs and NACOV 72.80 s; ratios 6.0x (estimates only) and
    125.5x (with NACOV)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

import csl_stats

ROOT = Path(__file__).resolve().parents[1]
CONT = ["share_of_wallet", "revenue_12m", "orders_12m"]


def _rscript(code: str) -> list[float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(code)
    res = subprocess.run(["Rscript", fh.name], capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        return [float(v) for v in res.stdout.strip().splitlines()[-1].split()]
    except (ValueError, IndexError):
        return None


def main() -> None:
    warnings.simplefilter("ignore")
    data = csl_stats.load_supply_chain_survey()
    items = list(data.columns[5:44])
    csl_stats.polychoric(data, items, continuous=CONT)  # warm-up (imports)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = csl_stats.polychoric(data, items, continuous=CONT)
        times.append(time.perf_counter() - t0)
    t_py = float(np.median(times))
    tracemalloc.start()
    csl_stats.polychoric(data, items, continuous=CONT)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    cont = ", ".join(f"'{c}'" for c in CONT)
    r = _rscript(
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('data/supply_chain_survey.csv'); it <- names(d)[6:44]; v <- c(it, {cont})\n"
        "a <- median(replicate(3, system.time(lavCor(d[, v], ordered = it, missing = 'pairwise'))[['elapsed']]))\n"
        "b <- system.time(suppressWarnings(lavCor(d[, v], ordered = it, missing = 'pairwise', se = 'standard', "
        "output = 'fit')))[['elapsed']]\n"
        "cat(a, b, '\\n')\n"
    )
    kinds = res.pairs["kind"].value_counts().to_dict()
    head = (f"polychoric + polyserial + Pearson, 39 items + {len(CONT)} continuous, n = {res.n_obs}, pairwise, "
            f"{kinds}: csl_stats {t_py:.3f} s (median of 5; peak {peak:.0f} MB)")
    if r is None:
        print(head + "; R/lavaan not available")
        return
    t_est, t_fit = r
    print(f"{head}; lavCor estimates only {t_est:.2f} s, with SEs and NACOV {t_fit:.2f} s; "
          f"ratios {t_est / t_py:.1f}x (estimates only) and {t_fit / t_py:.1f}x (with NACOV)")


if __name__ == "__main__":
    main()
