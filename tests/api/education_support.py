"""What education's API tests share beyond `tests.support`: the service, a family with
children of every stage, education's answers, and waiting for the workers.

One service (relay and consumer running) serves each test class, which inherits the fixtures of
`EducationApiTests`; each test uses settlements, and where it counts, counties of its own. The
follow-through tests take a service without workers (`decide_directly` acts as the consumer
would) and configure education's parameters (`configured_parameters`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi.testclient import TestClient

from services.education.app import build
from services.education.handlers import FOLLOW_THROUGH
from services.education.rules import PARAMETERS
from shared.events.envelope import CloudEvent
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests import settlements
from tests.settlements import decided, member
from tests.settlements import settlement as approved_settlement
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    quick_settings,
    read_topic,
    reports,
    token,
)
from tests.support import local_parameter as support_parameter

ZHENJIANG, QUJIANG = "440204", "440205"
SHIXING, RENHUA, WENGYUAN = "440222", "440224", "440229"  # RENHUA: transfer lists only
RUYUAN, NANXIONG = "440232", "440282"  # NANXIONG: the planning test only
DEAD_LETTERS = "deadletter.education"


@dataclass(frozen=True)
class Person:
    name: str
    relation: str
    birth: date
    previous: str = MEIZHOU


# A family deciding in the 2019-2020 school year (starts 2019-09-01).
DECIDED = date(2019, 10, 15)
FAMILY = (
    Person("张三", "applicant", date(1988, 5, 1)),
    Person("李四", "spouse", date(1990, 2, 2)),
    Person("张小明", "child", date(2012, 3, 3)),  # 7 on 2019-09-01: primary
    Person("张小红", "child", date(2006, 5, 5)),  # 13: junior middle
    Person("张小华", "child", date(2015, 1, 1)),  # 4: preschool
    Person("张小宝", "child", date(2018, 6, 1)),  # 1: no placement, under 3
)


def settlement(
    *, county: str, people: tuple[Person, ...] = FAMILY, decided: date = DECIDED
) -> SettlementApproved:
    """The shared test settlement, of `people` (fresh identity numbers) to `county` on `decided`."""
    return approved_settlement(
        decided_at=datetime(decided.year, decided.month, decided.day, 9, tzinfo=UTC),
        decision_date=decided,
        destination_region_code=county,
        members=[member(p.birth, p.relation, name=p.name, region=p.previous) for p in people],
    )


def minor_applicant(previous: str) -> tuple[Person, ...]:
    """An applicant of 16 on 2019-09-01, settling in their own right, alone."""
    return (Person("王五", "applicant", date(2003, 3, 1), previous),)


def decide_directly(
    client: TestClient, data: SettlementApproved, event: CloudEvent | None = None
) -> str:
    """Run the follow-through's handler on `data`'s approval (or on `event`) as the consumer
    would, without the bus; the settlement id."""
    return settlements.follow_directly(client, FOLLOW_THROUGH, event or data)


def local_parameter(name: str, value: Any, county: str | None, **overrides: Any) -> dict[str, Any]:
    """An education parameter as LUOHU_EDUCATION_PARAMETERS takes it: the test is its source."""
    return support_parameter("education", name, value, region_code=county, **overrides)


@contextmanager
def configured_parameters(path: Path, parameters: list[dict[str, Any]]) -> Iterator[Path]:
    """Education's parameters read from the file `path` holding `parameters`, as at a start;
    afterwards the national ones alone again, for the tests that follow."""
    path.write_text(json.dumps(parameters))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(PARAMETERS.variable, str(path))
            PARAMETERS.load()
            yield path
    finally:
        PARAMETERS.load()


def outcomes(settings: Settings, settlement_id: str) -> list[str]:
    """The outcome of each `education.settlement.processed` on the settlement, in order."""
    return [report["outcome"] for report in reports(settings, "education", settlement_id)]


def dead_letters(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    """Every event on education's dead-letter topic about `settlement_id`, with its headers."""
    return [
        {"event": json.loads(record.value), "headers": record.headers}
        for record in read_topic(settings, DEAD_LETTERS)
        if record.key == settlement_id
    ]


def by_index(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["member_index"]: p for p in body["placements"]}


def transfer_path(transfer: dict[str, Any]) -> str:
    return f"/v1/student-transfers/{transfer['id']}"


def completion_path(transfer: dict[str, Any]) -> str:
    return f"{transfer_path(transfer)}/completion"


def settlement_response(client: TestClient, settlement_id: str, headers: Headers) -> httpx.Response:
    """GET /v1/settlements/{id}: education's answer on a settlement, a 404 until it has acted."""
    response: httpx.Response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    return response


# --- fixtures -----------------------------------------------------------------------------------


class Settle(Protocol):
    """Settle a family in a county (settlement's keywords) and wait for education's answer."""

    def __call__(self, county: str, **kwargs: Any) -> dict[str, Any]: ...


class EducationApiTests:
    """The fixtures every education API test class takes, by inheriting them: one service
    (relay and consumer running) for the class, whose tests use settlements of their own."""

    @pytest.fixture(scope="class")
    @classmethod
    def service_settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return quick_settings(tmp_path_factory.mktemp("education") / "var")

    @pytest.fixture(scope="class")
    @classmethod
    def education(cls, service_settings: Settings) -> Iterator[TestClient]:
        with TestClient(build(service_settings)) as client:
            yield client

    @pytest.fixture(scope="class")
    @classmethod
    def clerk(cls, service_settings: Settings) -> Headers:
        """An education token: education:read and education:write."""
        return token(service_settings, "education")

    @pytest.fixture(scope="class")
    @classmethod
    def settle(cls, education: TestClient, service_settings: Settings, clerk: Headers) -> Settle:
        def settled(county: str, **kwargs: Any) -> dict[str, Any]:
            return decided(education, service_settings, clerk, settlement(county=county, **kwargs))

        return settled

    @pytest.fixture(scope="class")
    @classmethod
    def family(cls, settle: Settle) -> dict[str, Any]:
        """The realistic family of FAMILY, settled in 武江区 and acted on."""
        return settle(WUJIANG)

    @pytest.fixture
    def transfer(self, settle: Settle) -> dict[str, Any]:
        """A fresh requested transfer (the primary-school child of a new family in 乳源)."""
        found: dict[str, Any] = settle(RUYUAN)["transfers"][0]
        return found
