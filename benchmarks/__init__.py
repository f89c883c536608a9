"""Benchmarks: measurements on public evaluation data (``../shared/eval``), never training.

Run one with ``python -m benchmarks.<name>`` (``make bench-<name>``).
"""
