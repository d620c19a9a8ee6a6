"""Size and power of the NCA permutation test of csl_stats.nca (Dul, van der Laan & Kuik 2020).

Size: x and y independent (no necessary condition), continuous (uniform) or 1-7 ratings (rounded
normals, many ties), n = 100 and 300. Each of ``REPS`` data sets is tested with R = 999
permutations; the share with p < 0.05 estimates the type-I error (nominal 5 %).
Power: a true ceiling, y <= x on [0, 1] (y = x * U^0.5), n = 100.

Run: ``.venv/bin/python benchmarks/sim_nca.py [REPS]`` (REPS = 1000 by default).
Figures (REPS = 1000, Monte Carlo SE 0.7 %) are quoted in the Notes of csl_stats.nca.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

import csl_stats


def draw(kind: str, n: int, g: np.random.Generator) -> pd.DataFrame:
    if kind == "continuous":
        return pd.DataFrame({"x": g.uniform(size=n), "y": g.uniform(size=n)})
    if kind == "ratings":
        return pd.DataFrame({"x": np.clip(np.round(4 + 1.4 * g.normal(size=n)), 1, 7),
                             "y": np.clip(np.round(4 + 1.4 * g.normal(size=n)), 1, 7)})
    x = g.uniform(size=n)
    return pd.DataFrame({"x": x, "y": x * g.uniform(size=n) ** 0.5})


def main(reps: int) -> None:
    g = np.random.default_rng(20261129)
    start = time.perf_counter()
    for kind, n in (("continuous", 100), ("continuous", 300), ("ratings", 100), ("ratings", 300), ("ceiling", 100)):
        rej = np.zeros(2)
        for _ in range(reps):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = csl_stats.nca(draw(kind, n, g), "x", "y", ceiling=["ce_fdh", "cr_fdh"], n_perm=999, rng=g)
            rej += res.table["p_value"].to_numpy() < 0.05
        what = "power" if kind == "ceiling" else "size"
        print(f"{kind:>10} n={n:>3} {what}: CE-FDH {rej[0] / reps:.3f}  CR-FDH {rej[1] / reps:.3f}  (REPS={reps})")
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
