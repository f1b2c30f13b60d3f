"""The taxonomy: indicator phrases, weights, negation cues and rules, loaded from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from shared.domain.classify.flag_scorer import FlagModel
from shared.domain.classify.literals import LiteralIndex
from shared.domain.classify.scorer import CategoryModel
from shared.domain.model import CATEGORIES, FLAGS, Category, Flag
from shared.domain.yamlconf import Node, load_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "rules" / "taxonomy.yaml"

FIELDS: tuple[str, ...] = ("description", "when_text", "people", "location_text")
DEFAULT_FIELDS = frozenset({"description", "when_text", "people"})
SCORED_CATEGORIES: tuple[Category, ...] = tuple(c for c in CATEGORIES if c != "other")
SUPPLY_CATEGORIES: tuple[Category, ...] = ("county_lines", "cultivation", "street_dealing")

Position = Literal["before", "after", "any"]
Scope = Literal["near", "tip"]


@dataclass(frozen=True)
class Cue:
    """One named set of phrases and what it means when found."""

    id: str
    detail: str
    regex: re.Pattern[str]
    fields: frozenset[str] = DEFAULT_FIELDS
    weight: float = 1.0
    category: Category | None = None
    needs_context: bool = False
    needs_phone: bool = False
    # A phone number given with the tip is the other evidence this ambiguous cue needs: a text
    # naming a "line" from a number is an advert, the same words in a chat about trains are not.
    phone_is_context: bool = False
    negatable: bool = True
    hypothetical_blocks: bool = False
    also_flags: tuple[Flag, ...] = ()
    position: Position = "any"
    implies: Category | None = None
    repeat: int = 1  # how many different phrases of this cue may add to the score
    gap: int | None = None  # most words allowed between a person and this cue
    supply_only: bool = False  # counts only when the tip is about supply
    decisive: bool = False  # marks its implied category even when not the nearest cue
    shared: bool = False  # an act anyone could do: an actor named between claims it instead

    @property
    def captures_age(self) -> bool:
        """Whether a match can name an age ("about 14"), in groups named age_*."""
        return any(name.startswith("age_") for name in self.regex.groupindex)


@dataclass(frozen=True)
class PeopleFieldRule:
    """A person described in the `people` field is one of those involved in the activity."""

    categories: tuple[Category, ...]
    implies: Category | None
    detail: str


@dataclass(frozen=True)
class TipSigns:
    """Reading a whole tip: a specific person named anywhere plus signs of their involvement
    anywhere, however far apart (a child's age in one sentence, going missing three later)."""

    mentions: tuple[Cue, ...]  # name one particular person: "my son", "a 15 year old"
    signs: tuple[Cue, ...]  # involvement that needs no nearby wording: debts, going missing
    threshold: float  # summed weight of different signs needed
    alone: float  # summed weight needed when the tip has no other drug indicator


@dataclass(frozen=True)
class PersonRule:
    """When a mentioned person (a child, a vulnerable adult) makes a flag."""

    flag: Flag
    scope: Scope
    window: int
    max_age: int | None
    threshold: float
    mentions: tuple[Cue, ...]
    involved: tuple[Cue, ...]
    nearby: tuple[Cue, ...]
    people_field: PeopleFieldRule | None
    tip: TipSigns | None = None
    # Someone else doing the act: a cue after one of these belongs to them, not to the person
    # mentioned before it ("my son told me a man has been selling").
    agents: re.Pattern[str] | None = None
    # The reporter saying, just after a mention, that those people are not what the mention
    # suggests or take no part ("they're not involved", "they aren't kids, they're twenty").
    denials: re.Pattern[str] | None = None
    # Straight after a mention, the person passing on what others do ("my son told me lads go
    # there", "my son's friend says it's a line"): a witness, not one of those involved.
    witnesses: re.Pattern[str] | None = None


@dataclass(frozen=True)
class VehicleRule:
    category: Category
    weight: float
    detail: str


@dataclass(frozen=True)
class Taxonomy:
    """Everything the classifier needs, validated and precompiled."""

    path: str
    negation_window: int
    hypothetical_window: int
    negation_before: re.Pattern[str]
    negation_after: re.Pattern[str]
    clause_breaks: re.Pattern[str]
    hypothetical: re.Pattern[str]
    phone_in_text: re.Pattern[str]
    thresholds: dict[Category, float]
    category_details: dict[Category, str]
    indicators: tuple[Cue, ...]
    flag_cues: dict[Flag, tuple[Cue, ...]]
    flag_details: dict[Flag, str]
    persons: tuple[PersonRule, ...]
    vehicles: VehicleRule | None
    # The reporter's own innocent account of what they saw ("turns out it's a piano teacher").
    explanations: tuple[Cue, ...] = ()
    # What a tip with no drug word says it is about when that is not drugs ("cheap cigarettes
    # from a car boot", "racist abuse"): such a tip is other, whatever its wording resembles.
    not_drugs: tuple[Cue, ...] = ()
    # The reporter saying they do not know whether it is drugs ("no idea if drugs"): what follows
    # is not evidence, but not a denial either.
    doubt: re.Pattern[str] | None = None
    # The learned fallback for tips the indicator rules leave as other; None runs the rules alone.
    category_model: CategoryModel | None = None
    # The learned check for safeguarding flags the rules miss; None leaves flags to the rules.
    flag_model: FlagModel | None = None
    # The plain words each phrase list needs, so lists that cannot match a tip are not scanned.
    literals: LiteralIndex = field(default_factory=lambda: LiteralIndex(()))

    @classmethod
    def load(cls, path: Path | None = None, *, with_model: bool = True) -> Taxonomy:
        """Load and validate a taxonomy file; raises ConfigError naming file, line and problem.

        `with_model=False` skips reading the learned models (training makes new ones).
        """
        return _build(load_yaml(path or DEFAULT_PATH), with_model=with_model)


# Escapes (\W, \S, ...) and group syntax ((?P<age>...)) are not letters a tip could contain.
_NOT_LETTERS = re.compile(r"\\.|\(\?P[<=]")


def _compile(source: str) -> re.Pattern[str]:
    """A phrase list compiled for the lower-cased text of a tip (Document.text).

    Phrases written in lower case match lower-cased text without case-folding, which makes
    matching about a quarter faster; a phrase that spells a capital letter keeps it.
    """
    capitals = any(ch.isupper() for ch in _NOT_LETTERS.sub("", source))
    return re.compile(source, re.IGNORECASE if capitals else 0)


def _alternation(node: Node, what: str) -> re.Pattern[str]:
    """Compile a list of regex fragments into one case-insensitive alternation."""
    parts = node.seq(what)
    for part in parts:
        part.regex(what)  # each fragment must compile on its own, for a precise line
    source = "|".join(f"(?:{p.value})" for p in parts)
    try:
        return _compile(source)
    except re.error as exc:
        raise node.error(f"bad regular expression in {what}: {exc}") from None


def _bounded(node: Node, what: str) -> re.Pattern[str]:
    """Phrases matched on word boundaries (a phrase may still use regex syntax)."""
    parts = node.seq(what)
    for part in parts:
        part.regex(what)
    # Several phrases may capture an age; each needs its own group name in the alternation.
    source = "|".join(
        "(?:" + str(p.value).replace("(?P<age>", f"(?P<age_{i}>") + ")" for i, p in enumerate(parts)
    )
    try:
        # A phrase may open a quotation ("told him to 'do a few drops'"), but an apostrophe inside
        # a word ("don't", "she's") is not a start.
        return _compile(rf"(?<!\w)(?<!\w')(?:{source})(?!\w)")
    except re.error as exc:
        raise node.error(f"bad regular expression in {what}: {exc}") from None


def _fields(node: Node | None) -> frozenset[str]:
    if node is None:
        return DEFAULT_FIELDS
    out = frozenset(f.choice("field", FIELDS) for f in node.seq("fields"))
    return out


_CUE_KEYS = (
    "detail",
    "patterns",
    "fields",
    "weight",
    "category",
    "needs_context",
    "needs_phone",
    "phone_is_context",
    "negatable",
    "hypothetical_blocks",
    "also_flags",
    "position",
    "implies",
    "repeat",
    "gap",
    "supply_only",
    "decisive",
    "shared",
)


def _cue(node: Node, what: str, *, allowed: tuple[str, ...], seen: dict[str, Cue]) -> Cue:
    keys = node.mapping(what, required=("id", "detail", "patterns"), optional=allowed)
    ident = keys["id"].text(f"{what} id")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ident):
        raise keys["id"].error(f"{what} id {ident!r} must be lower_snake_case")
    if ident in seen:
        raise keys["id"].error(f"duplicate {what} id {ident!r}")
    regex = _bounded(keys["patterns"], f"patterns of {ident!r}")
    weight = 1.0
    if "weight" in keys:
        weight = keys["weight"].number(f"weight of {ident!r}", low=0.1, high=10)
    category: Category | None = None
    if "category" in keys:
        category = cast(Category, keys["category"].choice("category", SCORED_CATEGORIES))
    implies: Category | None = None
    if "implies" in keys:
        implies = cast(Category, keys["implies"].choice("category", SCORED_CATEGORIES))
    also: tuple[Flag, ...] = ()
    if "also_flags" in keys:
        also = tuple(
            cast(Flag, f.choice("flag", FLAGS)) for f in keys["also_flags"].seq("also_flags")
        )
    position: Position = "any"
    if "position" in keys:
        position = keys["position"].choice("position", ("before", "after", "any"))  # type: ignore[assignment]
    flags = {
        name: keys[name].boolean(name) if name in keys else default
        for name, default in (
            ("needs_context", False),
            ("needs_phone", False),
            ("phone_is_context", False),
            ("negatable", True),
            ("hypothetical_blocks", False),
            ("supply_only", False),
            ("decisive", False),
            ("shared", False),
        )
    }
    repeat = int(keys["repeat"].number("repeat", low=1, high=5)) if "repeat" in keys else 1
    gap = int(keys["gap"].number("gap", low=0, high=60)) if "gap" in keys else None
    cue = Cue(
        id=ident,
        repeat=repeat,
        gap=gap,
        detail=keys["detail"].text(f"detail of {ident!r}"),
        regex=regex,
        fields=_fields(keys.get("fields")),
        weight=weight,
        category=category,
        also_flags=also,
        position=position,
        implies=implies,
        **flags,
    )
    seen[ident] = cue
    return cue


def _cues(node: Node, what: str, allowed: tuple[str, ...], seen: dict[str, Cue]) -> tuple[Cue, ...]:
    return tuple(_cue(n, what, allowed=allowed, seen=seen) for n in node.seq(what))


def _person(flag: Flag, node: Node, seen: dict[str, Cue]) -> PersonRule:
    keys = node.mapping(
        f"persons.{flag}",
        required=("scope", "mentions", "involved"),
        optional=(
            "window",
            "max_age",
            "threshold",
            "nearby",
            "people_field",
            "tip",
            "agents",
            "denials",
            "witnesses",
        ),
    )
    scope: Scope = keys["scope"].choice("scope", ("near", "tip"))  # type: ignore[assignment]
    window = int(keys["window"].number("window", low=1, high=60)) if "window" in keys else 10
    max_age = int(keys["max_age"].number("max_age", low=1, high=120)) if "max_age" in keys else None
    threshold = (
        keys["threshold"].number("threshold", low=0.1, high=50) if "threshold" in keys else 1
    )
    mentions = _cues(keys["mentions"], "mention", ("fields", "negatable"), seen)
    for cue in mentions:
        if cue.captures_age and max_age is None:
            raise keys["mentions"].error(
                f"mention {cue.id!r} captures an age but max_age is not set"
            )
    involved = _cues(
        keys["involved"],
        "involvement",
        (
            "fields",
            "weight",
            "negatable",
            "needs_context",
            "position",
            "implies",
            "gap",
            "supply_only",
            "decisive",
            "shared",
        ),
        seen,
    )
    nearby = _cues(keys["nearby"], "nearby", ("fields",), seen) if "nearby" in keys else ()
    people_field = None
    if "people_field" in keys:
        pf = keys["people_field"].mapping(
            "people_field", required=("categories", "detail"), optional=("implies",)
        )
        people_field = PeopleFieldRule(
            categories=tuple(
                c.choice("category", SCORED_CATEGORIES)  # type: ignore[misc]
                for c in pf["categories"].seq("categories")
            ),
            implies=pf["implies"].choice("category", SCORED_CATEGORIES)
            if "implies" in pf
            else None,  # type: ignore[arg-type]
            detail=pf["detail"].text("detail"),
        )
    tip = _tip_signs(keys["tip"], flag, max_age, seen) if "tip" in keys else None
    agents = _bounded(keys["agents"], f"persons.{flag}.agents") if "agents" in keys else None
    denials = _bounded(keys["denials"], f"persons.{flag}.denials") if "denials" in keys else None
    witnesses = (
        # Matched straight after a mention, so a phrase may start mid-word ("'s friend says").
        _alternation(keys["witnesses"], f"persons.{flag}.witnesses")
        if "witnesses" in keys
        else None
    )
    return PersonRule(
        flag,
        scope,
        window,
        max_age,
        threshold,
        mentions,
        involved,
        nearby,
        people_field,
        tip,
        agents,
        denials,
        witnesses,
    )


def _tip_signs(node: Node, flag: Flag, max_age: int | None, seen: dict[str, Cue]) -> TipSigns:
    keys = node.mapping(
        f"persons.{flag}.tip", required=("mentions", "signs", "threshold"), optional=("alone",)
    )
    mentions = _cues(keys["mentions"], "mention", ("fields", "negatable"), seen)
    for cue in mentions:
        if cue.captures_age and max_age is None:
            raise keys["mentions"].error(
                f"mention {cue.id!r} captures an age but max_age is not set"
            )
    signs = _cues(
        keys["signs"], "sign", ("fields", "weight", "negatable", "implies", "needs_context"), seen
    )
    threshold = keys["threshold"].number("threshold", low=0.1, high=50)
    alone = keys["alone"].number("alone", low=0.1, high=50) if "alone" in keys else threshold
    return TipSigns(mentions, signs, threshold, alone)


def _model_path(top: dict[str, Node], key: str, rules_path: str) -> Path | None:
    """Where a learned model named in the rules file lives (relative to that file), if named."""
    if key not in top:
        return None
    spec = top[key].mapping(key, required=("path",))
    return Path(rules_path).parent / spec["path"].text(f"{key}.path")


def _build(root: Node, *, with_model: bool = True) -> Taxonomy:
    top = root.mapping(
        "taxonomy",
        required=("version", "settings", "negation", "hypothetical", "categories", "indicators"),
        optional=(
            "flags",
            "persons",
            "vehicles",
            "phone_in_text",
            "category_model",
            "flag_model",
            "explained",
            "not_drugs",
        ),
    )
    if top["version"].value != 1:
        raise top["version"].error("unsupported taxonomy version (expected 1)")
    settings = top["settings"].mapping(
        "settings", required=("negation_window", "hypothetical_window")
    )
    neg = top["negation"].mapping(
        "negation", required=("before", "after", "clause_breaks"), optional=("doubt",)
    )
    hyp = top["hypothetical"].mapping("hypothetical", required=("before",))

    cats = top["categories"].mapping("categories", required=SCORED_CATEGORIES, optional=("other",))
    thresholds: dict[Category, float] = {}
    details: dict[Category, str] = {}
    for name, node in cats.items():
        spec = node.mapping(f"categories.{name}", required=("detail",), optional=("threshold",))
        if name != "other":
            if "threshold" not in spec:
                raise node.error(f"categories.{name} is missing required key 'threshold'")
            thresholds[name] = spec["threshold"].number("threshold", low=0.1, high=50)  # type: ignore[index]
        details[name] = spec["detail"].text("detail")  # type: ignore[index]
    details.setdefault("other", "No drug indicator found")

    seen: dict[str, Cue] = {}
    indicators = _cues(
        top["indicators"],
        "indicator",
        (
            "fields",
            "weight",
            "category",
            "needs_context",
            "needs_phone",
            "phone_is_context",
            "negatable",
            "also_flags",
            "repeat",
        ),
        seen,
    )
    for cue, node in zip(indicators, top["indicators"].seq("indicators"), strict=True):
        if cue.category is None:
            raise node.error(f"indicator {cue.id!r} needs a category")

    flag_cues: dict[Flag, tuple[Cue, ...]] = {}
    flag_details: dict[Flag, str] = {}
    if "flags" in top:
        simple = tuple(f for f in FLAGS if f in ("weapon", "violence", "in_progress"))
        for name, node in top["flags"].mapping("flags", optional=simple).items():
            spec = node.mapping(f"flags.{name}", required=("detail", "cues"))
            flag_details[name] = spec["detail"].text("detail")  # type: ignore[index]
            flag_cues[name] = _cues(  # type: ignore[index]
                spec["cues"],
                "cue",
                ("fields", "negatable", "hypothetical_blocks", "needs_context"),
                seen,
            )

    persons: list[PersonRule] = []
    if "persons" in top:
        for name, node in (
            top["persons"]
            .mapping("persons", optional=("child_at_risk", "vulnerable_adult"))
            .items()
        ):
            persons.append(_person(name, node, seen))  # type: ignore[arg-type]

    vehicles = None
    if "vehicles" in top:
        v = top["vehicles"].mapping("vehicles", required=("category", "weight", "detail"))
        vehicles = VehicleRule(
            category=v["category"].choice("category", SCORED_CATEGORIES),  # type: ignore[arg-type]
            weight=v["weight"].number("weight", low=0.1, high=10),
            detail=v["detail"].text("detail"),
        )

    explanations = (
        _cues(top["explained"], "explanation", ("fields", "negatable"), seen)
        if "explained" in top
        else ()
    )

    not_drugs = (
        _cues(top["not_drugs"], "subject", ("fields", "negatable"), seen)
        if "not_drugs" in top
        else ()
    )

    phone = (
        top["phone_in_text"].regex("phone_in_text")
        if "phone_in_text" in top
        else re.compile(r"(?<!\d)(?:\+44\s?7|07)\d{3}\s?\d{3}\s?\d{3}(?!\d)")
    )
    # The learned models are read last, so a mistake in the rules themselves is reported first.
    category_path = _model_path(top, "category_model", root.path)
    flag_path = _model_path(top, "flag_model", root.path)
    model = CategoryModel.load(category_path) if with_model and category_path else None
    flag_model = FlagModel.load(flag_path) if with_model and flag_path else None
    return Taxonomy(
        path=root.path,
        negation_window=int(settings["negation_window"].number("negation_window", low=1, high=20)),
        hypothetical_window=int(
            settings["hypothetical_window"].number("hypothetical_window", low=1, high=20)
        ),
        negation_before=_alternation(neg["before"], "negation.before"),
        negation_after=_alternation(neg["after"], "negation.after"),
        clause_breaks=_alternation(neg["clause_breaks"], "negation.clause_breaks"),
        doubt=_alternation(neg["doubt"], "negation.doubt") if "doubt" in neg else None,
        hypothetical=_alternation(hyp["before"], "hypothetical.before"),
        phone_in_text=phone,
        thresholds=thresholds,
        category_details=details,
        indicators=indicators,
        flag_cues=flag_cues,
        flag_details=flag_details,
        persons=tuple(persons),
        explanations=explanations,
        not_drugs=not_drugs,
        vehicles=vehicles,
        category_model=model,
        flag_model=flag_model,
        literals=LiteralIndex(cue.regex for cue in seen.values()),
    )
