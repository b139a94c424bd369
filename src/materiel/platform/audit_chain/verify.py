"""Checking the whole log in one pass: every leaf, the chain, seq, and the checkpoints.

Each row's leaf hash is recomputed from its fields, so an edited or swapped
entry shows at its own seq; the chain shows a deleted or inserted one; a
signed checkpoint shows a log rewritten (hashes and all) or cut short below it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Result, Row, Text, cast, func, select
from sqlalchemy.orm import Session

from materiel.core.errors import InvalidInput
from materiel.platform.audit import audit_checkpoint, audit_log
from materiel.platform.audit_chain.canonical import EntryFields, entry_bytes
from materiel.platform.audit_chain.checkpoint import Checkpoint, from_note
from materiel.platform.audit_chain.merkle import CHAIN_START, Frontier, chain_hash, leaf_hash

Report = Callable[[float, str], None]
BATCH = 5_000
MAX_FINDINGS = 1_000


@dataclass(frozen=True)
class Finding:
    """One thing wrong, at the first entry where it shows (None: the log as a whole)."""

    seq: int | None
    message: str


@dataclass(frozen=True)
class Expectation:
    """A checkpoint the log is held against, and where it came from."""

    source: str
    checkpoint: Checkpoint


@dataclass
class Verification:
    entries: int = 0
    root_hash: bytes = b""
    checkpoints_checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def add(self, seq: int | None, message: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(seq, message))


def entry_fields(row: Row[Any]) -> EntryFields:
    return EntryFields(
        row.seq, row.at, row.actor, row.action, row.entity, row.entity_id, row.before, row.after
    )


def log_rows(session: Session, limit: int | None = None) -> Iterator[Row[Any]]:
    """The entries in seq order, before/after as their stored JSON text, streamed."""
    columns = [c for c in audit_log.c if c.name not in ("id", "before", "after")]
    query = (
        select(
            *columns,
            cast(audit_log.c.before, Text).label("before"),
            cast(audit_log.c.after, Text).label("after"),
        )
        .order_by(audit_log.c.seq)
        .limit(limit)
        .execution_options(yield_per=BATCH)
    )
    rows: Result[Any] = session.execute(query)
    yield from rows


def verify_log(
    session: Session,
    key: Ed25519PublicKey | None,
    external: Sequence[Expectation] = (),
    report: Report | None = None,
) -> Verification:
    """Recompute everything; findings name the first bad entry of each kind of damage."""
    result = Verification()
    expectations = [*_stored(session, result), *external]
    trusted = _trusted(expectations, key, result)
    total = session.scalar(select(func.count()).select_from(audit_log)) or 0
    unnumbered = session.scalar(select(func.count()).where(audit_log.c.seq.is_(None))) or 0
    if unnumbered:
        result.add(None, f"{unnumbered} entries have no seq: inserted outside the log")
    walk = _Walk(result, trusted)
    for row in log_rows(session):
        walk.check(row)
        if report and walk.frontier.size % BATCH == 0:
            report(walk.frontier.size / max(total, 1), f"{walk.frontier.size:,} entries")
    result.entries, result.root_hash = walk.frontier.size, walk.frontier.root()
    for size, expected in sorted(trusted.items()):
        for source, _root in expected:
            if size > result.entries:
                result.add(
                    None,
                    f"{source} covers {size} entries but the log now holds "
                    f"{result.entries}: entries were removed from its end",
                )
    return result


def _stored(session: Session, result: Verification) -> list[Expectation]:
    found = []
    for row in session.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.id)):
        source = f"stored checkpoint {row.id}"
        try:
            checkpoint = from_note(row.note, row.key_id, bytes(row.signature))
        except InvalidInput as exc:
            result.add(None, f"{source} is unreadable: {exc.message}")
            continue
        if checkpoint.tree_size != row.tree_size:
            result.add(None, f"{source}: its size column differs from its signed note")
        found.append(Expectation(source, checkpoint))
    return found


def _trusted(
    expectations: Sequence[Expectation], key: Ed25519PublicKey | None, result: Verification
) -> dict[int, list[tuple[str, bytes]]]:
    """Checkpoints whose signature holds, by tree size; the others are findings."""
    trusted: dict[int, list[tuple[str, bytes]]] = {}
    for item in expectations:
        if key is None:
            result.add(None, f"{item.source} cannot be checked: no public key given")
        elif not item.checkpoint.signed_by(key):
            result.add(None, f"{item.source} has an invalid signature (forged, or another key)")
        else:
            trusted.setdefault(item.checkpoint.tree_size, []).append(
                (item.source, item.checkpoint.root_hash)
            )
            result.checkpoints_checked += 1
    return trusted


class _Walk:
    """The state of the one pass: where we are in seq, the chain and the tree."""

    def __init__(self, result: Verification, trusted: dict[int, list[tuple[str, bytes]]]) -> None:
        self.result = result
        self.trusted = trusted
        self.expected_seq = 0
        self.previous = CHAIN_START
        self.frontier = Frontier()
        self._check_heads()  # a checkpoint of the empty log

    def check(self, row: Row[Any]) -> None:
        in_step = self._check_seq(row.seq)
        stored_leaf, stored_chain = bytes(row.leaf_hash), bytes(row.chain_hash)
        leaf = leaf_hash(entry_bytes(entry_fields(row)))
        if leaf != stored_leaf:
            self.result.add(
                row.seq, f"entry {row.seq} was altered: its content does not match its leaf hash"
            )
        elif in_step and chain_hash(self.previous, stored_leaf) != stored_chain:
            self.result.add(
                row.seq,
                f"entry {row.seq} does not chain to the entry before it: "
                f"entries up to {row.seq} were altered, inserted or removed",
            )
        self.previous = stored_chain
        self.frontier.append(leaf)
        self._check_heads()

    def _check_seq(self, seq: int) -> bool:
        """Whether `seq` follows the previous entry; report gaps and repeats."""
        expected, self.expected_seq = self.expected_seq, seq + 1
        if seq == expected:
            return True
        if seq > expected:
            missing = (
                f"entry {expected}" if seq == expected + 1 else f"entries {expected}-{seq - 1}"
            )
            self.result.add(expected, f"{missing} missing: deleted from the log")
        else:
            self.result.add(seq, f"entry {seq} appears again after entry {expected - 1}")
        return False

    def _check_heads(self) -> None:
        size = self.frontier.size
        for source, root in self.trusted.get(size, []):
            if self.frontier.root() != root:
                self.result.add(
                    size - 1 if size else None,
                    f"{source} does not match the first {size} entries now: "
                    "the log was rewritten at or before that point",
                )
