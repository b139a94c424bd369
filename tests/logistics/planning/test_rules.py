"""One test per rule of the transport planner, on hand-made scenarios."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from materiel.logistics.planning.greedy import plan_transport_greedy
from materiel.logistics.planning.planner import plan_transport
from materiel.logistics.planning.replan import changes, freeze_dispatched
from materiel.logistics.planning.scenario import (
    FixedLeg,
    Link,
    Movement,
    Node,
    TransportScenario,
)
from tests.logistics.planning.reference import violations

D0 = date(2027, 3, 1)


def d(n: int) -> date:
    return D0 + timedelta(days=n)


def network() -> TransportScenario:
    """Depot -> hub by rail (slow, cheap, 4 slots a day) or road; hub -> border."""
    return TransportScenario(
        start=D0,
        horizon_days=30,
        nodes=(Node("depot"), Node("hub", handling_per_day=20, storage=10), Node("border")),
        links=(
            Link("rail", "depot", "hub", "rail", 4, 1.0, capacity_per_day=4),
            Link("road", "depot", "hub", "road", 2, 5.0),
            Link("last", "hub", "border", "road", 1, 2.0, capacity_per_day=6),
        ),
        movements=(Movement("M1", "depot", "border", 6, 2, d(0), d(10), "155SP"),),
    )


def test_cheap_route_when_it_is_on_time() -> None:
    plan = plan_transport(network())
    assert plan.objective.unit_days_late == 0
    assert plan.solver.status == "optimal"
    assert all(s.legs[0].link == "rail" for s in plan.shipments)
    assert violations(network(), plan) == []


def test_lateness_before_cost() -> None:
    s = replace(network(), movements=(replace(network().movements[0], due=d(3)),))
    plan = plan_transport(s)
    # Road arrives at the border on day 3 at the earliest; 3 units a day fit on the last leg.
    assert plan.objective.unit_days_late == 3
    assert {s.legs[0].link for s in plan.shipments} == {"road"}


def test_late_shipments_say_why() -> None:
    s = replace(network(), movements=(replace(network().movements[0], due=d(1)),))
    plan = plan_transport(s)
    # 3 units arrive on day 3, two days late by transit alone; 3 more on day 4 wait for the
    # last leg's 6 slots a day.
    reasons = {p.days_late: p.late_reason for p in plan.shipments}
    assert reasons[2] == (
        "transit: on an empty network it arrives 2027-03-04 at the earliest (due 2027-03-02)"
    )
    assert reasons[3].startswith("capacity: an empty network would deliver on 2027-03-04")
    assert "full on that route: link last departures on 2027-03-03" in reasons[3]
    on_time = plan_transport(network())
    assert {p.late_reason for p in on_time.shipments} == {""}


def test_whole_units_bound_the_lateness_exactly() -> None:
    """5 slots a day carry 2 units of 2 slots, not the LP's 2.5: the bound knows it."""
    s = TransportScenario(
        start=D0,
        horizon_days=10,
        nodes=(Node("depot"), Node("border")),
        links=(Link("rail", "depot", "border", "rail", 1, 1.0, capacity_per_day=5),),
        movements=(Movement("M1", "depot", "border", 5, 2, d(0), d(1), "155SP"),),
    )
    plan = plan_transport(s)
    # Days 1, 2 and 3 receive 2, 2 and 1 units: 0 + 2 x 1 + 1 x 2 unit-days late.
    assert plan.objective.unit_days_late == 4
    assert dict(plan.solver.bounds)["unit_days_late"] == 4
    assert plan.solver.status == "optimal"


def test_never_before_release() -> None:
    s = replace(network(), movements=(replace(network().movements[0], release=d(5)),))
    plan = plan_transport(s)
    assert all(sh.legs[0].depart >= d(5) for sh in plan.shipments)


def test_closed_destination_is_unplanned_with_reason() -> None:
    base = network()
    s = replace(base, nodes=(*base.nodes[:2], Node("border", closed_from=d(0))))
    plan = plan_transport(s)
    assert plan.shipments == ()
    assert plan.unplanned[0].units == 6
    assert "destination border closed" in plan.unplanned[0].reason


def test_no_route_and_short_horizon_are_named() -> None:
    base = network()
    s = replace(
        base,
        horizon_days=3,
        movements=(
            Movement("M1", "depot", "border", 1, 1, d(0), d(2), "g"),
            Movement("M2", "border", "depot", 1, 1, d(0), d(2), "g"),
        ),
    )
    reasons = {u.movement: u.reason for u in plan_transport(s).unplanned}
    assert reasons["M1"].startswith("horizon too short")
    assert reasons["M2"] == "no route from border to depot"


def test_link_cut_moves_traffic() -> None:
    base = network()
    cut = replace(base.links[0], reduced_from=d(0), reduced_capacity=0)
    plan = plan_transport(replace(base, links=(cut, *base.links[1:])))
    assert {s.legs[0].link for s in plan.shipments} == {"road"}
    assert plan.objective.units_unplanned == 0


def test_fixed_legs_use_capacity() -> None:
    base = network()
    fixed = tuple(FixedLeg(f"S{n}", "last", d(n), 3, 2) for n in range(30))
    plan = plan_transport(replace(base, fixed=fixed))  # the last leg is full every day
    assert plan.objective.units_unplanned == 6
    assert plan.unplanned[0].reason == "no capacity left within the horizon"


def test_shipment_ids_are_deterministic() -> None:
    a, b = plan_transport(network()), plan_transport(network())
    assert [(s.id, s.units, s.legs) for s in a.shipments] == [
        (s.id, s.units, s.legs) for s in b.shipments
    ]
    assert all(s.id.startswith("M1-") for s in a.shipments)


def test_greedy_takes_the_fastest_route() -> None:
    plan = plan_transport_greedy(network())
    assert {s.legs[0].link for s in plan.shipments} == {"road"}
    assert violations(network(), plan) == []
    assert plan.objective.cost > plan_transport(network()).objective.cost


def test_replan_keeps_dispatched_and_lists_changes() -> None:
    base = network()
    before = plan_transport(base)
    today = d(2)
    frozen = freeze_dispatched(base, before, today)
    left = sum(m.units for m in frozen.movements)
    gone = sum(s.units for s in before.shipments if s.legs[0].depart < today)
    assert left + gone == 6
    cut = replace(base.links[0], reduced_from=today, reduced_capacity=0)
    disrupted = replace(frozen, links=(cut, *frozen.links[1:]))
    after = plan_transport(disrupted, previous=before)
    assert violations(disrupted, after) == []
    assert all(s.legs[0].depart >= today for s in after.shipments)
    moved = changes(before, after, today)
    assert moved
    assert moved[0].movement == "M1"
    assert moved[0].unit_days_late_after >= 0
