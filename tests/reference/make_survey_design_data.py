"""Write ``survey_design_data.csv``: the packaged survey with a stratified design, for survey.R.

Strata are the size classes (sampling fractions differ), the fpc is the
number of accounts of that size in a fixed frame, the weight is N_h / n_h,
and ``cluster`` groups respondents into pseudo-companies within strata (for
the clustered-design check). ``recommend`` and ``sat1`` keep their missing
answers (domain estimation); ``region`` and ``size`` are complete (raking
needs every respondent in a margin level).

``survey_waves_data.csv`` stacks wave 1 and wave 2 (``load_survey_wave2``) with
weights N_h / n_h and the population size N_h per wave, for the paired change
test (with and without fpc).

Run: ``.venv/bin/python tests/reference/make_survey_design_data.py``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from csl_stats.datasets import load_supply_chain_survey, load_survey_wave2

FRAME = {"small": 3000, "medium": 1200, "large": 400}

if __name__ == "__main__":
    d = load_supply_chain_survey()[["customer_id", "region", "size", "industry", "sat1", "recommend"]].copy()
    n_h = d["size"].value_counts()
    d["N"] = d["size"].map(FRAME).astype(float)
    d["w"] = d["size"].map(lambda s: FRAME[s] / n_h[s])
    rng = np.random.default_rng(2121)
    d["cluster"] = [f"K{k:03d}" for k in rng.integers(0, 150, len(d))]
    d.to_csv(Path(__file__).with_name("survey_design_data.csv"), index=False, lineterminator="\n", float_format="%.10g")
    # two waves stacked (wave 2 shares customers with wave 1), weights N_h / n_h per wave
    cols = ["customer_id", "region", "size", "sat1", "recommend"]
    w1 = load_supply_chain_survey()[cols].assign(wave=1)
    w2 = load_survey_wave2()[cols].assign(wave=2)
    waves = []
    for w in (w1, w2):
        n_h = w["size"].value_counts()
        waves.append(w.assign(N=w["size"].map(FRAME).astype(float),
                              w=w["size"].map(lambda s, n_h=n_h: FRAME[s] / n_h[s])))
    pd.concat(waves, ignore_index=True).to_csv(Path(__file__).with_name("survey_waves_data.csv"), index=False,
                                               lineterminator="\n", float_format="%.10g")
