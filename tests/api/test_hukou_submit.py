"""The hukou API: submitting an application, decided at once; one person, one open application."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from shared import clock
from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    DEPARTMENTS,
    TRIAL,
    HukouApiTests,
    approve,
    fetch,
    ineligible_body,
    listed,
    reject,
    submit,
    submitted,
    undetermined_body,
)
from tests.support import Headers, error_of, person_id


class TestSubmit(HukouApiTests):
    def test_an_eligible_application_is_201_with_the_decision_and_every_check(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = submitted(hukou, officer, application())

        assert body["id"]
        assert body["status"] == "eligible"
        eligibility = body["eligibility"]
        assert eligibility["eligible"] is True
        assert eligibility["outcome"] == "eligible"
        assert eligibility["channel"] == "stable_residence"
        assert eligibility["rules_version"] == TRIAL
        assert eligibility["missing"] == []
        rules = [check["rule"] for check in eligibility["checks"]]
        assert "stable_residence.residence" in rules
        assert "stable_residence.insurance" in rules
        assert "rural_rights.kept" in rules
        for check in eligibility["checks"]:
            assert {"rule", "clause", "passed", "outcome", "reason"} <= set(check)
            assert check["passed"] is True
            assert check["outcome"] == "passed"
            assert check["clause"] and check["reason"]
        assert {check["clause"] for check in eligibility["checks"]} >= {"五", "二.1", "二.3"}
        assert body["fanout"] == dict.fromkeys(DEPARTMENTS, "not_started")

    def test_an_application_reads_back_as_it_was_answered(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        assert fetch(hukou, officer, created["id"]) == created

    def test_reading_an_unknown_application_is_404(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        response = hukou.get(f"{APPLICATIONS}/no-such-application", headers=officer)

        error_of(response, 404, "not_found")

    def test_an_ineligible_application_is_201_with_the_failing_check(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = submitted(hukou, officer, ineligible_body())

        assert body["status"] == "ineligible"
        assert body["eligibility"]["eligible"] is False
        assert body["eligibility"]["outcome"] == "ineligible"
        failing = [c for c in body["eligibility"]["checks"] if c["outcome"] == "failed"]
        assert [c["rule"] for c in failing] == ["insured_one_year.insured_months"]
        assert failing[0]["clause"] == "二.2"
        assert failing[0]["passed"] is False
        assert "11 months" in failing[0]["reason"]
        assert "12 months" in failing[0]["reason"]

    def test_twelve_months_insured_is_enough(self, hukou: TestClient, officer: Headers) -> None:
        body = ineligible_body()
        body["social_insurance"]["pension_months"] = 12

        assert submitted(hukou, officer, body)["status"] == "eligible"

    def test_missing_facts_leave_it_submitted_and_undetermined_naming_them(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = submitted(hukou, officer, undetermined_body())

        assert body["status"] == "submitted"
        eligibility = body["eligibility"]
        assert eligibility["eligible"] is False
        assert eligibility["outcome"] == "undetermined"
        assert eligibility["missing"] == [
            "social_insurance.pension_months",
            "social_insurance.medical_months",
        ]
        (check,) = [c for c in eligibility["checks"] if c["outcome"] == "undetermined"]
        assert check["rule"] == "stable_residence.insurance"
        assert check["passed"] is False
        assert check["missing"] == eligibility["missing"]

    @pytest.mark.parametrize("received_on", ["2017-10-22", "2020-10-23", "2021-06-01"])
    def test_received_outside_the_trial_period_is_undetermined_under_clause_five(
        self, hukou: TestClient, officer: Headers, received_on: str
    ) -> None:
        body = submitted(hukou, officer, application(received_on=received_on))

        assert body["status"] == "submitted"
        assert body["received_on"] == received_on
        eligibility = body["eligibility"]
        assert eligibility["outcome"] == "undetermined"
        assert eligibility["rules_version"] is None
        (check,) = eligibility["checks"]
        assert check["clause"] == "五"
        assert check["outcome"] == "undetermined"
        assert "2017-10-23" in check["reason"] and "2020-10-22" in check["reason"]

    @pytest.mark.parametrize("received_on", ["2017-10-23", "2020-10-22"])
    def test_the_first_and_last_day_of_the_trial_are_decided(
        self, hukou: TestClient, officer: Headers, received_on: str
    ) -> None:
        body = application(received_on=received_on)
        body["residence"]["since"] = "2017-01-01"

        decided = submitted(hukou, officer, body)

        assert decided["status"] == "eligible"
        assert decided["eligibility"]["rules_version"] == TRIAL

    def test_without_received_on_it_is_decided_as_of_today(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        del body["received_on"]

        decided = submitted(hukou, officer, body)

        assert decided["received_on"] == clock.today().isoformat()
        # The trial measures expired on 2020-10-22 and no successor is recorded.
        assert decided["eligibility"]["outcome"] == "undetermined"
        assert decided["eligibility"]["checks"][0]["clause"] == "五"

    def test_birth_date_and_sex_come_from_the_identity_number(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"]["id_number"] = person_id(date(1985, 12, 31), female=True)
        body["household"] = [
            {"id_number": person_id(date(1983, 7, 9)), "name": "王五", "relation": "spouse"}
        ]

        created = submitted(hukou, officer, body)

        assert created["applicant"]["birth_date"] == "1985-12-31"
        assert created["applicant"]["sex"] == "female"
        assert created["applicant"]["relation"] == "applicant"
        assert created["household"][0]["birth_date"] == "1983-07-09"
        assert created["household"][0]["sex"] == "male"

    def test_a_birth_date_agreeing_with_the_identity_number_is_accepted(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"]["birth_date"] = "1988-05-01"

        assert submitted(hukou, officer, body)["applicant"]["birth_date"] == "1988-05-01"

    def test_a_member_without_a_registration_shares_the_applicants(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"].update(hukou_region_code="440281", hukou_type="rural")

        created = submitted(hukou, officer, body)

        for member in created["household"]:
            assert member["hukou_region_code"] == "440281"
            assert member["hukou_type"] == "rural"

    def test_a_member_with_a_registration_of_its_own_keeps_it(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["household"][0].update(hukou_region_code="110105", hukou_type="urban")

        created = submitted(hukou, officer, body)

        spouse, child = created["household"]
        assert (spouse["hukou_region_code"], spouse["hukou_type"]) == ("110105", "urban")
        assert (child["hukou_region_code"], child["hukou_type"]) == ("441402", "rural")


# --- one person, one open application ------------------------------------------------------------


class TestOneOpenApplication(HukouApiTests):
    def test_an_applicant_already_in_an_open_application_is_409_naming_it(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        first = submitted(hukou, officer, application())
        second = application()
        second["applicant"]["id_number"] = first["applicant"]["id_number"]

        error = error_of(submit(hukou, officer, second), 409, "conflict")

        assert first["id"] in error["message"]
        (detail,) = error["details"]
        assert detail["field"] == "applicant.id_number"
        assert detail["application_id"] == first["id"]
        assert first["id"] in detail["reason"]
        assert listed(hukou, officer)["total"] == 1

    def test_a_household_member_already_in_an_open_application_is_409_naming_the_field(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        first = submitted(hukou, officer, application())
        child = first["household"][1]["id_number"]
        second = application()
        second["household"][1]["id_number"] = child

        error = error_of(submit(hukou, officer, second), 409, "conflict")

        (detail,) = error["details"]
        assert detail["field"] == "household[1].id_number"
        assert detail["application_id"] == first["id"]

    def test_the_conflict_masks_the_identity_number(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        first = submitted(hukou, officer, application())
        second = application()
        second["applicant"]["id_number"] = first["household"][0]["id_number"]

        response = submit(hukou, officer, second)

        assert response.status_code == 409
        assert first["household"][0]["id_number"] not in response.text

    @pytest.mark.parametrize("state", ["submitted", "eligible", "approved"])
    def test_each_open_state_holds_its_people(
        self, hukou: TestClient, officer: Headers, state: str
    ) -> None:
        body = undetermined_body() if state == "submitted" else application()
        first = submitted(hukou, officer, body)
        if state == "approved":
            assert approve(hukou, officer, first["id"]).status_code == 200
        again = application()
        again["household"][0]["id_number"] = first["household"][0]["id_number"]

        error = error_of(submit(hukou, officer, again), 409, "conflict")

        assert error["details"][0]["application_id"] == first["id"]

    def test_after_a_rejection_the_same_people_may_apply_again(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        first = submitted(hukou, officer, body)
        assert reject(hukou, officer, first["id"]).status_code == 200

        again = submitted(hukou, officer, body)

        assert again["id"] != first["id"]
        assert again["status"] == "eligible"

    def test_an_ineligible_application_does_not_hold_its_people(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        refused = ineligible_body()
        submitted(hukou, officer, refused)
        body = application()
        body["applicant"] = refused["applicant"]
        body["household"] = refused["household"]

        assert submitted(hukou, officer, body)["status"] == "eligible"
