"""Tampering with the audit log directly in SQL is detected, on SQLite and PostgreSQL.

The attacker here owns the database: they drop the append-only triggers first,
then edit, delete, reorder, insert or cut off entries, even recomputing hashes.
Only the private signing key, held outside the database, is out of their reach.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    String,
    column,
    delete,
    func,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from materiel.audit_cli import audit_app
from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.errors import InvalidInput
from materiel.donations.service import create_requirement, update_requirement
from materiel.platform import migrate
from materiel.platform.audit import audit_checkpoint, audit_log
from materiel.platform.audit_chain import checkpoint, guard, service, signing
from materiel.platform.audit_chain.canonical import EntryFields, entry_bytes
from materiel.platform.audit_chain.merkle import chain_hash, leaf_hash
from materiel.platform.audit_chain.verify import Expectation, Verification, entry_fields, log_rows
from materiel.platform.database import make_engine, make_session_factory
from materiel.platform.unit_of_work import UnitOfWork
from tests.conftest import postgres_admin_url, require_or_skip
from tests.factories import load_reference_data

REPO = Path(__file__).resolve().parents[2]
CHECKER = REPO / "docs" / "verify_inclusion.py"


def requirement(ref: str) -> dict[str, object]:
    return {
        "ref": ref,
        "item_type": "pzh-2000",
        "quantity": 4,
        "priority": 2,
        "needed_by": "2027-06-01",
        "unit": "47th Mechanized Brigade",
        "destination": "lviv",
    }


@dataclass
class Log:
    runtime: Runtime
    key: Ed25519PrivateKey
    key_file: Path

    def verify(self, *external: checkpoint.Checkpoint) -> Verification:
        files = [Expectation(f"file {n}", c) for n, c in enumerate(external)]
        return service.verify(self.runtime.uow(), self.key.public_key(), files)

    def size(self) -> int:
        return self.verify().entries

    def checkpoint(self) -> checkpoint.Checkpoint:
        return service.make_checkpoint(self.runtime.uow(), self.key)


@pytest.fixture
def log(runtime: Runtime, tmp_path: Path) -> Log:
    """A log of real changes: catalogue, network and requirements created and edited."""
    load_reference_data(runtime)
    for n in range(1, 4):
        created = create_requirement(requirement(f"AUD-{n}"), runtime.uow("cli:planner"))
    update_requirement(created.id, {"quantity": 9}, None, runtime.uow("cli:planner"))
    key_file = tmp_path / "audit-signing-key.pem"
    return Log(runtime, signing.signing_key(key_file), key_file)


def tamper(runtime: Runtime, *statements: Any) -> None:
    """Run statements as the database owner would, after dropping the guard."""
    with runtime.engine.begin() as connection:
        guard.remove(connection)
        for statement in statements:
            connection.execute(statement)
        guard.install(connection)


def first_finding(result: Verification) -> tuple[int | None, str]:
    assert not result.intact, "tampering went undetected"
    return result.findings[0].seq, result.findings[0].message


def rows(connection: Connection) -> list[Any]:
    return list(connection.execute(select(audit_log).order_by(audit_log.c.seq)))


def test_an_untouched_log_verifies_clean_and_is_numbered_without_gaps(log: Log) -> None:
    result = log.verify()
    assert result.intact, result.findings
    with log.runtime.engine.connect() as connection:
        seqs = [row.seq for row in rows(connection)]
    assert seqs == list(range(len(seqs))) and len(seqs) == result.entries > 10


def test_the_database_refuses_to_change_or_remove_entries(log: Log) -> None:
    log.checkpoint()
    attempts = [
        text("UPDATE audit_log SET actor = 'intruder'"),
        text("DELETE FROM audit_log"),
        text("DELETE FROM audit_checkpoint"),
    ]
    if log.runtime.engine.dialect.name == "postgresql":
        attempts.append(text("TRUNCATE audit_log"))
    for attempt in attempts:
        with pytest.raises(DBAPIError, match="append-only"), log.runtime.engine.begin() as c:
            c.execute(attempt)
    assert log.verify().intact


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "cli:intruder"},
        {"action": "delete"},
        {"entity_id": "AUD-99"},
        {"after": {"quantity": 99}},
        {"before": None},
    ],
    ids=["actor", "action", "entity_id", "after", "before"],
)
def test_an_edited_field_is_detected_at_its_entry(log: Log, change: dict[str, Any]) -> None:
    target = log.size() - 1  # the requirement's update: it has a before and an after
    tamper(log.runtime, update(audit_log).where(audit_log.c.seq == target).values(**change))
    assert first_finding(log.verify()) == (
        target,
        f"entry {target} was altered: its content does not match its leaf hash",
    )


def test_an_edit_with_its_own_hashes_recomputed_breaks_the_chain_after_it(log: Log) -> None:
    target = 3
    forged = replace(stored_fields(log)[target], actor="cli:intruder")
    previous = chain_at(log, target - 1)
    leaf = leaf_hash(entry_bytes(forged))
    tamper(
        log.runtime,
        update(audit_log)
        .where(audit_log.c.seq == target)
        .values(actor="cli:intruder", leaf_hash=leaf, chain_hash=chain_hash(previous, leaf)),
    )
    seq, message = first_finding(log.verify())
    assert seq == target + 1 and "does not chain" in message


def test_a_deleted_entry_is_detected(log: Log) -> None:
    tamper(log.runtime, delete(audit_log).where(audit_log.c.seq == 4))
    assert first_finding(log.verify()) == (4, "entry 4 missing: deleted from the log")


def test_entries_swapped_in_content_are_detected(log: Log) -> None:
    fields = ("at", "actor", "action", "entity", "entity_id", "before", "after")
    with log.runtime.engine.connect() as connection:
        first, second = (
            connection.execute(select(audit_log).where(audit_log.c.seq == seq)).one()
            for seq in (5, 6)
        )
    tamper(
        log.runtime,
        update(audit_log)
        .where(audit_log.c.seq == 5)
        .values({name: getattr(second, name) for name in fields}),
        update(audit_log)
        .where(audit_log.c.seq == 6)
        .values({name: getattr(first, name) for name in fields}),
    )
    assert first_finding(log.verify())[0] == 5


def test_entries_swapped_in_place_are_detected(log: Log) -> None:
    tamper(
        log.runtime,
        text("UPDATE audit_log SET seq = -1 WHERE seq = 2"),
        text("UPDATE audit_log SET seq = 2 WHERE seq = 3"),
        text("UPDATE audit_log SET seq = 3 WHERE seq = -1"),
    )
    assert first_finding(log.verify())[0] == 2


def test_a_forged_entry_appended_with_copied_hashes_is_detected(log: Log) -> None:
    size = log.size()
    with log.runtime.engine.connect() as connection:
        last = connection.execute(select(audit_log).where(audit_log.c.seq == size - 1)).one()
    forged = {**last._asdict(), "seq": size, "actor": "cli:intruder"}
    del forged["id"]
    tamper(log.runtime, insert(audit_log).values(forged))
    assert first_finding(log.verify())[0] == size


def test_a_forged_entry_slipped_in_between_is_detected(log: Log) -> None:
    """Its own hashes are right; the entries renumbered to make room give it away."""
    target = 4
    forged = forged_entry(target, chain_at(log, target - 1))
    tamper(log.runtime, *shift_up_from(target), insert(audit_log).values(forged))
    assert first_finding(log.verify()) == (
        target + 1,
        f"entry {target + 1} was altered: its content does not match its leaf hash",
    )


def test_a_log_rewritten_hashes_and_all_is_caught_by_the_checkpoints(
    log: Log, tmp_path: Path
) -> None:
    """An insert in the middle with every later hash recomputed: only a signature can tell."""
    log.checkpoint()
    outside = log.checkpoint()
    rewrite_with_insert(log, 4)
    result = log.verify()
    assert [f.message for f in result.findings] == [
        f"stored checkpoint {n} does not match the first {size} entries now: "
        "the log was rewritten at or before that point"
        for n, size in stored_checkpoints(log)
    ]
    # The attacker also removes the stored checkpoints: the file kept outside still tells.
    tamper(log.runtime, delete(audit_checkpoint))
    assert log.verify().intact  # nothing in the database contradicts itself any more ...
    seq, message = first_finding(log.verify(outside))  # ... but the file does
    assert seq == outside.tree_size - 1 and "file 0 does not match" in message


def test_a_truncated_log_is_caught_by_a_checkpoint_held_outside(log: Log) -> None:
    outside = log.checkpoint()
    size = outside.tree_size
    tamper(log.runtime, delete(audit_log).where(audit_log.c.seq >= size - 3))
    assert "entries were removed from its end" in first_finding(log.verify())[1]
    tamper(log.runtime, delete(audit_checkpoint))
    assert log.verify().intact  # the shorter log is consistent in itself
    assert first_finding(log.verify(outside)) == (
        None,
        f"file 0 covers {size} entries but the log now holds {size - 3}: "
        "entries were removed from its end",
    )


def test_a_checkpoint_signed_with_another_key_is_refused(log: Log) -> None:
    head = log.checkpoint()
    forged = checkpoint.sign(
        Ed25519PrivateKey.generate(), head.tree_size, head.root_hash, utc_now()
    )
    tamper(
        log.runtime,
        insert(audit_checkpoint).values(
            tree_size=forged.tree_size,
            at=utc_now(),
            key_id=forged.key_id,
            note=forged.note,
            signature=forged.signature,
        ),
    )
    findings = [f.message for f in log.verify().findings]
    assert any("invalid signature" in message for message in findings)
    with pytest.raises(InvalidInput, match="invalid signature"):
        service.require_intact(log.verify())


def test_concurrent_writers_get_one_gap_free_chain(runtime: Runtime, tmp_path: Path) -> None:
    load_reference_data(runtime)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for n in range(8):
                create_requirement(requirement(f"C-{number}-{n}"), runtime.uow(f"w{number}"))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = service.verify(runtime.uow(), None)
    assert result.intact, result.findings
    with runtime.engine.connect() as connection:
        creations = connection.scalar(select(func.count()).where(audit_log.c.entity_id.like("C-%")))
    assert creations == 32


def test_the_command_line_verifies_proves_and_exits_65_on_tampering(
    log: Log, tmp_path: Path
) -> None:
    head = tmp_path / "elsewhere" / "head.json"
    head.parent.mkdir()
    made = cli(log, "checkpoint", "--out", str(head))
    assert made.exit_code == 0, made.output
    clean = cli(log, "verify", "--checkpoint", str(head))
    assert clean.exit_code == 0 and "audit log intact" in clean.output, clean.output
    public = cli(log, "public-key")
    assert public.output.startswith("-----BEGIN PUBLIC KEY-----")
    public_key = str(tmp_path / "public.pem")
    Path(public_key).write_text(public.output)

    proof = cli(log, "prove", "2", "--checkpoint", str(head))
    assert proof.exit_code == 0, proof.output
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(proof.output)
    checked = check_proof(proof_file)
    assert checked.returncode == 0, checked.stdout
    altered = json.loads(proof.output)
    altered["entry"] = altered["entry"].replace('"seq":2', '"seq":3')
    proof_file.write_text(json.dumps(altered))
    refused = check_proof(proof_file)
    assert refused.returncode == 1 and "does not hash" in refused.stdout

    tamper(log.runtime, delete(audit_log).where(audit_log.c.seq == 1))
    broken = cli(log, "verify", "--checkpoint", str(head))
    assert isinstance(broken.exception, InvalidInput)
    assert "entry 1 missing: deleted from the log" in broken.exception.message
    # The real command line maps that to EX_DATAERR and says what was wrong.
    process = subprocess.run(
        [sys.executable, "-m", "materiel", "audit", "verify", "--public-key", public_key],
        env={**os.environ, **environment(log), "MATERIEL_AUDIT_KEY_FILE": "/nonexistent"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert process.returncode == 65, process.stderr
    assert "entry 1 missing: deleted from the log" in process.stderr


def environment(log: Log) -> dict[str, str]:
    return {
        "MATERIEL_DATABASE_URL": log.runtime.engine.url.render_as_string(hide_password=False),
        "MATERIEL_AUDIT_KEY_FILE": str(log.key_file),
    }


def cli(log: Log, *args: str) -> Result:
    return CliRunner().invoke(audit_app, list(args), env=environment(log))


def check_proof(path: Path) -> subprocess.CompletedProcess[str]:
    """The standalone checker (standard library only), as an outsider runs it."""
    return subprocess.run(
        [sys.executable, "-I", str(CHECKER), str(path)], capture_output=True, text=True, check=False
    )


def stored_fields(log: Log) -> list[EntryFields]:
    with log.runtime.engine.connect() as connection:
        return [entry_fields(row) for row in log_rows(Session(bind=connection))]


def shift_up_from(target: int) -> list[Any]:
    """Renumber entries target.. to target+1.. (through negatives: seq is unique)."""
    return [
        text("UPDATE audit_log SET seq = -seq - 1 WHERE seq >= :target").bindparams(target=target),
        text("UPDATE audit_log SET seq = -seq WHERE seq < 0"),
    ]


def forged_entry(seq: int, previous_chain: bytes) -> dict[str, Any]:
    """An entry with hashes that are right for itself, chained to `previous_chain`."""
    fields = EntryFields(seq, utc_now(), "cli:intruder", "create", "requirement", "X", None, None)
    leaf = leaf_hash(entry_bytes(fields))
    return {**vars(fields), "leaf_hash": leaf, "chain_hash": chain_hash(previous_chain, leaf)}


def chain_at(log: Log, seq: int) -> bytes:
    with log.runtime.engine.connect() as connection:
        found = connection.scalar(select(audit_log.c.chain_hash).where(audit_log.c.seq == seq))
    return bytes(found)


def rewrite_with_insert(log: Log, target: int) -> None:
    """Insert a forged entry at `target`, renumber and rehash everything after it."""
    entries = stored_fields(log)
    forged_row = forged_entry(target, chain_at(log, target - 1))
    moved = [replace(entry, seq=entry.seq + 1) for entry in entries[target:]]
    statements: list[Any] = [*shift_up_from(target), insert(audit_log).values(forged_row)]
    previous = forged_row["chain_hash"]
    for entry in moved:
        leaf = leaf_hash(entry_bytes(entry))
        previous = chain_hash(previous, leaf)
        statements.append(
            update(audit_log)
            .where(audit_log.c.seq == entry.seq)
            .values(leaf_hash=leaf, chain_hash=previous)
        )
    tamper(log.runtime, *statements)


def stored_checkpoints(log: Log) -> list[tuple[int, int]]:
    with log.runtime.engine.connect() as connection:
        found = connection.execute(
            select(audit_checkpoint.c.id, audit_checkpoint.c.tree_size).order_by(
                audit_checkpoint.c.id
            )
        )
        return [(row.id, row.tree_size) for row in found]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own with no schema yet, to migrate step by step."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    admin = make_url(postgres_admin_url()).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.OperationalError:
        require_or_skip(False, "PostgreSQL does not answer")
    name = f"materiel_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(admin.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migration_chains_the_entries_written_before_it(empty_database: Engine) -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    before_chain = scripts.get_revision("0005").down_revision
    assert isinstance(before_chain, str)
    migrate.upgrade(empty_database, before_chain)
    old_log = table(
        "audit_log",
        column("at", DateTime(timezone=True)),
        column("actor", String),
        column("action", String),
        column("entity", String),
        column("entity_id", String),
        column("before", JSON),
        column("after", JSON),
    )
    moment = datetime(2026, 11, 1, 9, 30, 0, 250000, tzinfo=UTC)
    old_entries = [
        {"at": moment, "actor": "cli:planner", "action": "create", "entity": "pledge",
         "entity_id": "P-1", "before": None, "after": {"quantity": 3, "note": "Zuzana ü"}},
        {"at": moment, "actor": "cli:planner", "action": "update", "entity": "pledge",
         "entity_id": "P-1", "before": {"quantity": 3}, "after": {"quantity": 2.5}},
        {"at": moment, "actor": "api:liaison", "action": "create", "entity": "requirement",
         "entity_id": "R-1", "before": None, "after": {"refs": ["a", "b"], "n": None}},
    ]  # fmt: skip
    with empty_database.begin() as connection:
        connection.execute(insert(old_log), old_entries)
    migrate.upgrade(empty_database)

    uow = UnitOfWork(make_session_factory(empty_database), "cli:planner")
    with uow:
        uow.audit("update", "requirement", "R-1", {"n": None}, {"n": 1})
        uow.commit()
    result = service.verify(UnitOfWork(make_session_factory(empty_database)), None)
    assert result.intact, result.findings
    with empty_database.connect() as connection:
        numbered = [(row.seq, row.entity_id) for row in rows(connection)]
    assert numbered == [(0, "P-1"), (1, "P-1"), (2, "R-1"), (3, "R-1")]
    with pytest.raises(DBAPIError, match="append-only"), empty_database.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 0"))
