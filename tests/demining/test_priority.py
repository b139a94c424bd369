"""The priority score: parts that add up, weights that matter, refusals, stable ranking."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from materiel.core.errors import InvalidInput
from materiel.demining.priority import CRITERIA, AreaFacts, Weights, score_areas

MINEFIELD = AreaFacts("RISK", 20_000, "forest", people_affected=10, accidents=3, confidence=0.9)
VILLAGE = AreaFacts("VILLAGE", 20_000, "residential", people_affected=3000, indicators=1)

facts = st.builds(
    AreaFacts,
    id=st.text("ABCDEFGH", min_size=1, max_size=4),
    area_m2=st.floats(0, 1e6),
    land_use=st.sets(st.sampled_from(["farmland", "infrastructure", "residential", "forest"])),
    people_affected=st.integers(0, 10_000),
    accidents=st.integers(0, 10),
    devices_found=st.integers(0, 50),
    indicators=st.integers(0, 50),
    confidence=st.one_of(st.floats(0, 1), st.sampled_from(["low", "medium", "high"])),
    status=st.sampled_from(["suspected", "confirmed", "in-clearance"]),
    distance_to_infrastructure_km=st.one_of(st.none(), st.floats(0, 20)),
)
weights = st.builds(Weights, *(st.floats(0, 10) for _ in CRITERIA))


def test_weights_change_the_order() -> None:
    by_default = [s.area_id for s in score_areas([VILLAGE, MINEFIELD])]
    people_first = Weights.from_mapping({"people": 10, "casualty_risk": 1})
    assert by_default == ["RISK", "VILLAGE"]
    assert [s.area_id for s in score_areas([VILLAGE, MINEFIELD], people_first)] == [
        "VILLAGE",
        "RISK",
    ]


@settings(max_examples=200, deadline=None)
@given(facts, weights)
def test_parts_add_up_to_the_score(area: AreaFacts, w: Weights) -> None:
    (scored,) = score_areas([area], w)
    assert set(scored.parts) == set(CRITERIA)
    assert math.isclose(scored.score, sum(p.contribution for p in scored.parts.values()))
    for name, part in scored.parts.items():
        assert 0 <= part.normalised <= 1
        assert part.weight == w.of(name)
        assert math.isclose(part.contribution, part.normalised * part.weight)
    assert len(scored.reasons) == len(CRITERIA)


@settings(max_examples=100, deadline=None)
@given(st.lists(facts, min_size=1, max_size=6, unique_by=lambda f: f.id), facts)
def test_a_score_does_not_move_when_another_area_is_added(
    areas: list[AreaFacts], other: AreaFacts
) -> None:
    other = AreaFacts(**{**other.__dict__, "id": "OTHER"})
    alone = {s.area_id: s.score for s in score_areas(areas)}
    together = {s.area_id: s.score for s in score_areas([*areas, other])}
    assert all(together[k] == v for k, v in alone.items())


@settings(max_examples=100, deadline=None)
@given(st.lists(facts, min_size=1, max_size=8, unique_by=lambda f: f.id), st.randoms())
def test_the_ranking_does_not_depend_on_input_order(areas: list[AreaFacts], rnd: object) -> None:
    shuffled = list(areas)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    first = score_areas(areas)
    assert [s.area_id for s in first] == [s.area_id for s in score_areas(shuffled)]
    assert [s.rank for s in first] == list(range(1, len(areas) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(first))


def test_ties_go_to_higher_casualty_risk_then_larger_area_then_id() -> None:
    same = {"land_use": "farmland", "people_affected": 100}
    a = AreaFacts("A", 1000, **same)  # type: ignore[arg-type]
    b = AreaFacts("B", 5000, **same)  # type: ignore[arg-type]
    c = AreaFacts("C", 5000, **same)  # type: ignore[arg-type]
    assert [s.area_id for s in score_areas([c, a, b])] == ["B", "C", "A"]


def test_reasons_read_as_value_times_weight() -> None:
    area = AreaFacts("A", 1000, accidents=2)
    (scored,) = score_areas([area])
    assert scored.reasons[0] == (
        "2 accidents, 0 devices found, 0 indicators recorded: casualty risk 0.67 x weight 3 = 2.00"
    )
    assert scored.parts["casualty_risk"].value == 2.0


def test_confidence_words_and_infrastructure_distance() -> None:
    near = AreaFacts("N", 1, confidence="high", distance_to_infrastructure_km=1.0)
    (scored,) = score_areas([near])
    assert scored.parts["confidence"].normalised == 0.85
    assert scored.parts["infrastructure"].normalised == pytest.approx(0.8)
    with pytest.raises(InvalidInput):
        score_areas([AreaFacts("X", 1, confidence="certain")])
    with pytest.raises(InvalidInput):
        score_areas([AreaFacts("X", 1, confidence=1.5)])


def test_released_areas_come_last_with_no_score() -> None:
    done = AreaFacts("DONE", 10**6, accidents=9, status="released")
    ranked = score_areas([done, VILLAGE])
    assert [s.area_id for s in ranked] == ["VILLAGE", "DONE"]
    assert (ranked[1].score, ranked[1].rank, ranked[1].parts) == (0.0, 0, {})


@pytest.mark.parametrize(
    "values",
    [
        {"danger": 1},
        {"people": -1},
        {"people": "high"},
        {"people": True},
        {"people": math.nan},
        dict.fromkeys(CRITERIA, 0),
    ],
)
def test_invalid_weights_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Weights.from_mapping(values)


def test_weights_from_a_mapping_keep_defaults_and_read_as_json() -> None:
    w = Weights.from_mapping({"farmland": 4})
    assert w.to_json() == {**Weights().to_json(), "farmland": 4.0}
    (scored,) = score_areas([VILLAGE], w)
    assert scored.to_json()["parts"]["farmland"]["weight"] == 4.0
    with pytest.raises(InvalidInput):
        score_areas([VILLAGE, VILLAGE])
