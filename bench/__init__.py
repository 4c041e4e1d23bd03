"""
Benchmarks: each job of the toolkit timed against its peers on identical inputs, in one run.

``make bench`` (moderate sizes, under 10 minutes) and ``make bench-full`` (1M rows too) run
``python -m bench``. Jobs, one module each: ``assign`` (point → district), ``lengths``
(tactile paving km per district), ``proximity`` (nearest accessible stop), ``ledger``
(ledger import), ``osm_import`` (real OSM extracts), ``mapbuild`` (map payload) and
``app_speed`` (rerun and first map). Inputs are synthetic (``synthetic``, seeded, written to
the git-ignored ``bench/data/``) except the OSM extracts, which are real. Every peer's answer
is checked against the project's; results go to ``bench/results/`` and ``bench/RESULTS.md``.
"""
