"""/healthz, /readyz and /metrics for a Tipline service."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify

from shared.metrics import Gauges, render

Check = Callable[[], None]


def health_blueprint(checks: dict[str, Check], gauges: Gauges | None = None) -> Blueprint:
    """Liveness, readiness (each named check must not raise) and Prometheus metrics."""
    bp = Blueprint("health", __name__)

    @bp.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @bp.get("/readyz")
    def readyz() -> tuple[Response, int]:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(value == "ok" for value in results.values())
        return jsonify(
            status="ready" if ready else "not ready", checks=results
        ), 200 if ready else 503

    @bp.get("/metrics")
    def metrics() -> Response:
        return Response(render(gauges), mimetype="text/plain; version=0.0.4")

    return bp
