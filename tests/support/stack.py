"""A running Tipline for end-to-end tests: intake, router API, worker(s), scheduler."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from services.cli.admin import create_key, create_user
from shared.config import Settings
from shared.store.migrate import upgrade
from tests.support.procs import Service, free_port, wait_http, wait_until


@dataclass
class Stack:
    database_url: str
    redis_url: str
    workdir: Path
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    ingest_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    api_key: str = ""
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ingest(self) -> str:
        return f"http://127.0.0.1:{self.ingest_port}"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def env(self) -> dict[str, str]:
        prom = self.workdir / "prometheus"
        prom.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            TIPLINE_DATABASE_URL=self.database_url,
            TIPLINE_REDIS_URL=self.redis_url,
            TIPLINE_SWEEP_INTERVAL_SECONDS="1",
            TIPLINE_STUCK_AFTER_SECONDS="3",
            TIPLINE_API_RATE_LIMIT_PER_MINUTE="100000",
            PROMETHEUS_MULTIPROC_DIR=str(prom),
        )
        env.update(self.extra_env)
        return env

    def settings(self) -> Settings:
        return Settings(database_url=self.database_url, redis_url=self.redis_url)

    def prepare(self) -> Stack:
        """Migrate the database and create an API key and staff accounts."""
        settings = self.settings()
        upgrade(self.database_url)
        self.api_key = create_key(settings, name="test phone system")
        for username, role, destinations in (
            ("lead-north", "lead", ["cambridge-north"]),
            ("lead-east", "lead", ["cambridge-east"]),
            ("lead-cl", "lead", ["county-lines", "safeguarding"]),
            ("ops", "ops", []),
            ("admin", "admin", []),
        ):
            self.tokens[username] = create_user(
                settings,
                username=username,
                role=role,
                destinations=destinations,
                password="correct horse",
            )
        return self

    def start(self, *names: str) -> Stack:
        names = names or ("ingest", "api", "worker", "scheduler")
        env = self.env()
        logs = self.workdir / "logs"
        for name in names:
            if name == "ingest":
                args = ["ingest", "--port", str(self.ingest_port), "--threads", "8"]
            elif name == "api":
                args = ["api", "--port", str(self.api_port)]
            elif name.startswith("worker"):
                args = ["worker", "--concurrency", "1", "--hostname", f"{name}@%h"]
            else:
                args = ["scheduler", "--schedule-file", str(self.workdir / "beat-schedule")]
            self.services[name] = Service(name, args, env, logs).start()
        if "ingest" in names:
            wait_http(f"{self.ingest}/healthz")
        if "api" in names:
            wait_http(f"{self.api}/healthz")
        return self

    def stop(self, *names: str) -> None:
        for name in names or tuple(self.services):
            service = self.services.get(name)
            if service is not None:
                service.stop()

    def post_tip(
        self, body: dict[str, Any], *, key: str | None = None, **headers: str
    ) -> requests.Response:
        return requests.post(
            f"{self.ingest}/api/v1/tips",
            json=body,
            headers={"Authorization": f"Bearer {self.api_key}", **headers}
            if key is None
            else {"Authorization": f"Bearer {key}", **headers},
            timeout=30,
        )

    def get(self, path: str, user: str = "ops", **params: Any) -> requests.Response:
        return requests.get(
            f"{self.api}{path}",
            headers={"Authorization": f"Bearer {self.tokens[user]}"},
            params=params,
            timeout=10,
        )

    def post(self, path: str, user: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(
            f"{self.api}{path}",
            headers={"Authorization": f"Bearer {self.tokens[user]}"},
            json=body or {},
            timeout=10,
        )

    def queue_refs(self, destination: str, state: str = "active") -> list[str]:
        response = self.get(f"/api/v1/queues/{destination}", state=state, limit=500)
        response.raise_for_status()
        return [item["reference"] for item in response.json()["items"]]

    def wait_routed(
        self, reference: str, destination: str, timeout: float = 20.0
    ) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for item in self.get(f"/api/v1/queues/{destination}", limit=500).json()["items"]:
                if item["reference"] == reference:
                    return item
            return None

        return wait_until(found, timeout=timeout, interval=0.2)
