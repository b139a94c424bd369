"""The shape of the policy: row rules per mapped class, change rules per audited entity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import with_loader_criteria
from sqlalchemy.orm.util import LoaderCriteriaOption

from materiel.core.errors import Forbidden
from materiel.core.principal import Principal, Role

Snapshot = Mapping[str, Any]
RowClause = Callable[[Principal, Any], "ColumnElement[bool]"]
ChangeCheck = Callable[[Principal, Snapshot], bool]


@dataclass(frozen=True)
class RowRule:
    """Which rows of one mapped class a principal may see."""

    model: type
    visible: RowClause


@dataclass(frozen=True)
class ChangeRule:
    """Who may create, change or remove records of one audited entity.

    `allowed` is asked about the record before and after the change, so that
    nobody can move a record out of (or into) what they may change.
    """

    entity: str
    allowed: ChangeCheck


@dataclass(frozen=True)
class Policy:
    rows: tuple[RowRule, ...]
    changes: tuple[ChangeRule, ...]
    _by_entity: dict[str, ChangeRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_entity", {rule.entity: rule for rule in self.changes})

    def criteria(self, principal: Principal) -> list[LoaderCriteriaOption]:
        """Loader criteria that filter every ORM query to what `principal` may see."""
        return [
            with_loader_criteria(
                rule.model, rule.visible(principal, rule.model), include_aliases=True
            )
            for rule in self.rows
        ]

    def check_change(
        self, principal: Principal, entity: str, before: Snapshot | None, after: Snapshot | None
    ) -> None:
        """Refuse (403) a change the principal may not make; fail closed on unknown entities."""
        if principal.is_system:
            return
        rule = self._by_entity.get(entity)
        if rule is None:
            raise Forbidden(f"changes to {entity} records are not open to users")
        for state in (before, after):
            if state is not None and not rule.allowed(principal, state):
                raise Forbidden(
                    f"{principal.username} ({_roles(principal)}, {principal.nation}) may not "
                    f"change this {entity}; ask a coordinator"
                )


def role_clause(principal: Principal, *roles: Role) -> ColumnElement[bool]:
    """A constant clause: true when the principal holds one of `roles`."""
    return true() if principal.has(*roles) else false()


def _roles(principal: Principal) -> str:
    return ", ".join(sorted(role.value for role in principal.roles)) or "no role"
