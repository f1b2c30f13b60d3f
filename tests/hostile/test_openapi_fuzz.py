"""Schemathesis against both services' OpenAPI documents: no 5xx, every response as documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from services.router.context import router_context
from tests.support.hostile import NORTH, intake_for, router_for
from tests.support.procs import RedisServer

pytestmark = pytest.mark.integration
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
AUTH: dict[str, str] = {}
# JSON Schema cannot say everything a tip must be (a dialable phone number, a real postcode, no
# control characters), so schema-valid bodies may get the documented 422: that is not a failure.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def intake_schema(tmp_path: Path, redis_server: RedisServer) -> Any:
    intake = intake_for(f"sqlite:///{tmp_path / 'intake.db'}", redis_server.url)
    AUTH["intake"] = intake.key
    return schemathesis.openapi.from_wsgi("/openapi.json", intake.app)


@pytest.fixture
def router_schema(tmp_path: Path, redis_server: RedisServer) -> Iterator[Any]:
    router = router_for(f"sqlite:///{tmp_path / 'router.db'}", redis_server.url)
    router.submit({"description": "Lads dealing wraps by the shops every night", "location": NORTH})
    AUTH["router"] = router.tokens["ops"]
    yield schemathesis.openapi.from_wsgi("/openapi.json", router.app)
    router_context(router.settings).engine.dispose()


intake_api = schemathesis.pytest.from_fixture("intake_schema")
router_api = schemathesis.pytest.from_fixture("router_schema")


@intake_api.parametrize()
@BOUNDED
def test_intake_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {AUTH['intake']}"}, excluded_checks=EXCLUDED
    )


@router_api.parametrize()
@BOUNDED
def test_router_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {AUTH['router']}"}, excluded_checks=EXCLUDED
    )
