"""`tipline classify`: the SPEC section 5 contract, run as a real command with no servers."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.procs import ROOT

DEAL = "Lads selling weed from a silver car outside the shops every evening"
LINES = [
    {
        "description": DEAL,
        "location": {"postcode": "CB4 2JQ"},
        "received_at": "2026-03-01T19:00:00+00:00",
    },
    {
        "description": DEAL + "!!",
        "location": {"postcode": "CB4 2JQ"},
        "received_at": "2026-03-01T20:00:00+00:00",
    },
    {"description": "short", "location": {"text": "Mill Road"}},
    {
        "description": "Different people dealing wraps hand to hand on the same corner",
        "location": {"postcode": "CB4 2JQ"},
        "received_at": "2026-03-03T19:00:00+00:00",
    },
    {
        "description": "Someone dealing by the garages",
        "location": {"text": "Histon"},
        "received_at": "2026-03-04T19:00:00+00:00",
    },
    {
        "description": "A third neighbour: dealing outside the shops again tonight",
        "location": {"postcode": "CB4 2JQ"},
        "received_at": "2026-03-05T19:00:00+00:00",
        "unexpected": True,
    },
]


def run(lines: list[str]) -> tuple[int, list[dict]]:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "classify"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def test_one_decision_per_line_with_duplicates_clusters_and_errors() -> None:
    status, out = run([json.dumps(line) for line in LINES] + ["not json"])
    assert status == 1
    assert [row["line"] for row in out] == [1, 2, 3, 4, 5, 6, 7]
    first, dup, short, corroborating, outside, unknown_field, broken = out
    expected_keys = {
        "line",
        "category",
        "flags",
        "priority",
        "location",
        "team",
        "destinations",
        "duplicate_of",
        "cluster",
        "cluster_size",
        "reasons",
    }
    assert set(first) == expected_keys
    assert first["location"] == {
        "ward_code": "E05013051",
        "ward": "Arbury",
        "method": "postcode",
        "confidence": first["location"]["confidence"],
    }
    assert first["team"] == "cambridge-north" and first["destinations"] == ["cambridge-north"]
    assert dup["duplicate_of"] == 1 and dup["cluster"] == first["cluster"]
    assert corroborating["duplicate_of"] is None and corroborating["cluster"] == first["cluster"]
    assert first["cluster_size"] == corroborating["cluster_size"] == 2
    assert outside["location"]["method"] == "out_of_area" and outside["location"]["ward"] is None
    assert outside["destinations"] == ["triage"] and outside["cluster"] != first["cluster"]
    assert "error" in short and "description" in short["error"]
    assert "unexpected" in unknown_field["error"]
    assert "error" in broken


def test_clean_input_exits_zero() -> None:
    status, out = run([json.dumps(LINES[0])])
    assert status == 0 and out[0]["priority"] == "P3"
