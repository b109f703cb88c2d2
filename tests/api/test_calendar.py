"""Every service keeps Shaoguan's calendar: at 17:00 UTC it is already tomorrow in Shaoguan.

Every service runs in one process on one embedded event log, with the clock set to
2019-06-01 17:00 UTC (01:00 on 2 June in Shaoguan): an application lodged without a date is
lodged on 2 June, and every department records the settlement on 2 June, whatever the zone of
the server.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from shared.registry import SERVICES
from shared.settings import Settings
from tests.api.civil_affairs_support import PARAMETERS as CIVIL_AFFAIRS_PARAMETERS
from tests.api.conftest import application
from tests.api.housing_support import PARAMETERS as HOUSING_PARAMETERS
from tests.conftest import TokenFactory

UTC_AFTERNOON = datetime(2019, 6, 1, 17, 0, tzinfo=UTC)
SHAOGUAN_DAY = date(2019, 6, 2)


@pytest.fixture
def platform(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, TestClient]]:
    """Every service in-process, on the clock of a summer afternoon in UTC; housing has its
    limits and civil affairs its standard, so they decide at once."""
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", json.dumps(HOUSING_PARAMETERS))
    monkeypatch.setenv("LUOHU_CIVIL_AFFAIRS_PARAMETERS", json.dumps(CIVIL_AFFAIRS_PARAMETERS))
    with (
        time_machine.travel(UTC_AFTERNOON, tick=True),
        ExitStack() as stack,
    ):
        clients = {
            s.name: stack.enter_context(
                TestClient(importlib.import_module(f"services.{s.name}.app").build(settings))
            )
            for s in SERVICES
        }
        yield clients


def wait_for_reports(hukou: TestClient, application_id: str, headers: dict[str, str]) -> Any:
    """The application once every department has reported (done or still asking: the family's
    spouse and child bring questions for pension and medical insurance; their dates are what
    this test reads)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = hukou.get(f"/v1/settlement-applications/{application_id}", headers=headers)
        if "pending" not in answer.json()["fanout"].values():
            return answer.json()
        time.sleep(0.05)
    raise AssertionError(f"not reported in time: {answer.json()['fanout']}")


def test_every_service_dates_the_settlement_on_shaoguans_day_not_utcs(
    platform: dict[str, TestClient], auth: TokenFactory
) -> None:
    officer = auth("public_security")
    body = application()
    del body["received_on"]  # lodged today: Shaoguan's today
    person = {
        "id_number": body["applicant"]["id_number"],
        "name": body["applicant"]["name"],
        "hukou_region_code": body["applicant"]["hukou_region_code"],
        "region_code": "440203",
        "address": "武江区沿江路 1 号",
    }
    # A permit counts registered residence (三(九) 完善流动人口居住登记管理).
    registered = platform["residence_permit"].post(
        "/v1/residence-registrations",
        json={**person, "registered_on": "2018-01-01"},
        headers=officer,
    )
    assert registered.status_code == 201, registered.text
    permit = platform["residence_permit"].post(
        "/v1/residence-permits",
        json={**person, "resident_since": "2018-01-01", "basis": "employment"},
        headers=officer,
    )
    assert permit.status_code == 201, permit.text
    assert permit.json()["valid_from"] == SHAOGUAN_DAY.isoformat()

    submitted = platform["hukou"].post("/v1/settlement-applications", json=body, headers=officer)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["received_on"] == SHAOGUAN_DAY.isoformat()
    assert submitted.json()["eligibility"]["eligible"], submitted.json()["eligibility"]
    settlement_id = submitted.json()["id"]
    approved = platform["hukou"].post(
        f"/v1/settlement-applications/{settlement_id}/approve", headers=officer
    )
    assert approved.status_code == 200, approved.text
    reported = wait_for_reports(platform["hukou"], settlement_id, officer)
    assert set(reported["fanout"].values()) <= {"done", "action_needed"}, reported["fanout"]

    # Where each department's answer shows the day it decided the settlement as of.
    decided = {
        "housing": ("housing", lambda body: body["assessment"]["facts"]["decision_date"]),
        "medical_insurance": ("human_resources", lambda body: body["decision_date"]),
        "pension": ("human_resources", lambda body: body["decision_date"]),
        "education": ("education", lambda body: body["decision_date"]),
        "civil_affairs": (
            "civil_affairs",
            lambda body: body["assessment"]["facts"]["decision_date"],
        ),
    }
    for service, (department, decision_date) in decided.items():
        answer = platform[service].get(f"/v1/settlements/{settlement_id}", headers=auth(department))
        assert answer.status_code == 200, (service, answer.text)
        assert decision_date(answer.json()) == SHAOGUAN_DAY.isoformat(), service
    closed = platform["residence_permit"].get(f"/v1/settlements/{settlement_id}", headers=officer)
    assert closed.status_code == 200, closed.text
    assert closed.json()["settled_on"] == SHAOGUAN_DAY.isoformat()
    reread = platform["residence_permit"].get(
        f"/v1/residence-permits/{permit.json()['id']}", headers=officer
    )
    assert reread.json()["status"] == "closed", reread.json()
    assert reread.json()["closed_on"] == SHAOGUAN_DAY.isoformat()
