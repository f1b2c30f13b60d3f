"""A real running Tipline writes no IP address, user agent, tip text or contact detail to any log."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.hostile import NORTH
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
FORWARDED_IP = "203.0.113.45"
USER_AGENT = "TiplineProbe/9.9 (log-scan; vq3k)"
TIP_TEXT = "Vq3k dealing wraps from the green door by the shops every night"
WEB_TEXT = "Vq3k selling from a moped outside the chip shop at night"
CONTACT = {
    "anonymous": False,
    "name": "Ulrika Vexley",
    "phone": "07700 900654",
    "email": "uv@example.org",
}
HEADERS = {"User-Agent": USER_AGENT, "X-Forwarded-For": FORWARDED_IP, "X-Real-IP": FORWARDED_IP}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_logs_hold_no_identifying_data(stack: Stack) -> None:
    stack.start("ingest", "api", "worker")
    api = stack.post_tip(
        {"description": TIP_TEXT, "location": NORTH, "reporter": CONTACT}, **HEADERS
    )
    assert api.status_code == 202
    reference = api.json()["reference"]
    web = requests.Session()
    page = web.get(f"{stack.ingest}/", headers=HEADERS, timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    sent = web.post(
        f"{stack.ingest}/report",
        data={
            "csrf_token": token.group(1),
            "description": WEB_TEXT,
            "location-postcode": "CB4 2JQ",
        },
        headers=HEADERS,
        timeout=10,
    )
    assert sent.status_code == 200
    # Rejections are logged too: they must not echo what was sent.
    assert stack.post_tip({"description": "Vq3k", "location": NORTH}, **HEADERS).status_code == 422
    stack.wait_routed(reference, "cambridge-north")
    assert (
        stack.get(f"/api/v1/tips/{reference}/contact").json()["contact"]["name"] == CONTACT["name"]
    )
    requests.get(f"{stack.ingest}/status/{reference}", headers=HEADERS, timeout=10)
    stack.stop()

    logs = {
        path.name: path.read_text(errors="replace")
        for path in (stack.workdir / "logs").glob("*.log")
    }
    assert set(logs) >= {"ingest.log", "api.log", "worker.log"}
    assert "tip_received" in logs["ingest.log"]  # the services did log
    for name, text in logs.items():
        for secret in (
            FORWARDED_IP,
            "127.0.0.1 -",  # an access-log line starts with the client address
            USER_AGENT,
            "TiplineProbe",
            "Vq3k",
            "green door",
            "Ulrika",
            "Vexley",
            "900654",
            "uv@example.org",
        ):
            assert secret.lower() not in text.lower(), f"{secret!r} in {name}"
