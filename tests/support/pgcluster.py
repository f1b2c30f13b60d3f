"""A PostgreSQL server of the test's own (initdb in a temporary folder), so it can be stopped."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.procs import free_port


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> bool:
    """True when initdb and pg_ctl can be found."""
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; run the server as the postgres system user then.
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PgCluster:
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tipline-pg-")))

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> PgCluster:
        if os.geteuid() == 0:
            shutil.chown(self.root, user="postgres")
        subprocess.run(
            _as_postgres(
                [
                    _bin("initdb") or "initdb",
                    "-D",
                    str(self.datadir),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        return self

    def start(self) -> PgCluster:
        subprocess.run(
            _as_postgres(
                [
                    _bin("pg_ctl") or "pg_ctl",
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-o",
                    f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=on",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [_bin("pg_ctl") or "pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
