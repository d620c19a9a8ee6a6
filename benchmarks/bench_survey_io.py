"""Time and peak memory of ``read_survey`` next to a bare ``pyreadstat.read_sav`` (issue 17).

The package survey (1,000 rows, 52 columns) is stacked to 20,000 rows, its skipped
agreement answers are coded ``-99`` and declared user-missing, and the file is
written as ``.sav``. The peer reads it with ``pyreadstat.read_sav(user_missing=False)``
(pyreadstat blanks the declared codes itself but reports nothing and returns no
codebook); ``read_survey`` additionally counts every missing code per column,
maps labels, infers types and builds the codebook.

Run from the repository root::

    python benchmarks/bench_survey_io.py

Result on the development machine (2 shared cores, 2026-11-29), best of 5 runs:
read_sav 0.44 s / 19.5 MiB, read_survey 0.67 s / 20.3 MiB, i.e. 1.52x the time
and 1.04x the peak memory for the missing-value report, types and codebook.

The second part writes the same 20,000 x 36 agreement answers as a Qualtrics
choice-text export (three header rows; skipped answers as "Don't know") and reads
it with ``read_survey(likert=..., missing_codes="Don't know")`` next to what one
writes by hand with pandas (``read_csv(skiprows=[1, 2])`` then ``replace``); the
two give the same numbers (checked). Best of 5, three runs on the shared machine:
1.26x-1.42x the time of the pandas lines (about 2.0 s vs 1.5 s; the extra is the
per-column missing-code count, the check that every answer text is in the mapping
and the codebook) and 0.53x their peak memory (12.4 vs 23.4 MiB). Before the
answers were normalised once per distinct value (2026-11-29) it was 2.96x.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd


def _best(fn, repeat: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(times), peak / 2**20


def main() -> None:
    import pyreadstat

    import csl_stats

    survey = csl_stats.load_supply_chain_survey()
    cb = csl_stats.codebook()
    items = cb.loc[cb["scale"].str.startswith("1 = strongly disagree"), "name"].tolist()
    big = pd.concat([survey] * 20, ignore_index=True)
    big[items] = big[items].fillna(-99)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "survey.sav")
        csl_stats.write_sav(big, path, codebook=cb, missing_codes={c: [-99] for c in items})
        t_peer, m_peer = _best(lambda: pyreadstat.read_sav(str(path)))
        t_ours, m_ours = _best(lambda: csl_stats.read_survey(path))
        s = csl_stats.read_survey(path)
    print(f"rows {len(big):,}, columns {big.shape[1]}, declared missing values {s.n_recoded_missing:,}")
    print(f"{'reader':<28}{'time (s)':>10}{'peak MiB':>10}")
    print(f"{'pyreadstat.read_sav':<28}{t_peer:>10.3f}{m_peer:>10.1f}")
    print(f"{'csl_stats.read_survey':<28}{t_ours:>10.3f}{m_ours:>10.1f}")
    print(f"ratio read_survey / read_sav: time {t_ours / t_peer:.2f}, peak memory {m_ours / m_peer:.2f}")


def qualtrics() -> None:
    """A Qualtrics choice-text export (three header rows) of the same 20,000 x 36 agreement answers."""
    import csv

    import csl_stats

    survey = csl_stats.load_supply_chain_survey()
    cb = csl_stats.codebook().set_index("name")
    items = cb.index[cb["scale"].str.startswith("1 = strongly disagree")].tolist()
    text = {k: v.capitalize() for k, v in (p.split(" = ") for p in cb.loc["dlv1", "scale"].split(", "))}
    likert = {v: int(k) for k, v in text.items()}
    big = pd.concat([survey[items]] * 20, ignore_index=True)
    answers = big.apply(lambda col: col.map(lambda v: "Don't know" if pd.isna(v) else text[str(int(v))]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "export.csv")
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerows([["ResponseId", *items], ["Response ID", *cb.loc[items, "title"]],
                         ['{"ImportId":"_recordId"}', *[f'{{"ImportId":"QID{k}"}}' for k in range(len(items))]]])
            w.writerows([f"R_{i}", *row] for i, row in enumerate(answers.itertuples(index=False)))

        def peer() -> pd.DataFrame:  # what one writes by hand: skip two rows, blank "Don't know", map the text
            f = pd.read_csv(path, skiprows=[1, 2])
            f[items] = f[items].replace("Don't know", None).replace(likert).astype("float64")
            return f

        t_peer, m_peer = _best(peer)
        t_ours, m_ours = _best(lambda: csl_stats.read_survey(path, likert=likert, missing_codes="Don't know"))
        s = csl_stats.read_survey(path, likert=likert, missing_codes="Don't know")
        pd.testing.assert_frame_equal(s.data[items].astype("float64"), peer()[items])
    print(f"\nQualtrics CSV: rows {len(big):,}, items {len(items)}, 'Don't know' -> NaN {s.n_recoded_missing:,}")
    print(f"{'reader':<28}{'time (s)':>10}{'peak MiB':>10}")
    print(f"{'pandas read_csv + replace':<28}{t_peer:>10.3f}{m_peer:>10.1f}")
    print(f"{'csl_stats.read_survey':<28}{t_ours:>10.3f}{m_ours:>10.1f}")
    print(f"ratio read_survey / pandas: time {t_ours / t_peer:.2f}, peak memory {m_ours / m_peer:.2f}")


if __name__ == "__main__":
    main()
    qualtrics()
