"""Hostile bodies to the queue API: a clear 4xx, nothing changed, and the API keeps serving."""

from __future__ import annotations

import pytest

from tests.support.hostile import NORTH, Router

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "raw",
    [b"[" * 30_000 + b"]" * 30_000, b"garbage", b"9" * 5000, b"\xff\xfe", b'{"text": "\\ud800"}'],
    ids=["nested", "garbage", "huge-int", "bad-utf8", "surrogate"],
)
@pytest.mark.parametrize("action", ["claim", "notes", "resolve"])
def test_bad_bodies_are_refused(router: Router, raw: bytes, action: str) -> None:
    reference = router.submit({"description": "Lads dealing wraps by the shops", "location": NORTH})
    path = f"/api/v1/queues/cambridge-north/items/{reference}"
    response = router.client.post(
        f"{path}/{action}",
        data=raw,
        headers={**router.headers("ops"), "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:200]
    assert router.get(path).get_json()["state"] == "open"
    assert router.post(f"{path}/claim", "ops").status_code == 200
