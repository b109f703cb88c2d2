"""Reading permits: search and county lists, entitlements, and a person's residence history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.residence_permit_support import (
    CHECK,
    HISTORY,
    LECHANG,
    NANXIONG,
    PERMITS,
    SEARCH,
    WUJIANG,
    ResidencePermitApiTests,
    application,
    check,
    endorsed_today,
    entitlements_of,
    field_reasons,
    issued,
    issued_on,
    listed,
    residence_history,
    searched,
    today,
    years_ago,
)
from tests.support import Headers, ok, person_id

# --- search and list -----------------------------------------------------------------------------


class TestSearchAndList(ResidencePermitApiTests):
    def test_a_search_by_identity_number_finds_the_persons_permits(
        self, service: TestClient, officer: Headers
    ) -> None:
        mine = issued(service, officer, application())
        issued(service, officer, application())
        page = searched(service, officer, id_number=mine["id_number"])
        assert [p["id"] for p in page["items"]] == [mine["id"]] and page["total"] == 1
        narrowed = searched(service, officer, id_number=mine["id_number"], status="closed")
        assert narrowed["total"] == 0

    def test_an_identity_number_in_the_url_is_refused(
        self, service: TestClient, officer: Headers
    ) -> None:
        number = issued(service, officer, application())["id_number"]
        listing = service.get(PERMITS, headers=officer, params={"id_number": number})
        assert "POST body" in field_reasons(listing)["id_number"]
        assert number not in listing.text
        for lookup in (HISTORY, CHECK):  # the lookups by number are POSTs only
            gone = service.get(lookup, headers=officer, params={"id_number": number})
            assert gone.status_code == 405, lookup

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
        if field == "id_number":
            answer = service.post(SEARCH, headers=officer, json=params)
        else:
            answer = service.get(PERMITS, headers=officer, params=params)
        assert field in field_reasons(answer)

    def test_a_search_refuses_an_unknown_filter(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = service.post(SEARCH, headers=officer, json={"idnumber": "x"})
        assert "idnumber" in field_reasons(answer)


# --- entitlements --------------------------------------------------------------------------------


class TestEntitlements(ResidencePermitApiTests):
    def test_a_valid_permit_lists_every_entitlement_available_with_its_clause(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, application())
        answer = entitlements_of(service, officer, permit["id"])
        assert answer["status"] == "valid"
        ids = {e["id"] for e in answer["entitlements"]}
        assert {"exit_entry_documents", "identity_card_renewal", "driving_licence"} <= ids
        assert all(e["available"] and e["clause"] == "三(九)" for e in answer["entitlements"])

    def test_a_lapsed_permit_lists_none_available(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        answer = entitlements_of(service, officer, permit["id"])
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
        answer = ok(check(service, auditor, permit["id_number"], "driving_licence"), 200)
        assert answer["allowed"] is True and answer["permit_id"] == permit["id"]
        assert answer["clause"] == "三(九)" and answer["permit_status"] == "valid"

    def test_a_lapsed_holder_may_not_until_endorsed(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        answer = ok(check(service, officer, permit["id_number"], "exit_entry_documents"), 200)
        assert answer["allowed"] is False and answer["permit_status"] == "lapsed"
        assert "lapsed" in answer["reason"]

    def test_a_person_without_a_permit_may_not(self, service: TestClient, officer: Headers) -> None:
        answer = ok(check(service, officer, person_id(date(1990, 1, 1)), "driving_licence"), 200)
        assert (answer["allowed"], answer["permit_status"], answer["permit_id"]) == (
            False,
            "none",
            None,
        )

    def test_an_unknown_service_or_number_is_422(
        self, service: TestClient, officer: Headers
    ) -> None:
        number = person_id(date(1990, 1, 1))
        assert (
            "driving_licence" in field_reasons(check(service, officer, number, "flying"))["service"]
        )
        assert "id_number" in field_reasons(check(service, officer, "123", "driving_licence"))
        missing = service.post(CHECK, headers=officer, json={})
        assert {"id_number", "service"} <= set(field_reasons(missing))


# --- residence history ---------------------------------------------------------------------------


class TestResidenceHistory(ResidencePermitApiTests):
    def test_the_history_gives_each_permits_start_county_and_unbroken_periods(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = issued_on(years_ago(1, days=1))
        permit = issued(service, officer, body)
        endorsed_today(service, officer, permit["id"])
        history = ok(residence_history(service, officer, body["id_number"]), 200)
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
        number = person_id(date(1990, 1, 1))
        history = ok(residence_history(service, officer, number), 200)
        assert history["permits"] == [] and history["earliest_resident_since"] is None

    def test_an_invalid_number_is_422(self, service: TestClient, officer: Headers) -> None:
        assert "id_number" in field_reasons(residence_history(service, officer, "1"))
