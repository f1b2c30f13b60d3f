"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest

from shared.domain.classify import Taxonomy


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The shipped taxonomy with its learned models, loaded once."""
    return Taxonomy.load()
