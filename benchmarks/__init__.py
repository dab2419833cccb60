"""Benchmarks: measured, never timed tests. Results go to BENCHMARKS.md."""
