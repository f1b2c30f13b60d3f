"""Who is a child, and when a child is involved, as reporters put it."""

from __future__ import annotations

import pytest

from shared.domain.classify import Taxonomy
from tests.support.classify import rules, run


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


@pytest.mark.parametrize(
    "text",
    [
        "My daughter is 14. She has stopped going to her lessons and we found messages showing "
        "she's been running for a line out of Peterborough",
        "My son is 14 and has been missing since Friday. Someone saw him with older lads at the "
        "crack house on Mill Road",
        "My 15 year old daughter is missing again since yesterday, last seen getting into a car "
        "with men who sell weed",
        "Our nephew is 13 and was missing for two nights last week. He came back with a new phone "
        "and trainers and smells of weed",
    ],
)
def test_a_child_missing_or_running_for_a_line_said_plainly(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert got.category == "county_lines"
    assert "child_at_risk" in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My stepson is 15 and got kicked out of school in May. Older boys keep texting, asking "
        "him to do a drop, and he's been out till 3am twice this week. Smells of weed constantly",
        "My daughter is 14 and was excluded again. Her 'friends' keep asking her to do a delivery "
        "for them and she stays out until 2am. She came home smelling of weed",
        "Our boy is 16 and keeps getting calls telling him where to take 'parcels'. The callers say "
        "they'll hurt him if he stops. Found wraps in the kitchen",
    ],
)
def test_signs_anywhere_that_a_particular_child_is_being_used(
    taxonomy: Taxonomy, text: str
) -> None:
    got = rules(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "county_lines"


def test_a_child_out_late_with_no_sign_of_being_used_is_not_at_risk(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "My son is 15 and stays out till 11 with his mates. There's weed smell "
        "in the park where they hang out",
    )
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Lad of about 15 hides the gear for the men in the end flat, neighbours told me, and he's "
        "never at school",
        "There's a girl, maybe 14, at the flat on Coleridge Road. She minds the cash for the older "
        "men who sell from there and she doesn't go to school",
        "Year 10 boy at our school stores weed for two men on the estate, according to other "
        "pupils. He has missed weeks of school",
    ],
)
def test_a_child_holding_drugs_or_money_for_grown_men(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "county_lines"


def test_a_grown_man_holding_drugs_for_other_men_is_no_child(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "A man in his thirties keeps the crack for the dealers in flat 3")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A man by the chippy counted out wraps, then handed a burner to a lad who can't be older "
        "than 15",
        "Older guy gave the kid, maybe 14, a phone and sent him off on a bike with a bag of weed",
        "Saw him slip a mobile and some wraps to a boy in school uniform behind the shops",
    ],
)
def test_a_phone_handed_to_a_child_by_a_dealer(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "county_lines"


def test_a_phone_given_to_a_child_with_no_drugs_is_nothing(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "My dad gave my son, 13, a new phone for his birthday")
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A girl who can't be more than 15 is kept at the house on Ditton Lane. Windows blacked "
        "out, cannabis smell, and the men padlock the front door from outside when they go",
        "Teenage boy, looks 16, at the grow house on Fen Road: men lock him in at night and bring "
        "food in the morning. Fans humming, cannabis smell all day",
        "Boy, can't be more than 14, at the flat with the grow lights and the cannabis smell; the "
        "men padlock him in when they leave",
    ],
)
def test_a_child_locked_in_where_drugs_are_grown(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" in rules(taxonomy, text).flags


def test_a_front_door_locked_at_night_is_no_child_kept(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "My son is 15. The house opposite smells of cannabis and the owner "
        "locks the doors every night",
    )
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "My niece is 16 and living at her boyfriend's flat. He has a cannabis grow in the loft and "
        "while he's at work he leaves her to water the plants",
        "Our grandson is 15. His dad grows weed in the shed, and on school nights he pays him to "
        "trim the crop",
        "My daughter is 17. Her new partner set up a grow tent in the spare room of their flat and "
        "she is made to look after the plants when he's out",
    ],
)
def test_a_child_made_to_tend_a_grow(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "cultivation"


def test_a_child_told_to_water_garden_plants_is_nothing(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "My son is 14. His dad makes him water the tomato plants in the greenhouse at weekends",
    )
    assert "child_at_risk" not in got.flags


def test_a_pet_missing_beside_a_child_is_no_child_missing(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "Our dog has been missing since Friday. My son, 12, saw lads smoking "
        "weed where he was last seen",
    )
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A taxi drops a lad still in his school blazer at the flats, he goes in with a rucksack "
        "full and comes out with it empty",
        "A lad in a school jumper turns up at the crack house, backpack heavy and leaves with it "
        "light",
        "Someone in a school tie goes into the dealer's flat with a bag full and comes out with "
        "it empty",
    ],
)
def test_a_child_by_school_clothes_or_size_running_bags(taxonomy: Taxonomy, text: str) -> None:
    got = rules(taxonomy, text)
    assert "child_at_risk" in got.flags
    assert got.category == "county_lines"


def test_a_child_in_school_clothes_merely_walking_past_is_not_at_risk(taxonomy: Taxonomy) -> None:
    got = rules(
        taxonomy,
        "Men deal crack by the bus stop. Kids in school blazers walk past them every afternoon",
    )
    assert "child_at_risk" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Two lads, both 15, buy weed off an older lad. They're just buying, not selling for him",
        "My 14 year old buys cannabis off the lad by the shops. He's only using, I've checked",
        "Some teenagers score pills from the dealer at the skate park. They are only customers",
    ],
)
def test_children_said_to_be_only_buying_are_not_at_risk(taxonomy: Taxonomy, text: str) -> None:
    assert "child_at_risk" not in run(taxonomy, text).flags


def test_children_only_fourteen_and_running_are_still_at_risk(taxonomy: Taxonomy) -> None:
    got = rules(taxonomy, "Two kids, they're only 14, are running bags for a man on Arbury Road")
    assert "child_at_risk" in got.flags
