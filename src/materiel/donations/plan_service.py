"""Use cases of allocation plans: run the planner on the database, compare, accept.

The planner itself (`planning/`) sees plain data only; this module reads the
database into a `Scenario`, stores the resulting `Plan` as a new draft
version, and applies an accepted plan to the statuses of pledges and
requirements.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Text, cast, func, select

from materiel.catalog.store import CatalogStore
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput, NotFound
from materiel.core.markings import Marking, most_restrictive
from materiel.donations import commitments
from materiel.donations.model import Pledge, PledgeStatus, Requirement, RequirementStatus
from materiel.donations.plan_as_seen import plans_as_seen
from materiel.donations.plan_model import (
    PairingRule,
    PinLimits,
    PlanDiff,
    PlannedAllocation,
    RuleKind,
    StoredPlan,
    compare,
    refuse_contradiction,
)
from materiel.donations.plan_store import PlanStore, plan_allocations
from materiel.donations.planning import candidates
from materiel.donations.planning import scenario as sc
from materiel.donations.planning.plan import Plan, plan_to_json
from materiel.donations.planning.planner import allocate
from materiel.donations.store import DonationsStore, pledges, requirements
from materiel.network.service import Flow
from materiel.network.store import NetworkStore
from materiel.platform.access.sessions import elevated
from materiel.platform.audit import snapshot
from materiel.platform.jobs.execution import Cancelled, JobContext
from materiel.platform.records import apply_status, check_version
from materiel.platform.unit_of_work import UnitOfWork

ALLOCATION_JOB = "allocation"
PLANNED_REQUIREMENTS = (RequirementStatus.OPEN, RequirementStatus.PARTLY_MET, RequirementStatus.MET)
PLANNED_PLEDGES = (PledgeStatus.OFFERED, PledgeStatus.ACCEPTED, PledgeStatus.ALLOCATED)


def scenario_from_db(
    uow: UnitOfWork, today: date, given: Sequence[commitments.Commitment] = ()
) -> sc.Scenario:
    """Everything the planner needs, read in one unit of work.

    Units that have already left (`given`) are not planned again: each pledge
    offers what has not left it, each requirement asks for what is neither
    received nor on its way (`commitments`).
    """
    store, plans = DonationsStore(uow.session), PlanStore(uow.session)
    requirements = [r for r in store.all_requirements() if r.status in PLANNED_REQUIREMENTS]
    pledges = [p for p in store.all_pledges() if p.status in PLANNED_PLEDGES]
    routable = [p for p in pledges if p.origin]
    warnings = [
        f"pledge {p.id} has no origin node yet and cannot be routed"
        for p in pledges
        if not p.origin
    ]
    warnings += commitments.warnings(
        given, _needs(requirements), {p.id: p.quantity for p in pledges}
    )
    sent, arriving = commitments.sent_by_pledge(given), commitments.arriving_by_requirement(given)
    by_pair = commitments.sent_by_pair(given)
    accepted = plans.accepted()
    previous = plans.allocations(accepted.id) if accepted and accepted.id else []
    rules = plans.rules()
    return sc.Scenario(
        item_types=tuple(
            sc.ItemType(i.id, i.family) for i in CatalogStore(uow.session).all_item_types()
        ),
        nodes=tuple(sc.Node(n.id) for n in NetworkStore(uow.session).all_nodes()),
        links=tuple(
            sc.Link(link.from_node, link.to_node, math.ceil(link.days), link.cost)
            for link in NetworkStore(uow.session).all_links()
        ),
        requirements=tuple(
            replace(_requirement(r), quantity=r.quantity - arriving.get(r.id, 0))
            for r in requirements
            if r.quantity > arriving.get(r.id, 0)
        ),
        pledges=tuple(
            replace(_pledge(p, today), quantity=p.quantity - sent.get(p.id, 0))
            for p in routable
            if p.quantity > sent.get(p.id, 0)
        ),
        previous_plan=_left(
            (sc.Pairing(a.pledge, a.requirement, a.quantity) for a in previous), by_pair
        ),
        pins=_left(
            (
                sc.Pairing(r.pledge, r.requirement, r.quantity)
                for r in rules
                if r.kind is RuleKind.PIN
            ),
            by_pair,
        ),
        forbidden=tuple(
            sc.Pairing(r.pledge, r.requirement) for r in rules if r.kind is RuleKind.FORBID
        ),
        warnings=tuple(warnings),
    )


def _left(
    pairings: Iterable[sc.Pairing], sent: Mapping[tuple[str, str], int]
) -> tuple[sc.Pairing, ...]:
    """Pairings less the units that have left on them (those are kept as they are)."""
    kept = []
    for pairing in pairings:
        units = pairing.quantity - sent.get((pairing.pledge, pairing.requirement), 0)
        if units > 0:
            kept.append(replace(pairing, quantity=units))
    return tuple(kept)


def _needs(requirements: Iterable[Requirement]) -> dict[str, commitments.Need]:
    return {r.id: commitments.Need(r.quantity, r.priority, r.needed_by) for r in requirements}


def _requirement(r: Requirement) -> sc.Requirement:
    return sc.Requirement(
        id=r.id,
        item_type=r.item_type,
        quantity=r.quantity,
        priority=r.priority,
        needed_by=r.needed_by,
        destination=r.destination,
        accepts=tuple(r.accepts),
        unit=r.unit,
        capability_area=r.capability_area,
    )


def _pledge(p: Pledge, today: date) -> sc.Pledge:
    """The pledge as the planner reads it (unknown date: `today`; no origin: '')."""
    return sc.Pledge(
        id=p.id,
        donor=p.donor,
        item_type=p.item_type,
        quantity=p.quantity,
        available_from=p.available_from or today,
        origin=p.origin or "",
        caveats=_caveats(p),
    )


def _caveats(p: Pledge) -> sc.Caveats:
    return sc.Caveats(
        areas=frozenset(p.caveats.areas) or None,
        units=frozenset(p.caveats.units) or None,
        not_before=p.caveats.not_before,
    )


def run_allocation(
    uow: UnitOfWork, *, time_limit_s: float = 60, context: JobContext | None = None
) -> StoredPlan:
    """Plan from the database's current state and store the result as a draft."""
    with uow:
        given = commitments.read(uow.session)
        scenario = scenario_from_db(uow, utc_now().date(), given)
        basis = PlanStore(uow.session).accepted()
        needs = _needs(
            r
            for r in DonationsStore(uow.session).all_requirements()
            if r.status in PLANNED_REQUIREMENTS
        )
    if context:
        context.progress(
            0.02, f"planning {len(scenario.requirements)} lines, {len(scenario.pledges)} pledges"
        )
    result = allocate(
        scenario,
        time_limit_s=time_limit_s,
        progress=context.progress if context else None,
        should_stop=context.should_stop if context else None,
    )
    if context and context.should_stop():
        raise Cancelled
    result = commitments.with_commitments(result, given, needs)
    return store_plan(uow, result, basis.id if basis else None)


def store_plan(uow: UnitOfWork, result: Plan, basis_id: int | None) -> StoredPlan:
    """Store a planner result as a draft; its notes are the plan's own warnings (the
    scenario's, passed through by the planner, each once) and the pins it dropped."""
    document = plan_to_json(result)
    with uow:
        plan = StoredPlan(
            created_by=uow.actor,
            objective=document["objective"],
            solver=document["solver"],
            unmet=document["unmet"],
            notes=[
                *result.warnings,
                *(_dropped(d) for d in document.get("dropped_pins", [])),
            ],
            basis_id=basis_id,
        )
        uow.session.add(plan)
        uow.flush()
        assert plan.id is not None
        with elevated(uow.session):  # every line bears its pledge's and requirement's markings
            store = DonationsStore(uow.session)
            markings = {p.id: p.marking for p in store.all_pledges()}
            needs = {r.id: r.marking for r in store.all_requirements()}
        for a in result.allocations:
            uow.session.add(
                PlannedAllocation(
                    plan_id=plan.id,
                    pledge=a.pledge,
                    requirement=a.requirement,
                    quantity=a.quantity,
                    arrival=a.arrival,
                    days_late=a.days_late,
                    reasons=list(a.reasons),
                    pinned=a.pinned,
                    classification=markings[a.pledge].classification,
                    releasable_to=markings[a.pledge].releasable_to,
                    requirement_classification=needs[a.requirement].classification,
                    requirement_releasable_to=needs[a.requirement].releasable_to,
                )
            )
        uow.audit("plan", "plan", str(plan.id), None, plan)
        uow.commit()
        return plan


def _dropped(pin: dict[str, Any]) -> str:
    return f"pin {pin['pledge']} -> {pin['requirement']} dropped: {pin['reason']}"


def allocation_job(context: JobContext) -> dict[str, Any]:
    """The background job: plan, store, report the new plan's id."""
    uow = UnitOfWork(context.session_factory, context.actor)
    plan = run_allocation(
        uow, time_limit_s=float(context.params.get("time_limit_s", 60)), context=context
    )
    return {"plan_id": plan.id}


def accept_plan(plan_id: int, expected_version: int | None, uow: UnitOfWork) -> StoredPlan:
    """Accept a draft: it supersedes the accepted plan and sets pledge and requirement statuses."""
    with uow:
        plans = PlanStore(uow.session)
        plan = _plan(plans, plan_id)
        check_version(plan, expected_version, "plan")
        plan.ensure_draft()
        current = plans.accepted()
        if current is not None and plan.basis_id != current.id:
            raise Conflict(
                f"plan {plan_id} was made against plan {plan.basis_id}, but plan {current.id} "
                "has been accepted since; run the planner again"
            )
        given = commitments.read(uow.session)
        # Every line and requirement counts, also those marked above what the
        # accepting coordinator may see.
        with elevated(uow.session):
            allocations = plans.allocations(plan_id)
            planned = {
                r.id
                for r in DonationsStore(uow.session).all_requirements()
                if r.status in PLANNED_REQUIREMENTS
            }
        _refuse_if_units_left(plan_id, allocations, given, planned)
        if current is not None:
            current.supersede()
        plan.accept(uow.actor)
        # Statuses follow for every pledge and requirement in the plan, also
        # those marked above what the accepting coordinator may see.
        with elevated(uow.session):
            _apply_statuses(uow, allocations, commitments.received_by_requirement(given))
        uow.audit("accept", "plan", str(plan_id), None, plan)
        uow.commit()
        (seen,) = plans_as_seen(uow, [plan])
        return seen


def _refuse_if_units_left(
    plan_id: int,
    allocations: list[PlannedAllocation],
    given: list[commitments.Commitment],
    planned: set[str],
) -> None:
    """Refuse a plan made before units left that it does not count (they would go twice).

    Only units bound for requirements still `planned` count: those on their
    way to a cancelled line are the plan's warnings, not its lines.
    """
    lines: dict[tuple[str, str], int] = {}
    for a in allocations:
        lines[a.pledge, a.requirement] = lines.get((a.pledge, a.requirement), 0) + a.quantity
    late_news = commitments.left_since(lines, [c for c in given if c.requirement in planned])
    if late_news:
        raise Conflict(
            f"units have left since plan {plan_id} was made, more than it gives their pairs "
            f"({'; '.join(late_news[:3])}{'; …' if len(late_news) > 3 else ''}); "
            "run the planner again"
        )


def _apply_statuses(
    uow: UnitOfWork, allocations: list[PlannedAllocation], received: dict[str, int]
) -> None:
    """Requirements: the allocation's status until a unit arrived, then the deliveries'."""
    allocated: dict[str, int] = {}
    for a in allocations:
        allocated[a.requirement] = allocated.get(a.requirement, 0) + a.quantity
    used = {a.pledge for a in allocations}
    store = DonationsStore(uow.session)
    for req in store.all_requirements():
        if req.status is RequirementStatus.CANCELLED:
            continue
        target = commitments.requirement_status(
            req.quantity, allocated.get(req.id, 0), received.get(req.id, 0)
        )
        apply_status(uow, req, target, "requirement")
    for pledge in store.all_pledges():
        if pledge.status in (PledgeStatus.OFFERED, PledgeStatus.ACCEPTED) and pledge.id in used:
            apply_status(uow, pledge, PledgeStatus.ACCEPTED, "pledge")
            apply_status(uow, pledge, PledgeStatus.ALLOCATED, "pledge")
        elif pledge.status is PledgeStatus.ALLOCATED and pledge.id not in used:
            apply_status(uow, pledge, PledgeStatus.ACCEPTED, "pledge")


def _plan(plans: PlanStore, plan_id: int) -> StoredPlan:
    plan = plans.plan(plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} does not exist")
    return plan


@dataclass(frozen=True)
class PlanView:
    plan: StoredPlan
    allocations: list[PlannedAllocation]


def get_plan(plan_id: int, uow: UnitOfWork) -> PlanView:
    with uow:
        plans = PlanStore(uow.session)
        (plan,) = plans_as_seen(uow, [_plan(plans, plan_id)])
        return PlanView(plan, plans.allocations(plan_id))


def list_plans(uow: UnitOfWork) -> list[StoredPlan]:
    with uow:
        return plans_as_seen(uow, PlanStore(uow.session).all_plans())


def compare_plans(
    plan_id: int, other_id: int | None, uow: UnitOfWork
) -> tuple[int | None, PlanDiff]:
    """What `plan_id` changes against `other_id` (default: the plan it was made against)."""
    with uow:
        plans = PlanStore(uow.session)
        plan = _plan(plans, plan_id)
        against = other_id if other_id is not None else plan.basis_id
        old = plans.allocations(_plan(plans, against).id or 0) if against is not None else []
        return against, compare(old, plans.allocations(plan_id))


def set_rule(
    kind: RuleKind, pledge: str, requirement: str, quantity: int, uow: UnitOfWork
) -> PairingRule:
    """Pin a pairing (keep it, if still feasible) or forbid it, for every later run.

    Refused when made, not dropped at the next run: a pin of 0 units or more than its
    pledge offers (less its other pins) or its requirement asks, a pin the planner's hard
    rules would never allow, and a pin and a ban on the same pairing.
    """
    with uow:
        found_pledge = uow.session.get(Pledge, pledge)
        if found_pledge is None:
            raise NotFound(f"pledge '{pledge}' does not exist")
        found_requirement = uow.session.get(Requirement, requirement)
        if found_requirement is None:
            raise NotFound(f"requirement '{requirement}' does not exist")
        existing = PlanStore(uow.session).rules()
        refuse_contradiction(kind, pledge, requirement, existing)
        if kind is RuleKind.PIN:
            _check_pin(found_pledge, found_requirement, quantity, existing)
        else:
            quantity = 0  # a ban keeps no units
        rule_id = PairingRule.make_id(kind, pledge, requirement)
        rule = uow.session.get(PairingRule, rule_id)
        before = snapshot(rule) if rule else None
        if rule is None:
            rule = PairingRule(rule_id, kind, pledge, requirement, quantity, uow.actor)
            uow.session.add(rule)
        else:
            rule.quantity = quantity
        uow.audit("rule", "pairing_rule", rule_id, before, rule)
        uow.commit()
        return rule


def _check_pin(
    pledge: Pledge, requirement: Requirement, quantity: int, existing: list[PairingRule]
) -> None:
    """The planner's own hard rules, asked now: would it ever keep this pin?"""
    pair = f"{pledge.id} → {requirement.id}"
    if pledge.status not in PLANNED_PLEDGES:
        raise Conflict(
            f"cannot pin {pair}: pledge {pledge.id} is {pledge.status.value}; only an "
            "offered, accepted or allocated pledge is planned"
        )
    if requirement.status not in PLANNED_REQUIREMENTS:
        raise Conflict(
            f"cannot pin {pair}: requirement {requirement.id} is {requirement.status.value}; "
            "a cancelled requirement is not planned"
        )
    offer, need = _rule_pledge(pledge), _requirement(requirement)
    refused = candidates.incompatible(offer, need) or candidates.caveat_blocks(offer, need)
    if refused:
        raise InvalidInput(f"cannot pin {pair}: {refused}; the planner would never keep it")
    elsewhere = {
        r.requirement: r.quantity
        for r in existing
        if r.kind is RuleKind.PIN and r.pledge == pledge.id and r.requirement != requirement.id
    }
    PinLimits(pledge.quantity, requirement.quantity, elsewhere).check(
        pledge.id, requirement.id, quantity
    )


def _rule_pledge(p: Pledge) -> sc.Pledge:
    """The pledge as the planner's type and caveat rules see them (they ask no origin or date)."""
    return _pledge(p, date.min)


def remove_rule(rule_id: str, uow: UnitOfWork) -> None:
    with uow:
        rule = uow.session.get(PairingRule, rule_id)
        if rule is None:
            raise NotFound(f"pairing rule '{rule_id}' does not exist")
        uow.audit("remove", "pairing_rule", rule_id, rule, None)
        uow.session.delete(rule)
        uow.commit()


def list_rules(uow: UnitOfWork) -> list[PairingRule]:
    with uow:
        return PlanStore(uow.session).rules()


@dataclass(frozen=True)
class PlanReview:
    """A plan as staff review it: lines with who and what, changes, standing rules."""

    plan: StoredPlan
    allocations: list[PlannedAllocation]
    pledges: dict[str, Pledge]
    requirements: dict[str, Requirement]
    against: int | None
    diff: PlanDiff
    rules: list[PairingRule]
    accepted_id: int | None


def review_plan(plan_id: int, uow: UnitOfWork) -> PlanReview:
    with uow:
        plans, store = PlanStore(uow.session), DonationsStore(uow.session)
        (plan,) = plans_as_seen(uow, [_plan(plans, plan_id)])
        allocations = plans.allocations(plan_id)
        old = plans.allocations(plan.basis_id) if plan.basis_id is not None else []
        accepted = plans.accepted()
        return PlanReview(
            plan=plan,
            allocations=allocations,
            pledges={p.id: p for p in store.all_pledges()},
            requirements={r.id: r for r in store.all_requirements()},
            against=plan.basis_id,
            diff=compare(old, allocations),
            rules=plans.rules(),
            accepted_id=accepted.id if accepted else None,
        )


def accepted_flows(uow: UnitOfWork) -> list[Flow]:
    """Units of the accepted plan from each pledge's origin to each requirement's destination.

    Only lines whose pledge and requirement the user sees: a pledge's origin
    is the donor's to share (the partner sees no pledge that was not shared).
    Summed in the database, one flow per route and marking of the lines (a
    line's marking: the more restrictive of its pledge's and its requirement's),
    in the order of each one's first line, so a banner over them reads the same.
    """
    with uow:
        accepted = PlanStore(uow.session).accepted()
        if accepted is None or accepted.id is None:
            return []
        line, pledge, need = plan_allocations.c, pledges.c, requirements.c
        markings = (
            line.classification,
            cast(line.releasable_to, Text),
            line.requirement_classification,
            cast(line.requirement_releasable_to, Text),
        )
        query = (  # from the mapped classes: the access filter applies to each
            select(pledge.origin, need.destination, func.sum(line.quantity), *markings)
            .select_from(PlannedAllocation)
            .join(Pledge, pledge.id == line.pledge)
            .join(Requirement, need.id == line.requirement)
            .where(line.plan_id == accepted.id, pledge.origin.is_not(None))
            .group_by(pledge.origin, need.destination, *markings)
            .order_by(func.min(line.id))
        )
        return [
            Flow(
                origin,
                destination,
                int(units),
                most_restrictive(
                    (
                        Marking(level, tuple(json.loads(codes))),
                        Marking(need_level, tuple(json.loads(need_codes))),
                    )
                ),
            )
            for origin, destination, units, level, codes, need_level, need_codes in (
                uow.session.execute(query)
            )
        ]
