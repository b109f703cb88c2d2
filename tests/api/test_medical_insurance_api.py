"""The medical insurance service's HTTP API and event handling, in process (三(六))."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.medical_insurance import api
from services.medical_insurance.app import build
from shared.events.consumer import dead_letter_topic
from shared.events.envelope import new_event
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, approved_event
from tests.api.medical_insurance_support import (
    DECISION_DAY,
    MEIJIANG,
    PARAMETERS_ENV,
    SHIXING,
    WUJIANG,
    Headers,
    error_of,
    family,
    parameters_json,
    publish,
    publish_settlement,
    reason_for,
    record,
    settlement_when_ready,
    topic_values,
    wait_until,
)
from tests.conftest import TokenFactory

PROCESSED_TOPIC = "medical_insurance.settlement.processed"
DEADLINE = DECISION_DAY + timedelta(days=60)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PARAMETERS_ENV, parameters_json())


@pytest.fixture
def service(settings: Settings, configured: None) -> Iterator[TestClient]:
    """The service with its relay and consumer threads, as in production."""
    with TestClient(build(settings)) as client:
        yield client


@pytest.fixture
def quiet(settings: Settings, configured: None) -> Iterator[TestClient]:
    """The service without threads: settlements are recorded straight through the act."""
    with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
        yield client


@pytest.fixture
def officer(auth: TokenFactory) -> Headers:
    """Human resources, which runs medical insurance: medical:read and medical:write."""
    return auth("human_resources")


def entries_of(client: TestClient, settlement_id: str, headers: Headers) -> list[dict[str, Any]]:
    response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    return [
        value["data"]
        for value in topic_values(settings, PROCESSED_TOPIC)
        if value["data"]["settlement_id"] == settlement_id
    ]


def confirm(client: TestClient, transfer_id: str, headers: Headers, body: Any) -> Any:
    return client.post(f"/v1/transfers/{transfer_id}/confirmation", headers=headers, json=body)


CONFIRMED = {"outcome": "confirmed", "months": 31, "coverage_end": "2019-06-30"}
NOT_INSURED = {"insured": False, "employed_with_employer_paying": False}


# --- acting on hukou.settlement.approved --------------------------------------------------------


class TestSettlementApproved:
    def test_not_found_until_the_department_has_acted(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        error_of(quiet.get("/v1/settlements/unknown", headers=officer), 404, "not_found")

    def test_a_family_gets_one_entry_per_member_with_the_clause_and_parameters(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        publish_settlement(settings, data)
        body = settlement_when_ready(service, data.settlement_id, officer)

        assert body["settlement_id"] == data.settlement_id
        assert body["clause"] == "三(六)"
        assert body["decision_date"] == DECISION_DAY.isoformat()
        applicant, spouse, child, parent = body["entries"]
        assert [e["member_index"] for e in body["entries"]] == [0, 1, 2, 3]
        assert (applicant["kind"], applicant["status"], applicant["to_scheme"]) == (
            "transfer",
            "awaiting_origin",
            "employee",
        )
        assert (applicant["from_region_code"], applicant["months_declared"]) == (MEIJIANG, 30)
        assert applicant["coverage_start"] == DECISION_DAY.isoformat()
        assert applicant["confirmation_deadline"] == DEADLINE.isoformat()
        assert applicant["overdue"] is True  # 2019's deadline passed long ago
        assert applicant["transfer_id"] == applicant["entry_id"]
        for presumed in (spouse, child):
            assert (presumed["kind"], presumed["facts_basis"], presumed["to_scheme"]) == (
                "transfer",
                "presumption",
                "urban_rural_resident",
            )
        assert (parent["kind"], parent["status"], parent["transfer_id"]) == (
            "information_needed",
            "information_needed",
            None,
        )
        assert body["information_needed"] == [{"member_index": 3, "missing": parent["missing"]}]
        assert {p["name"] for p in body["parameters"]} >= {
            "origin_confirmation_days",
            "presume_rural_members_insured_at_origin",
            "minimum_working_age",
        }
        for entry, member in zip(body["entries"], data.members, strict=True):
            assert entry["clause"] == "三(六)"
            assert entry["birth_date"] == member.birth_date.isoformat()
            assert entry["id_number_masked"] != member.id_number
            assert entry["id_number_masked"][:4] == member.id_number[:4]
            assert "name" not in entry
        [report] = processed(settings, data.settlement_id)
        assert report["outcome"] == "done"
        assert "4 member(s)" in report["summary"]
        assert data.members[0].id_number not in json.dumps(report)

    def test_an_applicant_insured_in_the_city_continues_and_one_insured_nowhere_is_enrolled(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        insured_here = family(
            social_insurance={"medical_months": 14, "insured_region_code": WUJIANG}
        )
        insured_nowhere = family(social_insurance={"medical_months": 0, "employer_paid": False})
        record(quiet, insured_here)
        record(quiet, insured_nowhere)

        here = entries_of(quiet, insured_here.settlement_id, officer)[0]
        nowhere = entries_of(quiet, insured_nowhere.settlement_id, officer)[0]
        assert (here["kind"], here["status"], here["overdue"]) == (
            "continuation",
            "completed",
            False,
        )
        assert (nowhere["kind"], nowhere["to_scheme"], nowhere["coverage_start"]) == (
            "enrollment",
            "urban_rural_resident",
            DECISION_DAY.isoformat(),
        )

    def test_the_same_event_twice_makes_one_record_and_one_processed_report(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        event = approved_event(data)
        publish(settings, event, event)
        settlement_when_ready(service, data.settlement_id, officer)
        wait_until(lambda: len(processed(settings, data.settlement_id)) >= 1)
        time.sleep(0.5)  # long enough for a second report to show, were there one

        assert len(entries_of(service, data.settlement_id, officer)) == len(data.members)
        reports = processed(settings, data.settlement_id)
        assert [r["outcome"] for r in reports] == ["done"]

    def test_the_settlement_republished_under_a_new_event_id_changes_nothing(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        before = entries_of(quiet, data.settlement_id, officer)
        record(quiet, data)  # the act itself is idempotent per settlement, inbox or not
        assert entries_of(quiet, data.settlement_id, officer) == before

    def test_unknown_types_are_skipped_and_a_newer_minor_version_is_read(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        unknown = new_event(
            type_="cn.gov.shaoguan.hukou.settlement.amended",
            source="/luohu/hukou",
            subject="amended-1",
            data={"settlement_id": "amended-1"},
        )
        data = family()
        newer = approved_event(data).get_data()
        assert isinstance(newer, dict)
        newer["members"][0]["nationality"] = "汉"  # fields a 1.9 producer may add
        newer["medical_transfer_hint"] = {"anything": True}
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=newer,
            extensions={"dataversion": "1.9"},
        )
        publish(settings, unknown, event)

        body = settlement_when_ready(service, data.settlement_id, officer)
        assert len(body["entries"]) == 4
        assert processed(settings, "amended-1") == []
        assert topic_values(settings, dead_letter_topic("medical_insurance")) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        poisoned = approved_event(data).get_data()
        assert isinstance(poisoned, dict)
        poisoned["members"][1]["relation"] = "cousin"  # no relation that settles along
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=data.settlement_id,
            data=poisoned,
        )
        publish(settings, event)

        wait_until(lambda: bool(processed(settings, data.settlement_id)))
        [report] = processed(settings, data.settlement_id)
        assert report["outcome"] == "failed"
        [letter] = topic_values(settings, dead_letter_topic("medical_insurance"))
        assert letter["id"] == event.get_id()
        error_of(
            service.get(f"/v1/settlements/{data.settlement_id}", headers=officer),
            404,
            "not_found",
        )


# --- who may do what ----------------------------------------------------------------------


class TestAuthorisation:
    def test_no_token_is_401_on_every_route(self, quiet: TestClient) -> None:
        for method, path in (
            ("GET", "/v1/settlements/s"),
            ("PUT", "/v1/settlements/s/members/0/insurance"),
            ("POST", "/v1/transfers/t/confirmation"),
            ("GET", "/v1/transfers"),
            ("GET", "/v1/transfers/t"),
        ):
            error_of(quiet.request(method, path, json={}), 401, "unauthenticated")

    def test_reading_needs_medical_read(self, quiet: TestClient, auth: TokenFactory) -> None:
        data = family()
        record(quiet, data)
        path = f"/v1/settlements/{data.settlement_id}"
        for dept in ("human_resources", "public_security", "audit"):
            assert quiet.get(path, headers=auth(dept)).status_code == 200, dept
        for headers in (
            auth("housing"),
            auth("education"),
            auth("human_resources", "pension:read"),
        ):
            error_of(quiet.get(path, headers=headers), 403, "forbidden")
            error_of(quiet.get("/v1/transfers", headers=headers), 403, "forbidden")

    def test_changing_needs_medical_write(self, quiet: TestClient, auth: TokenFactory) -> None:
        data = family()
        record(quiet, data)
        transfer_id = entries_of(quiet, data.settlement_id, auth("audit"))[0]["transfer_id"]
        for headers in (
            auth("audit"),
            auth("public_security"),
            auth("human_resources", "medical:read"),
        ):
            put = quiet.put(
                f"/v1/settlements/{data.settlement_id}/members/3/insurance",
                headers=headers,
                json=NOT_INSURED,
            )
            error_of(put, 403, "forbidden")
            error_of(confirm(quiet, transfer_id, headers, CONFIRMED), 403, "forbidden")


# --- the department supplies a member's facts ---------------------------------------------------


class TestSupplyMemberInsurance:
    def test_supplied_facts_decide_the_entry_and_the_same_facts_again_change_nothing(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        path = f"/v1/settlements/{data.settlement_id}/members/3/insurance"
        facts = {
            "insured": True,
            "region_code": SHIXING,
            "scheme": "new_rural_cooperative",
            "months": 48,
            "employed_with_employer_paying": False,
        }

        first = quiet.put(path, headers=officer, json=facts)
        assert first.status_code == 200, first.text
        entry = first.json()
        assert (entry["kind"], entry["status"], entry["facts_basis"]) == (
            "transfer",
            "completed",
            "department",
        )
        assert (entry["from_scheme"], entry["to_scheme"]) == (
            "new_rural_cooperative",
            "urban_rural_resident",
        )
        assert entry["months_carried_over"] == 48
        assert quiet.put(path, headers=officer, json=facts).json() == entry
        body = quiet.get(f"/v1/settlements/{data.settlement_id}", headers=officer).json()
        assert body["information_needed"] == []

        other = quiet.put(path, headers=officer, json=NOT_INSURED)
        error_of(other, 409, "conflict")

    def test_a_member_insured_nowhere_is_enrolled(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        response = quiet.put(
            f"/v1/settlements/{data.settlement_id}/members/3/insurance",
            headers=officer,
            json=NOT_INSURED,
        )
        assert (response.json()["kind"], response.json()["to_scheme"]) == (
            "enrollment",
            "urban_rural_resident",
        )

    def test_an_entry_already_decided_is_409(self, quiet: TestClient, officer: Headers) -> None:
        data = family()
        record(quiet, data)
        response = quiet.put(
            f"/v1/settlements/{data.settlement_id}/members/0/insurance",
            headers=officer,
            json=NOT_INSURED,
        )
        error_of(response, 409, "conflict")

    def test_unknown_settlement_or_member_is_404(self, quiet: TestClient, officer: Headers) -> None:
        data = family()
        record(quiet, data)
        for path in (
            "/v1/settlements/nope/members/0/insurance",
            f"/v1/settlements/{data.settlement_id}/members/9/insurance",
        ):
            error_of(quiet.put(path, headers=officer, json=NOT_INSURED), 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({"insured": True, "employed_with_employer_paying": True}, "region_code", "required"),
            ({"insured": True, "employed_with_employer_paying": True}, "scheme", "required"),
            ({"insured": True, "employed_with_employer_paying": True}, "months", "required"),
            ({**NOT_INSURED, "region_code": MEIJIANG}, "region_code", "left out"),
            ({**NOT_INSURED, "months": 3}, "months", "left out"),
            ({"insured": False}, "employed_with_employer_paying", "required"),
            ({"employed_with_employer_paying": False}, "insured", "required"),
            (
                {
                    "insured": True,
                    "region_code": "999999",
                    "scheme": "employee",
                    "months": 3,
                    "employed_with_employer_paying": True,
                },
                "region_code",
                "GB/T 2260",
            ),
            (
                {
                    "insured": True,
                    "region_code": MEIJIANG,
                    "scheme": "private",
                    "months": 3,
                    "employed_with_employer_paying": True,
                },
                "scheme",
                "new_rural_cooperative",
            ),
            (
                {
                    "insured": True,
                    "region_code": MEIJIANG,
                    "scheme": "employee",
                    "months": -1,
                    "employed_with_employer_paying": True,
                },
                "months",
                "greater than or equal to 0",
            ),
            ({**NOT_INSURED, "name": "x"}, "name", "Extra inputs"),
        ],
    )
    def test_bad_facts_are_422_naming_the_field(
        self, quiet: TestClient, officer: Headers, body: dict[str, Any], field: str, words: str
    ) -> None:
        data = family()
        record(quiet, data)
        response = quiet.put(
            f"/v1/settlements/{data.settlement_id}/members/3/insurance", headers=officer, json=body
        )
        assert words in reason_for(response, field)
        assert entries_of(quiet, data.settlement_id, officer)[3]["status"] == "information_needed"

    def test_a_negative_member_index_or_overlong_settlement_id_is_422(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        response = quiet.put(
            "/v1/settlements/s/members/-1/insurance", headers=officer, json=NOT_INSURED
        )
        assert "greater than or equal to 0" in reason_for(response, "member_index")
        response = quiet.get(f"/v1/settlements/{'x' * 65}", headers=officer)
        assert "at most 64" in reason_for(response, "settlement_id")


# --- the origin's confirmation ----------------------------------------------------------------


class TestConfirmation:
    def awaiting(self, client: TestClient, headers: Headers) -> str:
        data = family()
        record(client, data)
        transfer_id: str = entries_of(client, data.settlement_id, headers)[0]["transfer_id"]
        return transfer_id

    def test_confirmed_months_carry_over_and_a_second_answer_is_409(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        transfer_id = self.awaiting(quiet, officer)
        response = confirm(quiet, transfer_id, officer, CONFIRMED)
        assert response.status_code == 200, response.text
        entry = response.json()
        assert (entry["status"], entry["months_carried_over"], entry["months_declared"]) == (
            "completed",
            31,
            30,
        )
        assert (entry["origin_coverage_end"], entry["continuous"], entry["overdue"]) == (
            "2019-06-30",
            True,
            False,
        )
        assert quiet.get(f"/v1/transfers/{transfer_id}", headers=officer).json() == entry
        error_of(confirm(quiet, transfer_id, officer, CONFIRMED), 409, "conflict")

    def test_a_refusal_is_recorded_with_its_reason(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        transfer_id = self.awaiting(quiet, officer)
        refusal = {"outcome": "refused", "reason": "no record of the person"}
        entry = confirm(quiet, transfer_id, officer, refusal).json()
        assert (entry["status"], entry["months_carried_over"]) == ("refused", None)
        assert "no record of the person" in entry["reason"]

    def test_the_idempotency_key_replays_the_first_answer(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        transfer_id = self.awaiting(quiet, officer)
        keyed = {**officer, "Idempotency-Key": "origin-letter-1"}
        first = confirm(quiet, transfer_id, keyed, CONFIRMED)
        again = confirm(quiet, transfer_id, keyed, CONFIRMED)
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        other = confirm(quiet, transfer_id, keyed, {**CONFIRMED, "months": 5})
        error_of(other, 409, "conflict")

    def test_an_unknown_transfer_is_404(self, quiet: TestClient, officer: Headers) -> None:
        error_of(confirm(quiet, "no-such-transfer", officer, CONFIRMED), 404, "not_found")
        error_of(quiet.get("/v1/transfers/no-such-transfer", headers=officer), 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({"outcome": "confirmed", "coverage_end": "2019-06-30"}, "months", "required"),
            ({"outcome": "confirmed", "months": 3}, "coverage_end", "required"),
            ({"outcome": "refused"}, "reason", "required"),
            ({"outcome": "refused", "reason": "x", "months": 3}, "months", "left out"),
            ({"outcome": "maybe"}, "outcome", "'confirmed' or 'refused'"),
            ({**CONFIRMED, "coverage_end": "2019-02-30"}, "coverage_end", "date"),
            ({**CONFIRMED, "origin_scheme": "private"}, "origin_scheme", "employee"),
        ],
    )
    def test_bad_answers_are_422_naming_the_field(
        self, quiet: TestClient, officer: Headers, body: dict[str, Any], field: str, words: str
    ) -> None:
        transfer_id = self.awaiting(quiet, officer)
        assert words in reason_for(confirm(quiet, transfer_id, officer, body), field)
        assert quiet.get(f"/v1/transfers/{transfer_id}", headers=officer).json()["status"] == (
            "awaiting_origin"
        )

    def test_an_overlong_idempotency_key_is_422(self, quiet: TestClient, officer: Headers) -> None:
        transfer_id = self.awaiting(quiet, officer)
        headers = {**officer, "Idempotency-Key": "k" * 201}
        reason_for(confirm(quiet, transfer_id, headers, CONFIRMED), "Idempotency-Key")


# --- overdue transfers --------------------------------------------------------------------------


class TestOverdue:
    def on(self, client: TestClient, day: date) -> None:
        client.app.dependency_overrides[api.today] = lambda: day  # type: ignore[attr-defined]

    def test_the_deadline_day_is_not_overdue_and_the_day_after_is(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        self.on(quiet, DEADLINE)
        assert entries_of(quiet, data.settlement_id, officer)[0]["overdue"] is False
        assert quiet.get("/v1/transfers?overdue=true", headers=officer).json()["total"] == 0
        self.on(quiet, DEADLINE + timedelta(days=1))
        assert entries_of(quiet, data.settlement_id, officer)[0]["overdue"] is True
        page = quiet.get("/v1/transfers?overdue=true", headers=officer).json()
        assert page["total"] == 3  # the applicant, the spouse and the child
        assert {item["settlement_id"] for item in page["items"]} == {data.settlement_id}

    def test_the_overdue_list_is_paged_and_leaves_out_answered_transfers(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        late, recent = family(), family(decision_date=date.today())
        record(quiet, late)
        record(quiet, recent)
        first = entries_of(quiet, late.settlement_id, officer)[0]["transfer_id"]
        confirm(quiet, first, officer, CONFIRMED)

        page = quiet.get("/v1/transfers?overdue=true&page_size=1", headers=officer).json()
        assert (page["total"], len(page["items"]), page["page_size"]) == (2, 1, 1)
        assert page["items"][0]["overdue"] is True
        rest = quiet.get("/v1/transfers?overdue=false", headers=officer).json()
        assert rest["total"] == 4  # the confirmed one, and the recent family's three
        done = quiet.get("/v1/transfers?status=completed", headers=officer).json()
        assert [item["transfer_id"] for item in done["items"]] == [first]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("overdue=maybe", "overdue"),
            ("page=0", "page"),
            ("page_size=500", "page_size"),
            ("status=lost", "status"),
        ],
    )
    def test_bad_filters_are_422_naming_the_parameter(
        self, quiet: TestClient, officer: Headers, query: str, field: str
    ) -> None:
        reason_for(quiet.get(f"/v1/transfers?{query}", headers=officer), field)


def test_parameters_without_a_presumption_leave_silent_members_to_the_department(
    quiet: TestClient, officer: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PARAMETERS_ENV, parameters_json(presume=None))
    data = family()
    record(quiet, data)
    kinds = [e["kind"] for e in entries_of(quiet, data.settlement_id, officer)]
    assert kinds == ["transfer", "information_needed", "information_needed", "information_needed"]
