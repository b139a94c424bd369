"""Random credentials and how we store them.

API tokens and session cookies are 32 random bytes (`secrets.token_urlsafe`).
We store only their SHA-256: for a value with 256 bits of entropy a fast hash
is enough (nobody can guess the preimage), unlike passwords, which people
choose and which therefore get argon2. The `mtl_` prefix lets secret scanners
and people recognise a leaked materiel token.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "mtl_"  # noqa: S105 (a public prefix, not a secret)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def new_token_id() -> str:
    """A short public id for listing and revoking; it reveals nothing about the secret."""
    return secrets.token_hex(6)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
