"""Applying for a residence permit through the API: issue, refusal, one a person, idempotency,
and who may call which route."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.dates import add_months
from shared.identity import check_character
from tests.api.residence_permit_support import (
    ART_2,
    PERMITS,
    REGISTRATIONS,
    STILL_RESIDENT,
    WUJIANG,
    ZHENJIANG,
    ResidencePermitApiTests,
    application,
    apply,
    endorse,
    fetch,
    field_reasons,
    issued,
    issued_on,
    searched,
    today,
    years_ago,
)
from tests.conftest import TokenFactory
from tests.support import Headers, error_of, ok, person_id


class TestApply(ResidencePermitApiTests):
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

    def test_one_day_short_of_six_months_is_422_naming_the_registration_and_article_two(
        self, service: TestClient, officer: Headers
    ) -> None:
        since = add_months(today(), -6) + timedelta(days=1)
        response = apply(service, officer, application(resident_since=since.isoformat()))
        error = error_of(response, 422, "invalid_input")
        [detail] = error["details"]
        assert detail["field"] == "registration"
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
        # 居住证暂行条例 第二条 到其他城市居住; 广东省流动人口服务管理条例 第二条 跨地级以上市居住.
        reasons = field_reasons(apply(service, officer, application(hukou_region_code=ZHENJIANG)))
        assert "跨地级以上市居住" in reasons["hukou_region_code"]

    def test_a_minor_under_sixteen_without_a_guardian_is_422_naming_guardian(
        self, service: TestClient, officer: Headers
    ) -> None:
        child = person_id(years_ago(15))
        reasons = field_reasons(apply(service, officer, application(id_number=child)))
        assert "guardian" in reasons and "居住证暂行条例 第九条" in reasons["guardian"]

    def test_a_minor_with_a_guardian_is_issued_and_the_guardian_recorded(
        self, service: TestClient, officer: Headers
    ) -> None:
        guardian = {"id_number": person_id(date(1985, 1, 1)), "name": "王父", "relation": "parent"}
        body = application(id_number=person_id(years_ago(15)), basis="study", guardian=guardian)
        assert issued(service, officer, body)["guardian"] == guardian

    def test_a_person_of_sixteen_needs_no_guardian(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application(
            id_number=person_id(years_ago(16)), resident_since=years_ago(1).isoformat()
        )
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
                        "id_number": person_id(date(1980, 1, 1)),
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
        number = person_id(date(1990, 5, 1))
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
        assert searched(service, officer, id_number=body["id_number"])["total"] == 0


class TestOnePermitPerPerson(ResidencePermitApiTests):
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


class TestIdempotency(ResidencePermitApiTests):
    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing(
        self, service: TestClient, officer: Headers
    ) -> None:
        body, key = application(), {"Idempotency-Key": "k-1"}
        first = apply(service, {**officer, **key}, body)
        again = apply(service, {**officer, **key}, body)
        assert ok(first, 201) == ok(again, 201)
        assert searched(service, officer, id_number=body["id_number"])["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, service: TestClient, officer: Headers
    ) -> None:
        key = {**officer, "Idempotency-Key": "k-2"}
        ok(apply(service, key, application()), 201)
        error_of(apply(service, key, application()), 409, "conflict")

    def test_a_repeated_endorsement_is_recorded_once(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        key = {**officer, "Idempotency-Key": "e-1"}
        first = ok(endorse(service, key, permit["id"], STILL_RESIDENT), 201)
        again = ok(endorse(service, key, permit["id"], STILL_RESIDENT), 201)
        assert first == again
        assert len(fetch(service, officer, permit["id"])["endorsements"]) == 1


# --- authorisation -------------------------------------------------------------------------------


ROUTES = [
    ("GET", PERMITS),
    ("POST", PERMITS),
    ("GET", f"{PERMITS}/x"),
    ("POST", f"{PERMITS}/x/endorsements"),
    ("GET", f"{PERMITS}/x/entitlements"),
    ("GET", "/v1/entitlements"),
    ("POST", "/v1/entitlements/check"),
    ("POST", "/v1/residence-history"),
    ("POST", f"{PERMITS}/search"),
    ("GET", "/v1/settlements/x"),
    ("POST", "/v1/settlements/x/information"),
    ("POST", REGISTRATIONS),
    ("GET", f"{REGISTRATIONS}/x"),
    ("POST", f"{REGISTRATIONS}/x/move"),
    ("POST", f"{REGISTRATIONS}/x/end"),
    ("POST", f"{REGISTRATIONS}/search"),
]


class TestAuthorisation(ResidencePermitApiTests):
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
        error_of(endorse(service, auditor, permit["id"], STILL_RESIDENT), 403, "forbidden")

    def test_a_read_only_token_of_public_security_cannot_apply(
        self, service: TestClient, auth: TokenFactory
    ) -> None:
        error_of(
            apply(service, auth("public_security", "permit:read"), application()), 403, "forbidden"
        )
