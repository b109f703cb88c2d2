"""The education service in process: it acts on `hukou.settlement.approved` (三(八)) and serves
placements, student-status transfers and each county's planning view.

One service (relay and consumer running) serves the whole module; each test uses settlements,
and where it counts, counties of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.education.app import build
from shared.events.consumer import ERROR_HEADER
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import new_event
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, approved_event
from tests.api.education_support import (
    DECIDED,
    FAMILY,
    Headers,
    Person,
    acted_on,
    caught_up,
    dead_letters,
    message,
    processed,
    publish,
    settlement,
    token,
)

WUJIANG, ZHENJIANG, QUJIANG = "440203", "440204", "440205"
SHIXING, RENHUA, WENGYUAN = "440222", "440224", "440229"  # RENHUA: transfer lists only
RUYUAN, NANXIONG = "440232", "440282"  # NANXIONG: the planning test only


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder: Path = tmp_path_factory.mktemp("education")
    return Settings(
        environment="test",
        data_dir=folder / "var",
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
    )


@pytest.fixture(scope="module")
def education(service_settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(service_settings)) as client:
        yield client


@pytest.fixture(scope="module")
def bus(service_settings: Settings, education: TestClient) -> Iterator[EmbeddedBus]:
    log = EmbeddedBus(service_settings.event_log_path)
    yield log
    log.close()


@pytest.fixture(scope="module")
def clerk(service_settings: Settings) -> Headers:
    """An education token: education:read and education:write."""
    return token(service_settings, "education")


@pytest.fixture(scope="module")
def family(education: TestClient, bus: EmbeddedBus, clerk: Headers) -> dict[str, Any]:
    """The realistic family of education_support, settled in 武江区 and acted on."""
    data = settlement(county=WUJIANG)
    publish(bus, data)
    return acted_on(education, data.settlement_id, clerk)


def settle(
    education: TestClient, bus: EmbeddedBus, clerk: Headers, county: str, **kwargs: Any
) -> dict[str, Any]:
    data = settlement(county=county, **kwargs)
    publish(bus, data)
    return acted_on(education, data.settlement_id, clerk)


def by_index(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["member_index"]: p for p in body["placements"]}


# --- acting on an approved settlement -----------------------------------------------------------


class TestActingOnASettlement:
    def test_before_education_has_acted_the_settlement_is_404(
        self, education: TestClient, clerk: Headers
    ) -> None:
        response = education.get("/v1/settlements/not-yet-settled", headers=clerk)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_the_answer_names_the_settlement_county_school_year_and_clause(
        self, family: dict[str, Any]
    ) -> None:
        assert family["destination_region_code"] == WUJIANG
        assert family["destination_region_name"] == "韶关市武江区"
        assert family["decision_date"] == DECIDED.isoformat()
        assert (family["school_year"], family["school_year_start"]) == ("2019-2020", "2019-09-01")
        assert family["clause"] == "三(八)"
        assert family["information_needed"] == []

    def test_one_entry_per_child_by_age_and_none_for_the_adults(
        self, family: dict[str, Any]
    ) -> None:
        placements = by_index(family)
        assert sorted(placements) == [2, 3, 4, 5]  # not the applicant (0) nor the spouse (1)
        stages = {
            i: (p["outcome"], p["stage"], p["age_at_school_year_start"])
            for i, p in placements.items()
        }
        assert stages == {
            2: ("placed", "primary", 7),
            3: ("placed", "junior_middle", 13),
            4: ("placed", "preschool", 4),
            5: ("no_placement", None, 1),
        }

    def test_each_placement_is_in_the_county_on_local_terms_under_three_eight(
        self, family: dict[str, Any]
    ) -> None:
        for placement in family["placements"]:
            assert placement["county"] == WUJIANG
            assert placement["clause"] == "三(八)"
            assert placement["birth_date"] == FAMILY[placement["member_index"]].birth.isoformat()
        primary = by_index(family)[2]
        assert "同城同待遇" in primary["reason"]

    def test_the_child_under_three_is_told_when_preschool_starts(
        self, family: dict[str, Any]
    ) -> None:
        baby = by_index(family)[5]
        assert "under 3" in baby["reason"]
        assert "2021-09-01" in baby["reason"]  # born 2018-06-01: 3 on 2021-09-01
        assert baby["notice"] is None

    def test_each_placed_child_has_a_recorded_notice_with_a_sent_time(
        self, family: dict[str, Any]
    ) -> None:
        for index in (2, 3, 4):
            notice = by_index(family)[index]["notice"]
            assert notice["sent_at"]
            assert "韶关市武江区" in notice["text"]
            assert "户口簿" in notice["text"]
            assert "not by this platform" in notice["delivery"]
        assert "小学" in by_index(family)[2]["notice"]["text"]
        assert "初中" in by_index(family)[3]["notice"]["text"]

    def test_school_age_children_get_requested_student_status_transfers(
        self, family: dict[str, Any]
    ) -> None:
        transfers = {t["member_index"]: t for t in family["transfers"]}
        assert sorted(transfers) == [2, 3]  # primary and junior middle; preschool has none
        for transfer in transfers.values():
            assert transfer["status"] == "requested"
            assert (transfer["from_region_code"], transfer["to_region_code"]) == (
                "441402",
                WUJIANG,
            )
            assert transfer["clause"] == "三(八)"

    def test_the_decision_names_the_parameter_versions_it_used(
        self, family: dict[str, Any]
    ) -> None:
        used = {p["name"]: p for p in family["parameters_used"]}
        assert used["school_year_start"]["value"] == "09-01"
        assert used["primary_entry_age"]["value"] == 6
        assert "Compulsory Education Law" in used["primary_entry_age"]["source"]

    def test_a_done_processed_event_reports_counts_without_personal_data(
        self, education: TestClient, bus: EmbeddedBus, family: dict[str, Any]
    ) -> None:
        caught_up(education, bus)
        (report,) = processed(bus, family["settlement_id"])
        assert report["outcome"] == "done"
        assert report["service"] == "education"
        assert "3 placed" in report["summary"]
        assert "张" not in report["summary"]
        assert "441402" not in report["summary"]

    def test_a_family_without_children_is_recorded_with_no_placements(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        body = settle(education, bus, clerk, QUJIANG, people=FAMILY[:2])
        assert (body["placements"], body["transfers"]) == ([], [])

    def test_a_minor_applicant_is_asked_about_not_guessed(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        body = settle(
            education, bus, clerk, QUJIANG, people=(Person("王五", "applicant", date(2002, 3, 1)),)
        )
        (placement,) = body["placements"]
        assert placement["outcome"] == "information_needed"
        assert body["information_needed"] == [
            "whether the applicant attends school, and at which stage"
        ]


class TestDelivery:
    def test_the_same_event_twice_makes_one_record_and_one_processed_event(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        data = settlement(county=ZHENJIANG)
        event = approved_event(data)
        bus.publish([message(event, data.settlement_id), message(event, data.settlement_id)])
        body = acted_on(education, data.settlement_id, clerk)
        caught_up(education, bus)
        assert len(body["placements"]) == 4
        assert [p["outcome"] for p in processed(bus, data.settlement_id)] == ["done"]

    def test_a_second_event_for_the_same_settlement_changes_nothing(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        data = settlement(county=ZHENJIANG)
        publish(bus, data)
        first = acted_on(education, data.settlement_id, clerk)
        publish(bus, data)  # a new event id: the inbox does not know it, the act does
        caught_up(education, bus)
        again = education.get(f"/v1/settlements/{data.settlement_id}", headers=clerk).json()
        assert again == first
        assert [p["outcome"] for p in processed(bus, data.settlement_id)] == ["done", "done"]

    def test_an_event_of_an_unknown_type_is_skipped_and_the_next_is_handled(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        unknown = new_event(
            type_="cn.gov.shaoguan.hukou.settlement.amended",
            source="/luohu/hukou",
            subject="amended-1",
            data={"settlement_id": "amended-1"},
        )
        bus.publish([message(unknown, "amended-1")])
        data = settlement(county=SHIXING)
        publish(bus, data)
        acted_on(education, data.settlement_id, clerk)
        caught_up(education, bus)
        assert processed(bus, "amended-1") == []
        assert dead_letters(bus, "amended-1") == []

    def test_a_newer_minor_data_version_with_unknown_fields_is_handled(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        data = settlement(county=SHIXING)
        fields = data.model_dump(mode="json")
        fields["school_preferences"] = {"near": "home"}
        fields["members"][2]["school_name"] = "梅江区实验小学"
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=fields,
            extensions={"dataversion": "1.9"},
        )
        bus.publish([message(event, data.settlement_id)])
        body = acted_on(education, data.settlement_id, clerk)
        assert by_index(body)[2]["stage"] == "primary"

    def test_a_next_major_data_version_is_skipped_not_guessed(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        data = settlement(county=SHIXING)
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=data.model_dump(mode="json"),
            extensions={"dataversion": "2.0"},
        )
        bus.publish([message(event, data.settlement_id)])
        caught_up(education, bus)
        response = education.get(f"/v1/settlements/{data.settlement_id}", headers=clerk)
        assert response.status_code == 404
        assert processed(bus, data.settlement_id) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        data = settlement(county=WENGYUAN)
        fields = data.model_dump(mode="json")
        fields["members"][2]["relation"] = "cousin"  # no such relation in the contract
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=fields,
        )
        bus.publish([message(event, data.settlement_id)])
        caught_up(education, bus)
        (letter,) = dead_letters(bus, data.settlement_id)
        assert letter["event"]["id"] == event.get_id()
        assert b"relation" in letter["headers"][ERROR_HEADER]
        (report,) = processed(bus, data.settlement_id)
        assert report["outcome"] == "failed"
        response = education.get(f"/v1/settlements/{data.settlement_id}", headers=clerk)
        assert response.status_code == 404

    def test_a_member_born_after_the_decision_poisons_the_event_and_writes_nothing(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        people = (*FAMILY[:2], Person("张未", "child", DECIDED + timedelta(days=1)))
        data = settlement(county=WENGYUAN, people=people)
        publish(bus, data)
        caught_up(education, bus)
        assert len(dead_letters(bus, data.settlement_id)) == 1
        assert [p["outcome"] for p in processed(bus, data.settlement_id)] == ["failed"]
        response = education.get(f"/v1/settlements/{data.settlement_id}", headers=clerk)
        assert response.status_code == 404


# --- authorisation ------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/v1/settlements/some-settlement"),
    ("GET", "/v1/student-transfers"),
    ("GET", "/v1/student-transfers/some-transfer"),
    ("POST", "/v1/student-transfers/some-transfer/completion"),
    ("GET", f"/v1/planning/{WUJIANG}?year=2019"),
]


class TestAuthorisation:
    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_without_a_token_every_endpoint_is_401(
        self, education: TestClient, method: str, path: str
    ) -> None:
        response = education.request(method, path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"

    def test_a_bad_token_is_401(self, education: TestClient) -> None:
        response = education.get(
            "/v1/student-transfers", headers={"Authorization": "Bearer not-a-token"}
        )
        assert response.status_code == 401

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    @pytest.mark.parametrize("dept", ["housing", "human_resources", "finance"])
    def test_other_departments_are_403(
        self,
        education: TestClient,
        service_settings: Settings,
        method: str,
        path: str,
        dept: str,
    ) -> None:
        response = education.request(method, path, headers=token(service_settings, dept))
        assert response.status_code == 403
        assert "education:" in response.json()["error"]["message"]

    @pytest.mark.parametrize("dept", ["public_security", "audit", "education"])
    def test_public_security_audit_and_education_read(
        self, education: TestClient, service_settings: Settings, family: dict[str, Any], dept: str
    ) -> None:
        headers = token(service_settings, dept)
        for path in (
            f"/v1/settlements/{family['settlement_id']}",
            "/v1/student-transfers",
            f"/v1/planning/{WUJIANG}?year=2019",
        ):
            assert education.get(path, headers=headers).status_code == 200, (dept, path)

    @pytest.mark.parametrize("dept", ["public_security", "audit"])
    def test_readers_may_not_complete_a_transfer(
        self, education: TestClient, service_settings: Settings, family: dict[str, Any], dept: str
    ) -> None:
        transfer_id = family["transfers"][0]["id"]
        response = education.post(
            f"/v1/student-transfers/{transfer_id}/completion",
            headers=token(service_settings, dept),
        )
        assert response.status_code == 403

    def test_education_read_alone_may_not_complete_a_transfer(
        self, education: TestClient, service_settings: Settings, family: dict[str, Any]
    ) -> None:
        transfer_id = family["transfers"][0]["id"]
        response = education.post(
            f"/v1/student-transfers/{transfer_id}/completion",
            headers=token(service_settings, "education", "education:read"),
        )
        assert response.status_code == 403


# --- student-status transfers -------------------------------------------------------------------


@pytest.fixture
def transfer(education: TestClient, bus: EmbeddedBus, clerk: Headers) -> dict[str, Any]:
    """A fresh requested transfer (the primary-school child of a new family in 乳源)."""
    body = settle(education, bus, clerk, RUYUAN)
    found: dict[str, Any] = body["transfers"][0]
    return found


def completion_path(transfer: dict[str, Any]) -> str:
    return f"/v1/student-transfers/{transfer['id']}/completion"


class TestStudentTransfers:
    def test_a_transfer_reads_back(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.get(f"/v1/student-transfers/{transfer['id']}", headers=clerk)
        assert response.status_code == 200
        assert response.json() == transfer
        assert transfer["from_region_name"] == "广东省梅州市梅江区"
        assert transfer["to_region_name"] == "韶关市乳源瑶族自治县"

    def test_an_unknown_transfer_is_404(self, education: TestClient, clerk: Headers) -> None:
        assert education.get("/v1/student-transfers/nope", headers=clerk).status_code == 404
        response = education.post("/v1/student-transfers/nope/completion", headers=clerk)
        assert response.status_code == 404

    def test_completing_marks_it_completed_with_who_and_when(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer),
            headers=clerk,
            json={"receiving_school": "乳源县第一小学", "note": "已转入"},
        )
        assert response.status_code == 200, response.text
        done = response.json()
        assert done["status"] == "completed"
        assert done["completed_on"] == date.today().isoformat()
        assert done["completed_by"] == "dept:education"
        assert done["receiving_school"] == "乳源县第一小学"

    def test_completing_twice_is_409(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        assert education.post(completion_path(transfer), headers=clerk).status_code == 200
        again = education.post(completion_path(transfer), headers=clerk)
        assert again.status_code == 409
        assert "already completed" in again.json()["error"]["message"]

    def test_the_same_idempotency_key_returns_the_first_answer(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        headers = {**clerk, "Idempotency-Key": f"complete-{transfer['id']}"}
        first = education.post(completion_path(transfer), headers=headers, json={"note": "ok"})
        second = education.post(completion_path(transfer), headers=headers, json={"note": "ok"})
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.json() == first.json()

    def test_the_same_idempotency_key_with_another_body_is_409(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        headers = {**clerk, "Idempotency-Key": f"complete-{transfer['id']}"}
        first = education.post(completion_path(transfer), headers=headers, json={})
        assert first.status_code == 200
        other = education.post(completion_path(transfer), headers=headers, json={"note": "x"})
        assert other.status_code == 409
        assert other.json()["error"]["details"][0]["field"] == "Idempotency-Key"

    def test_the_list_filters_by_status_and_receiving_county_and_pages(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        first = settle(education, bus, clerk, RENHUA)
        settle(education, bus, clerk, RENHUA)
        done = first["transfers"][0]["id"]
        assert education.post(f"/v1/student-transfers/{done}/completion", headers=clerk).is_success

        def listed(**params: Any) -> dict[str, Any]:
            response = education.get("/v1/student-transfers", headers=clerk, params=params)
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        assert listed(region_code=RENHUA)["total"] == 4
        requested = listed(region_code=RENHUA, status="requested")
        assert requested["total"] == 3
        assert {t["status"] for t in requested["items"]} == {"requested"}
        completed = listed(region_code=RENHUA, status="completed")
        assert [t["id"] for t in completed["items"]] == [done]
        page = listed(region_code=RENHUA, page=2, page_size=3)
        assert (page["total"], len(page["items"]), page["page"]) == (4, 1, 2)
        assert {t["to_region_code"] for t in listed(region_code=RENHUA)["items"]} == {RENHUA}


# --- planning -----------------------------------------------------------------------------------


class TestPlanning:
    def test_the_places_needed_this_year_and_next_by_stage(
        self, education: TestClient, bus: EmbeddedBus, clerk: Headers
    ) -> None:
        settle(education, bus, clerk, NANXIONG)  # 2019-2020: primary 7, junior 13, pre 4, baby 1
        second = (
            Person("陈大", "applicant", date(1980, 1, 1)),
            Person("陈小", "child", date(2002, 7, 1)),  # 17: senior high, then adult
            Person("陈幼", "child", date(2017, 6, 1)),  # 2: nothing, then preschool
        )
        settle(education, bus, clerk, NANXIONG, people=second)
        settle(education, bus, clerk, NANXIONG, decided=date(2020, 9, 15))  # a later year
        response = education.get(f"/v1/planning/{NANXIONG}?year=2019", headers=clerk)
        assert response.status_code == 200, response.text
        plan = response.json()
        assert (plan["school_year"], plan["next_school_year"]) == ("2019-2020", "2020-2021")
        assert plan["clause"] == "三(八)"
        assert plan["region_name"] == "韶关市南雄市"
        stages = {s["stage"]: (s["this_year"], s["next_year"], s["change"]) for s in plan["stages"]}
        assert stages == {
            "preschool": (1, 2, 1),  # the 4-year-old stays (5); 陈幼 turns 3, the baby is 2
            "primary": (1, 1, 0),
            "junior_middle": (1, 1, 0),  # 13 then 14
            "senior_high": (1, 0, -1),  # 17 then 18
        }
        assert plan["compulsory"] == {"this_year": 2, "next_year": 2, "change": 0}
        assert plan["entering_preschool_next_year"] == 1
        assert plan["leaving_senior_high_next_year"] == 1
        assert plan["children_counted"] == 6
        assert {p["name"] for p in plan["parameters_used"]} >= {"primary_entry_age"}

    def test_a_county_with_no_settled_children_needs_no_places(
        self, education: TestClient, clerk: Headers
    ) -> None:
        plan = education.get(f"/v1/planning/{NANXIONG}?year=2016", headers=clerk).json()
        assert plan["children_counted"] == 0
        assert all(s["this_year"] == s["next_year"] == 0 for s in plan["stages"])


# --- refusals (422) -----------------------------------------------------------------------------


def field_of(response: Any) -> str:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    field: str = body["details"][0]["field"]
    assert body["details"][0]["reason"]
    return field


class TestRefusals:
    def test_a_settlement_id_too_long_is_422(self, education: TestClient, clerk: Headers) -> None:
        response = education.get(f"/v1/settlements/{'x' * 65}", headers=clerk)
        assert field_of(response) == "settlement_id"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "lost"}, "status"),
            ({"region_code": "441402"}, "region_code"),
            ({"region_code": "abc"}, "region_code"),
            ({"page": 0}, "page"),
            ({"page_size": 201}, "page_size"),
        ],
    )
    def test_bad_transfer_list_filters_are_422_naming_the_field(
        self, education: TestClient, clerk: Headers, params: dict[str, Any], field: str
    ) -> None:
        response = education.get("/v1/student-transfers", headers=clerk, params=params)
        assert field_of(response) == field

    def test_a_receiving_county_outside_shaoguan_lists_the_counties(
        self, education: TestClient, clerk: Headers
    ) -> None:
        response = education.get("/v1/student-transfers?region_code=441402", headers=clerk)
        assert "440203 武江区" in response.json()["error"]["details"][0]["reason"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"completed_on": (date.today() + timedelta(days=1)).isoformat()}, "completed_on"),
            ({"completed_on": "2019-02-30"}, "completed_on"),
            ({"receiving_school": ""}, "receiving_school"),
            ({"note": "x" * 1001}, "note"),
            ({"status": "completed"}, "status"),
        ],
    )
    def test_a_bad_completion_is_422_naming_the_field_and_changes_nothing(
        self,
        education: TestClient,
        clerk: Headers,
        transfer: dict[str, Any],
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = education.post(completion_path(transfer), headers=clerk, json=body)
        assert field_of(response) == field
        after = education.get(f"/v1/student-transfers/{transfer['id']}", headers=clerk).json()
        assert after["status"] == "requested"

    def test_a_completion_dated_before_the_request_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers=clerk, json={"completed_on": "2019-01-01"}
        )
        assert field_of(response) == "completed_on"
        assert (
            "before the transfer was requested" in response.json()["error"]["details"][0]["reason"]
        )

    def test_a_completion_body_that_is_not_json_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer),
            headers={**clerk, "Content-Type": "application/json"},
            content=b"{not json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"

    def test_an_idempotency_key_too_long_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers={**clerk, "Idempotency-Key": "k" * 201}
        )
        assert field_of(response) == "Idempotency-Key"

    @pytest.mark.parametrize("county", ["441402", "440200", "999999"])
    def test_planning_for_a_county_outside_shaoguan_is_422(
        self, education: TestClient, clerk: Headers, county: str
    ) -> None:
        response = education.get(f"/v1/planning/{county}?year=2019", headers=clerk)
        assert field_of(response) == "region_code"

    @pytest.mark.parametrize("query", ["", "?year=2015", "?year=2101", "?year=next"])
    def test_planning_needs_a_school_year_from_2016(
        self, education: TestClient, clerk: Headers, query: str
    ) -> None:
        response = education.get(f"/v1/planning/{WUJIANG}{query}", headers=clerk)
        assert field_of(response) == "year"


def test_the_openapi_document_lists_every_route(education: TestClient) -> None:
    paths = json.loads(education.get("/openapi.json").text)["paths"]
    assert {
        "/v1/settlements/{settlement_id}",
        "/v1/student-transfers",
        "/v1/student-transfers/{transfer_id}",
        "/v1/student-transfers/{transfer_id}/completion",
        "/v1/planning/{region_code}",
    } <= set(paths)
