"""The one settings object, read from the environment once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path("var")
# Front-end packages installed from npm at set-up (`npm ci` in the checkout).
DEFAULT_ASSETS_DIR = Path(__file__).resolve().parents[3] / "node_modules"


@dataclass(frozen=True)
class Settings:
    """What differs between a laptop, CI and production."""

    database_url: str
    nation_aliases: Path | None = None
    assets_dir: Path = field(default_factory=lambda: DEFAULT_ASSETS_DIR)

    @classmethod
    def from_env(cls) -> Settings:
        url = os.environ.get("MATERIEL_DATABASE_URL") or default_database_url()
        aliases = os.environ.get("MATERIEL_NATION_ALIASES")
        assets = os.environ.get("MATERIEL_ASSETS_DIR")
        return cls(
            database_url=url,
            nation_aliases=Path(aliases) if aliases else None,
            assets_dir=Path(assets) if assets else DEFAULT_ASSETS_DIR,
        )


def default_database_url() -> str:
    """The embedded SQLite file under ./var, created on first use."""
    path = (DEFAULT_DATA_DIR / "materiel.db").resolve()
    return f"sqlite:///{path}"
