"""Bias and 95 % CI coverage of a PLS path under listwise deletion, mean replacement and MI pooling.

Design (chapter "Missing answers", section "A harder case"): each replication simulates
``simulate_supply_chain_survey(1000, rng=seed)`` with its missingness step switched off (every
answer given), then blanks each value and loyalty answer with probability 0.40 for customers
whose satisfaction score (mean of sat1-sat3) is below 4.5 and 0.05 for the others: missing at
random given satisfaction, which is always answered. Model: Image, Value -> Satisfaction;
Image, Satisfaction -> Loyalty (Mode A, ``srv4``/``loy4`` reverse-coded), as in the chapter.

Truth: the PLS population value of each path, from one fit on 200,000 simulated customers
without missing answers. Methods: ``listwise`` (``pls_pm`` default, percentile bootstrap,
B = 200), ``mean`` (``nan_policy="mean"``, the bootstrap re-imputes each resample, B = 200),
``mi`` (``impute`` of the 14 items with industry, size, tenure and orders as auxiliary,
m = 5, then ``ImputedData.analyse(pls_pm, n_boot=100)``: Rubin's rules on the bootstrap
standard errors).

Run: ``.venv/bin/python benchmarks/sim_pls_missing.py [REPS]`` (default 100; about 4 s per
replication on one core). Figures are quoted in the Notes of ``csl_stats.pool_results`` and in
``benchmarks/README.md``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
import time
import warnings

import numpy as np
import pandas as pd

import csl_stats as cs

BLOCKS = {"Image": ["img1", "img2", "img3", "img4"], "Value": ["val1", "val2", "val3"],
          "Satisfaction": ["sat1", "sat2", "sat3"], "Loyalty": ["loy1", "loy2", "loy3", "loy4"]}
PATHS = [("Image", "Satisfaction"), ("Value", "Satisfaction"), ("Image", "Loyalty"), ("Satisfaction", "Loyalty")]
ITEMS = [i for b in BLOCKS.values() for i in b]
AUX = ["industry", "size", "tenure_years", "orders_12m"]


class NoSkip(np.random.Generator):
    """The simulator's generator, except that its missingness step lets nothing go missing."""

    off = False

    def random(self, size=None, *args, **kwargs):
        if isinstance(size, tuple) and len(size) == 2:
            self.off = True
        return np.ones(size) if self.off else super().random(size, *args, **kwargs)


def complete(n: int, seed: int) -> pd.DataFrame:
    return cs.simulate_supply_chain_survey(n, rng=NoSkip(np.random.PCG64(seed)))[0]


def fit(frame: pd.DataFrame, **kw):
    return cs.pls_pm(frame.assign(loy4=8 - frame["loy4"]), BLOCKS, PATHS, scale=(1, 7), **kw)


def holes(answers: pd.DataFrame, g: np.random.Generator) -> pd.DataFrame:
    low = answers[["sat1", "sat2", "sat3"]].mean(axis=1) < 4.5
    out = answers.copy()
    for item in BLOCKS["Value"] + BLOCKS["Loyalty"]:
        out.loc[g.random(len(out)) < np.where(low, 0.40, 0.05), item] = np.nan
    return out


def main(reps: int) -> None:
    truth = fit(complete(200_000, 10**6)).paths["estimate"].to_numpy()
    print("truth", np.round(truth, 4))
    rows = []
    start = time.perf_counter()
    for seed in range(reps):
        g = np.random.default_rng(seed)
        d = holes(complete(1000, seed), g)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = {"listwise": fit(d, n_boot=200, rng=g).paths,
                   "mean": fit(d, nan_policy="mean", n_boot=200, rng=g).paths,
                   "mi": cs.impute(d, ITEMS, auxiliary=AUX, m=5, max_iter=5, rng=g)
                   .analyse(fit, n_boot=100, rng=g).paths}
        for method, p in res.items():
            for k, (a, b) in enumerate(PATHS):
                rows.append({"seed": seed, "method": method, "path": f"{a} -> {b}", "estimate": p["estimate"].iloc[k],
                             "covered": p["ci_low"].iloc[k] <= truth[k] <= p["ci_high"].iloc[k],
                             "truth": truth[k]})
    out = pd.DataFrame(rows)
    out["error"] = out["estimate"] - out["truth"]
    table = out.groupby(["path", "method"], sort=False).agg(bias=("error", "mean"), coverage=("covered", "mean"))
    print(table.unstack("method").round(3).to_string())
    print(f"{reps} replications, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
