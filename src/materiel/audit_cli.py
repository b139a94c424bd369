"""Command line of the tamper-evident audit log: verify, checkpoint, prove, public-key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from materiel.bootstrap import Runtime
from materiel.console import console, start_runtime
from materiel.platform.audit_chain import checkpoint as checkpoints
from materiel.platform.audit_chain import service, signing
from materiel.platform.audit_chain.verify import Expectation
from materiel.platform.progress import run_with_progress

KEY_FILE_NAME = "audit-signing-key.pem"

audit_app = typer.Typer(
    help="Tamper-evident audit log: verify it, sign checkpoints, prove entries.",
    no_args_is_help=True,
)


def key_file(runtime: Runtime) -> Path:
    """MATERIEL_AUDIT_KEY_FILE, or the key beside the data."""
    return runtime.settings.audit_key_file or runtime.data_dir / KEY_FILE_NAME


@audit_app.command("verify")
def verify_command(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(help="signed checkpoint file held outside the database (repeatable)"),
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="PEM public key to check signatures with")
    ] = None,
) -> None:
    """Recompute every entry's hashes and check seq, chain and signed checkpoints.

    Exits 65 naming the first bad entry when anything was edited, deleted,
    reordered, inserted or cut off.
    """
    runtime = start_runtime()
    key = _public_key(runtime, public_key)
    external = [
        Expectation(f"checkpoint file {path}", checkpoints.read_file(path))
        for path in checkpoint or []
    ]
    result = run_with_progress(
        console, lambda report: service.verify(runtime.uow(), key, external, report)
    )
    service.require_intact(result)
    console.print(
        f"[green]audit log intact[/]: {result.entries} entries, root {result.root_hash.hex()}, "
        f"{result.checkpoints_checked} signed checkpoints hold"
    )


@audit_app.command("checkpoint")
def checkpoint_command(
    out: Annotated[
        Path | None, typer.Option(help="also write the checkpoint to this file (keep it elsewhere)")
    ] = None,
) -> None:
    """Verify the log, sign its size and root, keep that in the database (and in --out)."""
    runtime = start_runtime()
    key = signing.signing_key(key_file(runtime))
    made = run_with_progress(
        console, lambda report: service.make_checkpoint(runtime.uow(), key, report)
    )
    if out:
        checkpoints.write_file(made, out)
    where = f" and written to {out}" if out else ""
    console.print(
        f"checkpoint signed{where}: {made.tree_size} entries, root {made.root_hash.hex()}"
    )


@audit_app.command("prove")
def prove_command(
    entry: Annotated[int, typer.Argument(help="the entry's seq (its leaf index)")],
    checkpoint: Annotated[
        Path | None, typer.Option(help="prove against this signed checkpoint's tree")
    ] = None,
) -> None:
    """Print an RFC 9162 inclusion proof of one entry as JSON (see docs/security.md)."""
    runtime = start_runtime()
    signed = checkpoints.read_file(checkpoint) if checkpoint else None
    typer.echo(json.dumps(service.prove(runtime.uow(), entry, signed), indent=2))


@audit_app.command("public-key")
def public_key_command() -> None:
    """Print the public key that checks checkpoint signatures (PEM); makes the key if none."""
    runtime = start_runtime()
    key = signing.signing_key(key_file(runtime)).public_key()
    typer.echo(signing.public_pem(key), nl=False)


def _public_key(runtime: Runtime, given: Path | None) -> Ed25519PublicKey | None:
    if given:
        return signing.public_key_file(given)
    own = key_file(runtime)
    return signing.public_key_file(own) if own.is_file() else None
