"""Unit tests of the values every capability uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from materiel.core.dates import format_dtg, parse_date, parse_dtg
from materiel.core.errors import InvalidInput
from materiel.core.markings import Classification, Marking, most_restrictive
from materiel.core.nations import NationResolver


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("01.03.2026", date(2026, 3, 1)),
        ("1/3/2026", date(2026, 3, 1)),
        ("1 Mar 2026", date(2026, 3, 1)),
        ("March 1, 2026", date(2026, 3, 1)),
        ("271430Z NOV 26", date(2026, 11, 27)),
        (46082, date(2026, 3, 1)),
        (datetime(2026, 3, 1, 12, 0), date(2026, 3, 1)),
    ],
)
def test_dates_in_the_usual_forms(text: object, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "2026-13-01", "32.01.2026"])
def test_bad_dates_say_how_to_write_one(text: str) -> None:
    with pytest.raises(InvalidInput, match="date"):
        parse_date(text)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_dtg_round_trips_to_the_minute(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0, tzinfo=UTC)
    assert parse_dtg(format_dtg(moment)) == moment


def test_dtg_example_from_the_field() -> None:
    assert format_dtg(datetime(2026, 11, 27, 14, 30, tzinfo=UTC)) == "271430Z NOV 26"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DEU", "DEU"),
        ("DE", "DEU"),
        ("Germany", "DEU"),
        ("GER", "DEU"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("NTHL", "NLD"),
        ("SLVK", "SVK"),
        ("Czech Republic", "CZE"),
        ("Turkey", "TUR"),
        ("  usa ", "USA"),
    ],
)
def test_nations_resolve_to_alpha3(text: str, code: str) -> None:
    assert NationResolver().resolve(text) == code


def test_user_aliases_extend_the_builtin_table() -> None:
    assert NationResolver({"Tschechien": "CZE"}).resolve("tschechien") == "CZE"


def test_unknown_nation_says_what_to_do() -> None:
    with pytest.raises(InvalidInput, match="alias"):
        NationResolver().resolve("Atlantis")


def test_most_restrictive_marking_of_a_collection() -> None:
    marking = most_restrictive(
        [
            Marking(Classification.NATO_UNCLASSIFIED, ("UKR", "NATO")),
            Marking(Classification.NATO_RESTRICTED, ("NATO", "UKR", "AUS")),
        ]
    )
    assert marking.classification is Classification.NATO_RESTRICTED
    assert marking.releasable_to == ("UKR", "NATO")
    assert marking.banner == "NATO RESTRICTED // REL TO UKR, NATO"


@pytest.mark.parametrize(
    ("parts", "common"),
    [
        ((("DEU",), ("UKR", "NATO")), ("DEU",)),  # DEU is in NATO
        ((("UKR", "NATO"), ("DEU",)), ("DEU",)),
        ((("UKR", "NATO"), ("NATO",)), ("NATO",)),
        ((("UKR", "DEU"), ("UKR", "POL")), ("UKR",)),
        ((("UKR",), ("NATO",)), ()),
        ((("AUS", "NATO"), ("AUS",)), ("AUS",)),
    ],
)
def test_a_collection_is_released_where_every_part_may_go(
    parts: tuple[tuple[str, ...], ...], common: tuple[str, ...]
) -> None:
    marking = most_restrictive(Marking(Classification.NATO_SECRET, p) for p in parts)
    assert marking.releasable_to == common
    if not common:
        assert marking.banner == "NATO SECRET // REL TO NO NATION IN COMMON"


def test_marking_parse_accepts_short_forms() -> None:
    marking = Marking.parse("restricted", "REL TO UKR, NATO")
    assert marking == Marking(Classification.NATO_RESTRICTED, ("UKR", "NATO"))
    with pytest.raises(InvalidInput, match="classification"):
        Marking.parse("TOP SECRET COSMIC", None)
