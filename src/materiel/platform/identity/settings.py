"""Identity settings: session lifetimes, rate limits and the OpenID Connect provider."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class IdentitySettings:
    """How long sign-ins last, how often one may fail, and which provider to trust."""

    session_hours: int = 12  # absolute lifetime of a browser session
    idle_minutes: int = 60  # a session unused this long ends
    login_failures_per_user: int = 5  # failed logins per username in the window
    login_failures_per_address: int = 20  # failed logins per client address in the window
    login_window_seconds: int = 900
    token_calls_per_user: int = 10  # POST /api/auth/tokens per user (and address) per window
    token_window_seconds: int = 3600
    token_max_days: int = 365
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_username_claim: str = "preferred_username"
    oidc_nation_claim: str = "nation"
    oidc_organisation_claim: str = "organisation"
    oidc_roles_claim: str = "roles"
    # Signs the short-lived cookie that carries OIDC state and nonce across the
    # provider's redirect. Set it when several API processes serve one site.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @classmethod
    def from_env(cls) -> IdentitySettings:
        env = os.environ.get
        default = cls()
        return cls(
            session_hours=_int("MATERIEL_SESSION_HOURS", default.session_hours),
            idle_minutes=_int("MATERIEL_SESSION_IDLE_MINUTES", default.idle_minutes),
            login_failures_per_user=_int(
                "MATERIEL_LOGIN_FAILURES_PER_USER", default.login_failures_per_user
            ),
            login_failures_per_address=_int(
                "MATERIEL_LOGIN_FAILURES_PER_ADDRESS", default.login_failures_per_address
            ),
            login_window_seconds=_int(
                "MATERIEL_LOGIN_WINDOW_SECONDS", default.login_window_seconds
            ),
            oidc_issuer=env("MATERIEL_OIDC_ISSUER") or None,
            oidc_client_id=env("MATERIEL_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env("MATERIEL_OIDC_CLIENT_SECRET") or None,
            oidc_scopes=env("MATERIEL_OIDC_SCOPES") or default.oidc_scopes,
            oidc_username_claim=env("MATERIEL_OIDC_USERNAME_CLAIM") or default.oidc_username_claim,
            oidc_nation_claim=env("MATERIEL_OIDC_NATION_CLAIM") or default.oidc_nation_claim,
            oidc_organisation_claim=env("MATERIEL_OIDC_ORGANISATION_CLAIM")
            or default.oidc_organisation_claim,
            oidc_roles_claim=env("MATERIEL_OIDC_ROLES_CLAIM") or default.oidc_roles_claim,
            secret_key=env("MATERIEL_SECRET_KEY") or default.secret_key,
        )
