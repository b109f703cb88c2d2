"""Medical insurance follows through (三(六)): each member's missing fact, each parameter not
recorded and each transfer awaiting the origin is an open item of that member's, until the fact
is supplied, the parameter recorded or the origin answers; only then is the settlement `done`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.medical_insurance.app import build
from services.medical_insurance.handlers import FOLLOW_THROUGH
from services.medical_insurance.rules import PARAMETERS
from shared.clock import today
from shared.follow_through import decide_again, redecide_waiting
from shared.settings import Settings
from shared.settlement import SettlementApproved, approved_event
from tests.api.medical_insurance_support import (
    CONFIRMED,
    DEADLINE,
    DECISION_DAY,
    INSURED_AT_HOME,
    NOT_INSURED,
    PARAMETERS_ENV,
    SERVICE,
    SHIXING,
    MedicalInsuranceApiTests,
    confirm,
    entries_of,
    family,
    open_items,
    parameters_json,
    record,
    record_of,
    settlement_when_ready,
)
from tests.api.medical_insurance_support import supply as put_insurance
from tests.conftest import TokenFactory
from tests.support import (
    MEIZHOU,
    Headers,
    caught_up,
    error_of,
    eventually,
    invalid,
    member,
    nothing_more_to_decide,
    ok,
    outbox_reports,
    publish,
    reason_for,
    refused_supply,
    settlement,
)
from tests.support import supply as inform

MONTHS = "social_insurance.medical_months"
REGION = "social_insurance.insured_region_code"
EMPLOYER_PAID = "social_insurance.employer_paid"
CONFIRMATION = "medical_insurance.origin_confirmation"
DEADLINE_DAYS = "parameters.origin_confirmation_days"
PRESUMPTION = "parameters.presume_rural_members_insured_at_origin"

ENROLLED = {"medical_months": 0, "employer_paid": False}  # the applicant, insured nowhere


def household(*others: str, social_insurance: dict[str, Any] | None = None) -> SettlementApproved:
    """An applicant (stating `social_insurance`, insured nowhere unless told) settling with
    `others`: "urban parent" (nothing known, nothing presumed) or "rural spouse" (presumed
    insured at home where the parameter says so)."""
    kinds = {
        "urban parent": lambda: member(
            date(1958, 7, 7), "parent", female=True, region=SHIXING, previous_hukou_type="urban"
        ),
        "rural spouse": lambda: member(date(1990, 2, 2), "spouse", female=True),
    }
    return settlement(
        decision_date=DECISION_DAY,
        members=[member(date(1988, 5, 1), "applicant"), *(kinds[kind]() for kind in others)],
        social_insurance=ENROLLED if social_insurance is None else social_insurance,
    )


def recorded(client: TestClient, data: SettlementApproved) -> str:
    record(client, data)
    return data.settlement_id


def statuses(client: TestClient, settlement_id: str) -> list[tuple[str, int]]:
    """Each `settlement.processed` written: its status and version."""
    return [(r["status"], r["version"]) for r in outbox_reports(client, settlement_id)]


def decisions(client: TestClient, settlement_id: str) -> list[tuple[str, int]]:
    """Each decision the audit log records: what made it, and its version."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    audit = runtime.spec.tables.audit_log
    with runtime.db.read_only() as session:
        rows = session.execute(
            select(audit.c.detail)
            .where(audit.c.action == "settlement.decided", audit.c.entity_id == settlement_id)
            .order_by(audit.c.id)
        ).scalars()
        return [(detail["trigger"], detail["version"]) for detail in rows]


class TestInformation(MedicalInsuranceApiTests):
    def test_a_fact_the_application_leaves_out_is_open_until_supplied_then_it_is_done(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance={"medical_months": 0}))

        waiting = record_of(quiet, settlement_id, officer)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            0,
            EMPLOYER_PAID,
            "information",
        )
        assert item["due_on"] is None  # no follow_through_days recorded
        assert "employer paying" in item["reason"]

        answered = ok(inform(quiet, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=0))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        [entry] = answered["entries"]
        assert (entry["kind"], entry["to_scheme"], entry["facts_basis"]) == (
            "enrollment",
            "employee",
            "department",
        )
        assert answered == record_of(quiet, settlement_id, officer)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        [first, last] = outbox_reports(quiet, settlement_id)
        assert [i["field"] for i in first["open_items"]] == [EMPLOYER_PAID]
        assert last["open_items"] == []

    def test_a_region_not_stated_for_the_months_stated_is_asked_of_the_applicant(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        stated = {"medical_months": 30, "employer_paid": True}
        settlement_id = recorded(quiet, household(social_insurance=stated))
        assert open_items(record_of(quiet, settlement_id, officer)) == [(0, REGION, "information")]

        answered = ok(inform(quiet, officer, settlement_id, {REGION: MEIZHOU}, member_index=0))

        # Insured outside Shaoguan: the transfer now awaits the origin, which is open in turn.
        assert open_items(answered) == [(0, CONFIRMATION, "confirmation")]
        [entry] = answered["entries"]
        assert (entry["kind"], entry["from_region_code"], entry["months_declared"]) == (
            "transfer",
            MEIZHOU,
            30,
        )

    def test_a_member_the_application_says_nothing_of_is_decided_by_the_facts_supplied(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        assert open_items(record_of(quiet, settlement_id, officer)) == [
            (1, REGION, "information"),
            (1, MONTHS, "information"),
        ]

        nowhere = ok(inform(quiet, officer, settlement_id, {MONTHS: 0}, member_index=1))
        # Insured nowhere: whether the employer pays decides the scheme of a 60-year-old.
        assert open_items(nowhere) == [(1, EMPLOYER_PAID, "information")]
        done = ok(inform(quiet, officer, settlement_id, {EMPLOYER_PAID: False}, member_index=1))

        assert (done["status"], done["version"]) == ("done", 3)
        parent = done["entries"][1]
        assert (parent["kind"], parent["to_scheme"]) == ("enrollment", "urban_rural_resident")
        assert statuses(quiet, settlement_id) == [
            ("action_needed", 1),
            ("action_needed", 2),
            ("done", 3),
        ]

    def test_facts_the_department_establishes_on_its_own_route_decide_the_settlement_again(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        entry = ok(put_insurance(quiet, settlement_id, 1, officer, NOT_INSURED))

        assert (entry["kind"], entry["facts_basis"]) == ("enrollment", "department")
        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        assert decisions(quiet, settlement_id) == [("approved", 1), ("information", 2)]
        # The same facts again are the entry as it stands: nothing is decided again.
        assert ok(put_insurance(quiet, settlement_id, 1, officer, NOT_INSURED)) == entry
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, settings: Settings, officer: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json(follow_through_days=30))
        with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
            settlement_id = recorded(client, household("urban parent"))
            items = record_of(client, settlement_id, officer)["open_items"]

        assert {item["due_on"] for item in items} == {(today() + timedelta(days=30)).isoformat()}


class TestConfirmation(MedicalInsuranceApiTests):
    def test_a_transfer_awaiting_the_origin_is_open_until_it_answers(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        waiting = record_of(quiet, settlement_id, officer)
        [item] = waiting["open_items"]
        transfer_id = waiting["entries"][0]["transfer_id"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            0,
            CONFIRMATION,
            "confirmation",
        )
        assert f"transfer {transfer_id}, due by {DEADLINE.isoformat()}" in item["reason"]

        entry = ok(confirm(quiet, transfer_id, officer, CONFIRMED))

        assert (entry["status"], entry["months_carried_over"]) == ("completed", 31)
        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        assert decisions(quiet, settlement_id) == [("approved", 1), ("confirmation", 2)]

    def test_a_refusal_is_the_origins_answer_too(self, quiet: TestClient, officer: Headers) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        transfer_id = entries_of(quiet, settlement_id, officer)[0]["transfer_id"]

        refusal = {"outcome": "refused", "reason": "no record of the person"}
        ok(confirm(quiet, transfer_id, officer, refusal))

        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["version"]) == ("done", 2)
        assert answered["entries"][0]["status"] == "refused"

    def test_the_same_answer_under_the_same_key_is_one_decision(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        transfer_id = entries_of(quiet, settlement_id, officer)[0]["transfer_id"]
        keyed = {**officer, "Idempotency-Key": "origin-letter-7"}

        first = ok(confirm(quiet, transfer_id, keyed, CONFIRMED))
        again = ok(confirm(quiet, transfer_id, keyed, CONFIRMED))

        assert again == first
        assert record_of(quiet, settlement_id, officer)["version"] == 2
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_the_confirmation_is_not_a_fact_the_information_route_takes(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))

        response = inform(quiet, officer, settlement_id, {CONFIRMATION: True}, member_index=0)

        reason_for(invalid(response), f"facts.{CONFIRMATION}")
        assert record_of(quiet, settlement_id, officer)["version"] == 1


class TestParametersNotRecorded(MedicalInsuranceApiTests):
    @pytest.fixture
    def configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Human resources has recorded neither the deadline nor the presumption."""
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json(presume=None, days=None))

    def test_each_parameter_a_member_waits_on_is_an_open_item_of_kind_parameter(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = household("rural spouse", social_insurance=INSURED_AT_HOME)
        waiting = record_of(quiet, recorded(quiet, data), officer)

        assert open_items(waiting) == [
            (0, CONFIRMATION, "confirmation"),
            (0, DEADLINE_DAYS, "parameter"),
            (1, PRESUMPTION, "parameter"),
            (1, REGION, "information"),
            (1, MONTHS, "information"),
        ]
        reasons = {(i["member_index"], i["field"]): i["reason"] for i in waiting["open_items"]}
        assert "no local parameter origin_confirmation_days" in reasons[(0, DEADLINE_DAYS)]
        assert "with no deadline set" in reasons[(0, CONFIRMATION)]


class TestParameterArriving(MedicalInsuranceApiTests):
    """Parameters recorded later decide again exactly the settlements waiting on them."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        path = tmp_path / "medical-insurance-parameters.json"
        path.write_text(parameters_json(presume=None, days=None))
        monkeypatch.setenv(PARAMETERS_ENV, str(path))
        return path

    @pytest.fixture
    def configured(self, parameter_file: Path) -> None:
        """The parameters are the file's, neither the deadline nor the presumption yet."""

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, quiet: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        transfer = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        spouse = recorded(quiet, household("rural spouse"))
        parent = recorded(quiet, household("urban parent"))  # waits on facts alone
        transfer_id = entries_of(quiet, transfer, officer)[0]["transfer_id"]
        db = quiet.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        parameter_file.write_text(parameters_json())
        assert PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 2
        now = record_of(quiet, transfer, officer)
        assert (now["version"], open_items(now)) == (2, [(0, CONFIRMATION, "confirmation")])
        [entry] = now["entries"]
        assert (entry["transfer_id"], entry["confirmation_deadline"]) == (
            transfer_id,
            DEADLINE.isoformat(),
        )
        assert "origin_confirmation_days" in {p["name"] for p in entry["parameters"]}
        presumed = record_of(quiet, spouse, officer)
        assert (presumed["version"], open_items(presumed)) == (
            2,
            [(1, CONFIRMATION, "confirmation")],
        )
        assert presumed["entries"][1]["facts_basis"] == "presumption"
        assert record_of(quiet, parent, officer)["version"] == 1
        assert statuses(quiet, transfer) == [("action_needed", 1), ("action_needed", 2)]

        nothing_more_to_decide(db, FOLLOW_THROUGH, PARAMETERS)
        ok(confirm(quiet, transfer_id, officer, CONFIRMED))
        assert record_of(quiet, transfer, officer)["status"] == "done"

    def test_a_running_service_picks_up_a_recorded_deadline_by_itself(
        self, service: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        settlement_id = recorded(service, household(social_insurance=INSURED_AT_HOME))

        parameter_file.write_text(parameters_json())

        eventually(
            lambda: record_of(service, settlement_id, officer)["version"] == 2,
            what="the waiting settlement to be decided again",
        )
        assert open_items(record_of(service, settlement_id, officer)) == [
            (0, CONFIRMATION, "confirmation")
        ]


class TestBadInformation(MedicalInsuranceApiTests):
    """A refused supply names the field and why, and changes nothing."""

    @pytest.mark.parametrize(
        ("facts", "member_index", "field"),
        [
            ({"social_insurance.scheme": "employee"}, 1, "facts.social_insurance.scheme"),
            ({MONTHS: "30"}, 1, f"facts.{MONTHS}"),
            ({MONTHS: -1}, 1, f"facts.{MONTHS}"),
            ({MONTHS: True}, 1, f"facts.{MONTHS}"),
            ({REGION: "999999"}, 1, f"facts.{REGION}"),
            ({REGION: 441402}, 1, f"facts.{REGION}"),
            ({MONTHS: 30}, None, "member_index"),  # a member's fact: whose?
            ({MONTHS: 30}, 7, "member_index"),  # a household of two
        ],
    )
    def test_a_fact_medical_insurance_does_not_take_as_given_is_a_422_naming_it(
        self,
        quiet: TestClient,
        officer: Headers,
        facts: dict[str, Any],
        member_index: int | None,
        field: str,
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        refused_supply(quiet, officer, settlement_id, facts, member_index=member_index, field=field)

        assert statuses(quiet, settlement_id) == [("action_needed", 1)]

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        response = inform(quiet, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1)

        error_of(response, 409, "conflict")
        assert record_of(quiet, settlement_id, officer)["version"] == 1

    def test_the_same_supply_under_the_same_key_is_one_decision(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        facts = {MONTHS: 48, REGION: SHIXING}

        first = ok(inform(quiet, officer, settlement_id, facts, member_index=1, key="parent-1"))
        again = ok(inform(quiet, officer, settlement_id, facts, member_index=1, key="parent-1"))

        assert again == first
        assert (first["status"], first["version"]) == ("done", 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        other = inform(quiet, officer, settlement_id, {MONTHS: 0}, member_index=1, key="parent-1")
        error_of(other, 409, "conflict")

    def test_supplying_needs_medical_write(self, quiet: TestClient, auth: TokenFactory) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        for headers in (auth("audit"), auth("human_resources", "medical:read")):
            response = inform(quiet, headers, settlement_id, {MONTHS: 0}, member_index=1)
            error_of(response, 403, "forbidden")


class TestDecidingAgain(MedicalInsuranceApiTests):
    """Deciding again never makes an entry twice nor requests a transfer twice."""

    def test_the_approval_delivered_again_changes_nothing(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        event = approved_event(data)
        publish(settings, event, event)
        first = settlement_when_ready(service, data.settlement_id, officer)

        publish(settings, approved_event(data))  # the same settlement under a new event id
        record(service, data)  # and straight through the act
        caught_up(service, settings, SERVICE)

        assert record_of(service, data.settlement_id, officer) == first
        assert statuses(service, data.settlement_id) == [("action_needed", 1)]

    def test_a_member_decided_keeps_the_entry_whatever_decides_the_settlement_again(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        before = entries_of(quiet, data.settlement_id, officer)
        transfer_id = before[0]["transfer_id"]
        ok(confirm(quiet, transfer_id, officer, CONFIRMED))
        confirmed = entries_of(quiet, data.settlement_id, officer)[0]

        facts = {MONTHS: 0}
        ok(inform(quiet, officer, data.settlement_id, facts, member_index=3))
        with quiet.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
            decide_again(session, FOLLOW_THROUGH, data.settlement_id, trigger="parameter")

        after = entries_of(quiet, data.settlement_id, officer)
        assert len(after) == len(data.members)
        assert [e["entry_id"] for e in after] == [e["entry_id"] for e in before]
        assert after[0] == confirmed  # the origin's answer stands
        assert after[1:3] == before[1:3]  # the spouse's and child's transfers: requested once
        assert record_of(quiet, data.settlement_id, officer)["version"] == 4
        error_of(confirm(quiet, transfer_id, officer, CONFIRMED), 409, "conflict")
