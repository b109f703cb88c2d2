"""Helpers for the residence permit API tests: people, applications, events, polling."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from shared.events.embedded import EmbeddedBus
from shared.events.envelope import new_event, to_message
from shared.identity import make_id_number
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, SettledMember, SettlementApproved

PERMITS = "/v1/residence-permits"
PROCESSED_TOPIC = "residence_permit.settlement.processed"
DEAD_LETTERS = "deadletter.residence_permit"
WUJIANG, ZHENJIANG = "440203", "440204"
ORIGIN = "441402"  # 梅江区, Meizhou: where the migrants are registered

Headers = dict[str, str]

_numbers = itertools.count(1)
_regions = ("441402", "440106", "445102", "440981")


def new_id(birth: date) -> str:
    """A valid identity number, different on every call within a test run."""
    n = next(_numbers)
    return make_id_number(_regions[(n // 999) % len(_regions)], birth, n % 999 + 1)


def today() -> date:
    return date.today()


def years_ago(years: int, *, days: int = 0) -> date:
    """`years` years before today (1 March for a 29 February that does not exist), less `days`."""
    now = today()
    try:
        then = now.replace(year=now.year - years)
    except ValueError:
        then = date(now.year - years, 3, 1)
    return then - timedelta(days=days)


def application(**overrides: Any) -> dict[str, Any]:
    """An adult registered in Meizhou, resident in 武江区 for two years, employed."""
    body: dict[str, Any] = {
        "id_number": new_id(date(1990, 5, 1)),
        "name": "王五",
        "hukou_region_code": ORIGIN,
        "region_code": WUJIANG,
        "address": "武江区沿江路 1 号",
        "resident_since": years_ago(2).isoformat(),
        "basis": "employment",
        "evidence": "劳动合同",
    }
    body.update(overrides)
    return body


def issued_on(applied: date, **overrides: Any) -> dict[str, Any]:
    """An application lodged on `applied`, resident for more than a year before it."""
    since = applied - timedelta(days=400)
    return application(
        applied_on=applied.isoformat(), resident_since=since.isoformat(), **overrides
    )


def body_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    error: dict[str, Any] = body_of(response, status)["error"]
    assert error["code"] == code, error
    return error


def field_reasons(response: httpx.Response) -> dict[str, str]:
    """The 422's details as {field: reason}."""
    error = error_of(response, 422, "invalid_input")
    return {d["field"]: d["reason"] for d in error["details"]}


def settlement(
    members: list[tuple[str, str, date]],
    *,
    settlement_id: str | None = None,
    decided_at: datetime | None = None,
) -> SettlementApproved:
    """An approved settlement into 武江区 of `members` (identity number, relation, birth)."""
    return SettlementApproved(
        settlement_id=settlement_id or str(uuid.uuid4()),
        decided_at=decided_at or datetime.now(UTC),
        decision_date=today(),
        rules_version="shaoguan-2017-trial",
        channel="stable_residence",
        destination_region_code=WUJIANG,
        destination_region_name="440203 广东省韶关市武江区",
        destination_address="武江区沿江路 1 号",
        members=[
            SettledMember(
                id_number=number,
                name="某人",
                birth_date=birth,
                sex="male",
                relation=relation,
                previous_region_code=ORIGIN,
                previous_hukou_type="rural",
            )
            for number, relation, birth in members
        ],
    )


def publish(
    settings: Settings,
    data: dict[str, Any],
    *,
    key: str,
    type_: str = SETTLEMENT_APPROVED,
    event_id: str | None = None,
    dataversion: str | None = None,
    topic: str | None = None,
) -> str:
    """Put one CloudEvent on the embedded log as hukou would; returns its id."""
    event = new_event(
        type_=type_,
        source="/luohu/hukou",
        subject=key,
        data=data,
        event_id=event_id,
        extensions={"dataversion": dataversion} if dataversion else None,
    )
    message = to_message(event, key=key)
    if topic is not None:
        message = type(message)(topic, message.key, message.value, message.headers)
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish([message])
    finally:
        bus.close()
    return str(event.get_id())


def read_topic(settings: Settings, topic: str) -> list[dict[str, Any]]:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return [json.loads(record.value) for record in bus.read(topic)]
    finally:
        bus.close()


def wait_for(predicate: Callable[[], Any], *, timeout: float = 10.0) -> Any:
    """Poll until `predicate` returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.03)
