"""Realistic, varied tip bodies for load tests: labelled descriptions, Cambridge places, no twins."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "tips_labelled.jsonl"
LOCATIONS = ROOT / "tests" / "data" / "locations.jsonl"
POSTCODES = ROOT.parent / "shared" / "data" / "cambridge" / "cambridge_postcodes_codepoint_2025.csv"

_TIMES = ("about 7pm", "late at night", "after school", "early morning", "most lunchtimes")
_SIGHTS = (
    "two lads on bikes",
    "a man in a grey hoodie",
    "a woman with a pushchair",
    "three teenagers",
    "someone in a black puffer jacket",
    "an older man with a dog",
)
_CARS = ("silver Golf", "white van", "black Audi", "red Corsa", "blue BMW", "grey Qashqai")
_FIELDS = ("description", "happening_now", "when_text", "people", "vehicles", "phone_numbers")


def _labelled() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    return [{k: row[k] for k in (*_FIELDS, "location") if row.get(k)} for row in rows]


def _points() -> list[tuple[float, float]]:
    rows = [json.loads(line) for line in LOCATIONS.read_text(encoding="utf-8").splitlines()]
    return [(row["lat"], row["lon"]) for row in rows if "lat" in row and "lon" in row]


def _postcodes() -> list[str]:
    if not POSTCODES.exists():
        return ["CB4 2JQ", "CB1 2AB", "CB5 8AA", "CB2 9AU"]
    with POSTCODES.open(encoding="utf-8") as handle:
        return [row["postcode"] for row in csv.DictReader(handle)]


class TipMaker:
    """Makes tip bodies from the labelled set with fresh wording and a spread of places."""

    def __init__(self, seed: int = 8) -> None:
        self.rng = random.Random(seed)
        self.base = _labelled()
        self.points = _points()
        self.postcodes = _postcodes()
        self.serial = 0

    def _location(self, original: dict[str, Any]) -> dict[str, Any]:
        pick = self.rng.random()
        if pick < 0.35:
            return dict(original)
        if pick < 0.7:
            return {"postcode": self.rng.choice(self.postcodes)}
        lat, lon = self.rng.choice(self.points)
        # Jitter of a few hundred metres so pins are not all on the same spot.
        return {
            "lat": round(lat + self.rng.uniform(-0.004, 0.004), 6),
            "lon": round(lon + self.rng.uniform(-0.006, 0.006), 6),
        }

    def body(self) -> dict[str, Any]:
        """One tip body, distinct in wording from every other this maker has made."""
        self.serial += 1
        rng = self.rng
        tip = dict(rng.choice(self.base))
        detail = f"Seen {rng.choice(_SIGHTS)} {rng.choice(_TIMES)}"
        if rng.random() < 0.3:
            detail += f", usually a {rng.choice(_CARS)} nearby"
        tip["description"] = f"{tip['description']} {detail} (report {self.serial:06d})."
        tip["location"] = self._location(tip.get("location") or {"text": "Mill Road"})
        if rng.random() < 0.05:
            tip["phone_numbers"] = [f"07700 9{rng.randrange(100000):05d}"]
        if rng.random() < 0.05:
            plate = f"AB{rng.randrange(10, 75)} {''.join(rng.choices('CDEFGHJKLMNPRSTUVWXY', k=3))}"
            tip["vehicles"] = [{"registration": plate, "colour": "silver"}]
        return tip

    def bodies(self, count: int) -> list[bytes]:
        """`count` encoded JSON bodies, made before any timing starts."""
        return [json.dumps(self.body()).encode() for _ in range(count)]
