"""Speed of csl_stats.polychoric beside lavaan's lavCor (run from the repository root).

The polychoric matrix (with thresholds, SEs and the asymptotic covariance matrix
NACOV, which lavaan computes too when asked for ``output = "fit"``) of the survey's
39 items, 1,000 customers, pairwise deletion: ``csl_stats.polychoric(data, items)``
vs ``lavCor(d[, items], ordered = items, missing = "pairwise")`` (point estimates
only) and ``lavCor(..., se = "standard", output = "fit")`` (with SEs and NACOV),
timed here with Rscript when R/lavaan are installed; otherwise the point-estimate
time recorded by tests/reference/ordinal.R. Target: < 0.5 s. Peak memory by tracemalloc.
Usage::

    .venv/bin/python benchmarks/bench_ordinal.py
"""

from __future__ import annotations

import json
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
    csl_stats.polychoric(data, items)  # warm-up (imports)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = csl_stats.polychoric(data, items)
        times.append(time.perf_counter() - t0)
    t_py = float(np.median(times))
    tracemalloc.start()
    csl_stats.polychoric(data, items)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    r = _rscript(
        "suppressPackageStartupMessages(library(lavaan))\n"
        "d <- read.csv('data/supply_chain_survey.csv'); it <- names(d)[6:44]\n"
        "a <- median(replicate(3, system.time(lavCor(d[, it], ordered = it, missing = 'pairwise'))[['elapsed']]))\n"
        "b <- system.time(lavCor(d[, it], ordered = it, missing = 'pairwise', se = 'standard', "
        "output = 'fit'))[['elapsed']]\n"
        "cat(a, b, '\\n')\n"
    )
    if r is None:
        t_est = json.loads((ROOT / "tests/reference/ordinal.json").read_text())["lavcor_seconds_39"]
        line = f"lavCor (estimates only) {t_est:.2f} s (recorded by tests/reference/ordinal.R)"
        ratio = t_est / t_py
    else:
        t_est, t_fit = r
        line = f"lavCor estimates only {t_est:.2f} s, with SEs and NACOV {t_fit:.2f} s (timed now)"
        ratio = t_fit / t_py
    print(f"polychoric, 39 survey items, n = {res.n_obs}, pairwise, {len(res.pairs)} pairs, with SEs and NACOV: "
          f"csl_stats {t_py:.3f} s (median of 5; peak {peak:.0f} MB); {line}; ratio {ratio:.1f}x")


if __name__ == "__main__":
    main()
