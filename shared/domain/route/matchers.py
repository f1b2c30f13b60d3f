"""Route matchers in the manner of Alertmanager: `label = value`, `!=`, `=~` and `!~`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.domain.model import CATEGORIES, FLAGS, LOCATION_METHODS, PRIORITIES
from shared.domain.yamlconf import Node

Op = Literal["=", "!=", "=~", "!~"]
LABELS: tuple[str, ...] = (
    "category",
    "flags",
    "priority",
    "ward",
    "ward_code",
    "team",
    "location_method",
)
_MATCHER = re.compile(r"\s*([a-z_]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Matcher:
    label: str
    op: Op
    value: str
    regex: re.Pattern[str] | None = None

    def __str__(self) -> str:
        return f"{self.label} {self.op} {self.value}"

    def matches(self, values: tuple[str, ...]) -> bool:
        """Whether the label's values satisfy this matcher (flags may hold several values)."""
        if self.op == "=":
            return self.value in values
        if self.op == "!=":
            return self.value not in values
        assert self.regex is not None
        hit = any(self.regex.fullmatch(v) for v in values)
        return hit if self.op == "=~" else not hit


def known_values(
    destinations: tuple[str, ...], wards: dict[str, str]
) -> dict[str, tuple[str, ...]]:
    """The values each label can take, to reject typos in equality matchers at load."""
    return {
        "category": CATEGORIES,
        "flags": FLAGS,
        "priority": PRIORITIES,
        "ward": tuple(wards.values()),
        "ward_code": tuple(wards),
        "team": destinations,
        "location_method": LOCATION_METHODS,
    }


def build(
    label: str, op: str, value: str, node: Node, known: dict[str, tuple[str, ...]]
) -> Matcher:
    """A validated matcher; a ConfigError names the line on any problem."""
    if label not in LABELS:
        raise node.error(f"unknown matcher label {label!r} (expected one of: {', '.join(LABELS)})")
    if op in ("=", "!="):
        if value not in known[label]:
            raise node.error(
                f"unknown {label} value {value!r} (expected one of: {', '.join(known[label])})"
            )
        return Matcher(label, op, value)  # type: ignore[arg-type]
    try:
        regex = re.compile(value)
    except re.error as exc:
        raise node.error(f"bad regular expression for {label}: {value!r}: {exc}") from None
    return Matcher(label, op, value, regex)  # type: ignore[arg-type]


def parse(node: Node, known: dict[str, tuple[str, ...]]) -> Matcher:
    """A matcher from its string form, e.g. 'flags =~ child_at_risk|vulnerable_adult'."""
    text = node.text("matcher")
    m = _MATCHER.fullmatch(text)
    if m is None:
        raise node.error(f"matcher {text!r} is not of the form 'label op value' (op: = != =~ !~)")
    return build(m.group(1), m.group(2), m.group(3).strip("\"'"), node, known)
