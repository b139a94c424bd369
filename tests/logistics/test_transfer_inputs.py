"""Input checks of transfers through their real interfaces: the HTTP API's bodies and paths,
and the command line's options, exit codes, help texts and marking banners."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from materiel.bootstrap import Runtime
from materiel.core.markings import most_restrictive
from materiel.donations.service import update_requirement
from materiel.logistics import service
from materiel.logistics.model import DiscrepancyKind, Finding, Receipt, ShipmentStatus
from tests.auth import signed_in_client
from tests.cli_process import run_materiel
from tests.logistics.test_transfers import allocated, planned  # noqa: F401 - the shared fixture

HUGE = 100_000_000_000_000_000_000  # past SQLite's and PostgreSQL's 64-bit integers
SERIAL = "KH/2024/001"


def fields(response: Any) -> set[str]:
    """The fields a 422 problem document names."""
    assert response.status_code == 422, response.text
    return {p["field"] for p in response.json()["problems"]}


def dispatched(runtime: Runtime) -> tuple[str, int]:
    """A shipment of the accepted transport plan, on its way: its id and units."""
    shipment = service.shipment_view(planned(runtime)[0], runtime.uow()).shipment
    service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    return shipment.id, shipment.units


def handed_over(runtime: Runtime, serials: list[str]) -> str:
    sid, _ = dispatched(runtime)
    handover = service.HandOver("lviv", "DEU", "47th Brigade", serials, "serviceable", "Lt. Bondar")
    service.hand_over(sid, handover, None, runtime.uow("depot"))
    return sid


# --- the API: numbers are bounded, so none reaches the database as a plain 500 -------------


def test_numbers_past_the_bounds_are_a_422_naming_the_field(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    over = [{"kind": "over", "quantity": HUGE, "reason": "counted twice"}]
    receipt = {"units_received": HUGE, "acknowledged_by": "Lt. Bondar", "findings": over}
    refused = client.post("/api/shipments/S-1/receive", json=receipt)
    assert fields(refused) == {"units_received", "findings.0.quantity"}
    assert "1000000" in refused.text
    cut = {"kind": "link-reduced", "target": "rzeszow>lviv:road", "from_date": "2026-01-01",
           "capacity": HUGE}  # fmt: skip
    assert fields(client.post("/api/disruptions", json=cut)) == {"capacity"}
    assert fields(client.post("/api/disruptions", json={**cut, "capacity": -1})) == {"capacity"}
    for path in ("transport-plans/1/accept", "shipments/S-1/dispatch"):
        assert fields(client.post(f"/api/{path}", json={"version": HUGE})) == {"version"}


def test_quantities_are_whole_and_positive(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    findings = [{"kind": "short", "quantity": 0, "reason": "lost"},
                {"kind": "short", "quantity": True, "reason": "lost"}]  # fmt: skip
    receipt = {"units_received": -1, "acknowledged_by": "Lt. Bondar", "findings": findings}
    refused = client.post("/api/shipments/S-1/receive", json=receipt)
    assert fields(refused) == {"units_received", "findings.0.quantity", "findings.1.quantity"}


@pytest.mark.usefixtures("allocated")
def test_a_huge_receipt_on_a_real_shipment_changes_nothing(runtime: Runtime) -> None:
    sid = handed_over(runtime, ["R-1"])
    client = signed_in_client(runtime)
    receipt = {"units_received": HUGE, "acknowledged_by": "Lt. Bondar"}
    assert fields(client.post(f"/api/shipments/{sid}/receive", json=receipt)) == {"units_received"}
    assert client.get(f"/api/shipments/{sid}").json()["status"] == "handed-over"


# --- the API: hand-overs name holders, a node and serials, none blank, each serial once ---


@pytest.mark.usefixtures("allocated")
def test_blank_holders_and_serials_are_refused_by_field(runtime: Runtime) -> None:
    sid, _ = dispatched(runtime)
    client = signed_in_client(runtime)
    blank = {"node": " ", "from_holder": "", "to_holder": "  ", "serials": ["", " "],
             "acknowledged_by": "Lt. Bondar"}  # fmt: skip
    refused = client.post(f"/api/shipments/{sid}/hand-over", json=blank)
    assert fields(refused) == {"node", "from_holder", "to_holder", "serials.0", "serials.1"}
    assert "must not be blank" in refused.text
    assert client.get("/api/assets/%20").status_code == 404  # no asset named " " or ""
    assert client.get(f"/api/shipments/{sid}").json()["custody"] == []


def test_a_serial_is_named_once_and_a_hand_over_has_a_limit(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    body = {"node": "lviv", "from_holder": "DEU", "to_holder": "47th Brigade",
            "serials": ["A-1", " A-1 "], "acknowledged_by": "Lt. Bondar"}  # fmt: skip
    twice = client.post("/api/shipments/S-1/hand-over", json=body)
    assert fields(twice) == {"serials"} and "'A-1' is named twice" in twice.text
    many = {**body, "serials": [f"A-{n}" for n in range(10_001)]}
    assert fields(client.post("/api/shipments/S-1/hand-over", json=many)) == {"serials"}
    long = {**body, "serials": ["A" * 81], "from_holder": "D" * 201}
    assert fields(client.post("/api/shipments/S-1/hand-over", json=long)) == {
        "serials.0",
        "from_holder",
    }


@pytest.mark.usefixtures("allocated")
def test_surrounding_spaces_are_dropped(runtime: Runtime) -> None:
    sid, _ = dispatched(runtime)
    client = signed_in_client(runtime)
    body = {"node": " lviv ", "from_holder": " DEU ", "to_holder": " 47th Brigade ",
            "serials": [" S-9 "], "acknowledged_by": " Lt. Bondar "}  # fmt: skip
    done = client.post(f"/api/shipments/{sid}/hand-over", json=body)
    assert done.status_code == 200, done.text
    assert done.json()["serials"] == ["S-9"] and done.json()["to_holder"] == "47th Brigade"


# --- the API: a serial holding '/' is found ------------------------------------------------


@pytest.mark.usefixtures("allocated")
def test_a_serial_with_slashes_is_found_encoded_or_not(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    sid, _ = dispatched(runtime)
    body = {"node": "lviv", "from_holder": "DEU", "to_holder": "47th Brigade",
            "serials": [SERIAL], "acknowledged_by": "Lt. Bondar"}  # fmt: skip
    assert client.post(f"/api/shipments/{sid}/hand-over", json=body).status_code == 200
    for path in ("/api/assets/KH%2F2024%2F001", f"/api/assets/{SERIAL}"):
        found = client.get(path)
        assert found.status_code == 200, (path, found.text)
        assert found.json()["serial"] == SERIAL and len(found.json()["custody"]) == 1
    missing = client.get("/api/assets/KH%2F2024%2F002")
    assert missing.status_code == 404 and "KH/2024/002" in missing.json()["detail"]


def test_record_numbers_in_paths_past_the_bounds_are_a_422(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    assert fields(client.get(f"/api/transport-plans/{HUGE}")) == {"plan_id"}
    assert fields(client.post(f"/api/transport-plans/{HUGE}/accept", json={})) == {"plan_id"}
    resolution = {"resolution": "found in the next truck"}
    refused = client.post(f"/api/discrepancies/{HUGE}/resolve", json=resolution)
    assert fields(refused) == {"discrepancy_id"}


# --- the command line ----------------------------------------------------------------------


def materiel(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_materiel(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}", *args)


@pytest.mark.parametrize(
    "command",
    [
        ["transport", "run", "--time-limit", "0"],
        ["transport", "run", "--time-limit", "-5"],
        ["transport", "run", "--time-limit", "inf"],
        ["plan", "run", "--time-limit", "0"],
        ["plan", "transport", "--scenario", "in.json", "--out", "out.json", "--time-limit", "0"],
        ["shipment", "receive", "S-1", "--units", "-1", "--ack", "Lt. Bondar"],
        ["disruption", "add", "link-reduced", "a>b:road", "--from", "2026-01-01",
         "--capacity", str(HUGE)],
        ["transport", "accept", "0"],
    ],
)  # fmt: skip
def test_numbers_out_of_range_are_refused_before_anything_runs(
    tmp_path: Path, command: list[str]
) -> None:
    result = materiel(tmp_path, *command)
    assert result.returncode == 2, result.stderr
    assert "Invalid value for" in result.stderr and "Traceback" not in result.stderr
    assert f"materiel {' '.join(command[:2])} --help' for help" in result.stderr
    assert not (tmp_path / "cli.db").exists()  # refused before the database was opened


def test_a_finding_past_the_bounds_is_bad_input(tmp_path: Path) -> None:
    result = materiel(
        tmp_path, "shipment", "receive", "S-1", "--units", "1", "--ack", "Lt. Bondar",
        "--over", f"{HUGE}:counted twice",
    )  # fmt: skip
    assert result.returncode == 65, result.stderr
    assert "--over" in result.stderr and "1 to 1,000,000" in result.stderr


def test_a_missing_scenario_file_is_not_found_as_the_guide_says(tmp_path: Path) -> None:
    result = materiel(
        tmp_path, "plan", "transport", "--scenario", "nope.json", "--out", "plan.json"
    )
    assert result.returncode == 66, result.stderr
    assert "nope.json: no such file" in result.stderr
    guide = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text()
    assert "66 not found (a record, or an input file that does not exist)" in guide


def test_a_command_line_that_does_not_parse_shows_the_usage(tmp_path: Path) -> None:
    unknown = materiel(tmp_path, "shipment", "nope")
    assert unknown.returncode == 2 and "No such command 'nope'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    bare = materiel(tmp_path, "shipment")
    assert bare.returncode == 2 and "materiel shipment [OPTIONS] COMMAND" in bare.stdout


@pytest.mark.parametrize(
    "command", ["transport", "shipment", "disruption", "asset", "plan transport"]
)
def test_help_texts_are_whole_sentences(tmp_path: Path, command: str) -> None:
    """Each description, command summary and option help starts a sentence and ends one."""
    env = {"COLUMNS": "200", "TERMINAL_WIDTH": "200"}
    listed = run_materiel(tmp_path, "sqlite://", *command.split(), "--help", env=env).stdout
    commands = [line.split()[1] for line in listed.splitlines() if re.match(r"│ [a-z-]+ ", line)]
    for args in [command.split()] + [[command, name] for name in commands]:
        shown = run_materiel(tmp_path, "sqlite://", *args, "--help", env=env)
        assert shown.returncode == 0, shown.stderr
        for text in help_texts(shown.stdout):
            assert text[0].isupper() and text.endswith("."), (args, text)


def help_texts(output: str) -> list[str]:
    """The description under `Usage:` and the text of each row in the boxes, wrapped or not."""
    lines = [line.strip() for line in output.splitlines()]
    description = next(line for line in lines[3:] if line)
    rows = [line.strip("│ ") for line in lines if line.startswith("│") and "--help" not in line]
    texts = [re.sub(r"(\s*\[[^]]*\])+$", "", row.split("  ")[-1]).strip() for row in rows]
    return [description, *(text for text in texts if text)]


@pytest.mark.usefixtures("allocated")
def test_the_board_and_an_asset_are_marked_top_and_bottom(runtime: Runtime) -> None:
    restricted = {"classification": "NATO RESTRICTED", "releasable_to": ["UKR", "NATO"]}
    update_requirement("R-1", restricted, None, runtime.uow("t"))
    sid = handed_over(runtime, [SERIAL])
    finding = Finding(DiscrepancyKind.SHORT, 1, "left at the border crossing")
    units = service.shipment_view(sid, runtime.uow()).shipment.units
    service.receive(sid, Receipt(units - 1, "Sgt. Melnyk", (finding,)), None, runtime.uow("u"))
    shipments = service.list_shipments(runtime.uow())
    banner = most_restrictive(
        s.marking for s in shipments if s.status is not ShipmentStatus.CANCELLED
    ).banner
    assert banner.startswith("NATO RESTRICTED")
    env = {**os.environ, "MATERIEL_DATABASE_URL": runtime.settings.database_url}

    def run(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "materiel", *args],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout.splitlines()

    board = run("shipment", "board")
    assert board[0] == banner == board[-1] and any(sid in line for line in board)
    asset = run("asset", SERIAL)
    shipment_banner = service.shipment_view(sid, runtime.uow()).shipment.marking.banner
    assert asset[0] == shipment_banner == asset[-1] and SERIAL in asset[1]
