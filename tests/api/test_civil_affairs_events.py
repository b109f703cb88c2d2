"""Civil affairs acts on `hukou.settlement.approved` read from the event log, and reports on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.civil_affairs.app import build
from shared.events.consumer import ERROR_HEADER
from shared.settings import Settings
from tests.api.civil_affairs_support import (
    SERVICE,
    CivilAffairsApiTests,
    assessments_of,
    eligible_report,
    settlement,
)
from tests.settlements import approval, hukou_event, publish_settlement, published_twice
from tests.support import (
    Headers,
    acted_on,
    caught_up,
    dead_letters_for,
    error_of,
    events_on,
    eventually,
    get_settlement,
    publish,
    quick_settings,
    reports,
    settlement_record,
)

TOPIC = "civil_affairs.settlement.processed"


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return quick_settings(tmp_path_factory.mktemp("civil-affairs-live"), workers=True)


@pytest.fixture(scope="module")
def live(live_settings: Settings) -> Iterator[TestClient]:
    """The service as it runs: the consumer reads the event log, the relay publishes. One for
    the module: each test looks only at its own settlements' records and events."""
    with TestClient(build(live_settings)) as client:
        yield client


class TestSettlementApproved(CivilAffairsApiTests):
    def test_an_approval_is_decided_and_reported_on_the_services_topic(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement(1500)
        publish_settlement(live_settings, family)

        body = acted_on(live, clerk, family.settlement_id)
        eventually(lambda: len(reports(live_settings, SERVICE, family.settlement_id)) == 1)

        assert (body["status"], body["assessment"]["outcome"]) == ("done", "eligible")
        [event] = [
            e for e in events_on(live_settings, TOPIC) if e["subject"] == family.settlement_id
        ]
        assert event["type"] == "cn.gov.shaoguan.civil_affairs.settlement.processed"
        assert event["data"] == eligible_report(family.settlement_id)

    def test_the_same_event_twice_is_one_assessment_and_one_report(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement(None)
        published_twice(live_settings, family)

        caught_up(live, live_settings, SERVICE)

        assert assessments_of(live, family.settlement_id) == 1
        [report] = reports(live_settings, SERVICE, family.settlement_id)
        assert (report["status"], report["version"]) == ("action_needed", 1)
        assert [item["field"] for item in report["open_items"]] == [
            "housing.monthly_household_income"
        ]
        assert settlement_record(live, clerk, family.settlement_id)["version"] == 1

    def test_a_settlement_outside_shaoguan_is_dead_lettered_and_reported_failed(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        poisoned = settlement(1500)
        data = poisoned.model_dump(mode="json")
        data["destination_region_code"] = "110105"
        good = settlement(1500)
        publish(live_settings, hukou_event(poisoned.settlement_id, data), approval(good))

        acted_on(live, clerk, good.settlement_id)
        eventually(lambda: len(reports(live_settings, SERVICE, poisoned.settlement_id)) == 1)

        [letter] = dead_letters_for(live_settings, "civil_affairs", poisoned.settlement_id)
        assert b"not a county of Shaoguan" in letter.headers[ERROR_HEADER]
        [report] = reports(live_settings, SERVICE, poisoned.settlement_id)
        assert (report["outcome"], report["status"]) == ("failed", "failed")
        assert report["summary"].startswith("could not be processed")
        assert assessments_of(live, poisoned.settlement_id) == 0
        error_of(get_settlement(live, clerk, poisoned.settlement_id), 404, "not_found")
