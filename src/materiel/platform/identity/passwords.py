"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from materiel.core.errors import InvalidInput

MIN_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the answer time the
# same for unknown users and wrong passwords: no user enumeration by timing.
_DUMMY_HASH = _hasher.hash("materiel-no-such-user")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters: rehash on the next sign-in."""
    return _hasher.check_needs_rehash(password_hash)
