"""Speed of csl_stats.survey_design against R's survey package on the same data.

Run: ``python benchmarks/bench_survey_design.py [--rows 200000] [--repeats 5]`` (needs ``Rscript``
with the survey package). The data (12 strata = region x size, weights, fpc, a 1-7 answer and a
0-10 recommendation with 2 % missing) are written once to a temporary CSV; each side then times,
in its own process and excluding the reading of the file, the same five steps:

1. the design (``survey_design`` / ``svydesign``);
2. the mean of a 1-7 answer with missing answers (``mean`` / ``svymean(na.rm = TRUE)``);
3. the NPS (``nps`` / ``svymean`` of the +1/0/-1 recode, times 100);
4. means by region (``by`` / ``svyby``);
5. raking to region and size margins and the mean after raking
   (``rake`` + ``mean`` / ``rake(control = list(epsilon = 1e-10))`` + ``svymean``).

Medians over repeats; peak Python memory of one pass by ``tracemalloc``.

Measured 2026-11-29 on the shared 2-core machine (other jobs running), 200,000 rows, median of 5
(seconds, csl_stats / R survey 4.1.1): design 0.53 / 5.71 (10.7x), mean 0.036 / 2.26 (63x), NPS
0.055 / 3.28 (59x), means by region 0.73 / 4.45 (6.1x), raking + mean 0.38 / 6.98 (18x); peak
Python memory of one pass 34 MB.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import csl_stats

R_CODE = r"""
suppressPackageStartupMessages(library(survey))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = FALSE)
reps <- as.integer(commandArgs(TRUE)[2])
d$nps <- 100 * ((d$rec >= 9) - (d$rec <= 6))
pop_region <- as.data.frame(table(region = d$region)); pop_region$Freq <- as.numeric(commandArgs(TRUE)[3:6])
pop_size <- aggregate(N ~ size, data = unique(d[, c("size", "region", "N")]), FUN = sum)
names(pop_size)[2] <- "Freq"
pop_size$Freq <- pop_size$Freq * sum(pop_region$Freq) / sum(pop_size$Freq)
steps <- list(
  design = function() svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~N, data = d),
  mean = function() svymean(~y, des, na.rm = TRUE),
  nps = function() svymean(~nps, des, na.rm = TRUE),
  by_region = function() svyby(~y, ~region, des, svymean, na.rm = TRUE),
  rake_and_mean = function() svymean(~y, rake(des, list(~region, ~size), list(pop_region, pop_size),
                                             control = list(maxit = 100, epsilon = 1e-10)), na.rm = TRUE)
)
des <- steps$design()
for (s in names(steps)) {
  t <- replicate(reps, system.time(steps[[s]]())[["elapsed"]])
  cat(s, median(t), "\n")
}
"""


def make_data(n: int, rng: np.random.Generator) -> pd.DataFrame:
    region = rng.choice(["north", "south", "east", "west"], size=n, p=[0.3, 0.25, 0.2, 0.25])
    size = rng.choice(["small", "medium", "large"], size=n, p=[0.5, 0.35, 0.15])
    df = pd.DataFrame({"region": region, "size": size})
    df["stratum"] = df["region"] + "." + df["size"]
    n_h = df["stratum"].map(df["stratum"].value_counts())
    df["N"] = (n_h * df["size"].map({"small": 8, "medium": 4, "large": 2})).astype(float)
    df["w"] = df["N"] / n_h
    latent = rng.standard_normal(n) + df["size"].map({"small": -0.1, "medium": 0.0, "large": 0.3}).to_numpy()
    y = np.clip(np.round(5 + 1.2 * latent), 1, 7)
    y[rng.random(n) < 0.02] = np.nan
    rec = np.clip(np.round(7.6 + 1.7 * latent + 0.5 * rng.standard_normal(n)), 0, 10)
    rec[rng.random(n) < 0.02] = np.nan
    df["y"], df["rec"] = y, rec
    return df


def python_steps(df: pd.DataFrame, margins: dict) -> dict:
    out = {}
    holder = {}
    steps = {
        "design": lambda: holder.__setitem__("d", csl_stats.survey_design(
            df, strata="stratum", weights="w", fpc="N")),
        "mean": lambda: holder["d"].mean("y"),
        "nps": lambda: holder["d"].nps("rec"),
        "by_region": lambda: holder["d"].by("region", "mean", "y"),
        "rake_and_mean": lambda: holder["d"].rake(margins).mean("y"),
    }
    for name, fn in steps.items():
        t0 = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - t0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    df = make_data(args.rows, np.random.default_rng(2121))
    region_totals = df.groupby("region")["w"].sum().sort_index()  # R's table() sorts levels
    size_totals = df.groupby("size")["w"].sum()
    region_totals = region_totals * size_totals.sum() / region_totals.sum()
    margins = {"region": region_totals.to_dict(), "size": size_totals.to_dict()}
    python_steps(df.head(1000), margins)  # warm-up: imports (scipy.stats) are not timed
    runs = [python_steps(df, margins) for _ in range(args.repeats)]
    py = pd.DataFrame(runs).median()
    tracemalloc.start()
    python_steps(df, margins)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_CODE)
        res = subprocess.run(["Rscript", str(script), str(csv), str(args.repeats),
                              *[f"{v:.10g}" for v in region_totals.to_numpy()]],
                             capture_output=True, text=True, check=True)
    r = pd.Series({line.split()[0]: float(line.split()[1]) for line in res.stdout.strip().splitlines()})
    table = pd.DataFrame({"csl_stats (s)": py, "R survey (s)": r})
    table["R / csl_stats"] = table["R survey (s)"] / table["csl_stats (s)"]
    print(f"{args.rows:,} rows, 12 strata, median of {args.repeats}")
    print(table.round(3).to_string())
    print(f"peak Python memory of one pass: {peak:.0f} MB")


if __name__ == "__main__":
    main()
