"""Reading YAML rules files with the file and line of every value, for clear start-up errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shared.domain.errors import ConfigError


@dataclass(frozen=True)
class Node:
    """A YAML value with the file and line it came from."""

    value: Any  # dict[str, Node] | list[Node] | a plain scalar
    path: str
    line: int

    def error(self, message: str) -> ConfigError:
        """A ConfigError pointing at this value."""
        return ConfigError(message, path=self.path, line=self.line)

    def mapping(
        self, what: str, *, required: Iterable[str] = (), optional: Iterable[str] = ()
    ) -> dict[str, Node]:
        """This value as a mapping with only the given keys."""
        if not isinstance(self.value, dict):
            raise self.error(f"{what} must be a mapping")
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key, node in self.value.items():
            if key not in allowed:
                raise node.error(
                    f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})"
                )
        for key in required:
            if key not in self.value:
                raise self.error(f"{what} is missing required key {key!r}")
        return dict(self.value)

    def items(self, what: str) -> dict[str, Node]:
        """This value as a mapping with any keys."""
        if not isinstance(self.value, dict):
            raise self.error(f"{what} must be a mapping")
        return dict(self.value)

    def seq(self, what: str, *, allow_empty: bool = False) -> list[Node]:
        """This value as a list."""
        if not isinstance(self.value, list):
            raise self.error(f"{what} must be a list")
        if not self.value and not allow_empty:
            raise self.error(f"{what} must not be empty")
        return list(self.value)

    def text(self, what: str) -> str:
        """This value as a non-empty string."""
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.error(f"{what} must be a non-empty string")
        return self.value

    def choice(self, what: str, allowed: Iterable[str]) -> str:
        """This value as one of a fixed set of names."""
        allowed = tuple(allowed)
        value = self.text(what)
        if value not in allowed:
            raise self.error(f"unknown {what} {value!r} (expected one of: {', '.join(allowed)})")
        return value

    def number(self, what: str, *, low: float, high: float) -> float:
        """This value as a number within [low, high]."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"{what} must be a number")
        if not low <= value <= high:
            raise self.error(f"{what} must be between {low} and {high}, got {value}")
        return float(value)

    def boolean(self, what: str) -> bool:
        """This value as true or false."""
        if not isinstance(self.value, bool):
            raise self.error(f"{what} must be true or false")
        return self.value

    def regex(self, what: str) -> re.Pattern[str]:
        """This value compiled as a case-insensitive regular expression."""
        source = self.text(what)
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise self.error(f"bad regular expression in {what} {source!r}: {exc}") from None


def _convert(node: yaml.Node, path: str, loader: yaml.SafeLoader) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ConfigError(
                    f"mapping keys must be strings, got {key!r}",
                    path=path,
                    line=key_node.start_mark.line + 1,
                )
            if key in out:
                raise ConfigError(
                    f"duplicate key {key!r}", path=path, line=key_node.start_mark.line + 1
                )
            out[key] = _convert(value_node, path, loader)
        return Node(out, path, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, path, loader) for item in node.value], path, line)
    return Node(loader.construct_object(node, deep=True), path, line)


def load_yaml(path: Path) -> Node:
    """Parse a YAML file into Nodes; any problem is a ConfigError naming the file and line."""
    name = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read rules file: {exc.strerror}", path=name) from None
    loader = yaml.SafeLoader(source)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", path=name, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=name) from None
    finally:
        loader.dispose()
    if root is None:
        raise ConfigError("file is empty", path=name, line=1)
    return _convert(root, name, yaml.SafeLoader(""))
