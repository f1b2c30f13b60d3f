"""Named hostile requests to the phone API; after each, a normal tip still gets 202."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from shared.store.db import make_engine, make_session_factory
from shared.store.models import Tip
from tests.hostile.strategies import IMG, SCRIPT
from tests.support.hostile import GOOD, Intake, tip_count

pytestmark = pytest.mark.integration

TEXT_FIELDS: dict[str, Any] = {
    "description": lambda text: {"description": f"Dealing seen here {text}"},
    "location.text": lambda text: {"location": {"text": f"Mill Road {text}"}},
    "when_text": lambda text: {"when_text": text},
    "people": lambda text: {"people": text},
    "vehicles.0.make": lambda text: {"vehicles": [{"make": text}]},
    "vehicles.0.model": lambda text: {"vehicles": [{"model": text}]},
    "vehicles.0.colour": lambda text: {"vehicles": [{"colour": text}]},
    "reporter.name": lambda text: {"reporter": {"anonymous": False, "name": text}},
    "reporter.email": lambda text: {"reporter": {"anonymous": False, "email": f"a{text}@x.org"}},
    "call_id": lambda text: {"call_id": text},
}
# Fields that are identifiers, not free text: anything odd in them is a 422, never stored.
IDENTIFIER_FIELDS: dict[str, Any] = {
    "location.postcode": lambda text: {"location": {"postcode": text}},
    "vehicles.0.registration": lambda text: {"vehicles": [{"registration": text}]},
    "phone_numbers.0": lambda text: {"phone_numbers": [text]},
    "reporter.phone": lambda text: {"reporter": {"anonymous": False, "phone": text}},
}
# Every C0 and C1 control except tab, newline and carriage return (folded into a newline).
CONTROLS = [
    chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
]


def _stored(intake: Intake, reference: str) -> Tip:
    engine = make_engine(intake.settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            tip = db.scalar(select(Tip).where(Tip.reference == reference))
            assert tip is not None
            return tip
    finally:
        engine.dispose()


def _rejected(intake: Intake, raw: Any, status: int, **headers: str) -> dict[str, Any]:
    before = tip_count(intake.settings)
    response = intake.post(raw, **headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert tip_count(intake.settings) == before
    body = response.get_json()
    assert body["error"]
    intake.still_serving()
    return body


def test_oversized_bodies_are_413(intake: Intake) -> None:
    _rejected(intake, {**GOOD, "people": "y" * (65 * 1024)}, 413)
    _rejected(intake, b"[" * 100_000 + b"]" * 100_000, 413)


def test_oversized_body_without_content_length_is_413(intake: Intake) -> None:
    body = io.BytesIO(json.dumps({**GOOD, "people": "y" * (65 * 1024)}).encode())
    response = intake.client.post(
        "/api/v1/tips",
        input_stream=body,
        # As gunicorn does for chunked requests; without it Werkzeug reads no body at all.
        environ_overrides={"wsgi.input_terminated": True},
        headers={
            "Authorization": f"Bearer {intake.key}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
    )
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert tip_count(intake.settings) == 0
    intake.still_serving()


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 30_000 + b"]" * 30_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b"[" * 60_000,
        b'{"description": ' + b"[" * 20_000,
    ],
    ids=["arrays", "objects", "unclosed", "in-a-field"],
)
def test_deeply_nested_json_is_a_clear_4xx(intake: Intake, raw: bytes) -> None:
    _rejected(intake, raw, 400)


def test_moderately_nested_json_is_422(intake: Intake) -> None:
    nested: Any = "deep"
    for _ in range(500):
        nested = [nested]
    _rejected(intake, {**GOOD, "people": nested}, 422)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\xfa",
        b'{"description": "\xc3\x28 broken utf-8 here", "location": {"text": "Mill Road"}}',
        b'{"description": "\xed\xa0\x80 encoded surrogate", "location": {"text": "Mill Road"}}',
        b"\xef\xbb\xbf" + json.dumps(GOOD).encode()[:-1],
        b'{"description": ' + b"9" * 5000 + b"}",
        b"",
        b"NaN",
    ],
    ids=[
        "junk",
        "bad-continuation",
        "encoded-surrogate",
        "bom-truncated",
        "huge-int",
        "empty",
        "nan",
    ],
)
def test_invalid_utf8_and_json_is_400(intake: Intake, raw: bytes) -> None:
    before = tip_count(intake.settings)
    response = intake.post(raw)
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert tip_count(intake.settings) == before
    intake.still_serving()


@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_control_characters_rejected_in_every_text_field(intake: Intake, field: str) -> None:
    for char in [*CONTROLS, "\ud800", "\udfff"]:
        response = intake.post(json.dumps({**GOOD, **TEXT_FIELDS[field](f"a{char}b")}))
        assert response.status_code == 422, (field, hex(ord(char)), response.get_json())
        assert any(
            e["field"].startswith(field.split(".")[0]) for e in response.get_json()["errors"]
        )
    assert tip_count(intake.settings) == 0
    intake.still_serving()


@pytest.mark.parametrize("field", list(IDENTIFIER_FIELDS))
def test_control_characters_never_stored_in_identifiers(intake: Intake, field: str) -> None:
    """Identifiers are normalised: whitespace-like controls may be dropped, nothing else kept."""
    for char in [*CONTROLS, "\ud800", "\udfff"]:
        response = intake.post(json.dumps({**GOOD, **IDENTIFIER_FIELDS[field](f"CB1{char}2AB")}))
        assert response.status_code in (202, 422), (field, hex(ord(char)))
        if response.status_code == 202:
            tip = _stored(intake, response.get_json()["reference"])
            assert char not in json.dumps(tip.submission, ensure_ascii=False)
    intake.still_serving()


def test_huge_lists_are_422(intake: Intake) -> None:
    body = _rejected(intake, {**GOOD, "phone_numbers": ["07700 900123"] * 10_000}, 413)
    assert "KiB" in body["error"]
    body = _rejected(intake, {**GOOD, "phone_numbers": ["1"] * 10_000}, 422)
    assert body["errors"][0]["field"] == "phone_numbers"
    body = _rejected(intake, {**GOOD, "vehicles": [{}] * 5_000}, 422)
    assert body["errors"][0]["field"] == "vehicles"


def test_wrong_types_everywhere_are_422(intake: Intake) -> None:
    for body in (
        [],
        "tip",
        1,
        None,
        {**GOOD, "description": ["a" * 20]},
        {**GOOD, "location": "Mill Road"},
        {**GOOD, "happening_now": "maybe"},
        {**GOOD, "vehicles": {"registration": "AB12CDE"}},
        {**GOOD, "reporter": {"anonymous": [], "name": "Sam"}},
        {**GOOD, "location": {"lat": 1e400, "lon": 0}},
        {**GOOD, "observed_at": "0001-01-01T00:00:00+14:00"},
    ):
        _rejected(intake, json.dumps(body), 422)


@pytest.mark.parametrize("payload", [SCRIPT, IMG])
@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_script_injection_is_stored_as_plain_text(intake: Intake, field: str, payload: str) -> None:
    body = {**GOOD, **TEXT_FIELDS[field](payload)}
    response = intake.post(body)
    if field == "reporter.email" and payload == IMG:
        assert response.status_code == 422  # it has spaces: not an email address
        return
    assert response.status_code == 202, response.get_json()
    assert "<" not in response.get_data(as_text=True)
    tip = _stored(intake, response.get_json()["reference"])
    if field.startswith("reporter."):
        assert tip.contact_encrypted and payload not in tip.contact_encrypted
        assert payload not in json.dumps(tip.submission)
    else:
        assert payload in json.dumps(tip.submission, ensure_ascii=False)
    intake.still_serving()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Idempotency-Key": "x" * 201}, 422),
        ({"Idempotency-Key": "a\x00b"}, 422),
        ({"Idempotency-Key": "a\x1bb"}, 422),
        ({"Authorization": "Bearer " + "k" * 10_000}, 401),
        ({"Authorization": "Bearer \x00"}, 401),
        ({"Content-Type": "application/json; charset=latin-1"}, 202),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ],
    ids=["long-key", "nul-key", "esc-key", "huge-token", "nul-token", "charset", "text", "form"],
)
def test_hostile_headers(intake: Intake, headers: dict[str, str], status: int) -> None:
    response = intake.post(GOOD, **headers)
    assert response.status_code == status, response.get_data(as_text=True)
    intake.still_serving()
