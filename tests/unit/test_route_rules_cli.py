"""`tipline rules test` and `tipline rules diff`, run on the real rules with a fixed locator."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from services.cli.rules import Rules, run_diff, run_test
from shared.domain.classify import Taxonomy
from shared.domain.model import Location, TipFacts
from shared.domain.route import RouteTree, Teams

ROOT = Path(__file__).resolve().parents[2]
TIP = {
    "description": "Right now a boy about 13 is holding a bag for an older guy who is selling, he has a knife",
    "location": {"text": "Arbury Court"},
}


def in_arbury(_facts: TipFacts) -> Location:
    return Location(method="place", ward_code="E05013051", ward="Arbury", confidence=0.9)


@pytest.fixture(scope="module")
def rules() -> Rules:
    teams = Teams.load()
    return Rules(in_arbury, Taxonomy.load(), teams, RouteTree.load(teams=teams))


def test_rules_test_prints_reasons_and_walk(rules: Rules) -> None:
    out = io.StringIO()
    status = run_test(rules, io.StringIO(json.dumps(TIP) + "\n"), out)
    text = out.getvalue()
    assert status == 0
    assert "priority: P1" in text
    assert "flag.child_at_risk" in text and "about 13" in text
    assert "MATCH immediate" in text and "skip  not-about-drugs" in text
    assert "destinations: control-room, cambridge-north, safeguarding, county-lines" in text


def test_rules_test_json_and_bad_lines(rules: Rules) -> None:
    out = io.StringIO()
    status = run_test(rules, io.StringIO(json.dumps(TIP) + "\nnot json\n"), out, as_json=True)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert status == 1
    assert first["destinations"][0] == "control-room"
    assert any(step["matched"] for step in first["walk"])
    assert second["line"] == 2 and "error" in second


def test_rules_diff_shows_what_moves(rules: Rules, tmp_path: Path) -> None:
    old = ROOT / "shared" / "rules" / "routes.yaml"
    new = tmp_path / "routes.yaml"
    # Proposal: P1 tips no longer go to the control room.
    new.write_text(
        old.read_text(encoding="utf-8").replace("receiver: control-room", "receiver: triage")
    )
    tips = io.StringIO(
        json.dumps(TIP) + "\n" + json.dumps({**TIP, "description": "Weed smell in the park"}) + "\n"
    )
    out = io.StringIO()
    status = run_diff(rules, old, new, tips, out)
    text = out.getvalue()
    assert status == 1
    assert "1 of 2 tips change" in text
    assert "control-room, cambridge-north" in text and "triage, cambridge-north" in text


def test_rules_diff_reports_accuracy_on_labelled_tips(rules: Rules) -> None:
    path = ROOT / "shared" / "rules" / "taxonomy.yaml"
    lines = (
        (ROOT / "tests" / "data" / "tips_labelled.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()[:20]
    )
    out = io.StringIO()
    assert run_diff(rules, path, path, io.StringIO("\n".join(lines)), out) == 0
    assert "0 of 20 tips change" in out.getvalue()
    assert "category accuracy on 20 labelled tips" in out.getvalue()
