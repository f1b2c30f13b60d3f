"""The benchmark's phases: each starts what it needs, drives load, and records its figures."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis as redis_lib

from bench.ceilings import TASK_NOOP
from bench.database import Readout
from bench.procs import ROOT, Proc, run_json
from bench.stats import summary
from services.cli.admin import create_key
from shared.config import Settings
from shared.messaging import QUEUE_RETRY, QUEUE_TIPS
from shared.store.migrate import upgrade
from tests.support.procs import free_port, wait_http, wait_until

NOOP_TASKS = 6000
WORKER_WARMUP_SECONDS = 1.0
DRAIN_WINDOW_SECONDS = 20.0
ROUTE_WAIT_SECONDS = 60.0


@dataclass
class Bench:
    """Everything the phases share: settings, environment, clients and running processes."""

    args: argparse.Namespace
    env: dict[str, str]
    workdir: Path
    readout: Readout
    broker: redis_lib.Redis
    key: str
    procs: dict[str, Proc] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def prepare(cls, url: str, redis_url: str, workdir: Path, args: argparse.Namespace) -> Bench:
        """Migrate the database, create an API key, and build the services' environment."""
        upgrade(url)
        key = create_key(Settings(database_url=url, redis_url=redis_url), name="bench phone")
        prom = workdir / "prometheus"
        prom.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            TIPLINE_DATABASE_URL=url,
            TIPLINE_REDIS_URL=redis_url,
            # One phone system sending far more than its real limit: the limiter still runs.
            TIPLINE_API_RATE_LIMIT_PER_MINUTE="100000000",
            PROMETHEUS_MULTIPROC_DIR=str(prom),
            PYTHONPATH=str(ROOT),
        )
        return cls(args, env, workdir, Readout(url), redis_lib.Redis.from_url(redis_url), key)

    # processes

    def web_args(self) -> list[str]:
        return ["--workers", str(self.args.web_workers), "--threads", str(self.args.web_threads)]

    def worker_args(self) -> list[str]:
        return [
            "--concurrency",
            str(self.args.worker_concurrency),
            "--pool",
            self.args.worker_pool,
        ]

    def start_web(self, name: str, module: str, command: list[str]) -> str:
        port = free_port()
        self.ports[name] = port
        args = [*command, "--port", str(port), *self.web_args()]
        self.procs[name] = Proc(name, module, args, self.env, self.workdir / "logs")
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", timeout=60)
        return base

    def start(self, name: str, module: str, args: list[str]) -> Proc:
        self.procs[name] = Proc(name, module, args, self.env, self.workdir / "logs")
        return self.procs[name]

    def stop(self, *names: str) -> None:
        for name in names:
            proc = self.procs.pop(name, None)
            if proc is not None:
                proc.stop()

    def stop_all(self) -> None:
        self.stop(*list(self.procs))

    def purge_broker(self) -> None:
        """Drop queued and unacknowledged messages (only ever with every worker stopped)."""
        self.broker.delete(QUEUE_TIPS, QUEUE_RETRY, "unacked", "unacked_index")

    def load(self, url: str, *extra: str) -> dict[str, Any]:
        return run_json("bench.load", ["--url", url, "--key", self.key, *extra], self.env)

    def saturate(self, url: str, seed: int) -> dict[str, Any]:
        return self.load(
            url,
            "--mode",
            "saturate",
            "--concurrency",
            str(self.args.concurrency),
            "--seconds",
            str(self.args.seconds),
            "--seed",
            str(seed),
        )

    @property
    def worker_processes(self) -> int:
        return 1 if self.args.worker_pool == "solo" else self.args.worker_concurrency


def _profile(bench: Bench, name: str, seconds: float) -> subprocess.Popen[bytes] | None:
    """With --profile DIR, sample `name` and its children with py-spy (collapsed stacks)."""
    if not bench.args.profile:
        return None
    out = Path(bench.args.profile) / f"{name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--pid", str(bench.procs[name].pid), "--subprocesses"]
    command += ["--duration", str(int(seconds)), "--format", "raw", "--nonblocking", "-o", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _drain_rate(count: Callable[[], int], target: int, window: float) -> dict[str, Any]:
    """Wait for draining to start, skip the warm-up, then measure the rate over `window`."""
    start = count()
    wait_until(lambda: count() > start, timeout=120, interval=0.05)
    time.sleep(WORKER_WARMUP_SECONDS)
    t0, c0 = time.perf_counter(), count()
    t1, c1 = t0, c0
    while c1 < target and t1 - t0 < window:
        time.sleep(0.25)
        t1, c1 = time.perf_counter(), count()
    elapsed = max(t1 - t0, 1e-6)
    return {
        "drained": c1 - c0,
        "seconds": round(elapsed, 2),
        "per_s": round((c1 - c0) / elapsed, 1),
    }


def _settle(bench: Bench, timeout: float = ROUTE_WAIT_SECONDS) -> int:
    """Wait for every stored tip to be decided; returns how many are still waiting."""
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: bench.readout.waiting() == 0, timeout=timeout, interval=0.2)
    return bench.readout.waiting()


def bare_ceiling(bench: Bench, report: dict[str, Any]) -> None:
    """The bare endpoint at saturation, under the same gunicorn runner and settings."""
    url = bench.start_web("bare", "bench.ceilings", ["bare"])
    report["ceilings"]["bare_intake"] = bench.saturate(url, seed=1)
    bench.stop("bare")


def noop_ceiling(bench: Bench, report: dict[str, Any]) -> None:
    """A backlog of no-op tasks drained by a worker started exactly like `tipline worker`."""
    bench.purge_broker()
    subprocess.run(
        [sys.executable, "-m", "bench.ceilings", "publish-noop", str(NOOP_TASKS)],
        env=bench.env,
        cwd=ROOT,
        check=True,
    )
    queued = bench.broker.llen(QUEUE_TIPS)
    bench.start("noop", "bench.ceilings", ["noop-worker", *bench.worker_args()])
    drained = _drain_rate(lambda: queued - bench.broker.llen(QUEUE_TIPS), queued, 15.0)
    bench.stop("noop")
    bench.purge_broker()
    per_process = drained["per_s"] / bench.worker_processes
    report["ceilings"]["noop_worker"] = {
        "task": TASK_NOOP,
        **drained,
        "worker_processes": bench.worker_processes,
        "per_process_per_s": round(per_process, 1),
    }


def intake_saturation(bench: Bench, report: dict[str, Any]) -> None:
    """The real intake at saturation with no workers running; the tips queue up in the broker."""
    url = bench.start_web("ingest", "services.cli.main", ["ingest"])
    spy = _profile(bench, "ingest", bench.args.seconds)
    report["intake"]["saturation"] = bench.saturate(url, seed=2)
    if spy is not None:
        spy.wait()


def pipeline_drain(bench: Bench, report: dict[str, Any]) -> None:
    """Real workers draining the intake's backlog (intake idle), as the no-op ceiling was."""
    waiting = bench.readout.waiting()
    decided = bench.readout.decided()
    bench.start("worker", "services.cli.main", ["worker", *bench.worker_args()])
    spy = _profile(bench, "worker", DRAIN_WINDOW_SECONDS + 5)
    drained = _drain_rate(bench.readout.decided, decided + waiting, DRAIN_WINDOW_SECONDS)
    if spy is not None:
        spy.wait()
    bench.stop("worker")
    bench.purge_broker()
    set_aside = bench.readout.set_aside_waiting()
    report["pipeline"]["drain"] = {
        **drained,
        "backlog": waiting,
        "set_aside_after": set_aside,
        "worker_processes": bench.worker_processes,
        "per_process_per_s": round(drained["per_s"] / bench.worker_processes, 1),
    }


def _ensure_running(bench: Bench) -> str:
    if "ingest" not in bench.procs:
        bench.start_web("ingest", "services.cli.main", ["ingest"])
    if "api" not in bench.procs:
        bench.start_web("api", "services.cli.main", ["api"])
    if "worker" not in bench.procs:
        bench.start("worker", "services.cli.main", ["worker", *bench.worker_args()])
    if "scheduler" not in bench.procs:
        schedule = str(bench.workdir / "beat-schedule")
        bench.start("scheduler", "services.cli.main", ["scheduler", "--schedule-file", schedule])
    return f"http://127.0.0.1:{bench.ports['ingest']}"


def fixed_rate(bench: Bench, report: dict[str, Any]) -> None:
    """A fixed offered rate with everything running: intake latency and accepted-to-routed."""
    url = _ensure_running(bench)
    # A few tips first, so the worker has loaded its data before the clock starts.
    bench.load(url, "--mode", "rate", "--rate", "10", "--seconds", "1", "--seed", "3")
    _settle(bench, timeout=30)
    records_path = bench.workdir / "fixed-rate.jsonl"
    rate = str(bench.args.rate)
    result = bench.load(
        url, "--mode", "rate", "--rate", rate, "--seconds", str(bench.args.seconds * 1.5),
        "--seed", "4", "--records", str(records_path),
    )  # fmt: skip
    report["intake"]["at_fixed_rate"] = result
    records = [json.loads(line) for line in records_path.read_text().splitlines()]
    starts = {r["reference"]: r["start"] for r in records}
    _settle(bench)
    routed = bench.readout.routed_at(starts)
    latencies = [routed[ref].timestamp() - start for ref, start in starts.items() if ref in routed]
    report["pipeline"]["latency_at_fixed_rate_ms"] = {
        **summary(latencies),
        "offered_per_s": bench.args.rate,
        "accepted": len(starts),
        "not_routed": len(starts) - len(routed),
    }


def shared_saturation(bench: Bench, report: dict[str, Any]) -> None:
    """Intake saturated while the workers route beside it: the sustained end-to-end rate."""
    url = _ensure_running(bench)
    samples: list[tuple[float, int]] = []
    args = [
        "--url", url, "--key", bench.key, "--mode", "saturate", "--seed", "5",
        "--concurrency", str(bench.args.concurrency), "--seconds", str(bench.args.seconds),
    ]  # fmt: skip
    load = subprocess.Popen(
        [sys.executable, "-m", "bench.load", *args],
        env=bench.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    launched = time.perf_counter()
    while load.poll() is None:
        samples.append((time.perf_counter(), bench.readout.decided()))
        time.sleep(0.5)
    out, _ = load.communicate()
    ended = time.perf_counter()
    # Skip the load client's start-up and the tail, where intake has already stopped.
    window = [(t, c) for t, c in samples if launched + 3 <= t <= ended - 1] or samples
    (t0, c0), (t1, c1) = window[0], window[-1]
    intake = json.loads(out.strip().splitlines()[-1])
    routed = (c1 - c0) / max(t1 - t0, 1e-6)
    report["pipeline"]["shared_saturation"] = {
        "accepted_per_s": intake["accepted_per_s"],
        "intake_latency_ms": intake["latency_ms"],
        "routed_per_s": round(routed, 1),
        "routed_per_process_per_s": round(routed / bench.worker_processes, 1),
        "backlog_after": bench.readout.waiting(),
    }


PHASES: dict[str, Callable[[Bench, dict[str, Any]], None]] = {
    "bare": bare_ceiling,
    "noop": noop_ceiling,
    "intake": intake_saturation,
    "drain": pipeline_drain,
    "fixed": fixed_rate,
    "shared": shared_saturation,
}


def run_all(bench: Bench, report: dict[str, Any], only: set[str]) -> None:
    """Run the phases in order (or just those in `only`), logging progress to stderr."""
    for name, phase in PHASES.items():
        if only and name not in only:
            continue
        began = time.perf_counter()
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        phase(bench, report)
        print(f"bench: {name} done in {time.perf_counter() - began:.1f}s", file=sys.stderr)
