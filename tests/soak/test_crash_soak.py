"""The long crash soak: many SIGKILL cycles per backend, run on demand.

    MATERIEL_SOAK_CYCLES=50 .venv/bin/pytest tests/soak -s -n 0 -p no:cacheprovider

prints, per backend, the cycles survived, the writes attempted, acknowledged
and found after the restarts, and lost (must be 0). Without
MATERIEL_SOAK_CYCLES it is skipped: the suite runs the short version
(tests/platform/test_crash_recovery.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from materiel.bootstrap import Runtime
from tests.auth import auth_headers
from tests.crash_cycles import CrashFigures, integrity_problems, run_crash_cycles
from tests.factories import load_reference_data
from tests.server_process import ServerProcess

CYCLES = int(os.environ.get("MATERIEL_SOAK_CYCLES") or 0)
SEED = int(os.environ.get("MATERIEL_SOAK_SEED") or 6)


@pytest.mark.slow
@pytest.mark.skipif(not CYCLES, reason="set MATERIEL_SOAK_CYCLES=50 to run the crash soak")
def test_crash_soak(runtime: Runtime, tmp_path: Path) -> None:
    load_reference_data(runtime)
    headers = auth_headers(runtime)  # before the server starts: it may create a user and token
    server = ServerProcess(runtime.settings.database_url, tmp_path / "server.log")
    figures = CrashFigures(runtime.engine.url.get_backend_name())
    try:
        run_crash_cycles(runtime, server, headers, CYCLES, SEED, figures=figures)
    finally:
        server.stop()
        print(f"\ncrash soak, seed {SEED}: {figures.summary()}")  # noqa: T201 - the report
    problems = integrity_problems(runtime)
    print(f"integrity check: {problems or 'ok'}")  # noqa: T201

    assert figures.lost == set()
    assert figures.server_errors == []
    assert problems == []
