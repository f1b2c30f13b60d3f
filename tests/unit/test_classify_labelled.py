"""Accuracy of classification, grading and routing on the labelled tips in tests/data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.domain.classify import Taxonomy, classify
from shared.domain.grade import grade
from shared.domain.model import CATEGORIES, FLAGS, TipFacts, Vehicle
from shared.domain.route import RouteFacts, RouteTree, Teams

DATA = Path(__file__).resolve().parents[1] / "data" / "tips_labelled.jsonl"

# Set just under what the rules achieve on the labelled set: a drop means a regression.
MIN_CATEGORY_ACCURACY = 0.97
MIN_CATEGORY_PRECISION = 0.93
MIN_CATEGORY_RECALL = 0.93
MIN_FLAG_F1 = 0.95
MIN_PRIORITY_ACCURACY = 0.97
MIN_DESTINATION_ACCURACY = 0.97


def load_tips() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def facts_of(tip: dict[str, Any]) -> TipFacts:
    location = tip.get("location") or {}
    return TipFacts(
        description=tip["description"],
        received_at=datetime(2025, 6, 1, tzinfo=UTC),
        location_text=location.get("text"),
        postcode=location.get("postcode"),
        happening_now=bool(tip.get("happening_now")),
        when_text=tip.get("when_text"),
        people=tip.get("people"),
        vehicles=tuple(Vehicle(**v) for v in tip.get("vehicles") or ()),
        phone_numbers=tuple(tip.get("phone_numbers") or ()),
    )


def expected_destinations(
    category: str, flags: list[str], priority: str, team: str | None
) -> set[str]:
    """SPEC section 5's default destinations, written out independently of routes.yaml."""
    out = set()
    out.add(team if team and category != "other" else "triage")
    if category in ("county_lines", "cultivation"):
        out.add("county-lines")
    if {"child_at_risk", "vulnerable_adult"} & set(flags):
        out.add("safeguarding")
    if priority == "P1":
        out.add("control-room")
    return out


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    taxonomy = Taxonomy.load()
    teams = Teams.load()
    tree = RouteTree.load(teams=teams)
    tips = load_tips()
    rows = []
    for tip in tips:
        expect = tip["expect"]
        got = classify(facts_of(tip), taxonomy)
        graded = grade(category=got.category, flags=got.flags)
        ward = expect.get("ward_code")
        team = teams.team_for_ward(ward)
        routing = tree.route(
            RouteFacts(got.category, got.flags, graded.priority, ward, None, team, "place")
        )
        want = expected_destinations(expect["category"], expect["flags"], expect["priority"], team)
        rows.append((tip, got, graded.priority, set(routing.destinations), want))
    return {"rows": rows}


def test_labelled_set_is_big_and_varied() -> None:
    tips = load_tips()
    assert len(tips) >= 200
    cats = {t["expect"]["category"] for t in tips}
    assert cats == set(CATEGORIES)
    for flag in FLAGS:
        assert sum(flag in t["expect"]["flags"] for t in tips) >= 10, flag


def test_accuracy_on_labelled_tips(results: dict[str, Any]) -> None:
    rows = results["rows"]
    n = len(rows)
    lines = [f"labelled tips: {n}", f"{'category':<16}{'prec':>7}{'recall':>8}{'n':>5}"]
    precision: dict[str, float] = {}
    recall: dict[str, float] = {}
    for cat in CATEGORIES:
        tp = sum(1 for t, g, *_ in rows if g.category == cat and t["expect"]["category"] == cat)
        predicted = sum(1 for _, g, *_ in rows if g.category == cat)
        actual = sum(1 for t, *_ in rows if t["expect"]["category"] == cat)
        precision[cat], recall[cat] = ratio(tp, predicted), ratio(tp, actual)
        lines.append(f"{cat:<16}{precision[cat]:>7.2f}{recall[cat]:>8.2f}{actual:>5}")
    lines.append(f"{'flag':<16}{'prec':>7}{'recall':>8}{'f1':>6}{'n':>5}")
    f1: dict[str, float] = {}
    for flag in FLAGS:
        tp = sum(1 for t, g, *_ in rows if flag in g.flags and flag in t["expect"]["flags"])
        predicted = sum(1 for _, g, *_ in rows if flag in g.flags)
        actual = sum(1 for t, *_ in rows if flag in t["expect"]["flags"])
        p, r = ratio(tp, predicted), ratio(tp, actual)
        f1[flag] = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(f"{flag:<16}{p:>7.2f}{r:>8.2f}{f1[flag]:>6.2f}{actual:>5}")
    category_acc = ratio(sum(g.category == t["expect"]["category"] for t, g, *_ in rows), n)
    priority_acc = ratio(sum(p == t["expect"]["priority"] for t, _, p, *_ in rows), n)
    destination_acc = ratio(sum(got == want for *_, got, want in rows), n)
    lines.append(f"category accuracy    {category_acc:.3f}")
    lines.append(f"priority accuracy    {priority_acc:.3f}")
    lines.append(f"destination sets     {destination_acc:.3f}")
    misses = [
        f"  want {t['expect']['category']}/{','.join(t['expect']['flags'])} "
        f"got {g.category}/{','.join(g.flags)}: {t['description'][:90]}"
        for t, g, *_ in rows
        if g.category != t["expect"]["category"] or set(g.flags) != set(t["expect"]["flags"])
    ]
    print("\n" + "\n".join(lines) + f"\nmisses ({len(misses)}):\n" + "\n".join(misses))

    assert category_acc >= MIN_CATEGORY_ACCURACY
    assert priority_acc >= MIN_PRIORITY_ACCURACY
    assert destination_acc >= MIN_DESTINATION_ACCURACY
    for cat in CATEGORIES:
        assert precision[cat] >= MIN_CATEGORY_PRECISION, cat
        assert recall[cat] >= MIN_CATEGORY_RECALL, cat
    for flag in FLAGS:
        assert f1[flag] >= MIN_FLAG_F1, flag
