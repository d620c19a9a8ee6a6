"""Generate the seeded data with MAR missingness used by tests/reference/mice.R.

Run from the repository root:  python tests/reference/make_mice_data.py
Writes tests/reference/mice_data.csv (250 rows). The R script imputes it with
mice and writes tests/reference/mice_completed.csv (the completed data sets)
and tests/reference/mice_reference.json (pooled results).

Rows: the first 250 customers of ``simulate_supply_chain_survey(600, rng=12)``
that answered every item used here. Missingness is then induced at random
(MAR): ``trs1``, ``trs2``, ``loy1``, ``loy2`` and ``swc1`` go missing with
probability ``expit(-1.6 + 0.5 (4.5 - sat1))`` (more often for dissatisfied
customers; ``sat1`` is always observed) and ``churned`` with probability
``expit(-2.0 + 0.4 (4.5 - sat1))``.
"""

from pathlib import Path

import numpy as np
from scipy import special

from csl_stats.datasets import simulate_supply_chain_survey

COLUMNS = ["sat1", "sat2", "trs1", "trs2", "loy1", "loy2", "swc1", "churned"]
data, _ = simulate_supply_chain_survey(600, rng=12)
d = data[COLUMNS].dropna().head(250).reset_index(drop=True).astype(float)
rng = np.random.default_rng(20261129)
p = special.expit(-1.6 + 0.5 * (4.5 - d["sat1"].to_numpy()))
for c in ["trs1", "trs2", "loy1", "loy2", "swc1"]:
    d.loc[rng.random(len(d)) < p, c] = np.nan
d.loc[rng.random(len(d)) < special.expit(-2.0 + 0.4 * (4.5 - d["sat1"].to_numpy())), "churned"] = np.nan
out = Path(__file__).with_name("mice_data.csv")
d.to_csv(out, index=False, float_format="%.0f", lineterminator="\n")
print(d.isna().sum().to_dict(), len(d))
