"""The overview staff read every morning: pledged, allocated, delivered, unmet, late."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from materiel.catalog.store import CatalogStore
from materiel.core.markings import Marking, most_restrictive
from materiel.donations.model import PledgeStatus
from materiel.donations.plan_model import PlannedAllocation
from materiel.donations.plan_store import PlanStore
from materiel.donations.service import ScenarioSummary, summarize
from materiel.donations.store import DonationsStore
from materiel.platform.unit_of_work import UnitOfWork

TOP_DONORS = 15
LATE_SHOWN = 12


@dataclass(frozen=True)
class Flow:
    """Units pledged, allocated in the accepted plan, and delivered, for one group."""

    pledged: int = 0
    allocated: int = 0
    delivered: int = 0


@dataclass(frozen=True)
class Overview:
    summary: ScenarioSummary
    by_area: dict[str, Flow]
    by_donor: dict[str, Flow]
    late: list[PlannedAllocation] = field(default_factory=list)
    late_units: int = 0
    marking: Marking = field(default_factory=Marking)


def overview(uow: UnitOfWork) -> Overview:
    summary = summarize(uow)
    with uow:
        store = DonationsStore(uow.session)
        pledges = store.all_pledges()
        marking = most_restrictive(
            [*(p.marking for p in pledges), *(r.marking for r in store.all_requirements())]
        )
        areas = {i.id: i.capability_area for i in CatalogStore(uow.session).all_item_types()}
        plans = PlanStore(uow.session)
        accepted = plans.accepted()
        allocations = plans.allocations(accepted.id) if accepted and accepted.id else []
    allocated = Counter[str]()
    for a in allocations:
        allocated[a.pledge] += a.quantity
    groups: dict[str, dict[str, Counter[str]]] = {"area": {}, "donor": {}}
    for p in pledges:
        if p.status is PledgeStatus.WITHDRAWN:
            continue
        for kind, key in (("area", areas.get(p.item_type, "?")), ("donor", p.donor)):
            counts = groups[kind].setdefault(key, Counter())
            counts["pledged"] += p.quantity
            counts["allocated"] += allocated[p.id]
            counts["delivered"] += p.quantity if p.status is PledgeStatus.DELIVERED else 0
    late = sorted((a for a in allocations if a.days_late > 0), key=lambda a: -a.days_late)
    return Overview(
        summary=summary,
        by_area={k: _flow(v) for k, v in sorted(groups["area"].items())},
        by_donor=dict(
            sorted(
                ((k, _flow(v)) for k, v in groups["donor"].items()),
                key=lambda item: -item[1].pledged,
            )[:TOP_DONORS]
        ),
        late=late[:LATE_SHOWN],
        late_units=sum(a.quantity for a in late),
        marking=marking,
    )


def _flow(counts: Counter[str]) -> Flow:
    return Flow(counts["pledged"], counts["allocated"], counts["delivered"])
