"""The decision pipeline over plain values: locate, classify, corroborate, grade, route.

The router's workers and `tipline classify` both run this; only the dedup index differs
(SQL shared by all workers, or in memory for the command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.domain.classify import Taxonomy, classify
from shared.domain.dedup import DedupIndex, DedupKeys, keys_for
from shared.domain.grade import grade
from shared.domain.locate import Locator
from shared.domain.model import (
    Classification,
    Corroboration,
    Decision,
    Location,
    TipFacts,
)
from shared.domain.route import RouteFacts, RouteTree, Teams


@dataclass(frozen=True)
class Assessment:
    """What a tip is and where, before it is compared with other tips."""

    facts: TipFacts
    location: Location
    classification: Classification


@dataclass(frozen=True)
class Pipeline:
    locator: Locator
    taxonomy: Taxonomy
    teams: Teams
    routes: RouteTree

    @classmethod
    def load(cls, *, data_dir: Path, rules_dir: Path) -> Pipeline:
        """Load data and rules once; raises ConfigError naming the file and problem."""
        teams = Teams.load(rules_dir / "teams.yaml")
        return cls(
            locator=Locator.load(data_dir),
            taxonomy=Taxonomy.load(rules_dir / "taxonomy.yaml"),
            teams=teams,
            routes=RouteTree.load(rules_dir / "routes.yaml", teams=teams),
        )

    def with_routes(self, routes: RouteTree) -> Pipeline:
        """The same pipeline with another route tree (for trying a rule change)."""
        return Pipeline(self.locator, self.taxonomy, self.teams, routes)

    def assess(self, facts: TipFacts) -> Assessment:
        """Locate and classify one tip (pure, no shared state)."""
        return Assessment(facts, self.locator.resolve(facts), classify(facts, self.taxonomy))

    def conclude(self, assessment: Assessment, corroboration: Corroboration) -> Decision:
        """Grade and route an assessed tip given its duplicate/cluster outcome."""
        classification = assessment.classification
        graded = grade(
            category=classification.category,
            flags=classification.flags,
            cluster_size=corroboration.cluster_size,
        )
        location = assessment.location
        routing = self.routes.route(
            RouteFacts(
                category=classification.category,
                flags=classification.flags,
                priority=graded.priority,
                ward_code=location.ward_code,
                ward=location.ward,
                team=self.teams.team_for_ward(location.ward_code),
                location_method=location.method,
            )
        )
        return Decision(location, classification, corroboration, graded, routing)

    def decide(
        self, tip_id: str, facts: TipFacts, index: DedupIndex, *, identifier_key: bytes
    ) -> Decision:
        """The whole pipeline for one tip against a dedup index."""
        assessment = self.assess(facts)
        return self.conclude(
            assessment, self.corroborate(tip_id, assessment, index, identifier_key)
        )

    @staticmethod
    def dedup_keys(tip_id: str, assessment: Assessment, identifier_key: bytes) -> DedupKeys:
        """What the dedup index compares an assessed tip by."""
        return keys_for(
            tip_id,
            assessment.facts,
            assessment.location,
            assessment.classification.category,
            secret=identifier_key,
        )

    @staticmethod
    def corroborate(
        tip_id: str, assessment: Assessment, index: DedupIndex, identifier_key: bytes
    ) -> Corroboration:
        """Record the tip in the dedup index and return its duplicate/cluster outcome."""
        return index.corroborate(Pipeline.dedup_keys(tip_id, assessment, identifier_key))
