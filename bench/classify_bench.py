"""Benchmark: classify + grade + route over the labelled tips, against a one-regex baseline.

Prints JSON. The machine may be noisy, so the baseline (one compiled regex search over the same
texts) is measured in the same run and the ratio is the figure to compare between runs.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit"))

from test_classify_labelled import facts_of, load_tips  # noqa: E402

from shared.domain.classify import Taxonomy, classify  # noqa: E402
from shared.domain.grade import grade  # noqa: E402
from shared.domain.route import RouteFacts, RouteTree, Teams  # noqa: E402

ROUNDS = 5


def main() -> None:
    taxonomy = Taxonomy.load()
    teams = Teams.load()
    tree = RouteTree.load(teams=teams)
    tips = load_tips()
    facts = [facts_of(t) for t in tips]
    wards = [t["expect"].get("ward_code") for t in tips]
    texts = [" ".join(x for x in (f.description, f.when_text, f.people) if x) for f in facts]
    baseline = re.compile(r"\b(?:deal\w*|sell\w*|weed|crack|knife|kids?)\b", re.IGNORECASE)

    def pipeline() -> None:
        for fact, ward in zip(facts, wards, strict=True):
            c = classify(fact, taxonomy)
            g = grade(category=c.category, flags=c.flags)
            team = teams.team_for_ward(ward)
            tree.route(RouteFacts(c.category, c.flags, g.priority, ward, None, team, "place"))

    def regex() -> None:
        for text in texts:
            baseline.search(text)

    pipeline()  # warm up
    ours, base = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        pipeline()
        ours.append((time.perf_counter() - start) / len(facts))
        start = time.perf_counter()
        for _ in range(20):
            regex()
        base.append((time.perf_counter() - start) / (20 * len(texts)))
    mean = statistics.median(ours)
    print(
        json.dumps(
            {
                "tips": len(facts),
                "rounds": ROUNDS,
                "mean_us_per_tip": round(mean * 1e6, 1),
                "tips_per_second": round(1 / mean),
                "baseline_us_per_tip": round(statistics.median(base) * 1e6, 2),
                "ratio_to_baseline": round(mean / statistics.median(base), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
