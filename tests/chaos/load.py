"""Continuous tip load that behaves like the phone system: retries with its Idempotency-Key."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

PLACES = ["CB4 2JQ", "CB1 2AD", "CB5 8BQ", "CB1 3EL", "CB2 9DX", "CB4 1UL", "CB1 9HP", "CB3 9BQ"]
SCENES = [
    "Lads dealing from a car outside the shops, engine running",
    "Steady stream of people in and out of the flat, small packages",
    "Man selling weed by the play area most afternoons",
    "Hand to hand swaps on the corner by the bus stop",
]


@dataclass
class Load:
    """Posts distinct tips from a few threads until `target` are accepted or `stop()` is called."""

    url: str
    api_key: str
    target: int
    threads: int = 4
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> reference
    refused: dict[int, int] = field(default_factory=dict)  # status -> count of refusals retried
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: int = 0
    _workers: list[threading.Thread] = field(default_factory=list)

    def _next(self) -> int | None:
        with self._lock:
            if self._counter >= self.target:
                return None
            self._counter += 1
            return self._counter

    def _post_until_accepted(self, n: int, rng: random.Random) -> None:
        key = f"chaos-{uuid.uuid4().hex}"
        body = {
            "description": f"{rng.choice(SCENES)} (report {n} {key[-6:]})",
            "location": {"postcode": rng.choice(PLACES)},
        }
        while not self._stop.is_set():
            try:
                response = requests.post(
                    f"{self.url}/api/v1/tips",
                    json=body,
                    headers={"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": key},
                    timeout=10,
                )
            except requests.RequestException:
                with self._lock:
                    self.errors += 1
                time.sleep(0.2)
                continue
            if response.status_code == 202:
                with self._lock:
                    self.accepted[key] = response.json()["reference"]
                return
            with self._lock:
                self.refused[response.status_code] = self.refused.get(response.status_code, 0) + 1
            if response.status_code not in (429, 503):
                raise AssertionError(f"unexpected {response.status_code}: {response.text}")
            time.sleep(min(1.0, float(response.headers.get("Retry-After", "1")) / 5))

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self._stop.is_set():
            n = self._next()
            if n is None:
                return
            self._post_until_accepted(n, rng)

    def start(self) -> Load:
        self._workers = [
            threading.Thread(target=self._run, args=(seed,), daemon=True)
            for seed in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def wait_accepted(self, count: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def join(self, timeout: float = 600) -> None:
        for worker in self._workers:
            worker.join(timeout=timeout)

    def stop(self) -> None:
        self._stop.set()
