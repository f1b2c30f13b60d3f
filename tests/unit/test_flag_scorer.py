"""The learned flag check: loading, validation, and when it may add a flag to the rules' decision."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shared.domain.classify import Taxonomy, classify
from shared.domain.classify.flag_scorer import FlagModel
from shared.domain.classify.scorer import RECIPE
from shared.domain.errors import ConfigError
from shared.domain.model import FLAGS
from tests.support.classify import facts as tip

RULES = Path(__file__).resolve().parents[2] / "shared" / "rules"
MODEL = RULES / "flag_model.json"


def tiny(**changes: Any) -> dict[str, Any]:
    check = {"bias": -4.0, "threshold": 0.7, "weights": {"w nipper": 300.0, "b little one": 300.0}}
    check.update(changes)
    return {"recipe": RECIPE, "flags": {"child_at_risk": check}}


def with_tiny(taxonomy: Taxonomy, **changes: Any) -> Taxonomy:
    return replace(taxonomy, flag_model=FlagModel.from_dict(tiny(**changes), "<tiny>"))


def test_shipped_model_loads_with_the_taxonomy(taxonomy: Taxonomy) -> None:
    model = taxonomy.flag_model
    assert model is not None
    assert {c.flag for c in model.checks} <= set(FLAGS)
    raw = json.loads(MODEL.read_text(encoding="utf-8"))
    for check in model.checks:
        assert 0.5 <= check.threshold <= 1.0
        assert 0 < len(check.weights) <= 5000
        training = raw["flags"][check.flag]["training"]
        # Shipped only because, out of fold, the check added more than it cost.
        assert training["cv_combined_f1"] > training["cv_rules_f1"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not valid JSON"),
        ([], "JSON object"),
        ({"recipe": RECIPE}, "missing required key 'flags'"),
        ({"recipe": "words/v0", "flags": {}}, "feature recipe"),
        ({"recipe": RECIPE, "flags": {}}, "non-empty object"),
        ({"recipe": RECIPE, "flags": {"armed": tiny()["flags"]["child_at_risk"]}}, "unknown flag"),
        (tiny(threshold=0.3), "child_at_risk.threshold must be between 0.5 and 1.0"),
        (tiny(bias="high"), "child_at_risk.bias must be a finite number"),
        (tiny(weights={"x nipper": 1.0}), "unknown feature kind"),
        (tiny(weights={"w nipper": float("nan")}), "must be a finite number"),
        ({"recipe": RECIPE, "flags": {"child_at_risk": {"bias": 0.0}}}, "missing required key"),
    ],
)
def test_malformed_model_is_a_config_error_naming_the_file(
    tmp_path: Path, body: Any, problem: str
) -> None:
    path = tmp_path / "flag_model.json"
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        FlagModel.load(path)
    assert err.value.path == str(path)
    assert problem in str(err.value)
    assert str(err.value).startswith("flag model:") or "flag model" in str(err.value)


def test_taxonomy_naming_a_missing_flag_model_stops_start_up(tmp_path: Path) -> None:
    shutil.copy(RULES / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    shutil.copy(RULES / "category_model.json", tmp_path / "category_model.json")
    with pytest.raises(ConfigError, match="cannot read flag model") as err:
        Taxonomy.load(tmp_path / "taxonomy.yaml")
    assert str(tmp_path / "flag_model.json") in str(err.value)
    assert Taxonomy.load(tmp_path / "taxonomy.yaml", with_model=False).flag_model is None


DEALING = "Crack being sold from the back door of 12 Elm Court all evening, cash through the gap."


def test_check_adds_a_flag_the_rules_missed_with_a_reason(taxonomy: Taxonomy) -> None:
    facts = tip(DEALING + " The nipper from upstairs takes the bags round to the cars.")
    alone = classify(facts, replace(taxonomy, flag_model=None))
    got = classify(facts, with_tiny(taxonomy))
    assert "child_at_risk" not in alone.flags
    assert got.category == alone.category != "other"
    assert got.flags == tuple(f for f in FLAGS if f in {*alone.flags, "child_at_risk"})
    reason = next(r for r in got.reasons if r.rule == "flag.child_at_risk")
    assert re.fullmatch(
        r"The wording is most like tips where a child is involved .*\(\d\.\d\d\)", reason.detail
    )
    assert reason.evidence == ("nipper",)
    # Reasons keep their order: the category's first, then flags in FLAGS order, then notes.
    rules = [r.rule for r in got.reasons]
    flag_rules = [r for r in rules if r.startswith("flag.")]
    assert rules[0] == alone.reasons[0].rule
    assert flag_rules == [f"flag.{f}" for f in got.flags]
    assert rules.index(flag_rules[-1]) < min(
        (i for i, r in enumerate(rules) if i and not r.startswith("flag.")), default=len(rules)
    )


def test_check_below_its_threshold_adds_nothing(taxonomy: Taxonomy) -> None:
    facts = tip(DEALING + " The nipper from upstairs takes the bags round to the cars.")
    got = classify(facts, with_tiny(taxonomy, threshold=0.7, bias=-400.0))
    assert "child_at_risk" not in got.flags


def test_check_never_flags_a_tip_that_is_not_about_drugs(taxonomy: Taxonomy) -> None:
    facts = tip("The little one next door kicks a football against my fence every afternoon.")
    got = classify(facts, with_tiny(taxonomy))
    assert got.category == "other"
    assert got.flags == ()


@pytest.mark.parametrize(
    "aside",
    [
        "No kids involved, the nipper only walks past.",
        "My son told me the nipper from upstairs said it.",
        "My son is 19 and says the nipper from upstairs knows them.",
    ],
)
def test_check_respects_a_person_the_rules_set_aside(taxonomy: Taxonomy, aside: str) -> None:
    facts = tip(f"{DEALING} {aside}")
    got = classify(facts, with_tiny(taxonomy))
    assert "child_at_risk" not in got.flags


def test_check_never_removes_a_flag_the_rules_raised(taxonomy: Taxonomy) -> None:
    facts = tip(DEALING + " A lad of about 13 takes the bags round to the cars.")
    alone = classify(facts, replace(taxonomy, flag_model=None))
    got = classify(facts, with_tiny(taxonomy, bias=-400.0))
    assert "child_at_risk" in alone.flags
    assert got == alone
