"""Use cases of the tamper-evident log: verify it, sign a checkpoint, prove an entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select

from materiel.core.dates import utc_now
from materiel.core.errors import InvalidInput, NotFound, Problem
from materiel.platform.audit import audit_checkpoint, audit_log
from materiel.platform.audit_chain import merkle
from materiel.platform.audit_chain.canonical import entry_bytes
from materiel.platform.audit_chain.checkpoint import Checkpoint, sign
from materiel.platform.audit_chain.verify import (
    Expectation,
    Report,
    Verification,
    entry_fields,
    log_rows,
    verify_log,
)
from materiel.platform.unit_of_work import UnitOfWork

PROOF_FORMAT = "materiel-audit-inclusion-proof/1"


def verify(
    uow: UnitOfWork,
    key: Ed25519PublicKey | None,
    external: Sequence[Expectation] = (),
    report: Report | None = None,
) -> Verification:
    """Check the whole log against itself, its stored checkpoints and `external` ones."""
    with uow:
        return verify_log(uow.session, key, external, report)


def require_intact(verification: Verification) -> None:
    """Raise, naming the first bad entry, when the log failed verification."""
    if verification.intact:
        return
    first = verification.findings[0]
    raise InvalidInput(
        f"the audit log fails verification: {first.message}",
        [Problem(f.message, file="audit_log", row=f.seq) for f in verification.findings],
    )


def make_checkpoint(
    uow: UnitOfWork, key: Ed25519PrivateKey, report: Report | None = None
) -> Checkpoint:
    """Verify the log, then sign its head and keep the checkpoint in the database.

    Signing a log that does not verify would bless the damage, so that is refused.
    """
    with uow:
        verification = verify_log(uow.session, key.public_key(), (), report)
        require_intact(verification)
        checkpoint = sign(key, verification.entries, verification.root_hash, utc_now())
        uow.session.execute(
            insert(audit_checkpoint).values(
                tree_size=checkpoint.tree_size,
                at=utc_now(),
                key_id=checkpoint.key_id,
                note=checkpoint.note,
                signature=checkpoint.signature,
            )
        )
        uow.commit()
        return checkpoint


def prove(uow: UnitOfWork, seq: int, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
    """An RFC 9162 inclusion proof of entry `seq`, in the current tree or a checkpoint's."""
    with uow:
        size = checkpoint.tree_size if checkpoint else _size(uow)
        if not 0 <= seq < size:
            raise NotFound(f"no entry {seq} in a log of {size} entries")
        leaves, entry = _leaves_and_entry(uow, seq, size)
    root = merkle.root(leaves)
    if checkpoint and root != checkpoint.root_hash:
        raise InvalidInput("the log no longer matches this checkpoint; run `audit verify`")
    return {
        "format": PROOF_FORMAT,
        "leaf_index": seq,
        "tree_size": size,
        "entry": entry.decode("utf-8"),
        "leaf_hash": leaves[seq].hex(),
        "inclusion_path": [h.hex() for h in merkle.inclusion_path(leaves, seq)],
        "root_hash": root.hex(),
        "checkpoint": checkpoint.to_json() if checkpoint else None,
    }


def _size(uow: UnitOfWork) -> int:
    last = uow.session.scalar(select(audit_log.c.seq).order_by(audit_log.c.seq.desc()).limit(1))
    return 0 if last is None else last + 1


def _leaves_and_entry(uow: UnitOfWork, seq: int, size: int) -> tuple[list[bytes], bytes]:
    """Recomputed leaf hashes of the first `size` entries, and entry `seq`'s bytes."""
    leaves: list[bytes] = []
    entry = b""
    for row in log_rows(uow.session, limit=size):
        if row.seq != len(leaves):
            raise InvalidInput(f"entry {len(leaves)} is missing; run `audit verify`")
        canonical = entry_bytes(entry_fields(row))
        leaves.append(merkle.leaf_hash(canonical))
        if row.seq == seq:
            entry = canonical
    if len(leaves) != size:
        raise InvalidInput(f"the log holds {len(leaves)} entries, fewer than {size}")
    return leaves, entry
