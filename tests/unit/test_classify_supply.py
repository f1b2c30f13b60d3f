"""Selling, growing, county-lines markers and what is not drugs at all, as reporters put it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.domain.classify import Taxonomy
from shared.domain.classify.classifier import decide, rules_only, upgradable
from shared.domain.model import Category
from tests.support.classify import facts, rules, run


def ruled(taxonomy: Taxonomy, description: str, phone_numbers: tuple[str, ...] = ()) -> Category:
    """The rules' category alone: the learned scorer may guess, but the rules must read it."""
    return rules(taxonomy, description, phone_numbers=phone_numbers).category


@pytest.mark.parametrize(
    "text",
    [
        "A lad took two wraps out of his mouth and sold them by the cashpoint",
        "Girl at the bus station spat something out of her mouth and handed it over, looked like "
        "wraps",
        "Saw a boy pull a little bag from his mouth and sell it to a man, looked like heroin",
    ],
)
def test_drugs_carried_in_the_mouth_are_a_county_lines_marker(
    taxonomy: Taxonomy, text: str
) -> None:
    assert ruled(taxonomy, text) == "county_lines"


def test_something_taken_from_the_mouth_is_not_drugs_by_itself(taxonomy: Taxonomy) -> None:
    text = "A kid took his gum out of his mouth and threw it at the bus, lads were smoking weed"
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "Lads from another town have been dealing crack from the flat above",
        "Men from a different city keep selling heroin on the corner",
        "The dealers talk like Londoners, selling at the park every night",
    ],
)
def test_dealers_from_another_town(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "county_lines"


def test_a_family_from_another_town_is_no_marker(taxonomy: Taxonomy) -> None:
    assert ruled(taxonomy, "A new family from another town moved in next door") == "other"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Got a text from a number I don't recognise saying 'white and brown available now'", "1"),
        ("'Deano's back on a new number, same prices' came through on my phone last night", "2"),
        ("Message came through: new number, save it, top quality bud", "3"),
    ],
)
def test_texts_from_unknown_numbers_or_a_new_number_are_bulk_texts(
    taxonomy: Taxonomy, text: str, phone: str
) -> None:
    assert ruled(taxonomy, text, phone_numbers=(f"+44770090011{phone}",)) == "county_lines"


@pytest.mark.parametrize(
    "text",
    [
        "My brother owes a dealer money and keeps getting messages saying they'll stab him",
        "My ex sent me messages saying he'll find me, he deals coke from his car",
        "My flatmate keeps getting texts saying they're going to hurt him, he buys weed off them",
    ],
)
def test_threatening_messages_are_no_advert(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) != "county_lines"


@pytest.mark.parametrize(
    "text",
    [
        "Generator droning in the garage at number 12 and the skunk stink is unreal",
        "Heard a generator in the shed next door, then the cannabis smell came over the wall",
        "Extractors whirring at the back of the unit and a strong weed smell every night",
    ],
)
def test_a_generator_or_extractor_with_a_cannabis_smell_is_a_grow(
    taxonomy: Taxonomy, text: str
) -> None:
    assert ruled(taxonomy, text) == "cultivation"


def test_a_generator_and_smoking_elsewhere_is_no_grow(taxonomy: Taxonomy) -> None:
    text = "Generator at the building site runs all night, and people smoke weed in the park"
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "He ordered about thirty lamps and extractor fans to put up in his loft",
        "The spare room is full of plant pots and there's dodgy electrics going into it",
        "Asked to wire up twenty lights and fans in an attic packed with plants",
    ],
)
def test_lamps_fans_pots_and_wiring_for_a_grow(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "cultivation"


def test_a_lamp_and_a_fan_at_home_are_nothing(taxonomy: Taxonomy) -> None:
    assert ruled(taxonomy, "We bought two lamps and a fan for the living room") == "other"


@pytest.mark.parametrize(
    "text",
    [
        "Uber Eats rider hanging about the estate, he never delivers any food, just meets people",
        "The Just Eat bag guy isn't carrying takeaways if you get my drift",
        "delivery bike lad by the shops doesnt have any pizzas if u know what i mean",
    ],
)
def test_a_delivery_rider_delivering_no_food(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


def test_a_delivery_driver_with_no_food_for_a_reason(taxonomy: Taxonomy) -> None:
    text = "The delivery driver isn't delivering food today because the restaurant is shut"
    assert ruled(taxonomy, text) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "lad hands something thru the car window then walks off, every night by the garages",
        "Swaps at night behind the leisure centre, same two blokes",
        "Car pulls up at the corner, 20 secs and then it drives off, every night this week",
    ],
)
def test_exchanges_read_from_what_people_do(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "A van sits in the lay-by every evening and lads walk over to it from the path, weed smell",
        "silver car parks up by the rec, ppl come over one at a time, windows blacked out",
        "Motor waiting in the cul-de-sac most nights and people go up to it, they smell of weed",
    ],
)
def test_people_walking_up_to_a_parked_car(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


def test_an_ice_cream_van_is_visited_innocently(taxonomy: Taxonomy) -> None:
    text = "The ice cream van parks by the rec and kids walk over, teenagers smoking weed there"
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "Bloke keeps supplying pills to the students outside the union bar",
        "She supplies the lads at the skate park with weed most nights",
        "Shoppers are being approached by a woman offering tablets, we think diazepam",
    ],
)
def test_supplying_people_and_offers_are_dealing(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "The council supplied a new bin to the park where they smoke weed",
        "I was approached by a man offering a leaflet about church, someone was smoking weed",
    ],
)
def test_supplies_and_offers_of_other_things(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "Our customers keep complaining about the cannabis smell from the bins behind the shop",
        "A man was smoking crack in front of customers at the petrol station",
        "Customers have mentioned lads injecting in the toilets of the cafe",
    ],
)
def test_the_reporters_own_customers_are_no_buyers(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "drug_use"


def test_a_dealers_customers_are_buyers(taxonomy: Taxonomy) -> None:
    text = "He has customers coming to his door all night, I can smell weed"
    assert ruled(taxonomy, text) == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "He's not dealing, he just uses, the stairwell stinks of it",
        "They don't grow it or sell it, they only smoke it",
        "She isn't selling, she simply takes it herself in the park",
    ],
)
def test_supply_denied_and_use_left(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "drug_use"


def test_tobacco_smoked_after_a_denial_is_not_drugs(taxonomy: Taxonomy) -> None:
    text = "He doesn't sell anything, just smokes cigarettes outside my window"
    assert ruled(taxonomy, text) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "Lads sniffing powder off a car roof in the multi-storey",
        "Two women snorting something off the dashboard of a parked car",
        "man at the bus stop sniffing stuff off a wheelie bin",
    ],
)
def test_powder_taken_off_any_surface(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "No reason to suspect anyone is selling it, it's just the smell of weed from upstairs",
        "We've no reason to think the lads are dealing, they just smoke cannabis by the garages",
        "There's no reason at all to think the lad upstairs is selling it, the weed smell is just strong",
    ],
)
def test_no_reason_to_think_they_are_selling(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "drug_use"


def test_every_reason_to_think_they_are_selling(taxonomy: Taxonomy) -> None:
    text = "I have every reason to think they're dealing weed from the flat"
    assert ruled(taxonomy, text) == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Dealer selling crack by the bins every night, security have asked him to move on",
        "Lads dealing weed in the stairwell, I've asked the housing officer to look into it",
        "There's a man selling pills outside the school gates, we have asked the head to warn "
        "parents",
    ],
)
def test_asking_someone_to_act_is_not_finding_out(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


def test_asking_around_and_finding_out_still_explains(taxonomy: Taxonomy) -> None:
    text = "I thought it was dealing but I have asked around and it's a dog walker"
    assert ruled(taxonomy, text) == "other"


@pytest.mark.parametrize(
    "text",
    [
        "People in and out all night, I suspected dealing but it turns out the flat is an Airbnb",
        "Visitors coming and going all day, I thought it was drugs but turns out she's a "
        "childminder and the parents come in taxis",
        "Lots of short visits, I wondered about dealing but I've since found out he repairs "
        "phones and is selling them on",
    ],
)
def test_one_ambiguous_word_after_an_innocent_account_is_part_of_it(
    taxonomy: Taxonomy, text: str
) -> None:
    assert ruled(taxonomy, text) == "other"


def test_drug_words_after_an_innocent_account_outweigh_it(taxonomy: Taxonomy) -> None:
    text = "I thought it was a party house but it turns out they're selling crack"
    assert ruled(taxonomy, text) != "other"


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("Nobody is selling anything, they just sit in their cars doing balloons", True),
        ("I haven't seen any dealing, just a lot of weed smoking on the bench", True),
        ("There's no cannabis farm in there, he just smokes a lot of skunk", True),
        # A denied innocent reading of a weak sign is no denial of supply.
        ("Moped riders (not food delivery) come and go all evening, I smell weed on them", False),
    ],
)
def test_a_denied_sign_of_supply_keeps_drug_use_from_being_read_up(
    taxonomy: Taxonomy, text: str, denied: bool
) -> None:
    assert upgradable(facts(text), taxonomy) is not denied


def test_the_scorer_reads_drug_use_up_only_when_supply_was_not_denied(
    taxonomy: Taxonomy,
) -> None:
    model = taxonomy.category_model
    assert model is not None
    model = replace(model, upgrade_threshold=0.7)
    assert decide("drug_use", None, "street_dealing", 0.9, model) == "street_dealing"
    assert decide("drug_use", None, "street_dealing", 0.9, model, upgradable=False) is None


@pytest.mark.parametrize(
    "text",
    [
        "A bloke flogs cheap fags from his van outside the flats every Sunday",
        "Man going door to door on our estate selling knock-off tobacco, £5 a pouch",
        "The neighbour keeps shouting homophobic abuse at us when we come home, for weeks now",
    ],
)
def test_a_tip_naming_a_subject_that_is_not_drugs_is_other(taxonomy: Taxonomy, text: str) -> None:
    got, case = rules_only(facts(text), taxonomy)
    assert (got.category, case) == ("other", None)
    assert got.reasons[0].detail.startswith("Not about drugs")


def test_drugs_sold_beside_cigarettes_are_still_drugs(taxonomy: Taxonomy) -> None:
    text = "A man sells cheap cigarettes and weed from his van outside the flats"
    assert ruled(taxonomy, text) == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Two lads in a hire car keep telling people they're out country for a fortnight, selling "
        "to anyone who asks",
        "Overheard one of them on the phone saying he's out country till Sunday, he's got a bag of "
        "wraps",
        "Heard the lads in the stairwell say they're out country this week, selling weed to anyone",
    ],
)
def test_out_country_said_without_going(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "county_lines"


def test_out_in_the_country_is_no_line(taxonomy: Taxonomy) -> None:
    assert ruled(taxonomy, "We went out into the country for a walk and smelt weed") == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "My passengers go up to a house on Pump Lane and come back with weed every time",
        "Students walk into the flat by the launderette and come straight back out with baggies",
        "People head round to the maisonette on Elm Row and come out again with a little bag of "
        "coke",
    ],
)
def test_buying_from_a_house_described(taxonomy: Taxonomy, text: str) -> None:
    assert ruled(taxonomy, text) == "street_dealing"


def test_coming_back_from_a_house_with_something_innocent(taxonomy: Taxonomy) -> None:
    text = "Kids go into the house next door and come back with a football, they smoke weed later"
    assert ruled(taxonomy, text) == "drug_use"


@pytest.mark.parametrize(
    "text",
    [
        "Alarm going off at the empty house on Mill Road, back window open",
        "House alarm ringing at number 6 for two hours, back door open",
        "The back door of the empty house is open and the alarm is ringing, lights on upstairs",
    ],
)
def test_break_ins_and_alarms_are_not_drugs(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


@pytest.mark.parametrize(
    "text",
    [
        "A woman lifts perfume from the chemist and sells it door to door on our estate",
        "She pinches razor blades from Boots every week and sells them on in the pub",
        "Man stealing bikes from the station racks and then selling them at the market",
    ],
)
def test_things_stolen_and_sold_on_are_not_drugs(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


def test_medicines_stolen_and_sold_are_still_drugs(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "The carer is stealing her tramadol tablets and selling them to lads")
    assert got.category != "other"


@pytest.mark.parametrize(
    "text",
    [
        "We thought the bungalow on Fulbrooke Road was a crack den, but it's a care agency office "
        "with carers in and out",
        "I was sure the house at the end was a drugs house and then I met them: it's a physio "
        "practice",
        "The flat I reported last month as dealing is a dog groomer, the visits are appointments",
        "What we took to be a dealer at the bus stop was a steward handing out leaflets",
        "Neighbour has grow lights on all night in his conservatory. I've had a look, it's orchids",
        "Thought there were cannabis plants in the window at number 4. We've looked properly and "
        "they are tomatoes",
    ],
)
def test_a_suspicion_corrected_by_the_reporter(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"


def test_a_look_that_found_drugs_explains_nothing(taxonomy: Taxonomy) -> None:
    text = "I've looked through the gap in the fence and there are rows of cannabis plants"
    assert run(taxonomy, text).category == "cultivation"


def test_a_report_that_still_stands_is_not_withdrawn(taxonomy: Taxonomy) -> None:
    text = "What I reported last week is still going on: he's dealing from the window"
    assert run(taxonomy, text).category == "street_dealing"


def test_a_break_in_that_found_a_grow_is_still_a_grow(taxonomy: Taxonomy) -> None:
    text = "The empty house on Fen Road was broken into and there's a cannabis farm in the loft"
    assert run(taxonomy, text).category == "cultivation"


@pytest.mark.parametrize(
    "text",
    [
        "Two women buy heroin and crack off a man on a moped",
        "Lads buy crack and spice off the bloke by the bins",
    ],
)
def test_buying_two_named_drugs_off_someone_is_selling(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Customers at our pub keep lighting up spliffs in the beer garden",
        "A customer was vaping something that stank of weed in our waiting room",
        "Customers go round the back of the takeaway to smoke cannabis after closing",
    ],
)
def test_a_businesss_customers_only_smoking_is_drug_use(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "drug_use"


def test_a_dealers_customers_are_still_selling(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "His customers pull up by the bins and he hands them weed")
    assert got.category == "street_dealing"


@pytest.mark.parametrize(
    "text",
    [
        "Someone stuck a skimmer on the cash machine by the co-op",
        "Card skimming kit found on the cash machine at the garage, cash and cards taken",
    ],
)
def test_food_banks_and_card_skimmers_are_not_drugs(taxonomy: Taxonomy, text: str) -> None:
    assert run(taxonomy, text).category == "other"
