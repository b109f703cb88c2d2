"""A permit's year, its yearly endorsement and its unbroken periods (第十条): the rules, no I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.residence_permit.rules import (
    Endorsed,
    Period,
    Term,
    conflicts_with_open_permit,
    decide_application,
    permit_status,
    residence_periods,
)
from shared.dates import year_end
from tests.unit.residence_permit.support import (
    ART_10,
    PARAMETERS,
    application,
    endorse,
    endorsed,
    term,
)


class TestValidity:
    def test_a_permit_is_valid_for_a_year_from_its_issue(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        assert (decision.valid_from, decision.valid_to) == (date(2023, 7, 15), date(2024, 7, 14))

    def test_a_permit_issued_on_29_february_runs_to_28_february(self) -> None:
        assert year_end(date(2024, 2, 29), 1) == date(2025, 2, 28)
        assert year_end(date(2023, 3, 1), 1) == date(2024, 2, 29)

    def test_the_last_valid_day_is_valid_and_the_day_after_lapsed(self) -> None:
        last = date(2025, 3, 14)
        assert permit_status(valid_to=last, closed=False, on=last) == "valid"
        assert permit_status(valid_to=last, closed=False, on=last + timedelta(days=1)) == "lapsed"
        assert permit_status(valid_to=last, closed=True, on=last) == "closed"

    def test_an_open_permit_valid_on_the_application_day_blocks_a_second(self) -> None:
        assert conflicts_with_open_permit(
            open_valid_to=date(2025, 3, 14), applied_on=date(2025, 3, 14)
        )
        assert not conflicts_with_open_permit(
            open_valid_to=date(2025, 3, 14), applied_on=date(2025, 3, 15)
        )


class TestEndorsement:
    def test_endorsing_on_the_last_valid_day_extends_the_year(self) -> None:
        decision = endorse(term(), date(2025, 3, 14))
        extended = endorsed(term(), date(2025, 3, 14))
        assert (decision.outcome, decision.regulation) == ("on_time", ART_10)
        assert (extended.valid_from, extended.valid_to, extended.period_start) == (
            date(2025, 3, 15),
            date(2026, 3, 14),
            date(2024, 3, 15),  # residence still counts from the issue
        )

    def test_endorsing_the_day_after_is_a_make_up_that_restarts_the_count(self) -> None:
        decision = endorse(term(), date(2025, 3, 15))
        assert decision.outcome == "make_up" and "补办签注" in decision.reason
        restored = endorsed(term(), date(2025, 3, 15))
        assert (restored.valid_from, restored.valid_to, restored.period_start) == (
            date(2025, 3, 15),
            date(2026, 3, 14),
            date(2025, 3, 15),
        )

    def test_a_make_up_long_after_runs_a_year_from_the_make_up_day(self) -> None:
        decision = endorse(term(), date(2025, 9, 1))
        assert decision.outcome == "make_up"
        assert decision.term is not None and decision.term.valid_to == date(2026, 8, 31)

    def test_the_window_opens_a_month_before_the_year_is_full(self) -> None:
        assert endorse(term(), date(2025, 2, 15)).outcome == "on_time"
        early = endorse(term(), date(2025, 2, 14))
        assert early.outcome == "refused" and early.conflict
        assert "2025-02-15" in early.reason and ART_10 in early.reason

    @pytest.mark.parametrize(
        ("permit", "on", "still_resident", "field", "conflict"),
        [
            (term(), date(2025, 3, 1), False, "still_resident", False),
            (term(closed=True), date(2025, 3, 1), True, None, True),
            (term(), date(2024, 3, 14), True, "endorsed_on", False),
        ],
        ids=["a holder no longer resident", "a closed permit", "a day before the issue"],
    )
    def test_an_endorsement_is_refused_for(
        self, permit: Term, on: date, still_resident: bool, field: str | None, conflict: bool
    ) -> None:
        decision = endorse(permit, on, still_resident=still_resident)
        assert (decision.outcome, decision.field, decision.conflict) == (
            "refused",
            field,
            conflict,
        )

    def test_yearly_endorsements_do_not_drift_from_29_february(self) -> None:
        t = term(
            issued_on=date(2024, 2, 29),
            valid_from=date(2024, 2, 29),
            valid_to=date(2025, 2, 28),
            period_start=date(2024, 2, 29),
        )
        first = endorsed(t, date(2025, 2, 20))
        assert first.valid_to == date(2026, 2, 28)
        second = endorsed(first, date(2026, 2, 20))
        assert second.valid_to == date(2027, 2, 28)
        third = endorsed(second, date(2027, 2, 20))
        assert third.valid_to == date(2028, 2, 28)  # the day before 2028-02-29
        assert third.years_in_period == 4


def periods(
    *endorsements: Endorsed, valid_to: date, closed_on: date | None = None
) -> tuple[Period, ...]:
    """The unbroken periods of a permit issued 2024-03-15."""
    return residence_periods(
        issued_on=date(2024, 3, 15),
        endorsements=endorsements,
        valid_to=valid_to,
        closed_on=closed_on,
    )


ISSUED, LAPSED_AFTER = date(2024, 3, 15), date(2025, 3, 14)


class TestResidencePeriods:
    def test_on_time_endorsements_keep_one_period(self) -> None:
        on_time = Endorsed(date(2025, 3, 1), "on_time", LAPSED_AFTER)
        [period] = periods(on_time, valid_to=date(2026, 3, 14))
        assert (period.start, period.end, period.endorsements) == (ISSUED, date(2026, 3, 14), 1)

    def test_a_make_up_endorsement_starts_a_new_period(self) -> None:
        make_up = Endorsed(date(2025, 6, 1), "make_up", LAPSED_AFTER)
        first, second = periods(make_up, valid_to=date(2026, 5, 31))
        assert (first.start, first.end, first.started_by) == (ISSUED, LAPSED_AFTER, "issue")
        assert (second.start, second.end, second.started_by) == (
            date(2025, 6, 1),
            date(2026, 5, 31),
            "make_up_endorsement",
        )

    def test_closing_ends_the_last_period_on_the_day_it_closed(self) -> None:
        [period] = periods(valid_to=LAPSED_AFTER, closed_on=date(2024, 10, 1))
        assert period.end == date(2024, 10, 1)
