"""The hukou API on the channels as the text says them: 二.2 (urban social insurance, pension or
medical), 二.4 (the talent category shown by evidence), 二.5 (a graduate's origin is the
registration before the college), and the 422s of their input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    HukouApiTests,
    assert_nothing_written,
    submit,
    submitted,
)
from tests.support import WUJIANG, Headers, invalid, ok, reason_for

LECHANG, GUANGZHOU_COLLEGE = "440281", "440106"  # 乐昌市 (Shaoguan); 天河区 (Guangzhou)


def graduate_body(**student: Any) -> dict[str, Any]:
    """A graduate registered at a college in Guangzhou (urban), from a rural registration in
    乐昌市, moving back there."""
    body = application(channel="rural_student", destination_region_code=LECHANG, household=[])
    body["applicant"].update(hukou_region_code=GUANGZHOU_COLLEGE, hukou_type="urban")
    body["student"] = {
        "stage": "graduated",
        "college_region_code": GUANGZHOU_COLLEGE,
        "origin_region_code": LECHANG,
        "origin_hukou_type": "rural",
        **student,
    }
    return body


def talent_body(**talent: Any) -> dict[str, Any]:
    return application(channel="talent", talent={"category": "college_graduate", **talent})


class TestChannels(HukouApiTests):
    def test_a_graduate_registered_at_the_college_moves_back_to_the_place_of_origin(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        # 毕业后可根据本人意愿,将户口迁回原籍地: the origin is the registration before the college.
        assert submitted(hukou, officer, graduate_body())["status"] == "eligible"

    def test_a_graduate_without_the_origin_is_undetermined_naming_it(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, graduate_body(origin_region_code=None))

        assert created["status"] == "submitted"
        assert "student.origin_region_code" in created["eligibility"]["missing"]

    def test_24_months_of_urban_employee_medical_insurance_alone_are_eligible(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        insurance = {
            "pension_months": 0,
            "medical_months": 24,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        }
        body = application(channel="insured_one_year", social_insurance=insurance)

        assert submitted(hukou, officer, body)["status"] == "eligible"

    @pytest.mark.parametrize(
        ("scheme", "status"),
        [("urban_employee", "eligible"), ("urban_rural_resident", "ineligible")],
    )
    def test_without_an_employer_the_stated_scheme_decides(
        self, hukou: TestClient, officer: Headers, scheme: str, status: str
    ) -> None:
        # 参加城镇社会保险: a flexible worker (灵活就业人员) pays the employees' scheme alone.
        insurance = {
            "pension_months": 24,
            "medical_months": 24,
            "insured_region_code": WUJIANG,
            "employer_paid": False,
            "scheme": scheme,
        }
        body = application(channel="insured_one_year", social_insurance=insurance)

        assert submitted(hukou, officer, body)["status"] == status

    def test_an_unknown_scheme_is_a_422_naming_it(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        insurance = {"pension_months": 24, "scheme": "employee"}
        body = application(channel="insured_one_year", social_insurance=insurance)
        response = hukou.post("/v1/settlement-applications", json=body, headers=officer)
        assert "social_insurance.scheme" in {d["field"] for d in invalid(response)}

    def test_a_talent_without_evidence_waits_for_it_and_is_eligible_once_given(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, talent_body())
        assert created["eligibility"]["missing"] == ["talent.evidence"]

        supplied = {"talent": {"category": "college_graduate", "evidence": "毕业证书 123456"}}
        response = hukou.post(
            f"{APPLICATIONS}/{created['id']}/reassess", headers=officer, json=supplied
        )

        assert ok(response)["status"] == "eligible"


INVALID = [
    pytest.param(
        talent_body(evidence="   "),
        "talent.evidence",
        "at least 1 character",
        id="blank_talent_evidence",
    ),
    pytest.param(
        talent_body(evidence="x" * 501),
        "talent.evidence",
        "at most 500 characters",
        id="talent_evidence_over_500_characters",
    ),
    pytest.param(
        graduate_body(origin_region_code="44028"),
        "student.origin_region_code",
        "is not a GB/T 2260 region code",
        id="an_origin_that_is_no_region_code",
    ),
    pytest.param(
        graduate_body(origin_hukou_type="farmer"),
        "student.origin_hukou_type",
        "'rural' or 'urban'",
        id="an_origin_type_that_is_neither_rural_nor_urban",
    ),
    pytest.param(
        graduate_body(stage="admitted"),
        "student.origin_region_code",
        "only for a graduate",
        id="an_origin_stated_for_an_admitted_student",
    ),
]


class TestChannelInput(HukouApiTests):
    @pytest.mark.parametrize(("body", "field", "reason"), INVALID)
    def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
        self, hukou: TestClient, officer: Headers, body: dict[str, Any], field: str, reason: str
    ) -> None:
        details = invalid(submit(hukou, officer, body))

        assert reason in reason_for(details, field)
        assert_nothing_written(hukou, officer)
