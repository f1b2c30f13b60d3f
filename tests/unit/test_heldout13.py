"""Held-out set 13: acceptance figures for `tipline classify` on 200 tips in everyday writing.

Each line of tests/data/heldout13_tips.jsonl is a TipSubmission plus `expect` (category, flags,
priority, ward, destinations), labelled from the specification's decision and routing tables by
someone who never saw the rules. The figures are the product owner's acceptance measures:
category accuracy with per-category precision and recall, F1 of every flag, priority accuracy,
exact destination set, share of placeable tips given an acceptable ward, and share of
out-of-area or unplaceable tips given no ward. Every miss is printed (`pytest -s`).
"""

from __future__ import annotations

from tests.support.heldout import DATA, check_shape, load, report_and_check

SET = DATA / "heldout13_tips.jsonl"

# Floors: the achieved figure minus 0.02, to catch regressions. The acceptance floors are category
# 0.92, every flag F1 0.90, priority 0.92, destinations 0.88, located wards 0.97 and no-ward 0.95.
# Nobody has tuned the rules on this set: these are unseen-writing figures, and every one below
# an acceptance floor is a known gap, not a target reached.
FLOORS = {
    "category": 0.86,  # achieved 0.880
    "priority": 0.87,  # achieved 0.890
    "destinations": 0.835,  # achieved 0.855
    "ward_located": 0.975,  # achieved 0.995
    "ward_none": 0.98,  # achieved 1.000
    "f1_child_at_risk": 0.765,  # achieved 0.789
    "f1_vulnerable_adult": 0.74,  # achieved 0.762
    "f1_weapon": 0.94,  # achieved 0.963
    "f1_violence": 0.875,  # achieved 0.895
    "f1_in_progress": 0.895,  # achieved 0.917
}


def test_heldout13_set_shape() -> None:
    check_shape(load(SET), at_least=200)


def test_heldout13_acceptance_figures() -> None:
    report_and_check(SET, FLOORS)
