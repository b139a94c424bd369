"""GeoJSON and KML of hazard areas: round trips, holes and no-go kept, located errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from shapely.geometry import Polygon, mapping, shape

from materiel.bootstrap import Runtime
from materiel.core.errors import ImportRejected
from materiel.demining import geo, io, service
from materiel.demining.model import HazardArea
from tests.demining.support import area_feature, collection, nogo_feature, polygons_with_holes

TWO_AREAS = collection(
    area_feature("HA-1"),
    nogo_feature("HA-1"),
    area_feature("HA-2", at=(37.30, 49.25), land_use="forest", status="confirmed"),
)


def comparable(area: HazardArea) -> dict[str, object]:
    facts = io.area_properties(area)
    return {**facts, "geometry": shape(json.loads(area.geometry)).normalize().wkt}


def test_geojson_round_trip_keeps_every_documented_field() -> None:
    areas = io.read_geojson(json.dumps(TWO_AREAS))
    again = io.read_geojson(json.dumps(io.write_geojson(areas)))
    assert [comparable(a) for a in again] == [comparable(a) for a in areas]
    assert [len(shape(json.loads(a.geometry)).interiors) for a in again] == [1, 1]
    assert again[0].nogo and again[0].nogo_m2 == pytest.approx(20 * 200, rel=0.02)


def test_kml_round_trip_keeps_holes_nogo_and_facts() -> None:
    areas = io.read_geojson(json.dumps(TWO_AREAS))
    kml = io.write_kml(areas)
    assert "innerBoundaryIs" in kml and "NATO UNCLASSIFIED" in kml
    again = io.read_kml(kml)
    assert [comparable(a) for a in again] == [comparable(a) for a in areas]
    assert again[0].nogo_m2 == pytest.approx(areas[0].nogo_m2)


@settings(max_examples=25, deadline=None)
@given(polygons_with_holes())
def test_any_polygon_with_holes_survives_both_formats(polygon: Polygon) -> None:
    feature = {**area_feature("HA-P"), "geometry": mapping(polygon)}
    (area,) = io.read_geojson(json.dumps(collection(feature)))
    (from_geojson,) = io.read_geojson(json.dumps(io.write_geojson([area])))
    (from_kml,) = io.read_kml(io.write_kml([area]))
    stored = geo.loads(area.geometry)
    # Stored coordinates are rounded to 1e-7 degrees (about 1 cm), nothing else changes.
    moved_m2 = geo.area_m2(geo.as_polygonal(stored.symmetric_difference(polygon)))
    assert moved_m2 <= 0.02 * geo.to_metres(polygon)[0].length
    for copy in (from_geojson, from_kml):
        got = geo.loads(copy.geometry)
        assert len(got.interiors) == len(polygon.interiors)
        assert got.normalize().equals_exact(stored.normalize(), 1e-9)
        assert copy.area_m2 == area.area_m2


def test_every_bad_feature_is_reported_with_its_index_and_field() -> None:
    bad = collection(
        area_feature("HA-1"),
        area_feature("HA-2", land_use="desert"),
        {**area_feature("HA-3"), "geometry": {"type": "Point", "coordinates": [37, 49]}},
        area_feature("HA-4", confidence="high-ish"),
        area_feature("HA-1"),
        {"type": "Feature", "properties": {"nogo": True, "area": "HA-9"}, "geometry": None},
        area_feature("HA-5", oblast=""),
    )
    with pytest.raises(ImportRejected) as caught:
        io.read_geojson(json.dumps(bad), "bad.geojson")
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [
        (1, "land_use"),
        (2, "geometry"),
        (3, "confidence"),
        (4, "id"),
        (6, "oblast"),
        (5, "area"),
    ]
    assert "farmland" in caught.value.problems[0].message  # says what would be accepted
    assert all(p.file == "bad.geojson" for p in caught.value.problems)


def test_not_geojson_and_not_kml_are_refused_plainly() -> None:
    with pytest.raises(ImportRejected, match="not JSON"):
        io.read_geojson("{nope")
    with pytest.raises(ImportRejected, match="FeatureCollection"):
        io.read_geojson(json.dumps({"type": "Polygon"}))
    with pytest.raises(ImportRejected, match="Placemark"):
        io.read_kml('<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>')


def test_kml_with_entities_is_refused_without_expanding_them() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&b;</name></Document></kml>'
    )
    with pytest.raises(ImportRejected, match="safely"):
        io.read_kml(bomb)


def test_importing_twice_changes_nothing_and_a_change_is_an_update(runtime: Runtime) -> None:
    text = json.dumps(TWO_AREAS)
    first = service.import_areas(text, "a.geojson", "geojson", runtime.uow())
    second = service.import_areas(text, "a.geojson", "geojson", runtime.uow())
    assert (first.created, second.unchanged) == (["HA-1", "HA-2"], ["HA-1", "HA-2"])
    changed = collection(area_feature("HA-1", people_affected=999), nogo_feature("HA-1"))
    third = service.import_areas(json.dumps(changed), "b.geojson", "geojson", runtime.uow())
    assert third.updated == ["HA-1"]
    stored = service.get_area("HA-1", runtime.uow())
    assert (stored.people_affected, stored.version) == (999, 2)


def test_a_rejected_import_stores_nothing(runtime: Runtime) -> None:
    bad = collection(area_feature("HA-1"), area_feature("HA-2", land_use="moon"))
    with pytest.raises(ImportRejected):
        service.import_areas(json.dumps(bad), "bad.geojson", "geojson", runtime.uow())
    assert service.list_areas(runtime.uow()) == []


def test_export_from_the_database_reads_back_the_same(runtime: Runtime) -> None:
    service.import_areas(json.dumps(TWO_AREAS), "a.geojson", "geojson", runtime.uow())
    for fmt in ("geojson", "kml"):
        text = service.export_areas(fmt, runtime.uow())  # type: ignore[arg-type]
        again = service.read_areas(text, f"out.{fmt}", fmt)  # type: ignore[arg-type]
        stored = service.list_areas(runtime.uow())
        assert [comparable(a) for a in again] == [comparable(a) for a in stored]
