"""A progress report and the land's release sent at once (SQLite and PostgreSQL): one is refused.

Done one after the other, the rules hold: a release is refused before the
last report, a report after the release. Raced, each checked what it had
read before the other wrote; a report moves its area's version, so the
second of the two to write is refused as stale and the rules still hold.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from shapely.geometry import mapping

from materiel.bootstrap import Runtime
from materiel.core.errors import StaleVersion
from materiel.demining import geo, service
from materiel.demining.model import AreaStatus, ReleaseMethod
from materiel.demining.store import DeminingStore
from tests.demining.test_service import START, areas  # noqa: F401 - the shared fixture
from tests.races import errors, race


def whole_area_on(runtime: Runtime, days: int) -> service.ProgressIn:
    whole = geo.loads(service.get_area("HA-1", runtime.uow()).geometry)
    cleared = {"type": "Feature", "properties": {}, "geometry": mapping(whole)}
    return service.ProgressIn("HA-1", START + timedelta(days=days), cleared)


def test_a_report_and_the_release_sent_at_once_one_is_refused_as_stale(
    areas: Runtime,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service.record_progress(whole_area_on(areas, 0), areas.uow("field"))  # in clearance now
    late_report = whole_area_on(areas, 8)
    release = service.Release(ReleaseMethod.CLEARED, START + timedelta(days=5), "Izium hromada")

    results = race(
        monkeypatch,
        # the release has read the reports, the report has checked its area and findings
        [(DeminingStore, "progress"), (service, "_check_findings")],
        lambda: service.record_progress(late_report, areas.uow("field")),
        lambda: service.release_area("HA-1", release, None, areas.uow("chief")),
    )

    (refused,) = errors(results)
    assert type(refused) is StaleVersion, refused
    area = service.get_area("HA-1", areas.uow())
    with areas.uow() as uow:
        reports = [p.on for p in DeminingStore(uow.session).progress("HA-1")]
    if area.status is AreaStatus.RELEASED:
        assert area.released_on is not None and max(reports) <= area.released_on
    else:
        assert max(reports) == late_report.on
