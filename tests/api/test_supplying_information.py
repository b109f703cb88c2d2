"""Supplying information (docs/contract.md, "Follow-through"), the same in every department that
asks for a fact: a fact it does not take is a 422 naming it that changes nothing, a settlement
it has not seen is a 404, and the same supply under the same key is one decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.education.rules import SCHOOLING_FACT
from tests.api import civil_affairs_support as civil_affairs
from tests.api import education_support as education
from tests.api import housing_support as housing
from tests.api.conftest import Services
from tests.support import error_of, ok, outbox_reports, refused_supply, settlement_record, supply

INCOME = "housing.monthly_household_income"


@dataclass(frozen=True)
class Department:
    """What a department's supply tests need: its service's name, its test parameters, a
    settlement waiting on one fact, that fact and another answer to it."""

    name: str
    configure: Callable[[pytest.MonkeyPatch], None]
    waiting: Callable[[TestClient], str]
    fact: dict[str, Any]
    other: dict[str, Any]
    member_index: int | None = None


HOUSING = Department(
    "housing",
    lambda patch: housing.configure(patch, housing.PARAMETERS),
    lambda client: housing.renter(client, housing={"current_area_m2": 0}),
    {INCOME: 4200},
    {INCOME: 5000},
)
CIVIL_AFFAIRS = Department(
    "civil_affairs",
    lambda patch: civil_affairs.configure(patch, civil_affairs.PARAMETERS),
    lambda client: civil_affairs.household(client, None),
    {INCOME: 1500},
    {INCOME: 5000},
)
EDUCATION = Department(
    "education",
    lambda patch: None,  # the national ages alone
    lambda client: education.decide_directly(
        client,
        education.settlement(
            county=education.SHIXING, people=education.minor_applicant(education.SHIXING)
        ),
    ),
    {SCHOOLING_FACT: "senior_high"},
    {SCHOOLING_FACT: "primary"},
    member_index=0,
)
DEPARTMENTS = {d.name: d for d in (HOUSING, CIVIL_AFFAIRS, EDUCATION)}

REFUSED = [
    # (department, facts, member_index, the field named, a value the answer must not echo)
    ("housing", {"housing.rooms": 3}, None, "facts.housing.rooms", "4200"),
    ("housing", {INCOME: "4200"}, None, f"facts.{INCOME}", "4200"),
    ("housing", {INCOME: -1}, None, f"facts.{INCOME}", "4200"),
    ("housing", {INCOME: True}, None, f"facts.{INCOME}", "4200"),
    ("housing", {"residence.tenure": "squatting"}, None, "facts.residence.tenure", "4200"),
    ("housing", {INCOME: 4200}, 1, "member_index", "4200"),  # the household's, not a member's
    ("housing", {INCOME: 4200}, 7, "member_index", "4200"),  # a household of three
    ("civil_affairs", {"housing.rooms": 3}, None, "facts.housing.rooms", "1500"),
    (
        "civil_affairs",
        {"housing.current_area_m2": 12},
        None,
        "facts.housing.current_area_m2",
        "1500",
    ),
    ("civil_affairs", {INCOME: "1500"}, None, f"facts.{INCOME}", "1500"),
    ("civil_affairs", {INCOME: -1}, None, f"facts.{INCOME}", "1500"),
    ("civil_affairs", {INCOME: True}, None, f"facts.{INCOME}", "1500"),
    ("civil_affairs", {INCOME: None}, None, f"facts.{INCOME}", "1500"),
    ("civil_affairs", {INCOME: 1500}, 1, "member_index", "1500"),  # the household's
    ("civil_affairs", {INCOME: 1500}, 7, "member_index", "1500"),  # a household of three
    (
        "education",
        {"schooling.school_name": "一中"},
        0,
        "facts.schooling.school_name",
        "university",
    ),
    ("education", {SCHOOLING_FACT: "university"}, 0, f"facts.{SCHOOLING_FACT}", "university"),
    ("education", {SCHOOLING_FACT: 3}, 0, f"facts.{SCHOOLING_FACT}", "university"),
    ("education", {SCHOOLING_FACT: None}, 0, f"facts.{SCHOOLING_FACT}", "university"),
    ("education", {SCHOOLING_FACT: "primary"}, None, "member_index", "university"),  # whose?
    ("education", {SCHOOLING_FACT: "primary"}, 4, "member_index", "university"),  # one member
]


@pytest.fixture
def department(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Department:
    """The department the test is parametrized with (by name), its test parameters loaded."""
    chosen = DEPARTMENTS[request.param]
    chosen.configure(monkeypatch)
    return chosen


def statuses(client: TestClient, settlement_id: str) -> list[str]:
    return [report["status"] for report in outbox_reports(client, settlement_id)]


@pytest.mark.parametrize(
    ("department", "facts", "member_index", "field", "unechoed"), REFUSED, indirect=["department"]
)
def test_a_fact_the_department_does_not_take_as_given_is_a_422_naming_it(
    services: Services,
    department: Department,
    facts: dict[str, Any],
    member_index: int | None,
    field: str,
    unechoed: str,
) -> None:
    client = services(department.name)
    settlement_id = department.waiting(client)
    clerk = services.token(department.name)

    refusal = refused_supply(
        client, clerk, settlement_id, facts, member_index=member_index, field=field
    )

    assert unechoed not in refusal.text  # the value is not echoed back
    assert statuses(client, settlement_id) == ["action_needed"]


@pytest.mark.parametrize("department", DEPARTMENTS, indirect=True)
def test_a_settlement_the_department_has_not_seen_is_a_404(
    services: Services, department: Department
) -> None:
    client = services(department.name)
    clerk = services.token(department.name)

    response = supply(
        client, clerk, "no-such-settlement", department.fact, member_index=department.member_index
    )

    error_of(response, 404, "not_found")


@pytest.mark.parametrize("department", DEPARTMENTS, indirect=True)
def test_the_same_supply_under_the_same_key_is_one_decision(
    services: Services, department: Department
) -> None:
    client = services(department.name)
    settlement_id = department.waiting(client)
    clerk = services.token(department.name)

    def supplied(facts: dict[str, Any]) -> Any:
        index = department.member_index
        return supply(client, clerk, settlement_id, facts, member_index=index, key="fact-1")

    first = ok(supplied(department.fact))
    again = ok(supplied(department.fact))

    assert again == first
    assert settlement_record(client, clerk, settlement_id)["version"] == 2
    assert statuses(client, settlement_id) == ["action_needed", "done"]
    error_of(supplied(department.other), 409, "conflict")
    assert settlement_record(client, clerk, settlement_id)["version"] == 2
    assert statuses(client, settlement_id) == ["action_needed", "done"]
