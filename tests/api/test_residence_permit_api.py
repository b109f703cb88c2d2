"""The residence permit service's HTTP API and events, in process: one class per use case."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.residence_permit.app import build
from services.residence_permit.models import TABLES
from services.residence_permit.rules import add_months
from shared.events.embedded import EmbeddedBus
from shared.identity import check_character
from shared.settings import Settings
from tests.api.residence_permit_support import (
    DEAD_LETTERS,
    PERMITS,
    PROCESSED_TOPIC,
    WUJIANG,
    ZHENJIANG,
    Headers,
    application,
    body_of,
    error_of,
    field_reasons,
    issued_on,
    new_id,
    publish,
    read_topic,
    settlement,
    today,
    wait_for,
    years_ago,
)
from tests.conftest import TokenFactory

ART_2 = "居住证暂行条例 第二条"
NANXIONG, LECHANG = "440282", "440281"
APPROVED_TOPIC = "hukou.settlement.approved"

# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One service for the module, on a folder of its own: starting one costs a quarter of a
    second, so the tests share it and keep to people and counties of their own."""
    return Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("residence_permit") / "var",
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
    )


@pytest.fixture
def settings(platform_settings: Settings) -> Settings:
    """The module's settings: `auth` signs tokens for them, events go on their log."""
    return platform_settings


@pytest.fixture(scope="module")
def service(platform_settings: Settings) -> Iterator[TestClient]:
    """The service with its outbox relay and its settlement consumer running."""
    with TestClient(build(platform_settings)) as client:
        yield client


@pytest.fixture
def officer(auth: TokenFactory) -> Headers:
    return auth("public_security")


@pytest.fixture
def auditor(auth: TokenFactory) -> Headers:
    return auth("audit")


def apply(client: TestClient, headers: Headers, body: dict[str, Any]) -> Any:
    return client.post(PERMITS, json=body, headers=headers)


def issued(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    return body_of(apply(client, headers, body), 201)


def endorse(client: TestClient, headers: Headers, permit_id: str, body: Any) -> Any:
    return client.post(f"{PERMITS}/{permit_id}/endorsements", json=body, headers=headers)


def fetch(client: TestClient, headers: Headers, permit_id: str) -> dict[str, Any]:
    return body_of(client.get(f"{PERMITS}/{permit_id}", headers=headers), 200)


def listed(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    return body_of(client.get(PERMITS, headers=headers, params=params), 200)


def check(client: TestClient, headers: Headers, id_number: str, service: str) -> Any:
    params = {"id_number": id_number, "service": service}
    return client.get("/v1/entitlements/check", headers=headers, params=params)


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    events = read_topic(settings, PROCESSED_TOPIC)
    return [e for e in events if e["data"]["settlement_id"] == settlement_id]


def acted_on(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    """Poll the settlement until the consumer has acted on it."""

    def answer() -> Any:
        response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
        return response.json() if response.status_code == 200 else None

    found: dict[str, Any] = wait_for(answer)
    return found


def caught_up(settings: Settings) -> bool:
    """Whether the consumer has committed everything on the approval topic."""
    bus = EmbeddedBus(settings.event_log_path)
    try:
        end = bus.end_offsets([APPROVED_TOPIC])[APPROVED_TOPIC]
        return bus.committed("residence_permit", APPROVED_TOPIC) == end
    finally:
        bus.close()


def unpublished(client: TestClient) -> list[Any]:
    outbox = TABLES.outbox
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        return list(session.execute(select(outbox.c.id).where(outbox.c.published_at.is_(None))))


def dead_letters(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    letters = read_topic(settings, DEAD_LETTERS)
    return [letter for letter in letters if letter["subject"] == settlement_id]


# --- apply ---------------------------------------------------------------------------------------


class TestApply:
    def test_half_a_year_of_residence_and_a_basis_issue_a_permit_for_a_year(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application()
        permit = issued(service, officer, body)
        assert permit["status"] == "valid"
        assert permit["id_number"] == body["id_number"]
        assert permit["region_code"] == WUJIANG and "武江区" in permit["region_name"]
        assert permit["applied_on"] == permit["issued_on"] == today().isoformat()
        assert permit["valid_from"] == today().isoformat()
        assert date.fromisoformat(permit["valid_to"]) == years_ago(-1) - timedelta(days=1)
        assert permit["residence_counted_from"] == today().isoformat()
        decision = permit["decision"]
        assert decision["clause"] == "三(九)"
        assert all(c["passed"] for c in decision["checks"])
        assert {c["regulation"] for c in decision["checks"]} >= {ART_2}
        assert "minimum_residence_months" in {p["name"] for p in decision["parameters"]}

    def test_the_permit_reads_back_as_it_was_answered(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, application())
        assert fetch(service, officer, permit["id"]) == permit

    def test_an_unknown_permit_is_404(self, service: TestClient, officer: Headers) -> None:
        error_of(service.get(f"{PERMITS}/nope", headers=officer), 404, "not_found")

    def test_exactly_six_months_of_residence_is_enough(
        self, service: TestClient, officer: Headers
    ) -> None:
        since = add_months(today(), -6)
        issued(service, officer, application(resident_since=since.isoformat()))

    def test_one_day_short_of_six_months_is_422_naming_resident_since_and_article_two(
        self, service: TestClient, officer: Headers
    ) -> None:
        since = add_months(today(), -6) + timedelta(days=1)
        response = apply(service, officer, application(resident_since=since.isoformat()))
        error = error_of(response, 422, "invalid_input")
        [detail] = error["details"]
        assert detail["field"] == "resident_since"
        assert detail["regulation"] == ART_2 and detail["clause"] == "三(九)"
        assert "half a year" in detail["reason"] and ART_2 in error["message"]

    def test_no_basis_is_422_naming_basis_and_article_two(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application()
        del body["basis"]
        reasons = field_reasons(apply(service, officer, body))
        assert list(reasons) == ["basis"] and ART_2 in reasons["basis"]

    def test_an_unknown_basis_is_422_listing_the_three(
        self, service: TestClient, officer: Headers
    ) -> None:
        reasons = field_reasons(apply(service, officer, application(basis="tourism")))
        assert "employment" in reasons["basis"] and "study" in reasons["basis"]

    @pytest.mark.parametrize("basis", ["employment", "residence", "study"])
    def test_each_basis_is_accepted(
        self, service: TestClient, officer: Headers, basis: str
    ) -> None:
        assert issued(service, officer, application(basis=basis))["basis"] == basis

    def test_a_person_registered_in_shaoguan_is_422(
        self, service: TestClient, officer: Headers
    ) -> None:
        reasons = field_reasons(apply(service, officer, application(hukou_region_code=ZHENJIANG)))
        assert "not registered in the city" in reasons["hukou_region_code"]

    def test_a_minor_under_sixteen_without_a_guardian_is_422_naming_guardian(
        self, service: TestClient, officer: Headers
    ) -> None:
        child = new_id(years_ago(15))
        reasons = field_reasons(apply(service, officer, application(id_number=child)))
        assert "guardian" in reasons and "居住证暂行条例 第九条" in reasons["guardian"]

    def test_a_minor_with_a_guardian_is_issued_and_the_guardian_recorded(
        self, service: TestClient, officer: Headers
    ) -> None:
        guardian = {"id_number": new_id(date(1985, 1, 1)), "name": "王父", "relation": "parent"}
        body = application(id_number=new_id(years_ago(15)), basis="study", guardian=guardian)
        assert issued(service, officer, body)["guardian"] == guardian

    def test_a_person_of_sixteen_needs_no_guardian(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application(id_number=new_id(years_ago(16)), resident_since=years_ago(1).isoformat())
        assert issued(service, officer, body)["guardian"] is None

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"applied_on": "2999-01-01"}, "applied_on"),
            ({"resident_since": "2999-01-01"}, "resident_since"),
            ({"region_code": "440300"}, "region_code"),
            ({"hukou_region_code": "999999"}, "hukou_region_code"),
            ({"address": ""}, "address"),
            ({"name": ""}, "name"),
            ({"unknown": 1}, "unknown"),
            (
                {"guardian": {"id_number": "x", "name": "a", "relation": "parent"}},
                "guardian.id_number",
            ),
            (
                {
                    "guardian": {
                        "id_number": new_id(date(1980, 1, 1)),
                        "name": "a",
                        "relation": "boss",
                    }
                },
                "guardian.relation",
            ),
        ],
    )
    def test_invalid_fields_are_422_naming_them(
        self, service: TestClient, officer: Headers, overrides: dict[str, Any], field: str
    ) -> None:
        assert field in field_reasons(apply(service, officer, application(**overrides)))

    def test_a_wrong_check_character_says_what_it_should_be(
        self, service: TestClient, officer: Headers
    ) -> None:
        number = new_id(date(1990, 5, 1))
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        reasons = field_reasons(apply(service, officer, application(id_number=wrong)))
        assert f"it should be {check_character(number[:17])}" in reasons["id_number"]

    def test_before_the_regulations_took_effect_is_422_naming_applied_on(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application(applied_on="2015-12-31", resident_since="2015-01-01")
        assert "2016-01-01" in field_reasons(apply(service, officer, body))["applied_on"]

    def test_a_refusal_writes_nothing(self, service: TestClient, officer: Headers) -> None:
        body = application(basis=None)
        error_of(apply(service, officer, body), 422, "invalid_input")
        assert listed(service, officer, id_number=body["id_number"])["total"] == 0


class TestOnePermitPerPerson:
    def test_a_second_application_while_one_is_valid_is_409_naming_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application()
        first = issued(service, officer, body)
        error = error_of(
            apply(service, officer, application(id_number=body["id_number"])), 409, "conflict"
        )
        assert first["id"] in error["message"]
        assert error["details"][0]["permit_id"] == first["id"]
        assert body["id_number"] not in str(error)  # masked

    def test_a_new_application_supersedes_a_lapsed_permit(
        self, service: TestClient, officer: Headers
    ) -> None:
        old = issued(service, officer, issued_on(years_ago(1, days=1)))
        assert old["status"] == "lapsed"
        new = issued(service, officer, application(id_number=old["id_number"]))
        closed = fetch(service, officer, old["id"])
        assert closed["status"] == "closed" and closed["closed_reason"] == "superseded"
        assert closed["superseded_by"] == new["id"]


class TestIdempotency:
    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing(
        self, service: TestClient, officer: Headers
    ) -> None:
        body, key = application(), {"Idempotency-Key": "k-1"}
        first = apply(service, {**officer, **key}, body)
        again = apply(service, {**officer, **key}, body)
        assert body_of(first, 201) == body_of(again, 201)
        assert listed(service, officer, id_number=body["id_number"])["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, service: TestClient, officer: Headers
    ) -> None:
        key = {**officer, "Idempotency-Key": "k-2"}
        body_of(apply(service, key, application()), 201)
        error_of(apply(service, key, application()), 409, "conflict")

    def test_a_repeated_endorsement_is_recorded_once(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        key = {**officer, "Idempotency-Key": "e-1"}
        body = {"still_resident": True}
        first = body_of(endorse(service, key, permit["id"], body), 201)
        again = body_of(endorse(service, key, permit["id"], body), 201)
        assert first == again
        assert len(fetch(service, officer, permit["id"])["endorsements"]) == 1


# --- endorse -------------------------------------------------------------------------------------


class TestEndorse:
    def test_an_endorsement_in_the_month_before_the_year_is_full_extends_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        endorsed = body_of(endorse(service, officer, permit["id"], {"still_resident": True}), 201)
        old_end = date.fromisoformat(permit["valid_to"])
        assert endorsed["endorsement"]["kind"] == "on_time"
        assert endorsed["endorsement"]["previous_valid_to"] == permit["valid_to"]
        assert endorsed["permit"]["valid_from"] == (old_end + timedelta(days=1)).isoformat()
        assert date.fromisoformat(endorsed["permit"]["valid_to"]) > old_end + timedelta(days=360)
        assert endorsed["permit"]["residence_counted_from"] == permit["issued_on"]
        assert endorsed["permit"]["endorsements"] == [endorsed["endorsement"]]

    def test_an_endorsement_before_the_window_opens_is_409(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, application())
        error = error_of(
            endorse(service, officer, permit["id"], {"still_resident": True}), 409, "conflict"
        )
        assert "too early" in error["message"] and "第十条" in error["message"]

    def test_a_lapsed_permit_reads_lapsed_and_a_make_up_endorsement_restores_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        assert permit["status"] == "lapsed"
        endorsed = body_of(endorse(service, officer, permit["id"], {"still_resident": True}), 201)
        assert endorsed["endorsement"]["kind"] == "make_up"
        assert "补办签注" in endorsed["endorsement"]["reason"]
        restored = endorsed["permit"]
        assert restored["status"] == "valid"
        assert restored["valid_from"] == restored["residence_counted_from"] == today().isoformat()

    def test_a_permit_issued_a_year_less_a_day_ago_is_in_its_last_valid_day(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-1)))
        assert permit["status"] == "valid"
        # today, or tomorrow where a 29 February moved the anniversary
        assert permit["valid_to"] in (
            today().isoformat(),
            (today() + timedelta(days=1)).isoformat(),
        )

    def test_a_holder_no_longer_resident_is_422_naming_still_resident(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        reasons = field_reasons(endorse(service, officer, permit["id"], {"still_resident": False}))
        assert "第十条" in reasons["still_resident"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "still_resident"),
            ({"still_resident": True, "endorsed_on": "2999-01-01"}, "endorsed_on"),
            ({"still_resident": True, "endorsed_on": "2001-01-01"}, "endorsed_on"),
            ({"still_resident": True, "extra": 1}, "extra"),
        ],
    )
    def test_invalid_endorsements_are_422_naming_the_field(
        self, service: TestClient, officer: Headers, body: dict[str, Any], field: str
    ) -> None:
        permit = issued(service, officer, application())
        assert field in field_reasons(endorse(service, officer, permit["id"], body))

    def test_endorsing_an_unknown_permit_is_404(
        self, service: TestClient, officer: Headers
    ) -> None:
        error_of(endorse(service, officer, "nope", {"still_resident": True}), 404, "not_found")


# --- search and list -----------------------------------------------------------------------------


class TestSearchAndList:
    def test_a_search_by_identity_number_finds_the_persons_permits(
        self, service: TestClient, officer: Headers
    ) -> None:
        mine = issued(service, officer, application())
        issued(service, officer, application())
        page = listed(service, officer, id_number=mine["id_number"])
        assert [p["id"] for p in page["items"]] == [mine["id"]] and page["total"] == 1

    def test_a_county_lists_its_permits_by_status_paged(
        self, service: TestClient, officer: Headers
    ) -> None:
        # Only this test issues permits in 南雄市 and 乐昌市.
        valid = [
            issued(service, officer, application(region_code=NANXIONG))["id"] for _ in range(3)
        ]
        lapsed = issued(service, officer, issued_on(years_ago(1, days=2), region_code=NANXIONG))
        issued(service, officer, application(region_code=LECHANG))
        page = listed(service, officer, region_code=NANXIONG, status="valid", page_size=2)
        assert page["total"] == 3 and len(page["items"]) == 2
        second = listed(service, officer, region_code=NANXIONG, status="valid", page_size=2, page=2)
        assert {p["id"] for p in page["items"] + second["items"]} == set(valid)
        lapsed_page = listed(service, officer, region_code=NANXIONG, status="lapsed")
        assert [p["id"] for p in lapsed_page["items"]] == [lapsed["id"]]
        assert listed(service, officer, region_code=NANXIONG, status="closed")["total"] == 0
        assert listed(service, officer, region_code=NANXIONG)["total"] == 4

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"id_number": "123"}, "id_number"),
            ({"region_code": "440300"}, "region_code"),
            ({"status": "expired"}, "status"),
            ({"page": 0}, "page"),
            ({"page_size": 201}, "page_size"),
        ],
    )
    def test_bad_filters_are_422_naming_them(
        self, service: TestClient, officer: Headers, params: dict[str, Any], field: str
    ) -> None:
        assert field in field_reasons(service.get(PERMITS, headers=officer, params=params))


# --- entitlements --------------------------------------------------------------------------------


class TestEntitlements:
    def test_a_valid_permit_lists_every_entitlement_available_with_its_clause(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, application())
        answer = body_of(
            service.get(f"{PERMITS}/{permit['id']}/entitlements", headers=officer), 200
        )
        assert answer["status"] == "valid"
        ids = {e["id"] for e in answer["entitlements"]}
        assert {"exit_entry_documents", "identity_card_renewal", "driving_licence"} <= ids
        assert all(e["available"] and e["clause"] == "三(九)" for e in answer["entitlements"])

    def test_a_lapsed_permit_lists_none_available(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        answer = body_of(
            service.get(f"{PERMITS}/{permit['id']}/entitlements", headers=officer), 200
        )
        assert not any(e["available"] for e in answer["entitlements"])
        assert "make-up endorsement" in answer["reason"]

    def test_the_catalogue_gives_the_ids_the_check_takes(
        self, service: TestClient, auditor: Headers
    ) -> None:
        response = service.get("/v1/entitlements", headers=auditor)
        assert response.status_code == 200
        catalogue = response.json()
        assert "motor_vehicle_registration" in {e["id"] for e in catalogue}
        assert all(e["clause"] == "三(九)" and e["regulation"] for e in catalogue)

    def test_a_valid_holder_may_and_the_answer_names_the_permit(
        self, service: TestClient, officer: Headers, auditor: Headers
    ) -> None:
        permit = issued(service, officer, application())
        answer = body_of(check(service, auditor, permit["id_number"], "driving_licence"), 200)
        assert answer["allowed"] is True and answer["permit_id"] == permit["id"]
        assert answer["clause"] == "三(九)" and answer["permit_status"] == "valid"

    def test_a_lapsed_holder_may_not_until_endorsed(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        answer = body_of(check(service, officer, permit["id_number"], "exit_entry_documents"), 200)
        assert answer["allowed"] is False and answer["permit_status"] == "lapsed"
        assert "lapsed" in answer["reason"]

    def test_a_person_without_a_permit_may_not(self, service: TestClient, officer: Headers) -> None:
        answer = body_of(check(service, officer, new_id(date(1990, 1, 1)), "driving_licence"), 200)
        assert (answer["allowed"], answer["permit_status"], answer["permit_id"]) == (
            False,
            "none",
            None,
        )

    def test_an_unknown_service_or_number_is_422(
        self, service: TestClient, officer: Headers
    ) -> None:
        number = new_id(date(1990, 1, 1))
        assert (
            "driving_licence" in field_reasons(check(service, officer, number, "flying"))["service"]
        )
        assert "id_number" in field_reasons(check(service, officer, "123", "driving_licence"))
        missing = service.get("/v1/entitlements/check", headers=officer)
        assert {"id_number", "service"} <= set(field_reasons(missing))


# --- residence history ---------------------------------------------------------------------------


class TestResidenceHistory:
    def test_the_history_gives_each_permits_start_county_and_unbroken_periods(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = issued_on(years_ago(1, days=1))
        permit = issued(service, officer, body)
        body_of(endorse(service, officer, permit["id"], {"still_resident": True}), 201)
        history = body_of(
            service.get(
                "/v1/residence-history", headers=officer, params={"id_number": body["id_number"]}
            ),
            200,
        )
        assert history["earliest_resident_since"] == body["resident_since"]
        [entry] = history["permits"]
        assert entry["region_code"] == WUJIANG and entry["resident_since"] == body["resident_since"]
        first, second = entry["periods"]
        assert (first["start"], first["end"], first["started_by"]) == (
            permit["issued_on"],
            permit["valid_to"],
            "issue",
        )
        assert (second["start"], second["started_by"]) == (
            today().isoformat(),
            "make_up_endorsement",
        )
        assert history["settled"] == []

    def test_a_person_with_no_permit_has_an_empty_history(
        self, service: TestClient, officer: Headers
    ) -> None:
        number = new_id(date(1990, 1, 1))
        history = body_of(
            service.get("/v1/residence-history", headers=officer, params={"id_number": number}), 200
        )
        assert history["permits"] == [] and history["earliest_resident_since"] is None

    def test_an_invalid_number_is_422(self, service: TestClient, officer: Headers) -> None:
        response = service.get("/v1/residence-history", headers=officer, params={"id_number": "1"})
        assert "id_number" in field_reasons(response)


# --- settlement ----------------------------------------------------------------------------------


class TestSettlement:
    def family(self, client: TestClient, headers: Headers) -> tuple[dict[str, Any], ...]:
        """An applicant with a valid permit, a spouse whose permit lapsed, a child with none."""
        applicant = issued(client, headers, application())
        spouse = issued(client, headers, issued_on(years_ago(1, days=3)))
        child = new_id(years_ago(8))
        return applicant, spouse, {"id_number": child}

    def test_before_acting_on_a_settlement_it_is_404(
        self, service: TestClient, officer: Headers
    ) -> None:
        error_of(service.get("/v1/settlements/unknown", headers=officer), 404, "not_found")

    def test_the_settled_familys_permits_are_closed_and_processed_is_reported(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        applicant, spouse, child = self.family(service, officer)
        approved = settlement(
            [
                (applicant["id_number"], "applicant", date(1990, 5, 1)),
                (spouse["id_number"], "spouse", date(1990, 5, 1)),
                (child["id_number"], "child", years_ago(8)),
            ]
        )
        sid = approved.settlement_id
        publish(settings, approved.model_dump(mode="json"), key=sid)
        result = acted_on(service, officer, sid)

        assert result["settlement_id"] == sid and result["clause"] == "三(九)"
        assert result["information_needed"] == [] and result["parameters"] == []
        closed = {c["permit_id"]: c for c in result["closed_permits"]}
        assert set(closed) == {applicant["id"], spouse["id"]}
        assert closed[applicant["id"]]["status_before"] == "valid"
        assert closed[spouse["id"]]["status_before"] == "lapsed"
        assert all("*" in c["id_number"] for c in result["closed_permits"])  # masked
        assert [d["decision"] for d in result["decisions"]] == [
            "permit_closed",
            "permit_closed",
            "no_open_permit",
        ]
        assert result["summary"].startswith("2 residence permit(s) closed")

        reread = fetch(service, officer, applicant["id"])
        assert reread["status"] == "closed" and reread["closed_reason"] == "settled"
        assert reread["closed_by_settlement_id"] == sid

        [event] = wait_for(lambda: processed(settings, sid))
        assert event["type"] == "cn.gov.shaoguan.residence_permit.settlement.processed"
        assert event["data"]["outcome"] == "done"
        assert event["data"]["summary"] == result["summary"]
        assert applicant["id_number"] not in str(event)

        answer = body_of(check(service, officer, applicant["id_number"], "driving_licence"), 200)
        assert answer["allowed"] is False and answer["permit_status"] == "closed"
        assert "registered resident" in answer["reason"]
        child_answer = body_of(check(service, officer, child["id_number"], "driving_licence"), 200)
        assert "registered resident" in child_answer["reason"]

        error_of(
            endorse(service, officer, applicant["id"], {"still_resident": True}), 409, "conflict"
        )
        again = apply(service, officer, application(id_number=applicant["id_number"]))
        assert "settled in Shaoguan" in field_reasons(again)["hukou_region_code"]
        history = body_of(
            service.get(
                "/v1/residence-history",
                headers=officer,
                params={"id_number": applicant["id_number"]},
            ),
            200,
        )
        assert history["settled"][0]["settlement_id"] == sid

    def test_the_same_event_twice_closes_once_and_reports_once(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        permit = issued(service, officer, application())
        approved = settlement([(permit["id_number"], "applicant", date(1990, 5, 1))])
        sid = approved.settlement_id
        data = approved.model_dump(mode="json")
        event_id = publish(settings, data, key=sid)
        publish(settings, data, key=sid, event_id=event_id)
        acted_on(service, officer, sid)
        wait_for(lambda: caught_up(settings))
        wait_for(lambda: not unpublished(service))
        assert len(acted_on(service, officer, sid)["closed_permits"]) == 1
        with service.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
            audits = session.execute(
                select(TABLES.audit_log.c.id).where(
                    TABLES.audit_log.c.action == "permit.closed",
                    TABLES.audit_log.c.entity_id == permit["id"],
                )
            ).all()
        assert len(audits) == 1
        [event] = processed(settings, sid)
        assert event["data"]["outcome"] == "done"

    def test_a_settlement_with_no_permit_to_close_is_done_with_zero(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = settlement([(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))])
        publish(settings, approved.model_dump(mode="json"), key=approved.settlement_id)
        result = acted_on(service, officer, approved.settlement_id)
        assert result["closed_permits"] == [] and result["summary"].startswith("0 ")
        [event] = wait_for(lambda: processed(settings, approved.settlement_id))
        assert event["data"]["outcome"] == "done"

    def test_an_unknown_type_is_skipped_and_a_newer_minor_version_is_handled(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        unknown = settlement([(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))])
        publish(
            settings,
            unknown.model_dump(mode="json"),
            key=unknown.settlement_id,
            type_="cn.gov.shaoguan.hukou.settlement.renamed",
            topic=APPROVED_TOPIC,
        )
        newer = settlement([(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))])
        data = {**newer.model_dump(mode="json"), "something_new": {"added": "in 1.9"}}
        publish(settings, data, key=newer.settlement_id, dataversion="1.9")
        acted_on(service, officer, newer.settlement_id)
        wait_for(lambda: caught_up(settings))
        error_of(
            service.get(f"/v1/settlements/{unknown.settlement_id}", headers=officer),
            404,
            "not_found",
        )
        assert dead_letters(settings, unknown.settlement_id) == []
        assert dead_letters(settings, newer.settlement_id) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = settlement([(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))])
        data = approved.model_dump(mode="json")
        data["members"][0]["relation"] = "cousin"  # no such member of a settling household
        sid = approved.settlement_id
        publish(settings, data, key=sid)
        [letter] = wait_for(lambda: dead_letters(settings, sid))
        assert letter["data"]["settlement_id"] == sid
        [event] = wait_for(lambda: processed(settings, sid))
        assert event["data"]["outcome"] == "failed"
        error_of(service.get(f"/v1/settlements/{sid}", headers=officer), 404, "not_found")

    def test_a_settlement_outside_the_city_fails_and_the_next_event_is_still_handled(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = settlement(
            [(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))],
            decided_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
        data = approved.model_dump(mode="json")
        data["destination_region_code"] = "440300"  # Shenzhen: not this city's settlement
        publish(settings, data, key=approved.settlement_id)
        healthy = settlement([(new_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))])
        publish(settings, healthy.model_dump(mode="json"), key=healthy.settlement_id)
        acted_on(service, officer, healthy.settlement_id)
        [event] = wait_for(lambda: processed(settings, approved.settlement_id))
        assert event["data"]["outcome"] == "failed"
        assert "not a Shaoguan county" in event["data"]["summary"]


# --- authorisation -------------------------------------------------------------------------------


ROUTES = [
    ("GET", PERMITS),
    ("POST", PERMITS),
    ("GET", f"{PERMITS}/x"),
    ("POST", f"{PERMITS}/x/endorsements"),
    ("GET", f"{PERMITS}/x/entitlements"),
    ("GET", "/v1/entitlements"),
    ("GET", "/v1/entitlements/check"),
    ("GET", "/v1/residence-history"),
    ("GET", "/v1/settlements/x"),
]


class TestAuthorisation:
    @pytest.mark.parametrize(("method", "path"), ROUTES)
    def test_without_a_token_every_route_is_401(
        self, service: TestClient, method: str, path: str
    ) -> None:
        error_of(service.request(method, path), 401, "unauthenticated")

    @pytest.mark.parametrize(("method", "path"), ROUTES)
    def test_another_department_is_403(
        self, service: TestClient, auth: TokenFactory, method: str, path: str
    ) -> None:
        error_of(service.request(method, path, headers=auth("housing")), 403, "forbidden")

    def test_audit_reads_but_does_not_write(
        self, service: TestClient, officer: Headers, auditor: Headers
    ) -> None:
        permit = issued(service, officer, application())
        assert fetch(service, auditor, permit["id"])["id"] == permit["id"]
        error_of(apply(service, auditor, application()), 403, "forbidden")
        error_of(
            endorse(service, auditor, permit["id"], {"still_resident": True}), 403, "forbidden"
        )

    def test_a_read_only_token_of_public_security_cannot_apply(
        self, service: TestClient, auth: TokenFactory
    ) -> None:
        error_of(
            apply(service, auth("public_security", "permit:read"), application()), 403, "forbidden"
        )

    def test_the_health_endpoints_need_no_token(self, service: TestClient) -> None:
        assert service.get("/healthz").json()["service"] == "residence_permit"
        assert service.get("/readyz").status_code == 200
