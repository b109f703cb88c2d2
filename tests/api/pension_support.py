"""Helpers for the pension API tests: the service, its settlements, its reports, its routes, and
the follow-through's settlements and test class."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.pension.app import build
from services.pension.handlers import FOLLOW_THROUGH
from shared.events.bus import Record
from shared.events.envelope import CloudEvent
from shared.settings import Settings
from shared.settlement import SettledMember, SettlementApproved
from tests import settlements
from tests.conftest import TokenFactory
from tests.settlements import decided, hukou_event, member
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    eventually,
    invalid,
    outbox_reports,
    publish,
    quick_settings,
    read_topic,
    reports,
)

ZHENJIANG, QUJIANG = "440204", "440205"
DEAD_LETTER_TOPIC = "deadletter.pension"
WAIT = 15.0  # seconds: the consumer and the relay run behind, on a busy machine

EMPLOYER_PAID = "social_insurance.employer_paid"
OCCUPATION = "social_insurance.occupation_category"
MONTHS = "social_insurance.pension_months"  # what an origin's confirmation settles
PRESUMED_SCHEME = "default_scheme_for_non_employed_adults"


def presumption(region: str, scheme: str = "urban_rural_resident") -> dict[str, Any]:
    """`region` presumes `scheme` for adults whose employment the application does not state."""
    return {
        "name": PRESUMED_SCHEME,
        "value": scheme,
        "region_code": region,
        "valid_from": "2017-10-23",
        "source": "test fixture",
        "department": "human_resources",
    }


# Zhenjiang presumes the residents' scheme for adults whose employment is not stated; Wujiang
# and Qujiang presume nothing.
PARAMETERS: list[dict[str, Any]] = [presumption(ZHENJIANG)]


class PensionApiTests:
    """The fixtures every pension API test class takes, by inheriting them: one service for
    the class (starting one costs about half a second), whose tests each look only at their
    own settlements."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        """The class's service settings (`auth` signs its tokens with them)."""
        return quick_settings(tmp_path_factory.mktemp("pension") / "var")

    @pytest.fixture(scope="class")
    @classmethod
    def client(cls, settings: Settings) -> Iterator[TestClient]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("LUOHU_PENSION_PARAMETERS", json.dumps(PARAMETERS))
            with TestClient(build(settings)) as service:
                yield service

    @pytest.fixture
    def officer(self, auth: TokenFactory) -> Headers:
        """Human resources, the department that runs pension: reads and writes."""
        return auth("human_resources")

    @pytest.fixture
    def civil_affairs(self, auth: TokenFactory) -> Headers:
        """Civil affairs reads pension's records (the registry grants it pension:read)."""
        return auth("civil_affairs")

    @pytest.fixture
    def continuation(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> dict[str, Any]:
        """The applicant's continuation of a settlement insured outside Shaoguan, awaiting the
        origin's confirmation."""
        return awaiting(client, settings, officer)


def family() -> list[SettledMember]:
    """An applicant, his wife, their child and his father, from Meizhou."""
    return [
        member(date(1988, 5, 1), "applicant"),
        member(date(1990, 2, 2), "spouse", female=True),
        member(date(2012, 3, 3), "child"),
        member(date(1950, 3, 1), "parent"),
    ]


def couple(spouse_born: date = date(1990, 2, 2)) -> list[SettledMember]:
    """An applicant and his wife (29 on the decision date, unless born otherwise), from Meizhou."""
    return [
        member(date(1988, 5, 1), "applicant"),
        member(spouse_born, "spouse", female=True),
    ]


def settlement(*, region: str = WUJIANG, **overrides: Any) -> SettlementApproved:
    """The shared settlement, for `family()` settling in `region`: the applicant insured 14
    months in Wujiang by an employer."""
    values: dict[str, Any] = {
        "destination_region_code": region,
        "members": family(),
        "social_insurance": {
            "pension_months": 14,
            "medical_months": 14,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        **overrides,
    }
    return settlements.settlement(**values)


def publish_payload(
    settings: Settings, data: SettlementApproved, payload: dict[str, Any], **extensions: str
) -> CloudEvent:
    """Publish `settlement.approved` for `data` carrying `payload`, as a producer may send it."""
    event = hukou_event(data.settlement_id, payload, **extensions)
    publish(settings, event)
    return event


def poisoned(payload: dict[str, Any], where: str, value: object) -> dict[str, Any]:
    """`payload` with `value` at `where`, a dotted path such as `members.1.relation`."""
    *path, last = where.split(".")
    target: Any = payload
    for step in path:
        target = target[int(step) if step.isdigit() else step]
    target[int(last) if last.isdigit() else last] = value
    return payload


def dead_lettered(settings: Settings, event: CloudEvent) -> Record | None:
    """The record `event` became on pension's dead-letter topic, once it is there: the record,
    not only the event, because its key must still be the settlement."""
    found = [
        record
        for record in read_topic(settings, DEAD_LETTER_TOPIC)
        if json.loads(record.value)["id"] == event.get_id()
    ]
    return found[0] if found else None


def not_acted_on(client: TestClient, reader: Headers, settlement_id: str) -> bool:
    """Pension holds no record of the settlement: `GET /v1/settlements/{id}` is a 404."""
    return client.get(f"/v1/settlements/{settlement_id}", headers=reader).status_code == 404


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    """Pension's `processed` reports on one settlement, as they stand now."""
    return reports(settings, "pension", settlement_id)


def reported(settings: Settings, settlement_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The `processed` reports for a settlement, once `count` of them are on the log."""
    return eventually(
        lambda: found if len(found := processed(settings, settlement_id)) >= count else None,
        within=WAIT,
        what=f"{count} pension report(s) on {settlement_id}",
    )


def member_of(body: dict[str, Any], index: int) -> dict[str, Any]:
    found = [c for c in body["continuations"] if c["member_index"] == index]
    assert len(found) == 1, body["continuations"]
    return found[0]


def confirmation_url(continuation_id: str) -> str:
    return f"/v1/continuations/{continuation_id}/confirmation"


def confirm(
    client: TestClient, continuation_id: str, headers: Headers, months: int = 1
) -> httpx.Response:
    """The origin's confirmation of `months` carried over, posted for a continuation."""
    return client.post(
        confirmation_url(continuation_id), json={"months_carried_over": months}, headers=headers
    )


def awaiting(client: TestClient, settings: Settings, officer: Headers) -> dict[str, Any]:
    """The applicant's continuation of a settlement insured outside Shaoguan."""
    data = settlement(
        social_insurance={
            "pension_months": 30,
            "insured_region_code": MEIZHOU,
            "employer_paid": True,
        }
    )
    applicant = member_of(decided(client, settings, officer, data), 0)
    assert applicant["status"] == "awaiting_origin"
    return applicant


def fields(response: httpx.Response) -> set[str]:
    """The fields a 422 `invalid_input` names."""
    return {detail["field"] for detail in invalid(response)}


# --- the follow-through ------------------------------------------------------------------------


def decide_directly(client: TestClient, data: SettlementApproved) -> str:
    """Run the follow-through's handler as the consumer would, without the bus (each call is a
    new event id: a redelivery the inbox cannot catch)."""
    return settlements.follow_directly(client, FOLLOW_THROUGH, data)


def items(body: dict[str, Any]) -> set[tuple[int | None, str, str]]:
    """A record's (or a report's) open items as (member_index, field, kind)."""
    return {(i["member_index"], i["field"], i["kind"]) for i in body["open_items"]}


def statuses(client: TestClient, settlement_id: str) -> list[tuple[str, int]]:
    """(status, version) of each `settlement.processed` pension wrote on one settlement."""
    return [(r["status"], r["version"]) for r in outbox_reports(client, settlement_id)]


PRESUMPTION_ITEM = (None, f"parameters.{PRESUMED_SCHEME}", "parameter")
IN_WUJIANG = {"pension_months": 14, "insured_region_code": WUJIANG, "employer_paid": True}


def settled(**overrides: Any) -> SettlementApproved:
    """A couple settling in Wujiang, the applicant insured there by an employer for 14 months:
    his continuation continues; his wife's employment is not stated."""
    values: dict[str, Any] = {"members": couple(), "social_insurance": IN_WUJIANG, **overrides}
    return settlements.settlement(**values)


def applicant_alone(**insurance: Any) -> SettlementApproved:
    return settlements.settlement(
        members=couple()[:1], social_insurance={**IN_WUJIANG, **insurance}
    )


class FollowThroughTests(PensionApiTests):
    """One pension service for the class, with no consumer or relay: the tests decide through
    the follow-through's handler and read the reports from the outbox."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return quick_settings(tmp_path_factory.mktemp("pension") / "var", workers=False)
