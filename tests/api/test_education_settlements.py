"""Education acts on `hukou.settlement.approved` (三(八)): a placement per child, a notice to
the family, student-status transfers, and a `processed` report with its status and open items;
once per settlement, whatever the event log delivers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from services.education.operations import TRANSFER_FACT
from services.education.rules import SCHOOLING_FACT as SCHOOLING
from shared.events.consumer import ERROR_HEADER
from shared.settings import Settings
from tests.api.education_support import (
    DECIDED,
    FAMILY,
    QUJIANG,
    SHIXING,
    WENGYUAN,
    ZHENJIANG,
    EducationApiTests,
    Person,
    Settle,
    by_index,
    dead_letters,
    outcomes,
    settlement,
    settlement_response,
)
from tests.settlements import (
    amendment,
    decided,
    hukou_event,
    on_the_approved_topic,
    publish_settlement,
    published_twice,
)
from tests.support import WUJIANG, Headers, acted_on, caught_up, error_of, publish, reports


class TestActingOnASettlement(EducationApiTests):
    def test_before_education_has_acted_the_settlement_is_404(
        self, education: TestClient, clerk: Headers
    ) -> None:
        error_of(settlement_response(education, "not-yet-settled", clerk), 404, "not_found")

    def test_the_answer_begins_with_status_open_items_and_version(
        self, family: dict[str, Any]
    ) -> None:
        assert list(family)[:4] == ["settlement_id", "status", "open_items", "version"]
        assert (family["status"], family["version"]) == ("action_needed", 1)

    def test_each_requested_transfer_is_open_until_the_receiving_side_confirms_it(
        self, family: dict[str, Any]
    ) -> None:
        items = {item["member_index"]: item for item in family["open_items"]}
        assert sorted(items) == [2, 3]  # the primary and junior middle children's transfers
        for index, item in items.items():
            assert (item["field"], item["kind"]) == (TRANSFER_FACT, "confirmation")
            transfer = next(t for t in family["transfers"] if t["member_index"] == index)
            assert f"/v1/student-transfers/{transfer['id']}/completion" in item["reason"]
            assert item["due_on"] is None  # no follow_through_days recorded

    def test_a_family_whose_children_need_no_transfer_is_done_at_once(self, settle: Settle) -> None:
        local = tuple(replace(person, previous=QUJIANG) for person in FAMILY)
        body = settle(QUJIANG, people=local)
        assert (body["status"], body["open_items"], body["version"]) == ("done", [], 1)
        assert len([p for p in body["placements"] if p["outcome"] == "placed"]) == 3

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

    def test_the_processed_event_reports_status_open_items_and_counts_without_personal_data(
        self, education: TestClient, service_settings: Settings, family: dict[str, Any]
    ) -> None:
        caught_up(education, service_settings, "education")
        (report,) = reports(service_settings, "education", family["settlement_id"])
        assert report["outcome"] == "done"  # education could act on it
        assert (report["status"], report["version"]) == ("action_needed", 1)
        assert report["open_items"] == family["open_items"]
        assert report["service"] == "education"
        assert "3 placed" in report["summary"]
        text = json.dumps(report, ensure_ascii=False)
        assert "张" not in text
        assert "441402" not in text
        assert not [p for p in FAMILY if p.birth.isoformat() in text]

    def test_a_family_without_children_is_recorded_with_no_placements(self, settle: Settle) -> None:
        body = settle(QUJIANG, people=FAMILY[:2])
        assert (body["placements"], body["transfers"]) == ([], [])
        assert (body["status"], body["open_items"]) == ("done", [])

    def test_a_minor_applicant_is_asked_about_not_guessed(self, settle: Settle) -> None:
        body = settle(QUJIANG, people=(Person("王五", "applicant", date(2002, 3, 1)),))
        (placement,) = body["placements"]
        assert placement["outcome"] == "information_needed"
        assert body["information_needed"] == placement["information_needed"] == [SCHOOLING]
        assert body["status"] == "action_needed"
        [item] = body["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (0, SCHOOLING, "information")


class TestDelivery(EducationApiTests):
    def test_the_same_event_twice_makes_one_record_and_one_processed_event(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        data = settlement(county=ZHENJIANG)
        published_twice(service_settings, data)
        body = acted_on(education, clerk, data.settlement_id)
        caught_up(education, service_settings, "education")
        assert len(body["placements"]) == 4
        assert outcomes(service_settings, data.settlement_id) == ["done"]

    def test_a_second_event_for_the_same_settlement_changes_nothing(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        data = settlement(county=ZHENJIANG)
        first = decided(education, service_settings, clerk, data)
        # A new event id: the inbox does not know it, the act does.
        publish_settlement(service_settings, data)
        caught_up(education, service_settings, "education")
        again = settlement_response(education, data.settlement_id, clerk).json()
        assert again == first
        assert again["version"] == 1
        assert outcomes(service_settings, data.settlement_id) == ["done"]

    def test_an_event_of_an_unknown_type_is_skipped_and_the_next_is_handled(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        unknown = amendment("amended-1")
        on_the_approved_topic(service_settings, unknown)
        data = settlement(county=SHIXING)
        decided(education, service_settings, clerk, data)
        caught_up(education, service_settings, "education")
        assert reports(service_settings, "education", "amended-1") == []
        assert dead_letters(service_settings, "amended-1") == []

    def test_a_newer_minor_data_version_with_unknown_fields_is_handled(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        data = settlement(county=SHIXING)
        fields = data.model_dump(mode="json")
        fields["school_preferences"] = {"near": "home"}
        fields["members"][2]["school_name"] = "梅江区实验小学"
        publish(service_settings, hukou_event(data.settlement_id, fields, dataversion="2.9"))
        body = acted_on(education, clerk, data.settlement_id)
        assert by_index(body)[2]["stage"] == "primary"

    def test_a_next_major_data_version_is_skipped_not_guessed(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        data = settlement(county=SHIXING)
        fields = data.model_dump(mode="json")
        publish(service_settings, hukou_event(data.settlement_id, fields, dataversion="3.0"))
        caught_up(education, service_settings, "education")
        response = settlement_response(education, data.settlement_id, clerk)
        assert response.status_code == 404
        assert reports(service_settings, "education", data.settlement_id) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        data = settlement(county=WENGYUAN)
        fields = data.model_dump(mode="json")
        fields["members"][2]["relation"] = "cousin"  # no such relation in the contract
        event = hukou_event(data.settlement_id, fields)
        publish(service_settings, event)
        caught_up(education, service_settings, "education")
        (letter,) = dead_letters(service_settings, data.settlement_id)
        assert letter["event"]["id"] == event.get_id()
        assert b"relation" in letter["headers"][ERROR_HEADER]
        (report,) = reports(service_settings, "education", data.settlement_id)
        assert report["outcome"] == "failed"
        response = settlement_response(education, data.settlement_id, clerk)
        assert response.status_code == 404

    def test_a_member_born_after_the_decision_poisons_the_event_and_writes_nothing(
        self, education: TestClient, service_settings: Settings, clerk: Headers
    ) -> None:
        people = (*FAMILY[:2], Person("张未", "child", DECIDED + timedelta(days=1)))
        data = settlement(county=WENGYUAN, people=people)
        publish_settlement(service_settings, data)
        caught_up(education, service_settings, "education")
        assert len(dead_letters(service_settings, data.settlement_id)) == 1
        assert outcomes(service_settings, data.settlement_id) == ["failed"]
        response = settlement_response(education, data.settlement_id, clerk)
        assert response.status_code == 404
