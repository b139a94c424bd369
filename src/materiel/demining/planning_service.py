"""Use cases of the demining planners: rank areas, task assets over weeks, plan coverage.

Each reads the records, hands plain data to a pure planner (`priority`,
`tasking`, `coverage`) and stores what it gives back, audited.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from materiel.core.errors import InvalidInput, NotFound
from materiel.demining import geo, io
from materiel.demining.coverage import Tool, plan_coverage, read_area, read_safe_lanes
from materiel.demining.model import (
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    ClearanceTask,
    CoveragePlanRecord,
    EvidenceKind,
    HazardArea,
    TaskingRun,
    check_asset,
    parse_base,
)
from materiel.demining.priority import AreaFacts, AreaScore, Weights, score_areas
from materiel.demining.specs import SPECS
from materiel.demining.store import DeminingStore, coverage_plans
from materiel.demining.tasking import (
    AreaSpec,
    AssetSpec,
    DateRange,
    Location,
    TaskingPlan,
    TaskingProblem,
    plan_tasking,
    what_if,
)
from materiel.demining.tasking_as_seen import run_as_seen
from materiel.platform.records import get_record
from materiel.platform.unit_of_work import UnitOfWork

WORKING = (AreaStatus.SUSPECTED, AreaStatus.CONFIRMED, AreaStatus.IN_CLEARANCE)


# --- ranking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    area: HazardArea
    score: AreaScore
    remaining_m2: float


def facts_of(area: HazardArea, cleared_m2: float = 0.0) -> AreaFacts:
    """What the priority score reads about an area, from its record."""
    count = {kind: sum(1 for e in area.evidence if e.kind is kind) for kind in EvidenceKind}
    return AreaFacts(
        id=area.id,
        area_m2=max(0.0, area.area_m2 - area.nogo_m2 - cleared_m2),
        land_use=area.land_use.value,
        people_affected=area.people_affected,
        accidents=count[EvidenceKind.ACCIDENT],
        devices_found=count[EvidenceKind.DEVICE],
        indicators=count[EvidenceKind.INDICATOR],
        confidence=area.confidence,
        status=area.status.value,
    )


def rank_areas(weights: Mapping[str, Any], uow: UnitOfWork) -> list[Ranked]:
    """Every area scored with these weights (defaults for those not given), best first."""
    chosen = Weights.from_mapping(weights)
    with uow:
        store = DeminingStore(uow.session)
        areas = {a.id: a for a in store.areas()}
        cleared = _cleared_m2(store, list(areas))
    facts = {a.id: facts_of(a, cleared.get(a.id, 0.0)) for a in areas.values()}
    scores = score_areas(facts.values(), chosen)
    return [Ranked(areas[s.area_id], s, facts[s.area_id].area_m2) for s in scores]


def _cleared_m2(store: DeminingStore, area_ids: list[str]) -> dict[str, float]:
    done: dict[str, float] = {}
    for area_id in area_ids:
        reports = store.progress(area_id)
        if reports:
            done[area_id] = geo.area_m2(geo.union([geo.loads(p.cleared) for p in reports]))
    return done


def parse_weights(pairs: list[str]) -> dict[str, float]:
    """`name=value` pairs from the command line or a form into weights."""
    weights: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError as exc:
            raise InvalidInput(f"weight '{pair}' is not name=number, e.g. people=3") from exc
        if not sep:
            raise InvalidInput(f"weight '{pair}' is not name=number, e.g. people=3")
    return weights


# --- tasking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskingRequest:
    start: date
    weeks: int = 4
    weights: Mapping[str, Any] | None = None
    what_if_add: str | None = None  # an item type (e.g. mv-4) to add one unit of
    what_if_remove: str | None = None  # a clearance asset id to take away
    time_limit_s: float = 10.0
    repeatable: bool = False  # the limit as solver work on one core: same input, same plan


def run_tasking(request: TaskingRequest, uow: UnitOfWork) -> TaskingRun:
    """Plan which machine works which area on which days over the weeks; store the run."""
    if not 1 <= request.weeks <= 26:
        raise InvalidInput("plan 1 to 26 weeks ahead")
    ranked = rank_areas(request.weights or {}, uow)
    with uow:
        assets = DeminingStore(uow.session).assets()
    usable, skipped = usable_assets(assets)
    problem = tasking_problem(request, ranked, usable, skipped)
    plan, compare = _solve(problem, request, usable)
    objective = {k: v for k, v in plan.to_json().items() if k not in ("tasks", "solver")}
    run = TaskingRun(
        start=request.start,
        weeks=request.weeks,
        created_by=uow.actor,
        weights=Weights.from_mapping(request.weights or {}).to_json(),
        objective={**objective, "assets_skipped": skipped},
        solver=plan.to_json()["solver"],
        what_if=[compare] if compare else [],
    )
    with uow:
        uow.session.add(run)
        uow.flush()
        assert run.id is not None
        for task in plan.tasks:
            week = (task.first_day - request.start).days // 7 + 1
            stored = ClearanceTask(
                run.id,
                task.area,
                task.asset,
                task.first_day,
                task.last_day,
                week,
                task.working_days,
                task.travel_hours,
                float(task.m2),
            )
            uow.session.add(stored)
        uow.audit("plan", "tasking_run", str(run.id), None, run)
        uow.commit()
    return run


def _solve(
    problem: TaskingProblem, request: TaskingRequest, assets: list[ClearanceAsset]
) -> tuple[TaskingPlan, dict[str, Any] | None]:
    if not (request.what_if_add or request.what_if_remove):
        return plan_tasking(problem, request.time_limit_s, repeatable=request.repeatable), None
    added = _extra_asset(request.what_if_add, problem, assets) if request.what_if_add else None
    result = what_if(
        problem, added, request.what_if_remove, request.time_limit_s, request.repeatable
    )
    summary = {k: v for k, v in result.to_json().items() if k not in ("before", "after")}
    return result.before, summary


def _extra_asset(
    item_type: str, problem: TaskingProblem, assets: list[ClearanceAsset]
) -> AssetSpec:
    spec = SPECS.get(item_type)
    if spec is None:
        raise InvalidInput(f"no machine figures for '{item_type}'; use one of: {', '.join(SPECS)}")
    base = problem.assets[0].base if problem.assets else Location.lonlat(37.26, 49.21)
    like = ClearanceAsset(
        f"what-if-{item_type}",
        spec.kind,
        f"one more {spec.name}",
        tool_width_m=spec.tool_width_m,
        turn_radius_m=spec.turn_radius_m,
        speed_kmh=spec.speed_kmh,
        work_rates=dict(spec.work_rates),
        line_spacing_m=spec.line_spacing_m,
        endurance_min=spec.endurance_min,
    )
    return replace_base(asset_spec(like, problem.start, problem.horizon_weeks), base)


def replace_base(spec: AssetSpec, base: Location) -> AssetSpec:
    return AssetSpec(
        spec.id, spec.kind, base, spec.rates, spec.speed_kmh, spec.available, spec.statuses
    )


def usable_assets(
    assets: list[ClearanceAsset],
) -> tuple[list[ClearanceAsset], list[dict[str, str]]]:
    """The assets the planner can use, and each one left out with the reason.

    A record stored before its figures were checked (a rate that is not a
    number, a base that is not lon,lat) is left out, saying why, rather than
    failing the whole run.
    """
    usable, skipped = [], []
    for asset in assets:
        try:
            check_asset(asset)
            if asset.kind is not AssetKind.DRONE and not _rates(asset):
                raise InvalidInput(f"asset {asset.id} has no work rate above 0 m2/h")
        except InvalidInput as exc:
            skipped.append({"asset": asset.id, "reason": f"{exc.message}; fix its record"})
            continue
        usable.append(asset)
    return usable, skipped


# The working week the tasking problem plans by default: Monday to Saturday, 10 h a day.
PLANNED_WEEK_HOURS = TaskingProblem.hours_per_day * len(TaskingProblem.working_weekdays)


def _rates(asset: ClearanceAsset) -> dict[str, float]:
    """m2 per planned working hour by terrain.

    The planner gives every asset the same working days and hours; an asset
    that works fewer hours a week (`hours_per_week`) clears proportionally
    less in each of them, so a week's m2 matches what it can really do.
    """
    share = min(1.0, max(0.0, asset.hours_per_week) / PLANNED_WEEK_HOURS)
    return {
        k: float(v) * share
        for k, v in asset.work_rates.items()
        if isinstance(v, int | float) and math.isfinite(v) and v > 0 and share > 0
    }


def tasking_problem(
    request: TaskingRequest,
    ranked: list[Ranked],
    assets: list[ClearanceAsset],
    skipped: list[dict[str, str]] | None = None,
) -> TaskingProblem:
    """Areas still holding work (by remaining m2 and score) and the machines and teams."""
    areas = tuple(
        AreaSpec(
            r.area.id,
            _centroid(r.area),
            r.remaining_m2,
            round(r.score.score, 6),
            terrain=r.area.land_use.value,
            status=r.area.status.value,
        )
        for r in ranked
        if r.area.status in WORKING and r.remaining_m2 > 0
    )
    centre = areas[0].location if areas else Location.lonlat(37.26, 49.21)
    specs = tuple(
        replace_base(asset_spec(a, request.start, request.weeks), _base(a) or centre)
        for a in assets
        if a.kind is not AssetKind.DRONE and a.available_in(request.start, _end(request))
    )
    if not specs:
        left_out = "; ".join(f"{s['asset']}: {s['reason']}" for s in skipped or [])
        raise InvalidInput(
            "no machine or team is available in these weeks: register assets first "
            "(materiel demining assets --from-pledges)"
            + (f". Left out: {left_out}" if left_out else "")
        )
    return TaskingProblem(request.start, areas, specs, horizon_weeks=request.weeks)


def _end(request: TaskingRequest) -> date:
    return request.start + timedelta(weeks=request.weeks)


def _centroid(area: HazardArea) -> Location:
    centre = geo.loads(area.geometry).centroid
    return Location.lonlat(centre.x, centre.y)


def _base(asset: ClearanceAsset) -> Location | None:
    """An asset's base as 'lon,lat' text, when it has one."""
    if not asset.base:
        return None
    lon, lat = parse_base(asset.base, f"asset {asset.id}")
    return Location.lonlat(lon, lat)


def asset_spec(asset: ClearanceAsset, start: date, weeks: int) -> AssetSpec:
    """What the tasking planner reads about an asset."""
    first = asset.available_from or start
    last = asset.available_to or start + timedelta(weeks=weeks)
    return AssetSpec(
        asset.id,
        asset.kind.value,
        Location.lonlat(37.26, 49.21),
        _rates(asset),
        speed_kmh=30.0,  # on roads between sites, on its transporter
        available=(DateRange(max(first, start), last),),
    )


def latest_tasking(uow: UnitOfWork) -> tuple[TaskingRun, list[ClearanceTask]] | None:
    with uow:
        store = DeminingStore(uow.session)
        run = store.latest_run()
        return (run_as_seen(uow, run), store.tasks(run.id)) if run and run.id else None


def tasking_view(run_id: int, uow: UnitOfWork) -> tuple[TaskingRun, list[ClearanceTask]]:
    with uow:
        run = uow.session.get(TaskingRun, run_id)
        if run is None:
            raise NotFound(f"tasking run {run_id} does not exist")
        return run_as_seen(uow, run), DeminingStore(uow.session).tasks(run_id)


def week_table(run: TaskingRun, tasks: list[ClearanceTask]) -> dict[str, dict[int, list[str]]]:
    """Asset x week: the areas each asset works in each week of the run."""
    table: dict[str, dict[int, list[str]]] = {}
    for task in tasks:
        row = table.setdefault(task.asset_id, {w: [] for w in range(1, run.weeks + 1)})
        for week in task.weeks(run.start):
            if week in row and task.area_id not in row[week]:
                row[week].append(task.area_id)
    return table


# --- coverage ----------------------------------------------------------------------------


def plan_task_coverage(task_id: int, uow: UnitOfWork) -> CoveragePlanRecord:
    """The coverage path of a task's asset over its area."""
    with uow:
        task = uow.session.get(ClearanceTask, task_id)
        if task is None:
            raise NotFound(f"task {task_id} does not exist")
        area_id, asset_id = task.area_id, task.asset_id
    return plan_area_coverage(area_id, asset_id, uow, task_id=task_id)


def plan_area_coverage(
    area_id: str,
    asset_id: str,
    uow: UnitOfWork,
    *,
    task_id: int | None = None,
    safe_lanes: list[Any] | None = None,
) -> CoveragePlanRecord:
    """Plan one asset's passes over one area (no-go ground kept out); store the plan."""
    with uow:
        area = get_record(uow, HazardArea, "hazard_area", area_id)
        asset = get_record(uow, ClearanceAsset, "clearance_asset", asset_id)
    if asset.kind is not AssetKind.MACHINE or not asset.tool_width_m:
        raise InvalidInput(f"asset {asset_id} is not a machine with a tool width")
    tool = Tool(
        width_m=asset.tool_width_m,
        turn_radius_m=asset.turn_radius_m or 0.0,
        speed_kmh=asset.speed_kmh or 1.0,
    )
    document = io.write_geojson([area])
    plan = plan_coverage(read_area(document), tool, safe_lanes or [])
    record = CoveragePlanRecord(
        area_id, asset_id, plan.to_geojson(), _plain(plan.summary), uow.actor, task_id
    )
    with uow:
        uow.session.add(record)
        uow.flush()
        uow.audit("plan", "coverage_plan", str(record.id), None, record)
        uow.commit()
    return record


def _plain(value: Any) -> dict[str, Any]:
    """A summary as JSON-ready data, whatever shape the planner gives it."""
    if hasattr(value, "to_json"):
        value = value.to_json()
    elif is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    result = json.loads(json.dumps(value, default=str))
    assert isinstance(result, dict)
    return result


def coverage_plan(plan_id: int, uow: UnitOfWork) -> CoveragePlanRecord:
    with uow:
        record = uow.session.get(CoveragePlanRecord, plan_id)
        if record is None:
            raise NotFound(f"coverage plan {plan_id} does not exist")
        return record


def read_lanes(document: Mapping[str, Any]) -> list[Any]:
    """Safe lanes (lines or polygons a machine may cross) from GeoJSON."""
    return list(read_safe_lanes(dict(document)))


COVERAGE_LISTED = ("id", "area_id", "asset_id", "task_id", "created_at", "summary")


def map_layer(uow: UnitOfWork) -> dict[str, Any]:
    """What the map draws: areas (coloured by status, no-go marked) and the newest coverage
    plan of each, as its summary: a path is hundreds of kilobytes, so the map fetches one
    (`/api/demining/coverage/{id}`) when it shows that area. Only the newest plans are read."""
    plans = coverage_plans.c
    newest = select(func.max(plans.id)).select_from(CoveragePlanRecord).group_by(plans.area_id)
    query = (  # from the mapped class: the access filter applies
        select(*(plans[name] for name in COVERAGE_LISTED))
        .select_from(CoveragePlanRecord)
        .where(plans.id.in_(newest))
        .order_by(plans.id)
    )
    with uow:
        areas = DeminingStore(uow.session).areas()
        coverage = [
            {**row._asdict(), "created_at": row.created_at.isoformat()}
            for row in uow.session.execute(query)
        ]
    return {"areas": io.write_geojson(areas), "coverage": coverage}
