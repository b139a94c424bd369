"""The planner's shortcuts give what the plain computations they replace give.

Each speed-up (a union built without overlay, scores computed for all rows or
cells at once, turns built in one pass, a search that stops early) is checked
here against the straightforward version on random input.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from materiel.demining.coverage.cells import Cell, _best_tail, visit_order
from materiel.demining.coverage.cleared import _staircase, swath_unions
from materiel.demining.coverage.ordering import Way, _moves, ways
from materiel.demining.coverage.sweep import Segment
from materiel.demining.coverage.transits import Network, reach_costs
from materiel.demining.coverage.turns import Turn, first_paths, turn_paths

HALF = 1.25


@st.composite
def cells(draw: st.DrawFn, strict: bool = False) -> list[Segment]:
    """Consecutive rows (spacing up to the width), each overlapping the one before in x
    (`strict`: by a metre or more, and all swaths long enough to drive)."""
    spacing = draw(st.sampled_from([2.5, 2.4, 1.9] if strict else [2.5, 2.5 + 1e-12, 2.4]))
    margin = 1.0 if strict else 0.0
    segments: list[Segment] = []
    x0, x1 = 0.0, draw(st.floats(1.0, 30.0))
    for row in range(draw(st.integers(1, 12))):
        if segments:  # the next swath overlaps (or touches) the last one
            x0 = draw(st.floats(x0 - 5, x1 - margin))
            x1 = draw(st.floats(max(x0, segments[-1].x0) + margin, x0 + 30))
        segments.append(Segment(row=row, y=10 + row * spacing, x0=x0, x1=x1))
    if not strict and draw(st.booleans()):  # a swath too short to drive
        i = draw(st.integers(0, len(segments) - 1))
        s = segments[i]
        segments[i] = Segment(row=s.row, y=s.y, x0=s.x0, x1=s.x0 + 5e-4)
    return segments


def _union_of_boxes(segments: list[Segment]) -> shapely.Geometry:
    kept = [s for s in segments if s.x1 - s.x0 > 1e-3]
    return shapely.union_all([shapely.box(s.x0, s.y - HALF, s.x1, s.y + HALF) for s in kept])


@settings(max_examples=200, deadline=None)
@given(segments=cells(strict=True))
def test_the_cleared_ground_of_a_cell_is_one_polygon_built_without_overlay(
    segments: list[Segment],
) -> None:
    built = _staircase(segments, HALF)
    assert shapely.is_valid(built)
    assert shapely.symmetric_difference(built, _union_of_boxes(segments)).area < 1e-9


@settings(max_examples=200, deadline=None)
@given(segments=cells())
def test_the_cleared_ground_of_a_cell_is_the_union_of_its_swath_footprints(
    segments: list[Segment],
) -> None:
    expected = _union_of_boxes(segments)
    built = swath_unions(segments, HALF, 1e-3)
    assert all(shapely.is_valid(built))
    assert shapely.symmetric_difference(shapely.union_all(built), expected).area < 1e-9
    assert abs(sum(p.area for p in built) - expected.area) < 1e-9  # the pieces do not overlap


@given(
    here=st.none() | st.integers(-20, 0),
    count=st.integers(0, 7),
    skip=st.integers(1, 12),
)
def test_the_best_tail_is_the_first_best_permutation(
    here: int | None, count: int, skip: int
) -> None:
    best: tuple[tuple[int, int], tuple[int, ...]] | None = None
    for candidate in itertools.permutations(range(count)):
        path = candidate if here is None else (here, *candidate)
        jumps = [abs(b - a) for a, b in itertools.pairwise(path)]
        score = (sum(1 for j in jumps if j < skip), sum(jumps))
        if best is None or score < best[0]:
            best = (score, candidate)
    assert best is not None
    assert _best_tail(here, count, skip) == best[1]


@settings(max_examples=60, deadline=None)
@given(
    layout=st.lists(
        st.tuples(st.floats(0, 300), st.floats(0, 300), st.integers(1, 6), st.floats(3, 40)),
        min_size=2,
        max_size=9,
    ),
    seed=st.integers(0, 1000),
)
def test_moving_one_cell_is_scored_as_by_hand(
    layout: list[tuple[float, float, int, float]], seed: int
) -> None:
    sequence: list[Way] = []
    options: dict[int, list[Way]] = {}
    for x, y, rows, length in layout:
        cell = Cell([Segment(r, y + 2.5 * r, x, x + length) for r in range(rows)])
        options[id(cell)] = ways(cell, visit_order(rows, 1))
        sequence.append(options[id(cell)][seed % 4])
    here = (seed * 0.37, 5.0)
    scored = _moves(here, sequence, options, 1)
    for i in range(1, len(sequence)):
        delta, way, place = scored[i - 1]
        rest = sequence[:i] + sequence[i + 1 :]
        choices = options[id(sequence[i].cell)]
        best = min(
            (_total(here, [*rest[:k], w, *rest[k:]]), n, k)
            for n, w in enumerate(choices)
            for k in range(1, len(rest) + 1)
        )
        assert math.isclose(_total(here, [*rest[:place], choices[way], *rest[place:]]), best[0])
        assert math.isclose(delta, best[0] - _total(here, sequence), abs_tol=1e-6)


def _total(here: tuple[float, float], sequence: list[Way]) -> float:
    points = [here]
    total = 0.0
    for way in sequence:
        total += math.dist(points[-1], way.entry)
        points.append(way.exit)
    return total


@settings(max_examples=100, deadline=None)
@given(
    turns=st.lists(
        st.tuples(
            st.floats(-50, 50),
            st.floats(-50, 50),
            st.sampled_from([1, -1]),
            st.floats(-20, 20),
            st.floats(-15, 15),
            st.floats(0, 20),
        ),
        min_size=1,
        max_size=8,
    ),
    radius=st.sampled_from([0.0, 1.5, 3.0, 6.0]),
)
def test_turns_built_together_are_the_turns_built_one_by_one(
    turns: list[tuple[float, float, int, float, float, float]], radius: float
) -> None:
    asked = [
        Turn((x, y), heading, (x + dx, y + dy), x + heading * out)
        for x, y, heading, dx, dy, out in turns
    ]
    paths, k_turns = first_paths(asked, radius)
    for turn, path, k_turn in zip(asked, paths, k_turns, strict=True):
        alone, alone_k = next(turn_paths(turn, radius))
        assert shapely.equals_exact(path, alone, tolerance=0)
        assert k_turn == alone_k


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=2, max_size=40, unique=True
    ),
    links=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=80),
    targets=st.lists(st.tuples(st.integers(0, 39), st.floats(0, 30)), min_size=1, max_size=6),
)
def test_a_search_that_stops_early_finds_the_nearest_target(
    points: list[tuple[int, int]],
    links: list[tuple[int, int]],
    targets: list[tuple[int, float]],
) -> None:
    network = Network()
    nodes = [(float(x), float(y)) for x, y in points]
    chain = [[nodes[i], nodes[i + 1]] for i in range(len(nodes) - 1)]
    extra = [[nodes[a % len(nodes)], nodes[b % len(nodes)]] for a, b in links]
    network.add_segments(np.array(chain + extra, dtype=float).reshape(-1, 2, 2))
    rest = {nodes[i % len(nodes)]: past for i, past in targets}
    full = reach_costs(network, nodes[0])
    early = reach_costs(network, nodes[0], rest)
    best = min(full.get(v, math.inf) + past for v, past in rest.items())
    assert min(early.get(v, math.inf) + past for v, past in rest.items()) == best
    assert all(early[v] == full[v] for v in early)
