"""docker-compose.yml cannot run here; check it against the real entry points instead."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import yaml

from shared.config import Settings
from shared.messaging import QUEUE_PERIODIC, QUEUE_RETRY, QUEUE_TIPS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(name: str) -> str:
    command = SERVICES[name]["command"]
    return command if isinstance(command, str) else shlex.join(command)


def _resolve(target: str) -> object:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr.removesuffix("()"))


def test_every_required_service_is_there_with_a_health_check() -> None:
    required = {"postgres", "redis", "ingest", "worker", "scheduler", "api", "flower"}
    assert required <= set(SERVICES)
    for name in required:
        assert "healthcheck" in SERVICES[name], name
        assert SERVICES[name]["healthcheck"]["test"], name


def test_redis_persists_and_never_evicts() -> None:
    command = _command("redis")
    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command


def test_gunicorn_targets_are_real_app_factories() -> None:
    for name, port in (("ingest", "8000"), ("api", "8001")):
        command = _command(name)
        assert f"0.0.0.0:{port}" in command
        target = re.search(r"'([\w.]+:\w+\(\))'", command)
        assert target, command
        factory = _resolve(target.group(1))
        assert callable(factory) and factory.__name__ == "create_app"


def test_celery_targets_and_queues_are_real() -> None:
    from celery import Celery

    for name in ("worker", "scheduler"):
        target = re.search(r"-A ([\w.]+:\w+)", _command(name))
        assert target
        assert isinstance(_resolve(target.group(1)), Celery)
    worker = _command("worker")
    queues = re.search(r"-Q ([\w.,]+)", worker)
    assert queues and set(queues.group(1).split(",")) == {QUEUE_TIPS, QUEUE_RETRY, QUEUE_PERIODIC}
    assert " beat" in _command("scheduler")


def test_environment_names_are_settings_fields() -> None:
    fields = set(Settings.model_fields)
    for name, service in SERVICES.items():
        for key in service.get("environment") or {}:
            if key.startswith("TIPLINE_"):
                assert key.removeprefix("TIPLINE_").lower() in fields, (name, key)


def test_migrations_run_before_the_services_start() -> None:
    assert _command("migrate") == "tipline db upgrade"
    for name in ("ingest", "api", "worker", "scheduler"):
        assert (
            SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


def test_dockerfile_copies_what_exists() -> None:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
