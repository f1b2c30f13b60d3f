"""The public report form in a real browser, on a phone-sized and a desktop window."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import submit_form, unique
from tests.support.stack import Stack

pytestmark = pytest.mark.browser


def test_a_tip_sent_through_the_form_gets_a_reference(
    live: Stack, page, shoot, axe, console_errors
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.ingest}/")
    assert "call 999" in page.text_content("main")
    assert axe(page) == []
    shoot(page, "report-form")

    reference = submit_form(
        page,
        live,
        description="Two lads selling wraps from a grey Golf by the shops, cars stopping for a minute",
        **{
            "location-text": "Green End Road",
            "vehicle-1-registration": "ab12 cde",
            "vehicle-1-colour": "grey",
        },
    )
    assert re.fullmatch(r"TL-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert page.locator(".tl-emergency").count() == 0
    assert axe(page) == []
    shoot(page, "receipt")

    page.click("text=Check the status of this report")
    page.wait_for_selector("#status-word")
    assert reference in page.text_content("main")
    assert axe(page) == []
    shoot(page, "status")
    assert console_errors == []


def test_a_bad_submission_shows_the_error_summary_and_keeps_what_was_typed(  # type: ignore[no-untyped-def]
    live: Stack, page, shoot, axe
) -> None:
    page.goto(f"{live.ingest}/")
    page.fill("#description", "too short")
    page.fill("#phone-2", "12")
    page.click("button:has-text('Send report')")
    summary = page.locator(".tl-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error:")
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#description", "#location-text", "#phone-2"]
    # Focus moves to the summary (set by the page's script once it runs, so wait for it), and
    # each link takes the user to its field.
    from playwright.sync_api import expect

    expect(summary).to_be_focused()
    assert page.input_value("#description") == "too short"
    assert page.input_value("#phone-2") == "12"
    assert "must be at least 10 characters" in page.text_content("#description-error")
    assert axe(page) == []
    shoot(page, "report-errors")
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "location-text"


def test_happening_now_is_stored_and_the_receipt_says_call_999(
    live: Stack, page, shoot, axe
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.ingest}/")
    page.fill(
        "#description", "A man is waving a knife at a teenager outside the flats, dealing going on"
    )
    page.fill("#location-postcode", "cb4 2jq")
    page.check("#happening-now")
    page.click("button:has-text('Send report')")
    page.wait_for_selector(".tl-emergency")
    assert "call 999" in page.text_content(".tl-emergency")
    reference = page.text_content("#reference").strip()
    assert live.get(f"/api/v1/tips/{reference}").status_code in (
        200,
        404,
    )  # stored (maybe not routed yet)
    assert axe(page) == []
    shoot(page, "receipt-999")


def test_the_form_works_with_the_keyboard_alone(live: Stack, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.ingest}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.locator("#description").focus()
    page.keyboard.type("People dealing from the bench by the play area every evening")
    page.keyboard.press("Tab")  # into the location fields
    page.keyboard.type("Jesus Green")
    page.locator("button:has-text('Send report')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#reference")


def test_the_status_page_finds_a_reference_typed_loosely(live: Stack, page, axe, shoot) -> None:  # type: ignore[no-untyped-def]
    reference = live.post_tip(
        {
            "description": unique("Cannabis smell and visitors at all hours"),
            "location": {"text": "Mill Road"},
        }
    ).json()["reference"]
    page.goto(f"{live.ingest}/status")
    page.fill("#reference", reference.lower().replace("-", " "))
    page.click("button:has-text('Check status')")
    page.wait_for_selector("#status-word")
    assert reference in page.text_content("main")
    page.goto(f"{live.ingest}/status?reference=nonsense")
    assert page.locator(".tl-error-summary").count() == 1
    assert axe(page) == []
    shoot(page, "status-error")
