"""A member's filing for care at the origin while the transfer is under way (三(六)
"异地就医结算办法"): which entries take one, the days it may start on, why it ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.medical_insurance.rules import care_elsewhere
from tests.unit.medical_insurance.support import DECISION_DAY

TODAY = date(2019, 6, 10)


class TestWhichEntriesTakeAFiling:
    def test_a_transfer_awaiting_the_origin_does(self) -> None:
        assert care_elsewhere.refusal_to_file("transfer", "awaiting_origin") is None

    @pytest.mark.parametrize("status", ["completed", "refused"])
    def test_a_transfer_the_origin_answered_is_no_longer_under_way(self, status: str) -> None:
        reason = care_elsewhere.refusal_to_file("transfer", status)

        assert reason is not None and "no longer under way" in reason

    @pytest.mark.parametrize("kind", ["continuation", "enrollment", "information_needed"])
    def test_an_entry_without_an_origin_does_not(self, kind: str) -> None:
        reason = care_elsewhere.refusal_to_file(kind, "completed")

        assert reason is not None and "only a transfer has an origin" in reason


class TestTheFirstDay:
    def test_the_day_coverage_in_the_city_began_is_the_earliest(self) -> None:
        starts = care_elsewhere.start_problem
        assert starts(DECISION_DAY, coverage_start=DECISION_DAY, today=TODAY) is None
        before = starts(DECISION_DAY - timedelta(days=1), coverage_start=DECISION_DAY, today=TODAY)
        assert before is not None and "origin's own scheme covers" in before

    def test_today_is_the_latest(self) -> None:
        starts = care_elsewhere.start_problem
        assert starts(TODAY, coverage_start=DECISION_DAY, today=TODAY) is None
        tomorrow = starts(TODAY + timedelta(days=1), coverage_start=DECISION_DAY, today=TODAY)
        assert tomorrow is not None and "after today (2019-06-10)" in tomorrow


class TestWhyItEnds:
    @pytest.mark.parametrize(
        ("status", "answer"), [("completed", "confirmed"), ("refused", "refused")]
    )
    def test_the_origins_answer_ends_it(self, status: str, answer: str) -> None:
        reason = care_elsewhere.ended_with_transfer(status, TODAY)

        assert reason.startswith(f"The origin {answer} the transfer on 2019-06-10")

    def test_a_filing_cites_the_clause_and_the_origin(self) -> None:
        reason = care_elsewhere.filed_reason("441402", DECISION_DAY)

        assert reason.startswith("三(六) (异地就医结算办法)")
        assert "441402" in reason and "from 2019-06-01" in reason
