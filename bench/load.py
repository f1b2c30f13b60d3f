"""Async load client: POSTs tips closed-loop (saturation) or open-loop (a fixed offered rate).

    python -m bench.load --url URL --key KEY --mode saturate --concurrency 16 --seconds 15
    python -m bench.load --url URL --key KEY --mode rate --rate 100 --seconds 20 --records out.jsonl

Prints one JSON summary; with --records, writes each accepted tip's reference and POST start
time (wall clock, so the pipeline's own timestamps can be compared with it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.stats import summary
from bench.tips import TipMaker


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    records: list[tuple[str, float]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0


async def _post(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], body: bytes, tally: Tally
) -> None:
    wall = time.time()
    start = time.perf_counter()
    try:
        async with session.post(url, data=body, headers=headers) as response:
            payload = await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError):
        tally.errors += 1
        return
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status == 202:
        tally.latencies.append(time.perf_counter() - start)
        tally.records.append((json.loads(payload)["reference"], wall))


async def _saturate(
    session: aiohttp.ClientSession, post: Any, bodies: list[bytes], concurrency: int, seconds: float
) -> float:
    deadline = time.perf_counter() + seconds
    cursor = iter(bodies)

    async def loop() -> None:
        for body in cursor:
            if time.perf_counter() >= deadline:
                return
            await post(session, body)

    began = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return time.perf_counter() - began


async def _offer(
    session: aiohttp.ClientSession, post: Any, bodies: list[bytes], rate: float, seconds: float
) -> float:
    count = int(rate * seconds)
    began = time.perf_counter()
    pending = []
    for i in range(count):
        # Open loop: each request starts on schedule whether or not earlier ones have finished.
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(post(session, bodies[i])))
    await asyncio.gather(*pending)
    return time.perf_counter() - began


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run one load phase and return its figures."""
    expected = int((args.rate or 5000) * args.seconds) + 1000
    bodies = TipMaker(seed=args.seed).bodies(expected)
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    url = f"{args.url}/api/v1/tips"
    tally = Tally()
    limit = args.concurrency if args.mode == "saturate" else 0
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)

    async def post(session: aiohttp.ClientSession, body: bytes) -> None:
        await _post(session, url, headers, body, tally)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for body in bodies[-20:]:  # warm the connections and the servers' first-request paths
            await _post(session, url, headers, body, Tally())
        if args.mode == "saturate":
            elapsed = await _saturate(session, post, bodies, args.concurrency, args.seconds)
        else:
            elapsed = await _offer(session, post, bodies, args.rate, args.seconds)
    if args.records:
        with open(args.records, "w", encoding="utf-8") as out:
            for reference, wall in tally.records:
                out.write(json.dumps({"reference": reference, "start": wall}) + "\n")
    result: dict[str, Any] = {
        "mode": args.mode,
        "accepted": len(tally.latencies),
        "accepted_per_s": round(len(tally.latencies) / elapsed, 1),
        "latency_ms": summary(tally.latencies),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": tally.errors,
        "seconds": round(elapsed, 2),
    }
    if args.mode == "saturate":
        result["concurrency"] = args.concurrency
    else:
        result["offered_per_s"] = args.rate
    return result


def main() -> None:
    """Command-line entry: one phase, one JSON line on stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", default="none")
    parser.add_argument("--mode", choices=("saturate", "rate"), default="saturate")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--records", default=None)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
