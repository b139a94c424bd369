"""What durable SQLite commits cost: the previous settings beside the current ones, in one run.

"before" is how SQLite ran until the no-lost-writes work (synchronous=NORMAL,
deferred BEGIN); "after" is `make_engine` today (synchronous=FULL, BEGIN
IMMEDIATE at a unit of work's first write). Each mode runs, alternately and
twice, three workloads on a fresh database file:

- small: single-record units of work one after another (the API's and the suite's pattern);
- parallel: the same from several threads at once (errors counted: must be 0);
- import: one pledge import of many rows in one transaction (the import benchmark's pattern).

It first prints what a bare one-row commit costs with each `synchronous` setting.

    python benchmarks/sqlite_durability.py [--small 300] [--threads 4] [--rows 20000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from materiel.bootstrap import Runtime
from materiel.demo.load import load_demo
from materiel.donations.service import create_requirement, import_pledges
from materiel.platform import database
from materiel.platform.database import make_engine, make_session_factory
from materiel.platform.settings import Settings

MODES = ("before", "after")


def _previous_settings(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = ""  # the driver's deferred BEGIN before the first write
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def engine_for(url: str, mode: str) -> Engine:
    engine = make_engine(url)
    if mode == "before":
        event.remove(engine, "checkout", database._sqlite_begin_immediate)
        event.listen(engine, "connect", _previous_settings)
    return engine


def fresh_runtime(folder: Path, mode: str, run: int) -> Runtime:
    url = f"sqlite:///{folder / f'{mode}-{run}.db'}"
    engine = engine_for(url, mode)
    runtime = Runtime(Settings(database_url=url), engine, make_session_factory(engine))
    runtime.upgrade_schema()
    load_demo(runtime)
    return runtime


def requirement(ref: str) -> dict[str, Any]:
    return {
        "ref": ref,
        "item_type": "pzh-2000",
        "quantity": 2,
        "priority": 3,
        "needed_by": "2027-06-01",
        "unit": "bench unit",
        "destination": "ho-korczowa",
    }


def small(runtime: Runtime, count: int, prefix: str = "S") -> int:
    errors = 0
    for n in range(count):
        try:
            create_requirement(requirement(f"{prefix}-{n}"), runtime.uow("bench"))
        except Exception:  # counted: a lost or refused write
            errors += 1
    return errors


def parallel(runtime: Runtime, threads: int, count: int) -> int:
    errors: list[int] = []
    workers = [
        threading.Thread(target=lambda i=i: errors.append(small(runtime, count, f"P{i}")))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(errors)


def pledge_rows(rows: int) -> list[dict[str, Any]]:
    donors, items = ["DEU", "POL", "USA", "GBR", "FRA"], ["pzh-2000", "caesar", "m109a6"]
    return [
        {
            "ref": f"B-{n:06d}",
            "donor": donors[n % 5],
            "item_type": items[n % 3],
            "quantity": 1 + n % 9,
        }
        for n in range(rows)
    ]


def raw_commit_ms(folder: Path, synchronous: str, commits: int = 300) -> float:
    """One-row commits on a bare sqlite3 connection: the cost of the fsync alone."""
    connection = sqlite3.connect(folder / f"raw-{synchronous}.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("CREATE TABLE t (x INTEGER)")
    started = time.perf_counter()
    for n in range(commits):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?)", (n,))
        connection.execute("COMMIT")
    connection.close()
    return 1000 * (time.perf_counter() - started) / commits


def timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def run_mode(folder: Path, mode: str, run: int, args: argparse.Namespace) -> str:
    """One mode's three workloads on a fresh database; a line of the table."""
    runtime = fresh_runtime(folder, mode, run)
    small_s, small_errors = timed(lambda: small(runtime, args.small))
    per = args.small // args.threads
    parallel_s, parallel_errors = timed(lambda: parallel(runtime, args.threads, per))
    rows = pledge_rows(args.rows)
    import_s, report = timed(lambda: import_pledges(("pledges", rows), runtime.uow("bench")))
    runtime.close()
    assert report.created == args.rows, report.rejected[:3]
    return (
        f"{mode:<8}{run:>4}{small_s:>10.2f}{1000 * small_s / args.small:>11.1f}"
        f"{parallel_s:>12.2f}{small_errors + parallel_errors:>8}{import_s:>10.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        normal, full = (raw_commit_ms(Path(folder), mode) for mode in ("NORMAL", "FULL"))
        print(f"bare sqlite3 commit: synchronous=NORMAL {normal:.2f} ms, FULL {full:.2f} ms")
        print(
            f"{'mode':<8}{'run':>4}{'small s':>10}{'ms/commit':>11}{'parallel s':>12}"
            f"{'errors':>8}{'import s':>10}"
        )
        for run in (1, 2):
            for mode in MODES:
                print(run_mode(Path(folder), mode, run, args))


if __name__ == "__main__":
    main()
