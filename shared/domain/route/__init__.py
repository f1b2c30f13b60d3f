"""Routing a graded tip to its destinations through the route tree."""

from shared.domain.route.teams import Teams
from shared.domain.route.tree import RouteFacts, RouteTree, Step

__all__ = ["RouteFacts", "RouteTree", "Step", "Teams"]
