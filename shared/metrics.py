"""Prometheus metrics. Counters live in the process that counts; queue figures are read from the
database at scrape time so every replica reports the same truth.

When PROMETHEUS_MULTIPROC_DIR is set (gunicorn workers, Celery pool processes), samples from all
processes on the host are aggregated at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

TIPS_RECEIVED = Counter("tipline_tips_received_total", "Tips accepted and stored", ["channel"])
TIPS_REJECTED = Counter("tipline_tips_rejected_total", "Submissions refused", ["channel", "status"])
DECISIONS = Counter(
    "tipline_decisions_total", "Tips decided by the pipeline", ["category", "priority"]
)
DUPLICATES = Counter("tipline_duplicates_total", "Tips linked as exact duplicates")
ROUTED_LATENCY = Histogram(
    "tipline_accepted_to_routed_seconds",
    "Time from a tip being stored to its queue items existing",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)
TASK_FAILURES = Counter("tipline_task_failures_total", "Task attempts that raised", ["task"])
TASK_RETRIES = Counter("tipline_task_retries_total", "Task retries scheduled", ["task"])
DEAD_LETTERED = Counter(
    "tipline_dead_lettered_total", "Tasks that exhausted their retries", ["task"]
)
PUBLISH_FAILURES = Counter("tipline_publish_failures_total", "Tips stored but not yet published")
REPUBLISHED = Counter("tipline_tips_republished_total", "Stuck tips re-published by the sweep")

Gauges = Callable[[], Iterable[tuple[str, str, list[str], list[tuple[list[str], float]]]]]


class ReadingCollector(Collector):
    """Exposes gauges computed by a function at scrape time (from the database)."""

    def __init__(self, read: Gauges) -> None:
        self.read = read

    def collect(self) -> Iterable[Metric]:
        for name, doc, labels, samples in self.read():
            family = GaugeMetricFamily(name, doc, labels=labels)
            for values, value in samples:
                family.add_metric(values, value)
            yield family


def render(read: Gauges | None = None) -> bytes:
    """The text exposition of this process's (or host's) counters plus database gauges."""
    registry: CollectorRegistry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    if read is not None:
        registry.register(ReadingCollector(read))
    return generate_latest(registry)
