"""Save csl_stats.pls_pm construct scores for tests/reference/pls_quality.R.

Run from the repository root: ``.venv/bin/python tests/reference/make_pls_quality_scores.py``.
Two models on tests/reference/pls_ecsi.csv: all Mode A with path weighting
(``path_A``), and Image and Value in Mode B with the factorial scheme
(``factorial_B``). The scores of ``path_A`` are checked against the
independent base-R PLS of tests/reference/pls.R by tests/test_pls.py, so
the R script only has to recompute the quality criteria (VIF, f2, SRMR)
from them with lm() and cor().
"""

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests folder

from test_pls import DATA, MM, SM

import csl_stats

frames = []
for key, modes, scheme in (("path_A", None, "path"), ("factorial_B", {"Value": "B", "Image": "B"}, "factorial")):
    res = csl_stats.pls_pm(DATA, MM, SM, modes=modes, scheme=scheme, scale=(1, 7))
    frames.append(res.scores.add_prefix(f"{key}.").reset_index(drop=True))
pd.concat(frames, axis=1).to_csv("tests/reference/pls_quality_scores.csv", index=False, float_format="%.17g")
print("wrote tests/reference/pls_quality_scores.csv")
