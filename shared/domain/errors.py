"""Errors raised by the domain core."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration file (rules, taxonomy, teams, data) is invalid; the message names where."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line
