"""Shipments and plans' lines come a page at a time; plan version lists are summaries.

Through the real API (SQLite and PostgreSQL), for readers who see all, part
or none of a plan: the pages of `/api/shipments` and of one plan's lines
(allocations, unmet; shipments, changes, unplanned) add up to exactly what
the use cases read as that reader, each with its total, and every page
carries the plan's figures whole; a version list gives each version's
figures and counts of its lists, and reads neither the lists nor any whole
plan record. What a request loads is checked by the records it hydrates and
the statements it sends, never by timing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.plan_model import StoredPlan
from materiel.logistics import service, transport_service
from materiel.logistics.model import ShipmentStatus, TransportPlanRecord
from materiel.platform.audit import snapshot
from materiel.platform.identity.store import IdentityStore
from materiel.platform.unit_of_work import UnitOfWork
from tests.access import reference
from tests.access.test_donor_transfers import PLEDGES, REQUIREMENTS
from tests.access.test_need_to_know import make_user
from tests.counting import hydrated, statements
from tests.logistics.test_transfers import allocated_world

SECRET = 3
# Nothing is left to meet these: unmet lines of three markings.
UNMET = [
    {**REQUIREMENTS[0], "ref": "R-U", "priority": "5"},
    {**REQUIREMENTS[0], "ref": "R-R", "priority": "5", "classification": "NATO RESTRICTED",
     "releasable_to": "UKR|NATO"},
    {**REQUIREMENTS[0], "ref": "R-S", "priority": "5", "classification": "NATO SECRET",
     "releasable_to": "UKR"},
]  # fmt: skip
READERS = (
    reference.User("deu-coordinator", "DEU", frozenset({Role.COORDINATOR}), SECRET),
    reference.User("coordinator-r", "NATO", frozenset({Role.COORDINATOR}), 1),
    reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1),
    reference.User("ukr-logistics-s", "UKR", frozenset({Role.PARTNER_LOGISTICS}), SECRET),
    reference.User("deu-liaison", "DEU", frozenset({Role.DONOR_LIAISON}), SECRET),
    reference.User("hub-operator", "POL", frozenset({Role.NODE_OPERATOR}), 0),
)
PLAN_LIST_COLUMNS = r"\b(plans\.(unmet|notes)|transport_plans\.(changes|unplanned))\b"
JSON_FUNCTIONS = r"(json_each|json_array_elements|json_array_length)\([\w.]+\)"
PLAN_LISTS = {"plans": ("allocations", "unmet"), "transport-plans": ("shipments", "changes",
              "unplanned")}  # fmt: skip


def world(runtime: Runtime, *, draft: bool = True) -> tuple[int, list[int]]:
    """An accepted allocation plan with unmet lines; an accepted transport plan; and (if
    `draft`) a draft transport plan whose unplanned and changed movements name every
    pledge and requirement, some of which no reader sees both of."""
    plan = allocated_world(runtime, [*REQUIREMENTS, *UNMET], PLEDGES)
    moved = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(moved.id or 0, None, runtime.uow("chief"))
    if not draft:
        return plan.id or 0, [moved.id or 0]
    movements = [f"{p['ref']}>{r}" for p in PLEDGES for r in ("R-1", "R-S", "R-U")]
    proposed = TransportPlanRecord(
        plan.id or 0,
        "planner",
        {"unit_days_late": 7, "cost": 10.0, "units_planned": 0, "units_unplanned": 9},
        {"status": "feasible", "seconds": 1.0, "bounds": {"unit_days_late": 7}, "warnings": []},
        unplanned=[{"movement": m, "units": 1, "reason": "no capacity"} for m in movements],
        changes=[{"movement": m, "before": None, "after": None, "units_before": 1,
                  "units_after": 0} for m in movements],
        basis_id=moved.id,
    )  # fmt: skip
    with runtime.uow("planner") as uow:
        uow.session.add(proposed)
        uow.commit()
    return plan.id or 0, [moved.id or 0, proposed.id or 0]


def as_reader(client: TestClient, runtime: Runtime, user: reference.User) -> UnitOfWork:
    """Signs `client` in as `user`; a unit of work acting as them, for the use cases."""
    client.headers["Authorization"] = f"Bearer {make_user(runtime, user)}"
    with runtime.uow() as uow:
        found = IdentityStore(uow.session).user(user.username)
        assert found is not None
        principal = found.principal()
    return runtime.uow(principal=principal)


def ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def every_page(client: TestClient, path: str, lists: tuple[str, ...]) -> dict[str, Any]:
    """One plan read a line at a time: each list whole, and what every page repeats."""
    first = ok(client.get(path, params={"limit": 1}))
    whole = {name: list(first[name]) for name in lists}
    for offset in range(1, max(first["counts"][name] for name in lists)):
        page = ok(client.get(path, params={"limit": 1, "offset": offset}))
        assert {k: v for k, v in page.items() if k not in (*lists, "offset")} == {
            k: v for k, v in first.items() if k not in (*lists, "offset")
        }, (path, offset)  # figures, notes, counts: whole on every page
        for name in lists:
            assert len(page[name]) <= 1
            whole[name] += page[name]
    for name in lists:
        assert first["counts"][name] == len(whole[name]), (path, name)
    return {**first, **whole}


def test_shipments_come_a_page_at_a_time_as_each_reader_sees_them(runtime: Runtime) -> None:
    world(runtime)
    client = TestClient(create_app(runtime))
    for user in READERS:
        uow = as_reader(client, runtime, user)
        seen = [s.id for s in service.list_shipments(uow)]
        first = ok(client.get("/api/shipments"))
        assert (first["limit"], first["offset"], first["total"]) == (50, 0, len(seen)), user
        listed, offset = [], 0
        while offset < first["total"]:
            page = ok(client.get("/api/shipments", params={"limit": 2, "offset": offset}))
            assert page["total"] == len(seen) and len(page["items"]) <= 2, user
            listed += [s["id"] for s in page["items"]]
            offset += 2
        assert listed == seen, user  # in id order, each once, only what the reader sees
        planned = [s.id for s in service.list_shipments(uow, ShipmentStatus.PLANNED)]
        by_status = ok(client.get("/api/shipments", params={"status": "planned", "limit": 1000}))
        assert [s["id"] for s in by_status["items"]] == planned and by_status["total"] == len(
            planned
        )
    for wrong in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert client.get("/api/shipments", params=wrong).status_code == 422, wrong


def test_one_plans_lines_come_a_page_at_a_time_with_its_figures_whole(runtime: Runtime) -> None:
    plan_id, transport_ids = world(runtime)
    client = TestClient(create_app(runtime))
    for user in READERS:
        uow = as_reader(client, runtime, user)
        path = f"/api/plans/{plan_id}"
        if not reference.sees_plans(user):
            assert client.get(path).status_code == 404, user
        else:
            shown = every_page(client, path, PLAN_LISTS["plans"])
            view = plan_service.get_plan(plan_id, uow)
            assert shown["allocations"] == [snapshot(a) | marked(a) for a in view.allocations]
            assert shown["unmet"] == view.plan.unmet, user
            expected = {k: v for k, v in snapshot(view.plan).items() if k != "unmet"}
            assert {k: shown[k] for k in expected} == expected, user
            assert ("R-S" in {u["requirement"] for u in shown["unmet"]}) == (
                user.nation == "UKR" and user.clearance == SECRET
            ), user
        for transport_id in transport_ids:
            path = f"/api/transport-plans/{transport_id}"
            if not reference.sees_transfers(user):
                assert client.get(path).status_code == 404, user
                continue
            shown = every_page(client, path, PLAN_LISTS["transport-plans"])
            plan, _, shipments = transport_service.transport_plan_review(transport_id, uow)
            assert shown["shipments"] == [snapshot(s) | marked(s) for s in shipments], user
            assert (shown["changes"], shown["unplanned"]) == (plan.changes, plan.unplanned)
            expected = {
                k: v for k, v in snapshot(plan).items() if k not in ("changes", "unplanned")
            }
            assert {k: shown[k] for k in expected} == expected, user


def marked(record: Any) -> dict[str, str]:
    return {"marking": record.marking.banner}


@pytest.mark.parametrize("draft", [True, False], ids=["with a draft no one sees all of", "alone"])
def test_version_lists_are_summaries_read_without_the_lists(runtime: Runtime, draft: bool) -> None:
    """Alone, the accepted transport plan's movements are all seen by some readers (their
    changes counted by the database), in part by others; with the draft, by no one."""
    _, transport_ids = world(runtime, draft=draft)
    plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)  # a second version
    client = TestClient(create_app(runtime))
    for user in READERS:
        uow = as_reader(client, runtime, user)
        with hydrated(StoredPlan, TransportPlanRecord) as loaded, statements(runtime) as sent:
            listed = {kind: ok(client.get(f"/api/{kind}")) for kind in PLAN_LISTS}
        assert not loaded, user  # no plan record built
        for sql in sent:
            unrolled = re.sub(JSON_FUNCTIONS, "", sql)
            assert not re.search(PLAN_LIST_COLUMNS, unrolled), sql  # only unrolled or counted

        plans = plan_service.list_plans(uow)
        assert [p["id"] for p in listed["plans"]] == [p.id for p in plans], user
        for summary, plan in zip(listed["plans"], plans, strict=True):
            whole = snapshot(plan)
            assert summary == {
                **{k: v for k, v in whole.items() if k not in ("unmet", "notes")},
                "counts": {
                    "allocations": len(plan_service.get_plan(plan.id or 0, uow).allocations),
                    "unmet": len(plan.unmet),
                },
            }, user
        transports = transport_service.list_transport_plans(uow)
        assert [p["id"] for p in listed["transport-plans"]] == [p.id for p in transports], user
        assert {p.id for p in transports} == (
            set(transport_ids) if reference.sees_transfers(user) else set()
        )
        for summary, transport in zip(listed["transport-plans"], transports, strict=True):
            whole = snapshot(transport)
            _, _, shipments = transport_service.transport_plan_review(transport.id or 0, uow)
            whole["solver"] = dict(whole["solver"])
            warnings = whole["solver"].pop("warnings", [])
            assert summary == {
                **{k: v for k, v in whole.items() if k not in ("changes", "unplanned")},
                "counts": {
                    "shipments": len(shipments),
                    "changes": len(transport.changes),
                    "unplanned": len(transport.unplanned),
                    "warnings": len(warnings),
                },
            }, user
        if user.username == "ukr-logistics" and draft:  # sees part: the figures are their sums
            draft = next(p for p in listed["transport-plans"] if p["id"] == transport_ids[1])
            assert draft["counts"]["unplanned"] < 9 and draft["objective"]["cost"] is None


@pytest.mark.parametrize("kind", ["plans", "transport-plans"])
def test_a_plans_pages_take_the_lists_bounds(runtime: Runtime, kind: str) -> None:
    plan_id, transport_ids = world(runtime)
    client = TestClient(create_app(runtime))
    as_reader(client, runtime, READERS[0])
    path = f"/api/{kind}/{plan_id if kind == 'plans' else transport_ids[0]}"
    default = ok(client.get(path))
    assert (default["limit"], default["offset"]) == (50, 0)
    beyond = ok(client.get(path, params={"offset": 1000}))
    assert all(beyond[name] == [] for name in PLAN_LISTS[kind])
    assert beyond["counts"] == default["counts"]
    for wrong in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert client.get(path, params=wrong).status_code == 422, wrong
