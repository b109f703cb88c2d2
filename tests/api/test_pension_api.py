"""The pension service in process: it acts on approved settlements from the log (三(七))."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.pension.app import build
from shared.events.envelope import new_event
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, approved_event
from tests.api.pension_support import (
    DEAD_LETTER_TOPIC,
    MEIZHOU,
    PARAMETERS,
    QUJIANG,
    ZHENJIANG,
    Headers,
    acted_on,
    drain,
    eventually,
    family,
    fields,
    headers,
    member_of,
    person,
    processed,
    publish,
    publish_settlement,
    reported,
    settlement,
    topic,
)

# --- fixtures: one service for the module (starting one costs about half a second) -----------


@pytest.fixture(scope="module")
def module_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("pension") / "var",
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
    )


@pytest.fixture(scope="module")
def client(module_settings: Settings) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LUOHU_PENSION_PARAMETERS", json.dumps(PARAMETERS))
        with TestClient(build(module_settings)) as service:
            yield service


@pytest.fixture
def settings(module_settings: Settings) -> Settings:
    return module_settings


@pytest.fixture
def officer(settings: Settings) -> Headers:
    """Human resources, the department that runs pension: reads and writes."""
    return headers(settings, "human_resources")


@pytest.fixture
def civil_affairs(settings: Settings) -> Headers:
    return headers(settings, "civil_affairs")


def confirmation_url(continuation_id: str) -> str:
    return f"/v1/continuations/{continuation_id}/confirmation"


def awaiting(client: TestClient, settings: Settings, officer: Headers) -> dict[str, Any]:
    """The applicant's continuation of a settlement insured outside Shaoguan."""
    data = settlement(
        social_insurance={
            "pension_months": 30,
            "insured_region_code": MEIZHOU,
            "employer_paid": True,
        }
    )
    publish_settlement(settings, data)
    applicant = member_of(acted_on(client, officer, data.settlement_id), 0)
    assert applicant["status"] == "awaiting_origin"
    return applicant


# --- decisions -----------------------------------------------------------------------------


class TestDecisions:
    def test_a_settlement_not_acted_on_is_a_404_with_an_error_body(
        self, client: TestClient, officer: Headers
    ) -> None:
        response = client.get(f"/v1/settlements/{uuid.uuid4()}", headers=officer)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_a_family_gets_a_continuation_per_adult_and_one_minimum_living_assessment(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)

        body = acted_on(client, officer, data.settlement_id)

        assert body["settlement_id"] == data.settlement_id
        assert body["decision_date"] == "2019-06-01"
        assert [c["member_index"] for c in body["continuations"]] == [0, 1, 3]  # no child
        applicant, spouse, grandfather = body["continuations"]
        assert applicant["relation"] == "applicant"
        assert applicant["scheme"] == "employee"
        assert applicant["months_carried_over"] == 14
        assert applicant["status"] == "continued"
        assert spouse["scheme"] == "information_needed"
        assert spouse["status"] == "information_needed"
        assert grandfather["status"] == "drawing"
        assert grandfather["age_on_decision_date"] == 69
        for continuation in body["continuations"]:
            assert continuation["clause"] == "三(七)"
            assert continuation["reason"]
            assert any(p["name"] == "age_of_majority" for p in continuation["parameters"])
        assessment = body["minimum_living"]
        assert assessment["outcome"] == "not_eligible"  # 4200 / 4 = 1050, standard 600
        assert assessment["household_size"] == 4
        assert assessment["per_capita_income"] == 1050.0
        assert assessment["standard"] == 600.0
        assert assessment["parameters"][0]["source"] == "test fixture"
        assert body["information_needed"] == spouse["missing"] + grandfather["missing"]

    def test_identity_numbers_are_shown_masked_never_whole(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)

        body = acted_on(client, officer, data.settlement_id)

        text = json.dumps(body, ensure_ascii=False)
        for member in data.members:
            assert member.id_number not in text
            assert member.name not in text
        assert re.fullmatch(
            r"[0-9]{4}\*{10}[0-9X]{4}", body["continuations"][0]["id_number_masked"]
        )

    def test_a_poor_household_is_eligible_for_the_minimum_living_guarantee(
        self, client: TestClient, settings: Settings, civil_affairs: Headers
    ) -> None:
        data = settlement(
            members=[person("applicant", date(1985, 1, 1)), person("child", date(2015, 1, 1))],
            housing={"monthly_household_income": 1000},
        )
        publish_settlement(settings, data)
        acted_on(client, civil_affairs, data.settlement_id)

        response = client.get(
            f"/v1/settlements/{data.settlement_id}/minimum-living", headers=civil_affairs
        )

        assert response.status_code == 200
        assessment = response.json()
        assert assessment["outcome"] == "eligible"  # 500 per person, below 600
        assert assessment["per_capita_income"] == 500.0
        assert assessment["clause"] == "三(七)"
        assert assessment["unit"] == "yuan per person per month"

    def test_a_county_without_a_standard_is_information_needed_naming_it(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement(region=QUJIANG)
        publish_settlement(settings, data)

        assessment = acted_on(client, officer, data.settlement_id)["minimum_living"]

        assert assessment["outcome"] == "information_needed"
        assert assessment["missing"] == [f"local parameter minimum_living_standard for {QUJIANG}"]

    def test_missing_income_is_information_needed_naming_it(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement(housing={})
        publish_settlement(settings, data)

        assessment = acted_on(client, officer, data.settlement_id)["minimum_living"]

        assert assessment["outcome"] == "information_needed"
        assert assessment["missing"] == ["housing.monthly_household_income"]

    def test_a_county_presumption_puts_other_adults_in_the_residents_scheme(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement(region=ZHENJIANG)
        publish_settlement(settings, data)

        spouse = member_of(acted_on(client, officer, data.settlement_id), 1)

        assert spouse["scheme"] == "urban_rural_resident"
        assert spouse["status"] == "awaiting_origin"
        assert spouse["months_carried_over"] is None
        assert any(
            p["name"] == "default_scheme_for_non_employed_adults" for p in spouse["parameters"]
        )

    def test_the_processed_report_is_done_with_a_summary_free_of_personal_data(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)
        acted_on(client, officer, data.settlement_id)

        (report,) = reported(settings, data.settlement_id)

        assert report["service"] == "pension"
        assert report["outcome"] == "done"
        assert "3 pension continuations" in report["summary"]
        assert not re.search(r"[0-9]{15}", report["summary"])


# --- delivery ------------------------------------------------------------------------------


class TestDelivery:
    def test_the_same_event_twice_makes_one_record_and_one_report(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        event = approved_event(data)
        publish(settings, event, event, key=data.settlement_id)

        first = acted_on(client, officer, data.settlement_id)
        drain(client, settings, officer)

        assert acted_on(client, officer, data.settlement_id) == first
        assert [r["outcome"] for r in processed(settings, data.settlement_id)] == ["done"]

    def test_a_second_event_for_the_same_settlement_changes_nothing(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)
        first = acted_on(client, officer, data.settlement_id)

        publish_settlement(settings, data)  # a new event id: the inbox cannot catch it
        second_report = reported(settings, data.settlement_id, count=2)[1]

        assert "already recorded" in second_report["summary"]
        assert acted_on(client, officer, data.settlement_id) == first

    def test_an_event_of_an_unknown_type_is_skipped(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        subject = str(uuid.uuid4())
        unknown = new_event(
            type_="cn.gov.shaoguan.hukou.settlement.reconsidered",
            source="/luohu/hukou",
            subject=subject,
            data={"settlement_id": subject},
        )
        publish(settings, unknown, key=subject)

        drain(client, settings, officer)

        assert client.get(f"/v1/settlements/{subject}", headers=officer).status_code == 404
        assert processed(settings, subject) == []

    def test_a_newer_minor_version_with_extra_fields_is_handled(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        payload = data.model_dump(mode="json")
        payload["pension_bureau_hint"] = "a field pension does not know yet"
        payload["members"][0]["nickname"] = "小张"
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=payload,
            extensions={"dataversion": "1.9"},
        )
        publish(settings, event, key=data.settlement_id)

        body = acted_on(client, officer, data.settlement_id)

        assert member_of(body, 0)["status"] == "continued"
        assert [r["outcome"] for r in reported(settings, data.settlement_id)] == ["done"]

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        payload = data.model_dump(mode="json")
        payload["members"][1]["relation"] = "cousin"  # no relation that settles
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=payload,
        )
        publish(settings, event, key=data.settlement_id)

        (report,) = reported(settings, data.settlement_id)
        dead = eventually(
            lambda: (
                [e for e in topic(settings, DEAD_LETTER_TOPIC) if e["id"] == event.get_id()] or None
            )
        )

        assert report["outcome"] == "failed"
        assert dead[0]["_key"] == data.settlement_id
        assert dead[0]["type"] == SETTLEMENT_APPROVED
        assert (
            client.get(f"/v1/settlements/{data.settlement_id}", headers=officer).status_code == 404
        )

    def test_a_member_born_after_the_decision_is_dead_lettered(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        members = [*family(), person("child", date(2020, 1, 1))]
        data = settlement(members=members)
        publish_settlement(settings, data)

        (report,) = reported(settings, data.settlement_id)

        assert report["outcome"] == "failed"
        assert "precedes" in report["summary"]
        assert (
            client.get(f"/v1/settlements/{data.settlement_id}", headers=officer).status_code == 404
        )


# --- the origin's confirmation -------------------------------------------------------------


class TestConfirmation:
    def test_the_origin_confirms_the_months_and_the_relationship_continues(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        continuation = awaiting(client, settings, officer)

        response = client.post(
            confirmation_url(continuation["id"]),
            json={"months_carried_over": 28, "reference": "梅州-2019-0001"},
            headers=officer,
        )

        assert response.status_code == 200, response.text
        confirmed = response.json()
        assert confirmed["status"] == "continued"
        assert confirmed["months_stated"] == 30
        assert confirmed["months_carried_over"] == 28
        assert confirmed["months_source"] == "origin_confirmation"
        assert confirmed["confirmation"]["confirmed_by"] == "dept:human_resources"
        assert confirmed["confirmation"]["origin_region_code"] == MEIZHOU
        again = client.get(f"/v1/continuations/{continuation['id']}", headers=officer).json()
        assert again == confirmed

    def test_a_second_confirmation_is_a_409(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        continuation = awaiting(client, settings, officer)
        url = confirmation_url(continuation["id"])
        assert (
            client.post(url, json={"months_carried_over": 30}, headers=officer).status_code == 200
        )

        response = client.post(url, json={"months_carried_over": 31}, headers=officer)

        assert response.status_code == 409
        assert "not awaiting" in response.json()["error"]["message"]

    def test_a_continuation_not_awaiting_the_origin_is_a_409(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)
        drawing = member_of(acted_on(client, officer, data.settlement_id), 3)

        response = client.post(
            confirmation_url(drawing["id"]), json={"months_carried_over": 1}, headers=officer
        )

        assert response.status_code == 409
        unchanged = client.get(f"/v1/continuations/{drawing['id']}", headers=officer).json()
        assert unchanged == drawing

    def test_the_same_idempotency_key_answers_the_first_answer_again(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        continuation = awaiting(client, settings, officer)
        url = confirmation_url(continuation["id"])
        keyed = {**officer, "Idempotency-Key": f"confirm-{continuation['id']}"}

        first = client.post(url, json={"months_carried_over": 30}, headers=keyed)
        second = client.post(url, json={"months_carried_over": 30}, headers=keyed)
        different = client.post(url, json={"months_carried_over": 29}, headers=keyed)

        assert first.status_code == second.status_code == 200
        assert second.json() == first.json()
        assert different.status_code == 409

    def test_an_unknown_continuation_is_a_404(self, client: TestClient, officer: Headers) -> None:
        response = client.post(
            confirmation_url(str(uuid.uuid4())), json={"months_carried_over": 1}, headers=officer
        )

        assert response.status_code == 404


# --- authorisation -------------------------------------------------------------------------


class TestAuthorisation:
    @pytest.fixture
    def done(self, client: TestClient, settings: Settings, officer: Headers) -> dict[str, Any]:
        data = settlement()
        publish_settlement(settings, data)
        return acted_on(client, officer, data.settlement_id)

    @pytest.mark.parametrize(
        "dept", ["human_resources", "civil_affairs", "public_security", "audit"]
    )
    def test_departments_holding_pension_read_may_read(
        self, client: TestClient, settings: Settings, done: dict[str, Any], dept: str
    ) -> None:
        reader = headers(settings, dept)
        sid = done["settlement_id"]

        assert client.get(f"/v1/settlements/{sid}", headers=reader).status_code == 200
        assert (
            client.get(f"/v1/settlements/{sid}/minimum-living", headers=reader).status_code == 200
        )

    @pytest.mark.parametrize("dept", ["housing", "education", "finance"])
    def test_other_departments_are_refused_with_403(
        self, client: TestClient, settings: Settings, done: dict[str, Any], dept: str
    ) -> None:
        response = client.get(
            f"/v1/settlements/{done['settlement_id']}", headers=headers(settings, dept)
        )

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"

    @pytest.mark.parametrize(
        "reader",
        [("civil_affairs",), ("audit",), ("public_security",), ("human_resources", "pension:read")],
    )
    def test_only_pension_write_may_confirm(
        self, client: TestClient, settings: Settings, done: dict[str, Any], reader: tuple[str, ...]
    ) -> None:
        applicant = done["continuations"][0]

        response = client.post(
            confirmation_url(applicant["id"]),
            json={"months_carried_over": 1},
            headers=headers(settings, *reader),
        )

        assert response.status_code == 403

    @pytest.mark.parametrize(
        "auth", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}]
    )
    def test_no_or_a_bad_token_is_a_401(
        self, client: TestClient, done: dict[str, Any], auth: Headers
    ) -> None:
        sid = done["settlement_id"]
        applicant = done["continuations"][0]

        for response in (
            client.get(f"/v1/settlements/{sid}", headers=auth),
            client.get(f"/v1/settlements/{sid}/minimum-living", headers=auth),
            client.get(f"/v1/continuations/{applicant['id']}", headers=auth),
            client.post(
                confirmation_url(applicant["id"]), json={"months_carried_over": 1}, headers=auth
            ),
        ):
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthenticated"


# --- invalid input -------------------------------------------------------------------------


class TestInvalidInput:
    @pytest.mark.parametrize("path", ["/v1/settlements/{}", "/v1/settlements/{}/minimum-living"])
    @pytest.mark.parametrize("bad", ["-starts-with-a-dash", "x" * 65, "has space"])
    def test_a_malformed_settlement_id_is_a_422_naming_it(
        self, client: TestClient, officer: Headers, path: str, bad: str
    ) -> None:
        assert fields(client.get(path.format(bad), headers=officer)) == {"settlement_id"}

    @pytest.mark.parametrize("path", ["/v1/continuations/{}", "/v1/continuations/{}/confirmation"])
    def test_a_continuation_id_that_is_no_uuid_is_a_422_naming_it(
        self, client: TestClient, officer: Headers, path: str
    ) -> None:
        url = path.format("not-a-uuid")
        response = (
            client.post(url, json={"months_carried_over": 1}, headers=officer)
            if url.endswith("confirmation")
            else client.get(url, headers=officer)
        )

        assert fields(response) == {"continuation_id"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "months_carried_over"),
            ({"months_carried_over": -1}, "months_carried_over"),
            ({"months_carried_over": 1201}, "months_carried_over"),
            ({"months_carried_over": "14"}, "months_carried_over"),
            ({"months_carried_over": 14.5}, "months_carried_over"),
            ({"months_carried_over": True}, "months_carried_over"),
            ({"months_carried_over": 14, "origin_region_code": "999999"}, "origin_region_code"),
            ({"months_carried_over": 14, "reference": ""}, "reference"),
            ({"months_carried_over": 14, "approved": True}, "approved"),
        ],
    )
    def test_a_bad_confirmation_is_a_422_naming_the_field_and_writes_nothing(
        self,
        client: TestClient,
        settings: Settings,
        officer: Headers,
        body: dict[str, Any],
        field: str,
    ) -> None:
        continuation = awaiting(client, settings, officer)

        response = client.post(confirmation_url(continuation["id"]), json=body, headers=officer)

        assert fields(response) == {field}
        assert all(d["reason"] for d in response.json()["error"]["details"])
        unchanged = client.get(f"/v1/continuations/{continuation['id']}", headers=officer).json()
        assert unchanged["status"] == "awaiting_origin"

    def test_a_missing_body_is_a_422(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        continuation = awaiting(client, settings, officer)

        response = client.post(confirmation_url(continuation["id"]), headers=officer)

        assert response.status_code == 422

    def test_an_idempotency_key_over_200_characters_is_a_422(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        continuation = awaiting(client, settings, officer)

        response = client.post(
            confirmation_url(continuation["id"]),
            json={"months_carried_over": 1},
            headers={**officer, "Idempotency-Key": "k" * 201},
        )

        assert fields(response) == {"Idempotency-Key"}
