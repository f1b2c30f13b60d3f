"""Tipline's system of record: SQLAlchemy models, sessions and migrations."""
