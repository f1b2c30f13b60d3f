"""Turns the place mentions of one field into a ward, an out-of-area verdict or candidates."""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Place
from .matcher import Match

# How much each kind of mention counts when mentions disagree.
_WEIGHT = {"landmark": 1.0, "street": 1.0, "area": 0.6}
# A street whose main ward holds this share of its records is treated as in that ward.
_CLEAR_SHARE = 0.75
# A description naming districts in this many wards, and nothing more precise, is a patch.
_AREA_LIST_WARDS = 3


@dataclass(frozen=True)
class PlaceVerdict:
    """What one field says about where: located, out_of_area, ambiguous or nothing."""

    status: str  # located, out_of_area, ambiguous, none
    ward_code: str | None = None
    match: Match | None = None  # the mention that decided it
    confidence: float = 0.0
    candidates: tuple[str, ...] = ()
    spans_wards: bool = False
    disagreeing: tuple[Match, ...] = ()

    @property
    def place(self) -> Place | None:
        return self.match.phrase.place if self.match else None


def _connected(codes: set[str], adjacent: dict[str, frozenset[str]]) -> bool:
    if len(codes) <= 1:
        return True
    start = next(iter(codes))
    seen, todo = {start}, [start]
    while todo:
        for nxt in adjacent[todo.pop()] & codes:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen == codes


def is_ambiguous(place: Place, adjacent: dict[str, frozenset[str]]) -> bool:
    """A name that means different spots in different wards (not one long street)."""
    if len(place.wards) <= 1 or place.wards[0][1] >= _CLEAR_SHARE:
        return False
    if place.kind == "area":
        return True
    return not _connected({c for c, s in place.wards if s >= 0.1}, adjacent)


def _area_list(matches: list[Match]) -> bool:
    """Only districts are named, and they fall in three or more different wards."""
    if any(m.phrase.place.kind != "area" for m in matches):
        return False
    return len({m.phrase.place.main_ward for m in matches}) >= _AREA_LIST_WARDS


# Words that name a kind of facility every town has ("the railway station", "bus station"): a
# landmark written only with these is Cambridge's only when no other town is named beside it.
_FACILITY_WORDS = frozenset(
    [
        "the",
        "railway",
        "train",
        "rail",
        "bus",
        "coach",
        "station",
        "stn",
        "hospital",
        "police",
        "library",
        "leisure",
        "centre",
        "center",
        "shopping",
        "retail",
        "park",
        "market",
        "town",
        "city",
        "college",
        "school",
        "university",
    ]
)


def _specific_landmark(m: Match) -> bool:
    return m.phrase.place.kind == "landmark" and not set(m.phrase.words) <= _FACILITY_WORDS


def _base_confidence(m: Match) -> float:
    kind = m.phrase.place.kind
    conf = {"landmark": 0.9, "street": 0.85, "area": 0.7}.get(kind, 0.7)
    return conf - (0.1 if m.fuzzy else 0.0)


def judge(
    matches: list[Match],
    adjacent: dict[str, frozenset[str]],
    *,
    town_qualifies: bool,
    extra: list[Match] | None = None,
) -> PlaceVerdict:
    """Weigh the mentions of a field; `extra` mentions (from elsewhere) only settle ties."""
    towns = [m for m in matches if m.phrase.place.kind == "out_of_area"]
    inside = [m for m in matches if m.phrase.place.kind != "out_of_area"]
    has_landmark = any(_specific_landmark(m) for m in inside)
    if towns and (not inside or (town_qualifies and not has_landmark)):
        # "High Street, Histon": the town says which High Street.
        return PlaceVerdict("out_of_area", match=towns[0], confidence=0.8)
    if not inside:
        return PlaceVerdict("none")

    if not town_qualifies and _area_list(inside):
        # "Arbury, Kings Hedges, Chesterton": a description listing districts names a patch
        # (where a line delivers), not the spot.
        return PlaceVerdict("none")

    clear = [m for m in inside if not is_ambiguous(m.phrase.place, adjacent)]
    vague = [m for m in inside if m not in clear]
    helpers = [m for m in (extra or []) if m.phrase.place.kind != "out_of_area"]

    if clear:
        scores: dict[str, float] = {}
        for m in clear:
            w = _WEIGHT.get(m.phrase.place.kind, 0.6)
            for code, share in m.phrase.place.wards:
                scores[code] = scores.get(code, 0.0) + w * share
        for m in vague + helpers:
            for code, share in m.phrase.place.wards:
                if code in scores:
                    scores[code] += 0.3 * share
        order = {m.phrase.place.main_ward: i for i, m in reversed(list(enumerate(clear)))}
        best = max(scores, key=lambda c: (scores[c], -order.get(c, 99)))
        total = sum(scores.values())
        frac = scores[best] / total if total else 0.0
        decider = next((m for m in clear if best in {c for c, _ in m.phrase.place.wards}), clear[0])
        conf = _base_confidence(decider)
        spans = len(decider.phrase.place.wards) > 1 and decider.phrase.place.wards[0][1] < 1.0
        if frac < 0.999:
            conf = min(conf, 0.35 + 0.5 * frac)
        disagree = tuple(m for m in clear if best not in {c for c, _ in m.phrase.place.wards})
        # The specific mention that names the spot, for linking duplicates.
        named = next(
            (
                m
                for m in inside
                if m.phrase.place.kind != "area"
                and m is not decider
                and best in {c for c, _ in m.phrase.place.wards}
            ),
            None,
        )
        if decider.phrase.place.kind == "area" and named is not None:
            decider = named
        return PlaceVerdict(
            "located",
            best,
            decider,
            round(conf, 2),
            spans_wards=spans,
            disagreeing=disagree,
        )

    # Only vague names: a ward they all share settles it ("High Street" + "Chesterton").
    sets = [{c for c, _ in m.phrase.place.wards} for m in vague + helpers]
    common = set.intersection(*sets) if len(sets) > 1 else set()
    if len(common) == 1:
        code = common.pop()
        decider = next(m for m in vague if code in {c for c, _ in m.phrase.place.wards})
        return PlaceVerdict("located", code, decider, 0.6)
    candidates = tuple(dict.fromkeys(c for m in vague for c, _ in m.phrase.place.wards))
    return PlaceVerdict("ambiguous", match=vague[0], candidates=candidates)
