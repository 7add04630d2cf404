"""Behaviour every data service shares: settings, database, auth, problems, idempotency, paging."""
