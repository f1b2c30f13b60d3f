"""The classifier reads real writing: negation, tense, who is a child, slang, every field."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.domain.classify import Taxonomy
from shared.domain.classify.classifier import rules_only
from shared.domain.errors import ConfigError
from shared.domain.model import TipFacts, Vehicle
from tests.support.classify import run

RULES = Path(__file__).resolve().parents[2] / "shared" / "rules" / "taxonomy.yaml"


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
    # The indicator rules alone find nothing here; the vehicle rule is what adds evidence. (The
    # learned scorer retrained on eight sets reads this bare sentence as street dealing, 0.89.)
    assert run(replace(taxonomy, category_model=None), text).category == "other"
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


# ---- Reading real writing: cues general enough to hold on tips the rules were not written from.


def test_nothing_to_do_with_drugs_is_a_denial(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Scooters racing on the green every night. Nothing to do with drugs.")
    assert got.category == "other"


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # Violent verbs with a person as their object.
        ("The dealer by the Spar grabbed a lad by the collar over money", ("violence",)),
        ("The dealer on the corner keeps slapping his runner about", ("violence",)),
        ("The men dealing from number 9 dragged a customer out into the road", ("violence",)),
        ("Dealers behind the garages gave him a kicking last night", ("violence",)),
        ("A dealer was swinging a bat at another man by the shops", ("weapon", "violence")),
        # Anything used to strike someone is a weapon.
        ("The dealers hit a man with a bike chain outside the flats", ("weapon", "violence")),
        ("Dealer smashed a glass over his customer's head", ("weapon", "violence")),
        # A threat with the harm left implicit.
        ("The lad dealing by the bins said keep walking or you'll get this", ("violence",)),
    ],
)
def test_harm_done_to_a_person(taxonomy: Taxonomy, text: str, flags: tuple) -> None:
    assert run(taxonomy, text).flags == flags


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Cars stop at the house for ten minutes each. I thought it was dealing but it turns "
            "out she runs a tutoring business from home.",
            "other",
        ),
        (
            "People queue at a van every Sunday and get handed bags. I was suspicious but I've "
            "now seen it's a charity giving out clothes.",
            "other",
        ),
        (
            "My neighbour says the man at 12 is dealing. Please ignore any reports about him, "
            "he fixes bikes.",
            "other",
        ),
        # Drug evidence after the account means it did not hold.
        (
            "I thought it was a takeaway but it turns out they're selling crack from the back door",
            "street_dealing",
        ),
    ],
)
def test_the_reporters_innocent_account(taxonomy: Taxonomy, text: str, category: str) -> None:
    got = run(taxonomy, text)
    assert got.category == category
    if category == "other":
        assert got.reasons[0].rule == "category.explained"


@pytest.mark.parametrize(
    "text",
    [
        "Blackout blinds on every window, the walls are always warm and a skunk smell outside",
        "The house has a bypassed meter and smells of weed",
        "Heat pouring off the roof all winter and a constant smell of cannabis from the house",
        "Men pay him to 'look after the plants' at a house that stinks of weed",
    ],
)
def test_signs_of_a_grow_without_the_word(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "cultivation"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # Sold to children, with the product taking a few words.
        ("Men selling weed and nitrous balloons to kids outside the academy", "street_dealing"),
        # Exploitation structure spread over the tip: from out of town, kept by older men.
        (
            "A 14 year old lad from out of town is staying at the flat. Older men drop him off "
            "and pick him up and there's weed everywhere.",
            "county_lines",
        ),
        (
            "A pupil in year 8 keeps getting picked up by an older man in a BMW. The school says "
            "he has been seen in town with weed and has been asked to do a few drops.",
            "county_lines",
        ),
        # An age judged by eye, and brought in from elsewhere.
        (
            "I drive a cab. Twice this week I have taken young lads from the station to the same "
            "flats, one looked about 15 at most. They had two phones each and said they came up "
            "from Croydon.",
            "county_lines",
        ),
    ],
)
def test_children_drawn_into_supply(taxonomy: Taxonomy, text: str, category: str) -> None:
    got = run(taxonomy, text)
    assert got.category == category
    assert "child_at_risk" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        # The child is the witness, not the one selling.
        "My son says the lad at number 4 sells weed, people stop for two minutes",
        # The tip gives the son an adult age.
        "Dealers by the station pulled a knife on my son's mate over money. My son is 20.",
    ],
)
def test_children_who_are_not_involved(taxonomy: Taxonomy, text: str) -> None:
    got = run(taxonomy, text)
    assert "child_at_risk" not in got.flags
    assert got.category == "street_dealing"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "The dealers walk the man with learning difficulties to the cashpoint and take his "
            "card off him",
            "street_dealing",
        ),
        (
            "The woman at 3 has bipolar. The lads dealing there have taken it over.",
            "county_lines",
        ),
        (
            "Dealers sell to the hostel residents, some have mental health problems, and when "
            "they can't pay they take their phones and bank cards",
            "street_dealing",
        ),
        (
            "My uncle has dementia. Two men have been staying there selling weed and he's "
            "frightened to leave his room.",
            "county_lines",
        ),
    ],
)
def test_vulnerable_adults_exploited(taxonomy: Taxonomy, text: str, category: str) -> None:
    got = run(taxonomy, text)
    assert got.category == category
    assert "vulnerable_adult" in got.flags


def test_a_weak_sign_does_not_outrank_a_strong_one(taxonomy: Taxonomy) -> None:
    # Minding a grow is cultivation; "not allowed out" alone would say a home taken over.
    got = run(
        taxonomy,
        "My brother has a learning disability. Men pay him to water the plants in a cannabis "
        "grow and he's not allowed out.",
    )
    assert (got.category, got.flags) == ("cultivation", ("vulnerable_adult",))


def test_opinion_keeps_its_negation(taxonomy: Taxonomy) -> None:
    assert run(taxonomy, "I don't think he is dealing, he just smokes weed").category == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "Cards through every letterbox with just a number and 'FOOD 24/7 DELIVERY', 07700 900111",
        "A hire car with London plates drops lads off and they hand out wraps by the shops",
    ],
)
def test_county_lines_markers_in_plain_words(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "county_lines"


def test_a_sellers_pitch_is_dealing(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "The man who sells by the clock tower pulled a knife on someone")
    assert got.reasons[0].rule == "category.street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "All my flatmates got the same message saying the 'Zed line' is open, 07700 900123",
        "We keep getting mass texts from 07700 900456 every Friday",
    ],
)
def test_a_given_number_makes_an_advert_county_lines(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "county_lines"


def test_an_advert_word_without_a_number_stays_ambiguous(taxonomy: Taxonomy) -> None:
    assert run(taxonomy, "We keep getting mass texts every Friday").category != "county_lines"


@pytest.mark.parametrize(
    "text",
    [
        "A woman waits by the post box and people come up to her, shake hands, walk off",
        "A van parks on the corner, someone goes in for two minutes, maybe 10 times a night",
        "Lad on a scooter meets people behind the library, they get in, get out 1 min later",
    ],
)
def test_brief_repeated_meetings_are_dealing(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "street_dealing"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("A man came at my brother with a spanner outside the pub", "violence"),
        ("He was shoving a girl against the railings by the station", "violence"),
        ("He shouted he'd break her arms if the money wasn't there", "violence"),
        ("The dealer said he'd send his boys round to her flat", "violence"),
        ("One of them told him he'll 'get hurt' if he talks", "violence"),
        ("She turned up with a bruise on her cheek after he came round", "violence"),
        ("A drunk man was waving a broken glass at passers by", "violence"),
    ],
)
def test_violence_in_plain_words(taxonomy: Taxonomy, text: str, flag: str) -> None:
    assert flag in run(taxonomy, text).flags


def test_threat_to_expose_is_not_violence(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My ex is threatening to share my messages with my boss")
    assert "violence" not in got.flags


def test_threat_to_shank_is_no_blade_seen(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "A man outside the shop threatened to shank me if I came back")
    assert "weapon" not in got.flags
    assert "violence" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My nan, who has dementia, had a caller pretending to be from her bank take her card",
        "Our neighbour is 84 and a lodger persuaded her to hand over her savings",
        "My dad is 90 and money has gone from his account since a new 'friend' started visiting",
    ],
)
def test_a_vulnerable_adult_swindled_is_flagged(taxonomy: Taxonomy, text: str) -> None:
    assert "vulnerable_adult" in run(taxonomy, text).flags


def test_someones_flat_taken_over_flags_the_vulnerable_owner(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Dealers have taken over my cousin's flat, she has bipolar disorder")
    assert "vulnerable_adult" in got.flags


def test_a_group_given_a_childs_age_is_children(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Two boys from the estate (both 14) are holding gear at home for a dealer")
    assert "child_at_risk" in got.flags


def test_a_grown_daughter_in_brackets_is_no_child(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My daughter (she's 24) owes money to a dealer who sells on Mill Road")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Somebody by the river has taken something and is barely awake", "drug_use"),
        ("Cut straws and tiny bags left on the bench every morning", "drug_use"),
        ("Cannabis smell every night from next door, I've asked them politely", "drug_use"),
        ("Condensation on the windows, foil behind the blinds and a constant hum", "cultivation"),
    ],
)
def test_use_and_production_signs(taxonomy: Taxonomy, text: str, category: str) -> None:
    assert run(taxonomy, text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "She's scared of him. Are there drugs involved I don't think so",
        "They cut through the fence with an angle grinder last night",
    ],
)
def test_doubted_or_innocent_words_are_not_drugs(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


@pytest.mark.parametrize(
    "text",
    [
        "Kids kicking a ball against my garage door every evening. Nothing about drugs, just noise.",
        "Someone keeps dumping rubbish by the recycling bins. Nothing involving drugs as far as I know.",
    ],
)
def test_nothing_about_drugs_is_a_denial(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


@pytest.mark.parametrize(
    "text",
    [
        "A man at the bus stop shoved an elderly lady out of the queue and she went down.",
        "Lad on a scooter grabbed the girl's wrist outside the chip shop and wouldn't let go.",
    ],
)
def test_minor_assaults_on_a_described_person_are_violence(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_blood_on_drug_litter_is_not_violence(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Syringes and bloodied tissues left in the stairwell of our block again.")
    assert got.category == "drug_use"
    assert "violence" not in got.flags
    assert (
        "violence" in run(taxonomy, "The dealer came out with a bloodied face after a fight.").flags
    )


def test_what_a_weapon_looked_like_is_a_weapon(taxonomy: Taxonomy) -> None:
    text = "Man outside the flats shouting at his dealer, holding something that looked like a machete."
    assert "weapon" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # A threat against a family member, not the person spoken to.
        "Lads dealing by the garages told him they'd hurt his sister if he talked.",
        # A negated verb about paying does not reach the threat after a new subject.
        "The dealer on the corner says if she doesn't pay they'll break her arms.",
        # Pulling out a knife in a row is a threat, aimed or not.
        "Two men dealing at the bus stop argued and one pulled out a big knife.",
        # "or he'd get stabbed" is a threat of violence.
        "The dealers said to pay up by Friday or she'd be hurt.",
    ],
)
def test_threats_said_other_ways_are_violence(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Crack users on the stairs, one threatened to 'shank' me for my phone.",
        "The dealer told my brother to keep away or he'd get stabbed.",
    ],
)
def test_a_weapon_named_only_in_a_threat_is_not_a_weapon(taxonomy: Taxonomy, text: str) -> None:
    got = run(taxonomy, text)
    assert "violence" in got.flags
    assert "weapon" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Row outside the pub, a man swinging a chair at anyone near him.",
        "Lads scrapping by the kebab shop, one got a glass broken and is waving it about.",
    ],
)
def test_things_swung_at_people_are_weapons(taxonomy: Taxonomy, text: str) -> None:
    assert "weapon" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Pinned the spot on the map. Weed grow in the loft, windows covered.", "violence"),
        ("Dealing from the garages and the shops are getting hit every night.", "violence"),
        ("Cannabis farm next door, I think a new family is living there now.", "in_progress"),
    ],
)
def test_places_and_residence_are_not_violence_or_now(
    taxonomy: Taxonomy, text: str, flag: str
) -> None:
    assert flag not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Dealing from the flat by the launderette, about 12 a day calling in.",
        "Man in a car selling to young people (uni students, 20ish) every evening.",
    ],
)
def test_counts_and_grown_young_people_are_not_children(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # Not at school, new phone from older lads.
        "A teenager (about 14) at the flats doesn't go to school and older lads brought him a phone.",
        "My nephew is 15, he has been missing school and has a new iphone.",
        # Older people fetching the child, however they are described.
        "My son is 14 and has two phones now. Older lads in a black Audi pick him up every night.",
        # Carrying said as running or collecting.
        "Worried about my grandson who is 13. He is running bags around the estate for a man.",
        "My daughter is 15 and a man messages her to collect a parcel from a flat in Arbury.",
        # "a girl, maybe 14": the age after a comma.
        "I saw a boy, maybe 15, at the flats. Crack dealing there all day. Later he was picked up "
        "by an older man in a BMW and came back with new trainers.",
    ],
)
def test_a_particular_child_and_signs_elsewhere(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Crack dealers have moved into the flat of a man with dementia.",
        "My neighbour is deaf and frail; lads have started 'staying' there and people call at all hours.",
        "He's elderly and confused. A dealer goes to the cashpoint with his card every week.",
        "Drugs dealt from the house. The tenant is an alcoholic and they've taken the house.",
        "A man with learning difficulties, his curtains are closed all day and lads 'staying' with him.",
    ],
)
def test_vulnerable_adult_home_and_money(taxonomy: Taxonomy, text: str) -> None:
    assert "vulnerable_adult" in run(taxonomy, text).flags


def test_someone_who_used_to_live_there_is_not_there(taxonomy: Taxonomy) -> None:
    text = (
        "Dealing from the bungalow. The elderly man who used to live there is in a care home now."
    )
    assert "vulnerable_adult" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    ("text", "child"),
    [
        # "young lads" with nothing saying they are under 18 are young men.
        ("Young lads do the deliveries for the trap house on e-bikes.", False),
        ("Young boys do the deliveries for the trap house on e-bikes.", True),
    ],
)
def test_young_lads_alone_are_not_children(taxonomy: Taxonomy, text: str, child: bool) -> None:
    assert ("child_at_risk" in run(taxonomy, text).flags) is child


@pytest.mark.parametrize(
    "text",
    [
        # The denial after a comma still takes the children back.
        (
            "Two lads dealing every night since May. School kids walk thru there to get home, "
            "they're not involved but they see it all."
        ),
        # A correction in the next sentence.
        "Kids selling weed by the river. Having looked again they aren't kids, more like 25.",
    ],
)
def test_children_taken_back_by_the_reporter(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # Damage to someone's things is not violence to a person.
        "Lads dealing weed by the garages on Fen Road, and last night they kicked my gate in.",
        "Dealing from the van every night. One of them kicked my door when I complained.",
        # Shooting needs a person as its target.
        "A dealer on our road is shooting at rats in the yard with an air rifle.",
        "Weed dealer in the flat opposite, he shot at pigeons from his balcony.",
    ],
)
def test_violence_needs_a_person_as_its_target(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # The same verbs aimed at people still count.
        "Lads dealing weed by the garages on Fen Road, and last night they kicked my son.",
        "Dealers on the corner, one was shooting at another lad last night.",
        # A car or home attacked with someone inside it.
        "The dealer smashed the windows of a car, with the driver still inside, outside the shop.",
        "Dealers from the flat were kicking the car while the family were inside it.",
        # Someone heard calling for help.
        "Dealers have gone into the flat next door and I can hear a man screaming for help.",
        # A threat quoted in the speaker's own words.
        "I asked the dealer next door to stop and he said 'move on or I'll stab you'.",
        "Cannabis grow next door; the man told my husband 'I'll burn your house down'.",
    ],
)
def test_violence_to_a_person(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # Signs of a home taken over: "living in his flat" followed by more words.
        "My uncle is disabled. Some men have been living in his flat since March and sell crack.",
        # A pension collected for them by those exploiting them.
        "Our neighbour is 88 and has dementia. A dealer collects her pension for her every week.",
        # Prescribed medicines taken from them.
        "My gran is frail and housebound. Her carer has been taking her medication to sell on.",
    ],
)
def test_vulnerable_adult_home_money_and_medicines(taxonomy: Taxonomy, text: str) -> None:
    assert "vulnerable_adult" in run(taxonomy, text).flags


def test_a_man_selling_from_his_own_house_is_the_dealer(taxonomy: Taxonomy) -> None:
    text = (
        "A man on our road is selling from his house. Some of the buyers look in a bad way, "
        "people knock at all hours."
    )
    assert "vulnerable_adult" not in run(taxonomy, text).flags


def test_others_selling_from_a_vulnerable_adults_home(taxonomy: Taxonomy) -> None:
    # Narrowing the rule to sellers other than the owner still finds this.
    text = "My brother has schizophrenia. Some lads are now selling out of his flat."
    assert "vulnerable_adult" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # A small child kept where the dealing is.
        "The couple downstairs sell crack from the flat. Their little boy is in there all day.",
        # A child helping with a grow is tending it.
        "Cannabis grow in the loft next door. Their son is 15 and says he helps with the plants.",
        # Living at a house that is a grow.
        "A boy, maybe 14, living at a house on our road. Windows covered, cannabis smell, hum.",
    ],
)
def test_children_kept_where_drugs_are(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        # Only an attack with someone inside the thing attacked counts, not people nearby.
        "Dealers smashing bottles outside the pub last night, and people inside were scared.",
        # The speaker's own words that are not a threat.
        "Dealing next door. The man said I'll do your shopping if you're scared to go out.",
    ],
)
def test_no_violence_in_ordinary_words(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" not in run(taxonomy, text).flags


# Signs of exploitation about one particular child, without a drug word beside the mention.
@pytest.mark.parametrize(
    "text",
    [
        # missing from "her" home, and more than one phone
        "My niece is 15, she has been missing from her home since Friday and had two phones on "
        "her. Someone is dealing from the flat she was seen at.",
        # out in school hours, and more than one phone
        "Lads about 13 hanging about on the rec in school time with two phones each. Their "
        "parents must have no idea. In the evenings men are dealing crack by the pavilion.",
        # lots of cash, and skipping school
        "My son is 14, he has been skipping school and has lots of cash on him. There is weed "
        "dealing on our road.",
        # "a boy, about 14": an age after a comma
        "A girl, maybe 15, keeps skipping school and turns up with two phones. Her mum is "
        "worried sick about her. In the evenings men are dealing crack from the flats.",
        # staying with older men, several words on
        "My daughter is 16, she has been skipping school and staying weekends at a flat in "
        "town with older men who deal crack.",
    ],
)
def test_signs_about_a_particular_child(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


def test_an_adult_offering_schoolchildren_lifts_is_grooming(taxonomy: Taxonomy) -> None:
    text = "A bloke in a white van keeps stopping by the schoolboys at the bus shelter, offering them cash."
    assert "child_at_risk" in run(taxonomy, text).flags


# A child who passes on what others do is a witness; an age in brackets overrides "kid".
@pytest.mark.parametrize(
    "text",
    [
        "Crack sold from the flat above the bakery. My daughter said people queue there at night.",
        "Weed dealt by the bins on Elm Street. The same kid (an adult, mid twenties) runs for them.",
    ],
)
def test_witnesses_and_adults_are_not_children_at_risk(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


def test_a_child_passing_on_their_own_part_is_still_involved(taxonomy: Taxonomy) -> None:
    text = "My son told me he has been doing drops for older lads from the estate."
    assert "child_at_risk" in run(taxonomy, text).flags


def test_nothing_drug_related_is_a_denial(taxonomy: Taxonomy) -> None:
    text = "Kids kicking footballs at cars on Ross Street all evening. Nothing drug related at all."
    assert run(taxonomy, text).category == "other"


@pytest.mark.parametrize(
    "text",
    [
        "Neighbours shouting at each other late at night. I don't think it's anything to do with drugs.",
        "Someone scratched my car in the car park. Don't think it's anything related to drugs.",
    ],
)
def test_anything_to_do_with_drugs_doubted_is_a_denial(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


def test_a_child_offering_drugs_is_county_lines(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "A girl, about 14, offered me weed by the bus stop on Arbury Road.")
    assert got.category == "county_lines"
    assert "child_at_risk" in got.flags


def test_unsolicited_texts_offering_drugs_are_county_lines(taxonomy: Taxonomy) -> None:
    text = "Text messages from a number I don't know offering 'white and brown' and fast delivery."
    assert run(taxonomy, text).category == "county_lines"


def test_dealers_arriving_on_the_london_train_are_county_lines(taxonomy: Taxonomy) -> None:
    text = "Men selling weed by the station, they come in on the London train every afternoon."
    assert run(taxonomy, text).category == "county_lines"


@pytest.mark.parametrize(
    "text",
    [
        "A disabled man upstairs has been 'adopted' by some lads who now run his flat and deal crack.",
        "My uncle has been befriended by a group who have a key to his house, they sell drugs there.",
        "Her flat has been taken over and there are people buying heroin at the door all day.",
    ],
)
def test_cuckooing_described_without_the_word(taxonomy: Taxonomy, text: str) -> None:
    got = run(taxonomy, text)
    assert got.category == "county_lines"
    assert "vulnerable_adult" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A woman asked if I wanted 'anything' outside the shop, she had small bags in her hand.",
        "A man at my door asking if I had any 'food'. Third time this week, always different men.",
    ],
)
def test_an_approach_offering_drugs_is_selling(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Two men hitting a lad in the car park, shouting that he stole their drugs.",
        "A fight on the green just now, I think it's over drugs, one was kicked on the ground.",
    ],
)
def test_violence_over_drugs_is_supply_not_use(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "street_dealing"


def test_an_adult_getting_children_to_sell_is_county_lines(taxonomy: Taxonomy) -> None:
    text = (
        "Someone sells weed to kids at the skate park. The buyers are 14 year olds and he is"
        " getting a couple of them to sell for him."
    )
    got = run(taxonomy, text)
    assert got.category == "county_lines"
    assert "child_at_risk" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Man pulled a knife on a woman at the cashpoint and took her money. No idea if drugs.",
        "A group of teenagers threatening people at the bus stop. Not sure about drugs.",
    ],
)
def test_not_knowing_whether_it_is_drugs_is_no_drug_evidence(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


def test_a_doubt_about_drugs_leaves_the_rest_of_the_tip_to_be_read(taxonomy: Taxonomy) -> None:
    # Unlike a denial, a doubt does not stop the other evidence counting.
    text = "Not sure if this is drugs but there's a dealer with wraps at the flat"
    assert run(taxonomy, text).category == "street_dealing"


def test_drug_as_a_describing_word_is_not_a_dispute_over_drugs(taxonomy: Taxonomy) -> None:
    text = "Residents' note: continuing concerns about drug litter in the gardens."
    assert run(taxonomy, text).category == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "My brother is addicted to heroin and a dealer has moved into his flat and won't leave.",
        "My gran has dementia and her new boyfriend moved in, I think he's dealing from her house.",
        "My dad is in his 80s and has a lodger who sells weed from the house.",
        "A man uses the flat of a woman with learning disabilities to store his drugs and sell.",
    ],
)
def test_a_vulnerable_adults_home_used_for_dealing_is_cuckooing(
    taxonomy: Taxonomy, text: str
) -> None:
    got = run(taxonomy, text)
    assert got.category == "county_lines"
    assert "vulnerable_adult" in got.flags


def test_a_dealer_selling_from_his_own_home_takes_over_nobodys(taxonomy: Taxonomy) -> None:
    text = "An elderly man lives opposite. The guy at number 5 sells weed from his house."
    assert "vulnerable_adult" not in run(taxonomy, text).flags


def test_an_age_written_with_hyphens_is_no_old_person(taxonomy: Taxonomy) -> None:
    text = (
        "Our 14-year-old neighbour is picked up by older men and she is being used to hold drugs."
    )
    got = run(taxonomy, text)
    assert "vulnerable_adult" not in got.flags
    assert "child_at_risk" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Boy of 15 next door comes home with lots of cash and men drop him off late. I've seen him"
        " give little bags to a man.",
        "A 13 year old told us older boys are giving him £50 to take parcels on the train.",
        "Three men who deal on the corner came up to my son (15) in the park and asked if he"
        " wanted to 'earn some money running' for them.",
    ],
)
def test_signs_of_a_particular_child_being_used(taxonomy: Taxonomy, text: str) -> None:
    got = run(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "county_lines"


def test_a_child_living_at_a_drug_house_is_at_risk_without_county_lines(
    taxonomy: Taxonomy,
) -> None:
    text = (
        "The same young girl, I'd say 14, going in and out of a known drug house at all hours."
        " She seems to live there with a much older man."
    )
    got = run(taxonomy, text)
    assert got.category == "street_dealing"
    assert "child_at_risk" in got.flags


def test_a_child_showing_what_others_sell_is_a_witness(taxonomy: Taxonomy) -> None:
    text = "My daughter showed me a Snapchat account selling weed, they deliver round here."
    assert "child_at_risk" not in run(taxonomy, text).flags


def test_an_illnesss_attacks_are_not_violence(taxonomy: Taxonomy) -> None:
    text = "Weed smell every day from the flat below, it gives my asthmatic son attacks."
    assert "violence" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "The flat upstairs had the door kicked in last night and a girl was screaming. They deal.",
        "Three men went into the dealer's flat carrying what looked like a baseball bat, and now"
        " there's banging and screaming.",
    ],
)
def test_screaming_as_a_home_is_broken_into_is_violence(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_a_threat_to_shank_someone_quoted_is_no_blade_seen(taxonomy: Taxonomy) -> None:
    text = "The dealers on the corner threatened me. One said he'd 'shank' me if I called you."
    got = run(taxonomy, text)
    assert "weapon" not in got.flags
    assert "violence" in got.flags


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("A man selling drugs from his bike by the river, hes there now with 2 customers", True),
        ("Just now: two men fighting over a drug debt on Fitzroy Street", True),
        (
            "A man was dealing outside the flats just now. It's stopped now, they went inside.",
            False,
        ),
    ],
)
def test_reporters_saying_it_is_happening_now(taxonomy: Taxonomy, text: str, now: bool) -> None:
    assert ("in_progress" in run(taxonomy, text).flags) is now


@pytest.mark.parametrize(
    "text",
    [
        "A lad on a moped does drops round the back of the square, in and out in 30 seconds,"
        " passing small things through the hatch of a car.",
        "Guy sitting in a parked white van on Ekin Road for hours every day, people knock on the"
        " side door.",
        "Loads of cars pull up to the house on Chapel Street, a minute each.",
        "A man with a knife walked past, he was with the group who sell from the benches there.",
        "Two men fighting outside number 40, this is the house everyone buys from.",
        "Overheard two guys arranging to pick up 'a nine bar' from someone on Arbury Road.",
        "The carer has been stealing her morphine patches, I think she sells them.",
    ],
)
def test_selling_read_from_what_people_do(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Large plantation of cannabis I saw while walking on a footpath near Coton.",
        "Large plastic sacks of cannabis stalks and leaves dumped in the field.",
    ],
)
def test_a_grow_named_the_other_way_round_or_by_its_waste(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "cultivation"


def test_a_shop_selling_vapes_to_children_is_not_drugs(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "The corner shop is selling single cigarettes and vapes to kids.")
    assert got.category == "other"
    assert "child_at_risk" not in got.flags


def test_old_and_young_people_are_a_crowd_of_all_ages(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "Dealing behind the pool, old and young people mixing, money changing hands."
    )
    assert got.category == "street_dealing"
    assert "child_at_risk" not in got.flags


def test_a_text_out_of_nowhere_offering_deals_is_a_line_advert(taxonomy: Taxonomy) -> None:
    text = "I got a text out of nowhere saying 'TOMMY back on, top food, ring for deals, 24/7'."
    assert run(taxonomy, text).category == "county_lines"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "A dealer has been giving my autistic brother free weed then making him sell to his "
            "mates to pay it off",
            "street_dealing",
        ),
        (
            "My dad has dementia and a local dealer keeps selling him cannabis, he's taking "
            "advantage",
            "street_dealing",
        ),
        (
            "They keep a man with a drink problem in the grow house to water the weed plants, he is being used",
            "cultivation",
        ),
        (
            "The man with learning difficulties is being made to hold drugs in his flat for dealers",
            "county_lines",
        ),
        (
            "The blind man downstairs is being used, young men come and go with his keys and sell "
            "drugs from there",
            "county_lines",
        ),
    ],
)
def test_a_vulnerable_adult_exploited_is_county_lines_only_as_a_stash_or_runner(
    taxonomy: Taxonomy, text: str, category: str
) -> None:
    got = run(taxonomy, text)
    assert (got.category, got.flags) == (category, ("vulnerable_adult",))


@pytest.mark.parametrize(
    "text",
    [
        "My uncle has dementia. At his flat I found three unknown males in the property and his "
        "blister packs of medication were missing. They're selling drugs from there",
        "My brother has schizophrenia and has had 'friends' staying for a month, he says he's "
        "'not allowed' visitors. The men are dealing from the flat",
        "The old lady with the walking frame: we've not seen her outside in weeks, her daughter "
        "has stopped visiting and a young man answered the door. Dealers are using the flat",
        "My mum is 82 and lives alone, men I don't recognise are at her house and she has no money "
        "for food despite her pension going in. They deal from there",
    ],
)
def test_a_vulnerable_adults_home_taken_over_without_the_words(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "vulnerable_adult" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "A man waits outside the chemist for the methadone clients and sells them stuff, he "
        "takes their money before they've had their script",
        "Homeless man with mental health problems is being given spice by two guys who film him",
        "They keep feeding him crack, he's an addict and can't say no, dealing in the car park",
    ],
)
def test_people_in_treatment_or_plied_with_drugs_are_vulnerable(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "vulnerable_adult" in run(taxonomy, text).flags


def test_on_his_own_doorstep_is_no_one_living_alone(taxonomy: Taxonomy) -> None:
    text = (
        "The grow house is obvious. The bloke who lives there punched my neighbour on his own "
        "doorstep and split his lip"
    )
    assert "vulnerable_adult" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "A man stands in the alley every morning and sells to people on their way to work",
        "Two lads in a parked car selling to people off the towpath",
        "A lad with a rucksack sells to groups of students on the grass",
        "Bloke by the bridge selling to passers-by most evenings",
    ],
)
def test_selling_straight_to_people_is_dealing(taxonomy: Taxonomy, text: str) -> None:
    # The rules alone: the learned scorer may guess these, but the rules must read them.
    facts = TipFacts(description=text, received_at=datetime(2025, 6, 1, tzinfo=UTC))
    assert rules_only(facts, taxonomy)[0].category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "A man's got a bottle and is swinging it at people outside the pub",
        "One's got a bike lock and is hitting the other one over the head with it",
        "He picked up a brick and hit him with it",
        "Someone grabbed a chair and swung it at the barman",
    ],
)
def test_a_thing_picked_up_and_struck_with_is_a_weapon(taxonomy: Taxonomy, text: str) -> None:
    assert "weapon" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "One of them told me to keep my mouth shut 'if I want to keep my teeth'",
        "He told my husband he'd 'cut him up' if we called the police again",
        "They said I'd lose my legs if I said anything",
        "The dealer flicked his knife open in front of a lad who owed him",
    ],
)
def test_threats_made_as_a_condition_or_a_blade_shown(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_a_knife_shown_off_to_friends_is_no_threat(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "One teen pulled out a flick knife and was showing it off to his mates")
    assert got.flags == ("weapon",)


@pytest.mark.parametrize(
    "text",
    [
        "Two boys (year 10) saying they're 'going country' this weekend, dealing",
        "A boy in a school blazer, can't have been older than 14, hand a small bag to a dealer",
        "Lad selling weed by the shops, couldn't have been more than 15",
    ],
)
def test_a_child_by_an_upper_age_or_their_own_words(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Men drinking and snorting stuff off their phones in the beer garden",
        "Caught someone sniffing something off a key in the toilets",
        "They were racking up lines on the table in the bus shelter",
    ],
)
def test_powder_taken_off_a_surface_is_drug_use(taxonomy: Taxonomy, text: str) -> None:
    facts = TipFacts(description=text, received_at=datetime(2025, 6, 1, tzinfo=UTC))
    assert rules_only(facts, taxonomy)[0].category == "drug_use"
