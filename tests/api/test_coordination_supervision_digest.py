"""The weekly digest per county for the municipal supervision office (四(三) 纳入市政府督查工作
范围), checked by hand for a constructed week, from the route and from `luohu supervision
digest` in CSV and JSON; only counts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shared.cli import app as cli
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from tests.api.coordination_supervision_support import (
    QUJIANG,
    ZHENJIANG,
    at,
    chase,
    coordinator,
    get,
    quiet_office,
)
from tests.api.coordination_support import OPENED, deliver, item, report
from tests.settlements import approval, settlement
from tests.support import WUJIANG, invalid, ok, reason_for

# Tuesday 15 December 2026 in Shaoguan (17:00 UTC on the 14th): the last full week is 2026-W50,
# Monday 7 to Sunday 13 December.
NOW = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
SHIXING = "440222"  # 始兴县
EMPTY = {
    "approvals": 0,
    "settled": 0,
    "in_progress": 0,
    "open_items": 0,
    "overdue_items": 0,
    "follow_ups_opened": 0,
    "follow_ups_closed": 0,
    "oldest_overdue_days": None,
}


def minutes_after_opened(instant: datetime) -> int:
    return int((instant - OPENED).total_seconds() // 60)


def settles(client: TestClient, settings: Settings, region: str, day: date, last: datetime) -> None:
    """A family approved on `day`, every department done, the last at `last`."""
    family = settlement(destination_region_code=region, decision_date=day)
    made = minutes_after_opened(last)
    deliver(
        client,
        settings,
        approval(family),
        *(report(family.settlement_id, s, 1, made=made) for s in DOWNSTREAM_SERVICES),
    )


@pytest.fixture
def office(settings: Settings) -> Iterator[TestClient]:
    with quiet_office(settings) as client:
        yield client


@pytest.fixture
def week(office: TestClient, settings: Settings) -> TestClient:
    """The week built by hand (the expected figures are in `test_the_digest_...`)."""
    # 武江: approved on the 8th and settled at 23:59 on Sunday the 13th in Shaoguan;
    settles(
        office, settings, WUJIANG, date(2026, 12, 8), datetime(2026, 12, 13, 15, 59, tzinfo=UTC)
    )
    # approved on the 10th, housing asking for what was due on the 12th, chased on the 10th;
    asking = settlement(decision_date=date(2026, 12, 10))
    late = item("housing.monthly_household_income", due_on="2026-12-12")
    deliver(
        office,
        settings,
        approval(asking),
        report(asking.settlement_id, "housing", 1, "action_needed", late),
    )
    with at(datetime(2026, 12, 10, 4, 0, tzinfo=UTC)):
        ok(chase(office, settings, asking.settlement_id, late["id"]), 201)
    # approved on Monday the 14th: in progress, not this week's approval.
    deliver(office, settings, approval(settlement(decision_date=date(2026, 12, 14))))
    # 浈江: settled at 00:30 on Monday the 7th in Shaoguan (16:30 UTC on Sunday the 6th); 始兴:
    # settled at 00:30 on Monday the 14th (16:30 UTC on Sunday the 13th), next week's.
    settles(
        office, settings, ZHENJIANG, date(2026, 12, 1), datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    )
    settles(
        office, settings, SHIXING, date(2026, 12, 1), datetime(2026, 12, 13, 16, 30, tzinfo=UTC)
    )
    # 曲江: approved on the 1st; pension asks two things, one chased at 00:30 on Monday the 7th
    # in Shaoguan and done on the 11th; the other, due on the 5th, chased next week.
    family = settlement(destination_region_code=QUJIANG, decision_date=date(2026, 12, 1))
    overdue = item("social_insurance.pension_months", due_on="2026-12-05")
    chased = item("social_insurance.employer_paid", due_on="2026-12-20")
    deliver(
        office,
        settings,
        approval(family),
        report(family.settlement_id, "pension", 1, "action_needed", overdue, chased),
    )
    with at(datetime(2026, 12, 6, 16, 30, tzinfo=UTC)):
        ok(chase(office, settings, family.settlement_id, chased["id"]), 201)
    done_on_the_11th = minutes_after_opened(datetime(2026, 12, 11, 2, 0, tzinfo=UTC))
    deliver(
        office,
        settings,
        report(family.settlement_id, "pension", 2, "action_needed", overdue, made=done_on_the_11th),
    )
    with at(datetime(2026, 12, 13, 16, 30, tzinfo=UTC)):
        ok(chase(office, settings, family.settlement_id, overdue["id"]), 201)
    return office


W50 = {
    WUJIANG: {
        **EMPTY,
        "approvals": 2,
        "settled": 1,
        "in_progress": 2,
        "open_items": 1,
        "overdue_items": 1,
        "follow_ups_opened": 1,
        "oldest_overdue_days": 3,
    },
    ZHENJIANG: {**EMPTY, "settled": 1},
    QUJIANG: {
        **EMPTY,
        "in_progress": 1,
        "open_items": 1,
        "overdue_items": 1,
        "follow_ups_opened": 1,
        "follow_ups_closed": 1,
        "oldest_overdue_days": 10,
    },
}


def by_county(digest: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        c["region_code"]: {k: v for k, v in c.items() if k not in ("region_code", "county")}
        for c in digest["counties"]
    }


def test_the_digest_of_the_last_full_week_counts_each_county_by_shaoguans_days(
    week: TestClient, settings: Settings
) -> None:
    with at(NOW):
        digest = get(week, settings, "/v1/supervision/digest")
    assert (digest["week"], digest["starts_on"], digest["ends_on"]) == (
        "2026-W50",
        "2026-12-07",
        "2026-12-13",
    )
    assert (digest["complete"], digest["as_of"]) == (True, "2026-12-15")
    figures = by_county(digest)
    assert len(figures) == 10
    for code, expected in figures.items():
        assert expected == W50.get(code, EMPTY), code


def test_the_week_under_way_counts_what_has_happened_in_it(
    week: TestClient, settings: Settings
) -> None:
    with at(NOW):
        digest = get(week, settings, "/v1/supervision/digest", week="2026-W51")
    assert digest["complete"] is False
    figures = by_county(digest)
    assert figures[SHIXING]["settled"] == 1  # 00:30 on Monday the 14th in Shaoguan
    assert figures[ZHENJIANG]["settled"] == 0
    assert figures[WUJIANG]["approvals"] == 1
    assert (figures[QUJIANG]["follow_ups_opened"], figures[QUJIANG]["follow_ups_closed"]) == (1, 0)


def test_a_week_that_is_not_one_or_has_not_begun_is_a_422_naming_it(
    office: TestClient, settings: Settings
) -> None:
    with at(NOW):
        for week in ("2026-W54", "2026-12", "2026-W52", "2026-W5"):
            answer = office.get(
                "/v1/supervision/digest", params={"week": week}, headers=coordinator(settings)
            )
            assert reason_for(invalid(answer), "week")


@pytest.fixture
def command_line(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("LUOHU_DATABASE_URL", raising=False)
    return CliRunner()


def test_the_command_writes_the_same_figures_as_csv_and_json(
    week: TestClient, settings: Settings, command_line: CliRunner, tmp_path: Path
) -> None:
    with at(NOW):
        served = get(week, settings, "/v1/supervision/digest", week="2026-W50")
        as_csv = command_line.invoke(cli, ["supervision", "digest", "--week", "2026-W50"])
        written = tmp_path / "digest.json"
        as_json = command_line.invoke(
            cli, ["supervision", "digest", "--format", "json", "--output", str(written)]
        )
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == [
        "week",
        "region_code",
        "county",
        "approvals",
        "settled",
        "in_progress",
        "open_items",
        "overdue_items",
        "follow_ups_opened",
        "follow_ups_closed",
        "oldest_overdue_days",
    ]
    assert len(rows) == 11
    assert ["2026-W50", WUJIANG, "武江区", "2", "1", "2", "1", "1", "1", "0", "3"] in rows
    assert ["2026-W50", QUJIANG, "曲江区", "0", "0", "1", "1", "1", "1", "1", "10"] in rows
    assert ["2026-W50", "440281", "乐昌市", "0", "0", "0", "0", "0", "0", "0", ""] in rows
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(written.read_text(encoding="utf-8")) == served


def test_the_command_refuses_a_bad_week(command_line: CliRunner, office: TestClient) -> None:
    answer = command_line.invoke(cli, ["supervision", "digest", "--week", "2026-W60"])
    assert answer.exit_code == 2
    assert "--week" in answer.output


def test_the_command_without_the_offices_database_says_so_and_makes_none(
    command_line: CliRunner, settings: Settings
) -> None:
    answer = command_line.invoke(cli, ["supervision", "digest"])
    assert answer.exit_code == 1
    assert "luohu migrate coordination" in answer.output
    assert not (settings.data_dir / "coordination.db").exists()
