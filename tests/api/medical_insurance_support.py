"""What the medical insurance API tests share beyond `tests/support`: the local parameters, a
settled family of four, the department's requests, the follow-through's households and what it
wrote, and the fixtures every test class inherits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.medical_insurance.app import build
from services.medical_insurance.handlers import FOLLOW_THROUGH
from services.medical_insurance.rules import PARAMETERS
from shared.follow_through import open_case
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests.conftest import TokenFactory
from tests.settlements import member, settlement
from tests.support import MEIZHOU, Headers, ok, outbox_reports

SERVICE = "medical_insurance"
PARAMETERS_ENV = PARAMETERS.variable
DECISION_DAY = date(2019, 6, 1)
SHIXING = "440222"  # 始兴县, a Shaoguan county
OVERDUE_DAYS = 60  # the deadline of DECISION_DAY is then 2019-07-31
DEADLINE = DECISION_DAY + timedelta(days=OVERDUE_DAYS)

CONFIRMED = {"outcome": "confirmed", "months": 31, "coverage_end": "2019-06-30"}
NOT_INSURED = {"insured": False, "employed_with_employer_paying": False}
# The applicant's, in the application: insured at home, in 梅江区, with the employer paying.
INSURED_AT_HOME = {
    "pension_months": 30,
    "medical_months": 30,
    "insured_region_code": MEIZHOU,
    "employer_paid": True,
}


def parameters_json(
    *,
    presume: bool | None = True,
    days: int | None = OVERDUE_DAYS,
    follow_through_days: int | None = None,
) -> str:
    """Local parameters as human resources would record them (values are test fixtures)."""
    common = {"valid_from": "2018-01-01", "source": "test fixture", "department": "human_resources"}
    items: list[dict[str, Any]] = []
    if days is not None:
        items.append({"name": "origin_confirmation_days", "value": days, "unit": "days", **common})
    if presume is not None:
        name = "presume_rural_members_insured_at_origin"
        items.append({"name": name, "value": presume, **common})
    if follow_through_days is not None:
        name, value = "follow_through_days", follow_through_days
        items.append({"name": name, "value": value, "unit": "days", **common})
    return json.dumps(items)


def family(
    *, decision_date: date = DECISION_DAY, social_insurance: dict[str, Any] | None = None
) -> SettlementApproved:
    """A rural family from 梅江区 settling in 武江区: the applicant insured at home with the
    employer paying; spouse and child rural (presumed insured at origin); a parent with an
    urban registration in 始兴县 about whom nothing is known."""
    return settlement(
        decision_date=decision_date,
        members=[
            member(date(1988, 5, 1), "applicant"),
            member(date(1990, 2, 2), "spouse", female=True),
            member(date(2012, 3, 3), "child"),
            member(
                date(1958, 7, 7),
                "parent",
                female=True,
                region=SHIXING,
                previous_hukou_type="urban",
            ),
        ],
        social_insurance=INSURED_AT_HOME if social_insurance is None else social_insurance,
    )


def record(client: TestClient, data: SettlementApproved) -> None:
    """Act on a settlement directly, as the consumer would, in one unit of work."""
    with client.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
        open_case(session, FOLLOW_THROUGH, data)


def record_of(client: TestClient, settlement_id: str, headers: Headers) -> dict[str, Any]:
    """GET /v1/settlements/{id}: status, open items and version, then the entries."""
    return ok(client.get(f"/v1/settlements/{settlement_id}", headers=headers))


def open_items(body: dict[str, Any]) -> list[tuple[int | None, str, str]]:
    """A record's open items as (member_index, field, kind), in that order."""
    return sorted((i["member_index"], i["field"], i["kind"]) for i in body["open_items"])


def entries_of(client: TestClient, settlement_id: str, headers: Headers) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = ok(
        client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    )["entries"]
    return entries


def supply(
    client: TestClient, settlement_id: str, index: int, headers: Headers, body: Any
) -> httpx.Response:
    """PUT what the department establishes of member `index`'s insurance."""
    path = f"/v1/settlements/{settlement_id}/members/{index}/insurance"
    response: httpx.Response = client.put(path, headers=headers, json=body)
    return response


def confirm(client: TestClient, transfer_id: str, headers: Headers, body: Any) -> httpx.Response:
    """POST the origin's answer to a transfer."""
    path = f"/v1/transfers/{transfer_id}/confirmation"
    response: httpx.Response = client.post(path, headers=headers, json=body)
    return response


# --- the follow-through -------------------------------------------------------------------------

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


class MedicalInsuranceApiTests:
    """The fixtures every medical insurance API test class takes, by inheriting them."""

    @pytest.fixture
    def configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Human resources' parameters for these tests (a class may configure its own)."""
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json())

    @pytest.fixture
    def service(self, settings: Settings, configured: None) -> Iterator[TestClient]:
        """The service with its relay and consumer threads, as in production."""
        with TestClient(build(settings)) as client:
            yield client

    @pytest.fixture
    def quiet(self, settings: Settings, configured: None) -> Iterator[TestClient]:
        """The service without threads: settlements are recorded straight through the act."""
        with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
            yield client

    @pytest.fixture
    def officer(self, auth: TokenFactory) -> Headers:
        """Human resources, which runs medical insurance: medical:read and medical:write."""
        return auth("human_resources")

    @pytest.fixture
    def settled(self, quiet: TestClient) -> SettlementApproved:
        """The family of `family()`, recorded by the quiet service."""
        data = family()
        record(quiet, data)
        return data

    @pytest.fixture
    def awaiting(self, quiet: TestClient, settled: SettlementApproved, officer: Headers) -> str:
        """The id of the settled applicant's transfer, awaiting the origin."""
        transfer_id: str = entries_of(quiet, settled.settlement_id, officer)[0]["transfer_id"]
        return transfer_id
