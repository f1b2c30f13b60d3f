"""Percentiles and ratios for benchmark figures."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of durations in seconds, as milliseconds."""
    return {
        "p50": round(percentile(seconds, 50) * 1000, 1),
        "p99": round(percentile(seconds, 99) * 1000, 1),
        "max": round(max(seconds, default=0.0) * 1000, 1),
        "n": len(seconds),
    }


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator to three places, or None when the ceiling is zero."""
    return round(numerator / denominator, 3) if denominator else None
