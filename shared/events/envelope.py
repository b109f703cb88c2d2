"""The CloudEvents 1.0 envelope (structured JSON) and its mapping onto bus messages."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka
from cloudevents.core.v1.event import CloudEvent

from shared.db import utcnow
from shared.events.bus import Message, Record

TYPE_PREFIX = "cn.gov.shaoguan."
DATA_VERSION = "2.0"
"""The version of our `data` schemas; minor increases only add fields (consumers read 2.x).
2.0: `settlement.approved` carries personal data only in sections sealed to each department
(shared/events/sealing.py); 1.x carried every member in clear to every reader."""

__all__ = ["CloudEvent", "event_type", "from_record", "new_event", "to_message", "topic_of"]


def event_type(service: str, name: str) -> str:
    """`event_type("hukou", "settlement.approved")`: `cn.gov.shaoguan.hukou.settlement.approved`."""
    return f"{TYPE_PREFIX}{service}.{name}"


def topic_of(type_: str) -> str:
    """The topic an event type travels on: the type's last three parts (docs/contract.md)."""
    return ".".join(type_.split(".")[-3:])


def new_event(
    *,
    type_: str,
    source: str,
    subject: str,
    data: Mapping[str, Any],
    event_id: str | None = None,
    time: datetime | None = None,
    extensions: Mapping[str, str] | None = None,
) -> CloudEvent:
    attributes: dict[str, Any] = {
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "type": type_,
        "subject": subject,
        "time": time or utcnow(),
        "datacontenttype": "application/json",
        "dataversion": DATA_VERSION,
        **(extensions or {}),
    }
    return CloudEvent(attributes, dict(data))


def to_message(event: CloudEvent, *, key: str) -> Message:
    """Structured mode per the CloudEvents Kafka binding: the whole event in the value."""
    binding = kafka.to_structured_event(event, key_mapper=lambda _: key)
    return Message(
        topic=topic_of(event.get_type()),
        key=key,
        value=binding.value,
        headers=dict(binding.headers),
    )


def from_record(record: Record | Message) -> CloudEvent:
    """Parse a record's value; raises ValueError (or the SDK's errors) when it is no CloudEvent."""
    binding = kafka.KafkaMessage(headers=dict(record.headers), key=None, value=record.value)
    event = kafka.from_structured_event(binding)
    if not isinstance(event, CloudEvent):
        raise ValueError(f"unsupported CloudEvents version in {record.topic}")
    return event


def data_of(event: CloudEvent) -> dict[str, Any]:
    data = event.get_data()
    if not isinstance(data, dict):
        raise ValueError(f"event {event.get_id()} carries no JSON object")
    return data


def is_readable_version(event: CloudEvent) -> bool:
    """Same major data version: a newer minor only adds fields, which we ignore."""
    version = str(event.get_extension("dataversion") or DATA_VERSION)
    return version.split(".")[0] == DATA_VERSION.split(".")[0]
