"""The yearly settlement report per county for finance and land (三(一), 三(二)): the people
approved to settle, of whom rural-registered (an approval from before the count was carried is
unknown, never zero), and the residence-permit holders valid on 31 December, from the permits'
changes whatever order they arrive in."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.coordination.app import build
from services.coordination.rebuild import rebuild
from shared import clock
from shared.cli import app as cli
from shared.events.envelope import CloudEvent
from shared.permit_events import PermitChanged, permit_changed_event
from shared.settings import Settings
from tests.api.coordination_support import deliver
from tests.api.statistics_support import CITY, ZHENJIANG, approve, figures, put_population
from tests.support import WUJIANG, Headers, error_of, ok, quick_settings, session_keys, token


@pytest.fixture
def finance(settings: Settings) -> Headers:
    return token(settings, "finance")


def changed(
    permit_id: str,
    region: str,
    change: str,
    valid: tuple[str, str],
    closed_on: str | None = None,
) -> CloudEvent:
    return permit_changed_event(
        PermitChanged.model_validate(
            {
                "permit_id": permit_id,
                "region_code": region,
                "change": change,
                "valid_from": valid[0],
                "valid_to": valid[1],
                "closed_on": closed_on,
                "closed_reason": "settled" if closed_on else None,
            }
        )
    )


def report(client: TestClient, headers: Headers, year: int) -> dict[str, Any]:
    return ok(client.get(f"/v1/reports/settlements/{year}", headers=headers))


def row(answer: dict[str, Any], code: str) -> dict[str, Any]:
    if code == CITY:
        return answer["city"]
    return next(r for r in answer["counties"] if r["region_code"] == code)


def settle_2019(client: TestClient, settings: Settings) -> None:
    approve(client, settings, datetime(2019, 3, 1, 2, tzinfo=UTC), 3, rural=2)
    approve(client, settings, datetime(2019, 8, 1, 2, tzinfo=UTC), 2)  # an old approval: unknown
    approve(client, settings, datetime(2019, 9, 1, 2, tzinfo=UTC), 4, region=ZHENJIANG, rural=4)
    # 01:00 on 1 January 2020 in Shaoguan: next year's
    approve(client, settings, datetime(2019, 12, 31, 17, tzinfo=UTC), 5, region=ZHENJIANG, rural=0)


def permits_2019(client: TestClient, settings: Settings) -> None:
    year = ("2019-03-01", "2020-02-29")
    closed = changed("p2", WUJIANG, "closed", ("2019-01-10", "2020-01-09"), "2019-11-01")
    deliver(
        client,
        settings,
        changed("p1", WUJIANG, "issued", year),
        changed("p1", WUJIANG, "issued", year),  # sent twice: one permit
        closed,  # read before its issue: still closed
        changed("p2", WUJIANG, "issued", ("2019-01-10", "2020-01-09")),
        changed("p3", ZHENJIANG, "issued", ("2018-02-01", "2019-01-31")),
        changed("p3", ZHENJIANG, "endorsed", ("2019-02-01", "2020-01-31")),
        changed("p4", ZHENJIANG, "issued", ("2018-01-01", "2018-12-31")),  # lapsed
        # its holder settled on 31 December: no longer a holder that day
        changed("p5", ZHENJIANG, "closed", ("2019-06-01", "2020-05-31"), "2019-12-31"),
    )


def test_each_county_shows_its_approvals_rural_registered_and_permit_holders(
    office: TestClient, settings: Settings, finance: Headers
) -> None:
    settle_2019(office, settings)
    permits_2019(office, settings)
    answer = report(office, finance, 2019)
    assert answer["clauses"] == ["三(一)", "三(二)"] and answer["permit_holders_on"] == "2019-12-31"
    assert len(answer["counties"]) == 10
    wujiang = row(answer, WUJIANG)
    assert (wujiang["approved_settlements"], wujiang["settled_persons"]) == (2, 5)
    # One approval did not say: the count is unknown, what is known is shown beside it.
    assert wujiang["rural_registered_persons"] is None
    assert wujiang["rural_registered_persons_known"] == 2
    assert wujiang["rural_registered_unknown_settlements"] == 1
    assert wujiang["permit_holders"] == 1  # p1; p2 closed on 1 November
    zhenjiang = row(answer, ZHENJIANG)
    assert (zhenjiang["approved_settlements"], zhenjiang["settled_persons"]) == (1, 4)
    assert zhenjiang["rural_registered_persons"] == 4
    assert zhenjiang["permit_holders"] == 1  # p3, endorsed; p4 lapsed, p5 closed that day
    quiet = row(answer, "440233")  # 新丰县: nothing at all, zero and known
    assert (quiet["settled_persons"], quiet["rural_registered_persons"]) == (0, 0)
    city = row(answer, CITY)
    assert (city["approved_settlements"], city["settled_persons"], city["permit_holders"]) == (
        3,
        9,
        2,
    )
    assert city["rural_registered_persons"] is None and city["rural_registered_persons_known"] == 6
    next_year = row(report(office, finance, 2020), ZHENJIANG)
    assert (next_year["settled_persons"], next_year["rural_registered_persons"]) == (5, 0)


def test_a_permits_earlier_year_of_validity_still_counts_after_its_endorsement(
    office: TestClient, settings: Settings, finance: Headers
) -> None:
    """Holders at the end of 2018 are counted on the year the permit held then, though an
    endorsement has since given it another."""
    permits_2019(office, settings)
    answer = report(office, finance, 2018)
    assert row(answer, ZHENJIANG)["permit_holders"] == 2  # p3's first year, and p4
    assert row(answer, WUJIANG)["permit_holders"] == 0


def test_the_report_is_csv_when_asked_by_format_or_accept(
    office: TestClient, settings: Settings, finance: Headers
) -> None:
    settle_2019(office, settings)
    permits_2019(office, settings)
    for asked in (
        office.get("/v1/reports/settlements/2019?format=csv", headers=finance),
        office.get("/v1/reports/settlements/2019", headers={**finance, "Accept": "text/csv"}),
    ):
        assert asked.status_code == 200
        assert asked.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(asked.text)))
        assert [line["region_code"] for line in lines][-1] == CITY and len(lines) == 11
        wujiang = next(line for line in lines if line["region_code"] == WUJIANG)
        assert wujiang["rural_registered_persons"] == "unknown"  # never 0
        assert (wujiang["settled_persons"], wujiang["permit_holders"]) == ("5", "1")
        assert wujiang["year"] == "2019" and wujiang["permit_holders_on"] == "2019-12-31"
    as_json = office.get("/v1/reports/settlements/2019?format=json", headers=finance)
    assert as_json.headers["content-type"].startswith("application/json")


def test_finance_land_statistics_audit_and_the_office_read_it_and_no_bureau_else(
    office: TestClient, settings: Settings
) -> None:
    for dept in ("finance", "natural_resources", "statistics", "audit", "coordination"):
        ok(office.get("/v1/reports/settlements/2019", headers=token(settings, dept)))
    for dept in ("housing", "education", "civil_affairs"):
        refused = office.get("/v1/reports/settlements/2019", headers=token(settings, dept))
        error_of(refused, 403, "forbidden")


def test_a_year_not_kept_is_a_422_naming_it(office: TestClient, finance: Headers) -> None:
    for year in (1999, clock.today().year + 1):
        details = error_of(
            office.get(f"/v1/reports/settlements/{year}", headers=finance), 422, "invalid_input"
        )["details"]
        assert [d["field"] for d in details] == ["year"]


def test_a_rebuild_reads_the_counts_and_permits_again_and_keeps_the_population_figures(
    office: TestClient, settings: Settings, finance: Headers
) -> None:
    settle_2019(office, settings)
    permits_2019(office, settings)
    statistician = token(settings, "statistics")
    put_population(office, statistician, CITY, 2019, figures(900_000, 450_000, 930_000, 288_000))
    before = (report(office, finance, 2019), rates(office, finance, 2019))
    runtime = office.app.state.runtime  # type: ignore[attr-defined]
    rebuild(runtime.db, runtime.bus, runtime.keyring, idle_polls=1)
    assert (report(office, finance, 2019), rates(office, finance, 2019)) == before
    assert region_of(before[1], CITY)["registered_rate"] == 0.3097  # statistics' own figures


def rates(client: TestClient, headers: Headers, year: int) -> dict[str, Any]:
    return ok(client.get(f"/v1/urbanisation/{year}", headers=headers))


def region_of(answer: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in answer["regions"] if r["region_code"] == code)


def test_luohu_report_settlements_prints_the_report_as_json_or_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LUOHU_KEYS_DIR", str(session_keys()))
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", "settlements", "2019"])
    assert missing.exit_code == 1 and "luohu migrate coordination" in missing.output
    platform = quick_settings(tmp_path / "var", workers=False)
    with TestClient(build(platform)) as client:
        settle_2019(client, platform)
        permits_2019(client, platform)
        served = report(client, token(platform, "finance"), 2019)
    as_json = runner.invoke(cli, ["report", "settlements", "2019"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == served
    as_csv = runner.invoke(cli, ["report", "settlements", "2019", "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    wujiang = next(
        r for r in csv.DictReader(io.StringIO(as_csv.output)) if r["region_code"] == WUJIANG
    )
    assert (wujiang["settled_persons"], wujiang["rural_registered_persons"]) == ("5", "unknown")
    refused = runner.invoke(cli, ["report", "settlements", "1999"])
    assert refused.exit_code != 0 and "1999" in refused.output
