"""Covariance-based structural equation modelling engine (private; public front ends in
:mod:`csl_stats.latent` and :mod:`csl_stats.confirmatory`).

Layers, each a module:

1. :mod:`.specification` -- constructs, paths and residual covariances to a parameter table and
   the LISREL matrices (identification defaults of lavaan's ``sem()``/``cfa()``);
2. :mod:`.moments` -- sample moments, or missingness patterns for FIML; the saturated (EM) and
   independence models;
3. :mod:`.estimator` -- the ML/FIML fit function, analytic gradient and expected information,
   Fisher scoring; observed information and casewise scores (for MLR);
4. :mod:`.inference` -- standard errors (expected, observed, sandwich), fit indices with lavaan's
   conventions, standardized solution, effects by the delta method, bootstrap;
5. :mod:`.fitting` -- start values, identification check, one fit.

The WLSMV estimator for ordered items (:mod:`.dwls`) reuses layers 1, 4 and 5 (the same
parameter table and derivative matrices in the delta parameterization, the standardized
solution and effects, the start values) with the thresholds and polychoric correlations of
:func:`csl_stats.polychoric` as sample statistics and DWLS as fit function.
"""
