"""Accuracy of the location resolver on the labelled set in tests/data/locations.jsonl."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.domain.locate import Locator
from shared.domain.model import TipFacts
from tests.unit.test_locate import data_dir, load_locator

CASES = Path(__file__).resolve().parents[1] / "data" / "locations.jsonl"
# Set just under what the resolver achieves, so a regression fails the build.
MIN_OVERALL = 0.98
MIN_PLACED = 0.98  # tips that can be placed and get an acceptable ward
MIN_UNPLACED = 0.97  # out-of-area or unplaceable tips that get no ward


@pytest.fixture
def locator() -> Locator:
    if not data_dir().is_dir():
        pytest.skip(f"Cambridge data not found at {data_dir()}")
    return load_locator()


def _facts(case: dict) -> TipFacts:
    return TipFacts(
        description=case["description"],
        received_at=datetime(2025, 10, 1, tzinfo=UTC),
        location_text=case.get("location_text"),
        postcode=case.get("postcode"),
        lat=case.get("lat"),
        lon=case.get("lon"),
    )


def _ok(case: dict, got) -> bool:
    expect = case["expect"]
    if expect in ("out_of_area", "none"):
        return got.ward_code is None
    allowed = expect if isinstance(expect, list) else [expect]
    return got.ward in allowed


def test_labelled_accuracy(locator: Locator) -> None:
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line]
    assert len(cases) >= 150
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    method_right = 0
    misses = []
    for case in cases:
        got = locator.resolve(_facts(case))
        method = case["method"]
        placed = case["expect"] not in ("out_of_area", "none")
        group = "placed" if placed else "unplaced"
        ok = _ok(case, got)
        for key in ("all", f"method:{method}", group):
            totals[key] += 1
            right[key] += ok
        method_right += got.method == method
        if not ok:
            misses.append(f"  {case['id']} expect={case['expect']} got={got.method}/{got.ward}")
    lines = [f"location accuracy on {len(cases)} labelled cases:"]
    for key in sorted(totals):
        lines.append(
            f"  {key:22s} {right[key]:4d}/{totals[key]:<4d} {right[key] / totals[key]:.1%}"
        )
    lines.append(f"  {'method agrees':22s} {method_right:4d}/{len(cases):<4d}")
    print("\n".join(lines + misses))
    assert right["all"] / totals["all"] >= MIN_OVERALL
    assert right["placed"] / totals["placed"] >= MIN_PLACED
    assert right["unplaced"] / totals["unplaced"] >= MIN_UNPLACED
