"""Helpers for the civil affairs service's API tests: fixtures, the family, requests, records.

What every service's tests share (answers, the event log, settlements, supplying facts) is in
`tests.support`; this module holds what is civil affairs' own.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.civil_affairs import rules
from services.civil_affairs.handlers import FOLLOW_THROUGH
from services.civil_affairs.models import MinimumLivingAssessment
from shared.settlement import SettlementApproved
from tests import settlements, support
from tests.api.conftest import DepartmentApiTests
from tests.support import outbox_reports

SERVICE = "civil_affairs"
ZHENJIANG = "440204"
INCOME = "housing.monthly_household_income"
STANDARD_FIELD = "parameters.minimum_living_standard"
DEAD_LETTER_TOPIC = "deadletter.civil_affairs"


def standard(value: float, **overrides: Any) -> dict[str, Any]:
    """A minimum living standard as LUOHU_CIVIL_AFFAIRS_PARAMETERS takes it, citywide from
    2018 unless overridden: the test is its source."""
    return support.local_parameter(
        "civil_affairs", "minimum_living_standard", value, unit="yuan/person/month", **overrides
    )


STANDARD = standard(600)
PARAMETERS = [STANDARD]


def configure(monkeypatch: pytest.MonkeyPatch, parameters: list[dict[str, Any]]) -> None:
    """Set LUOHU_CIVIL_AFFAIRS_PARAMETERS and load it, as a start would."""
    support.configure(monkeypatch, rules.PARAMETERS, parameters)


class CivilAffairsApiTests(DepartmentApiTests):
    """The fixtures every civil affairs API test class takes, by inheriting them."""

    SERVICE = "civil_affairs"

    @pytest.fixture(autouse=True)
    def parameters(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A citywide standard of 600 yuan per person per month from 2018 (source: fixture)."""
        configure(monkeypatch, PARAMETERS)

    @pytest.fixture(scope="class")
    @classmethod
    def civil_affairs(cls, service: TestClient) -> TestClient:
        """The civil affairs service the class's tests share."""
        return service


def settlement(income: float | None = 1500, **overrides: Any) -> SettlementApproved:
    """The shared family of three settling in 武江区, stating `income` yuan a month for the
    household (1500: 500 a person, below the standard of 600); None states none."""
    housing = {"current_area_m2": 0} if income is None else {"monthly_household_income": income}
    return settlements.settlement(**{"housing": housing, **overrides})


def decide_directly(client: TestClient, data: SettlementApproved) -> str:
    """Run the follow-through's handler as the consumer would, without the bus (each call is a
    new event id: a redelivery the inbox cannot catch)."""
    return settlements.follow_directly(client, FOLLOW_THROUGH, data)


def household(client: TestClient, income: float | None = 1500, **overrides: Any) -> str:
    """A family decided by civil affairs; its settlement id."""
    return decide_directly(client, settlement(income, **overrides))


def eligible_report(settlement_id: str) -> dict[str, Any]:
    """The `data` civil affairs reports on the usual family of three in 武江区 (stating 1500
    yuan), found eligible on its first decision."""
    return {
        "settlement_id": settlement_id,
        "service": "civil_affairs",
        "outcome": "done",
        "status": "done",
        "open_items": [],
        "version": 1,
        "summary": "minimum living guarantee eligible (三(七)) for a household of 3 in 440203",
    }


# --- what civil affairs has done ------------------------------------------------------------------


def statuses(client: TestClient, settlement_id: str) -> list[str]:
    """The status of every `settlement.processed` written on the settlement, in order."""
    return [report["status"] for report in outbox_reports(client, settlement_id)]


def assessments_of(client: TestClient, settlement_id: str) -> int:
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        count = session.execute(
            select(func.count()).where(MinimumLivingAssessment.settlement_id == settlement_id)
        ).scalar_one()
    return int(count)
