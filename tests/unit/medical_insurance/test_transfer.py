"""A transfer after the entry: the origin's deadline and when it is overdue, the months carried
over on confirmation or refusal, and the summary line of the entries."""

from __future__ import annotations

from datetime import date, timedelta

from services.medical_insurance.rules import (
    ORIGIN_CONFIRMATION_DAYS,
    deadline_since_set,
    is_overdue,
    refuse_transfer,
    summarise,
)
from tests.unit.medical_insurance.support import (
    CONFIGURED,
    DAYS_60,
    DECISION_DAY,
    PRESUME,
    applicant_entry,
    confirmed,
    insured,
    settlement,
)


class TestDeadline:
    def test_the_deadline_is_the_decision_date_plus_the_parameters_days(self) -> None:
        entry = applicant_entry(insured(employer_paid=True))
        assert entry.confirmation_deadline == DECISION_DAY + timedelta(days=60)
        assert DAYS_60.reference() in entry.parameters

    def test_without_the_parameter_there_is_no_deadline_and_it_is_named(self) -> None:
        entry = applicant_entry(insured(employer_paid=True), settlement(PRESUME))
        assert entry.status == "awaiting_origin"  # the transfer itself does not wait for it
        assert entry.confirmation_deadline is None
        assert entry.missing == (f"parameters.{ORIGIN_CONFIRMATION_DAYS}",)
        assert f"no local parameter {ORIGIN_CONFIRMATION_DAYS}" in entry.reason

    def test_the_deadline_once_recorded_is_the_decision_date_plus_its_days(self) -> None:
        assert deadline_since_set(settlement(PRESUME)) is None
        found = deadline_since_set(CONFIGURED)
        assert found is not None
        deadline, reference, sentence = found
        assert (deadline, reference) == (DECISION_DAY + timedelta(days=60), DAYS_60.reference())
        assert deadline.isoformat() in sentence

    def test_the_last_day_is_not_overdue(self) -> None:
        deadline = date(2019, 7, 31)
        assert is_overdue("awaiting_origin", deadline, deadline) is False

    def test_the_day_after_the_deadline_is_overdue(self) -> None:
        deadline = date(2019, 7, 31)
        assert is_overdue("awaiting_origin", deadline, deadline + timedelta(days=1)) is True

    def test_a_transfer_no_longer_awaiting_is_never_overdue(self) -> None:
        assert is_overdue("completed", date(2019, 7, 31), date(2030, 1, 1)) is False
        assert is_overdue("refused", date(2019, 7, 31), date(2030, 1, 1)) is False

    def test_an_awaiting_transfer_without_a_deadline_cannot_be_judged(self) -> None:
        assert is_overdue("awaiting_origin", None, date(2030, 1, 1)) is None


class TestMonthsCarriedOver:
    def test_every_confirmed_month_carries_over(self) -> None:
        outcome = confirmed(
            months=30,
            origin_coverage_end=date(2019, 6, 30),
            months_declared=30,
            from_scheme="employee",
        )
        assert (outcome.status, outcome.months_carried_over, outcome.continuous) == (
            "completed",
            30,
            True,
        )

    def test_the_origins_record_wins_over_the_declared_months(self) -> None:
        outcome = confirmed(
            months=34,
            origin_coverage_end=date(2019, 5, 31),
            months_declared=30,
            origin_scheme="new_rural_cooperative",
        )
        assert outcome.months_carried_over == 34
        assert "declared 30" in outcome.reason
        assert outcome.from_scheme == "new_rural_cooperative"

    def test_origin_ending_the_day_before_coverage_starts_leaves_no_gap(self) -> None:
        outcome = confirmed(months=12, origin_coverage_end=DECISION_DAY - timedelta(days=1))
        assert outcome.continuous is True

    def test_origin_ending_earlier_shows_a_gap_that_predates_the_settlement(self) -> None:
        outcome = confirmed(months=12, origin_coverage_end=DECISION_DAY - timedelta(days=2))
        assert outcome.continuous is False
        assert "1 days before" in outcome.reason

    def test_a_refusal_carries_nothing_over_and_keeps_the_citys_coverage(self) -> None:
        outcome = refuse_transfer(reason="no record of this person", coverage_start=DECISION_DAY)
        assert (outcome.status, outcome.months_carried_over) == ("refused", None)
        assert "no record of this person" in outcome.reason
        assert DECISION_DAY.isoformat() in outcome.reason


class TestSummary:
    def test_the_summary_counts_entries_and_names_no_one(self) -> None:
        line = summarise(
            [
                ("transfer", "awaiting_origin"),
                ("transfer", "completed"),
                ("continuation", "completed"),
                ("information_needed", "information_needed"),
            ]
        )
        assert line == (
            "三(六) medical insurance for 4 member(s): 1 continuation, 1 information needed, "
            "1 transfer, 1 transfer awaiting origin"
        )
