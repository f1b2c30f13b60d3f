"""/hotspots: where and when tips say dealing happens, for the teams the user can see."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, render_template, request

from services.router.auth import ALL_SEEING, visible_destinations
from services.router.console.blueprint import CATEGORY_WORDS, bp, ctx, destinations, login_required
from services.router.console.hotspots import DAYS, SHADES, city_map, picture

DEFAULT_DAYS = 90
ATTRIBUTION = (
    "Ward boundaries: Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right 2021. "
    "Postcode locations: Contains OS data © Crown copyright and database right 2025; Contains Royal "
    "Mail data © Royal Mail copyright and database right 2025; Contains National Statistics data © "
    "Crown copyright and database right 2025. Place names: Contains public sector information "
    "licensed under the Open Government Licence v3.0."
)


def _date(name: str, default: date) -> tuple[date, str | None]:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return default, f"{raw} is not a date; showing {default.isoformat()} instead"


@bp.get("/hotspots")
@login_required
def hotspots() -> Any:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    since, since_problem = _date("from", today - timedelta(days=DEFAULT_DAYS))
    until, until_problem = _date("to", today)
    if until < since:
        since, until = until, since
    category = request.args.get("category", "")
    category = category if category in CATEGORY_WORDS else ""
    teams = visible_destinations(g.user, destinations())
    team = request.args.get("team", "")
    team = team if team in teams else ""
    context = ctx()
    city = city_map(context.pipeline.locator)
    with context.sessions() as db:
        result = picture(
            db,
            city=city,
            since=since,
            until=until,
            category=category or None,
            team=team or None,
            visible=None if g.user.role in ALL_SEEING else teams,
        )
    wards_by_count = sorted(city.wards, key=lambda w: (-result.ward_counts.get(w.code, 0), w.name))
    return render_template(
        "console/hotspots.html",
        city=city,
        result=result,
        wards_by_count=wards_by_count,
        filters={
            "from": since.isoformat(),
            "to": until.isoformat(),
            "category": category,
            "team": team,
        },
        teams=teams,
        problems=[p for p in (since_problem, until_problem) if p],
        days=DAYS,
        shades=SHADES,
        attribution=ATTRIBUTION,
    )
