"""Housing follows through (docs/contract.md, "Follow-through"): every gap is an open item until
the fact or the parameter arrives, and only then is the household `done`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.housing import rules
from services.housing.handlers import FOLLOW_THROUGH
from shared.clock import today
from shared.follow_through import redecide_waiting
from tests.api.housing_support import (
    AREA_LIMIT,
    INCOME_LIMIT,
    PARAMETERS,
    SUBSIDY_AMOUNT,
    ZHENJIANG,
    HousingApiTests,
    assess_directly,
    configure,
    parameter,
    renter,
    settlement,
)
from tests.settlements import decided_again_once
from tests.support import (
    Headers,
    error_of,
    nothing_more_to_decide,
    ok,
    outbox_reports,
    settlement_record,
    supply,
)

INCOME = "housing.monthly_household_income"
WITHOUT_INCOME = {"housing": {"current_area_m2": 0}}


def statuses(client: TestClient, settlement_id: str) -> list[str]:
    return [report["status"] for report in outbox_reports(client, settlement_id)]


class TestOpenItems(HousingApiTests):
    def test_an_income_not_stated_is_open_until_supplied_then_the_household_is_done(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing, **WITHOUT_INCOME)

        waiting = settlement_record(housing, clerk, settlement_id)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (None, INCOME, "information")
        assert item["due_on"] is None  # no follow_through_days recorded
        assert "was not given" in item["reason"]

        answered = ok(supply(housing, clerk, settlement_id, {INCOME: 4200}))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert answered["assessment"]["outcome"] == "rental_subsidy"
        assert answered == settlement_record(housing, clerk, settlement_id)
        assert statuses(housing, settlement_id) == ["action_needed", "done"]

    def test_a_parameter_not_recorded_is_an_open_item_of_kind_parameter(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [AREA_LIMIT, SUBSIDY_AMOUNT])

        waiting = settlement_record(housing, clerk, renter(housing))

        assert waiting["status"] == "action_needed"
        assert [(i["field"], i["kind"]) for i in waiting["open_items"]] == [
            ("parameters.income_limit_per_capita", "parameter")
        ]

    def test_a_tenure_not_stated_leaves_the_subsidy_open_until_it_is_known(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing, residence=None)
        waiting = settlement_record(housing, clerk, settlement_id)
        assert waiting["assessment"]["forms"] == ["public_rental_housing"]
        assert [i["field"] for i in waiting["open_items"]] == ["residence.tenure"]

        answered = ok(supply(housing, clerk, settlement_id, {"residence.tenure": "rented"}))

        assert answered["status"] == "done"
        assert answered["assessment"]["forms"] == ["rental_subsidy", "public_rental_housing"]

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        days = parameter("follow_through_days", 30, "days")
        configure(monkeypatch, [*PARAMETERS, days])

        [item] = settlement_record(housing, clerk, renter(housing, **WITHOUT_INCOME))["open_items"]

        assert item["due_on"] == (today() + timedelta(days=30)).isoformat()


class TestBadInformation(HousingApiTests):
    """A fact no open item asks for is refused (the rest: test_supplying_information.py)."""

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing, **WITHOUT_INCOME)

        response = supply(housing, clerk, settlement_id, {"housing.current_area_m2": 12})

        error_of(response, 409, "conflict")
        assert settlement_record(housing, clerk, settlement_id)["version"] == 1


class TestParameterArriving(HousingApiTests):
    """A limit recorded later decides again exactly the households waiting for it."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """The parameters in a file, the income limit recorded only for 浈江区 so far."""
        path = tmp_path / "housing-parameters.json"
        path.write_text(json.dumps([{**INCOME_LIMIT, "region_code": ZHENJIANG}, AREA_LIMIT]))
        monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", str(path))
        rules.PARAMETERS.load()
        return path

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, fresh: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        waiting = [renter(fresh), renter(fresh)]  # 武江区: no income limit yet
        decided = assess_directly(fresh, settlement(destination_region_code=ZHENJIANG))
        assert settlement_record(fresh, clerk, decided)["open_items"][0]["field"] == (
            "parameters.rental_subsidy_amount_per_capita"
        )
        db = fresh.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        parameter_file.write_text(json.dumps([*PARAMETERS, {**INCOME_LIMIT, "value": 1600}]))
        assert rules.PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 3
        for settlement_id in [*waiting, decided]:
            now = settlement_record(fresh, clerk, settlement_id)
            assert (now["status"], now["version"]) == ("done", 2)
        nothing_more_to_decide(db, FOLLOW_THROUGH, rules.PARAMETERS)

    def test_a_parameter_for_another_county_decides_again_once_and_stays_open(
        self, fresh: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        settlement_id = renter(fresh)  # waits on 武江区's (or the city's) income limit
        qujiang = {**INCOME_LIMIT, "region_code": "440205"}
        parameter_file.write_text(json.dumps([*PARAMETERS[1:], qujiang]))

        decided_again_once(fresh, clerk, settlement_id, FOLLOW_THROUGH, rules.PARAMETERS)
