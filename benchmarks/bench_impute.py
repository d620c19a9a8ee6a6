"""Speed and memory of csl_stats.impute against R's mice on the packaged survey.

Run: ``python benchmarks/bench_impute.py`` (R with mice is optional; if ``Rscript`` is on
the PATH, mice runs on the same data in the same script run and the ratio is printed).

Setting (issue 12): the 39 questionnaire items of ``load_supply_chain_survey()`` (1,000
customers, about 3 % of the answers missing, every item has missing answers), m = 20
imputations, 10 iterations, predictive mean matching for every item, all other items as
predictors (mice's defaults). csl_stats is timed ``REPS`` times (median reported); mice once
(``mice(d, m = 20, maxit = 10, method = "pmm")``, timed inside R with ``system.time``, so R's
start-up is not counted). Peak memory of ``impute`` is measured with tracemalloc.

Target: under 8 s on 2 cores (mice: about 40 s).
"""

from __future__ import annotations

import os

# One BLAS thread: the matrices are small (about 45 x 45), threads mostly add contention on a shared
# machine; the m chains are already batched. Override from the shell.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import csl_stats

REPS, M, MAX_ITER = 3, 20, 10
R_CODE = """
suppressPackageStartupMessages(library(mice))
d <- read.csv("{path}")
t <- system.time(imp <- mice(d, m = {m}, maxit = {it}, method = "pmm", printFlag = FALSE, seed = 1))
cat(t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], "\\n")
"""


def main() -> None:
    data = csl_stats.load_supply_chain_survey()
    items = [c for c in data.columns if c[:3] in {"img", "exp", "dlv", "qlt", "srv", "val", "sat", "cph", "trs",
                                                  "swc", "loy"} and c[-1].isdigit()]
    sub = data[items]
    print(f"{len(items)} items x {len(sub)} customers, {sub.isna().mean().mean():.1%} missing, m = {M}, "
          f"{MAX_ITER} iterations")
    times, cpu = [], []
    for r in range(REPS):
        t0, c0 = time.perf_counter(), time.process_time()
        csl_stats.impute(sub, m=M, max_iter=MAX_ITER, rng=r)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    ours = statistics.median(times)
    print(f"csl_stats.impute: median {ours:.2f} s wall over {REPS} runs ({', '.join(f'{t:.2f}' for t in times)}); "
          f"median CPU time {statistics.median(cpu):.2f} s (wall >> CPU means the machine is busy)")
    tracemalloc.start()
    csl_stats.impute(sub, m=M, max_iter=MAX_ITER, rng=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak memory of impute: {peak / 1e6:.0f} MB")
    if shutil.which("Rscript") is None:
        print("Rscript not found: mice not timed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "items.csv"
        sub.to_csv(path, index=False)
        out = subprocess.run(["Rscript", "-e", R_CODE.format(path=path.as_posix(), m=M, it=MAX_ITER)],
                             capture_output=True, text=True, check=True)
    r_time, r_cpu = (float(v) for v in out.stdout.split()[-2:])
    print(f"R mice: {r_time:.2f} s wall, {r_cpu:.2f} s CPU  ->  csl_stats is {r_time / ours:.1f}x faster (wall), "
          f"{r_cpu / statistics.median(cpu):.1f}x (CPU)")


if __name__ == "__main__":
    main()
