"""Speed of the latent SEM engine beside lavaan (run from the repository root).

1. The survey's 11-construct CFA on all 1,000 customers by FIML (39 items, 338
   missingness patterns): ``csl_stats.cfa(..., nan_policy="fiml")`` vs lavaan's
   ``cfa(model, data, missing = "ml", std.lv = TRUE)`` (timed here with Rscript
   when R/lavaan are installed; otherwise the time recorded by tests/reference/sem.R).
2. 1,000 bootstrap resamples of an ECSI-type model (7 constructs, 24 items,
   n = 250 complete rows): ``csl_stats.sem(..., n_boot=1000)`` vs lavaan's
   ``bootstrapLavaan(fit, R = 50)`` extrapolated to 1,000.

Peak memory of the Python side by tracemalloc. Usage::

    .venv/bin/python benchmarks/bench_sem.py
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
BLOCKS = {
    "img": 4, "exp": 3, "dlv": 4, "qlt": 4, "srv": 4, "val": 3, "sat": 3, "cph": 3, "trs": 4, "swc": 3, "loy": 4,
}
SURVEY = {b: [f"{b}{i}" for i in range(1, k + 1)] for b, k in BLOCKS.items()}
ECSI = {b: SURVEY[b] for b in ["img", "exp", "qlt", "val", "sat", "cph", "loy"]}
ECSI_PATHS = [("img", "exp"), ("img", "sat"), ("img", "loy"), ("exp", "qlt"), ("exp", "val"), ("exp", "sat"),
              ("qlt", "val"), ("qlt", "sat"), ("val", "sat"), ("sat", "cph"), ("sat", "loy"), ("cph", "loy")]


def _lavaan_model(meas: dict, paths: list | None = None) -> str:
    lines = [f"{c} =~ {' + '.join(items)}" for c, items in meas.items()]
    for to in dict.fromkeys(t for _, t in paths or []):
        lines.append(f"{to} ~ {' + '.join(f for f, t in paths if t == to)}")
    return "\n".join(lines)


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _rscript(code: str) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(code)
    res = subprocess.run(["Rscript", fh.name], capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        return float(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def main() -> None:
    warnings.simplefilter("ignore")
    data = csl_stats.load_supply_chain_survey()
    t_fiml, res = _timed(lambda: csl_stats.cfa(data, SURVEY, nan_policy="fiml"), repeat=3)
    tracemalloc.start()  # peak memory on a separate, untimed run
    csl_stats.cfa(data, SURVEY, nan_policy="fiml")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    model = _lavaan_model(SURVEY).replace("\n", "\\n")
    t_lav = _rscript(
        "suppressPackageStartupMessages(library(lavaan))\n"
        "d <- read.csv('data/supply_chain_survey.csv')\n"
        f"m <- \"{model}\"\n"
        "cat(system.time(cfa(m, d, missing = 'ml', std.lv = TRUE))[['elapsed']], '\\n')\n"
    )
    if t_lav is None:
        t_lav = json.loads((ROOT / "tests/reference/sem.json").read_text())["survey_fiml"]["elapsed"]
        src = "recorded by tests/reference/sem.R"
    else:
        src = "timed now"
    print(f"11-construct FIML CFA, n = 1,000 ({res.n_obs} used): csl_stats {t_fiml:.2f} s "
          f"(peak {peak:.0f} MB), lavaan {t_lav:.2f} s ({src}); ratio {t_lav / t_fiml:.1f}x")

    sim, _ = csl_stats.simulate_supply_chain_survey(n=800, rng=20261129)
    items = [i for its in ECSI.values() for i in its]
    ecsi = sim.dropna(subset=items).iloc[:250].reset_index(drop=True)
    csv = Path(tempfile.gettempdir()) / "bench_sem_ecsi.csv"
    ecsi[items].to_csv(csv, index=False)
    n_boot = 1000
    t0 = time.perf_counter()
    boot = csl_stats.sem(ecsi, ECSI, ECSI_PATHS, n_boot=n_boot, rng=1)
    t_boot = time.perf_counter() - t0
    tracemalloc.start()  # memory on a separate run: tracing slows numpy-heavy Python code several-fold
    csl_stats.sem(ecsi, ECSI, ECSI_PATHS, n_boot=100, rng=1)
    peak_100 = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    csl_stats.sem(ecsi, ECSI, ECSI_PATHS, n_boot=400, rng=1)
    peak_b = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    model = _lavaan_model(ECSI, ECSI_PATHS).replace("\n", "\\n")
    t_lb = _rscript(
        "suppressPackageStartupMessages(library(lavaan))\n"
        f"d <- read.csv('{csv}')\n"
        f"fit <- sem(\"{model}\", d)\n"
        "set.seed(1); t <- system.time(bootstrapLavaan(fit, R = 50, FUN = 'coef'))[['elapsed']]\n"
        "cat(t / 50 * 1000, '\\n')\n"
    )
    lav = f"lavaan bootstrapLavaan {t_lb:.1f} s (R = 50 extrapolated to 1,000)" if t_lb else "lavaan not run"
    ratio = f"; ratio {t_lb / t_boot:.1f}x" if t_lb else ""
    print(f"ECSI bootstrap, n = 250 x 24 items, {n_boot} resamples: csl_stats {t_boot:.1f} s "
          f"({boot.n_boot} kept, {boot.n_boot_failed} failed, {boot.n_boot_improper} improper; "
          f"peak {peak_100:.1f} MB at 100 resamples, {peak_b:.1f} MB at 400); {lav}{ratio}")


if __name__ == "__main__":
    main()
