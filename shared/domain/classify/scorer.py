"""A learned linear scorer for a tip's category, used only when the indicator rules find too little.

The model is a table of per-class weights over word, word-pair and character features of the
tip's description, when_text and people fields; scoring sums the weights of the features present
and takes a softmax. The weights live in shared/rules/category_model.json, made by
tools/train_category_model.py; this module reads that file and must featurise text exactly as
the training script does (the recipe version is checked at load).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.domain.errors import ConfigError
from shared.domain.model import CATEGORIES, Category, TipFacts

RECIPE = "words-pairs-char4/v1"
_CHAR_N = 4
_WORD = re.compile(r"£?[a-z0-9]+")
_LONG_NUMBER = re.compile(r"\d{3,}")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_MAX_EVIDENCE = 4
# How a team lead reads each category in a reason.
_LABELS: dict[str, str] = {
    "county_lines": "county-lines reports",
    "cultivation": "cannabis-farm or drug-production reports",
    "street_dealing": "street-dealing reports",
    "drug_use": "drug-use reports",
    "other": "reports not about drugs",
}


# Drug-use indicators (a smell, a spliff, "offered me some") also appear in tips about growing and
# selling; the rules settle on drug use when nothing stronger matched. The wording as a whole may
# then overrule them towards these categories, never towards county lines (a safeguarding
# judgement left to the rules) and never back to other.
UPGRADES: dict[Category, frozenset[Category]] = {
    "drug_use": frozenset({"cultivation", "street_dealing"}),
}


def tip_text(description: str, when_text: str | None, people: str | None) -> str:
    """The fields the scorer reads, joined; the same fields the indicator rules read by default."""
    return "\n".join(x for x in (description, when_text, people) if x)


def tokens(text: str) -> list[str]:
    """Lower-case words with apostrophes dropped, since reporters often leave them out."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).lower().replace("'", "")
    # Phone numbers, house numbers and sums vary endlessly; ages and times (1-2 digits) carry meaning.
    return [_LONG_NUMBER.sub("#", w) for w in _WORD.findall(text)]


# Grammar words: they weigh in the sum, but a team lead learns nothing from seeing them cited.
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "they",
        "them",
        "their",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "so",
        "if",
        "then",
        "than",
        "just",
        "about",
        "into",
        "up",
        "out",
        "over",
        "very",
        "can",
        "will",
        "would",
        "could",
        "should",
        "all",
        "some",
        "any",
        "who",
        "what",
        "which",
        "when",
        "where",
        "how",
        "also",
        "too",
    ]
)


def features(text: str) -> dict[str, float]:
    """Feature name to value: presence of words, adjacent word pairs and 4-letter pieces of words.

    Values are 1/sqrt(number of distinct features) so long and short tips weigh alike; the count is
    over every feature of the text, known to the model or not, so pruning changes nothing here.
    """
    words = tokens(text)
    names: set[str] = {f"w {w}" for w in words}
    names.update(f"b {a} {b}" for a, b in zip(words, words[1:], strict=False))
    for w in set(words):
        # Pieces of words catch misspellings and endings ("sellin", "dealers") the words miss.
        padded = f" {w} "
        if len(padded) > _CHAR_N:
            names.update(f"c {padded[i : i + _CHAR_N]}" for i in range(len(padded) - _CHAR_N + 1))
    if not names:
        return {}
    value = 1.0 / math.sqrt(len(names))
    return dict.fromkeys(names, value)


def readable(name: str) -> str | None:
    """A feature as the reporter's words, or None for a piece of a word."""
    kind, _, words = name.partition(" ")
    return words if kind in ("w", "b") else None


@dataclass(frozen=True)
class Score:
    """The scorer's view of one tip: the likeliest category, its probability, and why."""

    category: Category
    probability: float
    probabilities: dict[Category, float]
    evidence: tuple[str, ...]

    @property
    def label(self) -> str:
        return _LABELS[self.category]


@dataclass(frozen=True)
class CategoryModel:
    """Per-class weights and biases over named features, with the decision thresholds."""

    path: str
    classes: tuple[Category, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    threshold: float  # least probability for the scorer to decide a tip the rules left as other
    # Least probability for the scorer to read a tip the rules call drug use as growing or selling
    # instead (see UPGRADES); None when out-of-fold evidence never supported it.
    upgrade_threshold: float | None = None

    @classmethod
    def load(cls, path: Path) -> CategoryModel:
        """Read and validate a model file; raises ConfigError naming the file and the problem."""
        return cls.from_dict(read_json(path, "category model"), str(path))

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> CategoryModel:
        """Validate a model already parsed from JSON; `path` names it in errors."""
        return _build(raw, path)

    def score(self, facts: TipFacts) -> Score:
        """Probabilities of each category from the tip's wording, and the words that weighed most."""
        feats = features(tip_text(facts.description, facts.when_text, facts.people))
        logits = list(self.bias)
        n = len(self.classes)
        present: list[tuple[str, float, tuple[float, ...]]] = []
        for name, value in feats.items():
            row = self.weights.get(name)
            if row is None:
                continue
            present.append((name, value, row))
            for k in range(n):
                logits[k] += row[k] * value
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probs = {c: e / total for c, e in zip(self.classes, exps, strict=True)}
        # Ties go to the earlier class in precedence order, so scoring is deterministic.
        best = max(range(n), key=lambda k: (logits[k], -k))
        return Score(
            self.classes[best], probs[self.classes[best]], probs, _evidence(present, best, n)
        )


def _evidence(
    present: list[tuple[str, float, tuple[float, ...]]], k: int, n: int
) -> tuple[str, ...]:
    """The reporter's words that pushed most towards class k over the other classes."""
    return cited(
        (name, value * (row[k] - (sum(row) - row[k]) / (n - 1))) for name, value, row in present
    )


def cited(lifts: Iterable[tuple[str, float]]) -> tuple[str, ...]:
    """The reporter's words behind the largest positive lifts, as a team lead would read them."""
    pushes = []
    for name, lift in lifts:
        words = readable(name)
        if words is None or all(w in _STOP for w in words.split(" ")):
            continue
        if lift > 0:
            pushes.append((-lift, name, words))
    pushes.sort()
    out: list[str] = []
    for _, _, words in pushes:
        # A single word already shown inside a chosen pair adds nothing.
        if any(words in chosen.split(" ") for chosen in out):
            continue
        out = [c for c in out if c not in words.split(" ")]
        out.append(words)
        if len(out) == _MAX_EVIDENCE:
            break
    return tuple(out)


def _fail(path: str, message: str) -> ConfigError:
    return ConfigError(f"category model: {message}", path=path)


def read_json(path: Path, what: str) -> Any:
    """A model file's parsed JSON; ConfigError naming the file when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", path=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} is not valid JSON: {exc}", path=str(path)) from None


def bounded_number(
    value: Any, what: str, path: str, low: float, high: float, *, model: str = "category model"
) -> float:
    """A finite number within [low, high] read from a model file, else ConfigError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{model}: {what} must be a finite number", path=path)
    if not low <= value <= high:
        raise ConfigError(
            f"{model}: {what} must be between {low} and {high}, got {value}", path=path
        )
    return float(value)


def _build(raw: Any, path: str) -> CategoryModel:
    if not isinstance(raw, dict):
        raise _fail(path, "the file must hold a JSON object")
    for key in ("recipe", "classes", "bias", "weights", "threshold"):
        if key not in raw:
            raise _fail(path, f"missing required key {key!r}")
    if raw["recipe"] != RECIPE:
        raise _fail(
            path,
            f"feature recipe {raw['recipe']!r} does not match this code's {RECIPE!r}; "
            "retrain with tools/train_category_model.py",
        )
    classes = raw["classes"]
    if (
        not isinstance(classes, list)
        or len(classes) < 2
        or len(set(classes)) != len(classes)
        or any(c not in CATEGORIES for c in classes)
        or "other" not in classes
    ):
        raise _fail(path, f"classes must be distinct categories including 'other', got {classes!r}")
    n = len(classes)
    bias = raw["bias"]
    if not isinstance(bias, list) or len(bias) != n:
        raise _fail(path, f"bias must be a list of {n} numbers, one per class")
    bias_t = tuple(bounded_number(b, "bias", path, -1e3, 1e3) for b in bias)
    weights = raw["weights"]
    if not isinstance(weights, dict) or not weights:
        raise _fail(path, "weights must be a non-empty object of feature name to per-class weights")
    table: dict[str, tuple[float, ...]] = {}
    for name, row in weights.items():
        if not isinstance(name, str) or name[:2] not in ("w ", "b ", "c "):
            raise _fail(path, f"unknown feature kind in {name!r} (expected 'w ', 'b ' or 'c ')")
        if not isinstance(row, list) or len(row) != n:
            raise _fail(path, f"weights of {name!r} must be a list of {n} numbers")
        table[name] = tuple(bounded_number(w, f"weight of {name!r}", path, -1e3, 1e3) for w in row)
    threshold = bounded_number(raw["threshold"], "threshold", path, 0.5, 1.0)
    upgrade = raw.get("upgrade_threshold")
    upgrade_t = (
        None if upgrade is None else bounded_number(upgrade, "upgrade_threshold", path, 0.5, 1.0)
    )
    return CategoryModel(path, tuple(classes), bias_t, table, threshold, upgrade_t)
