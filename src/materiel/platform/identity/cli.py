"""Command line of identity: users (add, list, disable, enable, set-password) and API tokens.

Whoever runs these commands can already open the database, so they act as
the system principal (see console.actor).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from materiel.console import actor, console, start_runtime
from materiel.core.errors import InvalidInput
from materiel.core.markings import Classification
from materiel.platform.identity import passwords, service
from materiel.platform.identity.demo_users import DEMO_PASSWORD, USERS
from materiel.platform.identity.model import Scope, parse_roles

user_app = typer.Typer(
    help="Add, list, disable and enable users; set a password.", no_args_is_help=True
)
token_app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)


@user_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="lower-case sign-in name")],
    nation: Annotated[str, typer.Option(help="ISO alpha-3 code, or NATO")],
    organisation: Annotated[str, typer.Option(help="organisation id; created when missing")],
    role: Annotated[list[str], typer.Option(help="a role; repeat for several")],
    clearance: Annotated[str, typer.Option(help="e.g. 'NATO RESTRICTED'")] = "NATO UNCLASSIFIED",
    name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input (else: OIDC only)")
    ] = False,
) -> None:
    """Add a user of an organisation of a nation, with roles and a clearance."""
    runtime = start_runtime()
    password = read_password() if password_stdin else None
    try:
        level = Classification.parse(clearance)
    except (KeyError, ValueError):
        raise InvalidInput(f"no clearance '{clearance}'; e.g. 'NATO RESTRICTED'") from None
    service.ensure_organisation(organisation, organisation, nation, runtime.uow(actor()))
    new = service.NewUser(
        username=username,
        display_name=name or username,
        organisation=organisation,
        nation=nation,
        roles=parse_roles(role),
        clearance=level,
        password=password,
    )
    user = service.create_user(new, runtime.uow(actor()))
    how = "with a password" if password else "without a password (OIDC sign-in only)"
    console.print(f"user [bold]{user.username}[/] added {how}")


@user_app.command("list")
def list_users() -> None:
    """Every user with organisation, nation, roles, clearance and state."""
    table = Table("username", "organisation", "nation", "roles", "clearance", "active", "password")
    for user in service.list_users(start_runtime().uow()):
        table.add_row(
            user.username,
            user.organisation,
            user.nation,
            ", ".join(role.value for role in user.roles),
            user.clearance.label,
            "yes" if user.active else "no",
            "yes" if user.password_hash else "no",
        )
    console.print(table)


@user_app.command("disable")
def disable_user(username: Annotated[str, typer.Argument(help="the user to disable")]) -> None:
    """Disable a user: their sessions end at once and their tokens stop working."""
    service.set_active(username, False, start_runtime().uow(actor()))
    console.print(f"user {username} disabled")


@user_app.command("enable")
def enable_user(username: Annotated[str, typer.Argument(help="the user to enable")]) -> None:
    """Enable a disabled user again: they may sign in, and their unexpired tokens work again."""
    service.set_active(username, True, start_runtime().uow(actor()))
    console.print(f"user {username} enabled")


@user_app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="the user whose password to set")],
) -> None:
    """Set a user's password, read from standard input (one line)."""
    runtime = start_runtime()
    service.set_password(username, read_password(), runtime.uow(actor()))
    console.print(f"password of {username} set")


def read_password() -> str:
    """One line of standard input, without its line end; refused when blank or too short."""
    password = sys.stdin.readline().rstrip("\r\n")
    passwords.check_password(password)
    return password


@token_app.command("issue")
def issue_token(
    username: Annotated[str, typer.Argument(help="the user the token acts as")],
    scope: Annotated[Scope, typer.Option(help="read: GET/HEAD only; write: everything")] = (
        Scope.READ
    ),
    days: Annotated[int, typer.Option(help="days until it expires")] = 30,
    name: Annotated[str, typer.Option(help="what the token is for")] = "command line",
) -> None:
    """Issue an API token and print it once: it is stored only as a hash."""
    runtime = start_runtime()
    scopes = ["read", "write"] if scope is Scope.WRITE else ["read"]
    issued = service.issue_token(
        username, name, scopes, days, settings=runtime.settings.identity, uow=runtime.uow(actor())
    )
    console.print(
        f"token {issued.token.id} for {username} ({', '.join(issued.token.scopes)}), "
        f"expires {issued.token.expires_at:%Y-%m-%d}; shown only now:"
    )
    print(issued.secret)  # noqa: T201 (plain, for copying and scripts)


@token_app.command("list")
def list_tokens(
    user: Annotated[str | None, typer.Option(help="only this user's tokens")] = None,
) -> None:
    """Tokens with owner, scopes, expiry and last use (never the secrets)."""
    table = Table("id", "user", "name", "scopes", "expires", "revoked", "last used")
    for token in service.list_tokens(user, start_runtime().uow()):
        table.add_row(
            token.id,
            token.user,
            token.name,
            ", ".join(token.scopes),
            f"{token.expires_at:%Y-%m-%d %H:%M}",
            f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "",
            f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "",
        )
    console.print(table)


@token_app.command("revoke")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="token id from `token list`")],
) -> None:
    """Revoke a token at once."""
    service.revoke_token(token_id, None, start_runtime().uow(actor()))
    console.print(f"token {token_id} revoked")


def demo_sign_in_text() -> str:
    """The demo's sign-in, printed by `materiel demo` (demo data only)."""
    others = ", ".join(username for username, *_ in USERS[1:])
    return (
        f"sign in as [bold]coordinator[/] with password [bold]{DEMO_PASSWORD}[/] (demo only); "
        f"one user per role with the same password: {others}"
    )
