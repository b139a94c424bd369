"""Passwords are hashed with argon2id, verified, and rehashed when parameters change."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from materiel.core.errors import InvalidInput
from materiel.platform.identity import passwords, tokens


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies() -> None:
    hashed = passwords.hash_password("a long enough passphrase")
    assert hashed.startswith("$argon2id$")
    assert "a long enough passphrase" not in hashed
    assert passwords.verify(hashed, "a long enough passphrase")
    assert not passwords.verify(hashed, "a long enough passphrasE")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert passwords.hash_password("same password here") != passwords.hash_password(
        "same password here"
    )


def test_a_hash_made_with_older_parameters_needs_a_rehash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash("a long enough passphrase")
    assert passwords.verify(old, "a long enough passphrase")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("a long enough passphrase"))


def test_no_hash_and_garbage_never_verify() -> None:
    assert not passwords.verify(None, "materiel-no-such-user")
    assert not passwords.verify("not a hash", "anything at all")


def test_a_short_password_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 12"):
        passwords.hash_password("short")


def test_api_tokens_are_prefixed_random_and_stored_as_sha256() -> None:
    first, second = tokens.new_api_token(), tokens.new_api_token()
    assert first.startswith("mtl_") and first != second
    assert len(first) > 40
    assert len(tokens.digest(first)) == 64 and tokens.digest(first) != tokens.digest(second)
