"""Which hazard areas to clear first: a documented multi-criteria score.

Five criteria, each turned into a number between 0 and 1 by a fixed curve,
are multiplied by a weight the user can change and added up:

    score = sum(weight[c] * normalised[c] for c in CRITERIA)

The curves are fixed (not scaled by the largest value in the batch) so that
an area's score does not move when an unrelated area is added or removed,
and a score computed last month can be compared with one computed today.
Counts use a saturating curve `x / (x + h)`: `h` is the count that scores
0.5, the first accident matters more than the tenth. `docs/demining-planning.md`
lists the curves and the default weights.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from materiel.core.errors import InvalidInput

CRITERIA = ("casualty_risk", "people", "farmland", "infrastructure", "confidence")

# Half-saturation points of the count curves (the count that scores 0.5).
EVIDENCE_HALF = 1.0  # evidence points, see `evidence_points`
PEOPLE_HALF = 500.0  # people affected
# Evidence points per record: an accident is direct proof of casualty risk,
# a device found or seen is strong evidence, an indicator a weak one.
ACCIDENT_POINTS, DEVICE_POINTS, INDICATOR_POINTS = 1.0, 0.5, 0.2
# Infrastructure within this distance of an area counts, linearly less with distance.
INFRASTRUCTURE_REACH_KM = 5.0
CONFIDENCE_WORDS = {"low": 0.25, "medium": 0.5, "high": 0.85}
RELEASED = "released"


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts; defaults put casualty risk first, then people."""

    casualty_risk: float = 3.0
    people: float = 2.0
    farmland: float = 1.5
    infrastructure: float = 1.5
    confidence: float = 1.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Weights:
        """Defaults overridden by `values`; unknown names and negative weights are refused."""
        unknown = sorted(set(values) - set(CRITERIA))
        if unknown:
            raise InvalidInput(
                f"unknown criteria {', '.join(unknown)}; the criteria are {', '.join(CRITERIA)}"
            )
        checked = {name: _weight(name, value) for name, value in values.items()}
        weights = cls(**{**asdict(cls()), **checked})
        if not any(weights.of(name) > 0 for name in CRITERIA):
            raise InvalidInput("at least one weight must be above zero")
        return weights

    def of(self, criterion: str) -> float:
        return float(getattr(self, criterion))

    def to_json(self) -> dict[str, float]:
        return {f.name: self.of(f.name) for f in fields(self)}


def _weight(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"weight of {name} must be a number, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"weight of {name} must be zero or more, not {value}")
    return float(value)


@dataclass(frozen=True)
class AreaFacts:
    """What the score reads about one hazard area (plain data from the records).

    `land_use` is one use or several; `confidence` is 0..1 or low/medium/high.
    """

    id: str
    area_m2: float
    land_use: str | Iterable[str] = ()
    people_affected: int = 0
    accidents: int = 0
    devices_found: int = 0
    indicators: int = 0
    confidence: float | str = 0.5
    status: str = "suspected"
    distance_to_infrastructure_km: float | None = None

    def uses(self) -> frozenset[str]:
        if isinstance(self.land_use, str):
            return frozenset({self.land_use})
        return frozenset(self.land_use)


@dataclass(frozen=True)
class ScorePart:
    """One criterion's share of a score: contribution = normalised x weight."""

    value: float
    normalised: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class AreaScore:
    """An area's score, its parts (which add up to it) and readable reasons."""

    area_id: str
    score: float
    rank: int
    parts: dict[str, ScorePart] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "area_id": self.area_id,
            "score": self.score,
            "rank": self.rank,
            "parts": {name: asdict(part) for name, part in self.parts.items()},
            "reasons": list(self.reasons),
        }


def saturating(x: float, half: float) -> float:
    """0 at 0, 0.5 at `half`, towards 1 beyond: more counts, with diminishing weight."""
    return x / (x + half) if x > 0 else 0.0


def evidence_points(facts: AreaFacts) -> float:
    return (
        ACCIDENT_POINTS * facts.accidents
        + DEVICE_POINTS * facts.devices_found
        + INDICATOR_POINTS * facts.indicators
    )


def confidence_value(confidence: float | str) -> float:
    """Confidence as 0..1; the words low/medium/high map to 0.25/0.5/0.85."""
    if isinstance(confidence, str):
        word = confidence.strip().lower()
        if word not in CONFIDENCE_WORDS:
            raise InvalidInput(f"confidence must be 0..1 or low/medium/high, not {confidence!r}")
        return CONFIDENCE_WORDS[word]
    if not 0 <= confidence <= 1:
        raise InvalidInput(f"confidence must be between 0 and 1, not {confidence}")
    return float(confidence)


def infrastructure_value(facts: AreaFacts) -> float:
    """1 on infrastructure; nearby infrastructure counts less with distance, none beyond 5 km."""
    if "infrastructure" in facts.uses():
        return 1.0
    if facts.distance_to_infrastructure_km is None:
        return 0.0
    return max(0.0, 1.0 - facts.distance_to_infrastructure_km / INFRASTRUCTURE_REACH_KM)


def measures(facts: AreaFacts) -> dict[str, tuple[float, float, str]]:
    """Per criterion: raw value, normalised value and the words that explain it."""
    points = evidence_points(facts)
    evidence = (
        f"{_count(facts.accidents, 'accident')}, {_count(facts.devices_found, 'device')} found, "
        f"{_count(facts.indicators, 'indicator')} recorded"
    )
    confidence = confidence_value(facts.confidence)
    infra = infrastructure_value(facts)
    farmland = 1.0 if "farmland" in facts.uses() else 0.0
    return {
        "casualty_risk": (points, saturating(points, EVIDENCE_HALF), evidence),
        "people": (
            float(facts.people_affected),
            saturating(facts.people_affected, PEOPLE_HALF),
            f"{_count(facts.people_affected, 'person', 'people')} affected",
        ),
        "farmland": (farmland, farmland, "farmland" if farmland else "no farmland"),
        "infrastructure": (infra, infra, _infrastructure_words(facts)),
        "confidence": (confidence, confidence, f"confidence {confidence:g}"),
    }


def _infrastructure_words(facts: AreaFacts) -> str:
    if "infrastructure" in facts.uses():
        return "infrastructure in the area"
    if facts.distance_to_infrastructure_km is None:
        return "no infrastructure recorded"
    return f"infrastructure {facts.distance_to_infrastructure_km:g} km away"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def score_area(facts: AreaFacts, weights: Weights) -> AreaScore:
    """One area's score with its parts; a released area scores 0 with no parts."""
    if facts.status == RELEASED:
        return AreaScore(facts.id, 0.0, 0, {}, ["released: no hazard remains, not ranked"])
    parts: dict[str, ScorePart] = {}
    reasons: list[str] = []
    for name, (value, normalised, words) in measures(facts).items():
        weight = weights.of(name)
        contribution = normalised * weight
        parts[name] = ScorePart(value, normalised, weight, contribution)
        label = name.replace("_", " ")
        reasons.append(
            f"{words}: {label} {normalised:.2f} x weight {weight:g} = {contribution:.2f}"
        )
    score = math.fsum(part.contribution for part in parts.values())
    return AreaScore(facts.id, score, 0, parts, reasons)


def score_areas(areas: Iterable[AreaFacts], weights: Weights | None = None) -> list[AreaScore]:
    """Scores ranked best first; released areas last.

    Ties (scores equal to nine decimals) go to the higher casualty risk,
    then to the larger area, then to the smaller id, so the order never
    depends on the input order.
    """
    weights = weights or Weights()
    found: list[tuple[AreaScore, AreaFacts]] = []
    seen: set[str] = set()
    for facts in areas:
        if facts.id in seen:
            raise InvalidInput(f"area {facts.id} is listed twice")
        seen.add(facts.id)
        found.append((score_area(facts, weights), facts))
    found.sort(key=_order)
    ranked: list[AreaScore] = []
    for rank, (s, facts) in enumerate(found, start=1):
        ranked.append(
            AreaScore(
                s.area_id, s.score, 0 if facts.status == RELEASED else rank, s.parts, s.reasons
            )
        )
    return ranked


def _order(item: tuple[AreaScore, AreaFacts]) -> tuple[bool, float, float, float, str]:
    s, facts = item
    risk = s.parts["casualty_risk"].normalised if "casualty_risk" in s.parts else 0.0
    return (
        facts.status == RELEASED,
        -round(s.score, 9),
        -round(risk, 9),
        -facts.area_m2,
        s.area_id,
    )
