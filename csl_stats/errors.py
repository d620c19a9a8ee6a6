"""Exceptions and warnings raised by csl_stats.

Every error the package raises on purpose derives from :class:`CSLError`, and
also from the built-in class a caller would naturally catch (``ValueError`` or
``TypeError``), so ``except ValueError`` keeps working. Every warning derives
from :class:`CSLWarning` (a ``UserWarning``), so a user can silence or escalate
all of them at once with :func:`warnings.filterwarnings`.

Examples
--------
>>> import csl_stats
>>> issubclass(csl_stats.errors.ScaleError, ValueError)
True
>>> issubclass(csl_stats.errors.HeywoodWarning, csl_stats.errors.CSLWarning)
True
"""

from __future__ import annotations

__all__ = [
    "CSLError",
    "DataError",
    "ColumnNotFoundError",
    "DuplicateColumnError",
    "NonNumericError",
    "ScaleError",
    "ConstantError",
    "InsufficientDataError",
    "CollinearityError",
    "ModelSpecificationError",
    "ArgumentError",
    "ArgumentTypeError",
    "CSLWarning",
    "MissingDataWarning",
    "ConvergenceWarning",
    "HeywoodWarning",
    "ReverseKeyWarning",
    "InconsistencyWarning",
    "SeparationWarning",
    # --- robustness (issue 15) ---
    "DateError",
    "AlignmentError",
    # --- conditional process analysis (issue 20) ---
    "ExtrapolationWarning",
    # --- multiple imputation (issue 12) ---
    "PoolingError",
    # --- ordinal items (issue 18) ---
    "NotPositiveDefiniteWarning",
    # --- PLS group comparison (issue 19a) ---
    "InvarianceWarning",
]


class CSLError(Exception):
    """Base class of every exception raised deliberately by csl_stats."""


class DataError(CSLError, ValueError):
    """The data cannot be analysed as requested (content, not argument type)."""


class ColumnNotFoundError(DataError, KeyError):
    """A requested column is not in the DataFrame.

    Also a ``KeyError`` so that code written against pandas' behaviour still
    catches it.
    """

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateColumnError(DataError):
    """The same column is named twice, or the DataFrame has duplicated labels."""


class NonNumericError(DataError):
    """A column that must hold numbers holds text or other non-numeric values."""


class ScaleError(DataError):
    """Answers fall outside the declared answer scale (e.g. a 9 on a 1-7 scale)."""


class ConstantError(DataError):
    """A column has no variance (every valid answer is the same), or is empty."""


class InsufficientDataError(DataError):
    """Too few (complete) rows, items or categories for the requested analysis."""


class CollinearityError(DataError):
    """Predictors are (nearly) linearly dependent, so effects are not identified."""


class ModelSpecificationError(CSLError, ValueError):
    """A model specification is inconsistent (cycle, unknown construct, X == M, ...)."""


class ArgumentError(CSLError, ValueError):
    """An argument has a value outside the accepted set or range."""


class ArgumentTypeError(CSLError, TypeError):
    """An argument has the wrong type (e.g. a list where a DataFrame is needed)."""


class PoolingError(DataError):
    """Results of an analysis on multiply imputed data cannot be pooled validly (or the analysis failed on one)."""


class CSLWarning(UserWarning):
    """Base class of every warning emitted by csl_stats."""


class MissingDataWarning(CSLWarning):
    """A large share of the data is missing or was dropped."""


class ConvergenceWarning(CSLWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""


class HeywoodWarning(CSLWarning):
    """An improper solution: negative residual variance or an absolute standardized loading above 1."""


class ReverseKeyWarning(CSLWarning):
    """An item correlates negatively with the rest of its scale (not reverse-coded?)."""


class InconsistencyWarning(CSLWarning):
    """Judgements or inputs are internally inconsistent (e.g. AHP consistency ratio > 0.10)."""


class SeparationWarning(CSLWarning):
    """(Quasi-)complete separation in a binary model: estimates are unreliable."""


# --- robustness (issue 15) ---
class DateError(DataError):
    """Dates cannot be read safely: unparseable, ambiguous (dd/mm or mm/dd) or with mixed UTC offsets."""


class AlignmentError(DataError):
    """Series that must be paired row by row carry different index labels."""


# --- conditional process analysis (issue 20) ---
class ExtrapolationWarning(CSLWarning):
    """A requested value (e.g. a moderator probe value) lies outside the observed data range."""


# --- ordinal items (issue 18) ---
class NotPositiveDefiniteWarning(CSLWarning):
    """A correlation matrix (e.g. pairwise polychoric) is not positive definite; it was not smoothed."""


# --- PLS group comparison (issue 19a) ---
class InvarianceWarning(CSLWarning):
    """Measurement invariance across groups is not (fully) established (e.g. MICOM for PLS composites)."""
