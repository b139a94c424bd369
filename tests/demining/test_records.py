"""Hazard area, asset and progress records: life cycle rules, measures, storage."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from shapely.geometry import Polygon, mapping

from materiel.bootstrap import Runtime
from materiel.core.errors import Conflict, InvalidInput, StaleVersion
from materiel.demining import geo, service
from materiel.demining.model import (
    AreaKind,
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    EvidenceKind,
    HazardArea,
    LandUse,
    ReleaseMethod,
)
from materiel.platform.audit import history
from tests.demining.support import area_feature, polygons_with_holes


def actions(runtime: Runtime, area_id: str) -> list[str]:
    with runtime.uow() as uow:
        return [e.action for e in history(uow.session, "hazard_area", area_id)]


def make_area(status: AreaStatus = AreaStatus.SUSPECTED) -> HazardArea:
    return HazardArea("HA-1", "field", "{}", LandUse.FARMLAND, "Kharkiv", status=status)


def test_an_area_moves_suspected_confirmed_in_clearance_and_becomes_a_cha() -> None:
    area = make_area()
    area.change_status(AreaStatus.CONFIRMED)
    assert area.kind is AreaKind.CHA
    area.change_status(AreaStatus.IN_CLEARANCE)
    area.release(ReleaseMethod.CLEARED, date(2027, 5, 1))
    assert (area.status, area.release_method) == (AreaStatus.RELEASED, ReleaseMethod.CLEARED)


@pytest.mark.parametrize(
    ("status", "method"),
    [
        (AreaStatus.SUSPECTED, ReleaseMethod.CLEARED),
        (AreaStatus.SUSPECTED, ReleaseMethod.REDUCED),
        (AreaStatus.CONFIRMED, ReleaseMethod.CLEARED),
        (AreaStatus.IN_CLEARANCE, ReleaseMethod.CANCELLED),
    ],
)
def test_release_follows_imas_07_11(status: AreaStatus, method: ReleaseMethod) -> None:
    """Cancelled by non-technical survey, reduced by technical survey, cleared by clearance."""
    area = make_area(status)
    with pytest.raises(Conflict, match=method.value):
        area.release(method, date(2027, 5, 1))
    assert area.status is status


def test_a_released_area_is_final_and_release_needs_a_method() -> None:
    area = make_area()
    with pytest.raises(Conflict, match="say how"):
        area.change_status(AreaStatus.RELEASED)
    area.release(ReleaseMethod.CANCELLED, date(2027, 5, 1))
    with pytest.raises(Conflict, match="final"):
        area.change_status(AreaStatus.CONFIRMED)


def test_skipping_a_step_is_refused() -> None:
    with pytest.raises(Conflict, match="allowed next"):
        make_area().change_status(AreaStatus.IN_CLEARANCE)


def test_facts_are_checked() -> None:
    with pytest.raises(InvalidInput, match="confidence"):
        HazardArea("HA-1", "x", "{}", LandUse.FOREST, "Kharkiv", confidence=1.5)
    with pytest.raises(InvalidInput, match="people"):
        HazardArea("HA-1", "x", "{}", LandUse.FOREST, "Kharkiv", people_affected=-1)


def test_a_machine_needs_its_tool_and_a_drone_its_line_spacing() -> None:
    with pytest.raises(InvalidInput, match="tool_width_m"):
        ClearanceAsset("M1", AssetKind.MACHINE, "MV-4", turn_radius_m=3, speed_kmh=2)
    with pytest.raises(InvalidInput, match="line_spacing_m"):
        ClearanceAsset("D1", AssetKind.DRONE, "drone", speed_kmh=30, endurance_min=40)
    team = ClearanceAsset("T1", AssetKind.TEAM, "team", work_rates={"default": 50})
    assert team.rate_for("forest") == 50


@settings(max_examples=40, deadline=None)
@given(polygons_with_holes())
def test_area_excludes_holes_and_is_in_square_metres(polygon: object) -> None:
    """The measure is the shell's less its holes, in m2 whatever the latitude."""
    assert isinstance(polygon, Polygon)
    shell_only = Polygon(polygon.exterior)
    holes = sum(geo.area_m2(Polygon(ring)) for ring in polygon.interiors)
    measured = geo.area_m2(geo.polygonal(mapping(polygon)))
    assert measured == pytest.approx(geo.area_m2(shell_only) - holes, rel=1e-6, abs=0.5)
    assert 0 < measured <= geo.area_m2(shell_only)


def test_invalid_shapes_are_refused_with_a_reason() -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[37, 49], [37.01, 49.01], [37.01, 49], [37, 49.01], [37, 49]]],
    }
    with pytest.raises(geo.GeometryError, match="not a valid polygon"):
        geo.polygonal(bow_tie)
    projected = {
        "type": "Polygon",
        "coordinates": [
            [[400000, 5450000], [400100, 5450000], [400100, 5450100], [400000, 5450000]]
        ],
    }
    with pytest.raises(geo.GeometryError, match="WGS84"):
        geo.polygonal(projected)


def test_an_area_is_stored_with_its_evidence_and_measure(runtime: Runtime) -> None:
    created = service.create_area(area_feature(), runtime.uow("planner"))
    stored = service.get_area("HA-1", runtime.uow())
    assert stored.evidence == created.evidence
    assert stored.evidence[0].kind is EvidenceKind.ACCIDENT
    assert stored.evidence[0].on == date(2026, 5, 1)
    assert stored.area_m2 == pytest.approx(200 * 200 - 40 * 40, rel=0.01)
    assert actions(runtime, "HA-1") == ["create"]


def test_status_changes_are_versioned_and_audited(runtime: Runtime) -> None:
    service.create_area(area_feature(), runtime.uow("planner"))
    confirmed = service.change_status("HA-1", AreaStatus.CONFIRMED, 1, runtime.uow("planner"))
    assert (confirmed.version, confirmed.kind) == (2, AreaKind.CHA)
    with pytest.raises(StaleVersion):
        service.change_status("HA-1", AreaStatus.IN_CLEARANCE, 1, runtime.uow("planner"))
    with pytest.raises(Conflict, match="not cleared"):
        service.release_area(
            "HA-1", service.Release(ReleaseMethod.CLEARED, date(2027, 1, 1)), 2, runtime.uow()
        )
    assert actions(runtime, "HA-1") == ["create", "status"]


def test_a_duplicate_area_is_a_conflict(runtime: Runtime) -> None:
    service.create_area(area_feature(), runtime.uow())
    with pytest.raises(Conflict, match="already exists"):
        service.create_area(area_feature(), runtime.uow())
