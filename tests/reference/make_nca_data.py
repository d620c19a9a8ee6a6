"""Write tests/reference/nca_data.csv: seeded data with necessary conditions for tests/reference/nca.R.

x_cont -> y_cont: a continuous condition whose level caps the outcome (plus noise, so some cases lie
above the CR-FDH line); x_noise: unrelated to y_cont; x_lik -> y_lik: 1-7 ratings, y at most x + 1.
Run from the repository root: python tests/reference/make_nca_data.py
"""

import numpy as np
import pandas as pd

g = np.random.default_rng(20260)
n = 150
x_cont = np.round(g.uniform(0, 10, n), 3)
y_cont = np.round(np.clip(x_cont * g.uniform(0, 1, n) ** 0.6 + g.normal(0, 0.4, n), 0, None) + 1, 3)
x_noise = np.round(g.uniform(0, 10, n), 3)
lat = g.normal(size=n)
x_lik = np.clip(np.round(4 + 1.3 * lat), 1, 7)
y_lik = np.clip(np.minimum(x_lik + 1, np.round(4 + 0.8 * lat + g.normal(0, 1.2, n))), 1, 7)
pd.DataFrame({"x_cont": x_cont, "x_noise": x_noise, "y_cont": y_cont, "x_lik": x_lik.astype(int),
              "y_lik": y_lik.astype(int)}).to_csv("tests/reference/nca_data.csv", index=False)
