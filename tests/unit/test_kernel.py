"""The kernel's small parts: checks combined, input fields, Shaoguan's "today" in validation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from pydantic import TypeAdapter, ValidationError

from shared.fields import IdNumber, PastDate, ShaoguanCounty, Strict
from shared.rules import failed, failures, missing_of, outcome_of, passed, undetermined

MET = passed("residence", "二.1", "lives in the city")
UNKNOWN = undetermined(
    "insurance", "二.2", "months not stated", ["social_insurance.medical_months"]
)
REFUSED = failed("relation", "二.3", "an adult child settles on their own")


@pytest.mark.parametrize(
    ("checks", "outcome"),
    [
        ((MET,), "passed"),
        ((MET, UNKNOWN), "undetermined"),
        ((MET, UNKNOWN, REFUSED), "failed"),
        ((), "passed"),
    ],
)
def test_one_failed_check_fails_the_whole_and_an_open_one_leaves_it_undetermined(
    checks: tuple[object, ...], outcome: str
) -> None:
    assert outcome_of(checks) == outcome  # type: ignore[arg-type]


def test_the_missing_facts_are_named_once_in_the_order_asked() -> None:
    again = undetermined("other", "二.2", "", ["social_insurance.medical_months", "housing.x"])
    assert missing_of((UNKNOWN, MET, again)) == ("social_insurance.medical_months", "housing.x")
    assert failures((MET, REFUSED, UNKNOWN)) == (REFUSED,)
    assert not UNKNOWN.passed and MET.passed


class Body(Strict):
    id_number: IdNumber
    county: ShaoguanCounty


def test_the_input_fields_refuse_with_a_reason_a_case_worker_reads() -> None:
    with pytest.raises(ValidationError) as refused:
        Body.model_validate({"id_number": "440203199001011235", "county": "441402", "x": 1})
    reasons = {str(error["loc"][0]): error["msg"] for error in refused.value.errors()}
    assert "the check character is wrong" in reasons["id_number"]
    assert "is not a county or district of Shaoguan" in reasons["county"]
    assert "x" in reasons, "an unknown field is refused, not dropped"


def test_a_past_date_is_judged_by_shaoguans_calendar() -> None:
    past = TypeAdapter(PastDate)
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC), tick=False):
        assert past.validate_python("2026-12-02") == date(2026, 12, 2)  # already today there
        with pytest.raises(ValidationError, match="lies in the future"):
            past.validate_python("2026-12-03")
