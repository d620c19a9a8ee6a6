"""Data sets shipped with csl_stats and the simulators that generate them.

Each data set lives in a private module; this file only re-exports the
public names (one import line per data set). Regenerate every committed file
with ``python -m csl_stats.datasets`` (see :func:`write_datasets`).
"""

from __future__ import annotations

from ._codebook import codebook
from ._files import write_datasets
from ._mystery import simulate_mystery_shopping
from ._prior import PRIOR_SEED, load_prior_behaviour, simulate_prior_behaviour
from ._suppliers import SUPPLIER_CRITERIA, SUPPLIERS_SEED, load_suppliers, simulate_suppliers
from ._survey import SURVEY_SEED, SurveyTruth, load_supply_chain_survey, simulate_supply_chain_survey
from ._transactions import SURVEY_DATE, TRANSACTIONS_SEED, load_transactions, simulate_transactions
from ._waves import (
    DISPOSITIONS,
    FRAME_COUNTS,
    WAVE2_SHIFT,
    WAVES_SEED,
    load_customer_frame,
    load_survey_fieldwork,
    load_survey_wave2,
    simulate_survey_waves,
    survey_waves_truth,
)

__all__ = [
    "DISPOSITIONS",
    "FRAME_COUNTS",
    "WAVE2_SHIFT",
    "WAVES_SEED",
    "load_customer_frame",
    "load_survey_fieldwork",
    "load_survey_wave2",
    "simulate_survey_waves",
    "survey_waves_truth",
    "SUPPLIERS_SEED",
    "SUPPLIER_CRITERIA",
    "SURVEY_DATE",
    "SURVEY_SEED",
    "SurveyTruth",
    "TRANSACTIONS_SEED",
    "codebook",
    "load_suppliers",
    "load_supply_chain_survey",
    "load_transactions",
    "simulate_mystery_shopping",
    "simulate_suppliers",
    "simulate_supply_chain_survey",
    "simulate_transactions",
    "write_datasets",
    # prior-period behaviour (issue 13)
    "PRIOR_SEED",
    "load_prior_behaviour",
    "simulate_prior_behaviour",
]
