"""Repository checks that `make lint` runs besides the linters' own rules (not part of the package)."""
