"""The classifier reads real writing: negation, tense, who is a child, slang, every field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.domain.classify import Taxonomy, classify
from shared.domain.errors import ConfigError
from shared.domain.model import Classification, TipFacts, Vehicle

RULES = Path(__file__).resolve().parents[2] / "shared" / "rules" / "taxonomy.yaml"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def run(taxonomy: Taxonomy, description: str, **fields: object) -> Classification:
    facts = TipFacts(
        description=description, received_at=datetime(2025, 6, 1, tzinfo=UTC), **fields
    )  # type: ignore[arg-type]
    return classify(facts, taxonomy)


@pytest.mark.parametrize(
    ("text", "category", "flags"),
    [
        ("They're not selling, just smoking weed on the bench", "drug_use", ()),
        ("There's a man dealing by the phone box, didn't see a knife", "street_dealing", ()),
        ("Dealing outside the Co-op, no kids involved, nobody hurt", "street_dealing", ()),
        ("Kids play in that park and there's dealing by the toilets", "street_dealing", ()),
        ("Dealing near the primary school, children walk past every morning", "street_dealing", ()),
        ("Lads about 14 handing over packages by the garages", "county_lines", ("child_at_risk",)),
        ("Kids as young as 12 selling weed behind the shops", "county_lines", ("child_at_risk",)),
        (
            "A boy in school uniform holding drugs for an older man",
            "county_lines",
            ("child_at_risk",),
        ),
        ("Year 9 pupils dealing weed at lunchtime", "county_lines", ("child_at_risk",)),
        (
            "The old man at no. 12 has people staying, hasn't been seen for weeks, door kicked in",
            "county_lines",
            ("vulnerable_adult",),
        ),
        ("Texts advertising the 'Rico line' going round", "county_lines", ()),
        ("Trap house on the corner, people in and out all night", "county_lines", ()),
        ("Cannabis farm in the loft, windows covered, humming all night", "cultivation", ()),
        ("nos canisters all over the car park", "drug_use", ()),
        ("Loud music from the flat every night", "other", ()),
        ("Someone selling stolen bikes on Facebook", "other", ()),
        ("A white van is parked across my drive", "other", ()),
    ],
)
def test_reads_the_words(taxonomy: Taxonomy, text: str, category: str, flags: tuple) -> None:
    got = run(taxonomy, text)
    assert (got.category, got.flags) == (category, flags), got.reasons


def test_weapon_seen_last_month_is_not_in_progress(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Last month I saw the dealer behind the Co-op with a knife")
    assert "weapon" in got.flags
    assert "in_progress" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "They're dealing right now outside the shop",
        "Dealing outside the shop as I type",
        "Happening now: dealing on the green",
        "They're outside at the moment dealing",
    ],
)
def test_present_tense_is_in_progress(taxonomy: Taxonomy, text: str) -> None:
    assert "in_progress" in run(taxonomy, text).flags


def test_happening_now_field_always_means_in_progress(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Dealing by the bins on the estate", happening_now=True)
    assert "in_progress" in got.flags


def test_when_text_now_means_in_progress(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Dealing by the bins on the estate", when_text="now")
    assert "in_progress" in got.flags


def test_fear_of_violence_is_not_violence(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Dealing on our street, I'm worried someone will get stabbed")
    assert "violence" not in got.flags and "weapon" not in got.flags


def test_ages_in_people_field_make_a_child_involved(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "Selling weed from the underpass every evening", people="two lads, 15 and 16"
    )
    assert got.category == "county_lines"
    assert "child_at_risk" in got.flags


def test_adult_ages_are_not_children(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Selling weed from the underpass", people="two men about 25")
    assert "child_at_risk" not in got.flags


def test_times_and_counts_are_not_ages(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "About 14 people dealing at about 10pm near number 12")
    assert "child_at_risk" not in got.flags


def test_advertised_number_needs_a_number(taxonomy: Taxonomy) -> None:
    text = "Someone is advertising weed deliveries, text them"
    assert run(taxonomy, text, phone_numbers=("+447700900123",)).category == "county_lines"
    assert run(taxonomy, text).category != "county_lines"


def test_vehicle_supports_dealing_from_a_car(taxonomy: Taxonomy) -> None:
    text = "A car pulls up outside the shop every night"
    assert run(taxonomy, text).category == "other"
    car = (Vehicle(registration="AB12CDE", make="Ford", colour="silver"),)
    got = run(taxonomy, text + ", people get in for a minute", vehicles=car)
    assert got.category == "street_dealing"
    assert any(r.rule == "vehicle.street_dealing" for r in got.reasons)


def test_ambiguous_words_need_a_drug_context(taxonomy: Taxonomy) -> None:
    assert run(taxonomy, "A runner on the towpath in a white top every morning").category == "other"
    assert run(taxonomy, "Selling white and brown from the flat").category != "other"


def test_reasons_name_the_rule_and_the_words(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "Getting texts advertising the 'Rico line', lads about 14 handing over packages"
    )
    by_rule = {r.rule: r for r in got.reasons}
    assert "category.county_lines" in by_rule
    assert any("Rico line" in e for e in by_rule["category.county_lines"].evidence)
    child = by_rule["flag.child_at_risk"]
    assert "about 14" in child.detail
    assert any("handing over packages" in e for e in child.evidence)


def test_negated_cues_are_reported(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Dealing by the shops, I didn't see a knife")
    negated = [r for r in got.reasons if r.rule == "negated"]
    assert negated and "knife" in negated[0].evidence[0]


def test_flags_follow_flags_order(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "Right now a boy about 13 is selling for a man with a knife who punched someone"
    )
    assert got.flags == ("child_at_risk", "weapon", "violence", "in_progress")


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.strip() == needle:
            return number
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        (
            "  - id: deal_line\n",
            "  - id: deal_line\n    colour: red\n",
            "colour: red",
            "unknown key 'colour'",
        ),
        (
            "patterns: ['county[- ]?lines?']",
            "patterns: ['county[- lines?']",
            "county[- lines?",
            "bad regular expression",
        ),
        (
            'category: county_lines\n    weight: 4\n    detail: "County-lines marker: a deal line',
            'category: county_line\n    weight: 4\n    detail: "County-lines marker: a deal line',
            "category: county_line\n",
            "unknown category 'county_line'",
        ),
        (
            "    also_flags: [vulnerable_adult]",
            "    also_flags: [vulnerable_adults]",
            "also_flags: [vulnerable_adults]",
            "unknown flag",
        ),
        (
            "  - id: deal_line\n    category: county_lines\n    weight: 4",
            "  - id: deal_line\n    category: county_lines\n    weight: -3",
            "weight: -3",
            "weight of 'deal_line'",
        ),
        (
            "  - id: deal_line\n    category: county_lines\n    weight: 4",
            "  - id: deal_line\n    category: county_lines\n    weight: lots",
            "weight: lots",
            "must be a number",
        ),
    ],
)
def test_broken_rules_name_file_line_and_problem(
    tmp_path: Path, old: str, new: str, needle: str, problem: str
) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        Taxonomy.load(path)
    assert err.value.path == str(path)
    assert err.value.line == line_of(path, needle.strip().splitlines()[0])
    assert problem in str(err.value)
    assert str(err.value).startswith(f"{path}:{err.value.line}: ")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text("version: 1\nsettings: [oops\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Taxonomy.load(path)
    assert err.value.line is not None and "invalid YAML" in str(err.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        Taxonomy.load(tmp_path / "nope.yaml")
