"""The duplicate and cluster rules of SPEC section 6, edge by edge, on the in-memory index."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.dedup import DedupKeys, InMemoryIndex, keys_for
from shared.domain.dedup.geo import M_PER_DEG
from shared.domain.model import Category, Corroboration, Location, TipFacts, Vehicle

SECRET = b"test-secret"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LAT, LON = 52.2206, 0.1480  # Green End Road, East Chesterton
WARD = "E05013055"
OTHER_WARD = "E05013050"
DESC = "Two lads dealing from a silver car by the shops every night"
PHONE = "07700 900123"
REG = "AB12 CDE"


def keys(
    tip_id: str,
    *,
    at: datetime = T0,
    desc: str = DESC,
    north_m: float = 0.0,
    east_m: float = 0.0,
    ward: str | None = WARD,
    category: Category = "street_dealing",
    place: str | None = None,
    phones: tuple[str, ...] = (),
    regs: tuple[str, ...] = (),
    point: bool = True,
    location_text: str | None = None,
) -> DedupKeys:
    lat = LAT + north_m / M_PER_DEG
    lon = LON + east_m / (M_PER_DEG * math.cos(math.radians(LAT)))
    facts = TipFacts(
        description=desc,
        received_at=at,
        location_text=location_text,
        phone_numbers=phones,
        vehicles=tuple(Vehicle(registration=r) for r in regs),
    )
    location = Location(
        "latlon" if point else ("place" if ward else "none"),
        ward_code=ward,
        lat=lat if point else None,
        lon=lon if point else None,
        place=place,
    )
    return keys_for(tip_id, facts, location, category, secret=SECRET)


def run(index: InMemoryIndex, *tips: DedupKeys) -> list[Corroboration]:
    return [index.corroborate(k) for k in tips]


# Exact duplicates


def test_exact_duplicate_links_to_the_original_and_does_not_grow_the_cluster() -> None:
    index = InMemoryIndex()
    first, second = run(
        index,
        keys("a"),
        keys("b", at=T0 + timedelta(hours=3), desc=DESC.upper() + "!!", north_m=40),
    )
    assert first == Corroboration(duplicate_of=None, cluster="c1", cluster_size=1, reasons=())
    assert second.duplicate_of == "a"
    assert second.cluster == "c1" and second.cluster_size == 1
    (reason,) = second.reasons
    assert reason.rule == "dedup.exact"
    assert reason.detail == "Same description as a tip 3 h earlier, 40 m away"
    assert index.cluster_of("b") == "c1"
    assert index.cluster_size("c1") == 1
    assert index.entry("a").duplicate_count == 1  # type: ignore[union-attr]


def test_duplicate_window_is_24_hours_inclusive() -> None:
    index = InMemoryIndex()
    run(index, keys("a"))
    assert index.corroborate(keys("b", at=T0 + timedelta(hours=24))).duplicate_of == "a"
    index = InMemoryIndex()
    run(index, keys("a"))
    late = index.corroborate(keys("b", at=T0 + timedelta(hours=24, seconds=1)))
    assert late.duplicate_of is None
    # Not a duplicate, but still the same activity at the same spot: it corroborates.
    assert late.cluster == "c1" and late.cluster_size == 2
    assert [r.rule for r in late.reasons] == ["cluster.near"]


def test_duplicate_same_place_is_250_m_or_the_same_ward() -> None:
    index = InMemoryIndex()
    run(index, keys("a"))
    assert index.corroborate(keys("b", north_m=250, ward=OTHER_WARD)).duplicate_of == "a"
    index = InMemoryIndex()
    run(index, keys("a"))
    assert index.corroborate(keys("c", north_m=251, ward=OTHER_WARD)).duplicate_of is None
    # Same ward counts as the same place however far apart the points are.
    far = index.corroborate(keys("d", north_m=2000))
    assert far.duplicate_of == "a"
    assert far.reasons[0].detail.endswith("in the same ward")


def test_duplicate_of_unplaceable_tips_compares_the_location_given() -> None:
    index = InMemoryIndex()
    spot = "Behind the bins, Arbury Court"
    run(index, keys("a", point=False, ward=None, location_text=spot))
    same = index.corroborate(
        keys("b", point=False, ward=None, location_text="behind the bins arbury court")
    )
    assert same.duplicate_of == "a"
    assert same.reasons[0].detail.endswith("at the same location given")
    other = index.corroborate(keys("c", point=False, ward=None, location_text="Kings Hedges Rd"))
    assert other.duplicate_of is None
    # One placed and one not: no way to tell they are the same place.
    placed = index.corroborate(keys("d", point=False, ward=WARD, location_text=spot))
    assert placed.duplicate_of is None


def test_duplicates_of_duplicates_link_to_the_first_original() -> None:
    index = InMemoryIndex()
    _, d1, d2 = run(
        index,
        keys("o"),
        keys("d1", at=T0 + timedelta(hours=20)),
        keys("d2", at=T0 + timedelta(hours=40)),
    )
    assert d1.duplicate_of == "o" and d2.duplicate_of == "o"
    assert d2.reasons[0].evidence == ("d1", "o")
    assert "itself a repeat of a tip 40 h earlier" in d2.reasons[0].detail
    assert index.entry("o").duplicate_count == 2  # type: ignore[union-attr]
    assert index.entry("d1").duplicate_count == 0  # type: ignore[union-attr]
    assert index.cluster_size("c1") == 1


def test_duplicates_apply_to_every_category() -> None:
    index = InMemoryIndex()
    run(index, keys("a", category="other"))
    assert index.corroborate(keys("b", category="other")).duplicate_of == "a"


def test_replayed_history_earlier_than_the_original_is_still_its_duplicate() -> None:
    index = InMemoryIndex()
    run(index, keys("o", at=T0 + timedelta(hours=2)))
    replay = index.corroborate(keys("r", at=T0))
    assert replay.duplicate_of == "o"
    assert replay.reasons[0].detail == "Same description as a tip 2 h later, at the same point"


# Corroboration by place


def test_near_is_250_m_inclusive() -> None:
    index = InMemoryIndex()
    a, b, c = run(
        index,
        keys("a", desc="Dealing by the bus stop"),
        keys("b", desc="Selling weed near the shops", north_m=250, at=T0 + timedelta(days=2)),
        keys("c", desc="Someone selling outside", north_m=-251),
    )
    assert b.cluster == a.cluster == "c1" and b.cluster_size == 2
    assert b.reasons[0].rule == "cluster.near"
    assert b.reasons[0].detail == "Within 250 m of another supply tip 2 days earlier"
    assert b.reasons[0].evidence == ("a", "250 m")
    assert c.cluster == "c2" and c.cluster_size == 1


def test_near_window_is_14_days_inclusive() -> None:
    index = InMemoryIndex()
    run(index, keys("a", desc="Dealing by the bus stop"))
    on_day = index.corroborate(keys("b", desc="Selling", at=T0 + timedelta(days=14)))
    assert on_day.cluster == "c1"
    index = InMemoryIndex()
    run(index, keys("a", desc="Dealing by the bus stop"))
    late = index.corroborate(keys("b", desc="Selling", at=T0 + timedelta(days=14, seconds=1)))
    assert late.cluster == "c2"


def test_families_supply_and_use_never_corroborate_each_other() -> None:
    index = InMemoryIndex()
    supply, use, other_supply, other_use = run(
        index,
        keys("a", desc="County lines runners", category="county_lines"),
        keys("b", desc="People smoking crack", category="drug_use"),
        keys("c", desc="Smell of a cannabis farm", category="cultivation"),
        keys("d", desc="Needles left in the park", category="drug_use"),
    )
    assert supply.cluster == other_supply.cluster == "c1"
    assert use.cluster == other_use.cluster == "c2"
    assert other_use.reasons[0].detail.startswith("Within 0 m of another drug use tip")


def test_other_never_corroborates_by_place() -> None:
    index = InMemoryIndex()
    a, b = run(
        index,
        keys("a", desc="Loud party", category="other", place="street:green end road"),
        keys("b", desc="Fly tipping", category="other", place="street:green end road"),
    )
    assert a.cluster != b.cluster and b.cluster_size == 1


def test_same_named_place_links_at_any_distance() -> None:
    index = InMemoryIndex()
    a, b = run(
        index,
        keys("a", desc="Dealing by the flats", place="street:green end road"),
        keys(
            "b",
            desc="Deals done in cars",
            place="street:green end road",
            north_m=5000,
            ward=OTHER_WARD,
            at=T0 + timedelta(days=3),
        ),
    )
    assert b.cluster == a.cluster and b.cluster_size == 2
    (reason,) = b.reasons
    assert reason.rule == "cluster.place"
    assert reason.detail == (
        "Names the same place (Green End Road) as another supply tip 3 days earlier"
    )


def test_named_place_without_a_point_still_links() -> None:
    index = InMemoryIndex()
    a, b = run(
        index,
        keys("a", desc="Dealing by the flats", place="estate:bramley court", point=False),
        keys("b", desc="Dealer at the flats", place="estate:bramley court", point=False),
    )
    assert a.cluster == b.cluster
    # A ward alone never links: it is far too big an area.
    c = index.corroborate(keys("c", desc="Selling nearby", point=False))
    assert c.cluster != a.cluster


# Corroboration by identifiers


def test_shared_phone_links_any_distance_any_family_within_30_days() -> None:
    index = InMemoryIndex()
    a, b = run(
        index,
        keys("a", desc="Deal line texts", phones=(PHONE,), category="county_lines"),
        keys(
            "b",
            desc="Strange number keeps calling",
            phones=("+447700900123",),
            category="other",
            north_m=10_000,
            ward=None,
            at=T0 + timedelta(days=30),
        ),
    )
    assert b.cluster == a.cluster and b.cluster_size == 2
    (reason,) = b.reasons
    assert reason.rule == "cluster.phone"
    assert reason.detail == "Shares a phone number with a tip 30 days earlier"
    assert "7700" not in repr(reason)
    late = index.corroborate(
        keys("c", desc="Number again", phones=(PHONE,), at=T0 + timedelta(days=30, seconds=1))
    )
    # Outside 30 days of "a" but within 30 days of "b": still linked through "b".
    assert late.cluster == a.cluster
    assert late.reasons[0].evidence == ("b",)
    index = InMemoryIndex()
    run(index, keys("a", desc="Deal line texts", phones=(PHONE,)))
    alone = index.corroborate(
        keys(
            "b",
            desc="Number again",
            phones=(PHONE,),
            north_m=5000,
            at=T0 + timedelta(days=30, seconds=1),
        )
    )
    assert alone.cluster == "c2"


def test_shared_registration_links_and_never_matches_a_phone() -> None:
    index = InMemoryIndex()
    a, b, c = run(
        index,
        keys("a", desc="Silver Golf used for deals", regs=(REG,)),
        keys("b", desc="Car parked outside", regs=("ab12cde",), north_m=8000, ward=None),
        keys("c", desc="Number AB12CDE", phones=("AB12CDE00000",), north_m=-8000, ward=None),
    )
    assert b.cluster == a.cluster
    assert b.reasons[0].rule == "cluster.vehicle"
    assert b.reasons[0].detail == "Shares a vehicle registration with a tip at the same time"
    assert c.cluster != a.cluster


# Clusters


def test_a_tip_linking_two_clusters_merges_them_into_the_oldest() -> None:
    index = InMemoryIndex()
    a, b, c = run(
        index,
        keys("a", desc="Dealing at the north end"),
        keys("b", desc="Dealing at the south end", north_m=400),
        keys("c", desc="Dealing in the middle", north_m=200),
    )
    assert (a.cluster, b.cluster) == ("c1", "c2")
    assert c.cluster == "c1" and c.cluster_size == 3
    assert [r.rule for r in c.reasons] == ["cluster.near", "cluster.near", "cluster.merge"]
    assert c.reasons[-1].detail == "Links 2 clusters: c2 merged into c1"
    assert index.cluster_of("b") == "c1"
    assert index.cluster_size("c2") == 3


def test_merges_of_merged_clusters_are_followed() -> None:
    index = InMemoryIndex()
    run(
        index,
        keys("a", desc="One", north_m=0),
        keys("b", desc="Two", north_m=400),
        keys("c", desc="Three", north_m=800),
        keys("bc", desc="Joins two and three", north_m=600),  # c3 into c2
        keys("ab", desc="Joins one and two", north_m=200),  # c2 (with c3) into c1
    )
    assert {index.cluster_of(t) for t in ("a", "b", "c", "bc", "ab")} == {"c1"}
    assert index.cluster_size("c3") == 5
    assert index.resolve("c3") == "c1"


def test_duplicate_joins_the_original_cluster_after_a_merge() -> None:
    index = InMemoryIndex()
    run(
        index,
        keys("a", desc="North end"),
        keys("b", desc="South end", north_m=400),
        keys("b2", desc="South end", north_m=400, at=T0 + timedelta(hours=1)),
        keys("m", desc="Middle", north_m=200),
    )
    again = index.corroborate(keys("b3", desc="South end", north_m=400, at=T0 + timedelta(hours=2)))
    assert again.duplicate_of == "b"
    assert again.cluster == "c1" and again.cluster_size == 3
    assert index.cluster_of("b2") == "c1"


# Idempotency


def _snapshot(index: InMemoryIndex) -> object:
    return (
        [(e.tip_id, e.cluster, e.duplicate_of, e.duplicate_count) for e in index.entries()],
        [(c.id, c.size, c.first_seen, c.last_seen, c.merged_into) for c in index.clusters()],
        {e.tip_id: index.links(e.tip_id) for e in index.entries()},
    )


def test_indexing_the_same_tip_twice_gives_the_same_answer_and_changes_nothing() -> None:
    index = InMemoryIndex()
    tips = [
        keys("a", desc="North end", phones=(PHONE,)),
        keys("b", desc="South end", north_m=400),
        keys("c", desc="Middle", north_m=200),
        keys("d", desc="Middle", north_m=210, at=T0 + timedelta(hours=1)),
    ]
    first = run(index, *tips)
    before = _snapshot(index)
    assert run(index, *tips) == first
    assert _snapshot(index) == before
    # A redelivery with different keys for the same tip still returns what was decided.
    assert index.corroborate(keys("d", desc="Something else", north_m=9000)) == first[-1]
    assert _snapshot(index) == before


def test_a_repeated_call_returns_the_decision_while_lookups_follow_the_cluster() -> None:
    index = InMemoryIndex()
    a, b = run(index, keys("a", desc="North end"), keys("b", desc="South end", north_m=400))
    run(index, keys("m", desc="Middle", north_m=200))
    assert index.corroborate(keys("b", desc="South end", north_m=400)) == b
    assert (b.cluster, b.cluster_size) == ("c2", 1)
    assert index.cluster_of("b") == a.cluster == "c1"
    assert index.cluster_size(b.cluster or "") == 3


# Invariants over random histories


_tip = st.tuples(
    st.integers(0, 4),  # description
    st.integers(-3, 3),  # north, in 150 m steps
    st.integers(-72, 72 * 8),  # hours from T0
    st.sampled_from(["street_dealing", "county_lines", "drug_use", "other"]),
    st.sampled_from([None, "street:green end road"]),
    st.sampled_from([(), (PHONE,)]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_tip, min_size=1, max_size=30))
def test_clusters_hold_exactly_their_distinct_tips(history: list[tuple]) -> None:
    index = InMemoryIndex()
    outcomes = {}
    for i, (desc, step, hours, category, place, phones) in enumerate(history):
        k = keys(
            f"t{i}",
            desc=f"description {desc}",
            north_m=step * 150,
            at=T0 + timedelta(hours=hours),
            category=category,
            place=place,
            phones=phones,
        )
        outcomes[k.tip_id] = index.corroborate(k)
    sizes: dict[str, int] = {}
    for tip_id, outcome in outcomes.items():
        cluster = index.cluster_of(tip_id)
        assert cluster is not None
        if outcome.duplicate_of is None:
            sizes[cluster] = sizes.get(cluster, 0) + 1
        else:
            # Originals are never duplicates, and a duplicate sits in its original's cluster.
            assert outcomes[outcome.duplicate_of].duplicate_of is None
            assert cluster == index.cluster_of(outcome.duplicate_of)
    for cluster, size in sizes.items():
        assert index.cluster_size(cluster) == size
    for tip_id, outcome in outcomes.items():
        for reason in outcome.reasons:
            if reason.rule != "cluster.merge":
                assert index.cluster_of(reason.evidence[0]) == index.cluster_of(tip_id)
