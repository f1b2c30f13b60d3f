"""Who may call what: every route of both services (read from the url_map) against every caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.hostile import EAST, NORTH, PASSWORD, Intake, Router

pytestmark = pytest.mark.integration
CALLERS = ("anonymous", "lead-north", "lead-east", "ops", "admin")
# Static assets are public files, not endpoints that touch tips.
PUBLIC_FILES = {"static", "console.static", "web.static"}


@dataclass(frozen=True)
class Cell:
    method: str
    path: str
    expect: dict[str, set[int]]
    body: Any = None
    form: bool = False


def each(statuses: set[int]) -> dict[str, set[int]]:
    return dict.fromkeys(CALLERS, statuses)


def staff(
    anonymous: set[int], north: set[int], east: set[int], everyone: set[int]
) -> dict[str, set[int]]:
    """Expectations where lead-north owns the tip, lead-east does not, ops and admin see all."""
    return {
        "anonymous": anonymous,
        "lead-north": north,
        "lead-east": east,
        "ops": everyone,
        "admin": everyone,
    }


def router_cells(ref: str) -> dict[str, Cell]:
    north = "/api/v1/queues/cambridge-north"
    item = f"{north}/items/{ref}"
    page = f"/queues/cambridge-north/items/{ref}"
    return {
        "queues.queues": Cell("GET", "/api/v1/queues", staff({401}, {200}, {200}, {200})),
        "queues.queue": Cell("GET", north, staff({401}, {200}, {403}, {200})),
        "queues.item": Cell("GET", item, staff({401}, {200}, {403}, {200})),
        "queues.act": Cell(
            "POST", f"{item}/notes", staff({401}, {200}, {403}, {200}), {"text": "Seen again"}
        ),
        "queues.tip": Cell("GET", f"/api/v1/tips/{ref}", staff({401}, {200}, {404}, {200})),
        "queues.contact": Cell(
            "GET", f"/api/v1/tips/{ref}/contact", staff({401}, {200}, {404}, {200})
        ),
        "console.home": Cell("GET", "/", each({302})),
        "console.login": Cell("GET", "/login", each({200})),
        "console.login_post": Cell(
            "POST", "/login", each({401}), {"username": "ops", "password": "wrong"}, form=True
        ),
        "console.logout": Cell("POST", "/logout", each({302}), {}, form=True),
        "console.hotspots": Cell("GET", "/hotspots", staff({302}, {200}, {200}, {200})),
        "console.ops": Cell("GET", "/ops", staff({302}, {403}, {403}, {200})),
        "console.replay": Cell(
            "POST", "/ops/dead-letters/replay", staff({302}, {403}, {403}, {200, 302}), {}, True
        ),
        "console.queues": Cell("GET", "/queues", staff({302}, {200, 302}, {200, 302}, {200, 302})),
        "console.queue": Cell("GET", "/queues/cambridge-north", staff({302}, {200}, {403}, {200})),
        "console.queue_live": Cell(
            "GET", "/queues/cambridge-north/live", staff({302}, {200}, {403}, {200})
        ),
        "console.act": Cell(
            "POST",
            f"{page}/notes",
            staff({302}, {302, 200}, {403}, {302, 200}),
            {"text": "Seen"},
            True,
        ),
        "console.tip": Cell("GET", f"/tips/{ref}", staff({302}, {200}, {404}, {200})),
        "console.contact": Cell(
            "POST", f"/tips/{ref}/contact", staff({302}, {200}, {404}, {200}), {}, True
        ),
        "health.healthz": Cell("GET", "/healthz", each({200})),
        "health.readyz": Cell("GET", "/readyz", each({200})),
        "health.metrics": Cell("GET", "/metrics", each({200})),
        "openapi.openapi_json": Cell("GET", "/openapi.json", each({200})),
    }


def intake_cells(ref: str, good: dict[str, Any]) -> dict[str, Cell]:
    # Staff tokens are not API keys: only the phone system's key may create tips.
    return {
        "intake.submit_tip": Cell("POST", "/api/v1/tips", each({401}), good),
        "intake.status": Cell("GET", f"/status/{ref}", each({200})),
        "web.report_form": Cell("GET", "/", each({200})),
        "web.report_get": Cell("GET", "/report", each({302})),
        # The public form: anyone with the page's CSRF token may send it (this one is invalid).
        "web.report": Cell("POST", "/report", each({422}), {"description": "x"}, True),
        "web.status_form": Cell("GET", "/status", each({200})),
        "health.healthz": Cell("GET", "/healthz", each({200})),
        "health.readyz": Cell("GET", "/readyz", each({200})),
        "health.metrics": Cell("GET", "/metrics", each({200})),
        "openapi.openapi_json": Cell("GET", "/openapi.json", each({200})),
    }


def endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC_FILES


def console_client(router: Router, caller: str) -> FlaskClient:
    """A client logged in to the console as `caller` (anonymous: a session with a CSRF token only)."""
    client = router.app.test_client()
    client.get("/login")
    if caller != "anonymous":
        token = _csrf(client)
        response = client.post(
            "/login", data={"username": caller, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        if "csrf" not in session:
            session["csrf"] = "matrix-token"
        return str(session["csrf"])


def call(client: FlaskClient, cell: Cell, headers: dict[str, str]) -> int:
    if cell.method == "GET":
        return client.get(cell.path, headers=headers).status_code
    if cell.form:
        return client.post(
            cell.path, data={**cell.body, "csrf_token": _csrf(client)}, headers=headers
        ).status_code
    return client.post(cell.path, json=cell.body, headers=headers).status_code


def test_router_matrix(router: Router) -> None:
    ref = router.submit(
        {"description": "Lads dealing wraps by the shops every night", "location": NORTH}
    )
    router.submit({"description": "Lads dealing wraps by the park every night", "location": EAST})
    cells = router_cells(ref)
    missing = endpoints(router.app) - set(cells)
    assert not missing, f"endpoints with no access expectation: {sorted(missing)}"
    failures = []
    for caller in CALLERS:
        client = console_client(router, caller)
        headers = {} if caller == "anonymous" else router.headers(caller)
        # Logging out ends the session, so it goes last.
        for endpoint, cell in sorted(cells.items(), key=lambda kv: kv[0] == "console.logout"):
            status = call(client, cell, headers)
            if status not in cell.expect[caller]:
                failures.append(f"{caller} {cell.method} {cell.path} ({endpoint}): {status}")
    assert not failures, "\n".join(failures)


def test_console_ignores_bearer_tokens(router: Router) -> None:
    """The console works on sessions only: a staff token alone does not open a page."""
    ref = router.submit(
        {"description": "Lads dealing wraps by the shops every night", "location": NORTH}
    )
    for path in ("/queues", f"/tips/{ref}", "/ops"):
        assert router.get(path, "admin").status_code == 302


def test_intake_matrix(intake: Intake, router: Router) -> None:
    ref = intake.post({"description": "Dealing by the bus stop most evenings", "location": NORTH})
    reference = ref.get_json()["reference"]
    cells = intake_cells(
        reference, {"description": "Dealing by the bus stop again", "location": NORTH}
    )
    missing = endpoints(intake.app) - set(cells)
    assert not missing, f"endpoints with no access expectation: {sorted(missing)}"
    failures = []
    for caller in CALLERS:
        client = intake.app.test_client()
        headers = {} if caller == "anonymous" else router.headers(caller)
        for endpoint, cell in cells.items():
            status = call(client, cell, headers)
            if status not in cell.expect[caller]:
                failures.append(f"{caller} {cell.method} {cell.path} ({endpoint}): {status}")
    assert not failures, "\n".join(failures)
    # And the phone system's key is what does work.
    assert (
        intake.post({"description": "Dealing by the bus stop again", "location": NORTH}).status_code
        == 202
    )
