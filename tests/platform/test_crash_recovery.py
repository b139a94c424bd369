"""The server is SIGKILLed while clients write; after a restart no acknowledged write is lost.

A few seeded crash cycles per backend (the long run is tests/soak/). On
SQLite the file must also pass `PRAGMA integrity_check` afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from materiel.bootstrap import Runtime
from tests.auth import auth_headers
from tests.crash_cycles import integrity_problems, run_crash_cycles
from tests.factories import load_reference_data
from tests.server_process import ServerProcess

CYCLES = 3
SEED = 20261130


@pytest.mark.slow
def test_every_acknowledged_write_survives_sigkill_and_restart(
    runtime: Runtime, tmp_path: Path
) -> None:
    load_reference_data(runtime)
    headers = auth_headers(runtime)  # before the server starts: it may create a user and token
    server = ServerProcess(runtime.settings.database_url, tmp_path / "server.log")
    try:
        figures = run_crash_cycles(runtime, server, headers, CYCLES, SEED)
    finally:
        server.stop()
        print(f"server log:\n{server.log_tail()}")  # noqa: T201 - shown when the test fails
    print(figures.summary())  # noqa: T201 - the figures, with -s

    assert figures.cycles == CYCLES
    assert figures.server_errors == []
    assert figures.acknowledged, "no write was acknowledged: the cycles proved nothing"
    assert figures.lost == set()
    assert figures.found == len(figures.acknowledged)
    assert integrity_problems(runtime) == []
