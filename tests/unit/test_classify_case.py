"""Tips are read in lower case whatever the reporter typed, and phrases match them either way."""

from __future__ import annotations

import re

import pytest

from shared.domain.classify import Taxonomy
from tests.support.classify import run


@pytest.mark.parametrize(
    "description",
    [
        "LADS DEALING CRACK FROM A CAR OUTSIDE THE SHOPS EVERY NIGHT",
        "Lads Dealing Crack From A Car Outside The Shops Every Night",
        # A letter whose lower case is longer ("İ" -> "i̇") must not stop the rest being read.
        "İSTANBUL KEBAB: LADS DEALING CRACK FROM A CAR OUTSIDE EVERY NIGHT",
    ],
)
def test_capitals_read_like_lower_case(taxonomy: Taxonomy, description: str) -> None:
    expected = run(taxonomy, description.lower())
    got = run(taxonomy, description)
    assert got.category == expected.category == "street_dealing"
    assert got.flags == expected.flags
    # Evidence quotes the reporter's own words, capitals and all.
    quoted = " ".join(e for r in got.reasons for e in r.evidence)
    assert "CRACK" in quoted or "Crack" in quoted


def test_a_phrase_spelt_with_capitals_still_matches_any_case(taxonomy: Taxonomy) -> None:
    """'going OT' is written in capitals in the rules; reporters write it every way."""
    for said in ("going OT", "going ot", "Going Ot"):
        got = run(taxonomy, f"Two lads {said} from London, selling crack by the flats")
        assert got.category == "county_lines", said


def test_lower_case_phrases_are_matched_without_case_folding(taxonomy: Taxonomy) -> None:
    folded = [p for p in (taxonomy.negation_before, taxonomy.hypothetical) if p.flags & re.I]
    assert folded == []
