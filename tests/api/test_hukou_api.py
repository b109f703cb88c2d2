"""The hukou service's HTTP API against CONTRACT.md, in process: one class per use case."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.hukou.app import build
from services.hukou.models import TABLES
from shared.auth import ALGORITHM
from shared.events.embedded import EmbeddedBus
from shared.identity import check_character
from shared.settings import Settings
from tests.api.conftest import application
from tests.conftest import TokenFactory, person_id

APPLICATIONS = "/v1/settlement-applications"
APPROVED_TOPIC = "hukou.settlement.approved"
APPROVED_TYPE = "cn.gov.shaoguan.hukou.settlement.approved"
DEPARTMENTS = ("housing", "medical_insurance", "pension", "education", "residence_permit")
TRIAL = "shaoguan-2017-trial"
WUJIANG, ZHENJIANG, QUJIANG = "440203", "440204", "440205"

Headers = dict[str, str]


# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No relay or consumer threads: stopping them costs half a second a test.

    The tests that watch the relay publish use `hukou_with_relay` instead of `hukou`.
    """
    return settings.model_copy(update={"start_workers": False})


@pytest.fixture
def hukou_with_relay(settings: Settings) -> Iterator[TestClient]:
    """The hukou service with its outbox relay running, as in production."""
    with TestClient(build(settings.model_copy(update={"start_workers": True}))) as client:
        yield client


@pytest.fixture
def officer(auth: TokenFactory) -> Headers:
    """A public security token with every scope the department holds."""
    return auth("public_security")


def ineligible_body(**overrides: Any) -> dict[str, Any]:
    """Eleven months insured under 二.2, which needs twelve: decided, and refused."""
    return application(
        channel="insured_one_year",
        social_insurance={
            "pension_months": 11,
            "medical_months": 11,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        **overrides,
    )


def undetermined_body(**overrides: Any) -> dict[str, Any]:
    """A stable-residence application that leaves out the insurance facts 二.1 needs."""
    body = application(**overrides)
    del body["social_insurance"]
    return body


def submit(client: TestClient, headers: Headers, body: dict[str, Any]) -> httpx.Response:
    return client.post(APPLICATIONS, json=body, headers=headers)


def submitted(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    """Submit and insist on the 201; the application resource."""
    response = submit(client, headers, body)
    assert response.status_code == 201, response.text
    resource: dict[str, Any] = response.json()
    return resource


def approve(client: TestClient, headers: Headers, application_id: str, **kw: Any) -> httpx.Response:
    return client.post(f"{APPLICATIONS}/{application_id}/approve", headers=headers, **kw)


def reject(
    client: TestClient, headers: Headers, application_id: str, body: Any = None
) -> httpx.Response:
    body = {"reason": "documents forged"} if body is None else body
    return client.post(f"{APPLICATIONS}/{application_id}/reject", headers=headers, json=body)


def fetch(client: TestClient, headers: Headers, application_id: str) -> dict[str, Any]:
    response = client.get(f"{APPLICATIONS}/{application_id}", headers=headers)
    assert response.status_code == 200, response.text
    resource: dict[str, Any] = response.json()
    return resource


def listed(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    response = client.get(APPLICATIONS, headers=headers, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["items"]}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The contract's error body: `{"error": {"code", "message", "details"}}`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def invalid(response: httpx.Response) -> list[dict[str, Any]]:
    """A 422 `invalid_input`, each detail naming a field and a reason; the details."""
    error = error_of(response, 422, "invalid_input")
    details: list[dict[str, Any]] = error["details"]
    assert details
    for detail in details:
        assert isinstance(detail["field"], str) and detail["field"]
        assert isinstance(detail["reason"], str) and detail["reason"]
    return details


def reason_for(details: list[dict[str, Any]], field: str) -> str:
    found = [d["reason"] for d in details if d["field"] == field]
    assert found, f"no detail names {field!r}: {details}"
    return found[0]


def assert_nothing_written(client: TestClient, headers: Headers) -> None:
    assert listed(client, headers)["total"] == 0


def approved_events(settings: Settings) -> list[dict[str, Any]]:
    """The CloudEvents on the approval topic of the embedded log, as they travel (JSON)."""
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return [json.loads(record.value) for record in bus.read(APPROVED_TOPIC)]
    finally:
        bus.close()


def wait_for(predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
    """Poll until `predicate` holds: the relay publishes in the background."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the relay")
        time.sleep(0.02)


def outbox_rows(client: TestClient) -> list[Any]:
    outbox = TABLES.outbox
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        return list(
            session.execute(select(outbox.c.topic, outbox.c.key, outbox.c.published_at)).all()
        )


def this_year() -> int:
    # Targets count approvals by the (UTC) day they were approved.
    return datetime.now(UTC).year


# --- submit --------------------------------------------------------------------------------------


class TestSubmit:
    def test_an_eligible_application_is_201_with_the_decision_and_every_check(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        response = submit(hukou, officer, application())

        assert response.status_code == 201
        body = response.json()
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
        response = submit(hukou, officer, ineligible_body())

        assert response.status_code == 201
        body = response.json()
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

        assert decided["received_on"] == date.today().isoformat()
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


# --- validation ----------------------------------------------------------------------------------


def wrong_check_character(id_number: str) -> str:
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


def impossible_birth_date() -> str:
    """A number whose only fault is its birth date, 1990-02-30 (the check character fits)."""
    first17 = "441402" + "19900230" + "123"
    return first17 + check_character(first17)


def with_relation(relation: str) -> dict[str, Any]:
    body = application()
    body["household"][0]["relation"] = relation
    return body


def with_repeated_member() -> dict[str, Any]:
    body = application()
    body["household"][1]["id_number"] = body["household"][0]["id_number"]
    return body


def with_contradicting_birth_date() -> dict[str, Any]:
    body = application()
    body["applicant"]["birth_date"] = "1970-01-01"
    return body


def with_surrender_required() -> dict[str, Any]:
    body = application()
    body["rural_rights"]["surrender_required"] = True
    return body


class TestValidation:
    def test_a_wrong_check_character_says_what_it_should_be(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        right = body["applicant"]["id_number"]
        body["applicant"]["id_number"] = wrong_check_character(right)

        details = invalid(submit(hukou, officer, body))

        reason = reason_for(details, "applicant.id_number")
        assert "check character is wrong" in reason
        assert f"it should be {right[17]}" in reason
        assert_nothing_written(hukou, officer)

    def test_a_household_members_bad_number_names_that_member(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["household"][1]["id_number"] = wrong_check_character(body["household"][1]["id_number"])

        details = invalid(submit(hukou, officer, body))

        assert "check character is wrong" in reason_for(details, "household[1].id_number")
        assert_nothing_written(hukou, officer)

    def test_a_number_of_the_wrong_shape_says_what_it_must_be(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"]["id_number"] = body["applicant"]["id_number"][:17]

        details = invalid(submit(hukou, officer, body))

        assert "18 characters" in reason_for(details, "applicant.id_number")
        assert_nothing_written(hukou, officer)

    def test_an_impossible_birth_date_in_the_number_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"]["id_number"] = impossible_birth_date()

        details = invalid(submit(hukou, officer, body))

        reason = reason_for(details, "applicant.id_number")
        assert "1990-02-30" in reason and "does not exist" in reason
        assert_nothing_written(hukou, officer)

    def test_a_birth_date_contradicting_the_number_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, with_contradicting_birth_date()))

        (detail,) = details
        assert detail["field"].startswith("applicant")
        assert "1970-01-01 contradicts the identity number" in detail["reason"]
        assert "1988-05-01" in detail["reason"]
        assert_nothing_written(hukou, officer)

    def test_an_unknown_registration_region_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["applicant"]["hukou_region_code"] = "999999"

        details = invalid(submit(hukou, officer, body))

        assert "not a GB/T 2260 region code" in reason_for(details, "applicant.hukou_region_code")
        assert_nothing_written(hukou, officer)

    def test_a_destination_outside_shaoguan_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, application(destination_region_code="440300")))

        reason = reason_for(details, "destination_region_code")
        assert "not a county or district of Shaoguan" in reason
        assert WUJIANG in reason  # the counties it may be are listed
        assert_nothing_written(hukou, officer)

    def test_a_residence_beginning_in_the_future_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["residence"]["since"] = (date.today() + timedelta(days=1)).isoformat()

        details = invalid(submit(hukou, officer, body))

        assert "lies in the future" in reason_for(details, "residence.since")
        assert_nothing_written(hukou, officer)

    def test_negative_months_of_insurance_are_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["social_insurance"]["pension_months"] = -1

        details = invalid(submit(hukou, officer, body))

        assert "greater than or equal to 0" in reason_for(
            details, "social_insurance.pension_months"
        )
        assert_nothing_written(hukou, officer)

    def test_an_application_received_in_the_future_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        tomorrow = (date.today() + timedelta(days=1)).isoformat()

        details = invalid(submit(hukou, officer, application(received_on=tomorrow)))

        assert "lies in the future" in reason_for(details, "received_on")
        assert_nothing_written(hukou, officer)

    @pytest.mark.parametrize("relation", ["sibling", "grandparent", "applicant"])
    def test_a_relation_other_than_spouse_child_or_parent_is_refused(
        self, hukou: TestClient, officer: Headers, relation: str
    ) -> None:
        details = invalid(submit(hukou, officer, with_relation(relation)))

        (detail,) = details
        assert detail["field"].startswith("household[0]")
        assert repr(relation) in detail["reason"]
        assert "spouse, minor children and parents" in detail["reason"]
        assert "二.3" in detail["reason"]
        assert_nothing_written(hukou, officer)

    def test_the_same_identity_number_twice_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, with_repeated_member()))

        (detail,) = details
        assert detail["field"] == "household[1].id_number"
        assert detail["reason"] == "repeats the identity number of household[0].id_number"
        assert_nothing_written(hukou, officer)

    def test_the_applicants_number_repeated_in_the_household_is_refused(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        body["household"][0]["id_number"] = body["applicant"]["id_number"].lower()

        details = invalid(submit(hukou, officer, body))

        assert details[0]["field"] == "household[0].id_number"
        assert details[0]["reason"] == "repeats the identity number of applicant.id_number"
        assert_nothing_written(hukou, officer)

    def test_requiring_rural_rights_to_be_given_up_is_refused_citing_three_four(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, with_surrender_required()))

        (detail,) = details
        assert detail["field"].startswith("rural_rights")
        assert "三(四)" in detail["reason"]
        assert_nothing_written(hukou, officer)

    def test_an_unknown_field_is_refused(self, hukou: TestClient, officer: Headers) -> None:
        body = application(nickname="阿三")
        body["applicant"]["mobile"] = "13800000000"

        details = invalid(submit(hukou, officer, body))

        assert "not permitted" in reason_for(details, "nickname")
        assert "not permitted" in reason_for(details, "applicant.mobile")
        assert_nothing_written(hukou, officer)

    def test_a_channel_outside_the_five_is_refused_listing_them(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, application(channel="points_system")))

        reason = reason_for(details, "channel")
        for channel in (
            "stable_residence",
            "insured_one_year",
            "talent",
            "rural_student",
            "collective_household",
        ):
            assert channel in reason
        assert_nothing_written(hukou, officer)

    def test_a_body_that_is_not_json_is_422_in_the_error_shape(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        response = hukou.post(
            APPLICATIONS,
            content=b"{not json",
            headers={**officer, "Content-Type": "application/json"},
        )

        invalid(response)
        assert_nothing_written(hukou, officer)

    @pytest.mark.parametrize(
        ("make_body", "field"),
        [
            pytest.param(with_contradicting_birth_date, "applicant.birth_date", id="birth_date"),
            pytest.param(lambda: with_relation("sibling"), "household[0].relation", id="relation"),
            pytest.param(with_repeated_member, "household[1].id_number", id="repeated_number"),
            pytest.param(
                with_surrender_required, "rural_rights.surrender_required", id="surrender"
            ),
        ],
    )
    def test_a_refusal_names_the_exact_field(
        self,
        hukou: TestClient,
        officer: Headers,
        make_body: Callable[[], dict[str, Any]],
        field: str,
    ) -> None:
        details = invalid(submit(hukou, officer, make_body()))

        assert [detail["field"] for detail in details] == [field]


# --- one person, one open application ------------------------------------------------------------


class TestOneOpenApplication:
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


# --- approve -------------------------------------------------------------------------------------


class TestApprove:
    def test_approving_an_eligible_application_makes_it_approved_with_every_department_pending(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(hukou, officer, created["id"])

        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        assert response.json()["approved_at"]
        assert response.json()["fanout"] == dict.fromkeys(DEPARTMENTS, "pending")
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "approved"
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "pending")

    def test_approving_an_ineligible_application_is_409_with_the_failing_checks(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, ineligible_body())

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        assert "ineligible" in error["message"]
        assert [d["rule"] for d in error["details"]] == ["insured_one_year.insured_months"]
        assert error["details"][0]["outcome"] == "failed"
        assert error["details"][0]["clause"] == "二.2"
        assert fetch(hukou, officer, created["id"])["status"] == "ineligible"

    def test_approving_an_undetermined_application_is_409_naming_what_is_missing(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, undetermined_body())

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        (detail,) = error["details"]
        assert detail["outcome"] == "undetermined"
        assert detail["missing"] == [
            "social_insurance.pension_months",
            "social_insurance.medical_months",
        ]
        assert fetch(hukou, officer, created["id"])["status"] == "submitted"

    def test_approving_twice_is_409(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())
        assert approve(hukou, officer, created["id"]).status_code == 200

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        assert "approved" in error["message"]

    def test_approving_a_rejected_application_is_409(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        assert reject(hukou, officer, created["id"]).status_code == 200

        error_of(approve(hukou, officer, created["id"]), 409, "conflict")

    def test_approving_an_unknown_application_is_404(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        error_of(approve(hukou, officer, "no-such-application"), 404, "not_found")

    @pytest.mark.parametrize(
        "kind", ["surrender_homestead", "surrender_land_contract", "surrender_collective_income"]
    )
    def test_a_condition_to_give_up_rural_rights_is_refused_citing_three_four(
        self, hukou: TestClient, officer: Headers, kind: str
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(hukou, officer, created["id"], json={"conditions": [{"kind": kind}]})

        details = invalid(response)
        assert "三(四)" in details[0]["reason"]
        assert kind in details[0]["reason"]
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "eligible"
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "not_started")

    def test_a_refused_condition_names_its_field(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())

        response = approve(
            hukou, officer, created["id"], json={"conditions": [{"kind": "surrender_homestead"}]}
        )

        assert [d["field"] for d in invalid(response)] == ["conditions[0].kind"]

    def test_a_note_and_an_ordinary_condition_are_recorded(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(
            hukou,
            officer,
            created["id"],
            json={
                "note": "documents checked",
                "conditions": [{"kind": "other", "description": "bring the lease"}],
            },
        )

        assert response.status_code == 200
        assert response.json()["status"] == "approved"

    def test_approval_publishes_exactly_one_settlement_approved_cloudevent(
        self, hukou_with_relay: TestClient, officer: Headers, settings: Settings
    ) -> None:
        client = hukou_with_relay
        body = application()
        body["household"][0].update(hukou_region_code="110105", hukou_type="urban")
        created = submitted(client, officer, body)
        assert approve(client, officer, created["id"]).status_code == 200

        wait_for(lambda: len(approved_events(settings)) >= 1)
        time.sleep(0.2)  # ten relay intervals: a second copy would show by now

        (event,) = approved_events(settings)
        assert event["specversion"] == "1.0"
        assert event["type"] == APPROVED_TYPE
        assert event["subject"] == created["id"]
        assert event["id"] and event["source"] and event["time"]
        data = event["data"]
        assert data["settlement_id"] == created["id"]
        assert data["rules_version"] == TRIAL
        assert data["channel"] == "stable_residence"
        assert data["destination_region_code"] == WUJIANG
        assert data["destination_address"] == body["residence"]["address"]
        assert data["decided_at"]
        assert data["members"] == [
            {
                "id_number": person["id_number"],
                "name": person["name"],
                "birth_date": person["birth_date"],
                "sex": person["sex"],
                "relation": person["relation"],
                "previous_region_code": person["hukou_region_code"],
                "previous_hukou_type": person["hukou_type"],
            }
            for person in (created["applicant"], *created["household"])
        ]
        assert data["members"][1]["previous_region_code"] == "110105"
        assert data["members"][1]["previous_hukou_type"] == "urban"
        assert data["social_insurance"]["pension_months"] == 14
        assert "surrender_required" not in (data["rural_rights"] or {})

    def test_the_event_is_keyed_by_the_settlement_id(
        self, hukou_with_relay: TestClient, officer: Headers, settings: Settings
    ) -> None:
        created = submitted(hukou_with_relay, officer, application())
        approve(hukou_with_relay, officer, created["id"])
        wait_for(lambda: len(approved_events(settings)) == 1)

        bus = EmbeddedBus(settings.event_log_path)
        try:
            (record,) = bus.read(APPROVED_TOPIC)
        finally:
            bus.close()

        assert record.key == created["id"]

    def test_the_outbox_row_is_committed_with_the_status_change(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        assert outbox_rows(hukou) == []

        approve(hukou, officer, created["id"])

        (row,) = outbox_rows(hukou)
        assert row.topic == APPROVED_TOPIC
        assert row.key == created["id"]
        assert fetch(hukou, officer, created["id"])["status"] == "approved"

    def test_an_approval_that_cannot_write_its_event_changes_nothing(
        self,
        hukou_with_relay: TestClient,
        officer: Headers,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        client = hukou_with_relay
        created = submitted(client, officer, application())

        def outbox_unavailable(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the outbox cannot be written")

        monkeypatch.setattr("services.hukou.operations.add_to_outbox", outbox_unavailable)
        with pytest.raises(RuntimeError, match="outbox"):
            approve(client, officer, created["id"])

        stored = fetch(client, officer, created["id"])
        assert stored["status"] == "eligible"
        assert stored["approved_at"] is None
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "not_started")
        assert outbox_rows(client) == []
        time.sleep(0.2)
        assert approved_events(settings) == []

    def test_a_failure_after_the_event_is_written_takes_the_event_back(
        self,
        hukou_with_relay: TestClient,
        officer: Headers,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        client = hukou_with_relay
        created = submitted(client, officer, application())

        def audit_unavailable(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("the audit log cannot be written")

        monkeypatch.setattr("services.hukou.operations.record_audit", audit_unavailable)
        with pytest.raises(RuntimeError, match="audit"):
            approve(client, officer, created["id"])
        monkeypatch.undo()

        assert fetch(client, officer, created["id"])["status"] == "eligible"
        assert outbox_rows(client) == []
        time.sleep(0.2)
        assert approved_events(settings) == []
        # ... and the approval goes through once the fault is gone.
        assert approve(client, officer, created["id"]).status_code == 200
        wait_for(lambda: len(approved_events(settings)) == 1)


# --- reject --------------------------------------------------------------------------------------


class TestReject:
    @pytest.mark.parametrize("make_body", [application, ineligible_body, undetermined_body])
    def test_rejecting_with_a_reason_stores_it(
        self, hukou: TestClient, officer: Headers, make_body: Callable[[], dict[str, Any]]
    ) -> None:
        created = submitted(hukou, officer, make_body())

        response = reject(hukou, officer, created["id"], {"reason": "the lease is forged"})

        assert response.status_code == 200
        assert response.json()["status"] == "rejected"
        assert response.json()["rejected_at"]
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "rejected"
        assert stored["rejection_reason"] == "the lease is forged"

    def test_rejecting_an_approved_application_is_409(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        approve(hukou, officer, created["id"])

        error = error_of(reject(hukou, officer, created["id"]), 409, "conflict")

        assert "approved" in error["message"]
        assert fetch(hukou, officer, created["id"])["status"] == "approved"

    def test_rejecting_twice_is_409(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())
        reject(hukou, officer, created["id"], {"reason": "first"})

        error_of(reject(hukou, officer, created["id"], {"reason": "second"}), 409, "conflict")

        assert fetch(hukou, officer, created["id"])["rejection_reason"] == "first"

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
    def test_rejecting_without_a_reason_is_422(
        self, hukou: TestClient, officer: Headers, body: dict[str, Any]
    ) -> None:
        created = submitted(hukou, officer, application())

        details = invalid(reject(hukou, officer, created["id"], body))

        assert reason_for(details, "reason")
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"

    def test_rejecting_an_unknown_application_is_404(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        error_of(reject(hukou, officer, "no-such-application"), 404, "not_found")


# --- list ----------------------------------------------------------------------------------------


class TestList:
    def test_an_empty_register_lists_nothing(self, hukou: TestClient, officer: Headers) -> None:
        page = listed(hukou, officer)

        assert page == {"items": [], "total": 0, "page": 1, "page_size": 50}

    def test_filtering_by_status(self, hukou: TestClient, officer: Headers) -> None:
        eligible = submitted(hukou, officer, application())
        ineligible = submitted(hukou, officer, ineligible_body())
        undetermined = submitted(hukou, officer, undetermined_body())

        assert ids(listed(hukou, officer, status="eligible")) == {eligible["id"]}
        assert ids(listed(hukou, officer, status="ineligible")) == {ineligible["id"]}
        assert ids(listed(hukou, officer, status="submitted")) == {undetermined["id"]}
        assert listed(hukou, officer, status="approved")["total"] == 0

    def test_an_unknown_status_is_422(self, hukou: TestClient, officer: Headers) -> None:
        response = hukou.get(APPLICATIONS, headers=officer, params={"status": "pending"})

        assert reason_for(invalid(response), "status")

    def test_filtering_by_destination(self, hukou: TestClient, officer: Headers) -> None:
        wujiang = submitted(hukou, officer, application())
        zhenjiang = submitted(hukou, officer, application(destination_region_code=ZHENJIANG))

        assert ids(listed(hukou, officer, destination_region_code=WUJIANG)) == {wujiang["id"]}
        assert ids(listed(hukou, officer, destination_region_code=ZHENJIANG)) == {zhenjiang["id"]}
        assert listed(hukou, officer, destination_region_code=QUJIANG)["total"] == 0

    @pytest.mark.parametrize("destination", ["440300", "4402", "abcdef"])
    def test_a_destination_outside_shaoguan_is_422(
        self, hukou: TestClient, officer: Headers, destination: str
    ) -> None:
        response = hukou.get(
            APPLICATIONS, headers=officer, params={"destination_region_code": destination}
        )

        assert "Shaoguan" in reason_for(invalid(response), "destination_region_code")

    def test_filtering_by_channel(self, hukou: TestClient, officer: Headers) -> None:
        stable = submitted(hukou, officer, application())
        talent = submitted(
            hukou, officer, application(channel="talent", talent={"category": "skilled_worker"})
        )

        assert ids(listed(hukou, officer, channel="talent")) == {talent["id"]}
        assert ids(listed(hukou, officer, channel="stable_residence")) == {stable["id"]}
        assert listed(hukou, officer, channel="rural_student")["total"] == 0

    def test_filtering_by_the_day_received_includes_both_ends(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        early, middle, late = (
            submitted(hukou, officer, application(received_on=day))["id"]
            for day in ("2019-01-15", "2019-06-01", "2020-03-01")
        )

        assert ids(listed(hukou, officer, submitted_from="2019-06-01")) == {middle, late}
        assert ids(listed(hukou, officer, submitted_to="2019-06-01")) == {early, middle}
        window = listed(hukou, officer, submitted_from="2019-01-16", submitted_to="2020-02-29")
        assert ids(window) == {middle}

    def test_a_household_members_number_finds_the_application(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        wanted = submitted(hukou, officer, application())
        submitted(hukou, officer, application())

        for person in (wanted["applicant"], *wanted["household"]):
            assert ids(listed(hukou, officer, id_number=person["id_number"])) == {wanted["id"]}
        stranger = person_id(date(1970, 1, 1))
        assert listed(hukou, officer, id_number=stranger)["total"] == 0

    def test_an_invalid_id_number_filter_is_422(self, hukou: TestClient, officer: Headers) -> None:
        number = wrong_check_character(person_id(date(1970, 1, 1)))

        response = hukou.get(APPLICATIONS, headers=officer, params={"id_number": number})

        assert "check character" in reason_for(invalid(response), "id_number")

    def test_pages_split_the_list_newest_first_and_total_counts_all(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = [submitted(hukou, officer, application())["id"] for _ in range(5)]

        pages = [listed(hukou, officer, page=n, page_size=2) for n in (1, 2, 3, 4)]

        assert [page["total"] for page in pages] == [5, 5, 5, 5]
        assert [(page["page"], page["page_size"]) for page in pages] == [
            (1, 2),
            (2, 2),
            (3, 2),
            (4, 2),
        ]
        assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
        in_order = [item["id"] for page in pages for item in page["items"]]
        assert in_order == list(reversed(created))

    @pytest.mark.parametrize(
        "params", [{"page_size": 0}, {"page_size": 500}, {"page_size": 201}, {"page": 0}]
    )
    def test_a_page_out_of_range_is_422(
        self, hukou: TestClient, officer: Headers, params: dict[str, int]
    ) -> None:
        response = hukou.get(APPLICATIONS, headers=officer, params=params)

        (field,) = params
        assert reason_for(invalid(response), field)

    def test_two_hundred_is_the_largest_page(self, hukou: TestClient, officer: Headers) -> None:
        assert listed(hukou, officer, page_size=200)["page_size"] == 200


# --- Idempotency-Key ---------------------------------------------------------------------------


class TestIdempotency:
    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing_new(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        headers = {**officer, "Idempotency-Key": "intake-2019-0001"}

        first = submit(hukou, headers, body)
        second = submit(hukou, headers, body)

        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert listed(hukou, officer)["total"] == 1

    def test_a_replay_is_not_refused_as_a_second_application_of_its_people(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        headers = {**officer, "Idempotency-Key": "intake-2019-0002"}
        first = submitted(hukou, headers, body)
        approve(hukou, officer, first["id"])

        replayed = submit(hukou, headers, body)

        assert replayed.status_code == 201
        assert replayed.json()["id"] == first["id"]
        assert listed(hukou, officer)["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        headers = {**officer, "Idempotency-Key": "intake-2019-0003"}
        first = submitted(hukou, headers, application())

        error = error_of(submit(hukou, headers, application()), 409, "conflict")

        assert error["details"][0]["field"] == "Idempotency-Key"
        assert ids(listed(hukou, officer)) == {first["id"]}

    def test_different_keys_create_different_applications(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        one = submitted(hukou, {**officer, "Idempotency-Key": "a"}, application())
        two = submitted(hukou, {**officer, "Idempotency-Key": "b"}, application())

        assert one["id"] != two["id"]
        assert listed(hukou, officer)["total"] == 2

    def test_a_refused_request_does_not_use_up_its_key(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        headers = {**officer, "Idempotency-Key": "intake-2019-0004"}
        invalid(submit(hukou, headers, application(destination_region_code="440300")))

        assert submitted(hukou, headers, application())["status"] == "eligible"

    def test_an_overlong_key_is_422(self, hukou: TestClient, officer: Headers) -> None:
        headers = {**officer, "Idempotency-Key": "k" * 201}

        details = invalid(submit(hukou, headers, application()))

        assert reason_for(details, "Idempotency-Key")
        assert_nothing_written(hukou, officer)

    # Keys of different departments cannot collide on this route: only public_security holds
    # settlement:write (shared/auth.py), so no second department can use a key here.


# --- authorisation -------------------------------------------------------------------------------


def crafted_token(settings: Settings, *, secret: str | None = None, **claims: Any) -> Headers:
    now = int(time.time())
    payload = {
        "iss": settings.jwt_issuer,
        "dept": "public_security",
        "scope": "settlement:read settlement:write settlement:approve",
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    token = jwt.encode(payload, secret or settings.jwt_secret, algorithm=ALGORITHM)
    return {"Authorization": f"Bearer {token}"}


class TestAuthorisation:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", APPLICATIONS),
            ("POST", APPLICATIONS),
            ("GET", f"{APPLICATIONS}/x"),
            ("POST", f"{APPLICATIONS}/x/approve"),
            ("POST", f"{APPLICATIONS}/x/reject"),
            ("GET", "/v1/settlement-targets/2019"),
        ],
    )
    def test_without_a_token_every_v1_route_is_401(
        self, hukou: TestClient, method: str, path: str
    ) -> None:
        response = hukou.request(method, path, json={})

        error_of(response, 401, "unauthenticated")

    @pytest.mark.parametrize(
        "authorization", ["Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "token"]
    )
    def test_a_garbage_token_is_401(self, hukou: TestClient, authorization: str) -> None:
        response = hukou.get(APPLICATIONS, headers={"Authorization": authorization})

        error_of(response, 401, "unauthenticated")

    def test_an_expired_token_is_401(self, hukou: TestClient, settings: Settings) -> None:
        past = int(time.time()) - 3600
        headers = crafted_token(settings, iat=past - 60, exp=past)

        error = error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

        assert "expired" in error["message"]

    def test_a_token_signed_with_another_secret_is_401(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(settings, secret="someone-elses-secret-of-enough-length")

        error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

    def test_a_token_from_another_issuer_is_401(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(settings, iss="somebody-else")

        error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

    def test_a_token_naming_an_unknown_department_is_401(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(settings, dept="tax")

        error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

    def test_a_token_without_a_department_is_401(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(settings, dept=None)

        error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

    def test_a_token_cannot_claim_scopes_its_department_lacks(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(settings, dept="housing", scope="settlement:write settlement:read")

        error_of(submit(hukou, headers, application()), 403, "forbidden")
        error_of(hukou.get(APPLICATIONS, headers=headers), 403, "forbidden")

    def test_housing_may_neither_submit_nor_list(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        housing = auth("housing")

        error = error_of(submit(hukou, housing, application()), 403, "forbidden")
        assert "settlement:write" in error["message"]
        error_of(hukou.get(APPLICATIONS, headers=housing), 403, "forbidden")
        assert_nothing_written(hukou, auth("public_security"))

    def test_a_read_only_token_may_list_but_neither_submit_nor_approve(
        self, hukou: TestClient, auth: TokenFactory, officer: Headers
    ) -> None:
        reader = auth("public_security", "settlement:read")
        created = submitted(hukou, officer, application())

        error_of(submit(hukou, reader, application()), 403, "forbidden")
        error_of(approve(hukou, reader, created["id"]), 403, "forbidden")
        error_of(reject(hukou, reader, created["id"]), 403, "forbidden")
        page = listed(hukou, reader)
        assert ids(page) == {created["id"]}
        assert fetch(hukou, reader, created["id"])["status"] == "eligible"

    def test_a_writer_without_approve_scope_may_submit_but_not_approve(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        clerk = auth("public_security", "settlement:write", "settlement:read")
        created = submitted(hukou, clerk, application())

        error_of(approve(hukou, clerk, created["id"]), 403, "forbidden")

    def test_audit_may_read_but_not_write(
        self, hukou: TestClient, auth: TokenFactory, officer: Headers
    ) -> None:
        audit = auth("audit")
        created = submitted(hukou, officer, application())

        assert ids(listed(hukou, audit)) == {created["id"]}
        assert fetch(hukou, audit, created["id"])["id"] == created["id"]
        error_of(submit(hukou, audit, application()), 403, "forbidden")
        error_of(approve(hukou, audit, created["id"]), 403, "forbidden")
        error_of(reject(hukou, audit, created["id"]), 403, "forbidden")
        put = hukou.put(
            f"/v1/settlement-targets/{this_year()}/{WUJIANG}",
            headers=audit,
            json={"target_persons": 1},
        )
        error_of(put, 403, "forbidden")
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"
        assert listed(hukou, officer)["total"] == 1


# --- targets -------------------------------------------------------------------------------------


def set_target(
    client: TestClient, headers: Headers, persons: int, *, county: str = WUJIANG
) -> httpx.Response:
    return client.put(
        f"/v1/settlement-targets/{this_year()}/{county}",
        headers=headers,
        json={"target_persons": persons, "note": "2017 work plan"},
    )


def target_of(client: TestClient, headers: Headers, county: str = WUJIANG) -> dict[str, Any]:
    response = client.get(f"/v1/settlement-targets/{this_year()}", headers=headers)
    assert response.status_code == 200, response.text
    (row,) = [row for row in response.json() if row["region_code"] == county]
    return row


class TestTargets:
    def test_a_target_shows_beside_the_people_approved_to_settle(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        put = set_target(hukou, officer, 10)
        assert put.status_code == 200
        created = submitted(hukou, officer, application())  # three people
        approve(hukou, officer, created["id"])

        row = target_of(hukou, officer)

        assert row["target_persons"] == 10
        assert row["note"] == "2017 work plan"
        assert row["settled_persons"] == 3
        assert row["approved_applications"] == 1
        assert "7 persons to the target" in row["advisory"]

    def test_only_approved_applications_count(self, hukou: TestClient, officer: Headers) -> None:
        set_target(hukou, officer, 10)
        submitted(hukou, officer, application())
        submitted(hukou, officer, ineligible_body())
        rejected = submitted(hukou, officer, application())
        reject(hukou, officer, rejected["id"])

        row = target_of(hukou, officer)

        assert (row["settled_persons"], row["approved_applications"]) == (0, 0)

    def test_every_county_is_listed_and_one_without_a_target_says_so(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        rows = set_target(hukou, officer, 5).json()

        assert len(rows) == 10
        assert {row["region_code"] for row in rows} >= {WUJIANG, ZHENJIANG, "440282"}
        other = next(row for row in rows if row["region_code"] == ZHENJIANG)
        assert other["target_persons"] is None
        assert other["advisory"] == "no target set"

    def test_setting_a_target_again_replaces_it(self, hukou: TestClient, officer: Headers) -> None:
        set_target(hukou, officer, 5)
        set_target(hukou, officer, 8)

        assert target_of(hukou, officer)["target_persons"] == 8

    def test_approving_beyond_the_target_succeeds_and_says_it_is_reached(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        set_target(hukou, officer, 2)
        created = submitted(hukou, officer, application())  # three people, target two

        response = approve(hukou, officer, created["id"])

        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        row = target_of(hukou, officer)
        assert row["settled_persons"] == 3
        assert "target reached" in row["advisory"]
        assert "二.7" in row["advisory"]
        # ... and the next eligible household is approved all the same.
        later = submitted(hukou, officer, application())
        assert approve(hukou, officer, later["id"]).status_code == 200
        assert target_of(hukou, officer)["settled_persons"] == 6

    @pytest.mark.parametrize("county", ["440300", "440200", "440221"])
    def test_a_county_outside_shaoguan_is_422(
        self, hukou: TestClient, officer: Headers, county: str
    ) -> None:
        details = invalid(set_target(hukou, officer, 5, county=county))

        assert "Shaoguan" in reason_for(details, "region_code")

    def test_a_negative_target_is_422(self, hukou: TestClient, officer: Headers) -> None:
        details = invalid(set_target(hukou, officer, -1))

        assert reason_for(details, "target_persons")

    def test_housing_may_not_set_a_target(self, hukou: TestClient, auth: TokenFactory) -> None:
        error_of(set_target(hukou, auth("housing"), 5), 403, "forbidden")

        assert target_of(hukou, auth("public_security"))["target_persons"] is None

    def test_report_readers_may_read_the_targets(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        assert target_of(hukou, auth("finance"))["advisory"] == "no target set"
        error_of(set_target(hukou, auth("finance"), 5), 403, "forbidden")


# --- operations ----------------------------------------------------------------------------------


class TestOperations:
    def test_healthz_answers_without_a_token(self, hukou: TestClient) -> None:
        response = hukou.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "service": "hukou"}

    def test_readyz_reports_database_and_bus_reachable(self, hukou: TestClient) -> None:
        response = hukou.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"ready": True, "checks": {"database": "ok", "bus": "ok"}}

    def test_readyz_is_503_when_the_bus_is_away(
        self, hukou: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def unreachable() -> None:
            raise OSError("the event log is gone")

        monkeypatch.setattr(hukou.app.state.runtime.bus, "ping", unreachable)  # type: ignore[attr-defined]

        response = hukou.get("/readyz")

        assert response.status_code == 503
        assert response.json()["ready"] is False
        assert response.json()["checks"]["database"] == "ok"
        assert response.json()["checks"]["bus"].startswith("unavailable")

    def test_metrics_count_http_requests_by_route_template(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        hukou.get(f"{APPLICATIONS}/some-id", headers=officer)

        response = hukou.get("/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert "luohu_http_requests_total" in response.text
        assert 'route="/v1/settlement-applications/{application_id}"' in response.text
        assert "some-id" not in response.text

    def test_openapi_lists_the_routes(self, hukou: TestClient) -> None:
        document = hukou.get("/openapi.json").json()

        operations = {
            (method.upper(), path) for path, item in document["paths"].items() for method in item
        }
        assert operations >= {
            ("GET", "/healthz"),
            ("GET", "/readyz"),
            ("GET", "/metrics"),
            ("POST", APPLICATIONS),
            ("GET", APPLICATIONS),
            ("GET", f"{APPLICATIONS}/{{application_id}}"),
            ("POST", f"{APPLICATIONS}/{{application_id}}/approve"),
            ("POST", f"{APPLICATIONS}/{{application_id}}/reject"),
            ("PUT", "/v1/settlement-targets/{year}/{region_code}"),
            ("GET", "/v1/settlement-targets/{year}"),
        }

    def test_openapi_documents_the_error_responses(self, hukou: TestClient) -> None:
        paths = hukou.get("/openapi.json").json()["paths"]
        error_schema = {"$ref": "#/components/schemas/ErrorResponse"}

        def documented(method: str, path: str) -> dict[str, Any]:
            responses: dict[str, Any] = paths[path][method]["responses"]
            return {
                status: body["content"]["application/json"]["schema"]
                for status, body in responses.items()
                if status[0] in "45"
            }

        assert documented("post", APPLICATIONS) == dict.fromkeys(
            ("401", "403", "409", "422"), error_schema
        )
        approve_errors = documented("post", f"{APPLICATIONS}/{{application_id}}/approve")
        assert approve_errors == dict.fromkeys(("401", "403", "404", "409", "422"), error_schema)
        read_errors = documented("get", f"{APPLICATIONS}/{{application_id}}")
        assert read_errors["404"] == error_schema

    def test_every_v1_operation_documents_401_403_and_422_in_the_error_shape(
        self, hukou: TestClient
    ) -> None:
        paths = hukou.get("/openapi.json").json()["paths"]
        error_schema = {"$ref": "#/components/schemas/ErrorResponse"}

        undocumented = []
        for path, item in paths.items():
            if not path.startswith("/v1/"):
                continue
            for method, operation in item.items():
                responses = operation["responses"]
                for status in ("401", "403", "422"):
                    schema = (
                        responses.get(status, {})
                        .get("content", {})
                        .get("application/json", {})
                        .get("schema")
                    )
                    if schema != error_schema:
                        undocumented.append(f"{method.upper()} {path} {status}")
        assert undocumented == []

    def test_docs_are_served(self, hukou: TestClient) -> None:
        response = hukou.get("/docs")

        assert response.status_code == 200
        assert "swagger" in response.text.lower()

    def test_an_unexpected_failure_answers_500_in_the_error_shape(
        self, hukou: TestClient, officer: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def database_fault(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk I/O error")

        monkeypatch.setattr("services.hukou.views.list_applications", database_fault)
        quiet = TestClient(hukou.app, raise_server_exceptions=False)

        response = quiet.get(APPLICATIONS, headers=officer)

        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] and error["message"]
        assert "disk I/O error" not in error["message"]
