"""The `tipline` command line."""

from __future__ import annotations

import argparse
import sys

from shared.config import get_settings

# Defaults sized for a 2-core host; see README "Performance" for how they were chosen.
WEB_WORKERS = 2
WEB_THREADS = 4
WORKER_CONCURRENCY = 2
WORKER_POOL = "prefork"
WORKER_QUEUES = "tipline.tips,tipline.retry,tipline.periodic"


def worker_argv(
    log_level: str, *, concurrency: int, pool: str, hostname: str | None = None
) -> list[str]:
    """Celery worker arguments for the router (also used by the benchmark's no-op ceiling)."""
    argv = [
        "worker",
        "--loglevel",
        log_level,
        "--concurrency",
        str(concurrency),
        "--pool",
        pool,
        "-Q",
        WORKER_QUEUES,
        "--without-gossip",
        "--without-mingle",
    ]
    if hostname:
        argv += ["--hostname", hostname]
    return argv


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tipline", description="Tipline: tips about drug activity, routed to the right team"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the whole system on embedded defaults (Ctrl-C stops it)")
    run.add_argument("--redis-port", type=int, default=6390)

    worker = sub.add_parser("worker", help="a Celery worker running the pipeline")
    worker.add_argument("--concurrency", type=int, default=WORKER_CONCURRENCY)
    worker.add_argument("--pool", default=WORKER_POOL, choices=("prefork", "solo", "threads"))
    worker.add_argument("--hostname", default=None)

    scheduler = sub.add_parser("scheduler", help="the periodic scheduler (sweep, leases, breaches)")
    scheduler.add_argument("--schedule-file", default=None)

    for name, default_port, help_text in (
        ("ingest", 8000, "the intake service: public form and phone API"),
        ("api", 8001, "the router service: team queue API, console, ops"),
    ):
        web = sub.add_parser(name, help=help_text)
        web.add_argument("--host", default="127.0.0.1")
        web.add_argument("--port", type=int, default=default_port)
        web.add_argument("--workers", type=int, default=WEB_WORKERS)
        web.add_argument("--threads", type=int, default=WEB_THREADS)

    keys = sub.add_parser("keys", help="phone system API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create_key = keys.add_parser("create", help="create a key (shown once)")
    create_key.add_argument("--name", required=True)

    users = sub.add_parser("users", help="staff users").add_subparsers(
        dest="users_command", required=True
    )
    create_user = users.add_parser("create", help="create or update a user; prints a new API token")
    create_user.add_argument("--username", required=True)
    create_user.add_argument("--role", required=True, choices=("lead", "ops", "admin"))
    create_user.add_argument(
        "--destination", action="append", default=[], help="a queue a lead works (repeatable)"
    )
    create_user.add_argument(
        "--password", default=None, help="console password (omit to keep the current one)"
    )
    create_user.add_argument("--display-name", default=None)

    sub.add_parser("classify", help="decide TipSubmission JSON lines from stdin (no servers)")

    dlq = sub.add_parser("dlq", help="dead letters").add_subparsers(
        dest="dlq_command", required=True
    )
    dlq.add_parser("list", help="list dead letters not yet replayed")
    replay = dlq.add_parser("replay", help="re-queue dead-lettered tips")
    replay.add_argument("ids", nargs="*", type=int)
    replay.add_argument("--all", action="store_true")

    purge = sub.add_parser("purge", help="erase contact details and tips past retention")
    purge.add_argument("--dry-run", action="store_true", help="print what would go; change nothing")

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations")

    from services.cli.rules import register

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tipline` console script."""
    args = _parser().parse_args(argv)
    settings = get_settings()
    command = args.command
    if command == "classify":
        from services.cli.classify import run as classify

        return classify(settings)
    if command == "run":
        from services.cli.system import run_system

        return run_system(settings, redis_port=args.redis_port)
    if command in ("ingest", "api"):
        from services.cli.serve import serve

        if command == "ingest":
            from services.ingest import create_app as ingest_app

            factory = ingest_app
        else:
            from services.router.app import create_app as router_app

            router_app(settings)  # fail here, loudly, on a broken rules or data file
            factory = router_app
        serve(factory, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
        return 0
    if command in ("worker", "scheduler"):
        from services.router.celery_app import create_celery
        from shared.domain.pipeline import Pipeline

        if command == "worker":
            Pipeline.load(data_dir=settings.data_dir, rules_dir=settings.rules_dir)  # fail fast
        app = create_celery(settings)
        if command == "worker":
            argv_ = worker_argv(
                settings.log_level,
                concurrency=args.concurrency,
                pool=args.pool,
                hostname=args.hostname,
            )
        else:
            argv_ = ["beat", "--loglevel", settings.log_level]
            if args.schedule_file:
                argv_ += ["--schedule", args.schedule_file]
        app.start(argv_)
        return 0
    from services.cli import admin

    if command == "keys":
        print(admin.create_key(settings, name=args.name))
        return 0
    if command == "users":
        print(
            admin.create_user(
                settings,
                username=args.username,
                role=args.role,
                destinations=args.destination,
                password=args.password,
                display_name=args.display_name,
            )
        )
        return 0
    if command == "dlq":
        if args.dlq_command == "list":
            return admin.dlq_list(settings)
        if not args.ids and not args.all:
            raise SystemExit("give dead letter ids, or --all")
        return admin.dlq_replay(settings, ids=args.ids, replay_all=args.all)
    if command == "purge":
        from services.cli.purge import run as purge_run

        return purge_run(settings, dry_run=args.dry_run)
    if command == "db":
        return admin.db_upgrade(settings)
    if command == "rules":
        from services.cli.rules import handle

        return handle(args, settings)
    return 2


if __name__ == "__main__":
    sys.exit(main())
