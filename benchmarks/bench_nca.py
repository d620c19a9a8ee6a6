"""Speed of csl_stats.nca against the NCA R package (5.0.1), side by side.

Task: one condition (x_cont) and the outcome y_cont of tests/reference/nca_data.csv (150 cases), both
ceilings (CE-FDH, CR-FDH) and the permutation test with R = 1,000 permutations; then the same for
1,000 cases (the data stacked with jitter) in Python only.

The NCA package is not installable here (no CRAN); give the path of its source tree (an unpacked CRAN
tarball or the cran/NCA mirror) to time its R code, sourced as in tests/reference/nca.R:

    .venv/bin/python benchmarks/bench_nca.py [/path/to/NCA]

The R side runs nca_analysis(..., test.rep = 1000) on one core (its foreach loop registered
sequentially). Figures are in benchmarks/README.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import csl_stats

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "reference" / "nca_data.csv"

R_CODE = r"""
suppressPackageStartupMessages({library(gplots); library(quantreg); library(lpSolve); library(ggplot2);
  library(foreach); library(doParallel); library(iterators); library(DBI); library(RSQLite); library(truncnorm)})
for (f in list.files(file.path("{src}", "R"), full.names = TRUE)) if (!grepl("plotly", f)) source(f)
Sys.setenv(max.cores = 1)
d <- read.csv("{data}")
t <- system.time(invisible(capture.output(
  m <- nca_analysis(d, "x_cont", "y_cont", ceilings = c("ce_fdh", "cr_fdh"), test.rep = 1000))))
cat(t[["elapsed"]], "\n")
"""


def time_python(frame: pd.DataFrame, reps: int = 3) -> tuple[float, float]:
    best = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        csl_stats.nca(frame, "x_cont", "y_cont", ceiling=["ce_fdh", "cr_fdh"], n_perm=1000, rng=1)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    csl_stats.nca(frame, "x_cont", "y_cont", ceiling=["ce_fdh", "cr_fdh"], n_perm=1000, rng=1)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> None:
    d = pd.read_csv(DATA)
    t_py, mem = time_python(d)
    print(f"csl_stats.nca, n = 150, R = 1000: {t_py:.3f} s (peak {mem:.1f} MiB)")
    g = np.random.default_rng(1)
    big = pd.concat([d] * 7, ignore_index=True).iloc[:1000]
    big = big.assign(x_cont=big["x_cont"] + g.normal(0, 0.01, len(big)), y_cont=big["y_cont"] + g.normal(0, 0.01, len(big)))
    t_big, mem_big = time_python(big)
    print(f"csl_stats.nca, n = 1000, R = 1000: {t_big:.3f} s (peak {mem_big:.1f} MiB)")
    if len(sys.argv) > 1:
        code = R_CODE.replace("{src}", sys.argv[1]).replace("{data}", str(DATA))
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
        t_r = float(out.stdout.split()[-1])
        print(f"NCA R 5.0.1 nca_analysis, n = 150, test.rep = 1000: {t_r:.2f} s; ratio R / csl_stats = {t_r / t_py:.0f}")


if __name__ == "__main__":
    main()
