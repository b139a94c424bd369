"""`Principal.may_read` states in Python the marking rule the policies state in SQL.

Checked against the independent reference of the need-to-know tests, on
every nation, clearance, marking and owner hypothesis draws.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from materiel.core.markings import Classification, Marking
from materiel.core.principal import Principal, Role
from tests.access import reference

NATIONS = ("NATO", "DEU", "POL", "USA", "AUS", "UKR", "FRA")


@given(
    nation=st.sampled_from(NATIONS),
    clearance=st.sampled_from(list(Classification)),
    level=st.sampled_from(list(Classification)),
    releasable_to=st.lists(st.sampled_from(NATIONS), max_size=3, unique=True),
    owner=st.sampled_from(NATIONS),
)
def test_may_read_agrees_with_the_reference(
    nation: str,
    clearance: Classification,
    level: Classification,
    releasable_to: list[str],
    owner: str,
) -> None:
    principal = Principal("u", nation, "org", frozenset({Role.NODE_OPERATOR}), clearance)
    marking = Marking(level, tuple(releasable_to))
    user = reference.User("u", nation, frozenset({"node_operator"}), int(clearance))
    record = reference.MarkedRecord("x", owner, reference.LEVELS[level], tuple(releasable_to))
    assert principal.may_read(marking, owner) == reference.may_read_marking(user, record)


def test_the_system_reads_everything() -> None:
    secret = Marking(Classification.NATO_SECRET, ("DEU",))
    assert Principal.system().may_read(secret, "DEU")
