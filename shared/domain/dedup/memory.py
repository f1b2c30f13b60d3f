"""The dedup index in memory, for the CLI and tests: same decision, no database."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.model import Corroboration, Family

from . import decide
from .keys import DedupKeys
from .store import Candidate, Entry, Link, cluster_id


def _time(entry: Entry) -> datetime:
    return entry.received_at


def _candidate(entry: Entry) -> Candidate:
    return Candidate(
        entry.tip_id, entry.received_at, entry.family, entry.lat, entry.lon, entry.cluster
    )


class _Buckets:
    """Entries under a key, each bucket sorted by time so a window is a bisect, not a scan."""

    def __init__(self) -> None:
        self._by_key: dict[Hashable, list[Entry]] = {}

    def add(self, key: Hashable, entry: Entry) -> None:
        insort(self._by_key.setdefault(key, []), entry, key=_time)

    def window(self, key: Hashable, since: datetime, until: datetime) -> list[Entry]:
        bucket = self._by_key.get(key)
        if not bucket:
            return []
        lo = bisect_left(bucket, since, key=_time)
        hi = bisect_right(bucket, until, key=_time)
        return bucket[lo:hi]


class IndexedTips:
    """Indexed tips by fingerprint, cell, place and identifier, answering the bounded lookups.

    Duplicates are found by fingerprint only; the other lookups see distinct tips alone.
    """

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self._fingerprints = _Buckets()
        self._cells = _Buckets()
        self._places = _Buckets()
        self._identifiers = _Buckets()

    def add(self, entry: Entry, identifiers: Sequence[str]) -> None:
        """Index one decided tip under its keys."""
        self.entries[entry.tip_id] = entry
        self._fingerprints.add(entry.fingerprint, entry)
        if entry.duplicate_of is not None:
            return
        if entry.cell is not None:
            self._cells.add((entry.cell, entry.family), entry)
        if entry.place:
            self._places.add((entry.place, entry.family), entry)
        for key in identifiers:
            self._identifiers.add(key, entry)

    def same_fingerprint(self, fingerprint: str, since: datetime, until: datetime) -> list[Entry]:
        """Tips (duplicates included) with this fingerprint received in [since, until]."""
        return self._fingerprints.window(fingerprint, since, until)

    def near(
        self, cells: Sequence[int], family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        """Distinct tips of a family in these cells (the caller measures the distance)."""
        return [
            _candidate(e)
            for cell in cells
            for e in self._cells.window((cell, family), since, until)
        ]

    def at_place(
        self, place: str, family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        """Distinct tips of a family naming this place."""
        return [_candidate(e) for e in self._places.window((place, family), since, until)]

    def sharing(
        self, keys: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, Candidate]]:
        """(identifier key, tip) for distinct tips recorded under any of these keys."""
        return [(k, _candidate(e)) for k in keys for e in self._identifiers.window(k, since, until)]


@dataclass
class ClusterState:
    """One cluster: its size, when it was first and last seen, and where it was merged to."""

    id: str
    size: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    merged_into: str | None = None
    members: list[str] = field(default_factory=list)
    # Clusters that now point here, so a later merge re-points them without a scan.
    absorbed: list[str] = field(default_factory=list)


class InMemoryIndex:
    """A DedupIndex held in dictionaries; cluster ids are "c1", "c2", ... in creation order."""

    def __init__(self) -> None:
        self._tips = IndexedTips()
        self._entries = self._tips.entries
        self._links: dict[str, list[Link]] = {}
        self._clusters: dict[str, ClusterState] = {}
        self._keys_of: dict[str, tuple[str, ...]] = {}

    # DedupIndex

    def corroborate(self, keys: DedupKeys) -> Corroboration:
        """Decide and record a tip; a second call for the same tip id changes nothing."""
        return decide.corroborate(self, keys)

    def cluster_size(self, cluster: str) -> int:
        """Distinct non-duplicate tips in a cluster now, following merges."""
        return self.size(self.resolve(cluster))

    def cluster_of(self, tip_id: str) -> str | None:
        """Current cluster of a tip, or None if it is not indexed."""
        entry = self._entries.get(tip_id)
        return None if entry is None else self.resolve(entry.cluster)

    # Read-outs for tools that copy an index (the benchmark) or compare two.

    def entries(self) -> Iterator[Entry]:
        """Every indexed tip, in the order indexed."""
        return iter(self._entries.values())

    def clusters(self) -> Iterator[ClusterState]:
        """Every cluster ever created, merged ones included, in creation order."""
        return iter(self._clusters.values())

    def identifiers_of(self, tip_id: str) -> tuple[str, ...]:
        """Identifier keys recorded for a tip."""
        return self._keys_of.get(tip_id, ())

    # DedupStore

    def entry(self, tip_id: str) -> Entry | None:
        return self._entries.get(tip_id)

    def links(self, tip_id: str) -> list[Link]:
        return list(self._links.get(tip_id, ()))

    def same_fingerprint(self, fingerprint: str, since: datetime, until: datetime) -> list[Entry]:
        return self._tips.same_fingerprint(fingerprint, since, until)

    def near(
        self,
        cells: Sequence[int],
        box: tuple[float, float, float, float],
        family: Family,
        since: datetime,
        until: datetime,
    ) -> list[Candidate]:
        return self._tips.near(cells, family, since, until)

    def at_place(
        self, place: str, family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        return self._tips.at_place(place, family, since, until)

    def sharing(
        self, keys: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, Candidate]]:
        return self._tips.sharing(keys, since, until)

    def resolve(self, cluster: str) -> str:
        state = self._clusters[cluster]
        while state.merged_into is not None:
            state = self._clusters[state.merged_into]
        return state.id

    def size(self, cluster: str) -> int:
        return self._clusters[cluster].size

    def new_cluster(self) -> str:
        cid = cluster_id(len(self._clusters) + 1)
        self._clusters[cid] = ClusterState(cid)
        return cid

    def merge(self, keep: str, absorbed: Sequence[str]) -> None:
        target = self._clusters[keep]
        for cid in absorbed:
            state = self._clusters[cid]
            for tip_id in state.members:
                self._entries[tip_id].cluster = keep
            target.members.extend(state.members)
            state.members = []
            target.size += state.size
            target.first_seen = _earliest(target.first_seen, state.first_seen)
            target.last_seen = _latest(target.last_seen, state.last_seen)
            state.merged_into = keep
            # Clusters merged into this one before now point straight at keep.
            for earlier in state.absorbed:
                self._clusters[earlier].merged_into = keep
            target.absorbed.extend([*state.absorbed, cid])
            state.absorbed = []

    def add(self, entry: Entry, identifiers: Sequence[str], links: Sequence[Link]) -> None:
        self._tips.add(entry, identifiers)
        self._links[entry.tip_id] = list(links)
        state = self._clusters[entry.cluster]
        state.members.append(entry.tip_id)
        state.first_seen = _earliest(state.first_seen, entry.received_at)
        state.last_seen = _latest(state.last_seen, entry.received_at)
        if entry.duplicate_of is not None:
            self._entries[entry.duplicate_of].duplicate_count += 1
            return
        state.size += 1
        self._keys_of[entry.tip_id] = tuple(identifiers)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)
