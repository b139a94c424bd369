"""From an OpenID Connect ID token's claims to one of our users.

An existing user is found by the username claim (`preferred_username` by
default). Someone the provider knows but we do not is provisioned from the
nation, organisation and roles claims; without them they are refused, since
a user without a nation or a role could see nothing useful anyway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from materiel.core.errors import InvalidInput, Unauthenticated
from materiel.core.markings import Classification
from materiel.core.principal import Role
from materiel.platform.identity.model import check_nation, parse_roles
from materiel.platform.identity.settings import IdentitySettings


@dataclass(frozen=True)
class ClaimedUser:
    username: str
    display_name: str
    nation: str | None
    organisation: str | None
    roles: tuple[Role, ...]
    clearance: Classification


def claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by name; dots walk into objects (Keycloak's `realm_access.roles`)."""
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def claimed_user(claims: Mapping[str, Any], settings: IdentitySettings) -> ClaimedUser:
    username = claim(claims, settings.oidc_username_claim)
    if not isinstance(username, str) or not username.strip():
        raise Unauthenticated(
            f"the identity provider sent no '{settings.oidc_username_claim}' claim; "
            "ask its administrator to map it (see docs/security.md)"
        )
    nation = claim(claims, settings.oidc_nation_claim)
    organisation = claim(claims, settings.oidc_organisation_claim)
    raw_roles = claim(claims, settings.oidc_roles_claim) or []
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.replace(",", " ").split()
    known = {role.value for role in Role}
    names = [r for r in raw_roles if isinstance(r, str) and _role_key(r) in known]
    clearance = claim(claims, "clearance")
    try:
        return ClaimedUser(
            username=username.strip().lower(),
            display_name=str(claims.get("name") or username),
            nation=check_nation(str(nation).upper()) if nation else None,
            organisation=str(organisation) if organisation else None,
            roles=parse_roles(names),
            clearance=Classification.parse(clearance)
            if clearance
            else Classification.NATO_UNCLASSIFIED,
        )
    except InvalidInput as exc:
        raise Unauthenticated(f"the identity provider's claims are not usable: {exc}") from exc


def organisation_id(name: str, nation: str) -> str:
    """A stable organisation id from a provider's organisation name, e.g. `deu-bmvg`."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if slug.startswith(nation.lower() + "-"):
        return slug[:80]
    return f"{nation.lower()}-{slug}"[:80]


def _role_key(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")
