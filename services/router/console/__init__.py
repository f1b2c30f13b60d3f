"""The staff console: login, team queues, tip detail, hotspots and the ops page."""

from services.router.console import (  # noqa: F401  (each module adds its routes to bp)
    hotspot_views,
    login_views,
    ops_views,
    queue_views,
    tip_views,
)
from services.router.console.blueprint import bp

__all__ = ["bp"]
