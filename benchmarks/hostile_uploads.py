"""Cost of the upload checks: time and peak memory, beside a baseline from the same run.

- a CSV of 1,000,001 rows (refused by the default row limit) against the
  floor of counting its lines with plain Python;
- a pledge workbook from benchmarks/import.py (20,000 rows: accepted) against
  the floor of openpyxl reading it in read-only mode;
- a zip bomb (64 MiB of zeros in one part: refused) against unzipping it.

Time is of a plain run; peak memory is tracemalloc's (Python allocations) in a
second run. Timings on a shared
machine are noisy; compare the columns of one run, not runs.

    python benchmarks/hostile_uploads.py [--rows 1000001] [--workbook-rows 20000]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from openpyxl import load_workbook

from materiel.core.errors import MaterielError
from materiel.platform.upload_safety import UploadLimits, check_upload

MIB = 1024 * 1024


def _import_benchmark() -> ModuleType:
    """benchmarks/import.py (its name is a keyword, so it is loaded by path)."""
    path = Path(__file__).resolve().parent / "import.py"
    spec = importlib.util.spec_from_file_location("import_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome_of(action: Callable[[], object]) -> str:
    try:
        action()
    except MaterielError as error:
        return f"refused: {error.message[:60]}"
    return "accepted"


def measure(action: Callable[[], object]) -> tuple[float, float, str]:
    """Seconds (a plain run), peak MiB (a second run under tracemalloc) and outcome."""
    started = time.perf_counter()
    outcome = outcome_of(action)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    outcome_of(action)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / MIB, outcome


def report(title: str, size: int, rows: list[tuple[str, Callable[[], object]]]) -> None:
    print(f"\n{title} ({size / MIB:.1f} MiB)")
    for label, action in rows:
        seconds, peak, outcome = measure(action)
        print(f"  {label:<34} {seconds:7.2f} s  peak {peak:7.2f} MiB  {outcome}")


def million_rows(folder: Path, rows: int) -> Path:
    path = folder / "million.csv"
    with path.open("wb") as out:
        out.write(b"ref,donor,item_type,quantity\n")  # short rows: the row limit, not the size
        out.writelines(b"B-%07d,DEU,pzh-2000,3\n" % n for n in range(rows))
    return path


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def read_workbook(path: Path) -> int:
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def zip_bomb(folder: Path) -> Path:
    path = folder / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(64 * MIB))
    return path


def unzip_all(path: Path) -> int:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                while chunk := part.read(io.DEFAULT_BUFFER_SIZE * 16):
                    total += len(chunk)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_001)
    parser.add_argument("--workbook-rows", type=int, default=20_000)
    args = parser.parse_args()
    limits = UploadLimits()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        csv_path = million_rows(folder, args.rows)
        report(
            f"CSV, {args.rows:,} rows",
            csv_path.stat().st_size,
            [
                ("floor: count lines", lambda: count_lines(csv_path)),
                ("check_upload", lambda: check_upload(csv_path, limits)),
            ],
        )
        book = folder / "pledges.xlsx"
        _import_benchmark().generate(book, args.workbook_rows)
        report(
            f"workbook, {args.workbook_rows:,} rows",
            book.stat().st_size,
            [
                ("floor: openpyxl read-only rows", lambda: read_workbook(book)),
                ("check_upload", lambda: check_upload(book, limits)),
            ],
        )
        bomb = zip_bomb(folder)
        report(
            "zip bomb, 64 MiB of zeros in one part",
            bomb.stat().st_size,
            [
                ("floor: unzip every part", lambda: unzip_all(bomb)),
                ("check_upload", lambda: check_upload(bomb, limits)),
            ],
        )


if __name__ == "__main__":
    main()
