"""One BLAS thread for code that multiplies many small matrices (private)."""
from __future__ import annotations

import contextlib

__all__ = ["blas_single_thread"]


def blas_single_thread() -> contextlib.AbstractContextManager:
    """A context manager limiting BLAS to one thread (a no-op without threadpoolctl).

    The SEM engine and :func:`csl_stats.polychoric` work on small matrices (p up to a few
    dozen); on a busy machine a multi-threaded BLAS spends more time synchronising (and its
    spinning threads slow the rest) than computing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn (a pingouin dependency)
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
