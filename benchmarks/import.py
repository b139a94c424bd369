"""Import speed and memory: a generated 100,000-row pledge workbook.

Prints, side by side in one run, the floor (openpyxl alone reading the same
file in read-only mode) and our importer (parse, validate, upsert, audit
into a fresh SQLite database). Each phase runs in its own process so that
its peak memory is its own. Goal: under 30 s and 1 GiB on 2 cores.

    python benchmarks/import.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook

from materiel.bootstrap import Runtime
from materiel.demo.load import load_demo
from materiel.demo.scenario import build
from materiel.donations.service import import_pledges
from materiel.platform.settings import Settings

HEADER = ["ref", "donor", "item_type", "quantity", "condition", "origin", "available_from"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A workbook of pledges over the demo catalogue and depots."""
    scenario = build()
    rng = random.Random(seed)
    items = [row["name"] for row in scenario.item_types]
    depots = [row["id"] for row in scenario.nodes if row["kind"] == "depot"]
    donors = ["DEU", "Germany", "GER", "POL", "PL", "USA", "United States", "GBR", "UK", "FRA"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("pledges")
    sheet.append(HEADER)
    start = date(2027, 1, 1)
    for number in range(rows):
        sheet.append(
            [
                f"BENCH-{number:06d}",
                rng.choice(donors),
                rng.choice(items),
                rng.randint(1, 40),
                rng.choice(["new", "refurbished", "used-serviceable"]),
                rng.choice(depots),
                start + timedelta(days=rng.randint(0, 400)),
            ]
        )
    workbook.save(path)


def phase_read(path: Path) -> dict[str, object]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return {"rows": count - 1}


def phase_import(path: Path, url: str) -> dict[str, object]:
    runtime = Runtime.start(Settings(database_url=url))
    runtime.upgrade_schema()
    load_demo(runtime)
    started = time.perf_counter()
    report = import_pledges(path, runtime.uow("benchmark"))
    return {"rows": report.created, "import_s": time.perf_counter() - started}


def run_phase(name: str, path: Path, url: str) -> tuple[float, float, dict[str, object]]:
    """Run one phase in a child process; return wall seconds, peak MiB, its own figures."""
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - runs this very script
        [sys.executable, __file__, "--phase", name, "--file", str(path), "--database-url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mib, json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=["read", "import"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.phase == "read":
        print(json.dumps(phase_read(args.file)))
        return
    if args.phase == "import":
        print(json.dumps(phase_import(args.file, args.database_url)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pledges.xlsx"
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        read_s, read_mib, read = run_phase("read", path, url)
        import_s, import_mib, imported = run_phase("import", path, url)
        print(f"{'phase':<28}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'peak MiB':>10}")
        for label, secs, mib, rows in (
            ("openpyxl read (floor)", read_s, read_mib, read["rows"]),
            (
                "materiel import pledges",
                float(str(imported["import_s"])),
                import_mib,
                imported["rows"],
            ),
        ):
            count = int(str(rows))
            print(f"{label:<28}{count:>10,}{secs:>10.1f}{count / secs:>10,.0f}{mib:>10.0f}")
        print(f"(import process wall time incl. start-up and demo load: {import_s:.1f} s)")


if __name__ == "__main__":
    main()
