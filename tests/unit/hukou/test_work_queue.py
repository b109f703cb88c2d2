"""The work queue's order (二.8: 优先解决流动人口存量问题): a resident permit holder, or a
resident of half a year (居住证暂行条例 第二条: 居住半年以上), comes first."""

from __future__ import annotations

from datetime import date

from services.hukou.domain import PermitHistory
from services.hukou.work_queue import STOCK_RESIDENCE_MONTHS, queue_place
from shared.parameters import Parameter
from tests.unit.hukou.support import facts, with_residence

# The support's decision day is 2019-06-01: half a year earlier is 2018-12-01.
HALF_A_YEAR_BEFORE = date(2018, 12, 1)


def test_half_a_year_of_residence_to_the_day_comes_first() -> None:
    place = queue_place(facts(residence=with_residence(since=HALF_A_YEAR_BEFORE)))

    assert place.stock_first
    assert "二.8" in place.reason and "2018-12-01" in place.reason
    assert "居住半年以上" in place.reason


def test_a_day_short_of_half_a_year_comes_after() -> None:
    place = queue_place(facts(residence=with_residence(since=date(2018, 12, 2))))

    assert not place.stock_first
    assert "under 6 months" in place.reason and "二.8" in place.reason


def test_no_residence_stated_comes_after() -> None:
    place = queue_place(facts("talent", residence=None))

    assert not place.stock_first
    assert "states no residence" in place.reason


def test_a_residence_permit_holder_comes_first_however_recent_the_address() -> None:
    history = PermitHistory(available=True, earliest_resident_since=date(2017, 3, 1), permits=2)

    place = queue_place(
        facts(residence=with_residence(since=date(2019, 5, 1)), permit_history=history)
    )

    assert place.stock_first
    assert "residence permit" in place.reason and "2017-03-01" in place.reason


def test_a_permit_begun_after_the_received_day_does_not_count() -> None:
    history = PermitHistory(available=True, earliest_resident_since=date(2019, 6, 2), permits=1)

    place = queue_place(
        facts(residence=with_residence(since=date(2019, 5, 1)), permit_history=history)
    )

    assert not place.stock_first


def test_a_later_version_of_the_length_recorded_applies_from_its_day() -> None:
    twelve = Parameter(
        name=STOCK_RESIDENCE_MONTHS.name,
        value=12,
        unit="months",
        valid_from=date(2019, 1, 1),
        source="example: a later version, for this test",
        department="national",
    )
    lived = facts(residence=with_residence(since=HALF_A_YEAR_BEFORE))

    assert queue_place(lived).stock_first
    assert not queue_place(lived, [twelve]).stock_first
