"""Writing the committed data files (``python -m csl_stats.datasets``).

Every data set registers a function returning its exact CSV text in
``_CSV_WRITERS``; :func:`write_datasets` writes each file into the package
(``csl_stats/datasets/data``, what the loaders read) and into the
repository's top-level ``data/`` folder, and copies the package's
``datapackage.json`` codebook there, so both copies stay byte-identical.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from ._prior import prior_behaviour_csv_text
from ._suppliers import suppliers_csv_text
from ._survey import survey_csv_text
from ._transactions import transactions_csv_text
from ._waves import fieldwork_csv_text, frame_csv_text, wave2_csv_text

__all__ = ["write_datasets", "PACKAGE_DATA_DIR"]

#: file name -> function returning the file's text (one line per data set).
_CSV_WRITERS: dict[str, Callable[[], str]] = {
    "supply_chain_survey.csv": survey_csv_text,
    "transactions.csv": transactions_csv_text,  # after the survey: generated from its packaged copy
    "suppliers.csv": suppliers_csv_text,
    "prior_behaviour.csv": prior_behaviour_csv_text,  # 12 months before the survey (issue 13)
    # frame, fieldwork and wave 2 (issue 21): generated from the packaged survey with their own seed
    "customer_frame.csv": frame_csv_text,
    "survey_fieldwork.csv": fieldwork_csv_text,
    "survey_wave2.csv": wave2_csv_text,
}

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"


def write_datasets(repo_data_dir: str | Path | None = None, *, package: bool = True) -> list[Path]:
    """Regenerate every committed data file from its documented seed.

    Parameters
    ----------
    repo_data_dir : str or Path, optional
        The repository's ``data/`` folder. By default ``<repo>/data`` next to
        the ``csl_stats`` package when run from a source checkout; if that
        folder does not exist only the package copies are written.
    package : bool, default True
        Also write the copies inside the package (the files the loaders read).

    Returns
    -------
    list of Path
        The files written.
    """
    targets = [PACKAGE_DATA_DIR] if package else []
    repo = Path(repo_data_dir) if repo_data_dir is not None else PACKAGE_DATA_DIR.parents[2] / "data"
    if repo.is_dir():
        targets.append(repo)
    written = []
    for name, writer in _CSV_WRITERS.items():
        text = writer()
        for folder in targets:
            path = folder / name
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            written.append(path)
    for folder in targets:
        if folder != PACKAGE_DATA_DIR:
            dst = folder / "datapackage.json"
            shutil.copyfile(PACKAGE_DATA_DIR / "datapackage.json", dst)
            written.append(dst)
    return written
