"""Train the learned flag check and write shared/rules/flag_model.json.

One logistic regression per flag over the category scorer's word features, fitted on the labelled
tip sets the category scorer trains on. At run time a check may only add its flag to a drug tip
the rules left without it, so the regularisation and the threshold are chosen on out-of-fold
probabilities, one whole set held out at a time, by the F1 of the rules' flags combined with the
check's. The model is written only when the combination beats the rules alone out of fold.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python tools/train_flag_model.py [--force]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.domain.classify import Taxonomy  # noqa: E402
from shared.domain.classify.classifier import classify  # noqa: E402
from shared.domain.classify.scorer import RECIPE, CategoryModel, features, tip_text  # noqa: E402
from shared.domain.model import Flag  # noqa: E402
from tools.train_category_model import DATA, SETS, facts_of, matrix, vocabulary  # noqa: E402

OUT = ROOT / "shared" / "rules" / "flag_model.json"
CATEGORY = ROOT / "shared" / "rules" / "category_model.json"
# The flags whose F1 the rules alone fall short on for new writers; the others stay rules-only.
CHECKED: tuple[Flag, ...] = ("child_at_risk", "vulnerable_adult")
KEEP_FEATURES = 2000
C_GRID = (3.0, 10.0, 30.0, 100.0)
THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.50 .. 0.95


def f1(want: np.ndarray, got: np.ndarray) -> float:
    """F1 of a flag; 1.0 when it is neither expected nor raised."""
    tp = int((want & got).sum())
    wrong = int((want ^ got).sum())
    return 1.0 if tp == 0 and wrong == 0 else 2 * tp / (2 * tp + wrong)


def load(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Every training tip with its set, label, the rules' decision and its features."""
    rules = replace(taxonomy, flag_model=None)
    out = []
    for name in SETS:
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            facts = facts_of(row)
            decided = classify(facts, rules)
            out.append(
                {
                    "set": name,
                    "want": set(row["expect"]["flags"]),
                    "category": decided.category,
                    "flags": set(decided.flags),
                    "feats": features(tip_text(facts.description, facts.when_text, facts.people)),
                }
            )
    return out


def _fit(tips: list[dict[str, Any]], y: np.ndarray, c: float) -> tuple[dict[str, int], Any]:
    """Fit on all features, keep the strongest KEEP_FEATURES, refit on those (what ships)."""
    feats = [t["feats"] for t in tips]
    vocab = vocabulary(feats)
    first = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    first.fit(matrix(feats, vocab), y)
    strength = np.abs(first.coef_[0])
    names = sorted(vocab, key=lambda n: (-strength[vocab[n]], n))[:KEEP_FEATURES]
    pruned = {name: i for i, name in enumerate(sorted(names))}
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    model.fit(matrix(feats, pruned), y)
    return pruned, model


def out_of_fold(tips: list[dict[str, Any]], y: np.ndarray, c: float) -> np.ndarray:
    """Each tip's probability from a check that never saw its set."""
    probs = np.zeros(len(tips))
    for name in SETS:
        test = [i for i, t in enumerate(tips) if t["set"] == name]
        train = [i for i, t in enumerate(tips) if t["set"] != name]
        vocab, model = _fit([tips[i] for i in train], y[train], c)
        probs[test] = model.predict_proba(matrix([tips[i]["feats"] for i in test], vocab))[:, 1]
    return probs


def combined(tips: list[dict[str, Any]], flag: Flag, probs: np.ndarray, t: float) -> np.ndarray:
    """The flag as classify() raises it: the rules', or the check's on a drug tip."""
    ruled = np.array([flag in tip["flags"] for tip in tips])
    drug = np.array([tip["category"] != "other" for tip in tips])
    return ruled | (drug & (probs >= t))


def train_flag(tips: list[dict[str, Any]], flag: Flag) -> dict[str, Any]:
    """One flag's check, with the out-of-fold figures that chose it."""
    y = np.array([flag in t["want"] for t in tips])
    ruled = np.array([flag in t["flags"] for t in tips])
    best: tuple[float, float, np.ndarray] | None = None
    for c in C_GRID:
        probs = out_of_fold(tips, y, c)
        loss = float(-np.mean(np.log(np.clip(np.where(y, probs, 1 - probs), 1e-9, 1))))
        if best is None or loss < best[0]:
            best = (loss, c, probs)
    assert best is not None
    _, c, probs = best
    # Ties go to the higher threshold: fewer flags raised on the scorer's word alone.
    threshold = max(THRESHOLDS, key=lambda t: (f1(y, combined(tips, flag, probs, t)), t))
    got = combined(tips, flag, probs, threshold)
    per_set = {
        name: {
            "rules": round(f1(y[idx], ruled[idx]), 3),
            "combined": round(f1(y[idx], got[idx]), 3),
        }
        for name in SETS
        for idx in [np.array([t["set"] == name for t in tips])]
    }
    vocab, model = _fit(tips, y, c)
    weights = {name: round(float(model.coef_[0][j]), 4) for name, j in sorted(vocab.items())}
    return {
        "bias": round(float(model.intercept_[0]), 4),
        "threshold": threshold,
        "training": {
            "C": c,
            "features": len(weights),
            "cv_rules_f1": round(f1(y, ruled), 4),
            "cv_combined_f1": round(f1(y, got), 4),
            "cv_added": int((got & ~ruled).sum()),
            "cv_added_correct": int((got & ~ruled & y).sum()),
            "per_set": per_set,
        },
        "weights": weights,
    }


def main(argv: list[str] | None = None) -> int:
    """Train every checked flag; write the model when each beats the rules out of fold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--force", action="store_true", help="write even if a check does not gain")
    args = parser.parse_args(argv)
    # The shipped rules and category scorer, without any flag check (this script makes it).
    taxonomy = replace(Taxonomy.load(with_model=False), category_model=CategoryModel.load(CATEGORY))
    tips = load(taxonomy)
    flags = {}
    ok = True
    for flag in CHECKED:
        body = train_flag(tips, flag)
        t = body["training"]
        print(
            f"{flag}: C {t['C']} threshold {body['threshold']} out-of-fold F1 rules "
            f"{t['cv_rules_f1']:.3f} -> with check {t['cv_combined_f1']:.3f} "
            f"({t['cv_added_correct']} of {t['cv_added']} added flags right)"
        )
        ok = ok and t["cv_combined_f1"] > t["cv_rules_f1"]
        flags[flag] = body
    if not ok and not args.force:
        print("not shipping: a check does not beat the rules out of fold", file=sys.stderr)
        return 1
    doc = {"recipe": RECIPE, "sets": list(SETS), "tips": len(tips), "flags": flags}
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
