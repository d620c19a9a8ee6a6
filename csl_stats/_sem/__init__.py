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
"""
