"""Benchmarks (`make bench`): each tool measured against a baseline measured in the same run."""
