"""What stopped, as the office sees it (四(三) 督查): a department whose decision failed, a
department that stopped reporting (judged by the office's own dated limit), and every
consumer's dead letters with their age."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.events.bus import BusUnavailable, Message
from shared.events.consumer import EventConsumer, Subscription
from shared.events.deadletters import replay_dead_letters
from shared.events.envelope import new_event
from shared.events.outbox import OutboxRelay
from shared.events.signing import EventSigner
from shared.registry import DOWNSTREAM_SERVICES, SERVICES, SETTLEMENT_APPROVED, processed_type
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC
from tests.api.coordination_supervision_support import (
    PARAMETERS_JSON,
    QUJIANG,
    at,
    get,
    quiet_office,
)
from tests.api.coordination_support import OPENED, deliver, report
from tests.settlements import approval, settlement
from tests.support import error_of, token

NOW = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)  # 01:00 on the 15th in Shaoguan


def minutes_after_opened(instant: datetime) -> int:
    return int((instant - OPENED).total_seconds() // 60)


@pytest.fixture
def office(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The office with a silence limit of 48 hours."""
    monkeypatch.setenv("LUOHU_COORDINATION_PARAMETERS", PARAMETERS_JSON)
    with quiet_office(settings) as client:
        yield client


def test_a_department_whose_decision_failed_is_an_incident_with_its_age(
    office: TestClient, settings: Settings
) -> None:
    family = settlement(destination_region_code=QUJIANG)
    deliver(
        office, settings, approval(family), report(family.settlement_id, "housing", 1, "failed")
    )
    with at(NOW):
        found = get(office, settings, "/v1/incidents")
    assert [(f["settlement_id"], f["service"], f["region_code"]) for f in found["failed"]] == [
        (family.settlement_id, "housing", QUJIANG)
    ]
    failure = found["failed"][0]
    # Reported at 09:00 UTC on 2 December; it is the 15th in Shaoguan.
    assert (failure["failed_at"], failure["age_days"]) == ("2026-12-02T09:00:00Z", 13)
    assert failure["summary"] == "housing decided failed"
    # Done since: no longer an incident.
    deliver(office, settings, report(family.settlement_id, "housing", 2, "done", made=5))
    with at(NOW):
        assert get(office, settings, "/v1/incidents")["failed"] == []


def test_a_department_that_stopped_reporting_is_named_with_how_many_wait(
    office: TestClient, settings: Settings
) -> None:
    # Approved on the 10th: every department but education has reported on it since.
    waiting = settlement(decided_at=datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    # Approved 15 hours ago: within the limit, so no one is silent on it yet.
    recent = settlement(decided_at=datetime(2026, 12, 14, 2, 0, tzinfo=UTC))
    # Education's last report, on a settlement whose approval is not read yet.
    elsewhere = settlement()
    last = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
    deliver(
        office,
        settings,
        approval(waiting),
        approval(recent),
        *(
            report(waiting.settlement_id, s, 1, made=minutes_after_opened(last))
            for s in DOWNSTREAM_SERVICES
            if s != "education"
        ),
        report(elsewhere.settlement_id, "education", 1, made=minutes_after_opened(last)),
    )
    with at(NOW):
        found = get(office, settings, "/v1/incidents")
    assert found["silence_limit"].startswith("reporting_silence_hours = 48 hours")
    assert found["silent"] == [
        {
            "service": "education",
            "department": "education",
            "waiting": 1,
            "oldest_waiting_hours": 4 * 24 + 15,
            "last_report_at": "2026-12-09T02:00:00Z",
            "hours_since_last_report": 5 * 24 + 15,
        }
    ]
    # Two days on, every department has waited past the limit on the recent one too.
    with at(datetime(2026, 12, 16, 17, 0, tzinfo=UTC)):
        later = {
            s["service"]: s["waiting"] for s in get(office, settings, "/v1/incidents")["silent"]
        }
    assert later == {**dict.fromkeys(DOWNSTREAM_SERVICES, 1), "education": 2}


def test_without_a_limit_in_force_no_department_is_judged_silent(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LUOHU_COORDINATION_PARAMETERS", raising=False)
    monkeypatch.delenv("LUOHU_PARAMETERS_DIR", raising=False)
    with quiet_office(settings) as office:
        deliver(office, settings, approval(settlement(decision_date=date(2019, 6, 1))))
        found = get(office, settings, "/v1/incidents")
    assert (found["silence_limit"], found["silent"]) == (None, [])


def relay(client: TestClient) -> int:
    """Send what the office's database holds to send: here, the dead letters."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return OutboxRelay(
        service="coordination",
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        signer=EventSigner(runtime.keyring, "coordination"),
    ).run_once()


def dead_letters(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d.pop("consumer"): d for d in found["dead_letters"]}


NONE_WAITING = {
    "waiting": 0,
    "oldest_dead_lettered_at": None,
    "oldest_age_hours": None,
    "oldest_age_days": None,
}


def test_an_event_the_office_could_not_read_is_counted(
    office: TestClient, settings: Settings
) -> None:
    found = dead_letters(get(office, settings, "/v1/incidents"))
    # Every consumer of the platform, the office among them, from the registry.
    assert list(found) == [s.name for s in SERVICES if s.consumes]
    assert found["coordination"] == {"department": "coordination", **NONE_WAITING}
    broken = new_event(
        type_=processed_type("housing"),
        source="/luohu/housing",
        subject="x",
        data={"settlement_id": "x", "service": "housing"},
    )
    with at(datetime(2026, 12, 12, 9, 30, tzinfo=UTC)):
        deliver(office, settings, broken)
    assert relay(office) == 1  # the dead letter, to its topic
    with at(NOW):
        mine = dead_letters(get(office, settings, "/v1/incidents"))["coordination"]
    assert mine["waiting"] == 1
    # Dead-lettered at 17:30 on the 12th in Shaoguan; it is 01:00 on the 15th there.
    assert mine["oldest_dead_lettered_at"].startswith("2026-12-12T09:30")
    assert (mine["oldest_age_hours"], mine["oldest_age_days"]) == (2 * 24 + 7, 3)


def test_a_departments_dead_letters_are_listed_with_their_age_until_replayed(
    office: TestClient, settings: Settings
) -> None:
    runtime = office.app.state.runtime  # type: ignore[attr-defined]
    # Housing's consumer (its group is its name) meets a record it cannot read.
    runtime.bus.publish([Message(APPROVED_TOPIC, "x", b"not an event")])
    housing = EventConsumer(
        subscription=Subscription(group="housing", handlers={SETTLEMENT_APPROVED: []}),
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        max_attempts=1,
        backoff=0,
    )
    with at(datetime(2026, 12, 10, 16, 0, tzinfo=UTC)):  # midnight on the 11th in Shaoguan
        while housing.run_once(timeout=0.05):
            pass
    housing.close()
    assert relay(office) == 1
    with at(NOW):
        found = dead_letters(get(office, settings, "/v1/incidents"))
    assert found["housing"]["department"] == "housing"
    assert found["housing"]["waiting"] == 1
    assert found["housing"]["oldest_dead_lettered_at"].startswith("2026-12-10T16:00")
    assert (found["housing"]["oldest_age_hours"], found["housing"]["oldest_age_days"]) == (97, 4)
    assert found["education"] == {"department": "education", **NONE_WAITING}
    # The office only looked: the replayer's group has replayed nothing, and replays it now.
    assert replay_dead_letters(runtime.bus, "housing", timeout=0.1) == 1
    with at(NOW):
        assert dead_letters(get(office, settings, "/v1/incidents"))["housing"] == {
            "department": "housing",
            **NONE_WAITING,
        }


def test_a_bus_that_does_not_answer_leaves_the_dead_letters_unknown(
    office: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = office.app.state.runtime  # type: ignore[attr-defined]

    def away(group: str, topic: str) -> int:
        raise BusUnavailable("the log is away")

    monkeypatch.setattr(runtime.bus, "unconsumed", away)
    found = dead_letters(get(office, settings, "/v1/incidents"))
    assert {d["waiting"] for d in found.values()} == {None}
    assert {d["oldest_age_hours"] for d in found.values()} == {None}


def test_a_department_does_not_read_the_incidents(office: TestClient, settings: Settings) -> None:
    error_of(office.get("/v1/incidents", headers=token(settings, "housing")), 403, "forbidden")
