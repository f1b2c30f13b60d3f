"""Teams and the route tree: SPEC section 5 defaults, ordering, the walk, and config errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shared.domain.errors import ConfigError
from shared.domain.route import RouteFacts, RouteTree, Teams

ROOT = Path(__file__).resolve().parents[2]
ROUTES = ROOT / "shared" / "rules" / "routes.yaml"
TEAMS = ROOT / "shared" / "rules" / "teams.yaml"
WARDS_CSV = Path("/work/shared/data/cambridge/cambridge_wards_lookup.csv")


@pytest.fixture(scope="module")
def teams() -> Teams:
    return Teams.load()


@pytest.fixture(scope="module")
def tree(teams: Teams) -> RouteTree:
    return RouteTree.load(teams=teams)


def facts(category="street_dealing", flags=(), priority="P3", ward_code="E05013055", teams=None):  # type: ignore[no-untyped-def]
    team = teams.team_for_ward(ward_code) if teams else None
    method = "place" if ward_code else "none"
    return RouteFacts(category, tuple(flags), priority, ward_code, None, team, method)


def test_every_ward_has_one_team(teams: Teams) -> None:
    assert set(teams.destinations) == {
        "cambridge-north",
        "cambridge-east",
        "cambridge-south",
        "cambridge-west-central",
        "county-lines",
        "safeguarding",
        "control-room",
        "triage",
    }
    assert teams.team_for_ward("E05013051") == "cambridge-north"  # Arbury
    assert teams.team_for_ward("E05013061") == "cambridge-east"  # Romsey
    assert teams.team_for_ward("E05013060") == "cambridge-south"  # Queen Edith's
    assert teams.team_for_ward("E05013058") == "cambridge-west-central"  # Newnham
    assert teams.team_for_ward(None) is None
    assert teams.team_for_ward("E05000000") is None
    if WARDS_CSV.exists():
        with WARDS_CSV.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            expected = "cambridge-" + row["area_committee_inferred"].lower().replace("/", "-")
            assert teams.team_for_ward(row["ward_code"]) == expected, row["ward_name"]
            assert teams.ward_names[row["ward_code"]] == row["ward_name"]


@pytest.mark.parametrize(
    ("category", "flags", "priority", "ward", "destinations"),
    [
        ("street_dealing", (), "P3", "E05013055", ("cambridge-north",)),
        ("drug_use", (), "P4", "E05013057", ("cambridge-west-central",)),
        ("county_lines", (), "P3", "E05013050", ("cambridge-east", "county-lines")),
        ("cultivation", (), "P3", "E05013062", ("cambridge-south", "county-lines")),
        (
            "county_lines",
            ("child_at_risk",),
            "P2",
            "E05013059",
            ("cambridge-east", "safeguarding", "county-lines"),
        ),
        (
            "street_dealing",
            ("weapon", "in_progress"),
            "P1",
            "E05013051",
            ("control-room", "cambridge-north"),
        ),
        ("street_dealing", (), "P3", None, ("triage",)),
        (
            "county_lines",
            ("vulnerable_adult",),
            "P2",
            None,
            ("triage", "safeguarding", "county-lines"),
        ),
        ("other", (), "P4", "E05013055", ("triage",)),
        (
            "other",
            ("weapon", "violence", "in_progress"),
            "P1",
            "E05013057",
            ("control-room", "triage"),
        ),
    ],
)
def test_default_destinations(tree, teams, category, flags, priority, ward, destinations) -> None:  # type: ignore[no-untyped-def]
    routing = tree.route(facts(category, flags, priority, ward, teams))
    assert routing.destinations == destinations
    assert routing.team == teams.team_for_ward(ward)
    assert len(routing.reasons) == len(destinations)


def test_out_of_area_goes_to_triage(tree: RouteTree) -> None:
    out = RouteFacts("street_dealing", (), "P3", None, None, None, "out_of_area")
    assert tree.route(out).destinations == ("triage",)


def test_walk_shows_every_route_and_why(tree: RouteTree, teams: Teams) -> None:
    steps = tree.walk(facts("county_lines", ("child_at_risk",), "P2", "E05013055", teams))
    names = [s.name for s in steps]
    assert names[:2] == ["immediate", "not-about-drugs"]
    skipped = steps[0]
    assert not skipped.matched and "priority is P2" in skipped.why
    delivered = [s.receiver for s in steps if s.receiver]
    assert delivered == ["cambridge-north", "safeguarding", "county-lines"]
    assert "team is cambridge-north" in str(steps[2])


# ---- config errors ----------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "routes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def swap(tmp_path: Path, old: str, new: str) -> Path:
    text = ROUTES.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("match: {priority: P1}", "match: {priority: P0}", "unknown priority value 'P0'"),
        ("match: {category: other}", "match: {categry: other}", "unknown matcher label 'categry'"),
        (
            "receiver: safeguarding",
            "receiver: safe-guarding",
            "unknown destination 'safe-guarding'",
        ),
        (
            '["flags =~ child_at_risk|vulnerable_adult"]',
            '["flags = child"]',
            "unknown flags value 'child'",
        ),
        (
            "match_re: {category: county_lines|cultivation}",
            "match_re: {category: 'county_lines|('}",
            "bad regular expression",
        ),
        (
            "      continue: true\n\n    - name: not-about-drugs",
            "      contnue: true\n\n    - name: not-about-drugs",
            "unknown key 'contnue'",
        ),
        ('["category != other", "team =~ .+"]', '["category <> other"]', "not of the form"),
        ("  receiver: triage\n  routes:", "  routes:", "missing required key 'receiver'"),
    ],
)
def test_broken_routes_name_file_line_and_problem(tmp_path, teams, old, new, problem) -> None:  # type: ignore[no-untyped-def]
    path = swap(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        RouteTree.load(path, teams=teams)
    assert problem in str(err.value)
    assert err.value.path == str(path) and err.value.line is not None
    line = path.read_text(encoding="utf-8").splitlines()[err.value.line - 1]
    first = new.strip().splitlines()[0].strip()
    if "missing" not in problem:
        assert first.split(":")[0].strip("[\"' ") in line


def test_broken_teams_file(tmp_path: Path) -> None:
    text = TEAMS.read_text(encoding="utf-8")
    dup = write(tmp_path, text.replace("E05013050: Abbey", "E05013051: Abbey"), "teams.yaml")
    with pytest.raises(ConfigError, match="already in team 'cambridge-north'") as err:
        Teams.load(dup)
    assert err.value.line == text.splitlines().index("      E05013050: Abbey") + 1
    bad = write(tmp_path, text.replace("E05013052: Castle", "E0501305: Castle"), "teams.yaml")
    with pytest.raises(ConfigError, match="not an ONS ward code"):
        Teams.load(bad)
