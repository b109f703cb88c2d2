"""Residence registration (居住登记) through the API, and the permit that counts it: register,
move, end, read, search (三(九) 完善流动人口居住登记管理; 广东省流动人口服务管理条例 第二条,
第七条)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from shared.dates import add_months
from tests.api.residence_permit_support import (
    LECHANG,
    PERMITS,
    REGISTRATIONS,
    ZHENJIANG,
    ResidencePermitApiTests,
    application,
    field_reasons,
    register,
    registered,
    registration,
    today,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of, ok


def moved(client: TestClient, headers: Headers, registration_id: str, body: dict[str, Any]) -> Any:
    return client.post(f"{REGISTRATIONS}/{registration_id}/move", json=body, headers=headers)


def ended(client: TestClient, headers: Headers, registration_id: str, body: dict[str, Any]) -> Any:
    return client.post(f"{REGISTRATIONS}/{registration_id}/end", json=body, headers=headers)


def permit_for(body: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A permit application for the person of a registration, declaring no residence start."""
    applied = application(id_number=body["id_number"], region_code=body["region_code"])
    del applied["resident_since"]  # the registration is the residence counted
    applied.update(overrides)
    return applied


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


class TestRegister(ResidencePermitApiTests):
    def test_a_registration_is_in_force_from_its_day_and_reads_back_as_answered(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = registration(registered_on=today().isoformat())
        answer = registered(service, officer, body)
        assert answer["in_force"] and answer["registered_on"] == today().isoformat()
        assert answer["region_code"] == WUJIANG and "武江区" in answer["region_name"]
        assert [a["since"] for a in answer["addresses"]] == [today().isoformat()]
        got = ok(service.get(f"{REGISTRATIONS}/{answer['id']}", headers=officer))
        assert got == answer

    def test_a_household_registration_in_another_shaoguan_county_is_422(
        self, service: TestClient, officer: Headers
    ) -> None:
        # 广东省流动人口服务管理条例 第二条: 流动人口 move 跨地级以上市; 乐昌 to 武江区 is no
        # such move.
        response = register(service, officer, registration(hukou_region_code=LECHANG))
        reason = field_reasons(response)["hukou_region_code"]
        assert "跨地级以上市居住" in reason and "第二条" in reason

    def test_a_second_registration_in_force_is_409_without_the_identity_number(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = registration()
        first = registered(service, officer, body)
        error = error_of(register(service, officer, body), 409, "conflict")
        assert error["details"][0]["registration_id"] == first["id"]
        assert body["id_number"] not in str(error)

    def test_a_person_is_found_by_the_number_in_the_body(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = registration()
        answer = registered(service, officer, body)
        search = {"id_number": body["id_number"]}
        found = ok(service.post(f"{REGISTRATIONS}/search", json=search, headers=officer))
        assert found["total"] == 1 and found["items"][0]["id"] == answer["id"]
        in_url = service.get(f"{REGISTRATIONS}/x", params=search, headers=officer)
        error_of(in_url, 422, "invalid_input")

    def test_the_same_key_and_body_register_once(
        self, service: TestClient, officer: Headers
    ) -> None:
        body, keyed = registration(), {**officer, "Idempotency-Key": "r-1"}
        assert ok(register(service, keyed, body), 201) == ok(register(service, keyed, body), 201)
        found = service.post(
            f"{REGISTRATIONS}/search", json={"id_number": body["id_number"]}, headers=officer
        )
        assert ok(found)["total"] == 1

    def test_another_department_cannot_register_and_audit_only_reads(
        self, service: TestClient, officer: Headers, auditor: Headers, auth: TokenFactory
    ) -> None:
        answer = registered(service, officer, registration())
        error_of(register(service, auth("housing"), registration()), 403, "forbidden")
        error_of(register(service, auditor, registration()), 403, "forbidden")
        assert ok(service.get(f"{REGISTRATIONS}/{answer['id']}", headers=auditor))["id"]


class TestMoveAndEnd(ResidencePermitApiTests):
    def test_a_move_keeps_the_registration_and_adds_the_address(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = registered(service, officer, registration(registered_on=days_ago(30)))
        move = {"region_code": ZHENJIANG, "address": "浈江区新华路 2 号", "moved_on": days_ago(3)}
        after = ok(moved(service, officer, answer["id"], move), 201)
        assert after["id"] == answer["id"] and after["registered_on"] == days_ago(30)
        assert after["region_code"] == ZHENJIANG and after["address"] == move["address"]
        assert [a["since"] for a in after["addresses"]] == [days_ago(30), days_ago(3)]
        for county, total in ((ZHENJIANG, 1), (WUJIANG, 0)):  # searched by the current county
            search = {"id_number": answer["id_number"], "region_code": county}
            found = service.post(f"{REGISTRATIONS}/search", json=search, headers=officer)
            assert ok(found)["total"] == total

    def test_a_move_dated_before_the_registration_is_422_naming_moved_on(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = registered(service, officer, registration(registered_on=days_ago(30)))
        move = {"region_code": ZHENJIANG, "address": "浈江区新华路 2 号", "moved_on": days_ago(31)}
        assert "moved_on" in field_reasons(moved(service, officer, answer["id"], move))

    def test_an_ended_registration_is_409_to_a_move_and_to_a_second_end(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = registered(service, officer, registration(registered_on=days_ago(30)))
        after = ok(ended(service, officer, answer["id"], {"ended_on": days_ago(1)}))
        assert after["ended_on"] == days_ago(1) and not after["in_force"]
        move = {"region_code": ZHENJIANG, "address": "浈江区新华路 2 号"}
        error_of(moved(service, officer, answer["id"], move), 409, "conflict")
        error_of(ended(service, officer, answer["id"], {}), 409, "conflict")

    def test_after_an_end_the_person_registers_afresh(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = registration(registered_on=days_ago(30))
        first = registered(service, officer, body)
        ok(ended(service, officer, first["id"], {"ended_on": days_ago(10)}))
        too_early = register(service, officer, {**body, "registered_on": days_ago(11)})
        assert "registered_on" in field_reasons(too_early)
        again = registered(service, officer, {**body, "registered_on": days_ago(10)})
        assert again["id"] != first["id"] and again["in_force"]

    def test_an_unknown_registration_is_404(self, service: TestClient, officer: Headers) -> None:
        error_of(ended(service, officer, "nope", {}), 404, "not_found")
        error_of(service.get(f"{REGISTRATIONS}/nope", headers=officer), 404, "not_found")


class TestPermitCountsTheRegistration(ResidencePermitApiTests):
    """第二条 居住半年以上, counted on the registration; the permit in its county (第九条,
    第十条)."""

    def test_six_months_of_registration_issue_a_permit_that_names_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        since = add_months(today(), -6).isoformat()
        answer = registered(service, officer, registration(registered_on=since))
        permit = ok(service.post(PERMITS, json=permit_for(answer), headers=officer), 201)
        assert permit["registration_id"] == answer["id"] and permit["resident_since"] == since

    def test_a_day_short_of_six_months_of_registration_is_422_naming_the_registration(
        self, service: TestClient, officer: Headers
    ) -> None:
        since = (add_months(today(), -6) + timedelta(days=1)).isoformat()
        answer = registered(service, officer, registration(registered_on=since))
        # An earlier declared start does not count beyond the registration.
        body = permit_for(answer, resident_since=days_ago(400))
        reason = field_reasons(service.post(PERMITS, json=body, headers=officer))["registration"]
        assert "less than 6 months" in reason and "the registration counts" in reason

    def test_without_a_registration_the_application_is_422_saying_where_to_register(
        self, service: TestClient, officer: Headers
    ) -> None:
        body = application()
        reasons = field_reasons(service.post(PERMITS, json=body, headers=officer))
        assert "POST /v1/residence-registrations" in reasons["registration"]

    def test_a_registration_ended_today_counts_no_more_today(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = registered(service, officer, registration(registered_on=days_ago(400)))
        ok(ended(service, officer, answer["id"], {"ended_on": days_ago(0)}))
        response = service.post(PERMITS, json=permit_for(answer), headers=officer)
        assert "registration" in field_reasons(response)

    def test_after_a_move_the_half_year_runs_on_and_the_permit_is_in_the_new_county(
        self, service: TestClient, officer: Headers
    ) -> None:
        answer = registered(service, officer, registration(registered_on=days_ago(200)))
        move = {"region_code": ZHENJIANG, "address": "浈江区新华路 2 号", "moved_on": days_ago(20)}
        ok(moved(service, officer, answer["id"], move), 201)
        old_county = service.post(PERMITS, json=permit_for(answer), headers=officer)
        assert (
            "registration places the person in 440204" in field_reasons(old_county)["region_code"]
        )
        body = permit_for(answer, region_code=ZHENJIANG)
        permit = ok(service.post(PERMITS, json=body, headers=officer), 201)
        assert permit["resident_since"] == days_ago(200)
