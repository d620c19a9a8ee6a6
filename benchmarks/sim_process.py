"""Coverage of conditional indirect effect intervals and type-I error of the index of moderated
mediation (csl_stats.process, PROCESS model 7).

Run: ``python benchmarks/sim_process.py [reps]`` (default 1,000 replications per cell, 999
bootstrap resamples each, percentile intervals; about 10 minutes on one core).

Population (model 7): X, W ~ N(0, 1) independent, M = a1 X + 0.2 W + a3 X W + e_M,
Y = b M + 0.2 X + e_Y with standard-normal errors. The conditional indirect effect is
omega(w) = (a1 + a3 w) b, probed at w = -1, 0, 1 (``w_values``; the population 16th/50th/84th
percentiles are +-0.994 and 0); the index of moderated mediation is a3 b.

Cells: (a1, a3, b) = (0.4, 0.2, 0.3) for coverage of omega(w) and of the index (0.06); for the
type-I error of the index (true index 0) both ways it can be zero: no moderation of the first
stage, (0.4, 0, 0.3), and a moderated first stage with no second stage, (0.4, 0.2, 0); each at
n = 100 and 300. With 1,000 replications a coverage or rejection rate near 95 % or 5 % is
known to about +-0.7 points (one SE).

Figures (1,000 replications, 2026-11-29), coverage / share of intervals excluding 0, in %:

====================  ====  ===============  ==============  ==================
(a1, a3, b)           n     omega(-1, 0, 1)  index covered   index excludes 0
====================  ====  ===============  ==============  ==================
(0.4, 0.2, 0.3)       100   94.3 94.9 95.3   94.6            39.8 (power)
(0.4, 0.2, 0.3)       300   94.6 95.4 95.3   95.3            92.4 (power)
(0.4, 0, 0.3)         100   95.0 94.1 93.7   95.7            4.3 (type I)
(0.4, 0, 0.3)         300   94.7 94.3 94.4   95.1            4.9 (type I)
(0.4, 0.2, 0)         100   99.3 95.7 95.7   97.6            2.4 (type I)
(0.4, 0.2, 0)         300   97.1 94.6 94.5   95.2            4.8 (type I)
====================  ====  ===============  ==============  ==================

Issue 20, ``python benchmarks/sim_process.py --issue20 [reps]``: coverage of the bootstrap
interval of the index of moderated moderated mediation (model 11, three-way X x W x Z on the
first stage) and of the index of moderated mediation of the serial route (model 91, W moderates
M1 -> M2), and the rate at which it excludes 0 when the true index is 0.

Model 11: X, W, Z ~ N(0, 1), M = 0.4 X + 0.2 W + 0.2 Z + 0.2 XW + 0.1 XZ + 0.1 WZ + a7 XWZ + e_M,
Y = 0.4 M + 0.2 X + e_Y; the index of moderated moderated mediation is 0.4 a7 (a7 = 0.15: 0.06).
Model 91: M1 = 0.5 X + e_1, M2 = 0.3 X + 0.4 M1 + 0.2 W + d3 M1 W + e_2,
Y = 0.3 M1 + 0.4 M2 + 0.2 X + e_Y; the index of the route X -> M1 -> M2 -> Y is 0.5 d3 0.4
(d3 = 0.2: 0.04).

Figures (500 replications per cell, B = 999, percentile 95 % intervals, 2026-11-29), in %:

=====  =====  ===========================  ==========  ===========  ==============
model  n      index                        true value  CI covered   CI excludes 0
=====  =====  ===========================  ==========  ===========  ==============
11     150    moderated moderated med.     0.06        95.2         31.4 (power)
11     400    moderated moderated med.     0.06        95.6         78.4 (power)
11     150    moderated moderated med.     0           95.0         5.0 (type I)
11     400    moderated moderated med.     0           95.0         5.0 (type I)
91     150    moderated mediation, serial  0.04        93.6         73.0 (power)
91     400    moderated mediation, serial  0.04        94.4         99.4 (power)
91     150    moderated mediation, serial  0           94.0         6.0 (type I)
91     400    moderated mediation, serial  0           95.0         5.0 (type I)
=====  =====  ===========================  ==========  ===========  ==============

With 500 replications a rate near 95 % or 5 % is known to about +-1 point (one SE).

``python benchmarks/sim_process.py --model3 [reps]``: coverage of the t interval of the
conditional X x W interaction of model 3 (``conditional_interaction``, true 0.2 + 0.15 z) at
z = -1, 0, 1; X, W, Z ~ N(0, 1), Y = 0.3 X + 0.2 W + 0.1 Z + 0.2 XW + 0.1 XZ + 0.1 WZ + 0.15 XWZ + e,
standard-normal errors for ``se="nonrobust"``, heteroskedastic errors (SD sqrt(0.5 + 0.5 X^2))
for ``se="HC3"``. 1,000 replications per cell (2026-11-29), in %:

=====  =========  ==============  =============  =============
n      se         z = -1          z = 0          z = 1
=====  =========  ==============  =============  =============
150    nonrobust  95.5            95.7           94.8
400    nonrobust  93.2            94.7           95.4
150    HC3        94.2            95.7           95.1
400    HC3        95.1            95.2           95.4
=====  =========  ==============  =============  =============
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys
import time

import numpy as np
import pandas as pd

import csl_stats

B = 999
W_VALUES = [-1.0, 0.0, 1.0]


def simulate(n: int, a1: float, a3: float, b: float, g: np.random.Generator) -> pd.DataFrame:
    x, w = g.normal(size=n), g.normal(size=n)
    m = a1 * x + 0.2 * w + a3 * x * w + g.normal(size=n)
    y = b * m + 0.2 * x + g.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, "m": m, "y": y})


def cell(n: int, a1: float, a3: float, b: float, reps: int, seed: int) -> dict[str, float]:
    g = np.random.default_rng(seed)
    truth = np.array([(a1 + a3 * w) * b for w in W_VALUES])
    index = a3 * b
    cover = np.zeros(3)
    index_cover = index_reject = 0
    for _ in range(reps):
        df = simulate(n, a1, a3, b, g)
        res = csl_stats.process(df, 7, x="x", m="m", y="y", w="w", w_values=W_VALUES, n_boot=B, rng=g)
        ci = res.conditional_indirect
        cover += (ci["ci_low"].to_numpy() <= truth) & (truth <= ci["ci_high"].to_numpy())
        row = res.mm_index.iloc[0]
        index_cover += row["ci_low"] <= index <= row["ci_high"]
        index_reject += (row["ci_low"] > 0) or (row["ci_high"] < 0)
    out = {f"cover w={w:g}": 100 * c / reps for w, c in zip(W_VALUES, cover, strict=True)}
    out["cover index"] = 100 * index_cover / reps
    out["index excludes 0"] = 100 * index_reject / reps
    return out


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rows = []
    t0 = time.perf_counter()
    for k, (a1, a3, b) in enumerate([(0.4, 0.2, 0.3), (0.4, 0.0, 0.3), (0.4, 0.2, 0.0)]):
        for j, n in enumerate((100, 300)):
            res = cell(n, a1, a3, b, reps, seed=100 * k + j)
            rows.append({"a1": a1, "a3": a3, "b": b, "index": a3 * b, "n": n, **res})
            print(rows[-1], f"({time.perf_counter() - t0:.0f} s)", flush=True)
    table = pd.DataFrame(rows)
    print(f"\nmodel 7, {reps} replications per cell, B = {B}, percentile 95 % intervals (in %)")
    rates = [c for c in table.columns if c.startswith(("cover", "index excludes"))]
    print(table.round({**dict.fromkeys(rates, 1), "index": 3}).to_string(index=False))

def simulate11(n: int, a7: float, g: np.random.Generator) -> pd.DataFrame:
    x, w, z = g.normal(size=(3, n))
    m = 0.4 * x + 0.2 * w + 0.2 * z + 0.2 * x * w + 0.1 * x * z + 0.1 * w * z + a7 * x * w * z + g.normal(size=n)
    y = 0.4 * m + 0.2 * x + g.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, "z": z, "m": m, "y": y})


def simulate91(n: int, d3: float, g: np.random.Generator) -> pd.DataFrame:
    x, w = g.normal(size=(2, n))
    m1 = 0.5 * x + g.normal(size=n)
    m2 = 0.3 * x + 0.4 * m1 + 0.2 * w + d3 * m1 * w + g.normal(size=n)
    y = 0.3 * m1 + 0.4 * m2 + 0.2 * x + g.normal(size=n)
    return pd.DataFrame({"x": x, "w": w, "m1": m1, "m2": m2, "y": y})


def cell20(model: int, n: int, effect: float, reps: int, seed: int) -> dict[str, float]:
    g = np.random.default_rng(seed)
    cover = reject = 0
    for _ in range(reps):
        if model == 11:
            df = simulate11(n, effect, g)
            res = csl_stats.process(df, 11, x="x", m="m", y="y", w="w", z="z", n_boot=B, rng=g)
            row = res.mm_index.query("effect == 'mm index'").iloc[0]
            truth = 0.4 * effect
        else:
            df = simulate91(n, effect, g)
            res = csl_stats.process(df, 91, x="x", m=["m1", "m2"], y="y", w="w", n_boot=B, rng=g)
            row = res.mm_index.query("path == 'm1->m2'").iloc[0]
            truth = 0.5 * effect * 0.4
        cover += row["ci_low"] <= truth <= row["ci_high"]
        reject += (row["ci_low"] > 0) or (row["ci_high"] < 0)
    return {"model": model, "n": n, "true index": truth, "covered": 100 * cover / reps,
            "excludes 0": 100 * reject / reps}


def cell3(n: int, se: str, reps: int, seed: int) -> dict[str, float]:
    """Model 3: coverage of the conditional X x W interaction at z = -1, 0, 1 (t interval)."""
    g = np.random.default_rng(seed)
    zs = [-1.0, 0.0, 1.0]
    truth = np.array([0.2 + 0.15 * z for z in zs])
    cover = np.zeros(3)
    for _ in range(reps):
        x, w, z = g.normal(size=(3, n))
        e = g.normal(size=n) * (np.sqrt(0.5 + 0.5 * x**2) if se != "nonrobust" else 1.0)
        y = 0.3 * x + 0.2 * w + 0.1 * z + 0.2 * x * w + 0.1 * x * z + 0.1 * w * z + 0.15 * x * w * z + e
        df = pd.DataFrame({"x": x, "w": w, "z": z, "y": y})
        ci = csl_stats.process(df, 3, x="x", w="w", z="z", y="y", z_values=zs, se=se).conditional_interaction
        cover += (ci["ci_low"].to_numpy() <= truth) & (truth <= ci["ci_high"].to_numpy())
    return {"model": 3, "n": n, "se": se, **{f"covered z={z:g}": 100 * c / reps for z, c in zip(zs, cover,
                                                                                           strict=True)}}


def main20(reps: int) -> None:
    rows = []
    t0 = time.perf_counter()
    for k, (model, effect) in enumerate([(11, 0.15), (11, 0.0), (91, 0.2), (91, 0.0)]):
        for j, n in enumerate((150, 400)):
            rows.append(cell20(model, n, effect, reps, seed=2000 + 10 * k + j))
            print(rows[-1], f"({time.perf_counter() - t0:.0f} s)", flush=True)
    table = pd.DataFrame(rows)
    print(f"\nindex intervals, {reps} replications per cell, B = {B}, percentile 95 % intervals (in %)")
    print(table.round({"covered": 1, "excludes 0": 1, "true index": 3}).to_string(index=False))


def main3(reps: int) -> None:
    rows = []
    for k, (n, se) in enumerate([(150, "nonrobust"), (400, "nonrobust"), (150, "HC3"), (400, "HC3")]):
        rows.append(cell3(n, se, reps, seed=3000 + k))
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).round(1).to_string(index=False))


if __name__ == "__main__":
    if "--model3" in sys.argv:
        args = [a for a in sys.argv[1:] if a != "--model3"]
        main3(int(args[0]) if args else 1000)
    elif "--issue20" in sys.argv:
        args = [a for a in sys.argv[1:] if a != "--issue20"]
        main20(int(args[0]) if args else 500)
    else:
        main()
