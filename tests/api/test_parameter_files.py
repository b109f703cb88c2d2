"""A department's parameters in a file (docs/contract.md, "Follow-through"): a running service picks
up a parameter recorded later and decides again the household waiting on it by itself; a file
that is wrong leaves the parameters in use as they were."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.civil_affairs import rules as civil_affairs_rules
from services.housing import rules as housing_rules
from shared.parameters import ParameterSource
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests.api import civil_affairs_support as civil_affairs
from tests.api import housing_support as housing
from tests.api.conftest import spec_of
from tests.settlements import decided
from tests.support import eventually, quick_settings, reports, settlement_record, token

Parameters = list[dict[str, Any]]


@dataclass(frozen=True)
class Department:
    """A department's parameters: all it needs, all but the one a household waits on, and a
    file that is wrong; the household, and the outcome it is decided with."""

    name: str
    source: ParameterSource
    everything: Parameters
    without: Parameters
    awaited: str
    wrong: Parameters
    household: Callable[[], SettlementApproved]
    outcome: str


DEPARTMENTS = [
    Department(
        "housing",
        housing_rules.PARAMETERS,
        housing.PARAMETERS,
        [housing.AREA_LIMIT, housing.SUBSIDY_AMOUNT],
        "parameters.income_limit_per_capita",
        [{**housing.INCOME_LIMIT, "value": -5}],
        housing.settlement,
        "rental_subsidy",
    ),
    Department(
        "civil_affairs",
        civil_affairs_rules.PARAMETERS,
        civil_affairs.PARAMETERS,
        [],
        civil_affairs.STANDARD_FIELD,
        [civil_affairs.standard(-5)],
        lambda: civil_affairs.settlement(1500),
        "eligible",
    ),
]


@pytest.fixture(params=DEPARTMENTS, ids=[d.name for d in DEPARTMENTS])
def department(request: pytest.FixtureRequest) -> Department:
    chosen: Department = request.param
    return chosen


@pytest.fixture
def parameter_file(department: Department, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The department's parameters read from a file holding all but the awaited one."""
    path = tmp_path / f"{department.name}-parameters.json"
    path.write_text(json.dumps(department.without))
    monkeypatch.setenv(department.source.variable, str(path))
    department.source.load()
    return path


@pytest.fixture
def running(
    department: Department, parameter_file: Path, tmp_path: Path
) -> Iterator[tuple[TestClient, Settings]]:
    """The department's service with its workers (the only one running: services in one
    process share the parameters they watch)."""
    settings = quick_settings(tmp_path / "var", workers=True)
    with TestClient(spec_of(department.name).build(settings)) as client:
        yield client, settings


def test_a_running_service_picks_up_a_recorded_parameter_by_itself(
    department: Department, running: tuple[TestClient, Settings], parameter_file: Path
) -> None:
    client, settings = running
    clerk = token(settings, department.name)
    family = department.household()
    waiting = decided(client, settings, clerk, family)
    assert waiting["status"] == "action_needed"
    assert [i["field"] for i in waiting["open_items"]] == [department.awaited]

    parameter_file.write_text(json.dumps(department.everything))

    eventually(
        lambda: settlement_record(client, clerk, family.settlement_id)["status"] == "done",
        what="the waiting household to be decided again",
    )
    now = settlement_record(client, clerk, family.settlement_id)
    assert (now["version"], now["assessment"]["outcome"]) == (2, department.outcome)
    eventually(lambda: len(reports(settings, department.name, family.settlement_id)) == 2)
    assert [r["status"] for r in reports(settings, department.name, family.settlement_id)] == [
        "action_needed",
        "done",
    ]


def test_a_wrong_file_keeps_the_parameters_in_use(
    department: Department, parameter_file: Path
) -> None:
    before = department.source.current()
    parameter_file.write_text(json.dumps(department.wrong))

    assert department.source.refresh() is False
    assert department.source.current() == before
