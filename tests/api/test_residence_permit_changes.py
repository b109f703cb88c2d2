"""Each issue, endorsement and closure of a permit is told to the coordination office as
`residence_permit.permit.changed` (三(一): the holders per county), in the same transaction as
the change, with the permit's county and validity and nothing of its holder."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.residence_permit_support import (
    ResidencePermitApiTests,
    endorsed_today,
    issued,
    issued_on,
    settlement,
    today,
    wait_for,
    years_ago,
)
from tests.settlements import decided
from tests.support import WUJIANG, Headers, events_on

TOPIC = "residence_permit.permit.changed"


def changes_of(settings: Settings, permit_id: str, count: int) -> list[dict[str, Any]]:
    """The permit's changes on the log, once `count` of them are there."""

    def found() -> list[dict[str, Any]] | None:
        events = [e for e in events_on(settings, TOPIC) if e["subject"] == permit_id]
        return events if len(events) >= count else None

    return list(wait_for(found))


class TestPermitChanges(ResidencePermitApiTests):
    def test_issue_endorsement_and_closure_on_settlement_are_each_told_once(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))  # lapsed already
        endorsed = endorsed_today(service, officer, permit["id"])["permit"]
        approved = settlement([(permit["id_number"], "applicant", date(1990, 5, 1))])
        decided(service, settings, officer, approved)

        events = changes_of(settings, permit["id"], 3)
        assert [e["type"] for e in events] == [
            "cn.gov.shaoguan.residence_permit.permit.changed"
        ] * 3
        assert [e["data"]["change"] for e in events] == ["issued", "endorsed", "closed"]
        issue, endorsement, closure = (e["data"] for e in events)
        assert (issue["valid_from"], issue["valid_to"]) == (
            permit["valid_from"],
            permit["valid_to"],
        )
        assert endorsement["valid_from"] == endorsed["valid_from"] == today().isoformat()
        assert (closure["closed_on"], closure["closed_reason"]) == (
            today().isoformat(),
            "settled",
        )
        assert {e["data"]["region_code"] for e in events} == {WUJIANG}
        assert set(issue) == {
            "permit_id",
            "region_code",
            "change",
            "valid_from",
            "valid_to",
            "closed_on",
            "closed_reason",
        }
        # Nothing of the holder: no identity number, no name, no address.
        text = json.dumps(events, ensure_ascii=False)
        assert permit["id_number"] not in text and permit["name"] not in text
        assert permit["address"] not in text
