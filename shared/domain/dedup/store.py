"""What an index must store and look up for the decision; in memory or in SQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.domain.model import Corroboration, Family, Reason

from .keys import DedupKeys


@dataclass(slots=True)
class Entry:
    """One indexed tip as the decision sees it."""

    tip_id: str
    received_at: datetime
    fingerprint: str
    family: Family
    ward_code: str | None
    lat: float | None
    lon: float | None
    place: str | None
    location_key: str | None
    cluster: str
    cell: int | None = None
    duplicate_of: str | None = None
    duplicate_count: int = 0
    # The answer given when the tip was decided, returned unchanged if it is indexed again.
    decided_cluster: str = ""
    decided_size: int = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A distinct (non-duplicate) indexed tip that may corroborate a new one: only what that
    decision reads, so SQL can answer from an index alone."""

    tip_id: str
    received_at: datetime
    family: Family
    lat: float | None
    lon: float | None
    cluster: str


@dataclass(frozen=True)
class Link:
    """A reason recorded against a tip, with the earlier tip it links to (None for a merge)."""

    linked_tip_id: str | None
    reason: Reason


def cluster_id(number: int) -> str:
    """The public id of the cluster created number-th: "c1", "c2", ..."""
    return f"c{number}"


def cluster_number(cluster: str) -> int:
    """Creation number of a cluster id; lower is older. Raises KeyError for a malformed id."""
    if not cluster.startswith("c") or not cluster[1:].isdigit():
        raise KeyError(cluster)
    return int(cluster[1:])


class DedupStore(Protocol):
    """Bounded lookups and writes the decision runs on. Every lookup is by key and time range."""

    def entry(self, tip_id: str) -> Entry | None:
        """The indexed tip, or None."""

    def links(self, tip_id: str) -> list[Link]:
        """Reasons recorded for a tip, in the order they were given."""

    def same_fingerprint(self, fingerprint: str, since: datetime, until: datetime) -> list[Entry]:
        """Tips (duplicates included) with this fingerprint received in [since, until]."""

    def near(
        self,
        cells: Sequence[int],
        box: tuple[float, float, float, float],
        family: Family,
        since: datetime,
        until: datetime,
    ) -> list[Candidate]:
        """Non-duplicate tips of a family in these cells and box (lat_lo, lat_hi, lon_lo, lon_hi)."""

    def at_place(
        self, place: str, family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        """Non-duplicate tips of a family naming this place."""

    def sharing(
        self, keys: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, Candidate]]:
        """(identifier key, tip) for non-duplicate tips recorded under any of these keys."""

    def resolve(self, cluster: str) -> str:
        """The cluster a cluster id now stands for, following merges. KeyError if unknown."""

    def size(self, cluster: str) -> int:
        """Distinct non-duplicate tips in a current (resolved) cluster."""

    def new_cluster(self) -> str:
        """Create an empty cluster; ids are cluster_id(n) with n rising in creation order."""

    def merge(self, keep: str, absorbed: Sequence[str]) -> None:
        """Fold current clusters into keep, updating only their members and merge pointers."""

    def add(self, entry: Entry, identifiers: Sequence[str], links: Sequence[Link]) -> None:
        """Record a decided tip: its entry, identifier keys and links; update its cluster and,
        for a duplicate, the original's duplicate count."""


class DedupIndex(Protocol):
    """The duplicate and cluster index every caller codes against."""

    def corroborate(self, keys: DedupKeys) -> Corroboration:
        """Decide and record a tip; a second call for the same tip id returns the stored outcome."""

    def cluster_size(self, cluster: str) -> int:
        """Distinct non-duplicate tips in a cluster now, following merges."""

    def cluster_of(self, tip_id: str) -> str | None:
        """Current cluster of a tip, following merges; None if the tip is not indexed."""
