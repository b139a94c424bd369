"""What a donated remote clearance machine can do, by catalogue item type.

Tool widths, depths, speeds and turning radii are rounded from the makers'
public data sheets; work rates (m2 per hour by land use) are synthetic but
of the order operators report. A pledged unit of one of these item types
becomes a `ClearanceAsset` with these figures; staff adjust them per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from materiel.demining.model import AssetKind


@dataclass(frozen=True)
class MachineSpec:
    kind: AssetKind
    name: str
    tool_width_m: float | None = None
    turn_radius_m: float | None = None
    speed_kmh: float | None = None
    clearance_depth_cm: float | None = None
    work_rates: dict[str, float] = field(default_factory=dict)
    line_spacing_m: float | None = None
    endurance_min: float | None = None


SPECS: dict[str, MachineSpec] = {
    # DOK-ING MV-4: light flail, about 1.7 m working width, up to 20 cm depth.
    "mv-4": MachineSpec(
        AssetKind.MACHINE,
        "DOK-ING MV-4",
        tool_width_m=1.7,
        turn_radius_m=3.0,
        speed_kmh=2.0,
        clearance_depth_cm=20,
        work_rates={"default": 900.0, "farmland": 1100.0, "forest": 350.0, "residential": 600.0},
    ),
    # Božena 5: medium flail, about 2.8 m working width, up to 30 cm depth.
    "bozena-5": MachineSpec(
        AssetKind.MACHINE,
        "Božena 5",
        tool_width_m=2.8,
        turn_radius_m=4.5,
        speed_kmh=1.5,
        clearance_depth_cm=30,
        work_rates={"default": 1500.0, "farmland": 1800.0, "forest": 500.0, "residential": 900.0},
    ),
    # GCS-200: a tiller on a remote-controlled carrier, about 2.2 m wide, deep work.
    "gcs-200": MachineSpec(
        AssetKind.MACHINE,
        "GCS-200",
        tool_width_m=2.2,
        turn_radius_m=4.0,
        speed_kmh=1.2,
        clearance_depth_cm=40,
        work_rates={"default": 1000.0, "farmland": 1300.0, "forest": 300.0, "residential": 700.0},
    ),
}
