"""Starting and stopping the benchmark's processes, each in its own session and log file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Proc:
    """One child process (`python -m module args`) logging to `logdir/name.log`."""

    def __init__(self, name: str, module: str, args: list[str], env: dict[str, str], logdir: Path):
        logdir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = logdir / f"{name}.log"
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        """SIGTERM the main process (a warm shutdown for Celery and gunicorn), then the group."""
        if self.popen.poll() is None:
            # Only the parent: a pool child killed mid-task would be a lost worker, not a drain.
            self.popen.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)


def run_json(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `python -m module args` to completion and parse the last line it prints as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
