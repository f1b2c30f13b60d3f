"""A learned check for safeguarding flags the indicator rules did not raise.

People describe a child doing the dealing, or an adult whose home has been taken over, in more
ways than any phrase list holds. For the flags named in shared/rules/flag_model.json (made by
tools/train_flag_model.py), a logistic scorer over the same word features as the category scorer
may add the flag to a drug tip when it is confident; it never removes a flag the rules raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.domain.classify.scorer import RECIPE, bounded_number, cited, read_json
from shared.domain.errors import ConfigError
from shared.domain.model import FLAGS, Flag

_MODEL = "flag model"
# How a team lead reads what the scorer found, per flag.
_LABELS: dict[str, str] = {
    "child_at_risk": "tips where a child is involved in the drug activity",
    "vulnerable_adult": "tips where a vulnerable adult is exploited or their home taken over",
    "weapon": "tips where a weapon is seen",
    "violence": "tips describing violence",
    "in_progress": "tips about something happening now",
}


@dataclass(frozen=True)
class FlagCheck:
    """One flag's weights over named features, with the least probability that raises it."""

    flag: Flag
    bias: float
    weights: dict[str, float]
    threshold: float

    def probability(self, feats: dict[str, float]) -> float:
        """How likely the flag is from these features."""
        weights = self.weights
        logit = self.bias + sum(v * weights[n] for n, v in feats.items() if n in weights)
        # The logistic function, written to stay finite for large negative logits.
        if logit >= 0:
            return 1.0 / (1.0 + math.exp(-logit))
        return math.exp(logit) / (1.0 + math.exp(logit))

    def evidence(self, feats: dict[str, float]) -> tuple[str, ...]:
        """The reporter's words that weighed most for the flag."""
        weights = self.weights
        return cited((n, v * weights[n]) for n, v in feats.items() if n in weights)

    @property
    def label(self) -> str:
        return _LABELS[self.flag]


@dataclass(frozen=True)
class FlagModel:
    """The learned checks, one per flag the file names."""

    path: str
    checks: tuple[FlagCheck, ...]

    @classmethod
    def load(cls, path: Path) -> FlagModel:
        """Read and validate a model file; raises ConfigError naming the file and the problem."""
        return cls.from_dict(read_json(path, _MODEL), str(path))

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> FlagModel:
        """Validate a model already parsed from JSON; `path` names it in errors."""
        if not isinstance(raw, dict):
            raise _fail(path, "the file must hold a JSON object")
        for key in ("recipe", "flags"):
            if key not in raw:
                raise _fail(path, f"missing required key {key!r}")
        if raw["recipe"] != RECIPE:
            raise _fail(
                path,
                f"feature recipe {raw['recipe']!r} does not match this code's {RECIPE!r}; "
                "retrain with tools/train_flag_model.py",
            )
        flags = raw["flags"]
        if not isinstance(flags, dict) or not flags:
            raise _fail(path, "flags must be a non-empty object of flag name to its check")
        checks = []
        for flag, body in flags.items():
            if flag not in FLAGS:
                raise _fail(path, f"unknown flag {flag!r} (expected one of {', '.join(FLAGS)})")
            checks.append(_check(flag, body, path))
        return cls(path, tuple(sorted(checks, key=lambda c: FLAGS.index(c.flag))))


def _fail(path: str, message: str) -> ConfigError:
    return ConfigError(f"{_MODEL}: {message}", path=path)


def _check(flag: Flag, body: Any, path: str) -> FlagCheck:
    if not isinstance(body, dict):
        raise _fail(path, f"{flag} must be an object with bias, threshold and weights")
    for key in ("bias", "threshold", "weights"):
        if key not in body:
            raise _fail(path, f"{flag} is missing required key {key!r}")
    weights = body["weights"]
    if not isinstance(weights, dict) or not weights:
        raise _fail(path, f"{flag}.weights must be a non-empty object of feature name to weight")
    table: dict[str, float] = {}
    for name, weight in weights.items():
        if not isinstance(name, str) or name[:2] not in ("w ", "b ", "c "):
            raise _fail(path, f"unknown feature kind in {name!r} (expected 'w ', 'b ' or 'c ')")
        table[name] = bounded_number(
            weight, f"{flag} weight of {name!r}", path, -1e3, 1e3, model=_MODEL
        )
    return FlagCheck(
        flag=flag,
        bias=bounded_number(body["bias"], f"{flag}.bias", path, -1e3, 1e3, model=_MODEL),
        weights=table,
        # Below one half the scorer would raise a flag it thinks more likely absent than present.
        threshold=bounded_number(
            body["threshold"], f"{flag}.threshold", path, 0.5, 1.0, model=_MODEL
        ),
    )
