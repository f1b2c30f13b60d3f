"""The duplicate and cluster decision for one tip, run over any DedupStore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.domain.model import Corroboration, Reason

from . import rules
from .geo import bounding_box, neighbour_cells
from .keys import PHONE, DedupKeys, identifier_kind
from .store import Candidate, DedupStore, Entry, Link, cluster_number


@dataclass(frozen=True)
class Lookups:
    """The bounded lookups deciding a tip makes, so an index can answer them all at once."""

    fingerprint: tuple[str, datetime, datetime]
    near: tuple[tuple[int, ...], tuple[float, float, float, float], str, datetime, datetime] | None
    place: tuple[str, str, datetime, datetime] | None
    sharing: tuple[tuple[str, ...], datetime, datetime] | None


def lookups(keys: DedupKeys) -> Lookups:
    """The arguments `corroborate` passes to each DedupStore lookup for this tip."""
    t = keys.received_at
    dup = rules.DUPLICATE_WINDOW
    near = place = sharing = None
    window = rules.CLUSTER_WINDOW
    if keys.family in rules.PLACE_FAMILIES:
        if keys.lat is not None and keys.lon is not None:
            cells = tuple(neighbour_cells(keys.lat, keys.lon, rules.NEAR_M))
            box = bounding_box(keys.lat, keys.lon, rules.NEAR_M)
            near = (cells, box, keys.family, t - window, t + window)
        if keys.place:
            place = (keys.place, keys.family, t - window, t + window)
    if keys.identifiers:
        ident = rules.IDENTIFIER_WINDOW
        sharing = (tuple(keys.identifiers), t - ident, t + ident)
    return Lookups((keys.fingerprint, t - dup, t + dup), near, place, sharing)


@dataclass(frozen=True)
class _Match:
    """An earlier tip that links to the new one under a rule."""

    rule: str
    other: Candidate
    cluster: str
    gap: float  # seconds between the two tips, for picking the closest
    distance: float | None = None


def corroborate(store: DedupStore, keys: DedupKeys) -> Corroboration:
    """Decide whether a tip duplicates or corroborates indexed tips, record it, say why."""
    existing = store.entry(keys.tip_id)
    if existing is not None:
        return stored_outcome(store, existing)
    duplicate = _find_original(store, keys)
    if duplicate is not None:
        return _record_duplicate(store, keys, *duplicate)
    return _record_distinct(store, keys)


def stored_outcome(store: DedupStore, entry: Entry) -> Corroboration:
    """The outcome given when an indexed tip was decided (cluster_of follows later merges)."""
    return Corroboration(
        duplicate_of=entry.duplicate_of,
        cluster=entry.decided_cluster,
        cluster_size=entry.decided_size,
        reasons=tuple(link.reason for link in store.links(entry.tip_id)),
    )


def _entry(keys: DedupKeys, cluster: str, duplicate_of: str | None, size: int) -> Entry:
    return Entry(
        tip_id=keys.tip_id,
        received_at=keys.received_at,
        fingerprint=keys.fingerprint,
        family=keys.family,
        ward_code=keys.ward_code,
        lat=keys.lat,
        lon=keys.lon,
        place=keys.place,
        location_key=keys.location_key,
        cluster=cluster,
        cell=keys.cell,
        duplicate_of=duplicate_of,
        decided_cluster=cluster,
        decided_size=size,
    )


def _order(entry: Entry) -> tuple[datetime, str]:
    return entry.received_at, entry.tip_id


def _find_original(store: DedupStore, keys: DedupKeys) -> tuple[Entry, Entry, str] | None:
    """(original, the tip matched, where) for an exact duplicate, else None."""
    t = keys.received_at
    window = rules.DUPLICATE_WINDOW
    matches: list[tuple[Entry, str]] = []
    for cand in store.same_fingerprint(*lookups(keys).fingerprint):
        if cand.tip_id == keys.tip_id or not rules.within(t, cand.received_at, window):
            continue
        where = rules.same_place(keys, cand)
        if where is not None:
            matches.append((cand, where))
    if not matches:
        return None
    # A repeat of a repeat links to the first original, never to another duplicate.
    roots: dict[str, Entry] = {}
    for cand, _ in matches:
        root_id = cand.duplicate_of or cand.tip_id
        if root_id not in roots:
            roots[root_id] = cand if cand.duplicate_of is None else _must(store, root_id)
    original = min(roots.values(), key=_order)
    mine = [(c, w) for c, w in matches if (c.duplicate_of or c.tip_id) == original.tip_id]
    matched, where = min(
        mine,
        key=lambda cw: (
            cw[0].duplicate_of is not None,
            abs((t - cw[0].received_at).total_seconds()),
            cw[0].tip_id,
        ),
    )
    return original, matched, where


def _must(store: DedupStore, tip_id: str) -> Entry:
    entry = store.entry(tip_id)
    if entry is None:
        raise LookupError(f"dedup index lost original tip {tip_id}")
    return entry


def _record_duplicate(
    store: DedupStore, keys: DedupKeys, original: Entry, matched: Entry, where: str
) -> Corroboration:
    t = keys.received_at
    detail = f"Same description as a tip {rules.when(t, matched.received_at)}, {where}"
    evidence: tuple[str, ...] = (matched.tip_id,)
    if matched.tip_id != original.tip_id:
        detail += f" (itself a repeat of a tip {rules.when(t, original.received_at)})"
        evidence = (matched.tip_id, original.tip_id)
    reason = Reason(rules.EXACT, detail, evidence)
    cluster = store.resolve(original.cluster)
    entry = _entry(keys, cluster, original.tip_id, store.size(cluster))
    store.add(entry, (), (Link(matched.tip_id, reason),))
    return Corroboration(
        duplicate_of=original.tip_id,
        cluster=cluster,
        cluster_size=entry.decided_size,
        reasons=(reason,),
    )


def _matches(store: DedupStore, keys: DedupKeys) -> list[_Match]:
    """Every earlier distinct tip this one corroborates, under each rule that links them."""
    t = keys.received_at
    found: list[_Match] = []
    resolved: dict[str, str] = {}

    def add(rule: str, other: Candidate, distance: float | None = None) -> None:
        if other.tip_id == keys.tip_id:
            return
        if other.cluster not in resolved:
            resolved[other.cluster] = store.resolve(other.cluster)
        gap = abs((t - other.received_at).total_seconds())
        found.append(_Match(rule, other, resolved[other.cluster], gap, distance))

    planned = lookups(keys)
    if planned.near is not None:
        cells, box, _, since, until = planned.near
        for other in store.near(cells, box, keys.family, since, until):
            d = rules.distance_m(keys, other)
            if rules.is_near(d) and rules.within(t, other.received_at, rules.CLUSTER_WINDOW):
                add(rules.NEAR, other, d)
    if planned.place is not None:
        for other in store.at_place(keys.place or "", keys.family, *planned.place[2:]):
            if rules.within(t, other.received_at, rules.CLUSTER_WINDOW):
                add(rules.PLACE, other)
    if planned.sharing is not None:
        for key, other in store.sharing(keys.identifiers, *planned.sharing[1:]):
            if rules.within(t, other.received_at, rules.IDENTIFIER_WINDOW):
                add(rules.PHONE if identifier_kind(key) == PHONE else rules.VEHICLE, other)
    return found


def _describe(keys: DedupKeys, match: _Match) -> Reason:
    other = match.other
    ago = rules.when(keys.received_at, other.received_at)
    if match.rule == rules.NEAR:
        d = round(match.distance or 0.0)
        detail = f"Within {d} m of another {rules.family_word(other.family)} tip {ago}"
        return Reason(match.rule, detail, (other.tip_id, f"{d} m"))
    if match.rule == rules.PLACE:
        place = keys.place or ""
        detail = (
            f"Names the same place ({rules.place_label(place)}) as another "
            f"{rules.family_word(other.family)} tip {ago}"
        )
        return Reason(match.rule, detail, (other.tip_id, place))
    what = "a phone number" if match.rule == rules.PHONE else "a vehicle registration"
    # Never the identifier itself: only that one is shared, and with which tip.
    return Reason(match.rule, f"Shares {what} with a tip {ago}", (other.tip_id,))


def _record_distinct(store: DedupStore, keys: DedupKeys) -> Corroboration:
    found = _matches(store, keys)
    # One reason per rule per linked cluster: the closest tip in time (then in distance).
    best: dict[tuple[str, str], _Match] = {}
    for m in found:
        key = (m.cluster, m.rule)
        rank = (m.gap, m.distance or 0.0, m.other.tip_id)
        held = best.get(key)
        if held is None or rank < (held.gap, held.distance or 0.0, held.other.tip_id):
            best[key] = m
    clusters = sorted({m.cluster for m in found}, key=cluster_number)
    links = [
        Link(m.other.tip_id, _describe(keys, m))
        for m in sorted(
            best.values(),
            key=lambda m: (cluster_number(m.cluster), rules.RULE_ORDER.index(m.rule)),
        )
    ]
    if clusters:
        keep, absorbed = clusters[0], clusters[1:]
        if absorbed:
            store.merge(keep, absorbed)
            names = ", ".join(absorbed)
            detail = f"Links {len(clusters)} clusters: {names} merged into {keep}"
            links.append(Link(None, Reason(rules.MERGE, detail, (keep, *absorbed))))
    else:
        keep = store.new_cluster()
    # The merge (if any) is done, so the cluster's size is known before this tip joins it.
    entry = _entry(keys, keep, None, store.size(keep) + 1)
    store.add(entry, keys.identifiers, links)
    return Corroboration(
        duplicate_of=None,
        cluster=keep,
        cluster_size=entry.decided_size,
        reasons=tuple(link.reason for link in links),
    )
