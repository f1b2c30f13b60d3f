"""Hypothesis-made bodies against the phone API: 202 or a clear 4xx, never 5xx; 4xx stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.strategies import json_values, submission_like, valid_submission
from tests.support.hostile import Intake, tip_count

pytestmark = pytest.mark.integration
SHARED = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CLEAR_4XX = {400, 409, 413, 415, 422}


def _encode(body: Any) -> bytes:
    # Lone surrogates survive as JSON escapes, exactly as a hostile client would send them.
    return json.dumps(body, allow_nan=True).encode()


def _check(intake: Intake, raw: bytes, **headers: str) -> int:
    before = tip_count(intake.settings)
    response = intake.post(raw, **headers)
    status = response.status_code
    assert status < 500, response.get_data(as_text=True)
    assert status in CLEAR_4XX | {202}, status
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)
    if status == 202:
        assert set(body) == {"reference", "status"}
        assert tip_count(intake.settings) in (before, before + 1)
    else:
        assert isinstance(body.get("error"), str) and body["error"]
        assert tip_count(intake.settings) == before, "a rejected tip was stored"
    return status


@SHARED
@given(body=submission_like)
def test_tip_shaped_bodies(intake: Intake, body: dict[str, Any]) -> None:
    _check(intake, _encode(body))


@SHARED
@given(body=json_values)
def test_any_json_bodies(intake: Intake, body: Any) -> None:
    _check(intake, _encode(body))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=300))
def test_any_bytes(intake: Intake, raw: bytes) -> None:
    _check(intake, raw)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=valid_submission,
    key=st.text(st.characters(exclude_characters="\r\n"), min_size=1, max_size=40),
)
def test_valid_bodies_with_any_idempotency_key(
    intake: Intake, body: dict[str, Any], key: str
) -> None:
    header_safe = key.encode("latin-1", "replace").decode("latin-1")
    status = _check(intake, _encode(body), **{"Idempotency-Key": header_safe})
    assert status in (202, 409, 422)
