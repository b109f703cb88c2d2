"""The coordination office's statistics in tests: statistics' population figures as bodies, and
approvals made at a given instant, delivered through the office's own consumer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from shared import clock
from shared.settings import Settings
from tests.api.coordination_support import deliver
from tests.settlements import approval, settlement
from tests.support import WUJIANG, Headers, ok

CITY = "440200"
ZHENJIANG = "440204"  # 浈江区
OTHER_COUNTIES = ("440205", "440222", "440224", "440229", "440232", "440233", "440281", "440282")


def figures(
    resident: int, urban: int, registered: int, registered_urban: int, **overrides: Any
) -> dict[str, Any]:
    """A PUT body: year-end resident, urban resident, registered, registered urban."""
    return {
        "resident_population": resident,
        "urban_resident_population": urban,
        "registered_population": registered,
        "registered_urban_population": registered_urban,
        "source": "韶关统计年鉴, table 3-1 (test figures)",
        **overrides,
    }


def put_population(
    client: TestClient, headers: Headers, region: str, year: int, body: dict[str, Any]
) -> dict[str, Any]:
    return ok(client.put(f"/v1/population/{region}/{year}", json=body, headers=headers))


def approve(
    client: TestClient,
    settings: Settings,
    decided_at: datetime,
    household: int,
    *,
    region: str = WUJIANG,
    rural: int | None = None,
) -> str:
    """Deliver an approval of `household` people to `region` decided at `decided_at` (its
    `decision_date` the day in Shaoguan, as hukou writes it); `rural`: its count of the
    rural-registered, None for an approval from before it was carried. The settlement id."""
    family = settlement(
        decided_at=decided_at,
        decision_date=clock.local_date(decided_at),
        destination_region_code=region,
        members=[],  # the office reads only the clear fields
        household_size=household,
        rural_registered_count=rural,
    )
    deliver(client, settings, approval(family))
    return family.settlement_id
