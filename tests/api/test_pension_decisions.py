"""What the pension service decides on an approved settlement read from the log (三(七))."""

from __future__ import annotations

import json
import re
import uuid

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.pension_support import (
    EMPLOYER_PAID,
    MONTHS,
    PRESUMED_SCHEME,
    ZHENJIANG,
    PensionApiTests,
    family,
    items,
    member_of,
    reported,
    settlement,
)
from tests.settlements import decided
from tests.support import Headers


class TestDecisions(PensionApiTests):
    def test_a_settlement_not_acted_on_is_a_404_with_an_error_body(
        self, client: TestClient, officer: Headers
    ) -> None:
        response = client.get(f"/v1/settlements/{uuid.uuid4()}", headers=officer)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_a_family_gets_a_continuation_per_adult_and_an_item_for_each_gap(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()

        body = decided(client, settings, officer, data)

        assert list(body)[:4] == ["settlement_id", "status", "open_items", "version"]
        assert body["settlement_id"] == data.settlement_id
        assert (body["status"], body["version"]) == ("action_needed", 1)
        assert body["decision_date"] == "2019-06-01"
        assert "minimum_living" not in body
        assert [c["member_index"] for c in body["continuations"]] == [0, 1, 3]  # no child
        applicant, spouse, grandfather = body["continuations"]
        assert applicant["relation"] == "applicant"
        assert applicant["scheme"] == "employee"
        assert applicant["months_carried_over"] == 14
        assert applicant["months_source"] == "application"
        assert applicant["status"] == "continued"
        assert spouse["scheme"] == "information_needed"
        assert spouse["status"] == "information_needed"
        assert grandfather["status"] == "drawing"
        assert grandfather["age_on_decision_date"] == 69
        for continuation in body["continuations"]:
            assert continuation["clause"] == "三(七)"
            assert continuation["reason"]
            assert any(p["name"] == "age_of_majority" for p in continuation["parameters"])
        # Wujiang presumes no scheme: each other adult's employer, or the city's presumption
        assert items(body) == {
            (1, EMPLOYER_PAID, "information"),
            (3, EMPLOYER_PAID, "information"),
            (None, f"parameters.{PRESUMED_SCHEME}", "parameter"),
        }
        assert spouse["missing"] == [EMPLOYER_PAID, f"parameters.{PRESUMED_SCHEME}"]
        assert all(item["due_on"] is None for item in body["open_items"])

    def test_a_family_with_nothing_left_to_do_is_done(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        applicant_only = settlement(members=family()[:1])

        body = decided(client, settings, officer, applicant_only)

        assert (body["status"], body["open_items"], body["version"]) == ("done", [], 1)

    def test_identity_numbers_are_shown_masked_never_whole(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()

        body = decided(client, settings, officer, data)

        text = json.dumps(body, ensure_ascii=False)
        for member in data.members:
            assert member.id_number not in text
            assert member.name not in text
        assert re.fullmatch(
            r"[0-9]{4}\*{10}[0-9X]{4}", body["continuations"][0]["id_number_masked"]
        )

    def test_a_county_presumption_puts_other_adults_in_the_residents_scheme(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        body = decided(client, settings, officer, settlement(region=ZHENJIANG))

        spouse = member_of(body, 1)
        assert spouse["scheme"] == "urban_rural_resident"
        assert spouse["status"] == "awaiting_origin"
        assert spouse["months_carried_over"] is None
        assert any(p["name"] == PRESUMED_SCHEME for p in spouse["parameters"])
        # her months are the origin's to confirm; the grandfather draws, in the presumed scheme
        assert items(body) == {(1, MONTHS, "confirmation")}
        assert member_of(body, 3)["scheme"] == "urban_rural_resident"

    def test_the_processed_report_carries_the_status_and_items_free_of_personal_data(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        body = decided(client, settings, officer, data)

        (report,) = reported(settings, data.settlement_id)

        assert report["service"] == "pension"
        assert report["outcome"] == "done"  # handled; the status says what is left
        assert (report["status"], report["version"]) == ("action_needed", 1)
        assert report["open_items"] == body["open_items"]
        assert report["summary"] == (
            "3 pension continuations (1 continued, 1 drawing, 1 information_needed)"
        )
        text = json.dumps(report, ensure_ascii=False)
        for person in data.members:
            assert person.id_number not in text
            assert person.name not in text
            assert person.birth_date.isoformat() not in text
