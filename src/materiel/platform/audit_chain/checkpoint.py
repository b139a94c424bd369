"""Signed tree heads: the log's size and Merkle root at a moment, signed with Ed25519.

The signed bytes are a note in the C2SP tlog-checkpoint style, UTF-8:

    materiel/audit-log\\n
    <tree size, decimal>\\n
    <root hash, base64>\\n
    time <YYYY-MM-DDTHH:MM:SS.ffffffZ>\\n

A checkpoint file held outside the database is what catches a truncated or
rewritten log: nobody without the private key can sign a new one.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from materiel.core.errors import InvalidInput, NotFound
from materiel.platform.audit_chain import signing
from materiel.platform.audit_chain.canonical import format_at

ORIGIN = "materiel/audit-log"
FILE_FORMAT = "materiel-audit-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    tree_size: int
    root_hash: bytes
    time: str
    key_id: str
    signature: bytes

    @property
    def note(self) -> str:
        return note_text(self.tree_size, self.root_hash, self.time)

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        return signing.is_valid(key, self.signature, self.note.encode("utf-8"))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "time": self.time,
            "key_id": self.key_id,
            "note": self.note,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }


def note_text(tree_size: int, root_hash: bytes, time: str) -> str:
    root = base64.b64encode(root_hash).decode("ascii")
    return f"{ORIGIN}\n{tree_size}\n{root}\ntime {time}\n"


def sign(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, now: datetime) -> Checkpoint:
    time = format_at(now)
    signature = key.sign(note_text(tree_size, root_hash, time).encode("utf-8"))
    return Checkpoint(tree_size, root_hash, time, signing.key_id(key.public_key()), signature)


def from_note(note: str, key_id: str, signature: bytes) -> Checkpoint:
    """Read a checkpoint back from the text that was signed."""
    lines = note.split("\n")
    if len(lines) != 5 or lines[0] != ORIGIN or lines[4] or not lines[3].startswith("time "):
        raise InvalidInput("not a materiel audit checkpoint note")
    try:
        size, root = int(lines[1]), base64.b64decode(lines[2], validate=True)
    except ValueError as exc:
        raise InvalidInput(f"malformed checkpoint note: {exc}") from exc
    return Checkpoint(size, root, lines[3].removeprefix("time "), key_id, signature)


def write_file(checkpoint: Checkpoint, path: Path) -> None:
    path.write_text(json.dumps(checkpoint.to_json(), indent=2) + "\n", encoding="utf-8")


def read_file(path: Path) -> Checkpoint:
    """A checkpoint file; the signed note is what counts, its other fields must agree."""
    if not path.is_file():
        raise NotFound(f"{path}: no such checkpoint file; check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = from_note(
            data["note"], data["key_id"], base64.b64decode(data["signature"], validate=True)
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} is not a readable checkpoint file: {exc}") from exc
    if checkpoint.to_json() != data:
        raise InvalidInput(f"{path}: its fields do not agree with its signed note")
    return checkpoint
