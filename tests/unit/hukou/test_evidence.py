"""Residence permits as evidence of the declared residence start (三(九))."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.hukou.domain import (
    ApplicationFacts,
    PermitHistory,
    Person,
    Residence,
    SocialInsurance,
)
from services.hukou.rules import check_permit_evidence, decide_eligibility

SINCE = date(2018, 1, 1)


def facts(history: PermitHistory | None) -> ApplicationFacts:
    return ApplicationFacts(
        channel="stable_residence",
        destination_region_code="440203",
        decision_date=date(2019, 6, 1),
        applicant=Person(
            "441402198805010139", "张三", date(1988, 5, 1), "male", "applicant", "441402", "rural"
        ),
        residence=Residence("武江区", "rented", SINCE),
        social_insurance=SocialInsurance(14, 14, "440203", True),
        permit_history=history,
    )


def test_without_a_permit_service_no_evidence_check_is_made() -> None:
    assert check_permit_evidence(facts(None)) == ()


def test_no_permit_on_record_passes_because_a_permit_is_no_condition() -> None:
    (check,) = check_permit_evidence(facts(PermitHistory(available=True)))
    assert check.outcome == "passed"
    assert "not a condition" in check.reason


def test_a_permit_recording_residence_from_the_declared_day_agrees() -> None:
    (check,) = check_permit_evidence(facts(PermitHistory(True, SINCE, 1)))
    assert check.outcome == "passed"


def test_a_declared_start_before_the_permits_record_needs_a_case_worker() -> None:
    (check,) = check_permit_evidence(facts(PermitHistory(True, date(2018, 1, 2), 1)))
    assert (check.outcome, check.missing) == ("undetermined", ("residence.since",))
    assert "2018-01-01" in check.reason and "2018-01-02" in check.reason


def test_an_unanswering_permit_service_leaves_the_decision_undetermined() -> None:
    (check,) = check_permit_evidence(facts(PermitHistory(available=False)))
    assert check.outcome == "undetermined"


def test_a_mismatch_holds_an_otherwise_eligible_application_for_verification() -> None:
    agreeing = decide_eligibility(facts(PermitHistory(True, SINCE, 1)))
    contradicted = decide_eligibility(facts(PermitHistory(True, date(2018, 6, 1), 1)))
    assert (agreeing.outcome, contradicted.outcome) == ("eligible", "undetermined")
    assert contradicted.missing == ("residence.since",)


def test_the_check_needs_a_declared_residence() -> None:
    assert check_permit_evidence(replace(facts(PermitHistory(True)), residence=None)) == ()
