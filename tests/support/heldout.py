"""Scoring a labelled set of tips the way the product owner's acceptance checks do.

Each line of a set is a TipSubmission plus `expect` (category, flags, priority, ward,
destinations), labelled from the specification's decision and routing tables. The figures:
category accuracy with per-category precision and recall, F1 of every flag, priority accuracy,
exact destination set, share of placeable tips given an acceptable ward, and share of
out-of-area or unplaceable tips given no ward.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from tests.support.procs import ROOT

DATA = Path(__file__).resolve().parents[1] / "data"
CATEGORIES = ("county_lines", "cultivation", "street_dealing", "drug_use", "other")
FLAGS = ("child_at_risk", "vulnerable_adult", "weapon", "violence", "in_progress")
TEAMS = {
    "Arbury": "cambridge-north",
    "East Chesterton": "cambridge-north",
    "King's Hedges": "cambridge-north",
    "West Chesterton": "cambridge-north",
    "Abbey": "cambridge-east",
    "Coleridge": "cambridge-east",
    "Petersfield": "cambridge-east",
    "Romsey": "cambridge-east",
    "Cherry Hinton": "cambridge-south",
    "Queen Edith's": "cambridge-south",
    "Trumpington": "cambridge-south",
    "Castle": "cambridge-west-central",
    "Market": "cambridge-west-central",
    "Newnham": "cambridge-west-central",
}


def load(path: Path) -> list[dict]:
    """The labelled tips of one set."""
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@lru_cache(maxsize=8)
def classified(path: Path) -> tuple[list[dict], list[dict]]:
    """Every tip of a set run through `tipline classify`, beside its labels."""
    rows = load(path)
    body = "".join(
        json.dumps({k: v for k, v in row.items() if k != "expect"}) + "\n" for row in rows
    )
    proc = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "classify"],
        input=body,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:] or proc.stdout[-2000:]
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(out) == len(rows)
    return rows, out


def acceptable_wards(expected) -> list[str | None]:
    return expected if isinstance(expected, list) else [expected]


def _acceptable_destinations(exp: dict, got_ward: str | None) -> set[str]:
    """The expected set; for a tip with several acceptable wards, the set for the ward given."""
    wards = acceptable_wards(exp["ward"])
    want = set(exp["destinations"])
    if len(wards) > 1 and got_ward in wards and exp["category"] != "other":
        want = (want - set(TEAMS.values())) | {TEAMS[got_ward]}
    return want


def _f1(tp: int, fp: int, fn: int) -> float:
    denom = 2 * tp + fp + fn
    return 2 * tp / denom if denom else 1.0


def figures(path: Path) -> tuple[dict[str, float], list[str]]:
    """The acceptance figures of one set, and a line for every miss."""
    rows, out = classified(path)
    misses: list[str] = []
    n = len(rows)
    cat = pri = dest = 0
    located = located_ok = unplaced = unplaced_ok = 0
    tp = dict.fromkeys(FLAGS + CATEGORIES, 0)
    fp = dict.fromkeys(FLAGS + CATEGORIES, 0)
    fn = dict.fromkeys(FLAGS + CATEGORIES, 0)
    for i, (row, got) in enumerate(zip(rows, out, strict=True), start=1):
        exp = row["expect"]
        text = row["description"][:90]
        got_ward = (got.get("location") or {}).get("ward")
        got_cat = got.get("category")
        if got_cat == exp["category"]:
            cat += 1
            tp[got_cat] += 1
        else:
            fn[exp["category"]] += 1
            if got_cat in fp:
                fp[got_cat] += 1
            misses.append(f"{i} category {got_cat} != {exp['category']}: {text}")
        got_flags = set(got.get("flags") or [])
        for flag in FLAGS:
            want, have = flag in exp["flags"], flag in got_flags
            tp[flag] += want and have
            fp[flag] += have and not want
            fn[flag] += want and not have
            if want != have:
                kind = "missed" if want else "spurious"
                misses.append(f"{i} flag {kind} {flag}: {text}")
        if got.get("priority") == exp["priority"]:
            pri += 1
        else:
            misses.append(f"{i} priority {got.get('priority')} != {exp['priority']}: {text}")
        want_dest = _acceptable_destinations(exp, got_ward)
        if set(got.get("destinations") or []) == want_dest:
            dest += 1
        else:
            misses.append(
                f"{i} destinations {sorted(got.get('destinations') or [])} != "
                f"{sorted(want_dest)}: {text}"
            )
        wards = acceptable_wards(exp["ward"])
        if wards == [None]:
            unplaced += 1
            unplaced_ok += got_ward is None
        else:
            located += 1
            located_ok += got_ward in wards
        if got_ward not in wards:
            misses.append(f"{i} ward {got_ward!r} not in {wards}: {row['location']}")
    result = {
        "category": cat / n,
        "priority": pri / n,
        "destinations": dest / n,
        "ward_located": located_ok / located,
        "ward_none": unplaced_ok / unplaced,
    }
    for name in CATEGORIES:
        predicted, actual = tp[name] + fp[name], tp[name] + fn[name]
        result[f"precision_{name}"] = tp[name] / predicted if predicted else 1.0
        result[f"recall_{name}"] = tp[name] / actual if actual else 1.0
    for flag in FLAGS:
        result[f"f1_{flag}"] = _f1(tp[flag], fp[flag], fn[flag])
    return result, misses


def check_shape(rows: list[dict], *, at_least: int) -> None:
    """Every label uses the specification's vocabulary."""
    assert len(rows) >= at_least
    for row in rows:
        exp = row["expect"]
        assert exp["category"] in CATEGORIES
        assert set(exp["flags"]) <= set(FLAGS)
        for ward in acceptable_wards(exp["ward"]):
            assert ward is None or ward in TEAMS


def report_and_check(path: Path, floors: dict[str, float]) -> None:
    """Print the figures and every miss (`pytest -s`), then hold each figure to its floor.

    A flag without its own `f1_<flag>` floor is held to `flag_f1`.
    """
    result, misses = figures(path)
    print()
    for key, value in result.items():
        print(f"{key:>30}: {value:.3f}")
    for miss in misses:
        print("MISS", miss)
    for key in ("category", "priority", "destinations", "ward_located", "ward_none"):
        assert result[key] >= floors[key], key
    for flag in FLAGS:
        assert result[f"f1_{flag}"] >= floors.get(f"f1_{flag}", floors.get("flag_f1", 0.0)), flag
