"""Turns between swath ends that respect the turning radius.

A turn leaves one swath's end heading along the swath and comes back into
the next swath heading the other way. Candidates, shortest first:

- a Dubins loop (arc, tangent straight, arc, all turning the same way) when
  the swaths are at least two radii apart; it hugs an oblique boundary;
- a squared U-turn that first runs out past the farthest swath end in
  between (so it stays on headland ground cleared before);
- when the swaths are closer than two radii, the squared turn becomes a
  K-turn (three points): forward left arc, back up on a right arc, forward
  left arc, all of radius r (half a circle in all).

Small point lists are built with `math`, then one numpy array per turn: a plan has
thousands of turns.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import cache
from typing import cast

import numpy as np
import shapely
from shapely import LineString

ARC_POINTS = 8  # per quarter circle
_QUARTER = [(math.sin(t), math.cos(t)) for t in (i * math.pi / 2 / ARC_POINTS for i in range(9))]

Point = tuple[float, float]


def turn_paths(
    start: Point, heading: int, end: Point, reach: float, radius: float
) -> Iterator[tuple[LineString, bool]]:
    """Candidate paths from `start` (heading +1: along +x) to `end` heading the other way.

    `reach` is the x the squared turn runs out to before swinging round.
    Each candidate comes with whether it is a K-turn; shortest candidates first.
    """
    sx, sy = start
    up = 1.0 if end[1] >= sy else -1.0
    # canonical frame: start at the origin heading +x, end above it heading -x
    dx = (end[0] - sx) * heading
    dy = (end[1] - sy) * up

    def world(points: list[Point]) -> LineString:
        xy = np.asarray(points) * (heading, up) + (sx, sy)
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.abs(np.diff(xy, axis=0)).max(axis=1) > 1e-9
        kept = xy[keep] if keep.sum() >= 2 else xy[[0, -1]]
        return cast(LineString, shapely.linestrings(kept))

    if radius > 0 and dy >= 2 * radius - 1e-9:
        yield world(_loop(dx, dy, radius)), False
    x_turn = max(0.0, dx, (reach - sx) * heading)
    yield world(_squared(dx, dy, x_turn, radius)), dy < 2 * radius - 1e-9


def _squared(dx: float, dy: float, x_turn: float, r: float) -> list[Point]:
    """Out to x_turn, the turn round (two quarter arcs and a straight, or a K-turn when
    dy < 2r), in to dx."""
    if dy < 2 * r:
        shape = [(x_turn + x, y) for x, y in _k_turn(round(dy, 9), r)]
        return [(0.0, 0.0), *shape, (dx, dy)]
    first = [(x_turn + r * s, r - r * c) for s, c in _QUARTER]
    second = [(x_turn + r * c, dy - r + r * s) for s, c in _QUARTER]
    return [(0.0, 0.0), *first, *second, (dx, dy)]


@cache
def _k_turn(dy: float, r: float) -> tuple[Point, ...]:
    """From (0, 0) heading +x to (0, dy) heading -x, dy < 2r, in three arcs of radius r:
    forward left by a, back with the wheels right by pi - 2a, forward left by a.

    The heading turns the same way on all three, so the arcs add up to half a circle
    (pi * r, the least any turn round needs); cos a = (2r - dy) / 4r puts the end dy
    across. The path stays between the two rows, at most r past the start. Cached: the
    rows of a cell are evenly spaced, so a plan has few shapes.
    """
    a = math.acos((2 * r - dy) / (4 * r))
    first = _pose_arc((0.0, r), r, 0.0, a, left=True)
    px, py = first[-1]
    middle = _pose_arc((px + r * math.sin(a), py - r * math.cos(a)), r, a, math.pi - a, left=False)
    qx, qy = middle[-1]
    last = _pose_arc(
        (qx - r * math.sin(math.pi - a), qy + r * math.cos(math.pi - a)),
        r,
        math.pi - a,
        math.pi,
        left=True,
    )
    return (*first, *middle[1:], *last[1:])


def _pose_arc(centre: Point, r: float, start: float, end: float, *, left: bool) -> list[Point]:
    """Points of the machine on a circle while its heading goes from `start` to `end`:
    on the left circle driving forward, or on the right circle backing up."""
    steps = max(1, math.ceil(abs(end - start) / (math.pi / 2) * ARC_POINTS))
    cx, cy = centre
    side = 1.0 if left else -1.0
    return [
        (
            cx + side * r * math.sin(start + (end - start) * i / steps),
            cy - side * r * math.cos(start + (end - start) * i / steps),
        )
        for i in range(steps + 1)
    ]


def _loop(dx: float, dy: float, r: float) -> list[Point]:
    """Left arc, tangent straight, left arc (Dubins LSL) to (dx, dy) heading -x."""
    gx, gy = dx, dy - 2 * r  # from the first turning centre (0, r) to the second (dx, dy - r)
    length = math.hypot(gx, gy)
    ux, uy = (gx / length, gy / length) if length > 1e-9 else (0.0, 1.0)
    a1 = math.atan2(-ux, uy)  # the outer (right-hand) normal of the straight
    first = _arc((0.0, r), r, -math.pi / 2, a1)
    second = _arc((dx, dy - r), r, a1, math.pi / 2)
    return first + second


def _arc(centre: Point, r: float, start: float, end: float) -> list[Point]:
    """Counter-clockwise arc from angle `start` to `end`."""
    sweep = (end - start) % (2 * math.pi)
    steps = max(1, math.ceil(sweep / (math.pi / 2) * ARC_POINTS))
    cx, cy = centre
    return [
        (cx + r * math.cos(start + sweep * i / steps), cy + r * math.sin(start + sweep * i / steps))
        for i in range(steps + 1)
    ]
