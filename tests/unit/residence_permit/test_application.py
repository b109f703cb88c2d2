"""Who is issued a residence permit (居住证暂行条例 第二条, 第九条; 三(九)): the rules, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from services.residence_permit.rules import (
    BASES,
    CLAUSE,
    Application,
    Guardian,
    decide_application,
    national_parameters,
)
from shared.dates import add_months
from shared.parameters import Parameter
from tests.unit.residence_permit.support import (
    ART_2,
    ART_9,
    GUARDIAN,
    PARAMETERS,
    PERSON,
    accepted,
    application,
    refusal,
    refusal_fields,
)


class TestHalfYearOfResidence:
    def test_exactly_six_months_of_residence_is_enough(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        assert decision.accepted
        assert decision.valid_from == date(2023, 7, 15)

    def test_one_day_short_of_six_months_is_refused_naming_the_registration_and_article_two(
        self,
    ) -> None:
        facts = application(applied_on=date(2023, 7, 14))
        assert refusal_fields(facts) == ["registration"]
        reason = refusal(facts, "registration")
        assert "less than 6 months" in reason
        assert ART_2 in reason
        assert "2023-07-15" in reason  # the day it will be enough
        [check] = decide_application(facts, PARAMETERS).refusals
        assert (check.clause, check.regulation) == (CLAUSE, ART_2)

    @pytest.mark.parametrize(
        ("since", "enough_on"),
        [(date(2023, 8, 31), date(2024, 2, 29)), (date(2024, 8, 31), date(2025, 2, 28))],
        ids=["leap year", "common year"],
    )
    def test_six_months_from_31_august_end_on_the_last_day_of_february(
        self, since: date, enough_on: date
    ) -> None:
        assert add_months(since, 6) == enough_on
        facts = application(resident_since=since)
        assert accepted(replace(facts, applied_on=enough_on))
        short = replace(facts, applied_on=enough_on - timedelta(days=1))
        assert refusal_fields(short) == ["registration"]

    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2023, 8, 30), 6, date(2024, 2, 29)),
            (date(2023, 3, 31), 6, date(2023, 9, 30)),
            (date(2023, 12, 31), 2, date(2024, 2, 29)),
            (date(2024, 3, 31), -1, date(2024, 2, 29)),
        ],
    )
    def test_month_end_arithmetic_keeps_the_day_where_the_month_has_it(
        self, day: date, months: int, expected: date
    ) -> None:
        assert add_months(day, months) == expected

    def test_without_a_registration_in_force_the_residence_is_not_counted(self) -> None:
        # 三(九) 完善流动人口居住登记管理: the residence counted is the registered one.
        facts = application(registered=None)
        assert refusal_fields(facts) == ["registration", "region_code"]
        assert "POST /v1/residence-registrations" in refusal(facts, "registration")

    def test_an_earlier_declared_start_does_not_count_beyond_the_registration(self) -> None:
        facts = application(applied_on=date(2023, 7, 14), declared_since=date(2022, 1, 1))
        reason = refusal(facts, "registration")
        assert "declared since 2022-01-01; the registration counts" in reason


class TestCountyOfResidence:
    """第九条 向居住地公安派出所申领, 第十条 由县级人民政府公安机关签发: the county of residence."""

    def test_the_county_applied_in_must_be_the_registered_one(self) -> None:
        facts = application(region_code="440204")
        assert refusal_fields(facts) == ["region_code"]
        assert "places the person in 440203" in refusal(facts, "region_code")

    def test_the_registered_county_is_accepted(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        [check] = [c for c in decision.checks if c.rule == "county_of_residence"]
        assert check.passed and check.regulation == "居住证暂行条例 第十条"


class TestBasis:
    @pytest.mark.parametrize("basis", BASES)
    def test_each_basis_alone_is_enough(self, basis: str) -> None:
        decision = decide_application(application(basis=basis), PARAMETERS)
        assert decision.accepted
        [check] = [c for c in decision.checks if c.field == "basis"]
        assert check.passed and check.regulation == ART_2

    def test_no_basis_is_refused_naming_basis_and_article_two(self) -> None:
        facts = application(basis=None)
        assert refusal_fields(facts) == ["basis"]
        reason = refusal(facts, "basis")
        assert "no basis was given" in reason
        assert ART_2 in reason
        assert "employment" in reason and "residence" in reason and "study" in reason

    def test_an_unknown_basis_is_refused(self) -> None:
        assert "'tourism' is not a basis" in refusal(application(basis="tourism"), "basis")

    def test_every_refusal_is_reported_at_once(self) -> None:
        facts = application(basis=None, applied_on=date(2023, 7, 1), hukou_region_code="440203")
        assert refusal_fields(facts) == ["hukou_region_code", "registration", "basis"]


class TestRegistration:
    @pytest.mark.parametrize("code", ["440203", "440282", "440200", "440221"])
    def test_a_person_registered_in_shaoguan_is_refused(self, code: str) -> None:
        # Registered in 南雄 (440282), living in 武江区: no other city (第二条 到其他城市居住),
        # no move across cities (广东省流动人口服务管理条例 第二条 跨地级以上市居住).
        reason = refusal(application(hukou_region_code=code), "hukou_region_code")
        assert "到其他城市居住" in reason and "跨地级以上市居住" in reason

    def test_a_person_registered_elsewhere_in_guangdong_may_apply(self) -> None:
        assert accepted(application(hukou_region_code="441402"))


def fifteen(**overrides: Any) -> Application:
    """Born 2008-07-16: 15 on the application day 2023-07-15, 16 the next day."""
    return application(birth_date=date(2008, 7, 16), **overrides)


def parent(born: date = date(1980, 1, 1)) -> Guardian:
    return Guardian(id_number=GUARDIAN, birth_date=born, relation="parent")


class TestGuardian:
    def test_a_minor_of_fifteen_needs_a_guardian(self) -> None:
        facts = fifteen()
        assert refusal_fields(facts) == ["guardian"]
        reason = refusal(facts, "guardian")
        assert "15" in reason and ART_9 in reason

    def test_a_minor_of_fifteen_with_a_guardian_is_issued(self) -> None:
        assert accepted(fifteen(guardian=parent()))

    def test_on_the_sixteenth_birthday_no_guardian_is_needed(self) -> None:
        assert accepted(fifteen(applied_on=date(2024, 7, 16), resident_since=date(2024, 1, 16)))

    def test_a_guardian_for_someone_of_sixteen_or_more_is_accepted(self) -> None:
        decision = decide_application(application(guardian=parent()), PARAMETERS)
        assert decision.accepted
        [check] = [c for c in decision.checks if c.rule == "guardian"]
        assert "through a guardian" in check.reason

    def test_a_guardian_under_eighteen_is_refused(self) -> None:
        facts = fifteen(guardian=parent(born=date(2006, 1, 1)))
        assert refusal_fields(facts) == ["guardian.id_number"]

    def test_the_person_cannot_be_their_own_guardian(self) -> None:
        own = Guardian(id_number=PERSON, birth_date=date(1990, 5, 1), relation="parent")
        assert refusal_fields(application(guardian=own)) == ["guardian.id_number"]

    def test_an_application_dated_before_birth_is_refused(self) -> None:
        facts = application(
            birth_date=date(2024, 1, 1),
            resident_since=date(2024, 1, 1),
            applied_on=date(2023, 7, 15),
        )
        assert "applied_on" in refusal_fields(facts)


class TestRulesInForce:
    def test_an_application_before_the_regulations_took_effect_is_refused(self) -> None:
        facts = application(resident_since=date(2015, 1, 1), applied_on=date(2015, 12, 31))
        assert refusal_fields(facts) == ["applied_on"]
        assert "2016-01-01" in refusal(facts, "applied_on")

    def test_the_decision_records_the_national_values_it_used(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        names = {p.name for p in decision.parameters}
        assert {"minimum_residence_months", "guardian_below_age"} <= names
        assert all(p.source for p in decision.parameters)

    def test_a_later_recorded_version_applies_from_its_first_day(self) -> None:
        amended = Parameter(
            name="minimum_residence_months",
            value=3,
            unit="months",
            valid_from=date(2030, 1, 1),
            source="test fixture: an amendment",
            department="State Council (national law)",
        )
        parameters = national_parameters(amended)
        facts = application(resident_since=date(2030, 1, 1), applied_on=date(2030, 4, 1))
        assert decide_application(facts, parameters).accepted
        before = application(resident_since=date(2029, 9, 30), applied_on=date(2029, 12, 31))
        assert not decide_application(before, parameters).accepted
