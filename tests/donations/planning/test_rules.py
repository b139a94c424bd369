"""One test per hard rule and per objective level of the allocation planner."""

from __future__ import annotations

from datetime import date

from materiel.donations.planning.greedy import allocate_greedy
from materiel.donations.planning.plan import Plan
from materiel.donations.planning.planner import allocate
from materiel.donations.planning.scenario import Link

from .factories import Caveats, Pairing, pledge, req, scenario


def units(plan: Plan) -> dict[tuple[str, str], int]:
    return {(a.pledge, a.requirement): a.quantity for a in plan.allocations}


def test_never_more_than_pledged_or_required() -> None:
    plan = allocate(scenario([req(quantity=3), req("R2", quantity=4)], [pledge(quantity=5)]))
    assert sum(units(plan).values()) == 5
    assert all(q <= 4 for q in units(plan).values())
    assert plan.unmet[0].quantity == 2


def test_only_accepted_substitutes() -> None:
    s = scenario([req(accepts=("B",)), req("R2", unit="2 Bde")], [pledge(item_type="B")])
    plan = allocate(s)
    assert units(plan) == {("P1", "R1"): 5}
    reasons = " ".join(plan.allocations[0].reasons)
    assert "substitute B" in reasons
    assert "no compatible pledge" in next(u.reason for u in plan.unmet if u.requirement == "R2")


def test_caveat_areas() -> None:
    p = pledge(caveats=Caveats(areas=frozenset({"armour"})))
    plan = allocate(scenario([req(), req("R2", capability_area="armour")], [p]))
    assert units(plan) == {("P1", "R2"): 5}
    assert "capability areas" in next(u.reason for u in plan.unmet if u.requirement == "R1")


def test_caveat_units() -> None:
    p = pledge(caveats=Caveats(units=frozenset({"2 Bde"})))
    plan = allocate(scenario([req(), req("R2", unit="2 Bde", priority=5)], [p]))
    assert units(plan) == {("P1", "R2"): 5}


def test_caveat_not_before_delays_arrival() -> None:
    p = pledge(caveats=Caveats(not_before=date(2027, 3, 1)))
    plan = allocate(scenario([req()], [p]))
    assert plan.allocations[0].arrival == date(2027, 3, 6)  # 3 + 2 transit days
    assert plan.allocations[0].days_late == 33


def test_unreachable_pledge_is_no_candidate() -> None:
    plan = allocate(scenario([req()], [pledge(origin="XX")]))
    assert plan.allocations == ()
    assert "no route" in plan.unmet[0].reason


def test_forbidden_pairing_never_used() -> None:
    forbid = [Pairing("P1", "R1")]
    plan = allocate(scenario([req(), req("R2", priority=5)], [pledge()], forbidden=forbid))
    assert units(plan) == {("P1", "R2"): 5}


def test_strict_priority_beats_quantity_and_lateness() -> None:
    # R2 (priority 1) is needed at once and will be late; R1 (priority 2) has time.
    reqs = [req(priority=2, needed_by=date(2028, 1, 1)), req("R2", needed_by=date(2026, 1, 1))]
    plan = allocate(scenario(reqs, [pledge()]))
    assert units(plan) == {("P1", "R2"): 5}
    assert "R2 (priority 1)" in plan.unmet[0].reason


def test_least_lateness_picks_the_early_pledge() -> None:
    late = pledge("P1", quantity=5, available_from=date(2027, 3, 1))
    early = pledge("P2", quantity=5)
    reqs = [req(needed_by=date(2027, 1, 10)), req("R2", needed_by=date(2027, 6, 1))]
    plan = allocate(scenario(reqs, [late, early]))
    assert units(plan) == {("P2", "R1"): 5, ("P1", "R2"): 5}
    assert plan.objective.unit_days_late == 0


def test_commonality_prefers_one_type_per_unit() -> None:
    reqs = [req(accepts=("B",), quantity=2), req("R2", item_type="B", accepts=("A",), quantity=2)]
    pledges = [pledge("PA", quantity=2), pledge("PB", item_type="B", quantity=4)]
    plan = allocate(scenario(reqs, pledges))
    assert plan.objective.types_per_unit == 1
    assert set(units(plan)) == {("PB", "R1"), ("PB", "R2")}
    assert plan.solver.status == "optimal"


def test_transport_cost_breaks_ties() -> None:
    links = [
        Link("DE", "UA", 2, 50.0),
        Link("PL", "UA", 2, 5.0),
        Link("DE", "PL", 1, 1.0),
    ]
    pledges = [pledge("P1", quantity=5), pledge("P2", quantity=5, origin="PL")]
    plan = allocate(scenario([req()], pledges, links=links))
    assert units(plan) == {("P2", "R1"): 5}


def test_stability_keeps_previous_pairing_when_no_better() -> None:
    pledges = [pledge("P1"), pledge("P2")]
    previous = [Pairing("P1", "R1", 5)]
    plan = allocate(scenario([req()], pledges, previous=previous))
    assert units(plan) == {("P1", "R1"): 5}
    assert plan.objective.units_moved == 0
    assert any("stability" in r for r in plan.allocations[0].reasons)


def test_stability_yields_to_lateness() -> None:
    pledges = [pledge("P1", available_from=date(2027, 5, 1)), pledge("P2")]
    previous = [Pairing("P1", "R1", 5)]
    plan = allocate(scenario([req()], pledges, previous=previous))
    assert units(plan) == {("P2", "R1"): 5}
    assert plan.objective.units_moved == 5


def test_pin_stays_even_against_priority() -> None:
    pins = [Pairing("P1", "R2", 3)]
    plan = allocate(scenario([req(), req("R2", priority=5)], [pledge()], pins=pins))
    assert units(plan) == {("P1", "R2"): 3, ("P1", "R1"): 2}
    assert next(a for a in plan.allocations if a.requirement == "R2").pinned


def test_infeasible_pin_is_dropped_with_reason() -> None:
    pins = [Pairing("P1", "R1", 3), Pairing("P9", "R1", 1), Pairing("P1", "R2", 7)]
    s = scenario([req(), req("R2", item_type="C")], [pledge()], pins=pins)
    plan = allocate(s)
    reasons = {(d.pledge, d.requirement): d.reason for d in plan.dropped_pins}
    assert "no longer exists" in reasons[("P9", "R1")]
    assert "offers A" in reasons[("P1", "R2")]
    assert units(plan)[("P1", "R1")] == 5


def test_greedy_honours_hard_rules() -> None:
    p = pledge(caveats=Caveats(units=frozenset({"2 Bde"})))
    plan = allocate_greedy(scenario([req(), req("R2", unit="2 Bde", priority=5)], [p]))
    assert units(plan) == {("P1", "R2"): 5}
    assert plan.solver.status == "greedy"


def test_every_allocation_names_its_alternatives() -> None:
    pledges = [pledge("P1", quantity=5), pledge("P2", quantity=5, available_from=date(2027, 4, 1))]
    reqs = [req(quantity=5), req("R2", quantity=5, needed_by=date(2027, 1, 2), priority=2)]
    plan = allocate(scenario(reqs, pledges))
    text = " ".join(next(a for a in plan.allocations if a.requirement == "R2").reasons)
    assert "alternative P2" in text and "went to R1 (priority 1)" in text
