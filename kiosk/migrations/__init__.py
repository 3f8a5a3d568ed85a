"""Alembic migrations of the core (branch label ``core``). Plugins bring their own version folders."""
