"""The learned category scorer: loading, validation, determinism and when it may decide."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shared.domain.classify import Taxonomy, classify
from shared.domain.classify.classifier import decide
from shared.domain.classify.scorer import RECIPE, CategoryModel, features
from shared.domain.errors import ConfigError
from tests.support.classify import facts as tip

RULES = Path(__file__).resolve().parents[2] / "shared" / "rules"
MODEL = RULES / "category_model.json"


def tiny(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recipe": RECIPE,
        "classes": ["street_dealing", "other"],
        "bias": [0.0, 0.0],
        "threshold": 0.8,
        "weights": {"w cash": [3.0, -3.0], "b short visits": [4.0, -4.0], "w bakery": [-5.0, 5.0]},
    }
    body.update(changes)
    return body


def test_shipped_model_loads_with_the_taxonomy(taxonomy: Taxonomy) -> None:
    model = taxonomy.category_model
    assert model is not None
    assert 0.5 <= model.threshold <= 1.0
    assert 0 < len(model.weights) <= 5000
    raw = json.loads(MODEL.read_text(encoding="utf-8"))
    assert raw["evaluation"]["ship"] is True
    assert set(raw["training"]["sets"]) >= {"tips_labelled", "heldout_tips"}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not valid JSON"),
        ([], "JSON object"),
        ({k: v for k, v in tiny().items() if k != "bias"}, "missing required key 'bias'"),
        (tiny(recipe="words/v0"), "feature recipe"),
        (tiny(classes=["street_dealing", "weed"]), "classes must be"),
        (tiny(bias=[0.0]), "bias must be a list of 2"),
        (tiny(weights={"w cash": [1.0]}), "weights of 'w cash'"),
        (tiny(weights={"x cash": [1.0, 0.0]}), "unknown feature kind"),
        (tiny(weights={"w cash": [1.0, "lots"]}), "must be a finite number"),
        (tiny(threshold=0.2), "threshold must be between"),
    ],
)
def test_malformed_model_is_a_config_error_naming_the_file(
    tmp_path: Path, body: Any, problem: str
) -> None:
    path = tmp_path / "category_model.json"
    path.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        CategoryModel.load(path)
    assert err.value.path == str(path)
    assert problem in str(err.value)


def test_taxonomy_naming_a_missing_model_stops_start_up(tmp_path: Path) -> None:
    shutil.copy(RULES / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    with pytest.raises(ConfigError, match="cannot read category model") as err:
        Taxonomy.load(tmp_path / "taxonomy.yaml")
    assert str(tmp_path / "category_model.json") in str(err.value)
    # Training reads the rules without a model.
    assert Taxonomy.load(tmp_path / "taxonomy.yaml", with_model=False).category_model is None


def test_scoring_is_deterministic(taxonomy: Taxonomy) -> None:
    model = taxonomy.category_model
    assert model is not None
    text = "A man on a bike meets people by the phone box and swaps small bags for cash."
    first = model.score(tip(text))
    for _ in range(3):
        assert model.score(tip(text)) == first
    assert features(text) == features(text)
    assert abs(sum(first.probabilities.values()) - 1.0) < 1e-9


def test_tiny_model_sums_weights_and_cites_words() -> None:
    model = CategoryModel.from_dict(tiny(), "<tiny>")
    score = model.score(tip("Short visits all evening, cash changing hands"))
    assert score.category == "street_dealing" and score.probability > 0.8
    assert score.evidence[:2] == ("short visits", "cash")
    assert model.score(tip("Queue at the bakery")).category == "other"


def test_scorer_decides_only_what_the_rules_leave_as_other() -> None:
    model = CategoryModel.from_dict(tiny(), "<tiny>")
    assert decide("other", "no_indicator", "street_dealing", 0.9, model) == "street_dealing"
    assert decide("other", "too_little", "street_dealing", 0.9, model) == "street_dealing"
    assert decide("other", "no_indicator", "street_dealing", 0.7, model) is None  # not confident
    assert decide("drug_use", None, "street_dealing", 0.99, model) is None  # rules had evidence
    assert decide("other", None, "street_dealing", 0.99, model) is None  # reporter denied drugs


def test_rescued_tip_says_why_in_words(taxonomy: Taxonomy) -> None:
    facts = tip(
        "A black Range Rover parks outside the launderette every evening and people queue to get "
        "in the back seat one at a time for a couple of minutes."
    )
    alone = classify(facts, replace(taxonomy, category_model=None))
    got = classify(facts, taxonomy)
    assert alone.category == "other"
    assert got.category == "street_dealing"
    reason = got.reasons[0]
    assert reason.rule == "category.model"
    assert re.search(r"most like street-dealing reports \(\d\.\d\d\)", reason.detail)
    assert reason.evidence and all(isinstance(e, str) and e for e in reason.evidence)
    assert got.flags == alone.flags  # flags stay with the rules


@pytest.mark.parametrize(
    "text",
    [
        "There's no dealing that I know of, just people drinking by the war memorial.",
        "Someone keeps parking across my drive, a silver Ford Focus, most evenings.",
        "My son's bike was stolen from outside the library on Saturday afternoon.",
        "Noisy party at the flat upstairs every weekend with music until 4am.",
    ],
)
def test_innocent_tips_stay_other(taxonomy: Taxonomy, text: str) -> None:
    assert classify(tip(text), taxonomy).category == "other"


def test_rules_with_evidence_are_not_overruled(taxonomy: Taxonomy) -> None:
    got = classify(tip("Smell of weed from the flat below every night"), taxonomy)
    assert got.category == "drug_use"
    assert got.reasons[0].rule != "category.model"


def test_scorer_may_read_rules_drug_use_as_growing_or_selling_only_when_allowed() -> None:
    model = CategoryModel.from_dict(tiny(upgrade_threshold=0.9), "<tiny>")
    assert model.upgrade_threshold == 0.9
    assert decide("drug_use", None, "street_dealing", 0.95, model) == "street_dealing"
    assert decide("drug_use", None, "cultivation", 0.95, model) == "cultivation"
    assert decide("drug_use", None, "street_dealing", 0.85, model) is None  # not confident
    assert decide("drug_use", None, "county_lines", 0.99, model) is None  # left to the rules
    assert decide("drug_use", None, "other", 0.99, model) is None  # drug evidence stands
    assert decide("street_dealing", None, "cultivation", 0.99, model) is None
    off = CategoryModel.from_dict(tiny(), "<tiny>")
    assert off.upgrade_threshold is None
    assert decide("drug_use", None, "street_dealing", 0.99, off) is None


def test_upgrade_threshold_out_of_range_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "category_model.json"
    path.write_text(json.dumps(tiny(upgrade_threshold=0.2)), encoding="utf-8")
    with pytest.raises(ConfigError, match="upgrade_threshold must be between"):
        CategoryModel.load(path)
