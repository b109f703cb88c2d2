"""Civil affairs decides the minimum living guarantee and follows it through (docs/contract.md,
"Follow-through"): an income not stated or a standard not recorded is an open item until it
arrives, and only then is the household `done`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.civil_affairs import rules
from services.civil_affairs.handlers import FOLLOW_THROUGH
from shared.clock import today
from shared.follow_through import redecide_waiting
from tests.api.civil_affairs_support import (
    INCOME,
    STANDARD,
    STANDARD_FIELD,
    ZHENJIANG,
    CivilAffairsApiTests,
    assessments_of,
    configure,
    decide_directly,
    eligible_report,
    household,
    settlement,
    standard,
    statuses,
)
from tests.settlements import decided_again_once
from tests.support import (
    WUJIANG,
    Headers,
    error_of,
    nothing_more_to_decide,
    ok,
    outbox_reports,
    settlement_record,
    supply,
)


def reason(body: dict[str, Any]) -> str:
    (check,) = body["assessment"]["checks"]
    assert check["rule"] == "income_below_standard"
    return str(check["reason"])


class TestDecided(CivilAffairsApiTests):
    """Standard 600 yuan per person per month; a family of three."""

    def test_an_income_below_the_standard_is_eligible_and_done(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        settlement_id = household(civil_affairs, 1500)

        body = settlement_record(civil_affairs, clerk, settlement_id)

        assert list(body)[:4] == ["settlement_id", "status", "open_items", "version"]
        assert (body["status"], body["open_items"], body["version"]) == ("done", [], 1)
        assert (body["region_code"], body["region_name"], body["household_size"]) == (
            WUJIANG,
            "武江区",
            3,
        )
        assessment = body["assessment"]
        assert (assessment["outcome"], assessment["eligible"], assessment["clause"]) == (
            "eligible",
            True,
            "三(七)",
        )
        assert (assessment["per_capita_income"], assessment["standard"]) == (500.0, 600.0)
        assert assessment["information_needed"] == []
        assert reason(body) == (
            "The household's monthly income of 1500.00 yuan over its 3 members is 500.00 yuan "
            "per person, below the standard of 600.00 yuan per person per month "
            "(minimum_living_standard = 600 yuan/person/month (local parameter set by "
            "civil_affairs, from 2018-01-01; source: test fixture)): eligible for the minimum "
            "living guarantee on the same terms as local residents (三(七)); civil affairs "
            "verifies income and assets as for any local household."
        )
        assert assessment["parameters_used"] == [
            {
                "name": "minimum_living_standard",
                "value": 600,
                "unit": "yuan/person/month",
                "region_code": None,
                "valid_from": "2018-01-01",
                "valid_to": None,
                "source": "test fixture",
                "department": "civil_affairs",
            }
        ]
        assert assessment["facts"] == {
            "monthly_household_income": 1500,
            "household_size": 3,
            "destination_region_code": WUJIANG,
            "decision_date": "2019-06-01",
        }
        assert assessment["rules_version"] == "shaoguan-2017-trial"
        [report] = outbox_reports(civil_affairs, settlement_id)
        assert report == eligible_report(settlement_id)

    @pytest.mark.parametrize(
        ("income", "per_capita"),
        [(1800, 600.0), (1803, 601.0), (4200, 1400.0)],
        ids=["at the standard", "just above", "well above"],
    )
    def test_an_income_not_strictly_below_the_standard_is_not_eligible_and_done(
        self, civil_affairs: TestClient, clerk: Headers, income: int, per_capita: float
    ) -> None:
        body = settlement_record(civil_affairs, clerk, household(civil_affairs, income))

        assert (body["status"], body["open_items"]) == ("done", [])
        assessment = body["assessment"]
        assert (assessment["outcome"], assessment["eligible"]) == ("not_eligible", False)
        assert assessment["per_capita_income"] == per_capita
        assert "only an income strictly below the standard qualifies" in reason(body)

    def test_just_below_the_standard_is_compared_unrounded(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        # 1799.99 / 3 = 599.9966...: shown as 600.00, yet below 600.
        body = settlement_record(civil_affairs, clerk, household(civil_affairs, 1799.99))

        assert body["assessment"]["outcome"] == "eligible"
        assert body["assessment"]["per_capita_income"] == 600.0

    def test_a_countys_own_standard_wins_over_the_citywide_one(
        self, civil_affairs: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [STANDARD, standard(450, region_code=WUJIANG)])

        body = settlement_record(civil_affairs, clerk, household(civil_affairs, 1500))

        assert body["assessment"]["outcome"] == "not_eligible"  # 500 is not below 450
        assert body["assessment"]["parameters_used"][0]["region_code"] == WUJIANG

    def test_no_name_or_identity_number_is_kept_or_shown(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        family = settlement(None)
        decide_directly(civil_affairs, family)

        shown = json.dumps(
            settlement_record(civil_affairs, clerk, family.settlement_id), ensure_ascii=False
        )
        reported = json.dumps(
            outbox_reports(civil_affairs, family.settlement_id), ensure_ascii=False
        )

        for person in family.members:
            for text in (shown, reported):
                assert person.id_number not in text
                assert person.name not in text


class TestOpenItems(CivilAffairsApiTests):
    def test_an_income_not_stated_is_open_until_supplied_then_the_household_is_done(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        settlement_id = household(civil_affairs, None)

        waiting = settlement_record(civil_affairs, clerk, settlement_id)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        assert waiting["assessment"]["outcome"] == "information_needed"
        assert waiting["assessment"]["eligible"] is None
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (None, INCOME, "information")
        assert item["due_on"] is None  # no follow_through_days recorded
        assert "does not state the household's monthly income" in item["reason"]
        [first] = outbox_reports(civil_affairs, settlement_id)
        assert (first["status"], first["version"]) == ("action_needed", 1)
        assert [(i["field"], i["kind"]) for i in first["open_items"]] == [(INCOME, "information")]

        answered = ok(supply(civil_affairs, clerk, settlement_id, {INCOME: 1500}))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert answered["assessment"]["outcome"] == "eligible"
        assert answered["assessment"]["facts"]["monthly_household_income"] == 1500
        assert answered == settlement_record(civil_affairs, clerk, settlement_id)
        assert statuses(civil_affairs, settlement_id) == ["action_needed", "done"]
        latest = outbox_reports(civil_affairs, settlement_id)[-1]
        assert (latest["status"], latest["open_items"], latest["version"]) == ("done", [], 2)
        assert assessments_of(civil_affairs, settlement_id) == 1

    def test_an_income_supplied_above_the_standard_is_done_not_eligible(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        settlement_id = household(civil_affairs, None)

        answered = ok(supply(civil_affairs, clerk, settlement_id, {INCOME: 2400.5}))

        assert (answered["status"], answered["assessment"]["outcome"]) == ("done", "not_eligible")

    def test_a_standard_not_recorded_is_an_open_item_of_kind_parameter(
        self, civil_affairs: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [])

        waiting = settlement_record(civil_affairs, clerk, household(civil_affairs, 1500))

        assert waiting["status"] == "action_needed"
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            None,
            STANDARD_FIELD,
            "parameter",
        )
        assert f"is in force for {WUJIANG} on 2019-06-01" in item["reason"]
        assert waiting["assessment"]["standard"] is None

    def test_with_neither_both_are_open_each_of_its_kind(
        self, civil_affairs: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [])

        waiting = settlement_record(civil_affairs, clerk, household(civil_affairs, None))

        assert sorted((i["field"], i["kind"]) for i in waiting["open_items"]) == [
            (INCOME, "information"),
            (STANDARD_FIELD, "parameter"),
        ]

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, civil_affairs: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        days = {**standard(30), "name": "follow_through_days", "unit": "days"}
        configure(monkeypatch, [STANDARD, days])

        [item] = settlement_record(civil_affairs, clerk, household(civil_affairs, None))[
            "open_items"
        ]

        assert item["due_on"] == (today() + timedelta(days=30)).isoformat()


class TestBadInformation(CivilAffairsApiTests):
    """A fact no open item asks for is refused (the rest: test_supplying_information.py)."""

    def test_an_income_no_open_item_asks_for_is_a_409(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        settlement_id = household(civil_affairs, 1500)  # stated: decided, nothing open

        response = supply(civil_affairs, clerk, settlement_id, {INCOME: 900})

        error_of(response, 409, "conflict")
        assert settlement_record(civil_affairs, clerk, settlement_id)["version"] == 1
        assert statuses(civil_affairs, settlement_id) == ["done"]


class TestRedelivery(CivilAffairsApiTests):
    def test_the_same_approval_twice_is_one_assessment_one_decision_one_report(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        family = settlement(None)
        decide_directly(civil_affairs, family)
        before = settlement_record(civil_affairs, clerk, family.settlement_id)

        decide_directly(civil_affairs, family)  # another event id, the same settlement

        assert settlement_record(civil_affairs, clerk, family.settlement_id) == before
        assert assessments_of(civil_affairs, family.settlement_id) == 1
        assert statuses(civil_affairs, family.settlement_id) == ["action_needed"]

    def test_a_redelivery_after_a_supply_does_not_undo_it(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        family = settlement(None)
        decide_directly(civil_affairs, family)
        ok(supply(civil_affairs, clerk, family.settlement_id, {INCOME: 1500}))

        decide_directly(civil_affairs, family)

        now = settlement_record(civil_affairs, clerk, family.settlement_id)
        assert (now["status"], now["version"]) == ("done", 2)
        assert statuses(civil_affairs, family.settlement_id) == ["action_needed", "done"]

    def test_the_same_settlement_with_other_facts_keeps_the_first_decision(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        family = settlement(1500)
        decide_directly(civil_affairs, family)

        decide_directly(
            civil_affairs, family.model_copy(update={"housing": settlement(9000).housing})
        )

        assert settlement_record(civil_affairs, clerk, family.settlement_id)["assessment"][
            "outcome"
        ] == ("eligible")
        assert statuses(civil_affairs, family.settlement_id) == ["done"]


class TestStandardArriving(CivilAffairsApiTests):
    """A standard recorded later decides again exactly the households waiting for it."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """The parameters in a file, the standard recorded only for 浈江区 so far."""
        path = tmp_path / "civil-affairs-parameters.json"
        path.write_text(json.dumps([standard(600, region_code=ZHENJIANG)]))
        monkeypatch.setenv(rules.PARAMETERS.variable, str(path))
        rules.PARAMETERS.load()
        return path

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, fresh: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        waiting = [household(fresh, 1500), household(fresh, 4200)]  # 武江区: no standard yet
        decided = household(fresh, 1500, destination_region_code=ZHENJIANG)
        asked = household(fresh, None, destination_region_code=ZHENJIANG)  # waits on income only
        for settlement_id in waiting:
            [item] = settlement_record(fresh, clerk, settlement_id)["open_items"]
            assert (item["field"], item["kind"]) == (STANDARD_FIELD, "parameter")
        assert settlement_record(fresh, clerk, decided)["status"] == "done"
        db = fresh.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        parameter_file.write_text(json.dumps([standard(600, region_code=ZHENJIANG), STANDARD]))
        assert rules.PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 2
        outcomes = []
        for settlement_id in waiting:
            now = settlement_record(fresh, clerk, settlement_id)
            assert (now["status"], now["open_items"], now["version"]) == ("done", [], 2)
            outcomes.append(now["assessment"]["outcome"])
            latest = outbox_reports(fresh, settlement_id)[-1]
            assert (latest["status"], latest["open_items"], latest["version"]) == ("done", [], 2)
        assert outcomes == ["eligible", "not_eligible"]
        for untouched in (decided, asked):
            assert settlement_record(fresh, clerk, untouched)["version"] == 1
            assert len(outbox_reports(fresh, untouched)) == 1
        nothing_more_to_decide(db, FOLLOW_THROUGH, rules.PARAMETERS)
        assert [len(outbox_reports(fresh, s)) for s in waiting] == [2, 2]

    def test_a_standard_for_another_county_decides_again_once_and_stays_open(
        self, fresh: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        settlement_id = household(fresh, 1500)  # waits on 武江区's (or the city's) standard
        qujiang = standard(600, region_code="440205")
        parameter_file.write_text(json.dumps([standard(600, region_code=ZHENJIANG), qujiang]))

        now = decided_again_once(fresh, clerk, settlement_id, FOLLOW_THROUGH, rules.PARAMETERS)
        assert [i["field"] for i in now["open_items"]] == [STANDARD_FIELD]
