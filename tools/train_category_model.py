"""Train the learned category scorer and write shared/rules/category_model.json.

Multinomial logistic regression over the features of shared/domain/classify/scorer.py, fitted on
the labelled tip sets in tests/data. The threshold at which the scorer may overrule the rules is
chosen on out-of-fold probabilities, holding out one whole set at a time, because tips written by
different people differ more than random splits of one set would show. Before writing, the
leave-one-set-out evaluation (tools/evaluate_category_model.py) runs and is stored in the file;
the model is only written when it passes the shipping test there.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python tools/train_category_model.py [--force]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.domain.classify import Taxonomy  # noqa: E402
from shared.domain.classify.classifier import (  # noqa: E402
    FallbackCase,
    decide,
    rules_only,
    upgradable,
)
from shared.domain.classify.scorer import RECIPE, CategoryModel, features, tip_text  # noqa: E402
from shared.domain.model import CATEGORIES, Category, TipFacts, Vehicle  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = ROOT / "shared" / "rules" / "category_model.json"
SETS: tuple[str, ...] = (
    "tips_labelled",
    "heldout_tips",
    "heldout2_tips",
    "heldout3_tips",
    "heldout4_tips",
    "heldout5_tips",
    "heldout6_tips",
    "heldout7_tips",
    "heldout8_tips",
    "heldout9_tips",
    "heldout10_tips",
    "heldout11_tips",
    "heldout12_tips",
    "heldout13_tips",
    "heldout14_tips",
    "heldout15_tips",
    "heldout16_tips",
)
CLASSES: tuple[Category, ...] = CATEGORIES
KEEP_FEATURES = 3000  # the strongest features kept in the shipped file
MIN_COUNT = 2  # a feature seen in one tip only is noise
C_GRID = (3.0, 10.0, 30.0, 100.0)
THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(20))  # 0.50 .. 0.975
# Pulling a tip that is not about drugs into a drug queue costs officers' time and worries the
# public; missing a drug tip sends it to triage, where a person still reads it. So a false pull
# counts double when choosing the threshold.
FALSE_PULL_COST = 2.0
# Out-of-fold net gain (tips won minus tips lost) needed before the scorer may overrule rules
# that found drug use: they found real evidence, so the case for overruling must be clear.
UPGRADE_MIN_GAIN = 2


@dataclass(frozen=True)
class Tip:
    """One labelled tip with what the rules alone make of it."""

    set_name: str
    row: dict[str, Any]
    facts: TipFacts
    text: str
    label: Category
    ruled: Category
    case: FallbackCase | None
    feats: dict[str, float]
    upgradable: bool = True  # the reporter denied no sign of supply (see classifier.decide)


def facts_of(row: dict[str, Any]) -> TipFacts:
    """TipFacts from a labelled line (a TipSubmission plus `expect`)."""
    location = row.get("location") or {}
    return TipFacts(
        description=row["description"],
        received_at=datetime(2025, 6, 1, tzinfo=UTC),
        location_text=location.get("text"),
        postcode=location.get("postcode"),
        happening_now=bool(row.get("happening_now")),
        when_text=row.get("when_text"),
        people=row.get("people"),
        vehicles=tuple(Vehicle(**v) for v in row.get("vehicles") or ()),
        phone_numbers=tuple(row.get("phone_numbers") or ()),
    )


def rules_taxonomy() -> Taxonomy:
    """The shipped taxonomy with the scorer switched off."""
    return Taxonomy.load(with_model=False)


def load_sets(taxonomy: Taxonomy, names: tuple[str, ...] = SETS) -> dict[str, list[Tip]]:
    """Every labelled set, each tip with the rules' own category and fallback case."""
    out: dict[str, list[Tip]] = {}
    for name in names:
        tips = []
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            facts = facts_of(row)
            ruled, case = rules_only(facts, taxonomy)
            text = tip_text(facts.description, facts.when_text, facts.people)
            label = row["expect"]["category"]
            tips.append(
                Tip(
                    name,
                    row,
                    facts,
                    text,
                    label,
                    ruled.category,
                    case,
                    features(text),
                    upgradable(facts, taxonomy),
                )
            )
        out[name] = tips
    return out


def matrix(feats: list[dict[str, float]], vocab: dict[str, int]) -> csr_matrix:
    rows, cols, vals = [], [], []
    for i, f in enumerate(feats):
        for name, value in f.items():
            j = vocab.get(name)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(value)
    return csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)))


def _fit(feats: list[dict[str, float]], labels: list[str], vocab: dict[str, int], c: float):
    # Newton steps converge in a handful of iterations on data this size; lbfgs crawls.
    model = LogisticRegression(C=c, solver="newton-cg", max_iter=500)
    model.fit(matrix(feats, vocab), [CLASSES.index(y) for y in labels])  # type: ignore[arg-type]
    return model


def vocabulary(feats: list[dict[str, float]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in feats:
        for name in f:
            counts[name] = counts.get(name, 0) + 1
    kept = sorted(name for name, n in counts.items() if n >= MIN_COUNT)
    return {name: i for i, name in enumerate(kept)}


def fit_pruned(tips: list[Tip], c: float) -> tuple[dict[str, int], Any]:
    """Fit on all features, keep the strongest KEEP_FEATURES, refit on those (what ships)."""
    feats = [t.feats for t in tips]
    labels = [t.label for t in tips]
    vocab = vocabulary(feats)
    first = _fit(feats, labels, vocab, c)
    coef = first.coef_ - first.coef_.mean(axis=0)  # softmax ignores a shift shared by classes
    strength = np.sqrt((coef**2).sum(axis=0))
    names = sorted(vocab, key=lambda n: (-strength[vocab[n]], n))[:KEEP_FEATURES]
    pruned = {name: i for i, name in enumerate(sorted(names))}
    return pruned, _fit(feats, labels, pruned, c)


def _probs(tips: list[Tip], vocab: dict[str, int], model: Any) -> np.ndarray:
    out = np.zeros((len(tips), len(CLASSES)))
    got = model.predict_proba(matrix([t.feats for t in tips], vocab))
    for k, cls in enumerate(model.classes_):
        out[:, cls] = got[:, k]
    return out


def out_of_fold(tips: list[Tip], c: float) -> np.ndarray:
    """Probabilities for each tip from a model that never saw its set."""
    probs = np.zeros((len(tips), len(CLASSES)))
    names = sorted({t.set_name for t in tips})
    for name in names:
        train = [t for t in tips if t.set_name != name]
        test_idx = [i for i, t in enumerate(tips) if t.set_name == name]
        vocab, model = fit_pruned(train, c)
        probs[test_idx] = _probs([tips[i] for i in test_idx], vocab, model)
    return probs


def _stub(threshold: float, upgrade: float | None = None) -> CategoryModel:
    """Just the thresholds, for replaying the runtime decision on precomputed probabilities."""
    return CategoryModel("", CLASSES, (0.0,) * len(CLASSES), {}, threshold, upgrade)


def combined(
    tips: list[Tip], probs: np.ndarray, threshold: float, upgrade: float | None = None
) -> list[str]:
    """The category each tip gets from the rules plus the scorer, as classify() decides it."""
    model = _stub(threshold, upgrade)
    out = []
    for tip, p in zip(tips, probs, strict=True):
        k = int(np.argmax(p))
        chosen = decide(
            tip.ruled, tip.case, CLASSES[k], float(p[k]), model, upgradable=tip.upgradable
        )
        out.append(chosen or tip.ruled)
    return out


def _utility(tips: list[Tip], got: list[str]) -> float:
    score = 0.0
    for tip, cat in zip(tips, got, strict=True):
        score += cat == tip.label
        if tip.label == "other" and cat != "other":
            score -= FALSE_PULL_COST - 1
    return score


def choose_threshold(tips: list[Tip], probs: np.ndarray) -> float:
    """The threshold with the best cost-weighted accuracy; ties go to the more cautious one."""
    return max(THRESHOLDS, key=lambda t: (_utility(tips, combined(tips, probs, t)), t))


def choose_upgrade(tips: list[Tip], probs: np.ndarray, threshold: float) -> float | None:
    """The threshold for overruling the rules' drug use, or None when no threshold gains.

    Overruling must win at least UPGRADE_MIN_GAIN more tips than it loses out of fold, so a
    coin-flip gain on a handful of tips does not switch it on.
    """
    base = _utility(tips, combined(tips, probs, threshold))
    gains = {u: _utility(tips, combined(tips, probs, threshold, u)) - base for u in THRESHOLDS}
    best = max(THRESHOLDS, key=lambda u: (gains[u], u))
    return best if gains[best] >= UPGRADE_MIN_GAIN else None


def choose_c(tips: list[Tip]) -> tuple[float, np.ndarray]:
    """The regularisation with the lowest out-of-fold log loss, and its probabilities."""
    best: tuple[float, float, np.ndarray] | None = None
    y = np.array([CLASSES.index(t.label) for t in tips])
    for c in C_GRID:
        probs = out_of_fold(tips, c)
        loss = float(-np.mean(np.log(np.clip(probs[np.arange(len(y)), y], 1e-9, 1))))
        if best is None or loss < best[0]:
            best = (loss, c, probs)
    assert best is not None
    return best[1], best[2]


def train(tips: list[Tip]) -> dict[str, Any]:
    """A complete model file body (without evaluation) trained on the given tips."""
    c, probs = choose_c(tips)
    threshold = choose_threshold(tips, probs)
    upgrade = choose_upgrade(tips, probs, threshold)
    vocab, model = fit_pruned(tips, c)
    coef = model.coef_
    index = {cls: k for k, cls in enumerate(model.classes_)}
    weights = {
        name: [
            round(float(coef[index[k], j]), 4) if k in index else 0.0 for k in range(len(CLASSES))
        ]
        for name, j in sorted(vocab.items())
    }
    bias = [
        round(float(model.intercept_[index[k]]), 4) if k in index else -30.0
        for k in range(len(CLASSES))
    ]
    y = [t.label for t in tips]
    scorer_acc = float(
        np.mean([CLASSES[int(np.argmax(p))] == want for p, want in zip(probs, y, strict=True)])
    )
    rules_acc = float(np.mean([t.ruled == t.label for t in tips]))
    comb_acc = float(
        np.mean(
            [
                g == want
                for g, want in zip(combined(tips, probs, threshold, upgrade), y, strict=True)
            ]
        )
    )
    return {
        "recipe": RECIPE,
        "classes": list(CLASSES),
        "threshold": threshold,
        "upgrade_threshold": upgrade,
        "bias": bias,
        "training": {
            "sets": sorted({t.set_name for t in tips}, key=SETS.index),
            "tips": len(tips),
            "C": c,
            "features": len(weights),
            "min_count": MIN_COUNT,
            "false_pull_cost": FALSE_PULL_COST,
            "cross_validation": "leave one set out within the training sets",
            "cv_scorer_accuracy": round(scorer_acc, 4),
            "cv_rules_accuracy": round(rules_acc, 4),
            "cv_combined_accuracy": round(comb_acc, 4),
        },
        "weights": weights,
    }


def main(argv: list[str] | None = None) -> int:
    """Evaluate leave-one-set-out, then train on every set and write the model if it passes."""
    from tools.evaluate_category_model import evaluate, render

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--force", action="store_true", help="write even if evaluation fails")
    args = parser.parse_args(argv)
    taxonomy = rules_taxonomy()
    sets = load_sets(taxonomy)
    report = evaluate(taxonomy, sets)
    print(render(report))
    body = train([t for name in SETS for t in sets[name]])
    body = {k: v for k, v in body.items() if k != "weights"} | {
        "evaluation": report,
        "weights": body["weights"],
    }
    if not report["ship"] and not args.force:
        print("not shipping: the combination fails the leave-one-set-out test", file=sys.stderr)
        return 1
    args.out.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(body['weights'])} features, threshold {body['threshold']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
