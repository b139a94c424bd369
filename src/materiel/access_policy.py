"""The need-to-know policy of the whole system, written once.

Reads: a row rule per mapped class, applied to every ORM query of a user's
session (lists, counts, single records). Records that carry a marking are
seen only by users cleared for its level and of a nation it is releasable
to (or of the nation that owns the record). On top of that:

- pledges: coordinators and auditors see all; donor liaisons and everyone
  else see their own nation's pledges and pledges the donor shared;
- requirements: every participant (donors pledge against them);
- allocation plans: coordinators, auditors and the partner (the allocations
  are addressed to it);
- transport plans, shipments, assets, custody: coordinators, auditors, the
  partner and node operators; donor liaisons also follow what happened to
  their nation's pledges: the shipments of those pledges (the ones their
  clearance shows), with their legs, events, custody (and the serials it
  names), assets and discrepancies;
- demining records: coordinators, auditors and mine action planners; hazard
  areas also by their marking (owned by the partner), and the records about
  an area (coverage plans, tasks, progress, items found, quality samples)
  only with their area; a tasking run's per-area results are filtered per
  reader (`demining/tasking_as_seen.py`);
- jobs and the audit log: coordinators and auditors (the log also
  administrators);
- catalogue and network: every signed-in user.

Changes: a rule per audited entity, asked about the record before and after
the change. Auditors change nothing; an entity with no rule is closed.
PostgreSQL enforces the same read rules a second time with row-level
security (migrations 0007, 0008, 0010 to 0012, 0015 and 0017); keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, cast, false, or_, select, true

from materiel.core.errors import InvalidInput
from materiel.core.markings import Classification, Marking, release_groups
from materiel.core.nations import PARTNER
from materiel.core.principal import Principal, Role
from materiel.demining.model import (
    ClearanceAsset,
    ClearanceTask,
    CoveragePlanRecord,
    HazardArea,
    ItemFound,
    ProgressReport,
    QualitySample,
    TaskingRun,
)
from materiel.demining.store import hazard_areas
from materiel.donations.model import Pledge, Requirement
from materiel.donations.plan_model import PairingRule, PlannedAllocation, StoredPlan
from materiel.donations.store import pledges
from materiel.logistics.model import (
    Asset,
    CustodyEvent,
    CustodySerial,
    Discrepancy,
    Disruption,
    Shipment,
    ShipmentEvent,
    ShipmentLeg,
    TransportPlanRecord,
)
from materiel.logistics.store import shipments
from materiel.platform.access.policy import ChangeRule, Policy, RowRule, Snapshot, role_clause
from materiel.platform.audit import AuditEntry
from materiel.platform.jobs.model import Job

C, A = Role.COORDINATOR, Role.AUDITOR
PLAN_READERS = (C, A, Role.PARTNER_LOGISTICS)
TRANSFER_READERS = (C, A, Role.PARTNER_LOGISTICS, Role.NODE_OPERATOR)
MINE_ACTION = (C, A, Role.MINE_ACTION_PLANNER)
# Records of the whole programme, seen by role.
DEMINING_MODELS = (ClearanceAsset, TaskingRun)
# Records about one hazard area: seen only by those who see the area.
ABOUT_AREA_MODELS = (ProgressReport, ItemFound, QualitySample, ClearanceTask, CoveragePlanRecord)
DEMINING_ENTITIES = (
    "hazard_area",
    "clearance_asset",
    "progress_report",
    "item_found",
    "quality_sample",
    "tasking_run",
    "coverage_plan",
)
Visible = Callable[[Principal, type], ColumnElement[bool]]


# --- reads ---------------------------------------------------------------


def cleared(principal: Principal, model: type) -> ColumnElement[bool]:
    """The record's level is at or below the user's clearance."""
    levels = [level for level in Classification if level <= principal.clearance]
    column = model.classification  # type: ignore[attr-defined]
    return column.in_(levels)  # type: ignore[no-any-return]


def releasable(
    principal: Principal, model: type, owner: ColumnElement[bool]
) -> ColumnElement[bool]:
    """The user's nation owns the record, or the record is releasable to it (or its alliance)."""
    listed = cast(model.releasable_to, Text)  # type: ignore[attr-defined]
    codes = release_groups(principal.nation)
    return or_(owner, *(listed.contains(f'"{code}"', autoescape=True) for code in codes))


def partner_marked(principal: Principal, model: type) -> ColumnElement[bool]:
    """A record the partner owns, within the user's clearance and releasability."""
    owner = true() if principal.nation == PARTNER else false()
    return cleared(principal, model) & releasable(principal, model, owner)


def pledge_visible(principal: Principal, model: type) -> ColumnElement[bool]:
    own = model.donor == principal.nation  # type: ignore[attr-defined]
    shared = model.shared.is_(True)  # type: ignore[attr-defined]
    need_to_know = or_(role_clause(principal, C, A), own, shared)
    return cleared(principal, model) & releasable(principal, model, own) & need_to_know


def hazard_area_visible(principal: Principal, model: type) -> ColumnElement[bool]:
    """Mine action staff see the partner's hazard areas their clearance and nation allow."""
    return role_clause(principal, *MINE_ACTION) & partner_marked(principal, model)


def about_visible_area(principal: Principal, model: type) -> ColumnElement[bool]:
    """Coverage plans, tasks, progress, items found, samples: seen with their hazard area.

    The area's rule is written on the table, so it reads the same inside any query.
    """
    seen = select(hazard_areas.c.id).where(hazard_area_visible(principal, hazard_areas.c))  # type: ignore[arg-type]
    area_id: ColumnElement[str] = model.area_id  # type: ignore[attr-defined]
    return role_clause(principal, *MINE_ACTION) & area_id.in_(seen)


def own_pledges(principal: Principal) -> Select[tuple[str]]:
    """Ids of the pledges of the user's nation that their clearance shows.

    Written on the tables, so it reads the same inside any query it filters.
    """
    levels = [level for level in Classification if level <= principal.clearance]
    return select(pledges.c.id).where(
        pledges.c.donor == principal.nation, pledges.c.classification.in_(levels)
    )


def allocation_marked(principal: Principal, columns: Any, *roles: Role) -> ColumnElement[bool]:
    """Holders of `roles` who may read the pledge's marking a record bears (its nation owns
    it) and its requirement's (the partner owns it).

    Written on columns, so it reads the same on a mapped class and in a sub-select.
    """
    own = columns.pledge.in_(own_pledges(principal))
    return (
        role_clause(principal, *roles)
        & cleared(principal, columns)
        & releasable(principal, columns, own)
        & requirement_marked(principal, columns)
    )


def requirement_marked(principal: Principal, columns: Any) -> ColumnElement[bool]:
    """The requirement's marking a plan line or shipment bears, read as the requirement's."""
    marking = SimpleNamespace(
        classification=columns.requirement_classification,
        releasable_to=columns.requirement_releasable_to,
    )
    return partner_marked(principal, marking)  # type: ignore[arg-type]


def plan_line_visible(principal: Principal, model: type) -> ColumnElement[bool]:
    """Plan readers, by the line's markings."""
    return allocation_marked(principal, model, *PLAN_READERS)


def shipment_visible(principal: Principal, model: type) -> ColumnElement[bool]:
    """Transfer staff, by the shipment's marking; a donor liaison, their nation's pledges'."""
    return _shipment_seen(principal, model)


def about_visible_shipment(principal: Principal, model: type) -> ColumnElement[bool]:
    """Legs, events, custody, assets, discrepancies: seen with their shipment.

    Custody events and assets with no shipment are for transfer staff.
    """
    seen = select(shipments.c.id).where(_shipment_seen(principal, shipments.c))
    shipment_id = model.shipment_id  # type: ignore[attr-defined]
    loose = role_clause(principal, *TRANSFER_READERS) & shipment_id.is_(None)
    return or_(shipment_id.in_(seen), loose)


def _shipment_seen(principal: Principal, columns: Any) -> ColumnElement[bool]:
    """Transfer staff by the markings; a donor liaison, the shipments of their nation's
    pledges (to requirements they may read)."""
    staff = allocation_marked(principal, columns, *TRANSFER_READERS)
    if not principal.has(Role.DONOR_LIAISON):
        return staff
    theirs = columns.pledge.in_(own_pledges(principal)) & requirement_marked(principal, columns)
    return or_(staff, theirs)


def readers(*roles: Role) -> Visible:
    """Rows a role-holder sees in full (records without a marking of their own)."""

    def visible(principal: Principal, _model: type) -> ColumnElement[bool]:
        return role_clause(principal, *roles)

    return visible


ROWS = (
    RowRule(Requirement, partner_marked),
    RowRule(Pledge, pledge_visible),
    RowRule(StoredPlan, readers(*PLAN_READERS)),
    RowRule(PlannedAllocation, plan_line_visible),
    RowRule(PairingRule, readers(C, A)),
    *(RowRule(model, readers(*TRANSFER_READERS)) for model in (TransportPlanRecord, Disruption)),
    RowRule(Shipment, shipment_visible),
    *(
        RowRule(model, about_visible_shipment)
        for model in (ShipmentLeg, ShipmentEvent, Asset, CustodyEvent, CustodySerial, Discrepancy)
    ),
    RowRule(HazardArea, hazard_area_visible),
    *(RowRule(model, readers(*MINE_ACTION)) for model in DEMINING_MODELS),
    *(RowRule(model, about_visible_area) for model in ABOUT_AREA_MODELS),
    RowRule(Job, readers(C, A)),
    RowRule(AuditEntry, readers(C, A, Role.ADMINISTRATOR)),
)


# --- audit history ---------------------------------------------------------

# The record each audited entity names: its history is read as the record is.
AUDITED_RECORDS: dict[str, type] = {
    "pledge": Pledge,
    "requirement": Requirement,
    "plan": StoredPlan,
    "pairing_rule": PairingRule,
    "transport_plan": TransportPlanRecord,
    "shipment": Shipment,
    "asset": Asset,
    "custody_event": CustodyEvent,
    "discrepancy": Discrepancy,
    "disruption": Disruption,
    "hazard_area": HazardArea,
    "clearance_asset": ClearanceAsset,
    "coverage_plan": CoveragePlanRecord,
    "item_found": ItemFound,
    "progress_report": ProgressReport,
    "quality_sample": QualitySample,
    "tasking_run": TaskingRun,
    "job": Job,
}


# --- changes -------------------------------------------------------------

Check = Callable[[Principal, Snapshot], bool]


def holders(*roles: Role) -> Check:
    def allowed(principal: Principal, _state: Snapshot) -> bool:
        return principal.has(*roles)

    return allowed


def own_pledge(principal: Principal, state: Snapshot) -> bool:
    """Coordinators change any pledge; a donor liaison only their nation's."""
    if principal.has(C):
        return True
    return principal.has(Role.DONOR_LIAISON) and state.get("donor") == principal.nation


def partner_requirement(principal: Principal, _state: Snapshot) -> bool:
    """Coordinators, and the partner's logistics officers, state requirements."""
    return principal.has(C) or (
        principal.has(Role.PARTNER_LOGISTICS) and principal.nation == PARTNER
    )


def own_token(principal: Principal, state: Snapshot) -> bool:
    return principal.has(Role.ADMINISTRATOR) or state.get("user") == principal.username


def own_account(principal: Principal, state: Snapshot) -> bool:
    """Administrators manage accounts; a user may touch their own, never raising its rights."""
    if principal.has(Role.ADMINISTRATOR):
        return True
    return (
        state.get("username") == principal.username
        and state.get("nation") == principal.nation
        and sorted(state.get("roles") or []) == sorted(role.value for role in principal.roles)
        and state.get("clearance") == principal.clearance.label
    )


def marked_area(principal: Principal, state: Snapshot) -> bool:
    """Mine action staff change hazard areas whose marking they may read (never above it)."""
    if not principal.has(C, Role.MINE_ACTION_PLANNER):
        return False
    level, rel = state.get("classification"), state.get("releasable_to")
    if not isinstance(level, str) or not isinstance(rel, list | tuple):
        return True  # not a marked snapshot: nothing to judge by
    try:
        marking = Marking(Classification.parse(level), tuple(rel))
    except InvalidInput:
        return False
    return principal.may_read(marking, PARTNER)


HANDLING = (C, Role.PARTNER_LOGISTICS, Role.NODE_OPERATOR)

CHANGES = (
    ChangeRule("requirement", partner_requirement),
    ChangeRule("pledge", own_pledge),
    *(ChangeRule(e, holders(C, Role.ADMINISTRATOR)) for e in ("item_type", "category")),
    *(ChangeRule(e, holders(C, Role.ADMINISTRATOR)) for e in ("node", "link")),
    *(ChangeRule(e, holders(C)) for e in ("plan", "pairing_rule", "job", "transport_plan")),
    ChangeRule("disruption", holders(C, Role.NODE_OPERATOR)),
    *(ChangeRule(e, holders(*HANDLING)) for e in ("shipment", "custody_event", "asset")),
    ChangeRule("discrepancy", holders(*HANDLING)),
    ChangeRule("hazard_area", marked_area),
    *(ChangeRule(e, holders(C, Role.MINE_ACTION_PLANNER)) for e in DEMINING_ENTITIES[1:]),
    ChangeRule("organisation", holders(Role.ADMINISTRATOR)),
    ChangeRule("user", own_account),
    ChangeRule("api-token", own_token),
)

POLICY = Policy(rows=ROWS, changes=CHANGES)
