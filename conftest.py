"""Root pytest configuration: keep module-level scripts out of doctest collection."""

collect_ignore_glob = ["csl_stats/**/__main__.py", "book/_build/*", "benchmarks/*"]
