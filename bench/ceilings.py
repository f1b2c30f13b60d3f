"""Ceilings measured beside Tipline under the same settings: a bare intake and a no-op worker.

    python -m bench.ceilings bare --port P --workers W --threads T
    python -m bench.ceilings noop-worker --concurrency C --pool POOL
    python -m bench.ceilings publish-noop COUNT

The bare endpoint parses the body and validates it with the same TipSubmission model, under the
same gunicorn runner, and stores nothing. The no-op task runs on a worker started with the same
arguments and Celery configuration as `tipline worker` (same broker, acks_late, prefetch 1).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from celery import Celery
from flask import Flask, jsonify, request
from pydantic import ValidationError

from services.cli.main import worker_argv
from services.router.tasks.policy import TiplineTask
from shared.config import get_settings
from shared.messaging import QUEUE_TIPS, make_celery
from shared.schemas.errors import field_errors
from shared.schemas.submission import TipSubmission

TASK_NOOP = "tipline.bench_noop"


def bare_app() -> Flask:
    """Flask app whose tip endpoint only parses and validates."""
    app = Flask(__name__)

    @app.post("/api/v1/tips")
    def submit() -> Any:
        try:
            data = json.loads(request.get_data(cache=False))
            submission = TipSubmission.model_validate(data, context={"channel": "api"})
        except ValidationError as exc:
            return jsonify(error="Invalid tip", errors=field_errors(exc)), 422
        except ValueError:
            return jsonify(error="Body is not valid JSON (UTF-8)"), 400
        reference = "TL-0000-" + str(len(submission.description) % 10000).zfill(4)
        return jsonify(reference=reference, status="received"), 202

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    return app


def noop_celery() -> Celery:
    """A Celery app with Tipline's configuration and one task that does nothing."""
    app = make_celery(get_settings(), name="tipline-bench-noop")

    @app.task(name=TASK_NOOP, base=TiplineTask, bind=True, store_dead_letter=False)
    def noop(self: Any, tip_id: str) -> None:
        """Nothing: the cost left is Celery's own."""

    return app


def publish_noops(count: int) -> None:
    """Queue `count` no-op tasks on the tips queue, each carrying a tip-id-sized argument."""
    app = noop_celery()
    with app.producer_or_acquire() as producer:
        for i in range(count):
            app.send_task(TASK_NOOP, args=[f"{i:032x}"], queue=QUEUE_TIPS, producer=producer)


def main() -> None:
    """Command-line entry for the three ceiling helpers."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    bare = sub.add_parser("bare")
    bare.add_argument("--host", default="127.0.0.1")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--workers", type=int, required=True)
    bare.add_argument("--threads", type=int, required=True)
    noop = sub.add_parser("noop-worker")
    noop.add_argument("--concurrency", type=int, required=True)
    noop.add_argument("--pool", required=True)
    noop.add_argument("--hostname", default=None)
    publish = sub.add_parser("publish-noop")
    publish.add_argument("count", type=int)
    args = parser.parse_args()
    if args.command == "bare":
        from services.cli.serve import serve

        serve(bare_app, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    elif args.command == "noop-worker":
        settings = get_settings()
        argv = worker_argv(
            settings.log_level, concurrency=args.concurrency, pool=args.pool, hostname=args.hostname
        )
        noop_celery().start(argv)
    else:
        publish_noops(args.count)


if __name__ == "__main__":
    main()
