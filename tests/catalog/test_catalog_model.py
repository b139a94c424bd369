"""Unit tests of the catalogue's rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from materiel.catalog.model import (
    ItemType,
    NameIndex,
    category_chain,
    normalize_name,
    normalize_nsn,
)
from materiel.core.errors import InvalidInput


def test_nsn_is_validated_and_written_with_dashes() -> None:
    assert normalize_nsn("1025123456789") == "1025-12-345-6789"
    assert normalize_nsn("1025-12-345-6789") == "1025-12-345-6789"
    for bad in ("1025-12-345-678", "ABCD-12-345-6789", "1025-12-3456-789"):
        with pytest.raises(InvalidInput, match="NNNN-NN-NNN-NNNN"):
            normalize_nsn(bad)


@given(st.from_regex(r"\A\d{13}\Z"))
def test_any_thirteen_digits_make_an_nsn(digits: str) -> None:
    assert normalize_nsn(digits).replace("-", "") == digits


def test_category_path_makes_a_chain_root_first() -> None:
    chain = category_chain("Artillery > Self-propelled howitzer")
    assert [c.id for c in chain] == ["artillery", "artillery/self-propelled-howitzer"]
    assert chain[1].parent_id == "artillery"


def _item(**changes: object) -> ItemType:
    fields: dict[str, object] = {
        "id": "pzh-2000",
        "name": "PzH 2000",
        "category_id": "artillery/self-propelled-howitzer",
        "family": "155mm-sph",
        "capability_area": "artillery",
    }
    fields.update(changes)
    return ItemType(**fields)  # type: ignore[arg-type]


def test_item_type_rules() -> None:
    assert _item().id == "pzh-2000"
    with pytest.raises(InvalidInput, match="capability area"):
        _item(capability_area="space")
    with pytest.raises(InvalidInput, match="own substitute"):
        _item(substitutes=("pzh-2000",))
    with pytest.raises(InvalidInput, match="lowercase"):
        _item(id="PzH 2000")


def test_names_match_despite_the_mess_of_real_spreadsheets() -> None:
    index = NameIndex.of([_item(aliases=("Panzerhaubitze 2000",))])
    for written in (
        "PzH 2000",
        "  pzh  2000* ",
        "'PzH 2000'",
        "Panzerhaubitze 2000",
        "PzH\ufffd 2000",
    ):
        assert index.resolve(written) == "pzh-2000"
    assert normalize_name("\"M109A6 'Paladin'\"") == "m109a6 paladin"


def test_a_name_mapping_can_refuse_a_name_with_a_reason() -> None:
    index = NameIndex.of([_item()]).with_mapping(
        {"Panzerhaubitze": "pzh-2000"}, {"Ringtausch": "not an item"}
    )
    assert index.resolve("panzerhaubitze") == "pzh-2000"
    with pytest.raises(InvalidInput, match="not an item"):
        index.resolve("Ringtausch")
    with pytest.raises(InvalidInput, match="not in the catalogue"):
        index.resolve("Gepard")
