"""Every page runs under its Content-Security-Policy: no inline script or style is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, VIEWPORTS
from tests.support.stack import Stack

pytestmark = pytest.mark.browser


def test_pages_work_under_their_content_security_policy(live: Stack, browser: Any) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if message.type == "error" else None
    )
    try:
        page.goto(f"{live.ingest}/")
        assert page.evaluate("document.body.classList.contains('js-enabled')")
        # The contact fields are hidden by the script until the reporter chooses to give them.
        assert not page.is_visible("#reporter-name")
        page.check("#contact-yes")
        assert page.is_visible("#reporter-name")
        page.click("button:has-text('Send report')")
        page.wait_for_selector(".tl-error-summary")
        page.goto(f"{live.ingest}/status")

        page.goto(f"{live.api}/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_selector("#queue-table")
        for path in ("/hotspots", "/ops"):
            page.goto(f"{live.api}{path}")
            assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Arial")
    finally:
        context.close()
    # The deliberately invalid form answers 422, which the browser logs too; that is expected.
    assert [text for text in refused if "422" not in text] == []
