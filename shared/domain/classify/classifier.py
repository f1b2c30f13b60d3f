"""The classification engine: category and flags from a tip's text and structured fields."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from shared.domain.classify.scorer import UPGRADES, CategoryModel, features, tip_text
from shared.domain.classify.taxonomy import (
    SCORED_CATEGORIES,
    SUPPLY_CATEGORIES,
    Cue,
    PersonRule,
    Taxonomy,
)
from shared.domain.classify.text import Document, Hit
from shared.domain.model import FLAGS, Category, Classification, Flag, Reason, TipFacts

_MAX_EVIDENCE = 4


@dataclass
class _Findings:
    """What has been worked out so far for one tip."""

    scores: dict[Category, float] = field(default_factory=dict)
    support: dict[Category, list[tuple[Cue, Hit]]] = field(default_factory=dict)
    implied: dict[Category, list[Reason]] = field(default_factory=dict)
    flags: dict[Flag, Reason] = field(default_factory=dict)
    notes: list[Reason] = field(default_factory=list)
    noted: set[tuple[str, str]] = field(default_factory=set)
    any_indicator: bool = False  # some drug cue was seen, even an ambiguous one
    denied: bool = False  # a drug cue was seen only negated or as a worry ("no dealing here")
    denied_supply: bool = False  # a decisive sign of supply was denied ("nobody is selling")
    # Where each drug cue that counts last matched, and whether it is an ambiguous word.
    counted: list[tuple[int, bool]] = field(default_factory=list)
    # Flags whose people the reporter mentioned only to deny, doubt or rule out ("no kids
    # involved", "my son is 19"): the learned flag check must not raise them either.
    set_aside: set[Flag] = field(default_factory=set)

    def note(self, rule: str, detail: str, doc: Document, hit: Hit) -> None:
        """Record an ignored cue once per cue and kind, so reasons stay readable."""
        key = (rule, hit.cue.id)
        if key not in self.noted:
            self.noted.add(key)
            self.notes.append(Reason(rule, detail, (doc.snippet(hit.start, hit.end),)))

    def flag(self, name: Flag, detail: str, evidence: Iterable[str]) -> None:
        if name not in self.flags:
            self.flags[name] = Reason(f"flag.{name}", detail, tuple(evidence)[:_MAX_EVIDENCE])


# When the rules leave room for the learned scorer (see `rules_only`).
FallbackCase = Literal["no_indicator", "too_little"]
_CASE_DETAIL: dict[str, str] = {
    "no_indicator": "No indicator phrase matched",
    "too_little": "Indicator words matched but too few to decide",
}


def classify(facts: TipFacts, taxonomy: Taxonomy) -> Classification:
    """Category, flags (in FLAGS order) and the reasons for each.

    The indicator rules decide whenever they find drug evidence. Only when they find none (other)
    does the learned scorer get a say, and then only when it is confident. Flags come from the
    rules; on a drug tip the learned flag check may add a safeguarding flag they missed.
    """
    ruled, case, found = _rules(facts, taxonomy)
    decided = _categorised(facts, taxonomy, ruled, case, upgrade=not found.denied_supply)
    return _checked_flags(facts, taxonomy, decided, found.set_aside)


def _checked_flags(
    facts: TipFacts, taxonomy: Taxonomy, decided: Classification, set_aside: set[Flag]
) -> Classification:
    """The decision with any flag the learned check is confident of and the rules left out."""
    model = taxonomy.flag_model
    if model is None or decided.category == "other":
        return decided
    checks = [c for c in model.checks if c.flag not in decided.flags and c.flag not in set_aside]
    if not checks:
        return decided
    feats = features(tip_text(facts.description, facts.when_text, facts.people))
    added: dict[Flag, Reason] = {}
    for check in checks:
        probability = check.probability(feats)
        if probability >= check.threshold:
            what = f"The wording is most like {check.label} ({probability:.2f})"
            added[check.flag] = Reason(f"flag.{check.flag}", what, check.evidence(feats))
    if not added:
        return decided
    flags = tuple(f for f in FLAGS if f in decided.flags or f in added)
    # Reasons stay in their order: the category's, then each flag's in FLAGS order, then notes.
    category, rest = decided.reasons[0], decided.reasons[1:]
    held = {r.rule.removeprefix("flag."): r for r in rest if r.rule.startswith("flag.")}
    notes = tuple(r for r in rest if not r.rule.startswith("flag."))
    flag_reasons = tuple(held.get(f) or added[f] for f in flags)
    return Classification(
        category=decided.category, flags=flags, reasons=(category, *flag_reasons, *notes)
    )


def _categorised(
    facts: TipFacts,
    taxonomy: Taxonomy,
    ruled: Classification,
    case: FallbackCase | None,
    *,
    upgrade: bool = True,
) -> Classification:
    """The rules' decision, or the learned category scorer's where it may overrule them.

    `upgrade` False keeps drug use as drug use: a reporter who says nobody is selling or growing
    ("nobody appears to be selling anything, they simply sit there") is believed over the wording.
    """
    model = taxonomy.category_model
    if model is None:
        return ruled
    may_upgrade = upgrade and model.upgrade_threshold is not None and ruled.category in UPGRADES
    if case is None and not may_upgrade:
        return ruled
    score = model.score(facts)
    category = decide(
        ruled.category, case, score.category, score.probability, model, upgradable=upgrade
    )
    if category is None:
        return ruled
    # The wording is about drugs, so people's part in it is read again in that light: "an older
    # man drops him off" means little in a tip about a lost dog, much in one about dealing.
    reread, _ = rules_only(facts, taxonomy, context=category)
    if case is None:
        # The rules found drug use; the wording says growing or selling. The rules' evidence
        # stays in the reason, and the category is the scorer's unless the rereading itself
        # finds something stronger (a child "helping out" means more beside selling).
        if reread.category not in ("other", ruled.category):
            return reread
        what = (
            f"{ruled.reasons[0].detail}; the wording as a whole is most like {score.label} "
            f"({score.probability:.2f})"
        )
        evidence = tuple(dict.fromkeys((*ruled.reasons[0].evidence, *score.evidence)))
        reason = Reason("category.model", what, evidence[:_MAX_EVIDENCE])
        return Classification(
            category=category, flags=reread.flags, reasons=(reason, *reread.reasons[1:])
        )
    if reread.category != "other":
        return reread
    what = f"{_CASE_DETAIL[case]}; the wording is most like {score.label} ({score.probability:.2f})"
    reason = Reason("category.model", what, score.evidence)
    # The rules' own category reason ("no drug indicator found") no longer holds; their notes do.
    return Classification(
        category=category, flags=reread.flags, reasons=(reason, *reread.reasons[1:])
    )


def decide(
    ruled: Category,
    case: FallbackCase | None,
    scored: Category,
    probability: float,
    model: CategoryModel,
    *,
    upgradable: bool = True,
) -> Category | None:
    """The scorer's category when it may overrule the rules, else None (the rules stand).

    `upgradable` False: the reporter denied a sign of supply, so drug use is not read up.
    """
    if scored == "other":
        return None
    if ruled != "other":
        # Rules that found only drug use may be read more specifically (see UPGRADES).
        upgrade = model.upgrade_threshold if upgradable else None
        if upgrade is not None and scored in UPGRADES.get(ruled, ()) and probability >= upgrade:
            return scored
        return None
    if case is None:
        return None
    return scored if probability >= model.threshold else None


def rules_only(
    facts: TipFacts, taxonomy: Taxonomy, *, context: Category | None = None
) -> tuple[Classification, FallbackCase | None]:
    """The indicator rules' classification, and whether they leave room for the scorer.

    `context` is a drug category already settled from the wording (by the scorer), in which
    people's involvement is read even when no indicator phrase matched.
    """
    ruled, case, _ = _rules(facts, taxonomy, context=context)
    return ruled, case


def upgradable(facts: TipFacts, taxonomy: Taxonomy) -> bool:
    """Whether the scorer may read the rules' drug use up to selling or growing (see `decide`):
    not when the reporter denied a sign of supply ("nobody appears to be selling anything")."""
    return not _rules(facts, taxonomy)[2].denied_supply


def _rules(
    facts: TipFacts, taxonomy: Taxonomy, *, context: Category | None = None
) -> tuple[Classification, FallbackCase | None, _Findings]:
    doc = Document(facts, taxonomy)
    found = _Findings()
    _score_indicators(doc, facts, taxonomy, found)
    _simple_flags(doc, facts, taxonomy, found)
    provisional = _category(found, taxonomy)
    if context is not None and (
        provisional == "other" or context in UPGRADES.get(provisional, frozenset())
    ):
        provisional = context
    # People's involvement is read in any drug context, even one made only of ambiguous words.
    drug_context = provisional != "other" or found.any_indicator or context is not None
    for rule in taxonomy.persons:
        _person(doc, rule, provisional, drug_context, found)
        _person_in_tip(doc, rule, drug_context, found)
    category = _category(found, taxonomy)
    explanation = _explained(doc, taxonomy, found) if found.any_indicator else None
    if explanation is not None:
        category = "other"
    # A tip with no drug word that names what it is about (cigarettes sold, racist abuse) is
    # about that: the scorer, which reads "man selling from his car" as dealing, gets no say.
    subject = (
        _not_drugs(doc, taxonomy, found)
        if category == "other" and context is None and not found.counted
        else None
    )
    flags = tuple(f for f in FLAGS if f in found.flags)
    if explanation is not None:
        reasons = [
            Reason(
                "category.explained",
                f"The reporter explains it innocently: {explanation.cue.detail}",
                (doc.snippet(explanation.start, explanation.end),),
            )
        ]
    elif subject is not None:
        reasons = [
            Reason(
                "category.other",
                f"Not about drugs: {subject.cue.detail}",
                (doc.snippet(subject.start, subject.end),),
            )
        ]
    else:
        reasons = [_category_reason(category, found, taxonomy, doc)]
    reasons += [found.flags[f] for f in flags]
    reasons += found.notes
    case: FallbackCase | None = None
    # A reporter who says there are no drugs is believed; the scorer reads words, not negation.
    # A tip the rules read as a safeguarding concern with no drug word at all (a carer taking a
    # pension, a child groomed online) is about that concern, not drugs: the scorer, which sees
    # only words like "14 year old" and "man", does not get a say either.
    explained = not found.any_indicator and any(r.flag in found.flags for r in taxonomy.persons)
    decided = explained or explanation is not None or subject is not None
    if category == "other" and not found.denied and not decided:
        case = "too_little" if found.any_indicator else "no_indicator"
    return Classification(category=category, flags=flags, reasons=tuple(reasons)), case, found


def _explained(doc: Document, tax: Taxonomy, found: _Findings) -> Hit | None:
    """The reporter's innocent account of what they saw, when nothing drug-like follows it.

    Reporters often write down their suspicion and then what they found out ("I thought drugs,
    but they run a takeaway"). The account stands only when it comes after every drug cue: one
    followed by more drug evidence ("turns out they're selling crack") was not an explanation.
    An ambiguous word alone after it is part of the account ("actually rented out as a party
    Airbnb"): such a word needs other evidence beside it, and the reporter has explained that away.
    """
    last: Hit | None = None
    for cue in tax.explanations:
        for hit in _valid(doc.find(cue), doc, found):
            if last is None or hit.start > last.start:
                last = hit
    if last is None:
        return None
    after = [ambiguous for start, ambiguous in found.counted if start >= last.end]
    if not all(after) or len(after) > 1:
        return None
    return last


def _not_drugs(doc: Document, tax: Taxonomy, found: _Findings) -> Hit | None:
    """The first thing the tip names as its subject that is not drugs, if any."""
    for cue in tax.not_drugs:
        hits = _valid(doc.find(cue), doc, found)
        if hits:
            return hits[0]
    return None


def _valid(hits: list[Hit], doc: Document, found: _Findings) -> list[Hit]:
    """Hits that count; negated and hypothetical ones become reasons instead."""
    out = []
    for hit in hits:
        if hit.doubted:
            found.note(
                "doubted", f"Ignored, the reporter does not know: {hit.cue.detail}", doc, hit
            )
        elif hit.negated:
            found.note("negated", f"Ignored, negated: {hit.cue.detail}", doc, hit)
        elif hit.hypothetical:
            found.note("hypothetical", f"Ignored, a worry not an event: {hit.cue.detail}", doc, hit)
        else:
            out.append(hit)
    return out


def _score_indicators(doc: Document, facts: TipFacts, tax: Taxonomy, found: _Findings) -> None:
    has_phone = bool(facts.phone_numbers) or tax.phone_in_text.search(doc.text) is not None
    fired: list[tuple[Cue, list[Hit], int]] = []
    for cue in tax.indicators:
        raw = doc.find(cue)
        hits = _valid(raw, doc, found)
        # Only a denial stops the scorer; not knowing whether it is drugs leaves the rest to read.
        if any(h.negated and not h.doubted for h in raw):
            found.denied = True
            # A denied sign that alone would have made it supply ("nobody is selling"); not a
            # denied innocent reading ("not food delivery") of a weaker one.
            assert cue.category is not None
            decisive = cue.weight >= tax.thresholds.get(cue.category, float("inf"))
            found.denied_supply |= cue.category in SUPPLY_CATEGORIES and decisive
        if not hits:
            continue
        found.any_indicator = True
        if cue.needs_phone and not has_phone:
            found.note("unsupported", f"Ignored, no number given: {cue.detail}", doc, hits[0])
            continue
        # Different observations of one kind ("coming and going", "stay two minutes") add up.
        phrases = len({h.words.lower() for h in hits})
        fired.append((cue, hits, min(phrases, cue.repeat)))
    plain = sum(1 for cue, _, _ in fired if not _ambiguous(cue, has_phone))
    ambiguous = len(fired) - plain
    for cue, hits, times in fired:
        hit = hits[0]
        # Ambiguous words ('line', 'white', 'selling') only mean drugs beside another indicator.
        if _ambiguous(cue, has_phone) and plain == 0 and ambiguous < 2:
            found.note("ambiguous", f"Ignored, no other drug indicator: {cue.detail}", doc, hit)
            continue
        assert cue.category is not None
        found.counted.append((hits[-1].start, _ambiguous(cue, has_phone)))
        found.scores[cue.category] = found.scores.get(cue.category, 0.0) + cue.weight * times
        found.support.setdefault(cue.category, []).append((cue, hit))
        for flag in cue.also_flags:
            found.flag(flag, cue.detail, [doc.snippet(hit.start, hit.end)])
    rule = tax.vehicles
    if rule and facts.vehicles and found.scores.get(rule.category, 0.0) > 0:
        found.scores[rule.category] += rule.weight
        described = ", ".join(
            " ".join(x for x in (v.colour, v.make, v.model, v.registration) if x)
            for v in facts.vehicles
        )
        found.notes.append(Reason(f"vehicle.{rule.category}", rule.detail, (described,)))


def _ambiguous(cue: Cue, has_phone: bool) -> bool:
    """Whether a cue still needs another indicator beside it to mean drugs."""
    return cue.needs_context and not (cue.phone_is_context and has_phone)


def _simple_flags(doc: Document, facts: TipFacts, tax: Taxonomy, found: _Findings) -> None:
    if facts.happening_now:
        found.flag("in_progress", "The reporter said it is happening now", ["happening_now: yes"])
    for flag, cues in tax.flag_cues.items():
        evidence: list[str] = []
        details: list[str] = []
        for cue in cues:
            hits = _valid(doc.find(cue), doc, found)
            if hits:
                details.append(cue.detail)
                evidence.extend(doc.snippet(h.start, h.end) for h in hits[:2])
        if details:
            found.flag(flag, "; ".join(dict.fromkeys(details)), dict.fromkeys(evidence))


def _distance(doc: Document, mention: Hit, cue_hit: Hit) -> tuple[int, str]:
    """Words between a mention and a cue, and which side the cue is on."""
    if cue_hit.start >= mention.end:
        gap = doc.token_index(cue_hit.start) - doc.token_index(max(mention.end - 1, 0)) - 1
        return max(gap, 0), "after"
    if cue_hit.end <= mention.start:
        gap = doc.token_index(mention.start) - doc.token_index(max(cue_hit.end - 1, 0)) - 1
        return max(gap, 0), "before"
    return 0, "any"


def _nearest(
    doc: Document, mention: Hit, hits: list[Hit], window: int, positional: bool
) -> tuple[int, Hit] | None:
    best: tuple[int, Hit] | None = None
    for hit in hits:
        if hit.field != mention.field:
            continue
        gap, side = _distance(doc, mention, hit)
        if gap > (window if hit.cue.gap is None else min(window, hit.cue.gap)):
            continue
        if positional and hit.cue.position != "any" and side not in (hit.cue.position, "any"):
            continue
        if best is None or gap < best[0]:
            best = (gap, hit)
    return best


def _mentions(
    doc: Document, rule: PersonRule, found: _Findings, cues: tuple[Cue, ...] | None = None
) -> list[Hit]:
    out = []
    seen = 0
    for cue in rule.mentions if cues is None else cues:
        hits = doc.find(cue)
        seen += len(hits)
        for hit in _valid(hits, doc, found):
            age = doc.age_of(cue, hit)
            if age is not None and rule.max_age is not None and age > rule.max_age:
                continue
            out.append(hit)
    if out and rule.denials is not None:
        out = [h for h in out if not _denied(doc, rule.denials, h)]
    grown = _grown(doc, rule) if out else []
    if grown:
        # "my son" is no child when the tip says "my son is 19" elsewhere.
        out = [h for h in out if not any(g.startswith(h.words.lower()) for g in grown)]
    if len(out) < seen:
        found.set_aside.add(rule.flag)
    return out


def _denied(doc: Document, denials: re.Pattern[str], mention: Hit) -> bool:
    """The reporter takes a mention back in the same or the next sentence: "school kids walk past,
    they're not involved"; "I said kids. Seen up close, they aren't kids"."""
    _, field_end = doc.field_bounds(mention.start)
    i = bisect_left(doc.sentence_ends, mention.end)
    # The end of the sentence after the mention's own, or the end of the field.
    end = doc.sentence_ends[i + 1] if i + 1 < len(doc.sentence_ends) else field_end
    return denials.search(doc.text, mention.end, min(end, field_end)) is not None


def _grown(doc: Document, rule: PersonRule) -> list[str]:
    """Mentions the tip gives an age over the rule's limit ("my son is 19"), as written."""
    if rule.max_age is None:
        return []
    cues = rule.mentions + (rule.tip.mentions if rule.tip is not None else ())
    out = []
    for cue in cues:
        if not cue.captures_age:
            continue
        for hit in doc.find(cue):
            age = doc.age_of(cue, hit)
            if age is not None and age > rule.max_age and not hit.negated:
                out.append(hit.words.lower())
    return out


def _person(
    doc: Document, rule: PersonRule, category: Category, drug_context: bool, found: _Findings
) -> None:
    mentions = _mentions(doc, rule, found)
    if rule.witnesses is not None:
        # A witness passing on what others do; signs about the witness are still read tip-wide.
        witnesses = [m for m in mentions if rule.witnesses.match(doc.text, m.end)]
        if witnesses:
            found.set_aside.add(rule.flag)
            mentions = [m for m in mentions if m not in witnesses]
    if not mentions:
        return
    supply = category in SUPPLY_CATEGORIES
    readable = [
        (cue, doc.find(cue)) for cue in rule.involved if drug_context or not cue.needs_context
    ]
    involved = [
        h
        for cue, hits in readable
        if supply or not cue.supply_only
        for h in _valid(hits, doc, found)
    ]
    denied = any(h.negated and not h.doubted for _, hits in readable for h in hits)
    if rule.scope == "tip" and not involved and denied:
        # The reporter denies a vulnerable adult is exploited ("nobody is taking advantage of
        # him"): the learned flag check must not raise the flag from the person's mere mention.
        found.set_aside.add(rule.flag)
    if rule.scope == "tip":
        _person_tip(doc, rule, mentions, involved, found)
        return
    nearby = [h for cue in rule.nearby for h in doc.find(cue)]
    in_people: list[tuple[Hit, tuple[int, Hit] | None]] = []
    linked = False
    for mention in mentions:
        near = _nearest(doc, mention, nearby, rule.window, positional=False)
        if mention.field == "people":
            in_people.append((mention, near))
        links = _links(doc, rule, mention, involved)
        if not links:
            continue
        if near is not None and near[0] < links[0][0]:
            found.note(
                "nearby",
                f"Not counted, only nearby: {mention.cue.detail} ({near[1].cue.detail})",
                doc,
                mention,
            )
            continue
        linked = True
        cue = links[0][1].cue
        detail = f"{cue.detail}: {mention.words.strip()}"
        _person_flag(doc, rule, mention, links[0][1], detail, found)
        # The nearest cue sets the child's role; a decisive cue further off (missing from care,
        # groomed) still marks county lines.
        for index, (gap, hit) in enumerate(links):
            if not hit.cue.implies or (near is not None and gap > near[0]):
                continue
            if index == 0 or hit.cue.decisive:
                _imply(
                    hit.cue.implies, f"{hit.cue.detail}: {mention.words.strip()}", doc, hit, found
                )
                break
    # The people field says who was seen doing it; the description, when it says, knows better.
    pf = rule.people_field
    if linked or pf is None or category not in pf.categories:
        return
    for mention, near in in_people:
        if near is None:
            _person_flag(doc, rule, mention, None, pf.detail, found)
            if pf.implies:
                _imply(pf.implies, pf.detail, doc, mention, found)
            return


def _links(
    doc: Document, rule: PersonRule, mention: Hit, involved: list[Hit]
) -> list[tuple[int, Hit]]:
    """Involvement cues within reach of a mention, nearest first (config order breaks ties).

    A general act of supply belongs to someone else when another actor is named between it and
    the mention ("my son told me a man was selling") or, when the act comes first, is the one
    doing it in its own sentence ("a dealer on a moped doing drops. Nearly hit a kid").
    """
    out = []
    for order, hit in enumerate(involved):
        if hit.field != mention.field:
            continue
        gap, side = _distance(doc, mention, hit)
        if gap > (rule.window if hit.cue.gap is None else min(rule.window, hit.cue.gap)):
            continue
        if hit.cue.position != "any" and side not in (hit.cue.position, "any"):
            continue
        if rule.agents is not None and hit.cue.shared:
            # Another actor between the two, or (cue first) the actor of the cue's own sentence.
            span = (
                (mention.end, hit.start)
                if side == "after"
                else (doc.sentence_start(hit.start), hit.start)
            )
            if side != "any" and rule.agents.search(doc.text, *span):
                continue
        out.append((gap, order, hit))
    out.sort(key=lambda t: (t[0], t[1]))
    return [(gap, hit) for gap, _, hit in out]


def _person_tip(
    doc: Document, rule: PersonRule, mentions: list[Hit], involved: list[Hit], found: _Findings
) -> None:
    # Signs add up when they are different signs, not the same phrase repeated.
    distinct: dict[tuple[str, str], Hit] = {}
    for hit in involved:
        distinct.setdefault((hit.cue.id, hit.words.lower()), hit)
    if sum(h.cue.weight for h in distinct.values()) < rule.threshold:
        return
    cues = sorted(distinct.values(), key=lambda h: (-h.cue.weight, h.start))
    detail = f"{cues[0].cue.detail}: {mentions[0].words.strip()}"
    evidence = [doc.snippet(mentions[0].start, mentions[0].end)]
    evidence += [doc.snippet(h.start, h.end) for h in cues]
    found.flag(rule.flag, detail, dict.fromkeys(evidence))
    # The strongest signs say what is going on; a weak one ("not allowed out") beside a stronger
    # one of another kind (made to mind a grow) does not make the tip county lines.
    for hit in cues:
        if hit.cue.implies and hit.cue.weight >= cues[0].cue.weight:
            _imply(hit.cue.implies, hit.cue.detail, doc, hit, found)


def _person_in_tip(doc: Document, rule: PersonRule, drug_context: bool, found: _Findings) -> None:
    """A specific person named anywhere in the tip, and signs of their involvement anywhere."""
    tip = rule.tip
    if tip is None or rule.flag in found.flags:
        return
    mentions = _mentions(doc, rule, found, tip.mentions)
    if not mentions:
        return
    # Different signs add up; one sign repeated does not.
    best: dict[str, Hit] = {}
    for cue in tip.signs:
        if cue.needs_context and not drug_context:
            continue
        hits = _valid(doc.find(cue), doc, found)
        if hits:
            best[cue.id] = hits[0]
    total = sum(h.cue.weight for h in best.values())
    if total < (tip.threshold if drug_context else tip.alone):
        return
    signs = sorted(best.values(), key=lambda h: (-h.cue.weight, h.start))
    mention = mentions[0]
    detail = f"{mention.cue.detail} ({mention.words.strip()}) and, in the same tip, " + "; ".join(
        h.cue.detail for h in signs
    )
    evidence = [doc.snippet(mention.start, mention.end)]
    evidence += [doc.snippet(h.start, h.end) for h in signs]
    found.flag(rule.flag, detail, dict.fromkeys(evidence))
    # As within a window, the strongest signs say what is going on: a child living in a drug
    # house with an older man is at risk where the dealing is, not thereby running a line.
    for hit in signs:
        if hit.cue.implies and hit.cue.weight >= signs[0].cue.weight:
            _imply(hit.cue.implies, f"{hit.cue.detail}: {mention.words.strip()}", doc, hit, found)
            break


def _person_flag(
    doc: Document, rule: PersonRule, mention: Hit, link: Hit | None, detail: str, found: _Findings
) -> None:
    evidence = [doc.snippet(mention.start, mention.end)]
    if link is not None:
        evidence.append(doc.snippet(link.start, link.end))
    found.flag(rule.flag, detail, dict.fromkeys(evidence))


def _imply(category: Category, detail: str, doc: Document, hit: Hit, found: _Findings) -> None:
    found.implied.setdefault(category, []).append(
        Reason(f"category.{category}", detail, (doc.snippet(hit.start, hit.end),))
    )


def _category(found: _Findings, tax: Taxonomy) -> Category:
    """The first category in precedence order whose evidence is strong enough."""
    for category in SCORED_CATEGORIES:
        if found.implied.get(category) and any(found.implied[category]):
            return category
        if found.scores.get(category, 0.0) >= tax.thresholds[category]:
            return category
    return "other"


def _category_reason(category: Category, found: _Findings, tax: Taxonomy, doc: Document) -> Reason:
    implied = found.implied.get(category) or []
    support = sorted(found.support.get(category, []), key=lambda ch: -ch[0].weight)
    details = [r.detail for r in implied] + [cue.detail for cue, _ in support]
    evidence = [e for r in implied for e in r.evidence]
    evidence += [doc.snippet(hit.start, hit.end) for _, hit in support]
    if not details:
        details = [tax.category_details[category]]
    return Reason(
        f"category.{category}",
        "; ".join(dict.fromkeys(details)),
        tuple(dict.fromkeys(evidence))[:_MAX_EVIDENCE],
    )
