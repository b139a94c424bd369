"""Nations as ISO 3166-1 alpha-3 codes, read from whatever staff write.

Spreadsheets name a donor by alpha-3, alpha-2, English name or a local
abbreviation (`GER`, `UK`, `NTHL`). We resolve all of them to alpha-3 with
pycountry plus an alias table: the built-in one below, extended by a
user's own CSV file (`alias,code`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry

from materiel.core.errors import InvalidInput

PARTNER = "UKR"
# The Alliance's own bodies (the command, its agencies): a user's nation, and in
# releasability "REL TO NATO" (the bodies and every member, see core.markings).
NATO = "NATO"
ACCEPTED_CODES = "ISO 3166-1 alpha-3 codes of countries (e.g. DEU, UKR, USA) or NATO"


def _key(text: str) -> str:
    return " ".join(text.replace(".", " ").split()).casefold()


@cache
def builtin_aliases() -> dict[str, str]:
    text = resources.files("materiel.core").joinpath("nation_aliases.csv").read_text("utf-8")
    return _read_alias_rows(text, "nation_aliases.csv")


def load_aliases(path: Path) -> dict[str, str]:
    """Read a user's alias file: a CSV with columns `alias,code`."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read alias file {path}: {exc.strerror}") from exc
    return _read_alias_rows(text, str(path))


def _read_alias_rows(text: str, source: str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        alias, code = (row.get("alias") or "").strip(), (row.get("code") or "").strip().upper()
        if not alias or not _is_alpha3(code):
            raise InvalidInput(
                f"{source}, row {number}: need 'alias' and an ISO alpha-3 'code', got "
                f"'{alias}' -> '{code}'"
            )
        aliases[_key(alias)] = code
    return aliases


def _is_alpha3(code: str) -> bool:
    """An assigned ISO 3166-1 alpha-3 code, written in capitals (`deu` is not one)."""
    return (
        len(code) == 3
        and code.isascii()
        and code.isupper()
        and pycountry.countries.get(alpha_3=code) is not None
    )


def is_nation_code(code: str) -> bool:
    """A code a user's nation or a releasability may name: an ISO alpha-3 country, or NATO."""
    return code == NATO or _is_alpha3(code)


def check_nation_code(code: str, what: str = "nation") -> str:
    """The code in capitals when it names a country (ISO 3166-1 alpha-3) or NATO; else refused.

    Unlike `NationResolver` this takes no names or aliases: it checks codes
    that decide who may see what, where a typo must not pass silently.
    """
    cleaned = code.strip().upper()
    if not is_nation_code(cleaned):
        raise InvalidInput(f"{what} '{code}' is not a nation code; use {ACCEPTED_CODES}")
    return cleaned


class NationResolver:
    """Turns a written nation into its alpha-3 code, or explains why not."""

    def __init__(self, extra_aliases: Mapping[str, str] | None = None) -> None:
        self._aliases = {
            **builtin_aliases(),
            **{_key(k): v for k, v in (extra_aliases or {}).items()},
        }

    def resolve(self, text: str) -> str:
        cleaned = text.strip()
        if not cleaned:
            raise InvalidInput("nation is empty; write an ISO code such as DEU")
        alias = self._aliases.get(_key(cleaned))
        if alias:
            return alias
        try:
            return str(pycountry.countries.lookup(cleaned).alpha_3)
        except LookupError:
            pass
        raise InvalidInput(
            f"'{cleaned}' is not a nation we know; use an ISO 3166 code (e.g. DEU) or add an "
            "alias line to your alias file"
        )


def nation_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code
