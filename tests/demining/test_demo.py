"""The demining demo on a small catalogue: areas, machines from pledges, plans, a release."""

from __future__ import annotations

from datetime import timedelta

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.demining import service
from materiel.demining.model import AreaStatus, ReleaseMethod
from materiel.demo.demining import load_demining
from materiel.donations.service import import_pledges
from tests.factories import load_reference_data


def test_the_demo_goes_from_areas_to_a_land_release_report(runtime: Runtime) -> None:
    load_reference_data(runtime)
    today = utc_now().date()
    import_pledges(
        ("pledges", [{"ref": "P-1", "donor": "HRV", "item_type": "mv-4", "quantity": "2",
                      "origin": "unterluss", "available_from": today.isoformat()}]),
        runtime.uow(),
    )  # fmt: skip
    demo = load_demining(runtime, seed=7)
    assert demo.areas >= 30
    assert [a.id for a in demo.assets] == ["P-1-1", "P-1-2"]
    assert demo.ranked[0].score.rank == 1 and demo.ranked[0].score.reasons
    assert demo.tasks > 0 and demo.coverage_plans == demo.tasks
    report = demo.report
    assert (report.status, report.release_method) == (AreaStatus.RELEASED, ReleaseMethod.CLEARED)
    assert report.released_by_method[0].area_m2 > 0.5 * report.area_m2
    assert sum(report.items_found.values()) == 3 and report.qa_passed == 1
    assert report.start_date is not None and report.start_date >= today - timedelta(days=7)
    again = load_demining(runtime, seed=7)  # areas are not duplicated
    assert again.areas == demo.areas
    assert len(service.list_areas(runtime.uow())) == demo.areas
