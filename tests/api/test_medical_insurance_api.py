"""The medical insurance service in process (三(六)): acting on `hukou.settlement.approved`, its
parameters, and who may do what. Members' facts and transfers have files of their own."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from services.medical_insurance.app import build
from shared.events.consumer import dead_letter_topic
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests.api.medical_insurance_support import (
    CONFIRMED,
    DEADLINE,
    DECISION_DAY,
    NOT_INSURED,
    PARAMETERS_ENV,
    SERVICE,
    MedicalInsuranceApiTests,
    confirm,
    entries_of,
    family,
    parameters_json,
    record,
    supply,
)
from tests.conftest import TokenFactory
from tests.settlements import (
    amendment,
    approval,
    decided,
    hukou_event,
    published_twice,
)
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    acted_on,
    caught_up,
    error_of,
    events_on,
    eventually,
    publish,
    reports,
)

# --- acting on hukou.settlement.approved --------------------------------------------------------


class TestSettlementApproved(MedicalInsuranceApiTests):
    def test_not_found_until_the_department_has_acted(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        error_of(quiet.get("/v1/settlements/unknown", headers=officer), 404, "not_found")

    def test_a_family_gets_one_entry_per_member_with_the_clause_and_parameters(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        body = decided(service, settings, officer, data)

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
        assert (applicant["from_region_code"], applicant["months_declared"]) == (MEIZHOU, 30)
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
        assert parent["missing"] == [
            "social_insurance.medical_months",
            "social_insurance.insured_region_code",
        ]
        assert (body["status"], body["version"]) == ("action_needed", 1)
        assert sorted((i["member_index"], i["field"], i["kind"]) for i in body["open_items"]) == [
            (0, "medical_insurance.origin_confirmation", "confirmation"),
            (1, "medical_insurance.origin_confirmation", "confirmation"),
            (2, "medical_insurance.origin_confirmation", "confirmation"),
            (3, "social_insurance.insured_region_code", "information"),
            (3, "social_insurance.medical_months", "information"),
        ]
        assert list(body)[:4] == ["settlement_id", "status", "open_items", "version"]
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
        # The record is written with the report; the relay publishes the report just after.
        eventually(lambda: len(reports(settings, SERVICE, data.settlement_id)) == 1)
        [report] = reports(settings, SERVICE, data.settlement_id)
        assert (report["outcome"], report["status"], report["version"]) == (
            "done",
            "action_needed",
            1,
        )
        assert report["open_items"] == body["open_items"]
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
        published_twice(settings, data)
        acted_on(service, officer, data.settlement_id)
        caught_up(service, settings, SERVICE)  # a second report, were there one, is out by now

        assert len(entries_of(service, data.settlement_id, officer)) == len(data.members)
        answers = reports(settings, SERVICE, data.settlement_id)
        assert [r["outcome"] for r in answers] == ["done"]

    def test_the_settlement_republished_under_a_new_event_id_changes_nothing(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        before = entries_of(quiet, settled.settlement_id, officer)
        record(quiet, settled)  # the act itself is idempotent per settlement, inbox or not
        assert entries_of(quiet, settled.settlement_id, officer) == before

    def test_unknown_types_are_skipped_and_a_newer_minor_version_is_read(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        unknown = amendment("amended-1")
        data = family()
        newer = approval(data).get_data()
        assert isinstance(newer, dict)
        newer["members"][0]["nationality"] = "汉"  # fields a 1.9 producer may add
        newer["medical_transfer_hint"] = {"anything": True}
        event = hukou_event(data.settlement_id, newer, dataversion="2.9")
        publish(settings, unknown, event)

        body = acted_on(service, officer, data.settlement_id)
        assert len(body["entries"]) == 4
        assert reports(settings, SERVICE, "amended-1") == []
        assert events_on(settings, dead_letter_topic(SERVICE)) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        poisoned = approval(data).get_data()
        assert isinstance(poisoned, dict)
        poisoned["members"][1]["relation"] = "cousin"  # no relation that settles along
        event = hukou_event(data.settlement_id, poisoned)
        publish(settings, event)

        eventually(lambda: bool(reports(settings, SERVICE, data.settlement_id)))
        [report] = reports(settings, SERVICE, data.settlement_id)
        assert report["outcome"] == "failed"
        [letter] = events_on(settings, dead_letter_topic(SERVICE))
        assert letter["id"] == event.get_id()
        error_of(
            service.get(f"/v1/settlements/{data.settlement_id}", headers=officer),
            404,
            "not_found",
        )


# --- the local parameters -----------------------------------------------------------------------


class TestWithoutAPresumption(MedicalInsuranceApiTests):
    @pytest.fixture
    def configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A deadline, but no parameter presuming rural members insured at origin."""
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json(presume=None))

    def test_parameters_without_a_presumption_leave_silent_members_to_the_department(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        kinds = [e["kind"] for e in entries_of(quiet, settled.settlement_id, officer)]
        assert kinds == [
            "transfer",
            "information_needed",
            "information_needed",
            "information_needed",
        ]


def test_a_wrong_local_parameter_stops_the_service_at_start(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PARAMETERS_ENV, parameters_json(days=-1))
    with pytest.raises(ValueError, match=f"{PARAMETERS_ENV} is not valid: origin_confirmation"):
        build(settings)


# --- who may do what ----------------------------------------------------------------------


class TestAuthorisation(MedicalInsuranceApiTests):
    def test_no_token_is_401_on_every_route(self, quiet: TestClient) -> None:
        for method, path in (
            ("GET", "/v1/settlements/s"),
            ("PUT", "/v1/settlements/s/members/0/insurance"),
            ("POST", "/v1/transfers/t/confirmation"),
            ("GET", "/v1/transfers"),
            ("GET", "/v1/transfers/t"),
        ):
            error_of(quiet.request(method, path, json={}), 401, "unauthenticated")

    def test_reading_needs_medical_read(
        self, quiet: TestClient, auth: TokenFactory, settled: SettlementApproved
    ) -> None:
        path = f"/v1/settlements/{settled.settlement_id}"
        for dept in ("human_resources", "public_security", "audit"):
            assert quiet.get(path, headers=auth(dept)).status_code == 200, dept
        for headers in (
            auth("housing"),
            auth("education"),
            auth("human_resources", "pension:read"),
        ):
            error_of(quiet.get(path, headers=headers), 403, "forbidden")
            error_of(quiet.get("/v1/transfers", headers=headers), 403, "forbidden")

    def test_changing_needs_medical_write(
        self, quiet: TestClient, auth: TokenFactory, settled: SettlementApproved
    ) -> None:
        transfer_id = entries_of(quiet, settled.settlement_id, auth("audit"))[0]["transfer_id"]
        for headers in (
            auth("audit"),
            auth("public_security"),
            auth("human_resources", "medical:read"),
        ):
            error_of(
                supply(quiet, settled.settlement_id, 3, headers, NOT_INSURED), 403, "forbidden"
            )
            error_of(confirm(quiet, transfer_id, headers, CONFIRMED), 403, "forbidden")
