"""Grading a classified tip P1..P4 (SPEC section 4), with the reason for the grade."""

from __future__ import annotations

from datetime import timedelta

from shared.domain.model import Category, Flag, Grade, Priority, Reason

# How soon an open item must be claimed before it counts as breaching.
CLAIM_WITHIN: dict[Priority, timedelta] = {
    "P1": timedelta(minutes=15),
    "P2": timedelta(hours=1),
    "P3": timedelta(hours=48),
    "P4": timedelta(hours=72),
}

CORROBORATED_CLUSTER = 3
_DANGER_NOW: tuple[Flag, ...] = ("weapon", "violence", "child_at_risk")
_RISK: tuple[Flag, ...] = ("child_at_risk", "vulnerable_adult", "weapon", "violence")
_SUPPLY: tuple[Category, ...] = ("county_lines", "cultivation", "street_dealing")


def grade(*, category: Category, flags: tuple[Flag, ...], cluster_size: int = 1) -> Grade:
    """The priority of a tip from its category, flags and the size of its cluster."""
    present = set(flags)
    danger = [f for f in _DANGER_NOW if f in present]
    if "in_progress" in present and danger:
        return Grade(
            "P1",
            (
                Reason(
                    "grade.P1",
                    "Immediate: happening now with " + _words(danger),
                    ("in_progress", *danger),
                ),
            ),
        )
    risk = [f for f in _RISK if f in present]
    if risk:
        return Grade(
            "P2",
            (Reason("grade.P2", "Priority: risk to a person: " + _words(risk), tuple(risk)),),
        )
    if category in _SUPPLY:
        return Grade(
            "P3",
            (Reason("grade.P3", f"Scheduled: supply ({_words([category])})", (category,)),),
        )
    if cluster_size >= CORROBORATED_CLUSTER:
        return Grade(
            "P3",
            (
                Reason(
                    "grade.P3",
                    f"Scheduled: corroborated by a cluster of {cluster_size} tips",
                    (f"cluster_size={cluster_size}",),
                ),
            ),
        )
    return Grade(
        "P4",
        (Reason("grade.P4", f"Intelligence: {_words([category])}, no risk flag", (category,)),),
    )


def _words(names: list[str] | list[Flag] | list[Category]) -> str:
    return ", ".join(n.replace("_", " ") for n in names)
