"""Users and tokens from the command line; the demo's users, one per role."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.platform.identity import service
from materiel.platform.identity.demo_users import DEMO_PASSWORD, create_demo_users
from tests.cli_process import run_materiel
from tests.identity.support import browser, sign_in


def materiel(
    runtime: Runtime, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    url = runtime.settings.database_url
    return run_materiel(tmp_path, url, *args, stdin=stdin, env={"COLUMNS": "200"})


def test_add_a_user_issue_use_and_revoke_a_token(runtime: Runtime, tmp_path: Path) -> None:
    added = materiel(
        runtime, tmp_path, "user", "add", "a.schmidt", "--nation", "DEU",
        "--organisation", "deu-bmvg", "--role", "donor-liaison", "--role", "auditor",
        "--clearance", "NATO RESTRICTED", "--password-stdin",
        stdin="a long demo passphrase\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = materiel(runtime, tmp_path, "user", "list")
    assert "a.schmidt" in listed.stdout and "donor_liaison, auditor" in listed.stdout
    issued = materiel(runtime, tmp_path, "token", "issue", "a.schmidt", "--scope", "read")
    assert issued.returncode == 0, issued.stderr
    secret = re.search(r"^mtl_\S+$", issued.stdout, re.MULTILINE)
    assert secret is not None, issued.stdout
    client = browser(runtime)
    headers = {"Authorization": f"Bearer {secret.group(0)}"}
    me = client.get("/api/auth/me", headers=headers).json()
    assert (me["nation"], me["roles"]) == ("DEU", ["auditor", "donor_liaison"])
    token_id = service.list_tokens("a.schmidt", runtime.uow())[0].id
    assert secret.group(0) not in materiel(runtime, tmp_path, "token", "list").stdout
    assert materiel(runtime, tmp_path, "token", "revoke", token_id).returncode == 0
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    sign_in(client, "a.schmidt", "a long demo passphrase")
    assert materiel(runtime, tmp_path, "user", "disable", "a.schmidt").returncode == 0
    assert client.get("/api/auth/me").status_code == 401


def test_bad_input_is_refused_with_a_reason(runtime: Runtime, tmp_path: Path) -> None:
    unknown_role = materiel(
        runtime, tmp_path, "user", "add", "x", "--nation", "DEU", "--organisation", "deu-x",
        "--role", "general",
    )  # fmt: skip
    assert unknown_role.returncode == 65
    assert "no role 'general'" in unknown_role.stderr
    no_user = materiel(runtime, tmp_path, "token", "issue", "nobody")
    assert no_user.returncode == 66 and "no user 'nobody'" in no_user.stderr


def test_the_demo_has_one_user_per_role_and_loading_twice_adds_none(runtime: Runtime) -> None:
    made = create_demo_users(runtime.uow)
    users = service.list_users(runtime.uow())
    assert {role for user in users for role in user.roles} == set(Role)
    assert {u.nation for u in users if Role.DONOR_LIAISON in u.roles} >= {
        "DEU",
        "POL",
        "USA",
        "GBR",
    }
    coordinator = next(u for u in users if u.username == "coordinator")
    assert coordinator.nation == "NATO"
    assert len(made) == len(users)
    assert create_demo_users(runtime.uow) == []
    client = browser(runtime)
    response = client.post("/login", data={"username": "coordinator", "password": DEMO_PASSWORD})
    assert response.status_code == 303
