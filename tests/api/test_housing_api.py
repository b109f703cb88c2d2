"""The housing service's HTTP API and event handling, in process: one class per use case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from services.housing.app import build
from services.housing.models import Base
from shared.events.bus import Record
from shared.events.consumer import ERROR_HEADER
from shared.events.envelope import event_type, new_event
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, approved_event
from tests.api.housing_support import (
    APPROVED_TOPIC,
    AREA_LIMIT,
    DEAD_LETTER_TOPIC,
    INCOME_LIMIT,
    PARAMETERS,
    PROCESSED_TOPIC,
    QUJIANG,
    WUJIANG,
    ZHENJIANG,
    Headers,
    assess_directly,
    assessments_of,
    committed,
    error_of,
    events_on,
    invalid,
    ok,
    outbox_drained,
    parameter,
    publish,
    read_topic,
    reason_for,
    settlement,
    wait_for,
)
from tests.conftest import TokenFactory

# --- fixtures and helpers -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    """The housing department's limits for these tests, citywide from 2018 (source: fixture)."""
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", json.dumps(PARAMETERS))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No consumer or relay threads by default: the API tests assess through the handler."""
    return settings.model_copy(update={"start_workers": False})


@pytest.fixture
def fresh(settings: Settings) -> Iterator[TestClient]:
    """A service of its own, for tests that count a whole waiting list."""
    with TestClient(build(settings)) as client:
        yield client


def quick_settings(folder: Path, *, workers: bool) -> Settings:
    return Settings(
        environment="test",
        data_dir=folder / "var",
        start_workers=workers,
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
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


@pytest.fixture(scope="module")
def housing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One service for the tests that look only at their own settlements and answers."""
    with TestClient(build(quick_settings(tmp_path_factory.mktemp("shared"), workers=False))) as c:
        yield c


@pytest.fixture
def clerk(auth: TokenFactory) -> Headers:
    """A housing department token (housing:read and housing:write)."""
    return auth("housing")


def get_settlement(client: TestClient, headers: Headers, settlement_id: str) -> httpx.Response:
    response: httpx.Response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    return response


def assessment_of(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    assessment: dict[str, Any] = ok(get_settlement(client, headers, settlement_id))["assessment"]
    return assessment


def apply(
    client: TestClient, headers: Headers, settlement_id: str, body: Any = None, **kw: Any
) -> httpx.Response:
    body = {"form": "rental_subsidy"} if body is None else body
    response: httpx.Response = client.post(
        f"/v1/settlements/{settlement_id}/housing-applications", headers=headers, json=body, **kw
    )
    return response


def applied(client: TestClient, headers: Headers, settlement_id: str, form: str) -> dict[str, Any]:
    return ok(apply(client, headers, settlement_id, {"form": form}), 201)


def decide(
    client: TestClient, headers: Headers, application_id: str, body: Any, **kw: Any
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/v1/housing-applications/{application_id}/outcome", headers=headers, json=body, **kw
    )
    return response


def waiting(client: TestClient, headers: Headers, county: str = WUJIANG, **params: Any) -> Any:
    return ok(client.get(f"/v1/waiting-lists/{county}", headers=headers, params=params))


def reasons(assessment: dict[str, Any]) -> dict[str, str]:
    return {check["rule"]: check["reason"] for check in assessment["checks"]}


# --- the settlement.approved event, through the bus -----------------------------------------


def appear(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    """Wait until housing has acted on the settlement; its body."""
    wait_for(
        lambda: get_settlement(client, headers, settlement_id).status_code == 200,
        what=f"housing to act on {settlement_id}",
    )
    return ok(get_settlement(client, headers, settlement_id))


def reports_for(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    """The `housing.settlement.processed` events about one settlement, in order."""
    events = events_on(settings, PROCESSED_TOPIC)
    return [e for e in events if e["data"]["settlement_id"] == settlement_id]


def dead_letters_for(settings: Settings, settlement_id: str) -> list[Record]:
    return [r for r in read_topic(settings, DEAD_LETTER_TOPIC) if r.key == settlement_id]


def all_handled(settings: Settings) -> bool:
    """The consumer has committed everything on the approval topic."""
    return committed(settings) == len(read_topic(settings, APPROVED_TOPIC))


class TestSettlementApproved:
    def test_a_renting_family_is_assessed_for_the_rental_subsidy_with_its_reasons(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        publish(live_settings, (approved_event(family), family.settlement_id))

        body = appear(live, clerk, family.settlement_id)

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
        publish(live_settings, (approved_event(family), family.settlement_id))

        shown = json.dumps(appear(live, clerk, family.settlement_id), ensure_ascii=False)
        wait_for(lambda: len(reports_for(live_settings, family.settlement_id)) == 1)

        summary = reports_for(live_settings, family.settlement_id)[0]["data"]["summary"]
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
        event = approved_event(family)
        publish(live_settings, (event, family.settlement_id), (event, family.settlement_id))

        wait_for(lambda: all_handled(live_settings), what="both deliveries handled")
        wait_for(lambda: outbox_drained(live), what="the relay")

        assert assessments_of(live, family.settlement_id) == 1
        reports = reports_for(live_settings, family.settlement_id)
        assert len(reports) == 1
        assert reports[0]["type"] == "cn.gov.shaoguan.housing.settlement.processed"
        assert reports[0]["subject"] == family.settlement_id
        assert reports[0]["data"] == {
            "settlement_id": family.settlement_id,
            "service": "housing",
            "outcome": "done",
            "summary": "housing security rental_subsidy (三(五)) for a household of 3 in 440203",
        }

    def test_the_same_settlement_under_another_event_id_keeps_the_first_assessment(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        richer = family.model_copy(
            update={"housing": {"monthly_household_income": 9000, "current_area_m2": 0}}
        )
        publish(
            live_settings,
            (approved_event(family), family.settlement_id),
            (approved_event(richer), family.settlement_id),
        )

        wait_for(lambda: all_handled(live_settings), what="both events handled")

        assert assessments_of(live, family.settlement_id) == 1
        assert assessment_of(live, clerk, family.settlement_id)["outcome"] == "rental_subsidy"

    def test_an_event_of_an_unknown_type_is_skipped(
        self, live: TestClient, live_settings: Settings, clerk: Headers
    ) -> None:
        family = settlement()
        unknown = new_event(
            type_=event_type("hukou", "settlement.amended"),
            source="/luohu/hukou",
            subject=family.settlement_id,
            data={"settlement_id": family.settlement_id},
        )
        unknown_on_our_topic = new_event(
            type_=event_type("hukou", "settlement.approved.v2"),
            source="/luohu/hukou",
            subject=family.settlement_id,
            data={"anything": True},
        )
        publish(
            live_settings,
            (unknown, family.settlement_id),
            (unknown_on_our_topic, family.settlement_id),
            (approved_event(family), family.settlement_id),
        )

        appear(live, clerk, family.settlement_id)
        wait_for(lambda: outbox_drained(live), what="the relay")

        assert dead_letters_for(live_settings, family.settlement_id) == []
        assert [e["data"]["outcome"] for e in reports_for(live_settings, family.settlement_id)] == [
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
        event = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=family.settlement_id,
            data=data,
            extensions={"dataversion": "1.9"},
        )
        publish(live_settings, (event, family.settlement_id))

        assert appear(live, clerk, family.settlement_id)["assessment"]["outcome"] == (
            "rental_subsidy"
        )
        assert dead_letters_for(live_settings, family.settlement_id) == []

    @pytest.mark.parametrize(
        ("poison", "words"),
        [
            ({"members": 1, "relation": "cousin"}, b"relation"),
            ({"destination_region_code": "110105"}, b"not a county of Shaoguan"),
        ],
    )
    def test_a_poisoned_event_is_dead_lettered_reported_failed_and_the_next_is_handled(
        self,
        live: TestClient,
        live_settings: Settings,
        clerk: Headers,
        poison: dict[str, Any],
        words: bytes,
    ) -> None:
        poisoned = settlement()
        data = poisoned.model_dump(mode="json")
        if "relation" in poison:
            data["members"][poison["members"]]["relation"] = poison["relation"]
        else:
            data.update(poison)
        bad = new_event(
            type_=SETTLEMENT_APPROVED,
            source="/luohu/hukou",
            subject=poisoned.settlement_id,
            data=data,
        )
        good = settlement()
        publish(
            live_settings,
            (bad, poisoned.settlement_id),
            (approved_event(good), good.settlement_id),
        )

        appear(live, clerk, good.settlement_id)
        wait_for(lambda: len(reports_for(live_settings, poisoned.settlement_id)) == 1)

        letters = dead_letters_for(live_settings, poisoned.settlement_id)
        assert len(letters) == 1
        assert words in letters[0].headers[ERROR_HEADER]
        report = reports_for(live_settings, poisoned.settlement_id)[0]["data"]
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

        monkeypatch.setattr("services.housing.operations.assess_household", broken)
        family = settlement()
        publish(live_settings, (approved_event(family), family.settlement_id))

        wait_for(lambda: len(reports_for(live_settings, family.settlement_id)) == 1)

        assert len(dead_letters_for(live_settings, family.settlement_id)) == 1
        report = reports_for(live_settings, family.settlement_id)[0]["data"]
        assert report["outcome"] == "failed"
        assert "the assessment broke" in report["summary"]
        assert assessments_of(live, family.settlement_id) == 0


# --- the assessment's decisions ----------------------------------------------------------------


class TestAssessment:
    def test_income_just_above_the_limit_is_not_eligible_stating_the_numbers(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        above = settlement(housing={"monthly_household_income": 4500.03, "current_area_m2": 0})

        assessment = assessment_of(housing, clerk, assess_directly(housing, above))

        assert assessment["outcome"] == "not_eligible"
        assert assessment["eligible"] is False
        assert assessment["forms"] == []
        assert "1500.01 yuan per person per month" in reasons(assessment)["income_within_limit"]
        assert "is above the limit of 1500" in reasons(assessment)["income_within_limit"]

    def test_income_just_below_the_limit_is_eligible(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        below = settlement(housing={"monthly_household_income": 4499.97, "current_area_m2": 0})

        assessment = assessment_of(housing, clerk, assess_directly(housing, below))

        assert assessment["outcome"] == "rental_subsidy"
        assert "1499.99 yuan per person per month" in reasons(assessment)["income_within_limit"]

    def test_area_at_the_limit_is_not_eligible(self, housing: TestClient, clerk: Headers) -> None:
        at_limit = settlement(housing={"monthly_household_income": 3000, "current_area_m2": 45})

        assessment = assessment_of(housing, clerk, assess_directly(housing, at_limit))

        assert assessment["outcome"] == "not_eligible"
        assert (
            "15.00 m2 per person (45.00 m2 for 3 persons) is at or above the limit of 15"
            in (reasons(assessment)["area_below_limit"])
        )

    def test_a_household_with_a_small_dwelling_of_its_own_goes_on_the_waiting_list(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        owner = settlement(
            residence={"address": "武江区新华路 2 号", "tenure": "owned", "since": "2015-01-01"},
            housing={"monthly_household_income": 3000, "current_area_m2": 30},
        )

        assessment = assessment_of(housing, clerk, assess_directly(housing, owner))

        assert assessment["outcome"] == "public_rental_housing"
        assert assessment["forms"] == ["public_rental_housing"]
        assert assessment["monthly_rental_subsidy"] is None

    def test_missing_housing_facts_are_information_needed_naming_them(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        unknown = settlement(housing=None)

        assessment = assessment_of(housing, clerk, assess_directly(housing, unknown))

        assert assessment["outcome"] == "information_needed"
        assert assessment["eligible"] is None
        assert assessment["information_needed"] == [
            "housing.monthly_household_income",
            "housing.current_area_m2",
        ]
        assert assessment["facts"]["monthly_household_income"] is None

    def test_a_parameter_not_in_force_for_the_county_on_the_date_is_named(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "LUOHU_HOUSING_PARAMETERS",
            json.dumps(
                [
                    {**INCOME_LIMIT, "region_code": ZHENJIANG},
                    {**AREA_LIMIT, "valid_from": "2019-06-02"},
                ]
            ),
        )

        assessment = assessment_of(housing, clerk, assess_directly(housing, settlement()))

        assert assessment["outcome"] == "information_needed"
        assert assessment["information_needed"] == [
            "parameters.income_limit_per_capita",
            "parameters.area_limit_per_capita",
        ]
        assert "440203 or citywide on 2019-06-01" in reasons(assessment)["area_below_limit"]
        assert assessment["parameters_used"] == []

    def test_the_parameters_of_the_decision_date_decide_not_todays(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "LUOHU_HOUSING_PARAMETERS",
            json.dumps(
                [
                    {**INCOME_LIMIT, "value": 1300, "valid_to": "2019-12-31"},
                    {**INCOME_LIMIT, "value": 2000, "valid_from": "2020-01-01"},
                    AREA_LIMIT,
                ]
            ),
        )

        assessment = assessment_of(housing, clerk, assess_directly(housing, settlement()))

        assert assessment["outcome"] == "not_eligible"
        assert assessment["parameters_used"][0]["value"] == 1300
        assert assessment["parameters_used"][0]["valid_to"] == "2019-12-31"

    def test_an_eligible_renter_without_a_subsidy_amount_in_force_has_the_amount_named(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", json.dumps([INCOME_LIMIT, AREA_LIMIT]))

        assessment = assessment_of(housing, clerk, assess_directly(housing, settlement()))

        assert assessment["outcome"] == "rental_subsidy"
        assert assessment["monthly_rental_subsidy"] is None
        assert assessment["information_needed"] == ["parameters.rental_subsidy_amount_per_capita"]

    def test_invalid_parameters_stop_the_service_at_start(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "LUOHU_HOUSING_PARAMETERS", json.dumps([parameter("income_limit", 1500, "yuan")])
        )

        with pytest.raises(ValueError, match="not a housing parameter"):
            build(settings)


# --- applying -----------------------------------------------------------------------------------


def renter(client: TestClient, **overrides: Any) -> str:
    """An eligible family renting on the market: rental subsidy, or housing in kind on request."""
    return assess_directly(client, settlement(**overrides))


def owner(client: TestClient, county: str = WUJIANG, **overrides: Any) -> str:
    """An eligible family with a small dwelling of its own: public rental housing only."""
    return assess_directly(
        client,
        settlement(
            destination_region_code=county,
            residence={"address": "新华路 2 号", "tenure": "owned", "since": "2015-01-01"},
            housing={"monthly_household_income": 3000, "current_area_m2": 30},
            **overrides,
        ),
    )


class TestApply:
    def test_a_renter_applies_for_the_rental_subsidy(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)

        created = applied(housing, clerk, settlement_id, "rental_subsidy")

        assert created["settlement_id"] == settlement_id
        assert (created["form"], created["status"], created["clause"]) == (
            "rental_subsidy",
            "pending",
            "三(五)",
        )
        assert (created["region_code"], created["household_size"]) == (WUJIANG, 3)
        assert created["waiting_list"] is None
        assert created["outcome"] is None
        shown = ok(get_settlement(housing, clerk, settlement_id))["applications"]
        assert shown == [created]
        read = ok(housing.get(f"/v1/housing-applications/{created['id']}", headers=clerk))
        assert read == created

    def test_a_renter_may_ask_for_housing_in_kind_and_joins_the_waiting_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        created = applied(fresh, clerk, renter(fresh), "public_rental_housing")

        assert created["waiting_list"] == {"queue_number": 1, "position": 1}

    def test_a_household_not_renting_on_the_market_may_not_have_the_rental_subsidy(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = owner(housing)

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "may apply for public_rental_housing" in error["message"]
        assert "residence.tenure owned" in reason_for(error["details"], "form")
        assert ok(get_settlement(housing, clerk, settlement_id))["applications"] == []

    def test_a_household_not_eligible_may_not_apply_and_is_told_why(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(
            housing, housing={"monthly_household_income": 9000, "current_area_m2": 0}
        )

        error = error_of(
            apply(housing, clerk, settlement_id, {"form": "public_rental_housing"}),
            409,
            "conflict",
        )

        assert "not eligible for housing security (三(五))" in error["message"]
        assert "3000.00 yuan per person per month" in error["message"]
        assert error["details"][0]["clause"] == "三(五)"

    def test_a_household_whose_eligibility_needs_information_may_not_apply_yet(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing, housing={"current_area_m2": 0})

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "housing.monthly_household_income" in error["message"]

    def test_a_second_application_while_one_is_pending_is_409_naming_it(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        first = applied(fresh, clerk, settlement_id, "rental_subsidy")

        error = error_of(
            apply(fresh, clerk, settlement_id, {"form": "public_rental_housing"}),
            409,
            "conflict",
        )

        assert first["id"] in error["message"]
        assert error["details"][0]["application_id"] == first["id"]
        assert waiting(fresh, clerk)["total"] == 0

    def test_after_a_refusal_the_household_may_apply_again(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        first = applied(fresh, clerk, settlement_id, "rental_subsidy")
        ok(decide(fresh, clerk, first["id"], {"outcome": "refused", "reason": "lease not shown"}))

        second = applied(fresh, clerk, settlement_id, "public_rental_housing")

        forms = [a["form"] for a in ok(get_settlement(fresh, clerk, settlement_id))["applications"]]
        assert forms == ["rental_subsidy", "public_rental_housing"]
        assert second["waiting_list"]["position"] == 1

    def test_a_granted_household_may_not_apply_again(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)
        first = applied(housing, clerk, settlement_id, "rental_subsidy")
        ok(decide(housing, clerk, first["id"], {"outcome": "granted"}))

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "granted" in error["message"]

    def test_an_unknown_settlement_is_404(self, housing: TestClient, clerk: Headers) -> None:
        error_of(apply(housing, clerk, "no-such-settlement"), 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({}, "form", "Field required"),
            ({"form": "cash"}, "form", "'rental_subsidy' or 'public_rental_housing'"),
            ({"form": "rental_subsidy", "urgent": True}, "urgent", "Extra inputs"),
            ([], "body", "valid dictionary"),
        ],
    )
    def test_an_invalid_body_is_422_naming_the_field(
        self, housing: TestClient, clerk: Headers, body: Any, field: str, words: str
    ) -> None:
        settlement_id = renter(housing)

        details = invalid(apply(housing, clerk, settlement_id, body))

        assert words in reason_for(details, field)
        assert ok(get_settlement(housing, clerk, settlement_id))["applications"] == []

    def test_a_body_that_is_not_json_is_422(self, housing: TestClient, clerk: Headers) -> None:
        response = housing.post(
            f"/v1/settlements/{renter(housing)}/housing-applications",
            headers={**clerk, "Content-Type": "application/json"},
            content=b"{form:",
        )

        invalid(response)

    def test_an_overlong_settlement_id_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(apply(housing, clerk, "x" * 65))

        assert "at most 64" in reason_for(details, "settlement_id")


class TestIdempotency:
    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing_new(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        key = {"Idempotency-Key": "apply-1"}

        first = apply(fresh, {**clerk, **key}, settlement_id, {"form": "public_rental_housing"})
        again = apply(fresh, {**clerk, **key}, settlement_id, {"form": "public_rental_housing"})

        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert len(ok(get_settlement(fresh, clerk, settlement_id))["applications"]) == 1
        assert waiting(fresh, clerk)["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)
        key = {**clerk, "Idempotency-Key": "apply-2"}
        ok(apply(housing, key, settlement_id, {"form": "rental_subsidy"}), 201)

        error = error_of(
            apply(housing, key, settlement_id, {"form": "public_rental_housing"}), 409, "conflict"
        )

        assert reason_for(error["details"], "Idempotency-Key") == "already used for another request"

    def test_a_refused_request_does_not_use_up_its_key(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        key = {**clerk, "Idempotency-Key": "apply-3"}
        error_of(apply(housing, key, "unknown-settlement"), 404, "not_found")

        ok(apply(housing, key, renter(housing)), 201)

    def test_an_overlong_key_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(apply(housing, {**clerk, "Idempotency-Key": "k" * 201}, renter(housing)))

        assert reason_for(details, "Idempotency-Key") == "must be 1 to 200 characters"

    def test_an_outcome_sent_again_with_its_key_answers_the_first_answer(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")
        key = {**clerk, "Idempotency-Key": "grant-1"}

        first = decide(housing, key, created["id"], {"outcome": "granted"})
        again = decide(housing, key, created["id"], {"outcome": "granted"})

        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()


# --- outcomes -----------------------------------------------------------------------------------


class TestOutcome:
    def test_a_granted_rental_subsidy_defaults_to_the_assessed_amount(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")

        granted = ok(decide(housing, clerk, created["id"], {"outcome": "granted"}))

        assert granted["status"] == "granted"
        assert granted["outcome"]["outcome"] == "granted"
        assert granted["outcome"]["monthly_subsidy"] == 2100.0
        assert granted["outcome"]["decided_at"]

    def test_a_granted_rental_subsidy_records_the_amount_the_department_gives(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")

        granted = ok(
            decide(housing, clerk, created["id"], {"outcome": "granted", "monthly_subsidy": 1850.5})
        )

        assert granted["outcome"]["monthly_subsidy"] == 1850.5

    def test_without_an_assessed_amount_a_grant_must_state_it(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", json.dumps([INCOME_LIMIT, AREA_LIMIT]))
        created = applied(housing, clerk, renter(housing), "rental_subsidy")

        details = invalid(decide(housing, clerk, created["id"], {"outcome": "granted"}))

        assert "rental_subsidy_amount_per_capita" in reason_for(details, "monthly_subsidy")
        read = ok(housing.get(f"/v1/housing-applications/{created['id']}", headers=clerk))
        assert read["status"] == "pending"

    def test_granted_public_rental_housing_names_the_unit_and_leaves_the_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        created = applied(fresh, clerk, owner(fresh), "public_rental_housing")

        granted = ok(
            decide(fresh, clerk, created["id"], {"outcome": "granted", "unit_reference": "WJ-7"})
        )

        assert granted["outcome"]["unit_reference"] == "WJ-7"
        assert granted["outcome"]["monthly_subsidy"] is None
        assert granted["waiting_list"] == {"queue_number": 1, "position": None}
        assert waiting(fresh, clerk)["entries"] == []

    def test_a_refusal_records_its_reason(self, fresh: TestClient, clerk: Headers) -> None:
        created = applied(fresh, clerk, owner(fresh), "public_rental_housing")

        refused = ok(
            decide(fresh, clerk, created["id"], {"outcome": "refused", "reason": "moved away"})
        )

        assert refused["status"] == "refused"
        assert refused["outcome"]["reason"] == "moved away"
        assert waiting(fresh, clerk)["total"] == 0

    def test_a_second_outcome_is_409(self, housing: TestClient, clerk: Headers) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")
        ok(decide(housing, clerk, created["id"], {"outcome": "granted"}))

        error = error_of(
            decide(housing, clerk, created["id"], {"outcome": "refused", "reason": "x"}),
            409,
            "conflict",
        )

        assert "already granted" in error["message"]

    def test_an_unknown_application_is_404(self, housing: TestClient, clerk: Headers) -> None:
        error_of(decide(housing, clerk, "no-such-id", {"outcome": "granted"}), 404, "not_found")
        error_of(
            housing.get("/v1/housing-applications/no-such-id", headers=clerk), 404, "not_found"
        )

    @pytest.mark.parametrize(
        ("form", "body", "field", "words"),
        [
            ("rental_subsidy", {}, "outcome", "Field required"),
            ("rental_subsidy", {"outcome": "approved"}, "outcome", "'granted' or 'refused'"),
            ("rental_subsidy", {"outcome": "refused"}, "reason", "must give its reason"),
            ("rental_subsidy", {"outcome": "refused", "reason": " "}, "reason", "at least 1"),
            (
                "rental_subsidy",
                {"outcome": "refused", "reason": "x", "monthly_subsidy": 10},
                "monthly_subsidy",
                "only a granted rental subsidy",
            ),
            ("rental_subsidy", {"outcome": "granted", "reason": "x"}, "reason", "only a refusal"),
            (
                "rental_subsidy",
                {"outcome": "granted", "unit_reference": "WJ-1"},
                "unit_reference",
                "allocates no unit",
            ),
            (
                "rental_subsidy",
                {"outcome": "granted", "monthly_subsidy": -1},
                "monthly_subsidy",
                "greater than 0",
            ),
            (
                "rental_subsidy",
                {"outcome": "granted", "monthly_subsidy": 10.005},
                "monthly_subsidy",
                "2 decimal places",
            ),
            (
                "public_rental_housing",
                {"outcome": "granted"},
                "unit_reference",
                "names the unit allocated",
            ),
            (
                "public_rental_housing",
                {"outcome": "granted", "unit_reference": "WJ-1", "monthly_subsidy": 5},
                "monthly_subsidy",
                "granted as a unit, not money",
            ),
        ],
    )
    def test_an_invalid_outcome_is_422_naming_the_field_and_changes_nothing(
        self,
        housing: TestClient,
        clerk: Headers,
        form: str,
        body: dict[str, Any],
        field: str,
        words: str,
    ) -> None:
        created = applied(housing, clerk, renter(housing), form)

        details = invalid(decide(housing, clerk, created["id"], body))

        assert words in reason_for(details, field)
        read = ok(housing.get(f"/v1/housing-applications/{created['id']}", headers=clerk))
        assert read == created

    def test_an_overlong_application_id_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(housing.get(f"/v1/housing-applications/{'x' * 65}", headers=clerk))

        assert "at most 64" in reason_for(details, "application_id")


# --- waiting lists ------------------------------------------------------------------------------


class TestWaitingList:
    def test_the_list_is_in_order_of_application_with_no_personal_data(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        first, second, third = owner(fresh), owner(fresh), renter(fresh)
        for settlement_id in (first, second, third):
            applied(fresh, clerk, settlement_id, "public_rental_housing")

        listed = waiting(fresh, clerk)

        assert (listed["region_code"], listed["region_name"], listed["total"]) == (
            WUJIANG,
            "武江区",
            3,
        )
        assert [
            (e["position"], e["queue_number"], e["settlement_id"]) for e in listed["entries"]
        ] == [
            (1, 1, first),
            (2, 2, second),
            (3, 3, third),
        ]
        entry = listed["entries"][0]
        assert set(entry) == {
            "position",
            "queue_number",
            "application_id",
            "settlement_id",
            "household_size",
            "since",
        }
        assert entry["household_size"] == 3
        assert entry["since"] == date.today().isoformat()

    def test_each_county_has_its_own_list_and_numbers(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        applied(fresh, clerk, owner(fresh, WUJIANG), "public_rental_housing")
        elsewhere = applied(fresh, clerk, owner(fresh, QUJIANG), "public_rental_housing")

        assert elsewhere["waiting_list"] == {"queue_number": 1, "position": 1}
        assert waiting(fresh, clerk, QUJIANG)["total"] == 1
        assert waiting(fresh, clerk, ZHENJIANG) == {
            "region_code": ZHENJIANG,
            "region_name": "浈江区",
            "total": 0,
            "page": 1,
            "page_size": 100,
            "entries": [],
        }

    def test_a_household_granted_a_unit_leaves_and_those_behind_move_up(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        ids = [applied(fresh, clerk, owner(fresh), "public_rental_housing")["id"] for _ in "abc"]

        ok(decide(fresh, clerk, ids[0], {"outcome": "granted", "unit_reference": "WJ-1"}))

        entries = waiting(fresh, clerk)["entries"]
        assert [(e["application_id"], e["position"], e["queue_number"]) for e in entries] == [
            (ids[1], 1, 2),
            (ids[2], 2, 3),
        ]
        last = ok(fresh.get(f"/v1/housing-applications/{ids[2]}", headers=clerk))
        assert last["waiting_list"] == {"queue_number": 3, "position": 2}

    def test_a_rental_subsidy_application_is_not_on_the_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        applied(fresh, clerk, renter(fresh), "rental_subsidy")

        assert waiting(fresh, clerk)["total"] == 0

    def test_pages_keep_the_positions(self, fresh: TestClient, clerk: Headers) -> None:
        for _ in range(3):
            applied(fresh, clerk, owner(fresh), "public_rental_housing")

        page = waiting(fresh, clerk, page=2, page_size=2)

        assert page["total"] == 3
        assert [e["position"] for e in page["entries"]] == [3]

    @pytest.mark.parametrize("county", ["440106", "440200", "abc", "4402031"])
    def test_a_county_outside_shaoguan_is_422(
        self, housing: TestClient, clerk: Headers, county: str
    ) -> None:
        details = invalid(housing.get(f"/v1/waiting-lists/{county}", headers=clerk))

        assert "not a county or district of Shaoguan" in reason_for(details, "region_code")

    @pytest.mark.parametrize(
        ("params", "field"), [({"page": 0}, "page"), ({"page_size": 501}, "page_size")]
    )
    def test_a_page_out_of_range_is_422(
        self, housing: TestClient, clerk: Headers, params: dict[str, int], field: str
    ) -> None:
        details = invalid(housing.get(f"/v1/waiting-lists/{WUJIANG}", headers=clerk, params=params))

        assert reason_for(details, field)


# --- authorisation ------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/v1/settlements/s"),
    ("POST", "/v1/settlements/s/housing-applications"),
    ("GET", "/v1/housing-applications/a"),
    ("POST", "/v1/housing-applications/a/outcome"),
    ("GET", f"/v1/waiting-lists/{WUJIANG}"),
]


class TestAuthorisation:
    @pytest.mark.parametrize(("method", "path"), ROUTES)
    def test_without_a_token_every_v1_route_is_401(
        self, housing: TestClient, method: str, path: str
    ) -> None:
        error_of(housing.request(method, path, json={}), 401, "unauthenticated")

    def test_a_garbage_token_is_401(self, housing: TestClient) -> None:
        response = housing.get(ROUTES[0][1], headers={"Authorization": "Bearer not-a-jwt"})

        error_of(response, 401, "unauthenticated")

    @pytest.mark.parametrize("dept", ["public_security", "audit"])
    def test_public_security_and_audit_read_everything_but_change_nothing(
        self, fresh: TestClient, clerk: Headers, auth: TokenFactory, dept: str
    ) -> None:
        reader = auth(dept)
        settlement_id = owner(fresh)
        created = applied(fresh, clerk, settlement_id, "public_rental_housing")

        assert ok(get_settlement(fresh, reader, settlement_id))["settlement_id"] == settlement_id
        ok(fresh.get(f"/v1/housing-applications/{created['id']}", headers=reader))
        assert waiting(fresh, reader)["total"] == 1
        error_of(apply(fresh, reader, settlement_id), 403, "forbidden")
        error = error_of(
            decide(fresh, reader, created["id"], {"outcome": "granted"}), 403, "forbidden"
        )
        assert "housing:write" in error["message"]
        assert waiting(fresh, clerk)["total"] == 1

    @pytest.mark.parametrize("dept", ["human_resources", "education", "civil_affairs", "finance"])
    def test_other_departments_may_do_nothing(
        self, housing: TestClient, auth: TokenFactory, dept: str
    ) -> None:
        for method, path in ROUTES:
            error_of(housing.request(method, path, headers=auth(dept), json={}), 403, "forbidden")

    def test_a_read_only_housing_token_may_read_but_not_apply(
        self, housing: TestClient, auth: TokenFactory
    ) -> None:
        reader = auth("housing", "housing:read")
        settlement_id = renter(housing)

        ok(get_settlement(housing, reader, settlement_id))
        error_of(apply(housing, reader, settlement_id), 403, "forbidden")


# --- operations ---------------------------------------------------------------------------------


class TestOperations:
    def test_healthz_and_readyz_answer_without_a_token(self, housing: TestClient) -> None:
        assert ok(housing.get("/healthz")) == {"status": "ok", "service": "housing"}
        assert ok(housing.get("/readyz"))["ready"] is True

    def test_every_v1_operation_documents_401_403_and_422_in_the_error_shape(
        self, housing: TestClient
    ) -> None:
        paths = housing.get("/openapi.json").json()["paths"]
        error_schema = {"$ref": "#/components/schemas/ErrorResponse"}

        documented = {
            f"{method.upper()} {path}": {
                status
                for status, body in operation["responses"].items()
                if body.get("content", {}).get("application/json", {}).get("schema") == error_schema
            }
            for path, item in paths.items()
            if path.startswith("/v1/")
            for method, operation in item.items()
        }

        assert len(documented) == len(ROUTES)
        for statuses in documented.values():
            assert {"401", "403", "422"} <= statuses
        assert "409" in documented["POST /v1/settlements/{settlement_id}/housing-applications"]
        assert "404" in documented["GET /v1/settlements/{settlement_id}"]

    def test_the_migration_matches_the_tables(self, housing: TestClient) -> None:
        engine = housing.app.state.runtime.db.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

        assert differences == []
