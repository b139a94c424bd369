"""The real server as a child process, for tests that race it or kill it.

`materiel serve` runs exactly as in production (uvicorn, the schema brought
up to date at start-up) on the database a test names. Each start takes a
fresh free port and waits until `/api/health` answers; `kill` sends SIGKILL,
the crash a power cut or the OOM killer would cause to the process. The
server's output goes to a log file whose tail is shown when something fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

START_TIMEOUT_S = 90.0
LOG_TAIL_LINES = 40


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """One `materiel serve` child on a database; start, kill and restart it."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.port = 0
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start on a new free port and return once the health check answers."""
        if self._process is not None:
            raise RuntimeError("the server is already running; kill or stop it first")
        self.port = free_port()
        self.starts += 1
        env = {**os.environ, "MATERIEL_DATABASE_URL": self.database_url}
        command = [sys.executable, "-m", "materiel", "serve", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {self.starts}: {' '.join(command)}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer in {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye."""
        if self._process is None:
            return
        if self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=30)
        self._process = None

    def stop(self) -> None:
        """A clean shutdown (SIGTERM), killed if it does not come."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            with suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=15)
        self.kill()

    def log_tail(self) -> str:
        if not self.log_path.exists():
            return "(no server log)"
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])


@contextmanager
def running_server(database_url: str, log_dir: Path) -> Iterator[ServerProcess]:
    """A started server, stopped at the end; its log is printed (pytest shows it on failure)."""
    server = ServerProcess(database_url, log_dir / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        print(f"server log ({server.log_path}):\n{server.log_tail()}")  # noqa: T201
