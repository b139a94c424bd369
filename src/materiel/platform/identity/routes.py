"""HTTP: API tokens of the signed-in user, and who the caller is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from materiel.core.principal import Principal
from materiel.platform.http import PrincipalDep
from materiel.platform.identity import service
from materiel.platform.identity.model import ApiToken, Scope
from materiel.platform.identity.request_auth import check_signed_in_session, client_address

router = APIRouter(prefix="/api/auth", tags=["authentication"])


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=120, description="what the token is for")
    scopes: list[Scope] = Field(default=[Scope.READ], description="read: GET/HEAD only")
    days: int = Field(default=30, ge=1, description="days until it expires")


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": list(token.scopes),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


def principal_json(principal: Principal) -> dict[str, Any]:
    return {
        "username": principal.username,
        "nation": principal.nation,
        "organisation": principal.organisation,
        "roles": sorted(role.value for role in principal.roles),
        "clearance": principal.clearance.label,
    }


@router.get("/me", summary="Who the caller is")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return principal_json(principal)


@router.post(
    "/tokens",
    status_code=201,
    summary="Issue an API token (shown once)",
    description="Only from a signed-in browser session: an API token cannot issue tokens "
    "(403). From the command line: `materiel token issue`.",
)
def issue_token(body: TokenRequest, request: Request, principal: PrincipalDep) -> dict[str, Any]:
    check_signed_in_session(request)
    runtime = request.app.state.runtime
    settings = runtime.settings.identity
    service.check_token_rate(
        principal.username, client_address(request), settings, runtime.uow(principal=principal)
    )
    issued = service.issue_token(
        principal.username,
        body.name,
        [scope.value for scope in body.scopes],
        body.days,
        settings=settings,
        uow=runtime.uow(principal=principal),
    )
    return token_json(issued.token) | {"token": issued.secret}


@router.get("/tokens", summary="The caller's API tokens (never their secrets)")
def list_tokens(request: Request, principal: PrincipalDep) -> dict[str, Any]:
    tokens = service.list_tokens(principal.username, request.app.state.runtime.uow())
    return {"items": [token_json(token) for token in tokens]}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of the caller's tokens")
def revoke_token(token_id: str, request: Request, principal: PrincipalDep) -> None:
    service.revoke_token(
        token_id, principal.username, request.app.state.runtime.uow(principal=principal)
    )
