"""Grading follows SPEC section 4 exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain.grade import CLAIM_WITHIN, grade


@pytest.mark.parametrize(
    ("category", "flags", "cluster", "priority"),
    [
        ("street_dealing", ("weapon", "in_progress"), 1, "P1"),
        ("drug_use", ("violence", "in_progress"), 1, "P1"),
        ("county_lines", ("child_at_risk", "in_progress"), 1, "P1"),
        ("other", ("weapon", "in_progress"), 1, "P1"),
        ("county_lines", ("vulnerable_adult", "in_progress"), 1, "P2"),
        ("street_dealing", ("weapon",), 1, "P2"),
        ("drug_use", ("child_at_risk",), 1, "P2"),
        ("other", ("vulnerable_adult",), 1, "P2"),
        ("street_dealing", ("violence",), 5, "P2"),
        ("county_lines", (), 1, "P3"),
        ("cultivation", ("in_progress",), 1, "P3"),
        ("street_dealing", (), 1, "P3"),
        ("drug_use", (), 1, "P4"),
        ("drug_use", ("in_progress",), 1, "P4"),
        ("other", (), 1, "P4"),
        ("drug_use", (), 2, "P4"),
        ("drug_use", (), 3, "P3"),
        ("other", (), 4, "P3"),
    ],
)
def test_grade(category: str, flags: tuple, cluster: int, priority: str) -> None:
    got = grade(category=category, flags=flags, cluster_size=cluster)  # type: ignore[arg-type]
    assert got.priority == priority
    assert got.reasons and got.reasons[0].rule == f"grade.{priority}"


def test_reasons_say_why() -> None:
    assert (
        "weapon"
        in grade(category="street_dealing", flags=("weapon", "in_progress")).reasons[0].detail
    )
    assert "cluster of 3" in grade(category="drug_use", flags=(), cluster_size=3).reasons[0].detail


def test_claim_times() -> None:
    assert {
        "P1": timedelta(minutes=15),
        "P2": timedelta(hours=1),
        "P3": timedelta(hours=48),
        "P4": timedelta(hours=72),
    } == CLAIM_WITHIN
