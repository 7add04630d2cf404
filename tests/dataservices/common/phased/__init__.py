"""A test-only service doing its work in atomic phases, and the other service it calls; both served by uvicorn."""
