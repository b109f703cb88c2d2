"""Housing acts on `hukou.settlement.approved` read from the event log, and reports on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.housing.app import build
from shared.events.consumer import ERROR_HEADER
from shared.events.envelope import event_type
from shared.settings import Settings
from shared.settlement import HousingFacts
from tests.api.housing_support import (
    HousingApiTests,
    assessment_of,
    assessments_of,
    reasons,
    settlement,
)
from tests.settlements import (
    amendment,
    approval,
    decided,
    hukou_event,
    publish_settlement,
    published_twice,
)
from tests.support import (
    WUJIANG,
    Headers,
    acted_on,
    caught_up,
    consumed,
    dead_letters_for,
    error_of,
    events_on,
    eventually,
    get_settlement,
    publish,
    quick_settings,
    reports,
    unsent,
)


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return quick_settings(tmp_path_factory.mktemp("housing-live"), workers=True)


@pytest.fixture(scope="module")
def live(live_settings: Settings) -> Iterator[TestClient]:
    """The service as it runs: the consumer reads the event log, the relay publishes.

    One for the module (stopping the workers costs half a second): each test looks only at
    its own settlements' records and events.
    """
    with TestClient(build(live_settings)) as client:
        yield client


_INCOME = ("housing", "monthly_household_income")


class TestSettlementApproved(HousingApiTests):
    def test_a_renting_family_is_assessed_for_the_rental_subsidy_with_its_reasons(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()

        body = decided(live, live_settings, clerk, family)

        assert body["settlement_id"] == family.settlement_id
        assert (body["region_code"], body["region_name"], body["household_size"]) == (
            WUJIANG,
            "武江区",
            3,
        )
        assessment = body["assessment"]
        assert assessment["outcome"] == "rental_subsidy"
        assert assessment["clause"] == "三(五)"
        assert assessment["eligible"] is True
        assert assessment["forms"] == ["rental_subsidy", "public_rental_housing"]
        assert assessment["monthly_rental_subsidy"] == 2100.0
        assert assessment["information_needed"] == []
        assert reasons(assessment)["income_within_limit"] == (
            "1400.00 yuan per person per month (4200.00 yuan for 3 persons) is at or below the "
            "limit of 1500 (local parameter income_limit_per_capita citywide, set by housing, "
            "from 2018-01-01; source: test fixture)"
        )
        assert "0.00 m2 per person" in reasons(assessment)["area_below_limit"]
        assert "rents on the market" in reasons(assessment)["form_by_tenure"]
        assert "2100.00 yuan per month" in reasons(assessment)["rental_subsidy_amount"]
        assert {c["clause"] for c in assessment["checks"]} == {"三(五)"}
        assert [p["name"] for p in assessment["parameters_used"]] == [
            "income_limit_per_capita",
            "area_limit_per_capita",
            "rental_subsidy_amount_per_capita",
        ]
        assert assessment["parameters_used"][0] == {
            "name": "income_limit_per_capita",
            "value": 1500,
            "unit": "yuan/person/month",
            "region_code": None,
            "valid_from": "2018-01-01",
            "valid_to": None,
            "source": "test fixture",
            "department": "housing",
        }
        assert assessment["facts"] == {
            "monthly_household_income": 4200,
            "current_area_m2": 0,
            "household_size": 3,
            "destination_region_code": WUJIANG,
            "tenure": "rented",
            "decision_date": "2019-06-01",
        }
        assert assessment["rules_version"] == "shaoguan-2017-trial"
        assert body["applications"] == []

    def test_no_name_or_identity_number_is_kept_or_shown(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()

        shown = json.dumps(decided(live, live_settings, clerk, family), ensure_ascii=False)
        eventually(lambda: len(reports(live_settings, "housing", family.settlement_id)) == 1)

        summary = reports(live_settings, "housing", family.settlement_id)[0]["summary"]
        for person in family.members:
            assert person.id_number not in shown and person.id_number not in summary
            assert person.name not in shown and person.name not in summary

    def test_before_housing_has_acted_the_settlement_is_404(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        error = error_of(get_settlement(housing, clerk, "not-yet-settled"), 404, "not_found")

        assert "not-yet-settled" in error["message"]

    def test_the_same_event_twice_is_one_assessment_and_one_processed_done(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        published_twice(live_settings, family)

        caught_up(live, live_settings, "housing")

        assert assessments_of(live, family.settlement_id) == 1
        processed = [
            e
            for e in events_on(live_settings, "housing.settlement.processed")
            if e["data"]["settlement_id"] == family.settlement_id
        ]
        assert len(processed) == 1
        assert processed[0]["type"] == "cn.gov.shaoguan.housing.settlement.processed"
        assert processed[0]["subject"] == family.settlement_id
        assert processed[0]["data"] == {
            "settlement_id": family.settlement_id,
            "service": "housing",
            "outcome": "done",
            "status": "done",
            "open_items": [],
            "version": 1,
            "summary": "housing security rental_subsidy (三(五)) for a household of 3 in 440203",
        }

    def test_the_same_settlement_under_another_event_id_keeps_the_first_assessment(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        richer = family.model_copy(
            update={"housing": HousingFacts(monthly_household_income=9000, current_area_m2=0)}
        )
        publish(live_settings, approval(family), approval(richer))

        eventually(lambda: consumed(live_settings, "housing"), what="both events handled")

        assert assessments_of(live, family.settlement_id) == 1
        assert assessment_of(live, clerk, family.settlement_id)["outcome"] == "rental_subsidy"

    def test_an_event_of_an_unknown_type_is_skipped(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        unknown = amendment(family.settlement_id)
        unknown_on_our_topic = hukou_event(
            family.settlement_id,
            {"anything": True},
            type_=event_type("hukou", "settlement.approved.v2"),
        )
        publish(live_settings, unknown, unknown_on_our_topic, approval(family))

        acted_on(live, clerk, family.settlement_id)
        eventually(lambda: unsent(live) == 0, what="the relay")

        assert dead_letters_for(live_settings, "housing", family.settlement_id) == []
        assert [r["outcome"] for r in reports(live_settings, "housing", family.settlement_id)] == [
            "done"
        ]

    def test_a_newer_minor_data_version_with_unknown_fields_is_read(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        data = family.model_dump(mode="json")
        data["housing"]["verified_by"] = "civil_affairs"
        data["members"][0]["ethnicity"] = "汉"
        data["household_register_number"] = "000123"
        publish(live_settings, hukou_event(family.settlement_id, data, dataversion="2.9"))

        assert acted_on(live, clerk, family.settlement_id)["assessment"]["outcome"] == (
            "rental_subsidy"
        )
        assert dead_letters_for(live_settings, "housing", family.settlement_id) == []

    @pytest.mark.parametrize(
        ("path", "value", "words"),
        [
            # Housing receives no member (docs/personal-data.md): a section of its own is poisoned.
            (("residence", "tenure"), "castle", b"residence.tenure"),
            (("destination_region_code",), "110105", b"not a county of Shaoguan"),
            # The event refuses an amount that is not a finite non-negative number, so none
            # reaches housing's rules: the settlement is dead-lettered, never assessed.
            (_INCOME, -1, b"greater than or equal to 0"),
            (_INCOME, float("inf"), b"finite number"),
            (_INCOME, float("nan"), b"finite number"),
        ],
        ids=["tenure", "county", "negative-income", "infinite-income", "nan-income"],
    )
    def test_a_poisoned_event_is_dead_lettered_reported_failed_and_the_next_is_handled(
        self,
        live: TestClient,
        live_settings: Settings,
        clerk: Headers,
        path: tuple[str | int, ...],
        value: object,
        words: bytes,
    ) -> None:
        poisoned = settlement()
        data = poisoned.model_dump(mode="json")
        *parents, leaf = path
        target: Any = data
        for step in parents:
            target = target[step]
        target[leaf] = value
        good = settlement()
        publish(live_settings, hukou_event(poisoned.settlement_id, data), approval(good))

        acted_on(live, clerk, good.settlement_id)
        eventually(lambda: len(reports(live_settings, "housing", poisoned.settlement_id)) == 1)

        letters = dead_letters_for(live_settings, "housing", poisoned.settlement_id)
        assert len(letters) == 1
        assert words in letters[0].headers[ERROR_HEADER]
        report = reports(live_settings, "housing", poisoned.settlement_id)[0]
        assert report["outcome"] == "failed"
        assert report["summary"].startswith("could not be processed")
        error_of(get_settlement(live, clerk, poisoned.settlement_id), 404, "not_found")

    def test_an_assessment_that_fails_is_dead_lettered_and_nothing_is_half_written(
        self,
        live: TestClient,
        live_settings: Settings,
        clerk: Headers,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def broken(*args: Any, **kwargs: Any) -> str:
            raise RuntimeError("the assessment broke")

        monkeypatch.setattr("services.housing.operations.assess_housing", broken)
        family = settlement()
        publish_settlement(live_settings, family)

        eventually(lambda: len(reports(live_settings, "housing", family.settlement_id)) == 1)

        assert len(dead_letters_for(live_settings, "housing", family.settlement_id)) == 1
        report = reports(live_settings, "housing", family.settlement_id)[0]
        assert report["outcome"] == "failed"
        assert "the assessment broke" in report["summary"]
        assert report["status"] == "failed"
        assert assessments_of(live, family.settlement_id) == 0
        error_of(get_settlement(live, clerk, family.settlement_id), 404, "not_found")
