"""Held-out set 5: acceptance figures for `tipline classify` on 160 everyday tips.

Each line of tests/data/heldout5_tips.jsonl is a TipSubmission plus `expect` (category, flags,
priority, ward, destinations), labelled from the specification's decision and routing tables.
The figures are the product owner's acceptance measures: category accuracy with per-category
precision and recall, F1 of every flag, priority accuracy, exact destination set, share of
placeable tips given an acceptable ward, and share of out-of-area or unplaceable tips given no
ward. Every miss is printed (`pytest -s`).
"""

from __future__ import annotations

from tests.support.heldout import DATA, check_shape, load, report_and_check

SET = DATA / "heldout5_tips.jsonl"

# Floors: just under what the current rules achieve, to catch regressions. The acceptance
# floors are category 0.92, every flag F1 0.90, priority 0.92, destinations 0.88, located
# wards 0.97 and no-ward 0.95. Where the current figure is below an acceptance floor, the
# floor here is the achieved figure minus 0.02 and the comment says so.
FLOORS = {
    "category": 0.98,  # achieved 0.988
    "priority": 0.98,  # achieved 0.988
    "destinations": 0.97,  # achieved 0.988
    "ward_located": 0.99,  # achieved 1.000
    "ward_none": 0.99,  # achieved 1.000
    "f1_child_at_risk": 0.99,  # achieved 1.000
    "f1_vulnerable_adult": 0.99,  # achieved 1.000
    "f1_weapon": 0.99,  # achieved 1.000
    "f1_violence": 0.99,  # achieved 1.000
    "f1_in_progress": 0.99,  # achieved 1.000
}


def test_heldout5_set_shape() -> None:
    check_shape(load(SET), at_least=160)


def test_heldout5_acceptance_figures() -> None:
    report_and_check(SET, FLOORS)
