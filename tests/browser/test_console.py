"""The staff console in a real browser: queues, a tip's life, other teams, hotspots and ops."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, submit_form, unique
from tests.support.procs import wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.browser
HOSTILE = '<script>document.title="owned"</script><img src=x onerror="document.title=\'owned\'">'


def test_a_lead_finds_claims_and_resolves_a_tip_from_the_form(  # type: ignore[no-untyped-def]
    live: Stack, page, shoot, axe, console_errors
) -> None:
    reference = submit_form(
        page,
        live,
        description=unique(
            f"Dealing from a car outside the shop every night, swaps through the window {HOSTILE}"
        ),
        **{"location-text": "Green End Road", "phone-1": "07700 900123"},
    )
    live.wait_routed(reference, "cambridge-north", timeout=60)

    login(page, live, "lead-north")
    row = page.locator(f"tr[data-reference='{reference}']")
    row.wait_for()
    assert "P3" in row.text_content() and "Open" in row.text_content()
    assert axe(page) == []
    shoot(page, "console-queue")

    row.locator("a").click()
    page.wait_for_selector("#tip-description")
    # Hostile text shows as text, and nothing in it ran.
    assert HOSTILE in page.text_content("#tip-description")
    assert page.title() != "owned"
    assert "green end road" in page.text_content("#why-heading + dl").lower()
    card = page.locator(".tl-card", has_text="cambridge-north")
    card.locator("button:has-text('Claim')").click()
    page.wait_for_selector(".tl-flash--success")
    assert "Claimed by lead-north" in card.text_content()
    shoot(page, "console-tip-claimed")

    page.check("#outcome-cambridge-north-intelligence_logged")
    page.fill("#resolve-note-cambridge-north", "Passed to the evening patrol briefing")
    card.locator("button:has-text('Resolve')").click()
    page.wait_for_selector(".tl-flash--success")
    assert (
        "Resolved: Intelligence logged"
        in page.locator(".tl-card", has_text="cambridge-north").text_content()
    )
    audit = page.text_content("#audit-heading ~ .tl-table-wrap")
    assert "claimed" in audit and "resolved" in audit and "tip viewed" in audit
    assert axe(page) == []
    shoot(page, "console-tip-resolved")
    assert live.queue_refs("cambridge-north", state="resolved").count(reference) == 1
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_contact_details_show_only_on_request_and_each_view_is_audited(
    live: Stack, page, shoot
) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live.ingest}/")
    page.fill(
        "#description",
        unique("Drugs sold from the flat above the bookies, people in and out all day"),
    )
    page.fill("#location-text", "Green End Road")
    page.check("#contact-yes")
    page.fill("#reporter-name", "Sam Reporter")
    page.click("button:has-text('Send report')")
    reference = page.text_content("#reference").strip()
    live.wait_routed(reference, "cambridge-north", timeout=60)

    login(page, live, "lead-north")
    page.goto(f"{live.api}/tips/{reference}")
    assert "Sam Reporter" not in page.content()
    page.click("button:has-text('Show contact details')")
    page.wait_for_selector("#contact-details")
    assert "Sam Reporter" in page.text_content("#contact-details")
    shoot(page, "console-contact")
    page.click("text=Back to the tip")
    assert "contact viewed" in page.text_content("#audit-heading ~ .tl-table-wrap")


def test_a_lead_of_another_team_cannot_see_the_tip(live: Stack, page) -> None:  # type: ignore[no-untyped-def]
    reference = live.post_tip(
        {
            "description": unique("Lads dealing by the garages most evenings"),
            "location": {"text": "Green End Road"},
        }
    ).json()["reference"]
    live.wait_routed(reference, "cambridge-north", timeout=60)
    login(page, live, "lead-east")
    assert reference not in page.text_content("main")
    assert page.goto(f"{live.api}/queues/cambridge-north").status == 403
    assert page.goto(f"{live.api}/tips/{reference}").status == 404
    assert page.goto(f"{live.api}/ops").status == 403


def test_the_queue_updates_without_a_reload(live: Stack, page) -> None:  # type: ignore[no-untyped-def]
    login(page, live, "lead-north")
    page.wait_for_selector("#queue-table")
    reference = live.post_tip(
        {
            "description": unique("Someone selling weed by the bus stop"),
            "location": {"text": "Green End Road"},
        }
    ).json()["reference"]
    page.wait_for_selector(f"tr[data-reference='{reference}']", timeout=40000)


def _seed_map_tips(live: Stack) -> list[str]:
    spots = [
        (52.2216, 0.1466, "Selling crack from the stairwell, runners coming and going"),
        (52.2217, 0.1467, "Kids holding drugs for older men in the stairwell, deal line texts"),
        (52.1986, 0.1455, "Dealing outside the takeaway on Mill Road, quick handovers"),
        (52.2101, 0.1362, "Cannabis farm smell from the house, covered windows, fans humming"),
        (52.1862, 0.1755, "Nitrous canisters and snap bags left in the park every weekend"),
    ]
    references = []
    for lat, lon, text in spots:
        body = {
            "description": unique(text),
            "location": {"lat": lat, "lon": lon},
            "observed_at": "2025-01-03T21:30:00+00:00",
        }
        references.append(live.post_tip(body).json()["reference"])
    return references


def test_the_hotspot_and_ops_pages_render_with_data(live: Stack, page, shoot, axe) -> None:  # type: ignore[no-untyped-def]
    references = _seed_map_tips(live)
    wait_until(
        lambda: all(live.get(f"/api/v1/tips/{r}").json().get("decision") for r in references),
        timeout=60,
    )

    login(page, live, "ops")
    page.goto(f"{live.api}/hotspots")
    assert page.locator("#ward-map path").count() == 14
    assert page.locator("#ward-map circle").count() >= 3
    assert "Open Government Licence" in page.text_content("#attribution")
    assert page.locator("#heat-map tbody tr").count() == 7
    assert page.locator("#heat-map tbody td").count() == 7 * 24
    total = int(page.text_content("#hotspot-total strong"))
    assert total >= len(references)
    assert axe(page) == []
    shoot(page, "console-hotspots")

    page.goto(f"{live.api}/hotspots?category=cultivation")
    assert int(page.text_content("#hotspot-total strong")) >= 1

    def worker_answers() -> bool:
        page.goto(f"{live.api}/ops")
        return "Yes" in page.text_content("#workers")

    wait_until(worker_answers, timeout=30, interval=1)
    assert "tipline.tips" in page.text_content("#broker")
    assert "cambridge-north" in page.text_content("#queues")
    assert axe(page) == []
    shoot(page, "console-ops")
