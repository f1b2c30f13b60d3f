"""Exact duplicates and corroboration clusters (SPEC section 6), as pure functions and an index.

The decision lives in `decide` and runs over any `DedupStore`: `InMemoryIndex` here for the CLI
and tests, and the SQL index in `shared.store.dedup_index` for the workers, so both give the same
answers. Identifiers are only ever seen here as keyed hashes.
"""

from shared.domain.dedup.decide import corroborate
from shared.domain.dedup.geo import cell_of, haversine_m, neighbour_cells
from shared.domain.dedup.keys import DedupKeys, identifier_key, keys_for
from shared.domain.dedup.memory import InMemoryIndex
from shared.domain.dedup.normalise import normalise_phone, normalise_registration, normalise_text
from shared.domain.dedup.store import DedupIndex, DedupStore, Entry, Link

__all__ = [
    "DedupIndex",
    "DedupKeys",
    "DedupStore",
    "Entry",
    "InMemoryIndex",
    "Link",
    "cell_of",
    "corroborate",
    "haversine_m",
    "identifier_key",
    "keys_for",
    "neighbour_cells",
    "normalise_phone",
    "normalise_registration",
    "normalise_text",
]
