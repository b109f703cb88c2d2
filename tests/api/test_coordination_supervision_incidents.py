"""What stopped, as the office sees it (四(三) 督查): a department whose decision failed, a
department that stopped reporting (judged by the office's own dated limit), and the events
the office itself could not read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from shared.events.envelope import new_event
from shared.events.outbox import OutboxRelay
from shared.events.signing import EventSigner
from shared.registry import DOWNSTREAM_SERVICES, processed_type
from shared.settings import Settings
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


def test_an_event_the_office_could_not_read_is_counted(
    office: TestClient, settings: Settings
) -> None:
    assert get(office, settings, "/v1/incidents")["dead_letters"] == {
        "consumer": "coordination",
        "waiting": 0,
    }
    broken = new_event(
        type_=processed_type("housing"),
        source="/luohu/housing",
        subject="x",
        data={"settlement_id": "x", "service": "housing"},
    )
    deliver(office, settings, broken)
    runtime = office.app.state.runtime  # type: ignore[attr-defined]
    relay = OutboxRelay(
        service="coordination",
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        signer=EventSigner(runtime.keyring, "coordination"),
    )
    assert relay.run_once() == 1  # the dead letter, to its topic
    assert get(office, settings, "/v1/incidents")["dead_letters"]["waiting"] == 1


def test_a_department_does_not_read_the_incidents(office: TestClient, settings: Settings) -> None:
    error_of(office.get("/v1/incidents", headers=token(settings, "housing")), 403, "forbidden")
