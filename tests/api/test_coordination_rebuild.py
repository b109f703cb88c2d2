"""`luohu coordination rebuild`: the office's view emptied and read again from the log's start
is the view it had (its rows all come from events, models.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from services.coordination.app import build
from services.coordination.models import DepartmentReport
from services.coordination.rebuild import rebuild
from shared.cli import app as cli
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from tests.api.coordination_support import deliver, item, report
from tests.settlements import approval, settlement
from tests.support import Headers, ok, quick_settings, session_keys, token


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment `luohu` reads: the embedded engines under a temporary folder."""
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LUOHU_KEYS_DIR", str(session_keys()))
    return quick_settings(tmp_path / "var", workers=False)


@pytest.fixture
def office(platform: Settings) -> Iterator[TestClient]:
    with TestClient(build(platform)) as client:
        yield client


def view(client: TestClient, headers: Headers, settlement_ids: list[str]) -> dict[str, Any]:
    """Everything the office answers of these settlements, and its whole list."""
    return {
        "families": [
            ok(client.get(f"/v1/settlements/{i}", headers=headers)) for i in settlement_ids
        ],
        "list": ok(client.get("/v1/settlements", params={"page_size": 200}, headers=headers)),
    }


RECORDS = 2 + 3 + len(DOWNSTREAM_SERVICES) + 1
"""What `history` publishes: two approvals, three housing reports (one redelivered), the second
family's every department, and a failure."""


def history(office: TestClient, platform: Settings) -> list[str]:
    """Two families' events, out of order and redelivered; their settlement ids."""
    one, two = settlement(), settlement()
    first = report(one.settlement_id, "housing", 1, "action_needed", item("a"), made=1)
    deliver(
        office,
        platform,
        report(one.settlement_id, "housing", 2, made=2),
        approval(one),
        first,
        first,
        approval(two),
        *(report(two.settlement_id, s, 1, made=3) for s in DOWNSTREAM_SERVICES),
        report(one.settlement_id, "pension", None, "failed", made=4),
    )
    return [one.settlement_id, two.settlement_id]


class Recorded:
    """The office after `history`, and what it answered then."""

    def __init__(self, office: TestClient, platform: Settings) -> None:
        self.office = office
        self.coordinator = token(platform, "coordination")
        self.settlements = history(office, platform)
        self.before = self.now()

    def now(self) -> dict[str, Any]:
        return view(self.office, self.coordinator, self.settlements)


@pytest.fixture
def recorded(office: TestClient, platform: Settings) -> Recorded:
    return Recorded(office, platform)


def test_the_command_reads_the_log_again_to_the_same_view(recorded: Recorded) -> None:
    result = CliRunner().invoke(cli, ["coordination", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"{RECORDS} events read again" in result.output
    assert recorded.now() == recorded.before


def test_a_view_that_drifted_from_the_log_is_put_back(recorded: Recorded) -> None:
    runtime = recorded.office.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.unit_of_work() as session:
        session.execute(update(DepartmentReport).values(status="done", open_items=[]))
    assert recorded.now() != recorded.before
    assert rebuild(runtime.db, runtime.bus, runtime.keyring, idle_polls=1) == RECORDS
    assert recorded.now() == recorded.before
