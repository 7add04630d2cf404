"""Tests of the benchmarks in bench/ that keep them from rotting; no timing is asserted."""
