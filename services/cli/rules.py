"""`tipline rules test` and `tipline rules diff`: see how rules decide tips, and what a change moves.

`rules test` reads TipSubmission JSON lines on standard input and prints, for each, the category
and flags with their reasons, the grade, and the full route walk (every route, matched or not,
and why). `rules diff OLD.yaml NEW.yaml < tips.jsonl` decides each tip under both versions of a
taxonomy or routes file and prints the tips whose decision changes; lines carrying labels
(`"expect": {...}`, as in tests/data/tips_labelled.jsonl) also get accuracy before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from shared.domain.classify import Taxonomy, classify
from shared.domain.errors import ConfigError
from shared.domain.facts import facts_from_submission
from shared.domain.grade import grade
from shared.domain.model import Classification, Location, TipFacts
from shared.domain.route import RouteFacts, RouteTree, Teams
from shared.domain.yamlconf import load_yaml

# Locates a tip; the live pipeline's locator in production, anything in tests.
LocateFn = Callable[[TipFacts], Location]
_EXTRA_KEYS = ("expect", "received_at")


@dataclass(frozen=True)
class Rules:
    """One version of the rules, plus how tips are located."""

    locate: LocateFn
    taxonomy: Taxonomy
    teams: Teams
    routes: RouteTree

    def decide(self, facts: TipFacts) -> Outcome:
        """Locate, classify, grade and route one tip (no corroboration: cluster size 1)."""
        location = self.locate(facts)
        classification = classify(facts, self.taxonomy)
        graded = grade(category=classification.category, flags=classification.flags)
        route_facts = RouteFacts(
            category=classification.category,
            flags=classification.flags,
            priority=graded.priority,
            ward_code=location.ward_code,
            ward=location.ward,
            team=self.teams.team_for_ward(location.ward_code),
            location_method=location.method,
        )
        return Outcome(location, classification, graded.priority, graded.reasons, route_facts, self)


@dataclass(frozen=True)
class Outcome:
    location: Location
    classification: Classification
    priority: str
    grade_reasons: tuple[Any, ...]
    route_facts: RouteFacts
    rules: Rules

    @property
    def destinations(self) -> tuple[str, ...]:
        return self.rules.routes.route(self.route_facts).destinations

    def summary(self) -> dict[str, Any]:
        return {
            "category": self.classification.category,
            "flags": list(self.classification.flags),
            "priority": self.priority,
            "destinations": list(self.destinations),
        }


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `rules test` and `rules diff` to the tipline command line."""
    rules = subparsers.add_parser("rules", help="try the classification and routing rules")
    sub = rules.add_subparsers(dest="rules_command", required=True)
    test = sub.add_parser("test", help="show how tips (JSON lines on stdin) are decided and routed")
    test.add_argument("--json", action="store_true", help="one JSON object per tip")
    diff = sub.add_parser(
        "diff", help="decisions that change between two rules files (tips on stdin)"
    )
    diff.add_argument("old", type=Path, help="current taxonomy.yaml or routes.yaml")
    diff.add_argument("new", type=Path, help="proposed version of the same file")
    diff.add_argument("--json", action="store_true", help="one JSON object per changed tip")


def handle(args: argparse.Namespace, settings: Any) -> int:
    """Run a `rules` subcommand with the configured data and rules."""
    try:
        rules = load_rules(settings)
        if args.rules_command == "test":
            return run_test(rules, sys.stdin, sys.stdout, as_json=args.json)
        return run_diff(rules, args.old, args.new, sys.stdin, sys.stdout, as_json=args.json)
    except ConfigError as exc:
        print(f"tipline rules: {exc}", file=sys.stderr)
        return 2


def load_rules(settings: Any) -> Rules:
    """The configured rules, locating with the live pipeline's locator."""
    from shared.domain.pipeline import Pipeline

    pipeline = Pipeline.load(data_dir=settings.data_dir, rules_dir=settings.rules_dir)
    return Rules(pipeline.locator.resolve, pipeline.taxonomy, pipeline.teams, pipeline.routes)


def _tips(lines: Iterable[str]) -> Iterable[tuple[int, TipFacts | None, dict[str, Any], str]]:
    """(line number, facts or None, labels, error) for each non-blank input line."""
    now = datetime.now(UTC)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("line is not a JSON object")
            labels = data.get("expect") or {}
            for key in _EXTRA_KEYS:
                data.pop(key, None)
            yield number, _facts(data, now), labels, ""
        except (ValueError, TypeError, KeyError) as exc:
            yield number, None, {}, str(exc) or type(exc).__name__


def _facts(data: dict[str, Any], now: datetime) -> TipFacts:
    try:
        from pydantic import ValidationError

        from shared.schemas.submission import TipSubmission
    except ImportError:  # the schema package is optional for rule checking
        return facts_from_submission(data, received_at=now)
    try:
        submission = TipSubmission.model_validate(data, context={"channel": "api"})
    except ValidationError as exc:
        raise ValueError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None
    return facts_from_submission(submission.without_contact(), received_at=now)


def run_test(rules: Rules, stdin: TextIO, stdout: TextIO, *, as_json: bool = False) -> int:
    """Print how each tip is classified, graded and routed; 1 if any line was not a tip."""
    failed = False
    for number, facts, _labels, error in _tips(stdin):
        if facts is None:
            failed = True
            stdout.write(
                json.dumps({"line": number, "error": error}) + "\n"
                if as_json
                else f"line {number}: error: {error}\n"
            )
            continue
        outcome = rules.decide(facts)
        steps = rules.routes.walk(outcome.route_facts)
        if as_json:
            record = {"line": number, **outcome.summary()}
            record["location"] = {
                "method": outcome.location.method,
                "ward_code": outcome.location.ward_code,
                "ward": outcome.location.ward,
            }
            record["reasons"] = [
                r.to_dict() for r in outcome.classification.reasons + outcome.grade_reasons
            ]
            record["walk"] = [
                {
                    "route": s.name,
                    "depth": s.depth,
                    "matched": s.matched,
                    "why": s.why,
                    "receiver": s.receiver,
                }
                for s in steps
            ]
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        stdout.write(_explain(number, facts, outcome, steps))
    return 1 if failed else 0


def _explain(number: int, facts: TipFacts, outcome: Outcome, steps: list[Any]) -> str:
    c = outcome.classification
    loc = outcome.location
    out = [f"line {number}: {facts.description[:100]}"]
    out.append(
        f"  location: {loc.method} {loc.ward or '-'} ({loc.ward_code or '-'}) team {outcome.route_facts.team or '-'}"
    )
    out.append(
        f"  category: {c.category}   flags: {', '.join(c.flags) or 'none'}   priority: {outcome.priority}"
    )
    for reason in c.reasons + outcome.grade_reasons:
        evidence = " | ".join(f'"{e}"' for e in reason.evidence)
        out.append(f"    {reason.rule}: {reason.detail}" + (f"  <- {evidence}" if evidence else ""))
    out.append("  route walk:")
    out += [f"    {step}" for step in steps]
    out.append(f"  destinations: {', '.join(outcome.destinations)}")
    return "\n".join(out) + "\n\n"


def _variant(rules: Rules, path: Path) -> tuple[str, Rules]:
    """Rules with one file swapped in; which kind of file it is comes from its top-level keys."""
    root = load_yaml(path)
    if isinstance(root.value, dict) and "route" in root.value:
        return "routes", Rules(
            rules.locate, rules.taxonomy, rules.teams, RouteTree.load(path, teams=rules.teams)
        )
    return "taxonomy", Rules(rules.locate, Taxonomy.load(path), rules.teams, rules.routes)


def run_diff(
    rules: Rules, old: Path, new: Path, stdin: TextIO, stdout: TextIO, *, as_json: bool = False
) -> int:
    """Print tips whose decision differs between OLD and NEW; 0 when none does, 1 otherwise."""
    old_kind, before = _variant(rules, old)
    new_kind, after = _variant(rules, new)
    if old_kind != new_kind:
        raise ConfigError(f"cannot compare a {old_kind} file with a {new_kind} file", path=str(new))
    total = changed = 0
    scores = {"old": [0, 0, 0], "new": [0, 0, 0]}  # category, flags, priority correct
    labelled = 0
    for number, facts, labels, error in _tips(stdin):
        if facts is None:
            stdout.write(f"line {number}: error: {error}\n")
            continue
        total += 1
        a, b = before.decide(facts).summary(), after.decide(facts).summary()
        if labels:
            labelled += 1
            for name, got in (("old", a), ("new", b)):
                scores[name][0] += got["category"] == labels.get("category")
                scores[name][1] += sorted(got["flags"]) == sorted(labels.get("flags", []))
                scores[name][2] += got["priority"] == labels.get("priority")
        if a == b:
            continue
        changed += 1
        if as_json:
            stdout.write(json.dumps({"line": number, "old": a, "new": b}) + "\n")
            continue
        stdout.write(f"line {number}: {facts.description[:90]}\n")
        for key in a:
            if a[key] != b[key]:
                stdout.write(f"    {key}: {_show(a[key])} -> {_show(b[key])}\n")
    if not as_json:
        stdout.write(f"{changed} of {total} tips change ({old_kind}: {old} -> {new})\n")
        if labelled:
            for i, what in enumerate(("category", "flags", "priority")):
                o, n = scores["old"][i] / labelled, scores["new"][i] / labelled
                stdout.write(f"  {what} accuracy on {labelled} labelled tips: {o:.3f} -> {n:.3f}\n")
    return 1 if changed else 0


def _show(value: Any) -> str:
    return ", ".join(value) or "none" if isinstance(value, list) else str(value)
