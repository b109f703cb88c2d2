"""End to end: the platform as real processes, over HTTP and the event log."""

from __future__ import annotations

import json

import httpx

from shared.events.embedded import EmbeddedBus
from shared.events.sealing import open_section
from shared.keys import keyring_for
from tests.api.conftest import application
from tests.platform_support import Platform, wait_for


def test_an_approved_settlement_reaches_the_event_log(platform: Platform) -> None:
    platform.start()
    hukou = platform.url("hukou")
    with httpx.Client(timeout=10) as http:
        for service in ("hukou",):
            assert http.get(f"{platform.url(service)}/readyz").json()["ready"] is True

        submitted = http.post(
            f"{hukou}/v1/settlement-applications", json=application(), headers=platform.headers()
        )
        assert submitted.status_code == 201, submitted.text
        settlement = submitted.json()
        assert settlement["status"] == "eligible"

        approved = http.post(
            f"{hukou}/v1/settlement-applications/{settlement['id']}/approve",
            headers=platform.headers(),
        )
        assert approved.status_code == 200, approved.text
        assert set(approved.json()["fanout"].values()) == {"pending"}

    bus = EmbeddedBus(platform.data_dir / "events.db")
    try:
        records = wait_for(lambda: bus.read("hukou.settlement.approved"))
    finally:
        bus.close()
    assert isinstance(records, list) and len(records) == 1
    event = json.loads(records[0].value)
    assert records[0].key == settlement["id"]
    assert event["type"] == "cn.gov.shaoguan.hukou.settlement.approved"
    assert event["specversion"] == "1.0"
    assert event["data"]["settlement_id"] == settlement["id"]
    # Nobody reading the log learns who settles: every person's data is sealed.
    assert "members" not in event["data"]
    people = (settlement["applicant"], *settlement["household"])
    for person in people:
        for personal in (person["id_number"], person["name"]):
            assert personal.encode() not in records[0].value
            assert json.dumps(personal).encode() not in records[0].value
    section = open_section(event["data"], keyring_for(platform.settings()), "residence_permit")
    assert [m["relation"] for m in section["members"]] == ["applicant", "spouse", "child"]

    assert platform.stop() == 0
    assert settlement["applicant"]["id_number"] not in platform.log()
