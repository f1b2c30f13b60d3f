"""Who is a child, and when a child is involved, as reporters put it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.classify import Taxonomy, classify
from shared.domain.classify.classifier import rules_only
from shared.domain.model import Classification, TipFacts


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def facts(description: str) -> TipFacts:
    return TipFacts(description=description, received_at=datetime(2025, 6, 1, tzinfo=UTC))


def run(taxonomy: Taxonomy, description: str) -> Classification:
    return classify(facts(description), taxonomy)


def rules(taxonomy: Taxonomy, description: str) -> Classification:
    """The rules alone: the learned checks may guess a flag, but the rules must read it."""
    return rules_only(facts(description), taxonomy)[0]


@pytest.mark.parametrize(
    "text",
    [
        "A group of young people are selling weed from the old lady's bungalow, she looks terrified",
        "Young people are dealing crack from the flat of the man with dementia",
        "Young people have taken over her flat and are selling crack from it, she's in her eighties",
    ],
)
def test_young_people_with_no_age_are_not_children(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "A young person was handing out wraps by the shops for an older man",
        "Young people, about 14, selling weed behind the leisure centre",
    ],
)
def test_a_young_person_or_an_age_is_still_a_child(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "The runner comes by every lunchtime around 3 with the gear, same lad",
        "Dealer turns up most days about 5 and hands bags out to a queue",
        "Drops happen every afternoon about 4, a runner on a moped",
    ],
)
def test_a_time_of_day_is_not_an_age(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


def test_an_age_after_looks_is_still_an_age(taxonomy: Taxonomy) -> None:
    assert "child_at_risk" in run(taxonomy, "Runner looked about 14, delivering wraps").flags


@pytest.mark.parametrize(
    "text",
    [
        "The dealer on the corner shouted at my daughter and told her to get lost",
        "A dealer pushed past my son on the stairs, there's dealing on our landing every night",
        "The dealers by the chippy swore at my kids when they asked them to move",
    ],
)
def test_a_dealer_named_before_a_child_is_someone_else(taxonomy: Taxonomy, text: str) -> None:
    got = run(taxonomy, text)
    assert (got.category, "child_at_risk" in got.flags) == ("street_dealing", False)


@pytest.mark.parametrize(
    "text",
    ["My son is a dealer now, he sells weed at school", "Kid dealers at the skate park, selling"],
)
def test_a_child_who_is_the_dealer_is_involved(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "A lad from year 11 is selling vapes to the younger kids at the bus stop",
        "The corner shop sells those big vapes to school kids under the counter",
        "The man at the market sold cigarettes to my son, he's 13",
    ],
)
def test_cigarettes_or_vapes_sold_by_or_to_children_are_not_drugs(
    taxonomy: Taxonomy, text: str
) -> None:
    got = run(taxonomy, text)
    assert (got.category, got.flags) == ("other", ())


def test_thc_vapes_sold_to_children_are_drugs(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "A man is selling THC vapes to kids at the bus station")
    assert got.category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "My daughter received a snapchat message advertising weed and coke delivery",
        "my son got a text advertising cheap weed, delivered to your door",
        "Our son received texts from a dealer selling bud, he's 15",
    ],
)
def test_a_child_sent_an_advert_is_a_recipient(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


def test_a_child_messaged_to_carry_is_involved(taxonomy: Taxonomy) -> None:
    text = "My son keeps getting messages asking him to do a run for an older lad, he is 15"
    assert "child_at_risk" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "My grandson is 15. For a week now a man on a moped has been stopping him near the "
        "shops, and yesterday he offered him eighty quid to carry a rucksack across town. The "
        "man sells weed.",
        "my lad is 15, he told me some bloke who sells coke offered him 50 quid to take a box round",
        "My nephew (he's 15) keeps being offered fifty quid by a man to take a box to Ely, the man "
        "deals",
    ],
)
def test_money_offered_to_a_child_to_carry_however_written(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "child_at_risk" in got.flags) == ("county_lines", True)


@pytest.mark.parametrize(
    "text",
    [
        "My daughter is 15, an older girl keeps telling her she could make proper money trapping",
        "my brother is 16 and some man said he can make fast cash trapping out of a flat",
        "Older lads keep telling my sister she could make fast money trapping, she's only 15",
    ],
)
def test_a_child_told_of_fast_money_from_dealing(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in rules(taxonomy, text).flags


def test_money_for_a_chore_is_no_sign(taxonomy: Taxonomy) -> None:
    text = (
        "My son is 15 and a neighbour paid him 20 quid to wash his car, the neighbour smokes weed"
    )
    assert "child_at_risk" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "A 14 year old girl has been smoking crack with grown men in the flat above mine",
        "My niece is 15 and she's been given ketamine by older men at parties",
        "Our foster daughter (13) stays out all night at a flat where older men give her weed",
    ],
)
def test_a_child_plied_with_drugs_by_grown_men(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "child_at_risk" in got.flags) == ("drug_use", True)


def test_a_child_using_drugs_with_older_boys_is_among_peers(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "My 15 year old son has been smoking weed with older boys in the park")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Lad about 16 at the house with covered windows and a weed smell, never leaves the house "
        "and looks scared",
        "A boy of maybe 15 answers the door at the flat with the cannabis plants, he can't speak "
        "English and seemed frightened",
        "A girl who looks about 14 is always at the grow house, she's not allowed to go out and "
        "appears terrified",
    ],
)
def test_a_child_kept_at_a_grow(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in rules(taxonomy, text).flags


def test_a_child_who_stays_in_is_not_kept(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My son is 15 and never goes out, the flat next door stinks of weed")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "some of us are 14 and a man on the estate gets us to help bag up his weed",
        "we're only 15 and the guy who grows weed in his garage gets us to help trim the buds",
        "a bloke on our estate pays us to water his cannabis plants, most of us are 16",
    ],
)
def test_teenagers_counting_themselves_among_those_put_to_work(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "child_at_risk" in rules(taxonomy, text).flags


def test_a_teenager_who_only_saw_it_is_a_witness(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "we're 15 and we saw a man selling weed by the shops")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Dealer's flat upstairs, he's in there with his wife and their two little girls, people "
        "knock all night",
        "The man who deals crack next door is there with his girlfriend and her toddler, cars "
        "come and go",
        "The lad dealing from the flat below is in there with his mum and their baby, cars all "
        "night",
    ],
)
def test_a_dealers_own_household_puts_the_children_where_dealing_happens(
    taxonomy: Taxonomy, text: str
) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "child_at_risk" in got.flags) == ("street_dealing", True)
