"""Hazard areas in and out as GeoJSON and KML (WGS84), with holes and no-go polygons.

A GeoJSON FeatureCollection holds one Feature per hazard area (Polygon or
MultiPolygon; holes are inner rings) and any number of no-go Features with
`"nogo": true` and `"area": "<area id>"`. KML holds the same as Placemarks
with their properties in ExtendedData. Every problem found is reported with
the feature's index and the field, and the import is refused as a whole.
KML is parsed with defusedxml: no entity expansion, no external entities.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET  # writing only; reading goes through defusedxml

from defusedxml import ElementTree as SafeET
from shapely.geometry import MultiPolygon, Polygon, mapping

from materiel.core.errors import ImportRejected, InvalidInput, Problem
from materiel.core.markings import Marking, most_restrictive
from materiel.demining import geo
from materiel.demining.model import (
    AreaKind,
    AreaStatus,
    Evidence,
    EvidenceKind,
    HazardArea,
    LandUse,
    ReleaseMethod,
    check_record_id,
)
from materiel.demining.store import evidence_json

KML_NS = "http://www.opengis.net/kml/2.2"
REQUIRED = ("id", "land_use", "oblast")
TEXT_FIELDS = ("name", "raion", "hromada", "settlement", "organisation")


class FeatureError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class ParsedAreas:
    """Areas read from a file, their no-go polygons attached, ready to store."""

    areas: list[HazardArea] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --- building areas from properties (shared by both formats) -----------------------------


def area_from(props: dict[str, Any], geometry: Any) -> HazardArea:
    """One hazard area from a feature's properties and GeoJSON geometry."""
    for name in REQUIRED:
        if not str(props.get(name) or "").strip():
            raise FeatureError(name, f"'{name}' is required")
    try:
        polygon = geo.polygonal(geometry)
    except geo.GeometryError as exc:
        raise FeatureError("geometry", str(exc)) from exc
    polygon = geo.as_polygonal(geo.loads(geo.dumps(polygon)))  # measure what is stored
    status = _enum(AreaStatus, props, "status", AreaStatus.SUSPECTED)
    default_kind = AreaKind.SHA if status is AreaStatus.SUSPECTED else AreaKind.CHA
    marking = _marking(props)
    area = _build(props, polygon, status, _enum(AreaKind, props, "kind", default_kind), marking)
    area.release_method = _optional_enum(ReleaseMethod, props, "release_method")
    area.released_on = _date(props.get("released_on"), "released_on")
    if status is AreaStatus.RELEASED and area.release_method is None:
        raise FeatureError(
            "release_method", "a released area says how: cancelled, reduced or cleared"
        )
    return area


def _build(
    props: dict[str, Any],
    polygon: geo.Polygonal,
    status: AreaStatus,
    kind: AreaKind,
    marking: Marking,
) -> HazardArea:
    text = {name: str(props.get(name) or "").strip() for name in TEXT_FIELDS}
    for name, limit in TEXT_LIMITS.items():
        value = text.get(name, str(props.get(name) or ""))
        if len(value) > limit:
            raise FeatureError(
                name, f"'{name}' is {len(value):,} characters; at most {limit}: shorten it"
            )
    area_id = str(props["id"]).strip()
    try:
        check_record_id(area_id, "a hazard area")
    except InvalidInput as exc:
        raise FeatureError("id", exc.message) from exc
    try:
        return HazardArea(
            id=str(props["id"]).strip(),
            name=text["name"] or str(props["id"]).strip(),
            geometry=geo.dumps(polygon),
            land_use=_enum(LandUse, props, "land_use", None),
            oblast=str(props["oblast"]).strip(),
            raion=text["raion"],
            hromada=text["hromada"],
            settlement=text["settlement"],
            area_m2=geo.area_m2(polygon),
            kind=kind,
            status=status,
            people_affected=_number(props, "people_affected", 0, int),
            confidence=_number(props, "confidence", 0.5, float),
            evidence=_evidence(props.get("evidence")),
            organisation=text["organisation"],
            handed_over_to=str(props.get("handed_over_to") or ""),
            certificate=str(props.get("certificate") or ""),
            classification=marking.classification,
            releasable_to=marking.releasable_to,
        )
    except InvalidInput as exc:
        column = "confidence" if "confidence" in exc.message else "people_affected"
        raise FeatureError(column, exc.message) from exc


# The stored columns' widths: longer text would break the tables that list areas.
TEXT_LIMITS = {
    "name": 200,
    "oblast": 80,
    "raion": 80,
    "hromada": 80,
    "settlement": 120,
    "organisation": 200,
    "handed_over_to": 200,
    "certificate": 120,
}
MAX_EVIDENCE_TEXT = 2000


def attach_nogo(area: HazardArea, polygons: list[geo.Polygonal]) -> None:
    """Merge no-go polygons into the area's and measure the part inside it."""
    existing = [geo.loads(area.nogo)] if area.nogo else []
    merged = geo.as_polygonal(geo.union([*existing, *polygons]))
    area.nogo = geo.dumps(merged) if not merged.is_empty else ""
    stored = geo.loads(area.nogo)
    inside = stored.intersection(geo.loads(area.geometry)) if area.nogo else Polygon()
    area.nogo_m2 = geo.area_m2(inside)


def _enum(enum: Any, props: dict[str, Any], name: str, default: Any) -> Any:
    raw = props.get(name)
    if raw in (None, ""):
        if default is None:
            raise FeatureError(name, f"'{name}' is required")
        return default
    try:
        return enum(str(raw).strip().lower())
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum)
        raise FeatureError(name, f"'{raw}' is not one of: {allowed}") from exc


def _optional_enum(enum: Any, props: dict[str, Any], name: str) -> Any:
    return _enum(enum, props, name, None) if props.get(name) not in (None, "") else None


def _number(props: dict[str, Any], name: str, default: Any, kind: type) -> Any:
    raw = props.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(float(raw)) if kind is int else kind(raw)
    except (TypeError, ValueError) as exc:
        raise FeatureError(name, f"'{raw}' is not a number") from exc
    if kind is int and float(raw) != value:
        raise FeatureError(name, f"'{raw}' must be a whole number")
    return value


def _date(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError as exc:
        raise FeatureError(name, f"'{raw}' is not a date; write YYYY-MM-DD") from exc


def _marking(props: dict[str, Any]) -> Marking:
    rel = props.get("releasable_to")
    rel_text = "|".join(rel) if isinstance(rel, list) else (str(rel) if rel else None)
    try:
        return Marking.parse(props.get("classification"), rel_text)
    except InvalidInput as exc:
        raise FeatureError("classification", exc.message) from exc


def _evidence(raw: Any) -> tuple[Evidence, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise FeatureError("evidence", f"evidence is not a JSON list: {exc.msg}") from exc
    if not isinstance(raw, list):
        raise FeatureError("evidence", "evidence must be a list of {kind, description, ...}")
    found = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not str(item.get("description") or "").strip():
            raise FeatureError("evidence", f"evidence {number} needs a description")
        kind = _enum(EvidenceKind, item, "kind", None)
        description, source = str(item["description"]), str(item.get("source") or "")
        if len(description) > MAX_EVIDENCE_TEXT or len(source) > MAX_EVIDENCE_TEXT:
            raise FeatureError(
                "evidence",
                f"evidence {number}: description and source take at most "
                f"{MAX_EVIDENCE_TEXT} characters each",
            )
        lon = _degrees(item.get("lon"), 180, f"evidence {number}: lon")
        lat = _degrees(item.get("lat"), 90, f"evidence {number}: lat")
        on = _date(item.get("on"), "evidence.on")
        if on is not None and not EARLIEST_EVIDENCE <= on <= date.today():
            raise FeatureError(
                "evidence",
                f"evidence {number}: date {on.isoformat()} is outside "
                f"{EARLIEST_EVIDENCE.isoformat()} to today; check it",
            )
        found.append(Evidence(kind, description, on, lon, lat, source))
    return tuple(found)


# Evidence reaches back to the Second World War: its ordnance is still found.
EARLIEST_EVIDENCE = date(1939, 1, 1)


def _degrees(raw: Any, limit: float, what: str) -> float | None:
    """A longitude (limit 180) or latitude (limit 90) in WGS84 degrees, or None."""
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise FeatureError("evidence", f"{what} '{raw}' is not a number") from None
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise FeatureError(
            "evidence", f"{what} {raw} is not WGS84 degrees (-{limit:g} to {limit:g})"
        )
    return value


# --- GeoJSON ---------------------------------------------------------------------------


def read_geojson(text: str | bytes, file: str = "areas.geojson") -> list[HazardArea]:
    """Hazard areas from a GeoJSON FeatureCollection; ImportRejected lists every problem."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportRejected(
            f"{file} is not JSON: {exc}", [Problem(f"not JSON: {exc}", file)]
        ) from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        raise ImportRejected(
            f"{file} is not a GeoJSON FeatureCollection",
            [Problem("expected {'type': 'FeatureCollection', 'features': [...]}", file)],
        )
    return _collect(
        [
            (f.get("properties") or {}, f.get("geometry")) if isinstance(f, dict) else ({}, None)
            for f in features
        ],
        file,
    )


def _collect(features: list[tuple[dict[str, Any], Any]], file: str) -> list[HazardArea]:
    parsed = ParsedAreas()
    by_id: dict[str, HazardArea] = {}
    nogo: list[tuple[int, dict[str, Any], Any]] = []
    for index, (props, geometry) in enumerate(features):
        if props.get("nogo") in (True, "true", "1", 1):
            nogo.append((index, props, geometry))
            continue
        try:
            area = area_from(props, geometry)
        except FeatureError as exc:
            parsed.problems.append(Problem(exc.message, file, index, exc.column))
            continue
        if area.id in by_id:
            parsed.problems.append(Problem(f"id '{area.id}' appears twice", file, index, "id"))
            continue
        by_id[area.id] = area
    _attach_all(nogo, by_id, parsed, file)
    if parsed.problems:
        raise ImportRejected(
            f"{file}: {len(parsed.problems)} problem(s); nothing was imported. "
            "Fix the features listed (row = feature index from 0) and import again",
            parsed.problems,
        )
    return list(by_id.values())


def _attach_all(
    nogo: list[tuple[int, dict[str, Any], Any]],
    by_id: dict[str, HazardArea],
    parsed: ParsedAreas,
    file: str,
) -> None:
    pending: dict[str, list[geo.Polygonal]] = {}
    for index, props, geometry in nogo:
        target = str(props.get("area") or "").strip()
        if target not in by_id:
            message = f"no-go feature names area '{target}', which is not in this file"
            parsed.problems.append(Problem(message, file, index, "area"))
            continue
        try:
            pending.setdefault(target, []).append(geo.polygonal(geometry, "no-go geometry"))
        except geo.GeometryError as exc:
            parsed.problems.append(Problem(str(exc), file, index, "geometry"))
    for area_id, polygons in pending.items():
        attach_nogo(by_id[area_id], polygons)


def area_properties(area: HazardArea) -> dict[str, Any]:
    """The documented properties of an area feature (what `read_geojson` reads back)."""
    return {
        "id": area.id,
        "name": area.name,
        "kind": area.kind.value,
        "status": area.status.value,
        "land_use": area.land_use.value,
        "oblast": area.oblast,
        "raion": area.raion,
        "hromada": area.hromada,
        "settlement": area.settlement,
        "people_affected": area.people_affected,
        "confidence": area.confidence,
        "organisation": area.organisation,
        "area_m2": area.area_m2,
        "nogo_m2": area.nogo_m2,
        "release_method": area.release_method.value if area.release_method else None,
        "released_on": area.released_on.isoformat() if area.released_on else None,
        "handed_over_to": area.handed_over_to,
        "certificate": area.certificate,
        "evidence": [evidence_json(e) for e in area.evidence],
        "classification": area.classification.label,
        "releasable_to": list(area.releasable_to),
    }


def write_geojson(areas: list[HazardArea]) -> dict[str, Any]:
    """A FeatureCollection of the areas and their no-go polygons, with its marking."""
    features: list[dict[str, Any]] = []
    for area in areas:
        features.append(
            {
                "type": "Feature",
                "id": area.id,
                "properties": area_properties(area),
                "geometry": json.loads(area.geometry),
            }
        )
        if area.nogo:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"nogo": True, "area": area.id},
                    "geometry": json.loads(area.nogo),
                }
            )
    marking = most_restrictive([a.marking for a in areas])
    return {"type": "FeatureCollection", "marking": marking.banner, "features": features}


# --- KML -------------------------------------------------------------------------------


def write_kml(areas: list[HazardArea]) -> str:
    """KML 2.2: a Placemark per area and per no-go polygon, properties in ExtendedData."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = ET.SubElement(root, f"{{{KML_NS}}}Document")
    marking = most_restrictive([a.marking for a in areas])
    ET.SubElement(doc, f"{{{KML_NS}}}name").text = f"Hazard areas ({marking.banner})"
    ET.SubElement(doc, f"{{{KML_NS}}}description").text = marking.banner
    for area in areas:
        props = area_properties(area)
        props["evidence"] = json.dumps(props["evidence"])
        props["releasable_to"] = "|".join(area.releasable_to)
        _placemark(doc, area.name, props, geo.loads(area.geometry))
        if area.nogo:
            nogo_props = {"nogo": "true", "area": area.id}
            _placemark(doc, f"{area.name} (no-go)", nogo_props, geo.loads(area.nogo))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _placemark(doc: ET.Element, name: str, props: dict[str, Any], geom: Any) -> None:
    mark = ET.SubElement(doc, f"{{{KML_NS}}}Placemark")
    ET.SubElement(mark, f"{{{KML_NS}}}name").text = name
    data = ET.SubElement(mark, f"{{{KML_NS}}}ExtendedData")
    for key, value in props.items():
        if value is None:
            continue
        item = ET.SubElement(data, f"{{{KML_NS}}}Data", name=key)
        ET.SubElement(item, f"{{{KML_NS}}}value").text = str(value)
    polygons = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    parent = mark if len(polygons) == 1 else ET.SubElement(mark, f"{{{KML_NS}}}MultiGeometry")
    for polygon in polygons:
        _kml_polygon(parent, polygon)


def _kml_polygon(parent: ET.Element, polygon: Polygon) -> None:
    element = ET.SubElement(parent, f"{{{KML_NS}}}Polygon")
    rings = [("outerBoundaryIs", polygon.exterior)] + [
        ("innerBoundaryIs", ring) for ring in polygon.interiors
    ]
    for tag, ring in rings:
        boundary = ET.SubElement(element, f"{{{KML_NS}}}{tag}")
        linear = ET.SubElement(boundary, f"{{{KML_NS}}}LinearRing")
        coords = " ".join(f"{x:.7f},{y:.7f}" for x, y in ring.coords)
        ET.SubElement(linear, f"{{{KML_NS}}}coordinates").text = coords


def read_kml(text: str | bytes, file: str = "areas.kml") -> list[HazardArea]:
    """Hazard areas from KML Placemarks (Polygon or MultiGeometry of Polygons)."""
    try:
        root = SafeET.fromstring(text)
    except Exception as exc:  # defusedxml raises ParseError or its own refusals
        raise ImportRejected(
            f"{file} is not KML we can read safely: {exc}", [Problem(str(exc), file)]
        ) from exc
    features: list[tuple[dict[str, Any], Any]] = []
    for placemark in root.iter(f"{{{KML_NS}}}Placemark"):
        features.append(_placemark_feature(placemark))
    if not features:
        raise ImportRejected(
            f"{file} has no Placemark", [Problem("no KML 2.2 Placemark found", file)]
        )
    return _collect(features, file)


def _placemark_feature(placemark: Any) -> tuple[dict[str, Any], Any]:
    props: dict[str, Any] = {}
    for data in placemark.iter(f"{{{KML_NS}}}Data"):
        value = data.find(f"{{{KML_NS}}}value")
        props[data.get("name", "")] = value.text if value is not None else None
    name = placemark.find(f"{{{KML_NS}}}name")
    if not props.get("name") and name is not None and name.text:
        props["name"] = name.text
    polygons = []
    for element in placemark.iter(f"{{{KML_NS}}}Polygon"):
        polygon = _polygon_from_kml(element)
        if polygon is None:
            return props, {"type": "Polygon", "coordinates": "unreadable"}
        polygons.append(polygon)
    if not polygons:
        return props, None
    geom = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    return props, dict(mapping(geom))  # as drawn: the validator names any problem


def _polygon_from_kml(element: Any) -> Polygon | None:
    def ring(boundary: Any) -> list[tuple[float, float]] | None:
        coords = boundary.find(f".//{{{KML_NS}}}coordinates")
        if coords is None or not coords.text:
            return None
        try:
            points = [tuple(float(v) for v in c.split(",")[:2]) for c in coords.text.split()]
        except ValueError:
            return None
        return [(p[0], p[1]) for p in points]

    outer_el = element.find(f"{{{KML_NS}}}outerBoundaryIs")
    outer = ring(outer_el) if outer_el is not None else None
    if outer is None or len(outer) < 3:
        return None
    holes = [ring(b) for b in element.findall(f"{{{KML_NS}}}innerBoundaryIs")]
    if any(h is None for h in holes):
        return None
    return Polygon(outer, [h for h in holes if h])
