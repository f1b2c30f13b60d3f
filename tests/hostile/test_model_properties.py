"""Every input model either validates to a normalised model or raises ValidationError: nothing else."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from services.router.queues.models import ClaimIn, NoteIn, ReassignIn, ResolveIn
from shared.schemas.submission import LocationIn, ReporterIn, TipSubmission, VehicleIn
from tests.hostile.strategies import (
    json_values,
    location_like,
    nasty_text,
    reporter_like,
    shaped,
    submission_like,
    valid_submission,
    vehicle_like,
)

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

MODELS: dict[type[BaseModel], st.SearchStrategy[Any]] = {
    TipSubmission: submission_like,
    LocationIn: location_like,
    VehicleIn: vehicle_like,
    ReporterIn: reporter_like,
    ClaimIn: shaped({"lease_minutes": st.integers(min_value=-5, max_value=1000)}),
    ResolveIn: shaped(
        {
            "outcome": st.sampled_from(["actioned", "duplicate", "nonsense"]),
            "note": nasty_text,
        }
    ),
    ReassignIn: shaped(
        {"destination": st.sampled_from(["cambridge-east", "nowhere"]), "reason": nasty_text}
    ),
    NoteIn: shaped({"text": nasty_text}),
}


def _texts(value: Any) -> list[str]:
    """Every string inside a dumped model."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


def _check(model: type[BaseModel], data: Any, channel: str = "api") -> BaseModel | None:
    try:
        parsed = model.model_validate(data, context={"channel": channel})
    except ValidationError:
        return None
    dumped = parsed.model_dump(mode="json")
    for text in _texts(dumped):
        assert not CONTROL.search(text.replace("\n", "").replace("\t", "")), text
        assert unicodedata.is_normalized("NFC", text), text
    # Normalising is idempotent: the stored form validates to the same model.
    assert model.model_validate(dumped, context={"channel": channel}) == parsed
    return parsed


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
@FAST
@given(data=st.data())
def test_shaped_input_validates_or_raises_validation_error(
    model: type[BaseModel], data: st.DataObject
) -> None:
    _check(model, data.draw(MODELS[model]))


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
@settings(max_examples=25, deadline=None)
@given(value=json_values)
def test_any_json_validates_or_raises_validation_error(model: type[BaseModel], value: Any) -> None:
    _check(model, value)


@FAST
@given(body=submission_like, channel=st.sampled_from(["api", "web"]))
def test_web_channel_is_no_different_in_kind(body: dict[str, Any], channel: str) -> None:
    _check(TipSubmission, body, channel)


@FAST
@given(body=valid_submission)
def test_valid_submissions_round_trip(body: dict[str, Any]) -> None:
    parsed = TipSubmission.model_validate(body, context={"channel": "api"})
    again = TipSubmission.model_validate_json(parsed.model_dump_json(), context={"channel": "api"})
    assert again == parsed
    assert parsed.description == unicodedata.normalize("NFC", parsed.description).strip()
    assert all(re.fullmatch(r"\+[0-9]{6,15}", phone) for phone in parsed.phone_numbers)
    assert all(" " not in (v.registration or "") for v in parsed.vehicles)
    if parsed.location.postcode:
        assert parsed.location.postcode == parsed.location.postcode.upper().strip()
    stored = parsed.without_contact()
    assert set(stored["reporter"]) == {"anonymous"}


@pytest.mark.parametrize(
    "destination", ["\x1f", "cambridge-east\n", "Cambridge-East", "", "a" * 65]
)
def test_a_reassignment_names_a_destination_shaped_like_one(destination: str) -> None:
    with pytest.raises(ValidationError):
        ReassignIn.model_validate({"destination": destination, "reason": "wrong ward"})
    assert ReassignIn.model_validate({"destination": "county-lines", "reason": "wrong ward"})
