"""Who follows which pledges through transfers: by role, by marking, by nation.

DESIGN.md: donor liaison officers "see what happened to" their nation's
pledges, and every record is marked. A shipment (and a plan line) bears its
pledge's marking and its requirement's: transfer staff see it when they may
read both (cleared, and releasable to their nation or owned by it). Through
the real API, on SQLite and PostgreSQL, and on PostgreSQL a second time
through a role that owns no tables with the application's filter off
(row-level security alone), each user sees exactly the shipments, custody,
assets and discrepancies `expected` says; again after the donor's liaison
re-marks its SECRET pledge for release to the alliance; and again after the
partner narrows its requirement's release to itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.service import import_pledges, import_requirements
from materiel.logistics import service, transport_service
from materiel.logistics.model import DiscrepancyKind, Finding, Receipt
from tests.access import reference
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.factories import load_reference_data
from tests.logistics.test_transfers import REQUIREMENTS as TRANSFER_REQUIREMENTS
from tests.logistics.test_transfers import TODAY, allocated_world

REQUIREMENTS = [{**TRANSFER_REQUIREMENTS[0], "quantity": "6"}]
PLEDGES = [
    {"ref": "P-DEU", "donor": "DEU", "item_type": "pzh-2000", "quantity": "3",
     "origin": "unterluss", "available_from": TODAY.isoformat(),
     "classification": "NATO UNCLASSIFIED", "releasable_to": "UKR|NATO"},
    {"ref": "P-DEU-S", "donor": "DEU", "item_type": "pzh-2000", "quantity": "1",
     "origin": "unterluss", "available_from": TODAY.isoformat(),
     "classification": "NATO SECRET", "releasable_to": "DEU"},
    {"ref": "P-POL", "donor": "POL", "item_type": "pzh-2000", "quantity": "2",
     "origin": "unterluss", "available_from": TODAY.isoformat(),
     "classification": "NATO UNCLASSIFIED", "releasable_to": "UKR|NATO"},
]  # fmt: skip
SECRET = 3
USERS = (
    reference.User("deu-liaison", "DEU", frozenset({Role.DONOR_LIAISON}), SECRET),
    reference.User("deu-liaison-unc", "DEU", frozenset({Role.DONOR_LIAISON}), 0),
    reference.User("pol-liaison", "POL", frozenset({Role.DONOR_LIAISON}), SECRET),
    reference.User("deu-trainer", "DEU", frozenset({Role.TRAINING_COORDINATOR}), SECRET),
    reference.User("hub-operator", "POL", frozenset({Role.NODE_OPERATOR}), 0),
    reference.User("hub-operator-r", "POL", frozenset({Role.NODE_OPERATOR}), 1),
    reference.User("deu-hub-operator", "DEU", frozenset({Role.NODE_OPERATOR}), SECRET),
    reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1),
    reference.User("coordinator-r", "NATO", frozenset({Role.COORDINATOR}), 1),
)


@dataclass(frozen=True)
class World:
    """The shipments by pledge, and a handed-over serial of each donor."""

    pledge_of: dict[str, str]  # shipment id -> pledge id
    serial_of: dict[str, str]  # pledge id -> one serial handed over
    discrepancy_pledge: str
    plan_id: int  # the accepted allocation plan


def planned_world(runtime: Runtime) -> int:
    """Plans made and accepted, shipments planned: the accepted allocation plan's id."""
    plan = allocated_world(runtime, REQUIREMENTS, PLEDGES)
    moved = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(moved.id or 0, None, runtime.uow("chief"))
    return plan.id or 0


def build_world(runtime: Runtime) -> World:
    """Plan, dispatch and hand over one shipment per donor; DEU's is received one short."""
    uow = runtime.uow
    plan_id = planned_world(runtime)
    shipments = service.list_shipments(uow())
    pledge_of = {s.id: s.pledge for s in shipments}
    serial_of = {}
    for pledge in ("P-DEU", "P-POL"):
        first = next(s for s in shipments if s.pledge == pledge)
        service.dispatch(first.id, None, None, uow("depot"))
        serials = [f"{pledge}-{n}" for n in range(first.units)]
        handover = service.HandOver(
            "lviv", pledge[2:], "47th Brigade", serials, acknowledged_by="Capt. K"
        )
        service.hand_over(first.id, handover, None, uow("liaison"))
        serial_of[pledge] = serials[0]
        if pledge == "P-DEU":
            short = Finding(DiscrepancyKind.SHORT, 1, "held back at the border")
            service.receive(first.id, Receipt(first.units - 1, "Capt. K", (short,)), None, uow("u"))
    return World(pledge_of, serial_of, "P-DEU", plan_id)


def marked_as(pledge: dict[str, str]) -> reference.MarkedRecord:
    releasable = tuple(pledge["releasable_to"].split("|"))
    return reference.MarkedRecord(
        pledge["ref"], pledge["donor"], pledge["classification"], releasable
    )


OPEN_REQUIREMENT = reference.MarkedRecord("R-1", "UKR", "NATO UNCLASSIFIED", ("UKR", "NATO"))


def expected_pledges(
    user: reference.User, pledges: list[dict[str, str]], need: reference.MarkedRecord
) -> set[str]:
    """Pledges whose transfers (all to `need`) the user follows, from DESIGN.md's words."""
    if not reference.may_read_marking(user, need):
        return set()
    if reference.sees_transfers(user):
        return {p["ref"] for p in pledges if reference.may_read_marking(user, marked_as(p))}
    if "donor_liaison" not in user.roles:
        return set()
    return {
        p["ref"]
        for p in pledges
        if p["donor"] == user.nation
        and reference.LEVELS.index(p["classification"]) <= user.clearance
    }


def check_every_user(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    pledges: list[dict[str, str]],
    need: reference.MarkedRecord = OPEN_REQUIREMENT,
) -> None:
    assert set(world.pledge_of.values()) == {p["ref"] for p in pledges}
    for user in USERS:
        headers = {"Authorization": f"Bearer {tokens[user.username]}"}
        follows = expected_pledges(user, pledges, need)
        theirs = {s for s, p in world.pledge_of.items() if p in follows}
        listed = client.get("/api/shipments", headers=headers).json()
        assert {s["id"] for s in listed["items"]} == theirs, user
        assert listed["total"] == len(theirs), user
        for shipment in world.pledge_of:
            detail = client.get(f"/api/shipments/{shipment}", headers=headers)
            assert detail.status_code == (200 if shipment in theirs else 404), (user, shipment)
            if shipment in theirs:
                assert detail.json()["legs"], (user, shipment)
                pledge = next(p for p in pledges if p["ref"] == world.pledge_of[shipment])
                assert detail.json()["classification"] == pledge["classification"]
                page = client.get(f"/shipments/{shipment}", headers=headers).text
                assert page.count(detail.json()["marking"]) == 2, (user, shipment)  # the banners
        for pledge, serial in world.serial_of.items():
            asset = client.get(f"/api/assets/{serial}", headers=headers)
            assert asset.status_code == (200 if pledge in follows else 404), (user, serial)
            if pledge in follows:
                assert [c["to_holder"] for c in asset.json()["custody"]] == ["47th Brigade"]
        board = client.get("/api/board", headers=headers).json()
        open_seen = bool(board["open_discrepancies"])
        assert open_seen == (world.discrepancy_pledge in follows), user
        # Allocation plan lines bear their pledge's marking too.
        plan = client.get(f"/api/plans/{world.plan_id}", headers=headers)
        assert plan.status_code == (200 if reference.sees_plans(user) else 404), user
        if reference.sees_plans(user):
            lines = {line["pledge"] for line in plan.json()["allocations"]}
            assert lines == follows, user
        # The map draws planned flows only of pledges the user sees (the partner: none).
        drawn = client.get("/api/map", headers=headers)
        assert drawn.status_code == 200, (user, drawn.text)
        if not reference.sees_plans(user) or user.nation == "UKR":
            assert not any(link["units"] for link in drawn.json()["links"]), user
        plans = client.get("/api/transport-plans", headers=headers).json()
        items = plans["items"] if isinstance(plans, dict) else plans
        assert bool(items) == reference.sees_transfers(user), user
        # The first plan lists every movement as changed; each entry names its pledge.
        for listed_plan in items:
            one = client.get(f"/api/transport-plans/{listed_plan['id']}", headers=headers).json()
            named = {e["movement"].split(">")[0] for e in one["changes"]}
            assert named == follows, (user, named)
            assert listed_plan["counts"]["changes"] == len(one["changes"]), user


def check_before_and_after_remarking(client: TestClient, owner: Runtime, world: World) -> None:
    tokens = {user.username: make_user(owner, user) for user in USERS}
    check_every_user(client, tokens, world, PLEDGES)
    released = {"classification": "NATO RESTRICTED", "releasable_to": ["UKR", "NATO"]}
    headers = {"Authorization": f"Bearer {tokens['deu-liaison']}"}
    changed = client.patch("/api/pledges/P-DEU-S", json=released, headers=headers)
    assert changed.status_code == 200, changed.text
    remarked = [
        {**p, **released, "releasable_to": "UKR|NATO"} if p["ref"] == "P-DEU-S" else p
        for p in PLEDGES
    ]
    check_every_user(client, tokens, world, remarked)
    # The partner narrows its requirement to itself: only the partner's staff follow it now.
    narrowed = {"classification": "NATO RESTRICTED", "releasable_to": ["UKR"]}
    headers = {"Authorization": f"Bearer {tokens['ukr-logistics']}"}
    changed = client.patch("/api/requirements/R-1", json=narrowed, headers=headers)
    assert changed.status_code == 200, changed.text
    need = reference.MarkedRecord("R-1", "UKR", "NATO RESTRICTED", ("UKR",))
    check_every_user(client, tokens, world, remarked, need)


def test_transfers_are_seen_by_role_marking_and_nation(runtime: Runtime) -> None:
    world = build_world(runtime)
    check_before_and_after_remarking(TestClient(create_app(runtime)), runtime, world)


@pytest.mark.postgres
def test_row_level_security_alone_gives_the_same(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        world = build_world(owner)
        check_before_and_after_remarking(TestClient(create_app(app)), owner, world)


def test_a_plans_unmet_lines_name_only_requirements_the_user_sees(runtime: Runtime) -> None:
    """R-S is marked NATO SECRET, releasable to the partner only, and nothing meets it."""
    load_reference_data(runtime)
    secret = {**REQUIREMENTS[0], "ref": "R-S", "priority": "5"}
    secret |= {"classification": "NATO SECRET", "releasable_to": "UKR"}
    import_requirements(("requirements", REQUIREMENTS), runtime.uow("t"))
    import_requirements(("secret requirement", [secret]), runtime.uow("t"))
    import_pledges(("pledges", PLEDGES), runtime.uow("t"))
    plan = plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)
    assert "R-S" in {u["requirement"] for u in plan.unmet}
    client = TestClient(create_app(runtime))
    partner = frozenset({Role.PARTNER_LOGISTICS})
    readers = (
        (reference.User("ukr-logistics-s", "UKR", partner, SECRET), True),
        (reference.User("ukr-logistics-r", "UKR", partner, 1), False),
        (reference.User("coordinator-s", "NATO", frozenset({Role.COORDINATOR}), SECRET), False),
    )
    for user, sees in readers:
        headers = {"Authorization": f"Bearer {make_user(runtime, user)}"}
        body = client.get(f"/api/plans/{plan.id}", headers=headers).json()
        assert ("R-S" in {u["requirement"] for u in body["unmet"]}) == sees, user
        listed = client.get("/api/plans", headers=headers).json()[0]
        assert listed["counts"]["unmet"] == len(body["unmet"]) == body["counts"]["unmet"], user
        page = client.get(f"/plans/{plan.id}", headers={**headers, "Accept": "text/html"}).text
        assert ('href="/requirements/R-S"' in page) == sees, user
