"""Skipping phrase lists by required words: what is proven, and that skipping never loses a match."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.classify import Taxonomy
from shared.domain.classify.literals import LiteralIndex, required_literals
from shared.domain.classify.text import Document
from shared.domain.model import TipFacts

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    ("pattern", "flags", "want"),
    [
        (r"county[- ]?lines?", 0, {"county"}),
        (r"(?:crack|coke|weed)", 0, {"crack", "coke", "weed"}),
        (r"(?:big )?deal(?:s|ing)?", 0, {"deal"}),
        (r"sells? (?:weed|skunk)", 0, {"sell"}),  # one word of four beats either of two
        (r"(?:sells?|deals?) (?:crack|coke)", 0, {"sell", "deal"}),
        (r"(?:drug|cash)+ runner", 0, {" runner"}),
        (r"Crack House", re.IGNORECASE, {"crack house"}),
        (r"(?<!\w)(?:nine bar)(?!\w)", 0, {"nine bar"}),
    ],
)
def test_required_words_are_proven(pattern: str, flags: int, want: set[str]) -> None:
    assert required_literals(re.compile(pattern, flags)) == want


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:crack|\d{1,2})",  # one branch needs no word
        r"(?:big )*ok",  # a repeat that may be absent and a word too short to filter
        r"(?i:CRACK)",  # inline flags change what matches
        r"[a-z]+in",
    ],
)
def test_nothing_is_claimed_when_nothing_is_certain(pattern: str) -> None:
    assert required_literals(re.compile(pattern)) is None


def test_a_text_without_the_words_is_skipped_and_one_with_them_is_not() -> None:
    coke = re.compile(r"sells? (?:coke|crack)")
    digits = re.compile(r"\d{2} years")
    index = LiteralIndex([coke, digits])
    assert len(index) == 2
    assert index.screen("he buys crack").cannot_match(coke)
    assert not index.screen("he sells weed").cannot_match(coke)  # only "sell" is required
    assert not index.screen("she is 14 years").cannot_match(digits)
    unknown = re.compile("anything")
    assert not index.screen("nothing here").cannot_match(unknown)  # not indexed: always run


def test_case_folding_outside_ascii_is_never_skipped() -> None:
    # Case-insensitive matching folds the long s to s, which lower() does not.
    sell = re.compile("Sell", re.IGNORECASE)
    index = LiteralIndex([sell])
    assert sell.search("\u017fell") is not None
    assert not index.screen("\u017fell").cannot_match(sell)
    assert index.screen("buy").cannot_match(sell)


@given(st.text(alphabet="sel crakodwhin0123456789-\u017f", max_size=40))
@settings(max_examples=300, deadline=None)
def test_skipping_agrees_with_the_regex(text: str) -> None:
    patterns = [
        re.compile(r"sells? (?:coke|crack)"),
        re.compile(r"(?:dealer|crack)\s?\d+"),
        re.compile(r"SELL", re.IGNORECASE),
        re.compile(r"(?:wee|seed)+d"),
    ]
    screen = LiteralIndex(patterns).screen(text)
    for regex in patterns:
        if screen.cannot_match(regex):
            assert regex.search(text) is None, regex.pattern


def test_shipped_phrase_lists_are_skipped_only_when_they_cannot_match() -> None:
    taxonomy = Taxonomy.load(with_model=False)
    assert len(taxonomy.literals) >= 50
    cues = [*taxonomy.indicators, *(c for cues in taxonomy.flag_cues.values() for c in cues)]
    for person in taxonomy.persons:
        cues += [*person.mentions, *person.involved, *person.nearby]
    skipped = 0
    for name in ("heldout14_tips", "heldout16_tips"):
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            doc = Document(
                TipFacts(
                    description=row["description"],
                    received_at=datetime(2025, 6, 1, tzinfo=UTC),
                    when_text=row.get("when_text"),
                    people=row.get("people"),
                ),
                taxonomy,
            )
            for cue in cues:
                if doc.screen.cannot_match(cue.regex):
                    skipped += 1
                    assert cue.regex.search(doc.text) is None, (cue.id, row["description"])
    assert skipped > 10_000  # the index really does skip most lists
