"""Benchmarks and evaluation runs that print tables (not part of the test suite)."""
