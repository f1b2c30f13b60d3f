"""/ops: is intake flowing, are workers alive, what failed; replay dead letters. Ops and admin only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for

from services.router.console.blueprint import bp, ctx, destinations, login_required, roles_required
from services.router.ops.broker import queue_lengths, redis_client
from services.router.ops.dead_letters import replay_dead_letters
from services.router.ops.figures import flow_figures
from services.router.ops.service import dead_letters, oldest_open_items, republished_recently
from services.router.ops.workers import worker_health


@bp.get("/ops")
@login_required
@roles_required("ops", "admin")
def ops() -> Any:
    context = ctx()
    now = datetime.now(UTC)
    client = redis_client(context.settings.redis_url)
    workers, ping_sent = worker_health(context.publisher.app, client, now=now)
    with context.sessions() as db:
        figures = flow_figures(db, destinations=destinations(), now=now)
        oldest = oldest_open_items(db, destinations())
        pending = dead_letters(db, pending_only=True)
        recent = dead_letters(db, pending_only=False, limit=20)
        republished = republished_recently(db, now=now)
    return render_template(
        "console/ops.html",
        now=now,
        workers=workers,
        ping_sent=ping_sent,
        broker=queue_lengths(client),
        figures=figures,
        oldest=oldest,
        pending=pending,
        recent=recent,
        republished=republished,
    )


@bp.post("/ops/dead-letters/replay")
@login_required
@roles_required("ops", "admin")
def replay() -> Any:
    replay_all = request.form.get("all") == "yes"
    try:
        ids = [int(value) for value in request.form.getlist("id")]
    except ValueError:
        ids = []
    if not replay_all and not ids:
        flash("Choose a dead letter to replay", "error")
        return redirect(url_for("console.ops"))
    context = ctx()
    result = replay_dead_letters(
        context.sessions, context.publisher, ids=ids, replay_all=replay_all, actor=g.user.username
    )
    flash(
        f"Replayed {result.letters} dead letter(s): {result.tips} tip(s) back in the pipeline, "
        f"{result.published} published now, the rest by the sweep",
        "success",
    )
    return redirect(url_for("console.ops"))
