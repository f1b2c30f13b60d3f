"""The route tree: ordered, nested routes with matchers and `continue`, and a default receiver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.domain.model import Category, Flag, Priority, Reason, Routing
from shared.domain.route.matchers import Matcher, build, known_values, parse
from shared.domain.route.teams import Teams
from shared.domain.yamlconf import Node, load_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "rules" / "routes.yaml"
TEAM_TEMPLATE = "{team}"


@dataclass(frozen=True)
class RouteFacts:
    """What routing looks at: the decision so far and where the tip is."""

    category: Category
    flags: tuple[Flag, ...]
    priority: Priority
    ward_code: str | None
    ward: str | None
    team: str | None
    location_method: str

    def values(self, label: str) -> tuple[str, ...]:
        """A label's values as strings; unknown (None) is the empty string."""
        if label == "flags":
            return tuple(self.flags)
        value = getattr(self, label)
        return ("" if value is None else str(value),)


@dataclass(frozen=True)
class Route:
    name: str
    receiver: str
    matchers: tuple[Matcher, ...]
    cont: bool
    routes: tuple[Route, ...]
    line: int


@dataclass(frozen=True)
class Step:
    """One route visited on a walk: whether it matched, why, and what it delivered."""

    depth: int
    name: str
    matchers: tuple[str, ...]
    matched: bool
    why: str
    receiver: str | None
    cont: bool

    def __str__(self) -> str:
        mark = "MATCH" if self.matched else "skip "
        where = f" -> {self.receiver}" if self.receiver else ""
        more = " (continue)" if self.matched and self.cont else ""
        return f"{'  ' * self.depth}{mark} {self.name}: {self.why}{where}{more}"


@dataclass(frozen=True)
class RouteTree:
    """Routing rules loaded from YAML and checked against the known teams and destinations."""

    path: str
    root: Route
    teams: Teams

    @classmethod
    def load(cls, path: Path | None = None, *, teams: Teams) -> RouteTree:
        """Load and validate a route tree; raises ConfigError naming file, line and problem."""
        node = load_yaml(path or DEFAULT_PATH)
        top = node.mapping("routes file", required=("route",))
        known = known_values(tuple(t.name for t in teams.teams), teams.ward_names)
        root_node = top["route"]
        root_keys = root_node.mapping("route", required=("receiver",), optional=("routes", "name"))
        if "routes" not in root_keys:
            raise root_node.error("the root route needs child routes")
        root = _route(root_node, "root", None, teams, known, is_root=True)
        return cls(node.path, root, teams)

    def route(self, facts: RouteFacts) -> Routing:
        """The destinations for a tip, in order, without repeats, with the reasons."""
        steps = self.walk(facts)
        destinations: list[str] = []
        reasons: list[Reason] = []
        for step in steps:
            if step.receiver and step.receiver not in destinations:
                destinations.append(step.receiver)
                reasons.append(
                    Reason(
                        f"route.{step.name}", f"Sent to {step.receiver}: {step.why}", step.matchers
                    )
                )
        return Routing(team=facts.team, destinations=tuple(destinations), reasons=tuple(reasons))

    def walk(self, facts: RouteFacts) -> list[Step]:
        """Every route visited for a tip, matched or not, and why; receivers on delivering steps."""
        steps: list[Step] = []
        delivered = self._walk(self.root, facts, 0, steps)
        if not delivered:
            steps.append(
                Step(
                    0,
                    "root",
                    (),
                    True,
                    "no route matched: default receiver",
                    self.root.receiver,
                    False,
                )
            )
        return steps

    def _walk(self, node: Route, facts: RouteFacts, depth: int, steps: list[Step]) -> bool:
        """Visit the children of node; True when any of them delivered the tip."""
        delivered = False
        for index, child in enumerate(node.routes):
            ok, why = _check(child.matchers, facts)
            text = tuple(str(m) for m in child.matchers)
            if not ok:
                steps.append(Step(depth, child.name, text, False, why, None, child.cont))
                continue
            receiver = _receiver(child.receiver, facts)
            if receiver is None:
                why += "; no neighbourhood team for this place"
            position = len(steps)
            steps.append(Step(depth, child.name, text, True, why, None, child.cont))
            deeper = self._walk(child, facts, depth + 1, steps)
            if not deeper and receiver is not None:
                steps[position] = Step(depth, child.name, text, True, why, receiver, child.cont)
            delivered = delivered or deeper or receiver is not None
            if not child.cont:
                for later in node.routes[index + 1 :]:
                    steps.append(
                        Step(
                            depth,
                            later.name,
                            tuple(str(m) for m in later.matchers),
                            False,
                            f"not checked: {child.name!r} matched without continue",
                            None,
                            later.cont,
                        )
                    )
                break
        return delivered


def _receiver(receiver: str, facts: RouteFacts) -> str | None:
    if receiver == TEAM_TEMPLATE:
        return facts.team
    return receiver


def _check(matchers: tuple[Matcher, ...], facts: RouteFacts) -> tuple[bool, str]:
    """Whether all matchers hold, and the words that say so (or the first that failed)."""
    said = []
    for m in matchers:
        values = facts.values(m.label)
        shown = ",".join(v for v in values if v) or "none"
        if not m.matches(values):
            return False, f"{m} does not hold ({m.label} is {shown})"
        said.append(f"{m} ({m.label} is {shown})")
    return True, "; ".join(said) if said else "matches every tip"


def _route(
    node: Node,
    name: str,
    parent_receiver: str | None,
    teams: Teams,
    known: dict[str, tuple[str, ...]],
    *,
    is_root: bool = False,
) -> Route:
    allowed = (
        ("name", "receiver", "routes")
        if is_root
        else (
            "name",
            "receiver",
            "match",
            "match_re",
            "matchers",
            "continue",
            "routes",
        )
    )
    keys = node.mapping(f"route {name!r}", optional=allowed)
    if "name" in keys:
        name = keys["name"].text("route name")
    receiver = parent_receiver
    if "receiver" in keys:
        receiver = keys["receiver"].text("receiver")
        if receiver != TEAM_TEMPLATE and receiver not in teams.destinations:
            raise keys["receiver"].error(
                f"unknown destination {receiver!r} (expected {TEAM_TEMPLATE} or one of: "
                f"{', '.join(teams.destinations)})"
            )
    if receiver is None:
        raise node.error(f"route {name!r} has no receiver and none to inherit")
    matchers: list[Matcher] = []
    for key, op in (("match", "="), ("match_re", "=~")):
        if key in keys:
            for label, value in keys[key].items(key).items():
                matchers.append(build(label, op, str(value.value), value, known))
    if "matchers" in keys:
        matchers += [parse(m, known) for m in keys["matchers"].seq("matchers")]
    if not is_root and not matchers:
        raise node.error(
            f"route {name!r} has no matchers (only the root route may match everything)"
        )
    cont = keys["continue"].boolean("continue") if "continue" in keys else False
    children: list[Route] = []
    if "routes" in keys:
        for i, child in enumerate(keys["routes"].seq("routes")):
            children.append(_route(child, f"{name}.{i + 1}", receiver, teams, known))
    return Route(name, receiver, tuple(matchers), cont, tuple(children), node.line)
