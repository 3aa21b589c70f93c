"""Benchmark suite: workloads, engine adapters, measurement and report.

Run the whole suite with ``python benchmarks/run.py`` (see ``benchmarks/README.md``).
"""
