"""POST /api/v1/tips (phone system) and GET /status/<reference>."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from services.ingest.context import IngestContext
from services.ingest.intake.service import (
    STATUS_WORDING,
    IdempotencyConflict,
    accept_tip,
    body_hash,
    public_status,
)
from shared.logs import get_logger
from shared.metrics import TIPS_REJECTED
from shared.references import normalise_reference
from shared.schemas.errors import field_errors
from shared.schemas.submission import TipSubmission

bp = Blueprint("intake", __name__)
log = get_logger(__name__)
RETRY_AFTER_SECONDS = "5"


def _ctx() -> IngestContext:
    ctx: IngestContext = current_app.extensions["tipline"]
    return ctx


def _error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    TIPS_REJECTED.labels(channel="api", status=str(status)).inc()
    return jsonify(error=message, **extra), status


def _unavailable() -> tuple[Response, int, dict[str, str]]:
    TIPS_REJECTED.labels(channel="api", status="503").inc()
    body = jsonify(error="Tipline cannot store tips just now; nothing was saved. Please retry.")
    return body, 503, {"Retry-After": RETRY_AFTER_SECONDS}


@bp.post("/api/v1/tips")
def submit_tip() -> Any:
    ctx = _ctx()
    length = request.content_length
    if length is not None and length > ctx.settings.max_body_bytes:
        return _error(413, f"Body is larger than {ctx.settings.max_body_bytes // 1024} KiB")
    if request.mimetype != "application/json":
        return _error(415, "Send the tip as application/json")
    auth = request.headers.get("Authorization", "")
    scheme, _, presented = auth.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        response, status = _error(401, "An API key is required: Authorization: Bearer <key>")
        return response, status, {"WWW-Authenticate": "Bearer"}
    try:
        api_key = ctx.api_keys.lookup(ctx.sessions, presented.strip())
    except DBAPIError:
        return _unavailable()
    if api_key is None:
        response, status = _error(401, "The API key is not recognised or has been revoked")
        return response, status, {"WWW-Authenticate": 'Bearer error="invalid_token"'}

    wait = ctx.limiter.hit(f"api:{api_key.key_hash}", limit=ctx.settings.api_rate_limit_per_minute)
    if wait is not None:
        response, status = _error(429, "Too many tips from this key; slow down and retry")
        return response, status, {"Retry-After": str(wait)}

    raw = request.get_data(cache=False)
    # A streamed (chunked) body is cut off at the limit, so reaching the limit means it was over.
    limit = ctx.settings.max_body_bytes - (1 if length is None else 0)
    if len(raw) > limit:
        return _error(413, f"Body is larger than {ctx.settings.max_body_bytes // 1024} KiB")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers too long to convert.
        return _error(400, "Body is not valid JSON (UTF-8)")
    if not isinstance(data, dict):
        return _error(
            422, "Invalid tip", errors=[{"field": "body", "message": "must be a JSON object"}]
        )
    try:
        submission = TipSubmission.model_validate(data, context={"channel": "api"})
    except ValidationError as exc:
        return _error(422, "Invalid tip", errors=field_errors(exc))

    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 200 or not idempotency_key.isprintable():
            return _error(
                422,
                "Invalid tip",
                errors=[
                    {"field": "Idempotency-Key", "message": "must be 1 to 200 printable characters"}
                ],
            )
    try:
        stored = accept_tip(
            ctx.sessions,
            ctx.writer,
            submission=submission,
            channel="api",
            cipher=ctx.cipher,
            api_key_id=api_key.id,
            idempotency_key=idempotency_key,
            digest=body_hash(data) if idempotency_key else None,
        )
    except IdempotencyConflict:
        return _error(409, "This Idempotency-Key was already used with a different tip")
    except DBAPIError as exc:
        log.error("store_unavailable", error=type(exc).__name__)
        return _unavailable()

    headers = {} if stored.created else {"Idempotent-Replayed": "true"}
    return jsonify(reference=stored.reference, status="received"), 202, headers


def _status_word(reference: str) -> str | None:
    """The status word; once more on a fresh connection if a pooled one was dead."""
    for attempt in (1, 2):
        try:
            with _ctx().sessions() as session:
                return public_status(session, reference=reference)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None


@bp.get("/status/<reference>")
def status(reference: str) -> Any:
    canonical = normalise_reference(reference)
    if canonical is None:
        return jsonify(error="That is not a Tipline reference (they look like TL-XXXX-XXXX)"), 404
    try:
        word = _status_word(canonical)
    except DBAPIError:
        return (
            jsonify(error="Status is unavailable just now; try again shortly"),
            503,
            {"Retry-After": "5"},
        )
    if word is None:
        return jsonify(error="We cannot find that reference"), 404
    return jsonify(reference=canonical, status=word, message=STATUS_WORDING[word])
