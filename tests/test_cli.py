"""The command line, end to end in a subprocess against a fresh SQLite file."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli_process import run_materiel
from tests.factories import ITEM_TYPES, write_csv

REPO = Path(__file__).resolve().parents[1]


def materiel(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_materiel(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}", *args)


def test_help_explains_each_command(tmp_path: Path) -> None:
    result = materiel(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("db", "import", "export", "demo", "serve", "summary"):
        assert command in result.stdout


def test_demo_import_export_round_trip(tmp_path: Path) -> None:
    assert materiel(tmp_path, "db", "upgrade").returncode == 0
    demo = materiel(tmp_path, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "requirement lines" in demo.stdout
    again = materiel(tmp_path, "demo", "--no-plan")  # loading twice adds nothing
    assert "0 new" in again.stdout
    out = tmp_path / "pledges.xlsx"
    exported = materiel(tmp_path, "export", "pledges", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "NATO" in exported.stdout and out.is_file()
    reimport = materiel(tmp_path, "import", "pledges", str(out))
    assert reimport.returncode == 0, reimport.stderr
    assert " 0 new, 0 changed" in reimport.stdout


def test_rejected_import_exits_65_and_lists_rows(tmp_path: Path) -> None:
    header = list(ITEM_TYPES[0])
    bad = write_csv(
        tmp_path / "types.csv",
        [header, [*list(ITEM_TYPES[0].values())[:4], "space", *list(ITEM_TYPES[0].values())[5:]]],
    )
    result = materiel(tmp_path, "import", "item-types", str(bad))
    assert result.returncode == 65
    assert "types.csv, row 2, column 'capability_area': unknown capability area" in result.stderr
    missing = materiel(tmp_path, "import", "pledges", str(tmp_path / "nope.csv"))
    assert missing.returncode == 66  # EX_NOINPUT, as the guide says
    assert "no such file" in missing.stderr
