"""Pension acts on each approved settlement once, however the log delivers it."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient

from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from tests.api.pension_support import (
    WAIT,
    PensionApiTests,
    dead_lettered,
    family,
    member_of,
    not_acted_on,
    poisoned,
    processed,
    publish_payload,
    reported,
    settlement,
)
from tests.settlements import (
    decided,
    hukou_event,
    member,
    publish_settlement,
    published_twice,
)
from tests.support import Headers, acted_on, caught_up, eventually, publish


class TestDelivery(PensionApiTests):
    def test_the_same_event_twice_makes_one_record_and_one_report(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        published_twice(settings, data)

        first = acted_on(client, officer, data.settlement_id)
        caught_up(client, settings, "pension")

        assert acted_on(client, officer, data.settlement_id) == first
        assert [r["version"] for r in processed(settings, data.settlement_id)] == [1]

    def test_a_second_event_for_the_same_settlement_changes_nothing(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        first = decided(client, settings, officer, data)
        caught_up(client, settings, "pension")

        publish_settlement(settings, data)  # a new event id: the inbox cannot catch it
        caught_up(client, settings, "pension")

        # the case is found: no second decision, no second report, the same record
        assert acted_on(client, officer, data.settlement_id) == first
        assert first["version"] == 1
        assert [r["version"] for r in processed(settings, data.settlement_id)] == [1]

    def test_an_event_of_an_unknown_type_is_skipped(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        subject = str(uuid.uuid4())
        unknown = hukou_event(
            subject,
            {"settlement_id": subject},
            type_="cn.gov.shaoguan.hukou.settlement.reconsidered",
        )
        publish(settings, unknown)

        caught_up(client, settings, "pension")

        assert not_acted_on(client, officer, subject)
        assert processed(settings, subject) == []

    def test_a_newer_minor_version_with_extra_fields_is_handled(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        payload = data.model_dump(mode="json")
        payload["pension_bureau_hint"] = "a field pension does not know yet"
        payload["members"][0]["nickname"] = "小张"
        publish_payload(settings, data, payload, dataversion="2.9")

        body = acted_on(client, officer, data.settlement_id)

        assert member_of(body, 0)["status"] == "continued"
        assert [r["outcome"] for r in reported(settings, data.settlement_id)] == ["done"]

    @pytest.mark.parametrize(
        ("where", "value"),
        [
            ("members.1.relation", "cousin"),  # no relation that settles
            # Refused by the shared event model, before pension's rules see them.
            ("social_insurance.pension_months", -1),
            ("social_insurance.pension_months", "14"),  # no coerced number
            ("social_insurance.employer_paid", "yes"),  # no coerced answer
        ],
    )
    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self,
        client: TestClient,
        settings: Settings,
        officer: Headers,
        where: str,
        value: object,
    ) -> None:
        data = settlement()
        payload = poisoned(data.model_dump(mode="json"), where, value)
        event = publish_payload(settings, data, payload)

        (report,) = reported(settings, data.settlement_id)
        dead = eventually(lambda: dead_lettered(settings, event), within=WAIT)

        assert (report["outcome"], report["status"]) == ("failed", "failed")
        assert where in report["summary"]
        assert dead.key == data.settlement_id
        assert json.loads(dead.value)["type"] == SETTLEMENT_APPROVED
        assert not_acted_on(client, officer, data.settlement_id)

    def test_a_member_born_after_the_decision_is_dead_lettered(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        members = [*family(), member(date(2020, 1, 1), "child")]
        data = settlement(members=members)
        publish_settlement(settings, data)

        (report,) = reported(settings, data.settlement_id)

        assert report["outcome"] == "failed"
        assert "precedes" in report["summary"]
        assert not_acted_on(client, officer, data.settlement_id)
