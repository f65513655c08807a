"""Benchmarks for the roster optimizer: instance generator, baselines and the runner.

``python -m solver.bench generate`` writes a synthetic problem document and
``python -m solver.bench run`` solves the fixed benchmark set (see
``docs/benchmarks.md``).
"""
