"""The Ed25519 key that signs checkpoints: created on first use, readable by its owner only."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from materiel.core.errors import InvalidInput, NotFound


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The private key in `path`, made (mode 0600) if the file does not exist yet."""
    if not path.exists():
        _create(path)
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} holds no Ed25519 private key")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    # O_EXCL: two processes starting at once must not both write a key.
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(handle, "wb") as file:
        file.write(pem)


def public_key_file(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file (a private key file gives its public half)."""
    if not path.is_file():
        raise NotFound(f"no key file {path}")
    data = path.read_bytes()
    key = (
        load_pem_private_key(data, password=None).public_key()
        if b"PRIVATE KEY" in data
        else load_pem_public_key(data)
    )
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput(f"{path} holds no Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """First 8 bytes (hex) of SHA-256 of the raw 32-byte public key."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def is_valid(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
