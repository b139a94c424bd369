"""The one settings object, read from the environment once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from materiel.platform.identity.settings import IdentitySettings

DEFAULT_DATA_DIR = Path("var")
# Front-end packages installed from npm at set-up (`npm ci` in the checkout).
DEFAULT_ASSETS_DIR = Path(__file__).resolve().parents[3] / "node_modules"
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_IMPORT_ROWS = 1_000_000


@dataclass(frozen=True)
class Settings:
    """What differs between a laptop, CI and production."""

    database_url: str
    nation_aliases: Path | None = None
    assets_dir: Path = field(default_factory=lambda: DEFAULT_ASSETS_DIR)
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES  # larger uploads are refused (413)
    max_import_rows: int = DEFAULT_MAX_IMPORT_ROWS  # a file with more rows is refused
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    # Migrations run as the tables' owner; the application may connect as a role
    # that does not own them, so that PostgreSQL's row-level security applies.
    owner_database_url: str | None = None
    # Only tests switch the application's read filter off, to prove row-level
    # security holds alone; deliberately not settable from the environment.
    access_app_filter: bool = True
    # Ed25519 key signing audit checkpoints; None: <data dir>/audit-signing-key.pem.
    audit_key_file: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        url = os.environ.get("MATERIEL_DATABASE_URL") or default_database_url()
        aliases = os.environ.get("MATERIEL_NATION_ALIASES")
        assets = os.environ.get("MATERIEL_ASSETS_DIR")
        return cls(
            database_url=url,
            nation_aliases=Path(aliases) if aliases else None,
            assets_dir=Path(assets) if assets else DEFAULT_ASSETS_DIR,
            max_upload_bytes=int(
                os.environ.get("MATERIEL_MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD_BYTES
            ),
            max_import_rows=int(
                os.environ.get("MATERIEL_MAX_IMPORT_ROWS") or DEFAULT_MAX_IMPORT_ROWS
            ),
            identity=IdentitySettings.from_env(),
            owner_database_url=os.environ.get("MATERIEL_OWNER_DATABASE_URL") or None,
            audit_key_file=(
                Path(os.environ["MATERIEL_AUDIT_KEY_FILE"])
                if os.environ.get("MATERIEL_AUDIT_KEY_FILE")
                else None
            ),
        )


def default_database_url() -> str:
    """The embedded SQLite file under ./var, created on first use."""
    path = (DEFAULT_DATA_DIR / "materiel.db").resolve()
    return f"sqlite:///{path}"
