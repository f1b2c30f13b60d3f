"""Fixtures for access and privacy tests."""

from tests.hostile.conftest import intake, router  # noqa: F401  (the same apps, reused)
