"""`POST /v1/dead-letters/replay`: a department sends its service's dead letters again once the
cause is fixed, and the service applies them; no other department may (`shared.replay_routes`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.housing.app import build
from shared.replay_routes import REPLAYED
from shared.settings import Settings
from tests.api.housing_support import settlement
from tests.settlements import publish_settlement
from tests.support import (
    acted_on,
    dead_letters_for,
    error_of,
    eventually,
    get_settlement,
    ok,
    reports,
    token,
)

REPLAY = "/v1/dead-letters/replay"


@pytest.fixture
def housing(settings: Settings) -> Iterator[TestClient]:
    """Housing as it runs: its consumer reads the event log, its relay publishes."""
    with TestClient(build(settings)) as client:
        yield client


def test_a_dead_lettered_settlement_is_applied_after_its_department_replays_it(
    housing: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("the assessment broke")

    clerk = token(settings, "housing")
    monkeypatch.setattr("services.housing.operations.assess_housing", broken)
    family = settlement()
    publish_settlement(settings, family)
    eventually(lambda: len(reports(settings, "housing", family.settlement_id)) == 1)
    assert len(dead_letters_for(settings, "housing", family.settlement_id)) == 1
    error_of(get_settlement(housing, clerk, family.settlement_id), 404, "not_found")

    monkeypatch.undo()  # the cause fixed
    answer = ok(housing.post(REPLAY, headers=clerk))

    assert answer == {"replayed": {"housing": 1}}
    record = acted_on(housing, clerk, family.settlement_id)
    assert record["settlement_id"] == family.settlement_id
    # Sent again once: a second replay finds nothing waiting.
    assert ok(housing.post(REPLAY, headers=clerk)) == {"replayed": {"housing": 0}}
    audit = ok(housing.get("/v1/audit", headers=token(settings, "audit")))["items"]
    (entry,) = [item for item in audit if item["action"] == REPLAYED]
    assert (entry["entity_id"], entry["detail"]) == ("housing", {"replayed": 1})
    assert entry["actor"] == "dept:housing"


@pytest.mark.parametrize("dept", ["education", "coordination", "public_security"])
def test_another_department_may_not_replay_the_services_dead_letters(
    housing: TestClient, settings: Settings, dept: str
) -> None:
    error_of(housing.post(REPLAY, headers=token(settings, dept)), 403, "forbidden")


def test_a_replay_needs_a_token(housing: TestClient) -> None:
    error_of(housing.post(REPLAY), 401, "unauthenticated")


def test_each_service_replays_with_its_own_write_scope(settings: Settings) -> None:
    from services.coordination.app import SPEC as coordination
    from services.hukou.app import SPEC as hukou

    quiet = settings.model_copy(update={"start_workers": False})
    for spec, dept, scope in (
        (hukou, "public_security", "settlement:write"),
        (coordination, "coordination", "coordination:write"),
    ):
        with TestClient(spec.build(quiet)) as client:
            replaying = token(settings, dept, scope)
            assert ok(client.post(REPLAY, headers=replaying)) == {"replayed": {spec.name: 0}}
            reading = token(settings, dept, f"{scope.split(':')[0]}:read")
            error_of(client.post(REPLAY, headers=reading), 403, "forbidden")
