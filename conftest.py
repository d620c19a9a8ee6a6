"""Root pytest configuration.

- Module-level scripts stay out of doctest collection.
- Hypothesis runs derandomized: the examples it tries are fixed by the test
  itself, so a CI run is reproducible (no global random state, as everywhere
  in csl_stats). Set ``HYPOTHESIS_PROFILE=explore`` to search new examples.
"""

import os

from hypothesis import settings

collect_ignore_glob = [
    "csl_stats/**/__main__.py",
    "book/_build/*",
    "benchmarks/*",
    "tests/reference/*.py",  # scripts that write reference files: never run them at collection
]

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
