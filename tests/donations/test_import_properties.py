"""Property: whatever a spreadsheet holds, every row is imported or rejected with its place.

Rows are drawn from good and broken values of every column; the import must
account for each non-blank row exactly once, reject only with a row and column named,
and keep nothing at all when any row is rejected (unless partial).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from materiel.bootstrap import Runtime
from materiel.core.errors import ImportRejected
from materiel.donations.service import import_pledges, summarize
from materiel.donations.store import pledges
from tests.factories import load_reference_data, write_csv

HEADER = ["donor", "item", "qty", "available from", "origin"]
DONORS = st.sampled_from(["DEU", "Germany", "GER", "uk", "Atlantis", "NONE", "", "pl"])
ITEMS = st.sampled_from(["PzH 2000", "caesar", "'CAESAR'*", "Gepard", "", "MV-4"])
QUANTITIES = st.one_of(st.integers(-2, 50), st.sampled_from(["3.0", "three", "", "2.5"]))
DATES = st.sampled_from(["2027-01-15", "15.01.2027", "1 Jan 2027", "soon", "", "2027-02-30"])
ORIGINS = st.sampled_from(["unterluss", "rzeszow", "nowhere", ""])
ROWS = st.lists(st.tuples(DONORS, ITEMS, QUANTITIES, DATES, ORIGINS), min_size=1, max_size=12)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=ROWS, partial=st.booleans())
def test_every_row_is_accounted_for(
    runtime: Runtime, tmp_path: Path, rows: list[tuple[object, ...]], partial: bool
) -> None:
    if not summarize(runtime.uow()).item_types:
        load_reference_data(runtime)
    with runtime.engine.begin() as connection:
        connection.execute(delete(pledges))
    path = write_csv(tmp_path / "offers.csv", [HEADER, *[list(r) for r in rows]])
    try:
        report = import_pledges(path, runtime.uow("prop"), partial=partial)
    except ImportRejected as refused:
        assert not partial
        assert refused.problems
        assert all(p.row is not None and p.column for p in refused.problems)
        assert summarize(runtime.uow()).pledges == 0
        return
    lines = [r for r in rows if any(str(cell) for cell in r)]  # blank lines are not rows
    assert report.accepted + len(report.rejected) == len(lines)
    assert all(p.row is not None and p.column for p in report.rejected)
    assert summarize(runtime.uow()).pledges == report.created + report.unchanged
