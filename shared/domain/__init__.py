"""Tipline's pure domain core: where a tip is, what it is, how urgent, where it goes.

Nothing in this package imports Flask, Celery, Redis or SQLAlchemy: the workers, the CLI and the
tests all run the same functions over plain values.
"""
