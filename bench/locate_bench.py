"""Benchmark the location resolver: load time and resolve speed against an in-run baseline."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.domain.locate import Locator  # noqa: E402
from shared.domain.model import TipFacts  # noqa: E402

DATA = Path(os.environ.get("TIPLINE_DATA_DIR", ROOT.parent / "shared" / "data" / "cambridge"))
CASES = ROOT / "tests" / "data" / "locations.jsonl"
ROUNDS = 20


def _mix() -> list[TipFacts]:
    """The labelled set: pins, postcodes, places in text and descriptions, sectors, misses."""
    now = datetime(2025, 10, 1, tzinfo=UTC)
    out = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        c = json.loads(line)
        out.append(
            TipFacts(
                description=c["description"],
                received_at=now,
                location_text=c.get("location_text"),
                postcode=c.get("postcode"),
                lat=c.get("lat"),
                lon=c.get("lon"),
            )
        )
    return out


def main() -> None:
    """Print one JSON object with the figures."""
    t0 = time.perf_counter()
    loc = Locator.load(DATA)
    load_s = time.perf_counter() - t0
    tips = _mix()

    for f in tips:  # warm up
        loc.resolve(f)
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        for f in tips:
            loc.resolve(f)
    elapsed = time.perf_counter() - t0
    n = ROUNDS * len(tips)
    mean_us = elapsed / n * 1e6

    # Baseline on the same machine in the same run: one point-in-polygon test per resolve.
    ward = next(iter(loc.ward_geometries().values()))
    pt = ward.representative_point()
    t0 = time.perf_counter()
    for _ in range(n):
        ward.contains(pt)
    base_us = (time.perf_counter() - t0) / n * 1e6

    print(
        json.dumps(
            {
                "load_seconds": round(load_s, 3),
                "places": loc.place_count,
                "tips": len(tips),
                "resolves": n,
                "mean_us_per_resolve": round(mean_us, 1),
                "resolves_per_second": round(1e6 / mean_us),
                "baseline_point_in_polygon_us": round(base_us, 2),
                "ratio_to_baseline": round(mean_us / base_us, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
