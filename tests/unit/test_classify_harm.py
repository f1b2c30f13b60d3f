"""Weapons, violence and "happening now" as reporters put them."""

from __future__ import annotations

import pytest

from shared.domain.classify import Taxonomy
from tests.support.classify import run


@pytest.mark.parametrize(
    "text",
    [
        "The guy who sells by the garages keeps a lump hammer in his rucksack",
        "Bloke outside the pub swinging an iron bar about, he was dealing earlier too",
        "One of the lads dealing on the estate has a steel baton down his trousers",
    ],
)
def test_a_weapon_carried_or_swung_is_named_with_a_describing_word(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "weapon" in run(taxonomy, text).flags


def test_a_bar_that_is_a_place_is_no_weapon(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "I was chatting with the bar staff about the dealing outside")
    assert "weapon" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "He hit the lad round the back of the head with a bottle outside the crack house",
        "One of them struck the other man across the face with a chain",
        "The dealer smashed him over the head with a brick by the garages",
    ],
)
def test_something_struck_with_where_it_landed_is_said_between(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "weapon" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "The dealer told me he'd bring a knife next time if I kept complaining",
        "My neighbour said he would come back with a gun, he was not holding anything",
        "Lad who deals said he'll fetch his machete and sort me out",
    ],
)
def test_a_threat_to_fetch_a_weapon_is_no_weapon_seen(taxonomy: Taxonomy, text: str) -> None:
    assert "weapon" not in run(taxonomy, text).flags


def test_a_weapon_seen_beside_a_threat_still_counts(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "He said he would stab me and pulled a knife out of his pocket")
    assert {"weapon", "violence"} <= set(got.flags)


@pytest.mark.parametrize(
    "text",
    [
        "A boy took his knife out on the bus and was showing it off",
        "Teen got a knife out on the platform to impress the other lads",
        "A kid pulled his blade out on the stairs to show his friends",
    ],
)
def test_a_knife_got_out_somewhere_to_show_off_threatens_no_one(
    taxonomy: Taxonomy, text: str
) -> None:
    assert run(taxonomy, text).flags == ("weapon",)


def test_a_knife_got_out_on_a_person_is_a_threat(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "He got a knife out on a lad who owed him")
    assert {"weapon", "violence"} <= set(got.flags)


@pytest.mark.parametrize(
    "text",
    [
        "Dealing on the corner while I'm typing this message",
        "As we're texting you they're handing bags over at the bus stop",
        "Whilst I type this there's a car outside doing swaps",
    ],
)
def test_typing_while_it_happens_is_in_progress(taxonomy: Taxonomy, text: str) -> None:
    assert "in_progress" in run(taxonomy, text).flags


def test_while_i_am_writing_to_change_the_subject_is_not_now(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "While I'm writing, can I also mention the dealing last summer on the green"
    )
    assert "in_progress" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "The man selling weed on the corner told the caretaker he'd smash his face in if he called "
        "anyone",
        "One of the dealers at the flat warned my lodger they would bash his head in if he talked",
        "The runner who sells crack by the garages got his face kicked in last week over money",
    ],
)
def test_harm_to_someones_face_or_head_done_or_promised(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_knocking_ones_own_head_is_no_violence(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "The lad dealing weed knocked his head on the cupboard door, he was so stoned"
    )
    assert "violence" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "Men from the grow house beat the neighbour who complained about the cannabis smell",
        "The dealers at number 8 are beating this young lad who owes them for weed",
        "Two men beat three customers outside the crack house last night",
    ],
)
def test_beating_a_described_person_is_violence(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_beating_the_traffic_is_no_violence(taxonomy: Taxonomy) -> None:
    got = run(
        taxonomy, "The dealer drives off early to beat the traffic, then sells weed at the shops"
    )
    assert "violence" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "A dealer outside the chippy pulled a kitchen knife on a customer who was short",
        "The lad selling coke flashed a big blade at my brother when he asked him to move",
        "He pulled a small pistol on the buyer right there by the garages, then carried on selling",
    ],
)
def test_a_weapon_pulled_on_someone_with_a_describing_word(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Lads dealing crack by the garages, one with a bat told me to clear off or I'd get it",
        "The dealers at the flat said we had to stop filming or we'd get hurt",
        "A man selling weed on the path told me to keep my mouth shut or I'll get a kicking",
    ],
)
def test_a_threat_to_the_reporter_made_as_a_condition(taxonomy: Taxonomy, text: str) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_a_condition_with_no_harm_in_it_is_no_threat(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "I had to park quickly by the dealing spot or I'd get it wrong and be late")
    assert "violence" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "The dealer on the landing said he would slash my brother if he saw him again",
        "The lads selling weed by the shop told my dad they'd 'do him in' if he rang the police",
        "They deal crack outside and said they'll put our windows through if we report them",
    ],
)
def test_a_threat_promised_in_reported_speech_or_on_a_condition(
    taxonomy: Taxonomy, text: str
) -> None:
    assert "violence" in run(taxonomy, text).flags


def test_a_window_smashed_by_a_football_is_no_threat(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "Kids smashed the window with a football. People smoke weed on the green")
    assert "violence" not in got.flags


@pytest.mark.parametrize(
    "text",
    [
        "lads dealin by the chippy rn, passing bags thru car windows",
        "man selling coke outside the pub rn can see him from my window",
        "theres a car park up rn with people going up to it buying weed",
    ],
)
def test_text_speak_rn_is_in_progress(taxonomy: Taxonomy, text: str) -> None:
    assert "in_progress" in run(taxonomy, text).flags


def test_a_registered_nurse_is_not_now(taxonomy: Taxonomy) -> None:
    got = run(taxonomy, "I'm an RN at Addenbrookes and a man deals weed by the staff car park")
    assert "in_progress" not in got.flags
