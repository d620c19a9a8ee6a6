"""Regenerate the committed data files: ``python -m csl_stats.datasets``."""

from __future__ import annotations

from ._files import write_datasets

if __name__ == "__main__":
    for path in write_datasets():
        print(f"wrote {path}")
