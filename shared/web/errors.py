"""JSON error bodies for the HTTP APIs."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException


def json_error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """A JSON error response: {"error": message, ...}."""
    return jsonify(error=message, **extra), status


def install_json_errors(app: Flask, prefix: str = "/api/") -> None:
    """Answer HTTP errors under `prefix` (and health paths) with JSON rather than HTML."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if request.path.startswith(prefix) or request.accept_mimetypes.best == "application/json":
            response = jsonify(error=exc.description or exc.name)
            response.status_code = exc.code or 500
            # Keep what the error says about itself, such as Allow on a 405.
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        return exc
