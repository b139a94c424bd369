"""Coverage paths for one remote demining machine over one hazard area.

Public interface: `read_area`, `read_safe_lanes`, `plan_coverage`, `Tool`,
`CoverageArea`, `CoveragePlan` (its `to_geojson()` and `summary`).
"""

from .geojson import SafeLane, read_area, read_safe_lanes
from .model import CoverageArea, Figures, Summary, Tool
from .plan import CoveragePlan
from .planner import plan_coverage

__all__ = [
    "CoverageArea",
    "CoveragePlan",
    "Figures",
    "SafeLane",
    "Summary",
    "Tool",
    "plan_coverage",
    "read_area",
    "read_safe_lanes",
]
