"""Rules found missing by QA: tokens cannot mint tokens, nation codes and passwords are
checked, and a disabled user can be enabled again by the command the message names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.bootstrap import Runtime
from materiel.core.errors import InvalidInput
from materiel.core.markings import Marking
from materiel.core.nations import check_nation_code
from materiel.core.principal import Role
from materiel.platform.audit import history
from materiel.platform.identity import passwords, service
from materiel.platform.identity.store import IdentityStore
from tests.auth import TEST_PASSWORD, auth_headers
from tests.cli_process import run_materiel
from tests.factories import load_reference_data, write_csv
from tests.identity.support import ORIGIN, browser, sign_in, user

PLEDGE = {"donor": "DEU", "item_type": "pzh-2000", "quantity": 2, "origin": "unterluss"}


def materiel(
    runtime: Runtime, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    url = runtime.settings.database_url
    return run_materiel(tmp_path, url, *args, stdin=stdin, env={"COLUMNS": "200"})


def add_user(
    runtime: Runtime, tmp_path: Path, username: str, nation: str, password: str | None
) -> subprocess.CompletedProcess[str]:
    args = ["user", "add", username, "--nation", nation, "--organisation", "qa-org"]
    args += ["--role", "auditor"]
    if password is not None:
        args.append("--password-stdin")
    return materiel(runtime, tmp_path, *args, stdin=f"{password}\n" if password else "\n")


def usernames(runtime: Runtime) -> set[str]:
    return {u.username for u in service.list_users(runtime.uow())}


def session_client(runtime: Runtime) -> TestClient:
    client = browser(runtime)
    sign_in(client, user(runtime, Role.DONOR_LIAISON, "DEU"))
    client.headers.update(ORIGIN)
    return client


# 1. A token cannot issue tokens.


def test_a_token_cannot_issue_a_token_that_outlives_it(runtime: Runtime) -> None:
    headers = auth_headers(runtime, Role.DONOR_LIAISON, "DEU")  # 1 day, read and write
    client = browser(runtime)
    body = {"name": "forever", "scopes": ["read", "write"], "days": 365}
    refused = client.post("/api/auth/tokens", json=body, headers=headers)
    assert refused.status_code == 403, refused.text
    detail = refused.json()["detail"]
    assert "API token cannot issue" in detail and "/login" in detail
    assert "materiel token issue" in detail
    # Not even a shorter, narrower one: revoking a leaked token must end its access.
    narrow = {"name": "short", "scopes": ["read"], "days": 1}
    assert client.post("/api/auth/tokens", json=narrow, headers=headers).status_code == 403
    assert len(service.list_tokens("donor-liaison-deu", runtime.uow())) == 1
    # The token still lists and revokes its user's tokens.
    listed = client.get("/api/auth/tokens", headers=headers)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1


def test_a_signed_in_session_issues_tokens(runtime: Runtime) -> None:
    client = session_client(runtime)
    issued = client.post("/api/auth/tokens", json={"name": "ci", "scopes": ["read"], "days": 30})
    assert issued.status_code == 201, issued.text
    assert issued.json()["token"].startswith("mtl_")
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert browser(runtime).get("/api/auth/me", headers=bearer).status_code == 200


# 2. Nation codes are ISO 3166-1 alpha-3 codes of countries, or NATO.


def test_a_user_of_an_unknown_nation_is_refused_by_the_command_line(
    runtime: Runtime, tmp_path: Path
) -> None:
    refused = add_user(runtime, tmp_path, "qa1", "XXX", None)
    assert refused.returncode == 65, refused.stderr
    assert "'XXX'" in refused.stderr and "ISO 3166-1 alpha-3" in refused.stderr
    assert "NATO" in refused.stderr
    assert "qa1" not in usernames(runtime)
    added = add_user(runtime, tmp_path, "qa2", "aus", None)  # a real code, in any case
    assert added.returncode == 0, added.stderr
    assert service.get_user("qa2", runtime.uow()).nation == "AUS"


@pytest.mark.parametrize("code", ["XYZ", "EU", "UK", "NATO2"])
def test_an_import_releasable_to_an_unknown_code_is_refused_by_name(
    runtime: Runtime, tmp_path: Path, code: str
) -> None:
    load_reference_data(runtime)
    path = write_csv(
        tmp_path / "offers.csv",
        [
            ["ref", "donor", "item", "qty", "origin", "releasable_to"],
            ["P-1", "DEU", "PzH 2000", 3, "unterluss", f"UKR|{code}"],
        ],
    )
    client = browser(runtime)
    with path.open("rb") as handle:
        refused = client.post(
            "/api/imports/pledges",
            files={"file": ("offers.csv", handle)},
            headers=auth_headers(runtime, Role.DONOR_LIAISON, "DEU"),
        )
    assert refused.status_code == 422, refused.text
    problem = refused.json()["problems"][0]
    assert (problem["row"], problem["field"]) == (2, "releasable_to")
    assert f"'{code}'" in problem["message"] and "ISO 3166-1 alpha-3" in problem["message"]
    assert client.get("/api/pledges/P-1", headers=auth_headers(runtime)).status_code == 404


def test_a_pledge_releasable_to_an_unknown_code_is_refused_by_the_api(runtime: Runtime) -> None:
    load_reference_data(runtime)
    headers = auth_headers(runtime, Role.DONOR_LIAISON, "DEU")
    client = browser(runtime)
    bad = {**PLEDGE, "ref": "P-X", "releasable_to": ["XYZ"]}
    refused = client.post("/api/pledges", json=bad, headers=headers)
    assert refused.status_code == 422 and "'XYZ'" in refused.text
    good = {**PLEDGE, "ref": "P-A", "releasable_to": ["DEU", "AUS", "NATO", "ukr"]}
    created = client.post("/api/pledges", json=good, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["marking"].endswith("REL TO DEU, AUS, NATO, UKR")


def test_nation_codes_are_checked_in_core() -> None:
    assert check_nation_code(" deu ") == "DEU"
    assert check_nation_code("NATO") == "NATO"
    for bad in ("XXX", "EU", "DE", "", "Deutschland"):
        with pytest.raises(InvalidInput, match="ISO 3166-1 alpha-3"):
            check_nation_code(bad)
    assert Marking.parse(None, "REL TO ukr, nato").releasable_to == ("UKR", "NATO")
    with pytest.raises(InvalidInput, match="'XYZ', 'FVEY'"):
        Marking.parse(None, "UKR|XYZ|FVEY")


# 3. Blank passwords.


@pytest.mark.parametrize("password", [" " * 12, "\t" * 14, "a" + " " * 11, "  short pass  "])
def test_a_blank_or_padded_password_is_refused(
    runtime: Runtime, tmp_path: Path, password: str
) -> None:
    refused = add_user(runtime, tmp_path, "qa3", "DEU", password)
    assert refused.returncode == 65, refused.stderr
    assert "password" in refused.stderr and "12" in refused.stderr
    assert "qa3" not in usernames(runtime)
    with runtime.uow() as uow:  # refused before anything was written
        assert IdentityStore(uow.session).organisation("qa-org") is None


def test_an_empty_password_line_is_refused_not_taken_for_oidc_only(
    runtime: Runtime, tmp_path: Path
) -> None:
    refused = add_user(runtime, tmp_path, "qa4", "DEU", "")
    assert refused.returncode == 65, refused.stderr
    assert "blank" in refused.stderr
    assert "qa4" not in usernames(runtime)


def test_a_passphrase_with_spaces_inside_is_fine(runtime: Runtime, tmp_path: Path) -> None:
    added = add_user(runtime, tmp_path, "qa5", "DEU", "  my dog is a cat ")
    assert added.returncode == 0, added.stderr
    client = browser(runtime)
    sign_in(client, "qa5", "  my dog is a cat ")  # exactly as typed
    assert client.get("/api/auth/me").json()["username"] == "qa5"


def test_signing_in_with_a_blank_password_is_refused(runtime: Runtime) -> None:
    username = user(runtime)
    client = browser(runtime)
    refused = client.post("/login", data={"username": username, "password": " " * 12})
    assert refused.status_code == 401 and "username or password is wrong" in refused.text


def test_an_unknown_user_costs_the_same_verification(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    verify = passwords.verify

    def counted(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify", counted)
    client = browser(runtime)
    client.post("/login", data={"username": "nobody-at-all", "password": "a wrong guess!"})
    assert calls == ["a wrong guess!"]


# 4. A disabled user is enabled again with the command the message names.


def test_a_disabled_user_is_enabled_again(runtime: Runtime, tmp_path: Path) -> None:
    username = user(runtime, Role.AUDITOR, "NATO")
    headers = auth_headers(runtime, Role.AUDITOR, "NATO")
    client = browser(runtime)
    assert materiel(runtime, tmp_path, "user", "disable", username).returncode == 0
    refused = client.get("/api/auth/me", headers=headers)
    assert refused.status_code == 401
    assert f"materiel user enable {username}" in refused.json()["detail"]
    enabled = materiel(runtime, tmp_path, "user", "enable", username)
    assert enabled.returncode == 0, enabled.stderr
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    sign_in(client, username, TEST_PASSWORD)
    with runtime.uow() as uow:
        entries = history(uow.session, "user", username)
        actions = [(e.action, e.actor) for e in entries if e.action in ("disable", "enable")]
    assert [action for action, _ in actions] == ["disable", "enable"]
    assert all(actor.startswith("cli:") for _, actor in actions)
    listed = materiel(runtime, tmp_path, "user", "list").stdout
    assert username in listed
    unknown = materiel(runtime, tmp_path, "user", "enable", "nobody")
    assert unknown.returncode == 66 and "no user 'nobody'" in unknown.stderr


def test_a_password_is_set_from_the_command_line(runtime: Runtime, tmp_path: Path) -> None:
    username = user(runtime)
    blank = materiel(runtime, tmp_path, "user", "set-password", username, stdin=" " * 12 + "\n")
    assert blank.returncode == 65 and "blank" in blank.stderr
    new = "a brand new passphrase"
    changed = materiel(runtime, tmp_path, "user", "set-password", username, stdin=f"{new}\n")
    assert changed.returncode == 0, changed.stderr
    client = browser(runtime)
    sign_in(client, username, new)
