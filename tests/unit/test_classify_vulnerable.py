"""Vulnerable adults exploited and homes taken over, as reporters put it."""

from __future__ import annotations

import pytest

from shared.domain.classify import Taxonomy
from tests.support.classify import rules, run


@pytest.mark.parametrize(
    "text",
    [
        "The tenant is opiate-dependent and men from London are selling from her flat",
        "She's using herself and dealers have moved into her flat",
        "The lady downstairs is old and frail and lads have been selling crack from her place",
    ],
)
def test_dependence_use_and_old_age_said_plainly(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "vulnerable_adult" in got.flags) == ("county_lines", True)


def test_dependence_alone_is_no_exploitation(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My brother is heroin dependent and buys from the dealer on the corner")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My uncle is a crack addict and they pay him a few bags for minding their stash",
        "The dealers give her a rock for keeping their gear, she's disabled",
        "They've got my mum storing their packages, she has dementia",
    ],
)
def test_a_vulnerable_adult_paid_in_drugs_to_hold_a_stash(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "vulnerable_adult" in got.flags) == ("county_lines", True)


def test_an_addict_buying_is_no_stash(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My cousin is an addict and buys a bag most days off the corner")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "The bungalow at the end is now used by dealers, the old man who lives there has dementia",
        "Her house is being used for dealing, she has learning difficulties",
        "A lad is staying with her who sells weed, she's in her eighties",
    ],
)
def test_a_vulnerable_adults_home_used_by_others_to_deal(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "vulnerable_adult" in got.flags) == ("county_lines", True)


@pytest.mark.parametrize(
    "text",
    [
        "Strangers live there now and there are many visitors, the man with learning "
        "difficulties never answers",
        "I have not seen her since two months, new men stay there every night, she is very old "
        "and there's crack smoke",
        "The disabled man downstairs can't say no to them, lads deal from his flat",
    ],
)
def test_a_home_taken_over_in_plain_or_second_language_words(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "vulnerable_adult" in got.flags) == ("county_lines", True)


def test_an_old_neighbour_with_visitors_once_is_not_taken_over(taxonomy: Taxonomy) -> None:
    text = "The old lady next door had her grandson staying for the weekend, someone smokes weed"
    assert "vulnerable_adult" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "They make him draw cash out every week for them, he's got learning difficulties, they "
        "deal crack",
        "A man has been taking my grandad's letters and bank post, grandad has dementia and the "
        "man grows weed",
        "The dealers are keeping my aunt's bank card, she's bipolar, and they sell her weed",
    ],
)
def test_a_vulnerable_adults_money_or_post_taken(taxonomy: Taxonomy, text: str) -> None:
    assert "vulnerable_adult" in rules(taxonomy, text).flags


def test_post_taken_round_is_a_kindness(taxonomy: Taxonomy) -> None:
    text = "The old man at 22 is frail, I took his post round, there were lads smoking weed outside"
    assert "vulnerable_adult" not in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "My dad has dementia and lets a neighbour use his shed, the neighbour has cannabis plants",
        "The old lady allowed some lads to rent her garage and they're growing weed in it",
        "He's disabled and let a man have his lock-up, now there are grow lights in it",
    ],
)
def test_a_vulnerable_adults_outbuilding_lent_for_a_grow(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert (got.category, "vulnerable_adult" in got.flags) == ("cultivation", True)


def test_an_outbuilding_lent_with_no_drugs_is_nothing(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My grandad is 90 and lets the neighbour use his garage for his motorbike")
    assert (got.category, got.flags) == ("other", ())


@pytest.mark.parametrize(
    "text",
    [
        "My nan is 84 and lives on her own. Two lads pay her a tenner to use her shed, and now "
        "there are cannabis plants and lamps in it",
        "The disabled man next door says some blokes borrowed his garage, and it's full of "
        "cannabis plants and fans now",
        "An old lady on our road with dementia: men are renting her spare room and the whole "
        "house smells of weed",
    ],
)
def test_a_vulnerable_adults_outbuilding_used_by_others(taxonomy: Taxonomy, text: str) -> None:
    assert "vulnerable_adult" in rules(taxonomy, text).flags


def test_an_outbuilding_rented_with_no_drugs_is_nothing(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Some men rent the garage of the old man next door for their vans")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "The blind man upstairs has new 'friends' and his door is wedged open all night, crack "
        "smoke on the stairs",
        'Since her new "mates" turned up, the lady with MS downstairs has people coming and '
        "going and there's weed everywhere",
        "My neighbour has learning difficulties. Since the lads selling crack moved in he daren't "
        "say a word to them",
    ],
)
def test_a_vulnerable_adults_home_taken_over_in_quotes_or_in_fear(
    taxonomy: Taxonomy, text: str
) -> None:
    got = rules(taxonomy, text)
    assert "vulnerable_adult" in got.flags
    assert got.category == "county_lines"


def test_a_vulnerable_adult_with_one_new_visitor_is_not_taken_over(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "The old man at 4 has a new 'friend' who visits on Sundays, and I smell "
        "weed in the street sometimes",
    )
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My uncle is disabled and some lads are dealing crack out of his front room every night",
        "The old lady at 12 is frail, and two men have been selling weed in her living room",
        "Our neighbour has dementia. Dealers sell heroin from her kitchen most evenings",
    ],
)
def test_dealers_selling_from_a_room_of_a_vulnerable_adults_home(
    taxonomy: Taxonomy, text: str
) -> None:
    got = rules(taxonomy, text)
    assert "vulnerable_adult" in got.flags
    assert got.category == "county_lines"


def test_a_vulnerable_adult_dealing_from_their_own_kitchen_is_not_taken_over(
    taxonomy: Taxonomy,
) -> None:
    got = rules(taxonomy, "The old man at 3 sells weed from his kitchen window to anyone")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My nan is 88. A young man with bags of coke in her flat says he 'lets her stay' in her "
        "own home now",
        "The disabled man at 7 told me they allow him to sleep in his own flat if he keeps quiet. "
        "Crack being sold there",
        "Dealers have moved into my grandad's. He's terrified and says they let him sit in his "
        "own house, nothing more, while they bag up",
    ],
)
def test_a_vulnerable_adult_let_stay_in_their_own_home_or_frightened(
    taxonomy: Taxonomy, text: str
) -> None:
    got = rules(taxonomy, text)
    assert "vulnerable_adult" in got.flags
    assert got.category == "county_lines"


def test_a_frightened_pensioner_of_the_dark_is_nothing(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy, "The old man next door is scared of the dark. Someone deals weed on the corner"
    )
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A man is running a line out of the flat where a blind gentleman lives, selling crack",
        "They sell heroin from the bungalow where the old lady lives, and she does as she's told",
        "The dealers use the house where my autistic neighbour lives; he does whatever he is told",
    ],
)
def test_supply_from_where_a_vulnerable_adult_lives_or_under_orders(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "vulnerable_adult" in rules(taxonomy, text).flags


def test_a_flat_where_a_man_lives_is_no_vulnerable_adult(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "Crack is sold from the flat where a man lives with his girlfriend")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My dad has Alzheimer's. His new friend has his bank card and a door key, and people "
        "come round at night for little bags",
        "The lady with learning difficulties at 9: a lad holds her pension book and the front "
        "door key now, and there's crack dealing there",
        "Gran is 90; since a man started 'looking after' her there are visitors at all hours and "
        "wraps of heroin are handed out of her door",
    ],
)
def test_a_vulnerable_adults_key_held_or_a_helper_in_quotes(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert "vulnerable_adult" in got.flags
    assert got.category == "county_lines"


def test_a_carer_with_a_key_who_helps_is_nothing(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "My mum is 85 and her carer has a key. I smelt weed in the street")
    assert "vulnerable_adult" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My brother has a learning disability and smokes weed in his room. No one is exploiting "
        "him, he buys his own",
        "Our tenant has learning difficulties and has started smoking weed. Nobody is taking advantage of her",
    ],
)
def test_a_vulnerable_adult_said_not_to_be_exploited_is_not_flagged(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "vulnerable_adult" not in run(taxonomy, text).flags
