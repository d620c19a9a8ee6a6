"""Speed of csl_stats.polychoric beside lavaan's lavCor (run from the repository root).

The polychoric matrix (with thresholds, SEs and the asymptotic covariance matrix
NACOV, which lavaan computes too when asked for ``output = "fit"``) of the survey's
39 items, 1,000 customers, pairwise deletion: ``csl_stats.polychoric(data, items)``
vs ``lavCor(d[, items], ordered = items, missing = "pairwise")`` (point estimates
only) and ``lavCor(..., se = "standard", output = "fit")`` (with SEs and NACOV),
timed here with Rscript when R/lavaan are installed; otherwise the point-estimate
time recorded by tests/reference/ordinal.R. Target: < 0.5 s. Peak memory by tracemalloc.

Second benchmark (issue 18, WLSMV): the survey's 11-construct measurement model (39 ordered items,
pairwise) by ``csl_stats.cfa(..., ordered=True, estimator="wlsmv", nan_policy="pairwise")`` vs lavaan's
``cfa(model, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE, missing = "pairwise")``, timed with Rscript
when available (``--no-r`` skips it and uses the median of 3 runs recorded by
``tests/reference/ordinal_wlsmv.R``). Target: < 3 s.
Usage::

    .venv/bin/python benchmarks/bench_ordinal.py [--no-r]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
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


BLOCKS = {"img": 4, "exp": 3, "dlv": 4, "qlt": 4, "srv": 4, "val": 3, "sat": 3, "cph": 3, "trs": 4, "swc": 3,
          "loy": 4}


def bench_wlsmv(use_r: bool) -> None:
    data = csl_stats.load_supply_chain_survey()
    model = {b: [f"{b}{k}" for k in range(1, n + 1)] for b, n in BLOCKS.items()}
    csl_stats.cfa(data, model, ordered=True, estimator="wlsmv", nan_policy="pairwise")  # warm-up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = csl_stats.cfa(data, model, ordered=True, estimator="wlsmv", nan_policy="pairwise")
        times.append(time.perf_counter() - t0)
    t_py = float(np.median(times))
    tracemalloc.start()
    csl_stats.cfa(data, model, ordered=True, estimator="wlsmv", nan_policy="pairwise")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    syntax = "\\n".join(f"{b} =~ " + " + ".join(f"{b}{k}" for k in range(1, n + 1)) for b, n in BLOCKS.items())
    r = None
    if use_r:
        r = _rscript(
            "suppressPackageStartupMessages(library(lavaan))\n"
            "d <- read.csv('data/supply_chain_survey.csv')\n"
            f"m <- '{syntax}'\n"
            "a <- median(replicate(3, system.time(cfa(m, data = d, ordered = TRUE, estimator = 'WLSMV', "
            "std.lv = TRUE, missing = 'pairwise'))[['elapsed']]))\n"
            "cat(a, '\\n')\n"
        )
    if r is None:
        t_r = json.loads((ROOT / "tests/reference/ordinal_wlsmv.json").read_text())["survey_cfa11_pairwise"]["seconds"]
        how = "recorded by tests/reference/ordinal_wlsmv.R"
    else:
        t_r, how = r[0], "timed now, median of 3"
    print(f"WLSMV CFA, 11 constructs, 39 ordered items, n = {res.n_obs}, pairwise, {int(res.fit_indices['npar'])} "
          f"parameters: csl_stats {t_py:.2f} s (median of 3; peak {peak:.0f} MB); lavaan {t_r:.1f} s ({how}); "
          f"ratio {t_r / t_py:.1f}x")


def main() -> None:
    warnings.simplefilter("ignore")
    use_r = "--no-r" not in sys.argv[1:]
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
    r = None if not use_r else _rscript(
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
    bench_wlsmv(use_r)


if __name__ == "__main__":
    main()
