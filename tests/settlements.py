"""Approved settlements as hukou publishes them, for the departments' tests: a family, its
event (whole, sealed by `publish` as hukou seals it), and a follow-through run without the bus."""

from __future__ import annotations

import uuid
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, event_type, new_event, to_message
from shared.follow_through import FollowThrough, redecide_waiting
from shared.parameters import ParameterSource
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC, SettledMember, SettlementApproved
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    acted_on,
    person_id,
    publish,
    sealed,
    settlement_record,
    signed,
)


def member(
    birth: date, relation: str, *, female: bool = False, region: str = MEIZHOU, **overrides: Any
) -> SettledMember:
    """A settled person with a fresh identity number, registered before at `region`."""
    values: dict[str, Any] = {
        "id_number": person_id(birth, female=female),
        "name": "张" + relation,
        "birth_date": birth,
        "sex": "female" if female else "male",
        "relation": relation,
        "previous_region_code": region,
        "previous_hukou_type": "rural",
    }
    values.update(overrides)
    return SettledMember(**values)


def settlement(**overrides: Any) -> SettlementApproved:
    """An approved settlement of a family of three to 武江区, decided on 2019-06-01."""
    values: dict[str, Any] = {
        "settlement_id": str(uuid.uuid4()),
        "decided_at": datetime(2019, 6, 3, 2, 0, tzinfo=UTC),
        "decision_date": date(2019, 6, 1),
        "rules_version": "shaoguan-2017-trial",
        "channel": "stable_residence",
        "destination_region_code": WUJIANG,
        "destination_address": "武江区沿江路 1 号",
        "members": [
            member(date(1988, 5, 1), "applicant"),
            member(date(1990, 2, 2), "spouse", female=True),
            member(date(2012, 3, 3), "child"),
        ],
    }
    values.update(overrides)
    return SettlementApproved(**values)


def settlement_in_full(**overrides: Any) -> SettlementApproved:
    """`settlement()` with every section stated, rural rights and street address included."""
    return settlement(
        residence={"tenure": "rented", "address": "武江区沿江路 1 号", "since": "2018-01-01"},
        social_insurance={"pension_months": 30, "medical_months": 24, "employer_paid": True},
        housing={"monthly_household_income": 4321.5, "current_area_m2": 38.5},
        rural_rights={"land_contract": True, "homestead": False},
        **overrides,
    )


def approval(data: SettlementApproved) -> CloudEvent:
    """Hukou's `settlement.approved` of `data`, whole and unsealed: `publish` and
    `follow_directly` seal it as hukou would."""
    return hukou_event(data.settlement_id, data.model_dump(mode="json"))


def publish_settlement(settings: Settings, data: SettlementApproved) -> CloudEvent:
    """Publish `data` as hukou's `settlement.approved`; the event."""
    event = approval(data)
    publish(settings, event)
    return event


def published_twice(settings: Settings, data: SettlementApproved) -> None:
    """Publish hukou's approval of `data` twice as one event (one id), as a redelivery would."""
    event = approval(data)
    publish(settings, event, event)


def on_the_approved_topic(settings: Settings, event: CloudEvent) -> None:
    """Put `event` on the approved topic whatever its type (`tests.support.publish` sends each
    event to its own type's topic), keyed by its subject."""
    message = to_message(event, key=str(event.get_subject()))
    with closing(EmbeddedBus(settings.event_log_path)) as bus:
        bus.publish([signed(settings, replace(message, topic=APPROVED_TOPIC))])


def decided(
    client: TestClient, settings: Settings, reader: Headers, data: SettlementApproved
) -> dict[str, Any]:
    """Publish a settlement and wait for the service's decision on it: its record, once acted."""
    publish_settlement(settings, data)
    return acted_on(client, reader, data.settlement_id)


def follow_directly(
    client: TestClient, follow_through: FollowThrough, approved: SettlementApproved | CloudEvent
) -> str:
    """Run the follow-through's handler on an approval (sealed as hukou seals it) in a unit of
    work, as the consumer would, without the bus (each call of `approved` as a settlement is a
    new event id: a redelivery the inbox cannot catch); the settlement id."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    event = approved if isinstance(approved, CloudEvent) else approval(approved)
    with runtime.db.unit_of_work() as session:
        for handler in follow_through.subscription(runtime.keyring).handlers[SETTLEMENT_APPROVED]:
            handler(session, sealed(runtime.keyring, event))
    return str(event.get_subject())


def hukou_event(
    subject: str, data: dict[str, Any], *, type_: str = SETTLEMENT_APPROVED, **extensions: str
) -> CloudEvent:
    """An event from hukou with `data` as given: one a test has altered, or of another type."""
    return new_event(
        type_=type_, source="/luohu/hukou", subject=subject, data=data, extensions=extensions
    )


def amendment(settlement_id: str) -> CloudEvent:
    """An event from hukou of a type no department reads (settlement.amended): each skips it."""
    return hukou_event(
        settlement_id,
        {"settlement_id": settlement_id},
        type_=event_type("hukou", "settlement.amended"),
    )


def decided_again_once(
    client: TestClient,
    headers: Headers,
    settlement_id: str,
    department: FollowThrough,
    parameters: ParameterSource,
) -> dict[str, Any]:
    """Read the parameters again (their file changed) and sweep twice: the waiting settlement is
    decided again once, not twice, and still waits (version 2). Its record, as it then is."""
    parameters.refresh()
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    assert redecide_waiting(db, department) == 1
    assert redecide_waiting(db, department) == 0
    now = settlement_record(client, headers, settlement_id)
    assert (now["status"], now["version"]) == ("action_needed", 2)
    return now
