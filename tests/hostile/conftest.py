"""Fixtures for hostile-input tests: an intake and a router over SQLite and the private Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.router.context import router_context
from tests.support.hostile import Intake, Router, intake_for, router_for
from tests.support.procs import RedisServer


@pytest.fixture
def intake(tmp_path: Path, redis_server: RedisServer) -> Intake:
    return intake_for(f"sqlite:///{tmp_path / 'intake.db'}", redis_server.url)


@pytest.fixture
def router(tmp_path: Path, redis_server: RedisServer) -> Iterator[Router]:
    built = router_for(f"sqlite:///{tmp_path / 'router.db'}", redis_server.url)
    yield built
    router_context(built.settings).engine.dispose()
