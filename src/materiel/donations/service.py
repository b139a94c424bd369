"""Use cases of requirements and pledges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from materiel.catalog.store import CatalogStore
from materiel.core.paging import Page
from materiel.donations.io import (
    PLEDGE_IMPORT,
    REQUIREMENT_IMPORT,
    ImportOptions,
    pledge_fields,
    pledge_parser,
    requirement_fields,
    requirement_parser,
)
from materiel.donations.model import (
    PRIORITIES,
    Pledge,
    PledgeStatus,
    Requirement,
    RequirementStatus,
)
from materiel.donations.plan_store import PlanStore
from materiel.donations.store import DonationsStore, PledgeFilter, RequirementFilter
from materiel.network.store import NetworkStore
from materiel.platform.access.sessions import as_system
from materiel.platform.exports import ExportReport, export_records
from materiel.platform.imports import ImportReport, run_import
from materiel.platform.listing import Sort
from materiel.platform.records import change_status, create_record, get_record, update_record
from materiel.platform.tabular import Source
from materiel.platform.unit_of_work import UnitOfWork

REQUIREMENT = "requirement"
PLEDGE = "pledge"


def import_requirements(
    source: Source,
    uow: UnitOfWork,
    *,
    options: ImportOptions = ImportOptions(),
    partial: bool = False,
    preview: bool = False,
) -> ImportReport:
    return run_import(
        uow,
        source,
        REQUIREMENT_IMPORT,
        requirement_parser(options),
        partial=partial,
        preview=preview,
    )


def import_pledges(
    source: Source,
    uow: UnitOfWork,
    *,
    options: ImportOptions = ImportOptions(),
    partial: bool = False,
    preview: bool = False,
) -> ImportReport:
    return run_import(
        uow, source, PLEDGE_IMPORT, pledge_parser(options), partial=partial, preview=preview
    )


def create_requirement(fields: Mapping[str, Any], uow: UnitOfWork) -> Requirement:
    return create_record(uow, REQUIREMENT, requirement_parser(), fields, ref="ref")


def create_pledge(fields: Mapping[str, Any], uow: UnitOfWork) -> Pledge:
    return create_record(uow, PLEDGE, pledge_parser(), fields, ref="ref")


def update_requirement(
    requirement_id: str, changes: Mapping[str, Any], expected_version: int | None, uow: UnitOfWork
) -> Requirement:
    return update_record(
        uow,
        model=Requirement,
        entity=REQUIREMENT,
        make_parser=requirement_parser(),
        to_fields=requirement_fields,
        record_id=requirement_id,
        changes=changes,
        expected_version=expected_version,
    )


def update_pledge(
    pledge_id: str, changes: Mapping[str, Any], expected_version: int | None, uow: UnitOfWork
) -> Pledge:
    return update_record(
        uow,
        model=Pledge,
        entity=PLEDGE,
        make_parser=pledge_parser(),
        to_fields=pledge_fields,
        record_id=pledge_id,
        changes=changes,
        expected_version=expected_version,
    )


def change_requirement_status(
    requirement_id: str, status: RequirementStatus, expected_version: int | None, uow: UnitOfWork
) -> Requirement:
    return change_status(
        uow,
        model=Requirement,
        entity=REQUIREMENT,
        record_id=requirement_id,
        status=status,
        expected_version=expected_version,
    )


def change_pledge_status(
    pledge_id: str, status: PledgeStatus, expected_version: int | None, uow: UnitOfWork
) -> Pledge:
    return change_status(
        uow,
        model=Pledge,
        entity=PLEDGE,
        record_id=pledge_id,
        status=status,
        expected_version=expected_version,
    )


def get_requirement(requirement_id: str, uow: UnitOfWork) -> Requirement:
    with uow:
        return get_record(uow, Requirement, REQUIREMENT, requirement_id)


def get_pledge(pledge_id: str, uow: UnitOfWork) -> Pledge:
    with uow:
        return get_record(uow, Pledge, PLEDGE, pledge_id)


def list_requirements(
    where: RequirementFilter,
    uow: UnitOfWork,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = Sort(),
) -> Page[Requirement]:
    with uow:
        items, total = DonationsStore(uow.session).requirements_page(where, limit, offset, sort)
        return Page(items, total, limit, offset)


def list_pledges(
    where: PledgeFilter,
    uow: UnitOfWork,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = Sort(),
) -> Page[Pledge]:
    with uow:
        items, total = DonationsStore(uow.session).pledges_page(where, limit, offset, sort)
        return Page(items, total, limit, offset)


@dataclass(frozen=True)
class ScenarioSummary:
    """The one-screen picture printed by `make run` and served at /api/summary."""

    item_types: int
    nodes: int
    requirements: int
    pledges: int
    donors: int
    units_required_by_priority: dict[int, int]
    units_unmet_by_priority: dict[int, int]
    accepted_plan: int | None = None
    plan_hidden: bool = False  # a plan is accepted, but the user's role may not read plans


def summarize(uow: UnitOfWork) -> ScenarioSummary:
    """Counts, and units not met by priority: from the accepted plan when there is one,
    otherwise the units on lines not marked met (cancelled lines left out)."""
    with uow:
        store = DonationsStore(uow.session)
        required = dict.fromkeys(PRIORITIES, 0)
        unmet = dict.fromkeys(PRIORITIES, 0)
        for priority, status, units in store.unit_totals():
            if status == RequirementStatus.CANCELLED:
                continue
            required[priority] += units
            if status != RequirementStatus.MET:
                unmet[priority] += units
        accepted = PlanStore(uow.session).accepted()
        with as_system(uow.session):  # its unmet lines name requirements; only seen ones count
            in_force = accepted or PlanStore(uow.session).accepted()
        if in_force is not None:
            unmet = _unmet_in_plan(store, in_force.unmet)
        requirements, pledges, donors = store.counts()
        return ScenarioSummary(
            item_types=len(CatalogStore(uow.session).item_type_ids()),
            nodes=len(NetworkStore(uow.session).node_ids()),
            requirements=requirements,
            pledges=pledges,
            donors=donors,
            units_required_by_priority=required,
            units_unmet_by_priority=unmet,
            accepted_plan=accepted.id if accepted else None,
            plan_hidden=accepted is None and in_force is not None,
        )


def _unmet_in_plan(store: DonationsStore, unmet: list[dict[str, Any]]) -> dict[int, int]:
    priority_of = store.priorities()
    totals = dict.fromkeys(PRIORITIES, 0)
    for line in unmet:
        if line["requirement"] in priority_of:
            totals[priority_of[line["requirement"]]] += int(line["quantity"])
    return totals


def export_requirements(path: Path, uow: UnitOfWork) -> ExportReport:
    with uow:
        rows = DonationsStore(uow.session).all_requirements()
        return export_records(path, rows, requirement_fields)


def export_pledges(path: Path, uow: UnitOfWork) -> ExportReport:
    with uow:
        rows = DonationsStore(uow.session).all_pledges()
        return export_records(path, rows, pledge_fields)
