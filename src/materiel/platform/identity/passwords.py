"""Password rules, and hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

A password needs at least 12 characters that count: spaces inside a
passphrase count, but spaces at either end do not and a run of spaces counts
as one, so twelve spaces (or `a` and eleven spaces) are not a password. The
password itself is stored (hashed) exactly as typed.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from materiel.core.errors import InvalidInput

MIN_LENGTH = 12
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist keeps the answer time the
    same for unknown users and wrong passwords: no user enumeration by timing.
    Made on first use, not at import: a hash costs every command line a quarter second."""
    return _hasher.hash("materiel-no-such-user")


def counted_length(password: str) -> int:
    """Characters that count towards the minimum: outer spaces drop, a run of spaces is one."""
    return len(" ".join(password.split()))


def check_password(password: str) -> None:
    """Refuse a blank, whitespace-only or too short password, saying what is needed."""
    if not password.strip():
        raise InvalidInput(
            "the password is blank or only spaces; choose one of at least "
            f"{MIN_LENGTH} characters, e.g. a passphrase of several words"
        )
    counted = counted_length(password)
    if counted < MIN_LENGTH:
        raise InvalidInput(
            f"the password has {counted} characters that count; it needs at least {MIN_LENGTH} "
            "(spaces at either end do not count, and a run of spaces counts as one)"
        )


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters: rehash on the next sign-in."""
    return _hasher.check_needs_rehash(password_hash)
