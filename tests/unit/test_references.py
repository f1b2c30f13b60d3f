"""Tip references: shape, randomness, read-aloud tolerance."""

from __future__ import annotations

import re

from shared.references import ALPHABET, new_reference, normalise_reference


def test_references_are_crockford_and_distinct() -> None:
    refs = {new_reference() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(re.fullmatch(r"TL-[0-9A-Z]{4}-[0-9A-Z]{4}", ref) for ref in refs)
    assert not set("ILOU") & set("".join(refs).replace("TL-", "").replace("-", ""))
    assert len(ALPHABET) == 32


def test_references_typed_or_read_aloud_normalise() -> None:
    ref = "TL-7K3M-Q9XD"
    assert normalise_reference("tl 7k3m q9xd") == ref
    assert normalise_reference("TL-7K3M-Q9XD") == ref
    assert normalise_reference("TL-OO1L-0000") == "TL-0011-0000"
    assert normalise_reference("TL-123") is None
    assert normalise_reference("XX-1234-5678") is None


def test_every_character_of_a_reference_is_random() -> None:
    refs = [new_reference().replace("TL-", "").replace("-", "") for _ in range(3000)]
    for position in range(8):
        # 3,000 draws from 32 symbols miss one with odds of about 32 * (31/32)**3000.
        assert {ref[position] for ref in refs} == set(ALPHABET)
