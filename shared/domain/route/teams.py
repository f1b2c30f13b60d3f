"""Neighbourhood teams (which wards each owns) and every valid destination, from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shared.domain.yamlconf import Node, load_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "rules" / "teams.yaml"
# A destination (team or desk) name: lower-case words joined by hyphens, e.g. "cambridge-east".
DESTINATION_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_WARD_CODE = re.compile(r"E05\d{6}")


@dataclass(frozen=True)
class Team:
    name: str
    title: str
    wards: dict[str, str]  # ward code -> ward name


@dataclass(frozen=True)
class Teams:
    """The neighbourhood teams and the specialist desks a tip can be routed to."""

    path: str
    teams: tuple[Team, ...]
    specialists: dict[str, str]  # destination -> what it is
    _by_ward: dict[str, str]

    @classmethod
    def load(cls, path: Path | None = None) -> Teams:
        """Load and validate a teams file; raises ConfigError naming file, line and problem."""
        root = load_yaml(path or DEFAULT_PATH)
        top = root.mapping("teams file", required=("teams", "specialists"))
        teams: list[Team] = []
        by_ward: dict[str, str] = {}
        names: set[str] = set()
        for name, node in top["teams"].items("teams").items():
            _check_name(name, node, names)
            spec = node.mapping(f"team {name!r}", required=("title", "wards"))
            wards: dict[str, str] = {}
            for code, ward in spec["wards"].items(f"wards of {name!r}").items():
                if not _WARD_CODE.fullmatch(code):
                    raise ward.error(
                        f"ward code {code!r} is not an ONS ward code (E05 and 6 digits)"
                    )
                if code in by_ward:
                    raise ward.error(f"ward {code} is already in team {by_ward[code]!r}")
                wards[code] = ward.text(f"ward name for {code}")
                by_ward[code] = name
            teams.append(Team(name, spec["title"].text("title"), wards))
        if not teams:
            raise top["teams"].error("at least one team is needed")
        specialists: dict[str, str] = {}
        for name, node in top["specialists"].items("specialists").items():
            _check_name(name, node, names)
            specialists[name] = node.text(f"description of {name!r}")
        return cls(root.path, tuple(teams), specialists, by_ward)

    def team_for_ward(self, ward_code: str | None) -> str | None:
        """The neighbourhood team owning a ward, or None when not in the city."""
        if ward_code is None:
            return None
        return self._by_ward.get(ward_code)

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every valid destination name: the teams, then the specialist desks."""
        return tuple(t.name for t in self.teams) + tuple(self.specialists)

    @property
    def ward_names(self) -> dict[str, str]:
        """Ward code -> ward name for every ward any team owns."""
        return {code: ward for team in self.teams for code, ward in team.wards.items()}


def _check_name(name: str, node: Node, seen: set[str]) -> None:
    if not DESTINATION_NAME.fullmatch(name):
        raise node.error(f"destination name {name!r} must be lower-case-with-hyphens")
    if name in seen:
        raise node.error(f"destination {name!r} is listed twice")
    seen.add(name)
