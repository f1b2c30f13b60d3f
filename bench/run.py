"""`make bench`: Tipline in production form under load, beside ceilings measured in the same run.

    python -m bench.run [--db postgres|sqlite|auto] [--seconds 12] [--rate 100]

Starts its own Redis on a free port and a fresh database, then runs, in order: the bare intake
ceiling; the no-op worker ceiling; the real intake at saturation (workers stopped, so the tips
queue up); the real workers draining that backlog; a fixed offered rate with everything running
(accepted-to-routed latency); and intake saturated with the workers running beside it. Prints
one JSON object. The host is shared and noisy, so the ratios to the ceilings are what count.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import phases
from bench.database import Readout, create, drop, postgres_reachable
from bench.stats import ratio
from services.cli.main import WEB_THREADS, WEB_WORKERS, WORKER_CONCURRENCY, WORKER_POOL
from tests.support.procs import RedisServer


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("auto", "postgres", "sqlite"), default="auto")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each load phase")
    parser.add_argument("--rate", type=float, default=100.0, help="fixed offered rate, tips/s")
    parser.add_argument("--concurrency", type=int, default=16, help="saturating connections")
    parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)
    parser.add_argument("--web-threads", type=int, default=WEB_THREADS)
    parser.add_argument("--worker-concurrency", type=int, default=WORKER_CONCURRENCY)
    parser.add_argument("--worker-pool", default=WORKER_POOL)
    parser.add_argument("--only", default="", help="comma-separated phases to run (default all)")
    parser.add_argument("--profile", default="", help="directory for py-spy profiles")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser.parse_args()


def _verdict(report: dict[str, Any]) -> dict[str, Any]:
    bare = report["ceilings"].get("bare_intake", {}).get("accepted_per_s", 0)
    intake = report["intake"].get("saturation", {}).get("accepted_per_s", 0)
    noop = report["ceilings"].get("noop_worker", {}).get("per_process_per_s", 0)
    drain = report["pipeline"].get("drain", {}).get("per_process_per_s", 0)
    latency = report["pipeline"].get("latency_at_fixed_rate_ms", {})
    ratios = {
        "intake_vs_bare": ratio(intake, bare),
        "pipeline_vs_noop_per_process": ratio(drain, noop),
    }
    checks = {
        "intake_at_least_half_of_bare": (ratios["intake_vs_bare"] or 0) >= 0.5,
        "pipeline_at_least_half_of_noop": (ratios["pipeline_vs_noop_per_process"] or 0) >= 0.5,
        "routed_p50_at_most_50ms": bool(latency) and latency.get("p50", 1e9) <= 50,
        "routed_p99_at_most_250ms": bool(latency) and latency.get("p99", 1e9) <= 250,
    }
    return {"ratios": ratios, "acceptance": checks}


def main() -> int:
    """Run every phase and print the report."""
    args = _args()
    kind = args.db
    if kind == "auto":
        kind = "postgres" if postgres_reachable() else "sqlite"
    workdir = Path(tempfile.mkdtemp(prefix="tipline-bench-"))
    url = create(kind, workdir)
    redis = RedisServer(workdir / "redis").start()
    readout: Readout | None = None
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "settings": {
            "web_workers": args.web_workers,
            "web_threads": args.web_threads,
            "worker_pool": args.worker_pool,
            "worker_concurrency": args.worker_concurrency,
            "load_concurrency": args.concurrency,
            "phase_seconds": args.seconds,
            "fixed_rate_per_s": args.rate,
        },
        "ceilings": {},
        "intake": {},
        "pipeline": {},
    }
    began = time.perf_counter()
    bench = phases.Bench.prepare(url, redis.url, workdir, args)
    readout = bench.readout
    try:
        phases.run_all(bench, report, only=set(filter(None, args.only.split(","))))
    except Exception as exc:  # still print what was measured, and say what stopped the run
        report["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        bench.stop_all()
        if readout is not None:
            readout.close()
        redis.stop()
        drop(url)
        if args.keep:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report.update(_verdict(report))
    report["run_seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(report, indent=2))
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main())
