"""Transport plans as one reader may see them.

A plan lists movements left unplanned and movements changed, each naming a
pledge and a requirement (`pledge>requirement`): an entry is shown when the
reader may read both markings. The plan's figures (units planned and
unplanned, unit-days late, cost) and its solver's bounds and notes sum over
every shipment; a reader who may not see some of them gets the figures
summed over what they see, no cost, no bounds or notes, and only the
warnings about shipments they see, since sums over hidden shipments would
carry what those are marked to withhold. The copies
are detached, so nothing filtered is ever written back.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from materiel.core.nations import PARTNER
from materiel.core.principal import Principal
from materiel.donations.store import DonationsStore
from materiel.logistics.model import Shipment, TransportPlanRecord
from materiel.logistics.store import LogisticsStore, shipments
from materiel.platform.access.sessions import as_system, principal_of
from materiel.platform.access.unseen import unseen_rows
from materiel.platform.unit_of_work import UnitOfWork

SOLVER_KEPT = ("status", "seconds", "method")
Entry = dict[str, Any]


def transport_plans_as_seen(
    uow: UnitOfWork, records: list[TransportPlanRecord]
) -> list[TransportPlanRecord]:
    """Each plan's lists, and if seen in part its figures, as the reader sees them."""
    principal = principal_of(uow.session)
    if principal.is_system:
        return records
    seen = _entry_reader(uow, principal)
    ids: list[Hashable] = [r.id for r in records if r.id is not None]
    partial = unseen_rows(uow.session, Shipment, shipments.c.transport_plan_id, ids)
    shown = []
    for record in records:
        unplanned = [e for e in record.unplanned if seen(e)]
        view = replace(record, unplanned=unplanned, changes=[e for e in record.changes if seen(e)])
        if record.id in partial or len(unplanned) < len(record.unplanned):
            view = replace(view, **_figures_seen(uow, view))
        shown.append(view)
    return shown


def _entry_reader(uow: UnitOfWork, principal: Principal) -> Callable[[Entry], bool]:
    """Whether the reader may read both markings of the movement an entry names."""
    with as_system(uow.session):
        store = DonationsStore(uow.session)
        pledges = {p.id: p for p in store.all_pledges()}
        needs = {r.id: r for r in store.all_requirements()}

    def seen(entry: Entry) -> bool:
        pledge_id, _, need_id = str(entry.get("movement", "")).partition(">")
        pledge, need = pledges.get(pledge_id), needs.get(need_id)
        return (
            pledge is not None
            and need is not None
            and principal.may_read(pledge.marking, pledge.donor)
            and principal.may_read(need.marking, PARTNER)
        )

    return seen


def _figures_seen(uow: UnitOfWork, record: TransportPlanRecord) -> dict[str, Any]:
    """Figures summed over the shipments and entries the reader sees; no cost, no bounds."""
    seen_shipments = LogisticsStore(uow.session).shipments_of(record.id or 0)
    objective = {
        **record.objective,
        "units_planned": sum(s.units for s in seen_shipments),
        "unit_days_late": sum(s.units * s.days_late for s in seen_shipments),
        "units_unplanned": sum(int(e.get("units", 0)) for e in record.unplanned),
        "cost": None,
    }
    solver = {k: v for k, v in record.solver.items() if k in SOLVER_KEPT}
    solver["warnings"] = _warnings_seen(uow, record.solver.get("warnings", []))
    return {"objective": objective, "solver": solver}


def _warnings_seen(uow: UnitOfWork, warnings: list[str]) -> list[str]:
    """The warnings about a shipment the reader sees (`blocked_legs` names it first)."""
    if not warnings:
        return []  # most plans have none: no need to read every shipment
    seen = {s.id for s in LogisticsStore(uow.session).shipments()}

    def about_seen(warning: str) -> bool:
        word, _, rest = warning.partition(" ")
        return word == "shipment" and rest.partition(" ")[0] in seen

    return [w for w in warnings if about_seen(w)]
