"""The Alembic environment and revision template every service's migrations share."""
