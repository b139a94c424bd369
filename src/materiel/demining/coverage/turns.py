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

Small point lists are built with `math`; the first candidates of all turns of a cell
become lines in one numpy pass: a plan has thousands of turns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import LineString

ARC_POINTS = 8  # per quarter circle
_QUARTER = [(math.sin(t), math.cos(t)) for t in (i * math.pi / 2 / ARC_POINTS for i in range(9))]

Point = tuple[float, float]
Shape = NDArray[np.float64]  # (n, 2) points of one turn


@dataclass(frozen=True)
class Turn:
    """From `start` heading `heading` (+1: along +x) to `end` heading the other way;
    `reach` is the x the squared turn runs out to before swinging round."""

    start: Point
    heading: int
    end: Point
    reach: float

    @property
    def up(self) -> float:
        return 1.0 if self.end[1] >= self.start[1] else -1.0


class _Candidate(NamedTuple):
    """A path in the canonical frame: `body` alone (a loop), or from the origin to `body`
    run out by `run_out` along x and on to `end` (a squared turn)."""

    body: Shape
    k_turn: bool
    run_out: float = 0.0
    end: Point | None = None


def turn_paths(turn: Turn, radius: float) -> Iterator[tuple[LineString, bool]]:
    """Candidate paths of one turn, shortest first, each with whether it is a K-turn."""
    for candidate in _candidates(turn, radius):
        yield cast(LineString, _world([turn], *_stack([candidate]))[0]), candidate.k_turn


def first_paths(turns: list[Turn], radius: float) -> tuple[NDArray[np.object_], list[bool]]:
    """The first (shortest) candidate of every turn, all built in one vectorised pass."""
    firsts = [next(_candidates(turn, radius)) for turn in turns]
    return _world(turns, *_stack(firsts)), [c.k_turn for c in firsts]


def _candidates(turn: Turn, radius: float) -> Iterator[_Candidate]:
    """Candidates in the canonical frame: start at the origin heading +x, end above it
    heading -x."""
    sx, sy = turn.start
    dx = (turn.end[0] - sx) * turn.heading
    dy = (turn.end[1] - sy) * turn.up
    if radius > 0 and dy >= 2 * radius - 1e-9:
        yield _Candidate(np.array(_loop(dx, dy, radius)), False)
    x_turn = max(0.0, dx, (turn.reach - sx) * turn.heading)
    k_turn = dy < 2 * radius - 1e-9
    body = _k_turn(round(dy, 9), radius) if dy < 2 * radius else _round_turn(dy, radius)
    yield _Candidate(body, k_turn, x_turn, (dx, dy))


def _stack(candidates: list[_Candidate]) -> tuple[Shape, NDArray[np.int64]]:
    """The points of all candidates in one array, and how many each has; candidates that
    share a body (a plan has few turn shapes) are placed together."""
    counts = np.array([len(c.body) + (0 if c.end is None else 2) for c in candidates])
    first = np.cumsum(counts) - counts
    xy = np.zeros((int(counts.sum()), 2))  # a squared turn starts at the origin
    alike: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        alike[(id(c.body), c.end is None)].append(i)
    for members in alike.values():
        body, squared = candidates[members[0]].body, candidates[members[0]].end is not None
        at = first[members] + int(squared)
        rows = at[:, None] + np.arange(len(body))
        if not squared:
            xy[rows] = body[None]
            continue
        run_out = np.array([(candidates[i].run_out, 0.0) for i in members])
        xy[rows] = body[None] + run_out[:, None, :]
        xy[at + len(body)] = [candidates[i].end for i in members]
    return xy, counts


def _world(turns: list[Turn], xy: Shape, counts: NDArray[np.int64]) -> NDArray[np.object_]:
    """Each turn's canonical points mapped back to the world, repeated points dropped."""
    frames = np.array([(t.heading, t.up) for t in turns], dtype=float)
    origins = np.array([t.start for t in turns], dtype=float)
    xy = xy * np.repeat(frames, counts, axis=0) + np.repeat(origins, counts, axis=0)
    group = np.repeat(np.arange(len(turns)), counts)
    first = np.cumsum(counts) - counts
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.abs(np.diff(xy, axis=0)).max(axis=1) > 1e-9
    keep[first] = True
    for g in np.flatnonzero(np.add.reduceat(keep.astype(int), first) < 2):
        keep[first[g] : first[g] + counts[g]] = False  # a turn of one point: its two ends
        keep[[first[g], first[g] + counts[g] - 1]] = True
    return cast("NDArray[np.object_]", shapely.linestrings(xy[keep], indices=group[keep]))


@cache
def _round_turn(dy: float, r: float) -> Shape:
    """From (0, 0) heading +x to (0, dy) heading -x, dy >= 2r: two quarter arcs of radius
    r and the straight between them. Cached, as the K-turn."""
    first = [(r * s, r - r * c) for s, c in _QUARTER]
    second = [(r * c, dy - r + r * s) for s, c in _QUARTER]
    return np.array(first + second)


@cache
def _k_turn(dy: float, r: float) -> Shape:
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
    return np.array([*first, *middle[1:], *last[1:]])


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
