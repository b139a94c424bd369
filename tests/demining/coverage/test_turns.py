"""Turns between swaths keep the machine's turning radius, K-turns included."""

from __future__ import annotations

import math

import numpy as np
import shapely

from materiel.demining.coverage import Tool

from .test_leftover import plan_of
from .test_rules import X0, Y0, star

CUSP_DEG = 150.0
"""A change of direction sharper than this is a cusp (backing up), not a bend."""


def tightest_bend(line: shapely.LineString) -> float:
    """Smallest radius of the bends of a polyline (turning angle over the mean segment length)."""
    xy = shapely.get_coordinates(line)
    steps = np.diff(xy, axis=0)
    lengths = np.hypot(*steps.T)
    steps, lengths = steps[lengths > 1e-3], lengths[lengths > 1e-3]
    radii = [math.inf]
    for (a, la), (b, lb) in zip(
        zip(steps[:-1], lengths[:-1], strict=True),
        zip(steps[1:], lengths[1:], strict=True),
        strict=True,
    ):
        cos = float(np.clip(a @ b / (la * lb), -1.0, 1.0))
        angle = math.acos(cos)
        if angle > 1e-3 and math.degrees(angle) < CUSP_DEG:
            radii.append(min(la, lb) / (2 * math.sin(angle / 2)))
    return min(radii)


def test_turns_bend_no_tighter_than_the_turning_radius() -> None:
    # a star with oblique edges: many cells end at a slant, where K-turns are shortest
    area = star(X0, Y0, 70, [1, 0.8, 0.9, 1, 0.7, 0.95], 0.2)
    radius = 3.0
    document, published = plan_of(area, Tool(width_m=2.5, turn_radius_m=radius))
    turns = [line for kind, line in published.steps if kind == "turn"]
    assert document["figures"]["k_turns"] > 0
    assert turns
    tightest = min(tightest_bend(line) for line in turns)
    assert tightest >= radius * 0.95  # coordinates rounded to 1 mm on 0.6 m arc chords
