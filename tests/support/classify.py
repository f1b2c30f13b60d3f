"""Building tips and classifying them in the classifier's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.domain.classify import Taxonomy, classify
from shared.domain.classify.classifier import rules_only
from shared.domain.model import Classification, TipFacts

RECEIVED = datetime(2025, 6, 1, tzinfo=UTC)


def facts(description: str, **fields: Any) -> TipFacts:
    """A tip with this description (and any other TipFacts fields), received on a fixed day."""
    return TipFacts(description=description, received_at=RECEIVED, **fields)


def run(taxonomy: Taxonomy, description: str, **fields: Any) -> Classification:
    """The full decision: the rules and the learned scorer and flag check."""
    return classify(facts(description, **fields), taxonomy)


def rules(taxonomy: Taxonomy, description: str, **fields: Any) -> Classification:
    """The rules alone: the learned checks may guess, but the rules must read it."""
    return rules_only(facts(description, **fields), taxonomy)[0]
