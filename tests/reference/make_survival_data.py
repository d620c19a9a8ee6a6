"""Make the data sets behind tests/reference/survival.R (run from the repository root).

1. ``survival_data.csv``: a generated data set (seeded) with tied integer times, three ordered
   groups, two covariates, case weights and two strata; proportional hazards hold for x1 and grp,
   and x2's effect fades over time (so the PH test has something to find).
2. ``survival_survey.csv``: the survey customers' lifetimes from the packaged order log
   (``customer_lifetimes(..., origin=SURVEY_DATE, inactivity=60, gap_multiple=3)``) with the
   satisfaction score, its band and the size class.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import csl_stats
from csl_stats.datasets import SURVEY_DATE, load_transactions

HERE = Path(__file__).resolve().parent


def generated(n: int = 300, seed: int = 20261129) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, size=n)
    grp = rng.choice(["A", "B", "C"], size=n)
    st = rng.choice(["s1", "s2"], size=n)
    w = np.round(rng.uniform(0.5, 2.0, size=n), 2)
    lin = 0.5 * x1 + np.select([grp == "B", grp == "C"], [0.4, 0.8], 0.0) + 0.3 * (st == "s2")
    # x2 doubles the hazard early and not at all later (piecewise exponential)
    u = rng.exponential(size=n)
    rate = 0.01 * np.exp(lin)
    t_early = 60.0
    h_early = rate * np.exp(0.7 * x2) * t_early
    t = np.where(u <= h_early, u / (rate * np.exp(0.7 * x2)), t_early + (u - h_early) / rate)
    c = rng.uniform(30, 250, size=n)
    time = np.ceil(np.minimum(t, c) / 5) * 5  # 5-day grid: many ties
    event = (t <= c).astype(int)
    return pd.DataFrame({"time": time, "event": event, "x1": np.round(x1, 4), "x2": x2, "grp": grp,
                         "w": w, "st": st})


def survey_lifetimes() -> pd.DataFrame:
    survey = csl_stats.load_supply_chain_survey().set_index("customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lt = csl_stats.customer_lifetimes(load_transactions(), origin=SURVEY_DATE, inactivity=60, gap_multiple=3)
    sat = survey[["sat1", "sat2", "sat3"]].mean(axis=1)
    out = pd.DataFrame({"duration": lt["duration"], "event": lt["event"]})
    out["sat"] = sat.reindex(out.index).round(6)
    out["size"] = survey["size"].reindex(out.index)
    out["band"] = pd.cut(out["sat"], [0, 4.5, 5.5, 7], labels=["low", "mid", "high"]).astype(str)
    return out.dropna().reset_index()


if __name__ == "__main__":
    generated().to_csv(HERE / "survival_data.csv", index=False, lineterminator="\n")
    survey_lifetimes().to_csv(HERE / "survival_survey.csv", index=False, lineterminator="\n")
