"""What tests of every service share: answers in the contract's shape, the embedded event log,
settlements as hukou publishes them, and waiting for the background workers."""

from __future__ import annotations

import atexit
import collections
import dataclasses
import functools
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shared.auth import issue_token
from shared.db import Database
from shared.events.bus import Message, Record
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, to_message
from shared.events.sealing import SEALED
from shared.events.signing import EventSigner, producers_of
from shared.follow_through import FollowThrough, redecide_waiting
from shared.identity import make_id_number
from shared.key_folder import init_keys
from shared.keys import Keyring, keyring_for
from shared.parameters import ParameterSet, ParameterSource
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC, sealed_data

T = TypeVar("T")
Headers = dict[str, str]

WUJIANG = "440203"  # 武江区, the usual destination
MEIZHOU = "441402"  # 梅江区, a previous registration outside Shaoguan


# Meizhou's counties, from the one fixtures name least: where a birth day's 499 numbers per
# sex run out in one county, the next county's begin; every number a test run makes differs.
_REGIONS = ("441481", "441427", "441426", "441424", "441423", "441422", "441403", "441402")
_issued: collections.Counter[tuple[str, date, bool]] = collections.Counter()


def person_id(birth: date, region: str | None = None, *, female: bool = False) -> str:
    """A valid identity number, different from every other this process has made."""
    for candidate in (region,) if region else _REGIONS:
        index = _issued[(candidate, birth, female)]
        if index < 499:
            _issued[(candidate, birth, female)] += 1
            sequence = 2 * index + (2 if female else 1)  # odd: male, even: female
            return make_id_number(candidate, birth, sequence)
    raise RuntimeError(f"no identity numbers left for {birth} in {region or _REGIONS}")


# --- answers -------------------------------------------------------------------------------------


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The body of an answer that must have `status`."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The contract's error body, `{"error": {"code", "message", "details"}}`: its error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def invalid(response: httpx.Response) -> list[dict[str, Any]]:
    """A 422 `invalid_input` whose every detail names a field and a reason: the details."""
    details: list[dict[str, Any]] = error_of(response, 422, "invalid_input")["details"]
    assert details
    for detail in details:
        assert isinstance(detail["field"], str) and detail["field"]
        assert isinstance(detail["reason"], str) and detail["reason"]
    return details


def reason_for(details: list[dict[str, Any]], field: str) -> str:
    """The reason the details give for `field` (which they must name)."""
    found = [d["reason"] for d in details if d["field"] == field]
    assert found, f"no detail names {field!r}: {details}"
    return str(found[0])


# --- settings and waiting ------------------------------------------------------------------------


@functools.cache
def session_keys() -> Path:
    """Every signing key and the trust bundle, made once for the test process: each service a
    test builds trusts every token the tests sign (a test rotating keys makes its own)."""
    folder = Path(tempfile.mkdtemp(prefix="luohu-test-keys-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    init_keys(folder)
    return folder


def quick_settings(folder: Path, *, workers: bool = True, keys: Path | None = None) -> Settings:
    """The embedded engines under `folder`, with the fast relay and retries tests want; the
    signing keys in `keys` (default: the session's)."""
    return Settings(
        environment="test",
        data_dir=folder,
        keys_dir=keys or session_keys(),
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
        parameters_poll_seconds=0.05,
        start_workers=workers,
    )


def eventually(check: Callable[[], T | None], *, within: float = 10.0, what: str = "it") -> T:
    """Poll `check` until it gives something other than None or False: the consumers and the
    relay work in the background."""
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found is not None and found is not False:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        time.sleep(0.02)


def token(settings: Settings, dept: str, *scopes: str) -> Headers:
    """The Authorization header of a token for `dept` (narrowed to `scopes` when given)."""
    issued = issue_token(settings, dept=dept, scopes=scopes or None)
    return {"Authorization": f"Bearer {issued}"}


def unsent(client: TestClient) -> int:
    """How many events the service behind `client` has in its outbox, not yet published."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    outbox = runtime.spec.tables.outbox
    with runtime.db.read_only() as session:
        count = session.execute(select(func.count()).where(outbox.c.published_at.is_(None)))
        return int(count.scalar_one())


def outbox_reports(client: TestClient, settlement_id: str) -> list[dict[str, Any]]:
    """The `data` of every `settlement.processed` the service wrote on one settlement, in the
    order written, published or not (a service without workers keeps them in its outbox)."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    outbox = runtime.spec.tables.outbox
    with runtime.db.read_only() as session:
        rows = session.execute(
            select(outbox.c.value).where(outbox.c.key == settlement_id).order_by(outbox.c.id)
        ).scalars()
        events = [json.loads(value) for value in rows]
    return [e["data"] for e in events if e["type"].endswith(".settlement.processed")]


def supply(
    client: TestClient,
    headers: Headers,
    settlement_id: str,
    facts: dict[str, Any],
    *,
    member_index: int | None = None,
    key: str | None = None,
) -> httpx.Response:
    """`POST /v1/settlements/{id}/information`: supply facts an open item asks for."""
    body: dict[str, Any] = {"facts": facts}
    if member_index is not None:
        body["member_index"] = member_index
    extra = {"Idempotency-Key": key} if key else {}
    response: httpx.Response = client.post(
        f"/v1/settlements/{settlement_id}/information", headers={**headers, **extra}, json=body
    )
    return response


def get_settlement(client: TestClient, headers: Headers, settlement_id: str) -> httpx.Response:
    """`GET /v1/settlements/{id}`, whatever it answers."""
    response: httpx.Response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    return response


def settlement_record(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    """`GET /v1/settlements/{id}`, which must answer 200: the service's record of it."""
    return ok(get_settlement(client, headers, settlement_id))


def acted_on(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    """The service's record of the settlement once it has acted on it: a 404 until then, and
    no other answer. It waits up to 15 s: the consumer and the relay run behind on a busy
    machine."""

    def acted() -> dict[str, Any] | None:
        response = get_settlement(client, headers, settlement_id)
        assert response.status_code in (200, 404), response.text
        return ok(response) if response.status_code == 200 else None

    return eventually(acted, within=15.0, what=f"the service to act on {settlement_id}")


def refused_supply(
    client: TestClient,
    headers: Headers,
    settlement_id: str,
    facts: dict[str, Any],
    *,
    member_index: int | None,
    field: str,
) -> httpx.Response:
    """Supply `facts` the service must refuse: a 422 naming `field` that changes neither the
    settlement's record nor its reports. The refusal."""
    before = settlement_record(client, headers, settlement_id)
    reported = outbox_reports(client, settlement_id)

    response = supply(client, headers, settlement_id, facts, member_index=member_index)

    reason_for(invalid(response), field)
    assert settlement_record(client, headers, settlement_id) == before
    assert outbox_reports(client, settlement_id) == reported
    return response


def consumed(settings: Settings, group: str, topic: str = APPROVED_TOPIC) -> bool:
    """Whether `group` has committed everything on `topic` of the embedded log."""
    with closing(EmbeddedBus(settings.event_log_path)) as bus:
        return bus.committed(group, topic) == bus.end_offsets([topic])[topic]


def caught_up(client: TestClient, settings: Settings, group: str) -> None:
    """Wait until the service has consumed every approval and published every event it made,
    so nothing more is on its way."""
    eventually(
        lambda: consumed(settings, group) and unsent(client) == 0,
        what=f"{group} to consume and publish everything",
    )


def nothing_more_to_decide(
    db: Database, department: FollowThrough, parameters: ParameterSource
) -> None:
    """A second sweep, and one after the parameters are read again as at a restart, decide
    no settlement again."""
    assert redecide_waiting(db, department) == 0
    parameters.load()
    assert redecide_waiting(db, department) == 0


def local_parameter(department: str, name: str, value: Any, **fields: Any) -> dict[str, Any]:
    """A department's parameter as its variable or file takes it, in force from 2018 unless
    `fields` say otherwise: the test is its source."""
    return {
        "name": name,
        "value": value,
        "valid_from": "2018-01-01",
        "source": "test fixture",
        "department": department,
        **fields,
    }


def configure(
    monkeypatch: pytest.MonkeyPatch, source: ParameterSource, parameters: list[dict[str, Any]]
) -> None:
    """Set the service's parameters variable to `parameters` and load them, as a start would."""
    monkeypatch.setenv(source.variable, json.dumps(parameters))
    source.load()


def loaded(source: ParameterSource, variable: str | None) -> ParameterSet:
    """What a service starts with when its parameters variable holds `variable` (None: unset).
    A copy of `source` loads it, so the process's own set is left as it was."""
    with pytest.MonkeyPatch.context() as patch:
        if variable is None:
            patch.delenv(source.variable, raising=False)
        else:
            patch.setenv(source.variable, variable)
        return dataclasses.replace(source).load()


def configured(source: ParameterSource, *items: dict[str, Any]) -> ParameterSet:
    """What a service starts with when its parameters variable holds `items`."""
    return loaded(source, json.dumps(list(items)))


def refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
    source: ParameterSource,
    build: Callable[[], object],
    items: list[dict[str, Any]],
    *,
    naming: str,
) -> None:
    """With `items` in the service's parameters variable, building the service stops with a
    ValueError that names the variable (`naming`, spelled out by the test) as not valid."""
    monkeypatch.setenv(source.variable, json.dumps(items))
    with pytest.raises(ValueError, match=f"{naming} is not valid"):
        build()


def kept_after_a_change(
    monkeypatch: pytest.MonkeyPatch,
    source: ParameterSource,
    first: list[dict[str, Any]],
    then: list[dict[str, Any]],
) -> ParameterSet:
    """What a copy of `source` holds after loading `first` when its variable then changes to
    `then` with no new load: a service reads its parameters once, not on every event."""
    copy = dataclasses.replace(source)
    monkeypatch.setenv(source.variable, json.dumps(first))
    copy.load()
    monkeypatch.setenv(source.variable, json.dumps(then))
    return copy.current()


# --- the embedded event log ----------------------------------------------------------------------


def signed(settings: Settings, message: Message, *, by: str | None = None) -> Message:
    """The message signed as its producer's relay signs it (`by`: another service's key)."""
    event_type = json.loads(message.value)["type"]
    producer = by or min(producers_of(event_type), default="hukou")
    return EventSigner(keyring_for(settings), producer).sign(message)


def sealed(keyring: Keyring, event: CloudEvent) -> CloudEvent:
    """An approval as hukou publishes it: its data sealed to each department by the bundle of
    `keyring` (one already sealed, or any other event, as it is)."""
    data = event.get_data()
    if event.get_type() != SETTLEMENT_APPROVED or not isinstance(data, dict) or SEALED in data:
        return event
    return CloudEvent(event.get_attributes(), sealed_data(data, keyring.bundle()))


def publish(settings: Settings, *events: CloudEvent) -> None:
    """Append events to the embedded log, each keyed by its subject, an approval sealed as
    hukou seals it and each signed by its type's producer, as a relay would."""
    keyring = keyring_for(settings)
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish(
            [
                signed(settings, to_message(sealed(keyring, event), key=str(event.get_subject())))
                for event in events
            ]
        )
    finally:
        bus.close()


def read_topic(settings: Settings, topic: str) -> list[Record]:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return bus.read(topic)
    finally:
        bus.close()


def events_on(settings: Settings, topic: str) -> list[dict[str, Any]]:
    """Every event on `topic`, as the JSON envelopes they travel in."""
    return [json.loads(record.value) for record in read_topic(settings, topic)]


def dead_letters_for(settings: Settings, service: str, settlement_id: str) -> list[Record]:
    """The records on the service's dead-letter topic keyed by the settlement."""
    return [r for r in read_topic(settings, f"deadletter.{service}") if r.key == settlement_id]


def reports(settings: Settings, service: str, settlement_id: str) -> list[dict[str, Any]]:
    """The `data` of every `<service>.settlement.processed` on one settlement."""
    topic = f"{service}.settlement.processed"
    found = [event["data"] for event in events_on(settings, topic)]
    return [data for data in found if data["settlement_id"] == settlement_id]
