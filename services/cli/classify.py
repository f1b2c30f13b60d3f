"""`tipline classify`: decide TipSubmission JSON lines with the pure pipeline, no servers.

Output is written once the whole input is read, so every line of a cluster carries the cluster's
final id and size (a later tip can join or merge clusters) and corroborated P4 tips show as P3,
exactly as the live queues would show them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from shared.config import Settings
from shared.domain.dedup import InMemoryIndex
from shared.domain.facts import facts_from_submission
from shared.domain.model import Decision
from shared.domain.pipeline import Assessment, Pipeline
from shared.schemas.errors import field_errors
from shared.schemas.submission import TipSubmission


def _received_at(value: Any, now: datetime) -> datetime:
    if value is None:
        return now
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        raise ValueError("received_at needs a UTC offset")
    return when.astimezone(UTC)


def _parse(raw: str, now: datetime) -> tuple[TipSubmission, datetime]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("line is not a JSON object")
    received_at = _received_at(data.pop("received_at", None), now)
    try:
        submission = TipSubmission.model_validate(data, context={"channel": "api"})
    except ValidationError as exc:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors(exc))
        raise ValueError(problems) from exc
    return submission, received_at


def decision_line(line: int, decision: Decision) -> dict[str, Any]:
    """The SPEC section 5 output object for one decided line."""
    location = decision.location
    corroboration = decision.corroboration
    return {
        "line": line,
        "category": decision.classification.category,
        "flags": list(decision.classification.flags),
        "priority": decision.grade.priority,
        "location": {
            "ward_code": location.ward_code,
            "ward": location.ward,
            "method": location.method,
            "confidence": round(location.confidence, 3),
        },
        "team": decision.routing.team,
        "destinations": list(decision.routing.destinations),
        "duplicate_of": int(corroboration.duplicate_of) if corroboration.duplicate_of else None,
        "cluster": corroboration.cluster,
        "cluster_size": corroboration.cluster_size,
        "reasons": [reason.to_dict() for reason in decision.all_reasons],
    }


def classify_lines(
    pipeline: Pipeline, lines: Iterable[str], *, identifier_key: bytes
) -> list[dict[str, Any]]:
    """Decide every input line in order; errors become {"line", "error"} objects."""
    now = datetime.now(UTC)
    index = InMemoryIndex()
    decided: list[tuple[int, Assessment, Decision]] = []
    results: dict[int, dict[str, Any]] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            submission, received_at = _parse(raw, now)
        except (ValueError, RecursionError) as exc:
            results[number] = {"line": number, "error": str(exc)}
            continue
        facts = facts_from_submission(submission.without_contact(), received_at=received_at)
        assessment = pipeline.assess(facts)
        corroboration = Pipeline.corroborate(str(number), assessment, index, identifier_key)
        decided.append((number, assessment, pipeline.conclude(assessment, corroboration)))
    for number, assessment, decision in decided:
        corroboration = decision.corroboration
        cluster = index.cluster_of(str(number)) or corroboration.cluster
        if cluster is not None:
            final = replace(
                corroboration, cluster=cluster, cluster_size=index.cluster_size(cluster)
            )
            if final != corroboration:
                decision = pipeline.conclude(assessment, final)
        results[number] = decision_line(number, decision)
    return [results[number] for number in sorted(results)]


def run(settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read stdin, write one JSON decision per line; exit status 1 if any line failed."""
    pipeline = Pipeline.load(data_dir=settings.data_dir, rules_dir=settings.rules_dir)
    failed = False
    for result in classify_lines(pipeline, stdin, identifier_key=settings.identifier_key):
        failed = failed or "error" in result
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 1 if failed else 0
