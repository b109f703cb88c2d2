"""Helpers for the housing service's API tests: fixtures, the renting family, requests, records.

What every service's tests share (answers, the event log, settlements, waiting) is in
`tests.support`; this module holds what is housing's own.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.housing import rules
from services.housing.handlers import FOLLOW_THROUGH
from services.housing.models import HousingAssessment
from shared.settlement import SettlementApproved
from tests import settlements, support
from tests.api.conftest import DepartmentApiTests
from tests.support import WUJIANG, Headers, get_settlement, ok

ZHENJIANG, QUJIANG = "440204", "440205"
DEAD_LETTER_TOPIC = "deadletter.housing"


def parameter(name: str, value: float, unit: str, **overrides: Any) -> dict[str, Any]:
    """A housing parameter as LUOHU_HOUSING_PARAMETERS takes it: the test is its source."""
    return support.local_parameter("housing", name, value, unit=unit, **overrides)


INCOME_LIMIT = parameter("income_limit_per_capita", 1500, "yuan/person/month")
AREA_LIMIT = parameter("area_limit_per_capita", 15, "m2/person")
SUBSIDY_AMOUNT = parameter("rental_subsidy_amount_per_capita", 700, "yuan/person/month")
PARAMETERS = [INCOME_LIMIT, AREA_LIMIT, SUBSIDY_AMOUNT]


def configure(monkeypatch: pytest.MonkeyPatch, parameters: list[dict[str, Any]]) -> None:
    """Set LUOHU_HOUSING_PARAMETERS and load it, as a restart would: housing reads it once."""
    support.configure(monkeypatch, rules.PARAMETERS, parameters)


class HousingApiTests(DepartmentApiTests):
    """The fixtures every housing API test class takes, by inheriting them."""

    SERVICE = "housing"

    @pytest.fixture(autouse=True)
    def parameters(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The housing department's limits for these tests, citywide from 2018 (source: fixture)."""
        configure(monkeypatch, PARAMETERS)

    @pytest.fixture(scope="class")
    @classmethod
    def housing(cls, service: TestClient) -> TestClient:
        """The housing service the class's tests share."""
        return service


def settlement(**overrides: Any) -> SettlementApproved:
    """The shared family of three, renting on the market in 武江区: 1400 yuan a person a month,
    no home of its own (the shared one states neither residence nor housing)."""
    renting: dict[str, Any] = {
        "residence": {"address": "武江区沿江路 1 号", "tenure": "rented", "since": "2018-01-01"},
        "housing": {"monthly_household_income": 4200, "current_area_m2": 0},
    }
    return settlements.settlement(**{**renting, **overrides})


def renter(client: TestClient, **overrides: Any) -> str:
    """An eligible family renting on the market: rental subsidy, or housing in kind on request."""
    return assess_directly(client, settlement(**overrides))


def owner(client: TestClient, county: str = WUJIANG, **overrides: Any) -> str:
    """An eligible family with a small dwelling of its own: public rental housing only."""
    return assess_directly(
        client,
        settlement(
            destination_region_code=county,
            residence={"address": "新华路 2 号", "tenure": "owned", "since": "2015-01-01"},
            housing={"monthly_household_income": 3000, "current_area_m2": 30},
            **overrides,
        ),
    )


def assess_directly(client: TestClient, data: SettlementApproved) -> str:
    """Run the follow-through's handler as the consumer would, without the bus (each call is a
    new event id: a redelivery the inbox cannot catch)."""
    return settlements.follow_directly(client, FOLLOW_THROUGH, data)


# --- requests -----------------------------------------------------------------------------------


def assessment_of(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    assessment: dict[str, Any] = ok(get_settlement(client, headers, settlement_id))["assessment"]
    return assessment


def assessed(
    client: TestClient, headers: Headers, data: SettlementApproved | None = None
) -> dict[str, Any]:
    """The assessment housing makes of `data` (the usual renting family if none)."""
    return assessment_of(client, headers, assess_directly(client, data or settlement()))


def apply(
    client: TestClient, headers: Headers, settlement_id: str, body: Any = None, **kw: Any
) -> httpx.Response:
    body = {"form": "rental_subsidy"} if body is None else body
    response: httpx.Response = client.post(
        f"/v1/settlements/{settlement_id}/housing-applications", headers=headers, json=body, **kw
    )
    return response


def applied(client: TestClient, headers: Headers, settlement_id: str, form: str) -> dict[str, Any]:
    return ok(apply(client, headers, settlement_id, {"form": form}), 201)


def application(client: TestClient, headers: Headers, application_id: str) -> httpx.Response:
    response: httpx.Response = client.get(
        f"/v1/housing-applications/{application_id}", headers=headers
    )
    return response


def decide(
    client: TestClient, headers: Headers, application_id: str, body: Any, **kw: Any
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/v1/housing-applications/{application_id}/outcome", headers=headers, json=body, **kw
    )
    return response


def waiting(client: TestClient, headers: Headers, county: str = WUJIANG, **params: Any) -> Any:
    return ok(client.get(f"/v1/waiting-lists/{county}", headers=headers, params=params))


def reasons(assessment: dict[str, Any]) -> dict[str, str]:
    return {check["rule"]: check["reason"] for check in assessment["checks"]}


# --- what housing has done ------------------------------------------------------------------------


def assessments_of(client: TestClient, settlement_id: str) -> int:
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        count = session.execute(
            select(func.count()).where(HousingAssessment.settlement_id == settlement_id)
        ).scalar_one()
    return int(count)
