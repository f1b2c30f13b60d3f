"""Markup in a tip is stored as text and shown escaped: staff JSON, console pages, public pages."""

from __future__ import annotations

import html

import pytest

from tests.hostile.strategies import IMG, SCRIPT
from tests.support.hostile import NORTH, PASSWORD, Intake, Router, html_escaped

pytestmark = pytest.mark.integration


def _tip(router: Router) -> str:
    return router.submit(
        {
            "description": f"Dealing by the shops {SCRIPT} {IMG}",
            "location": {**NORTH, "text": f"Arbury Court {IMG}"},
            "when_text": SCRIPT,
            "people": IMG,
            "vehicles": [{"make": SCRIPT, "model": IMG, "colour": SCRIPT}],
            "reporter": {"anonymous": False, "name": IMG},
        }
    )


def test_staff_json_carries_markup_as_plain_strings(router: Router) -> None:
    reference = _tip(router)
    router.post(f"/api/v1/queues/cambridge-north/items/{reference}/notes", "ops", {"text": SCRIPT})
    response = router.get(f"/api/v1/tips/{reference}", "lead-north")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert body["submission"]["when_text"] == SCRIPT
    assert body["submission"]["people"] == IMG
    assert body["notes"][0]["text"] == SCRIPT
    contact = router.get(f"/api/v1/tips/{reference}/contact", "lead-north")
    assert contact.mimetype == "application/json" and contact.get_json()["contact"]["name"] == IMG
    listing = router.get("/api/v1/queues/cambridge-north", "lead-north")
    assert listing.mimetype == "application/json"


def test_console_pages_escape_markup(router: Router) -> None:
    reference = _tip(router)
    router.post(f"/api/v1/queues/cambridge-north/items/{reference}/notes", "ops", {"text": IMG})
    client = router.app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["csrf"] = "t"
    client.post("/login", data={"username": "lead-north", "password": PASSWORD, "csrf_token": "t"})
    for path in (f"/tips/{reference}", "/queues/cambridge-north", "/hotspots"):
        page = client.get(path).get_data(as_text=True)
        for payload in (SCRIPT, IMG):
            assert html_escaped(page, payload), (path, payload)
    page = client.get(f"/tips/{reference}").get_data(as_text=True)
    assert html.escape(SCRIPT) in page or "&lt;script&gt;" in page
    with client.session_transaction() as session:
        token = session["csrf"]
    contact = client.post(f"/tips/{reference}/contact", data={"csrf_token": token}).get_data(
        as_text=True
    )
    assert html_escaped(contact, IMG) and "&lt;img" in contact


def test_public_pages_escape_what_was_typed(intake: Intake) -> None:
    client = intake.app.test_client()
    for payload in (SCRIPT, IMG):
        for path in ("/", "/report", "/status"):
            page = client.get(path, query_string={"reference": payload}, follow_redirects=True)
            assert page.status_code in (200, 400), path
            assert html_escaped(page.get_data(as_text=True), payload), path
        status = client.get(f"/status/{payload}", headers={"Accept": "text/html"})
        assert status.status_code == 404
        assert html_escaped(status.get_data(as_text=True), payload)
        # A rejected form is shown again with what was typed, escaped.
        client.get("/")
        with client.session_transaction() as session:
            token = session["csrf"]
        again = client.post(
            "/report", data={"csrf_token": token, "description": payload, "people": payload}
        )
        assert again.status_code == 422
        assert html_escaped(again.get_data(as_text=True), payload)
    intake.still_serving()
