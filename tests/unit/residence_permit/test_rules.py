"""Unit tests of the residence permit rules (三(九); 居住证暂行条例), no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from services.residence_permit.rules import (
    BASES,
    BY_ID,
    CLAUSE,
    ENTITLEMENTS,
    Application,
    Endorsed,
    Guardian,
    Member,
    OpenPermit,
    Settled,
    Standing,
    Term,
    add_months,
    answer,
    conflicts_with_open_permit,
    decide_application,
    decide_closures,
    decide_endorsement,
    national_parameters,
    permit_status,
    residence_periods,
    standing_in_words,
    summarise,
    year_end,
)
from shared.parameters import LocalParameter

ART_2 = "居住证暂行条例 第二条"
ART_9 = "居住证暂行条例 第九条"
ART_10 = "居住证暂行条例 第十条"
PARAMETERS = national_parameters()
PERSON = "PERSON-A"  # the rules compare identity numbers, never parse them
GUARDIAN = "GUARDIAN-B"


def application(**overrides: Any) -> Application:
    """An adult registered in Guangzhou, resident in 武江区 since 2023-01-15, employed."""
    facts = Application(
        id_number=PERSON,
        birth_date=date(1990, 5, 1),
        hukou_region_code="440106",
        region_code="440203",
        resident_since=date(2023, 1, 15),
        basis="employment",
        applied_on=date(2023, 7, 15),
    )
    return replace(facts, **overrides)


def refusal_fields(facts: Application) -> list[str]:
    return [check.field for check in decide_application(facts, PARAMETERS).refusals]


def refusal(facts: Application, field: str) -> str:
    decision = decide_application(facts, PARAMETERS)
    [check] = [c for c in decision.refusals if c.field == field]
    return check.reason


def term(**overrides: Any) -> Term:
    """A permit issued 2024-03-15 for its first year (to 2025-03-14)."""
    return replace(
        Term(
            issued_on=date(2024, 3, 15),
            valid_from=date(2024, 3, 15),
            valid_to=date(2025, 3, 14),
            period_start=date(2024, 3, 15),
            years_in_period=1,
        ),
        **overrides,
    )


def endorse(t: Term, on: date, *, still_resident: bool = True) -> Any:
    return decide_endorsement(
        t, endorsed_on=on, still_resident=still_resident, parameters=PARAMETERS
    )


class TestHalfYearOfResidence:
    def test_exactly_six_months_of_residence_is_enough(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        assert decision.accepted
        assert decision.valid_from == date(2023, 7, 15)

    def test_one_day_short_of_six_months_is_refused_naming_resident_since_and_article_two(
        self,
    ) -> None:
        facts = application(applied_on=date(2023, 7, 14))
        assert refusal_fields(facts) == ["resident_since"]
        reason = refusal(facts, "resident_since")
        assert "less than 6 months" in reason
        assert ART_2 in reason
        assert "2023-07-15" in reason  # the day it will be enough
        [check] = decide_application(facts, PARAMETERS).refusals
        assert (check.clause, check.regulation) == (CLAUSE, ART_2)

    def test_six_months_from_31_august_end_on_the_last_day_of_february(self) -> None:
        assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)  # leap year
        assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
        leap = application(resident_since=date(2023, 8, 31))
        assert decide_application(replace(leap, applied_on=date(2024, 2, 29)), PARAMETERS).accepted
        assert refusal_fields(replace(leap, applied_on=date(2024, 2, 28))) == ["resident_since"]
        common = application(resident_since=date(2024, 8, 31))
        assert decide_application(
            replace(common, applied_on=date(2025, 2, 28)), PARAMETERS
        ).accepted
        assert refusal_fields(replace(common, applied_on=date(2025, 2, 27))) == ["resident_since"]

    def test_month_end_arithmetic_keeps_the_day_where_the_month_has_it(self) -> None:
        assert add_months(date(2023, 8, 30), 6) == date(2024, 2, 29)
        assert add_months(date(2023, 3, 31), 6) == date(2023, 9, 30)
        assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)
        assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)

    def test_residence_beginning_after_the_application_is_refused(self) -> None:
        facts = application(resident_since=date(2023, 8, 1))
        assert "after the application date" in refusal(facts, "resident_since")

    def test_residence_beginning_before_birth_is_refused(self) -> None:
        facts = application(birth_date=date(2020, 1, 1), resident_since=date(2019, 1, 1))
        assert "before the person was born" in refusal(facts, "resident_since")


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
        assert refusal_fields(facts) == ["hukou_region_code", "resident_since", "basis"]


class TestRegistration:
    @pytest.mark.parametrize("code", ["440203", "440282", "440200", "440221"])
    def test_a_person_registered_in_shaoguan_is_refused(self, code: str) -> None:
        reason = refusal(application(hukou_region_code=code), "hukou_region_code")
        assert "not registered in the city" in reason

    def test_a_person_registered_elsewhere_in_guangdong_may_apply(self) -> None:
        assert decide_application(application(hukou_region_code="441402"), PARAMETERS).accepted


class TestGuardian:
    def fifteen(self, **overrides: Any) -> Application:
        """Born 2008-07-16: 15 on the application day 2023-07-15, 16 the next day."""
        return application(birth_date=date(2008, 7, 16), **overrides)

    def guardian(self, born: date = date(1980, 1, 1)) -> Guardian:
        return Guardian(id_number=GUARDIAN, birth_date=born, relation="parent")

    def test_a_minor_of_fifteen_needs_a_guardian(self) -> None:
        facts = self.fifteen()
        assert refusal_fields(facts) == ["guardian"]
        reason = refusal(facts, "guardian")
        assert "15" in reason and ART_9 in reason

    def test_a_minor_of_fifteen_with_a_guardian_is_issued(self) -> None:
        assert decide_application(self.fifteen(guardian=self.guardian()), PARAMETERS).accepted

    def test_on_the_sixteenth_birthday_no_guardian_is_needed(self) -> None:
        facts = self.fifteen(applied_on=date(2024, 7, 16), resident_since=date(2024, 1, 16))
        assert decide_application(facts, PARAMETERS).accepted

    def test_a_guardian_for_someone_of_sixteen_or_more_is_accepted(self) -> None:
        decision = decide_application(application(guardian=self.guardian()), PARAMETERS)
        assert decision.accepted
        [check] = [c for c in decision.checks if c.rule == "guardian"]
        assert "through a guardian" in check.reason

    def test_a_guardian_under_eighteen_is_refused(self) -> None:
        facts = self.fifteen(guardian=self.guardian(born=date(2006, 1, 1)))
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
        amended = LocalParameter(
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


class TestValidity:
    def test_a_permit_is_valid_for_a_year_from_its_issue(self) -> None:
        decision = decide_application(application(), PARAMETERS)
        assert (decision.valid_from, decision.valid_to) == (date(2023, 7, 15), date(2024, 7, 14))

    def test_a_permit_issued_on_29_february_runs_to_28_february(self) -> None:
        assert year_end(date(2024, 2, 29), 1) == date(2025, 2, 28)
        assert year_end(date(2023, 3, 1), 1) == date(2024, 2, 29)

    def test_the_last_valid_day_is_valid_and_the_day_after_lapsed(self) -> None:
        last = date(2025, 3, 14)
        assert permit_status(valid_to=last, closed=False, on=last) == "valid"
        assert permit_status(valid_to=last, closed=False, on=last + timedelta(days=1)) == "lapsed"
        assert permit_status(valid_to=last, closed=True, on=last) == "closed"

    def test_an_open_permit_valid_on_the_application_day_blocks_a_second(self) -> None:
        assert conflicts_with_open_permit(
            open_valid_to=date(2025, 3, 14), applied_on=date(2025, 3, 14)
        )
        assert not conflicts_with_open_permit(
            open_valid_to=date(2025, 3, 14), applied_on=date(2025, 3, 15)
        )


class TestEndorsement:
    def test_endorsing_on_the_last_valid_day_extends_the_year(self) -> None:
        decision = endorse(term(), date(2025, 3, 14))
        assert decision.outcome == "on_time"
        assert decision.term.valid_from == date(2025, 3, 15)
        assert decision.term.valid_to == date(2026, 3, 14)
        assert decision.term.period_start == date(2024, 3, 15)
        assert decision.regulation == ART_10

    def test_endorsing_the_day_after_is_a_make_up_that_restarts_the_count(self) -> None:
        decision = endorse(term(), date(2025, 3, 15))
        assert decision.outcome == "make_up"
        assert decision.term.valid_from == date(2025, 3, 15)
        assert decision.term.valid_to == date(2026, 3, 14)
        assert decision.term.period_start == date(2025, 3, 15)
        assert "补办签注" in decision.reason

    def test_a_make_up_long_after_runs_a_year_from_the_make_up_day(self) -> None:
        decision = endorse(term(), date(2025, 9, 1))
        assert decision.outcome == "make_up"
        assert decision.term.valid_to == date(2026, 8, 31)

    def test_the_window_opens_a_month_before_the_year_is_full(self) -> None:
        assert endorse(term(), date(2025, 2, 15)).outcome == "on_time"
        early = endorse(term(), date(2025, 2, 14))
        assert early.outcome == "refused" and early.conflict
        assert "2025-02-15" in early.reason and ART_10 in early.reason

    def test_a_holder_no_longer_resident_is_not_endorsed(self) -> None:
        decision = endorse(term(), date(2025, 3, 1), still_resident=False)
        assert (decision.outcome, decision.field, decision.conflict) == (
            "refused",
            "still_resident",
            False,
        )

    def test_a_closed_permit_is_not_endorsed(self) -> None:
        decision = endorse(term(closed=True), date(2025, 3, 1))
        assert decision.outcome == "refused" and decision.conflict

    def test_an_endorsement_before_the_issue_is_refused(self) -> None:
        decision = endorse(term(), date(2024, 3, 14))
        assert (decision.outcome, decision.field) == ("refused", "endorsed_on")

    def test_yearly_endorsements_do_not_drift_from_29_february(self) -> None:
        t = term(
            issued_on=date(2024, 2, 29),
            valid_from=date(2024, 2, 29),
            valid_to=date(2025, 2, 28),
            period_start=date(2024, 2, 29),
        )
        first = endorse(t, date(2025, 2, 20)).term
        assert first.valid_to == date(2026, 2, 28)
        second = endorse(first, date(2026, 2, 20)).term
        assert second.valid_to == date(2027, 2, 28)
        third = endorse(second, date(2027, 2, 20)).term
        assert third.valid_to == date(2028, 2, 28)  # the day before 2028-02-29
        assert third.years_in_period == 4


class TestResidencePeriods:
    def test_on_time_endorsements_keep_one_period(self) -> None:
        [period] = residence_periods(
            issued_on=date(2024, 3, 15),
            endorsements=(Endorsed(date(2025, 3, 1), "on_time", date(2025, 3, 14)),),
            valid_to=date(2026, 3, 14),
            closed_on=None,
        )
        assert (period.start, period.end, period.endorsements) == (
            date(2024, 3, 15),
            date(2026, 3, 14),
            1,
        )

    def test_a_make_up_endorsement_starts_a_new_period(self) -> None:
        first, second = residence_periods(
            issued_on=date(2024, 3, 15),
            endorsements=(Endorsed(date(2025, 6, 1), "make_up", date(2025, 3, 14)),),
            valid_to=date(2026, 5, 31),
            closed_on=None,
        )
        assert (first.start, first.end, first.started_by) == (
            date(2024, 3, 15),
            date(2025, 3, 14),
            "issue",
        )
        assert (second.start, second.end, second.started_by) == (
            date(2025, 6, 1),
            date(2026, 5, 31),
            "make_up_endorsement",
        )

    def test_closing_ends_the_last_period_on_the_day_it_closed(self) -> None:
        [period] = residence_periods(
            issued_on=date(2024, 3, 15),
            endorsements=(),
            valid_to=date(2025, 3, 14),
            closed_on=date(2024, 10, 1),
        )
        assert period.end == date(2024, 10, 1)


class TestEntitlements:
    driving = BY_ID["driving_licence"]

    def standing(self, status: Any, **overrides: Any) -> Standing:
        return Standing(permit_id="P1", status=status, valid_to=date(2025, 3, 14), **overrides)

    def test_the_catalogue_lists_the_four_conveniences_of_three_nine(self) -> None:
        conveniences = {e.id for e in ENTITLEMENTS if e.kind == "convenience"}
        assert conveniences == {
            "exit_entry_documents",
            "identity_card_renewal",
            "motor_vehicle_registration",
            "driving_licence",
        }
        assert all(e.clause == "三(九)" for e in ENTITLEMENTS)
        assert BY_ID["exit_entry_documents"].regulation == "居住证暂行条例 第十三条(一)"
        assert any(e.kind == "basic_public_service" for e in ENTITLEMENTS)

    def test_a_valid_holder_is_allowed(self) -> None:
        result = answer(self.driving, self.standing("valid"), None)
        assert result.allowed and result.permit_id == "P1" and result.clause == "三(九)"
        assert "valid to 2025-03-14" in result.reason

    def test_a_lapsed_holder_is_not_allowed_until_a_make_up_endorsement(self) -> None:
        result = answer(self.driving, self.standing("lapsed"), None)
        assert not result.allowed and result.permit_status == "lapsed"
        assert "make-up endorsement" in result.reason and ART_10 in result.reason

    def test_a_permit_closed_on_settlement_says_the_person_is_a_registered_resident(self) -> None:
        closed = self.standing(
            "closed", closed_on=date(2024, 10, 1), closed_reason="settled", settlement_id="S1"
        )
        result = answer(self.driving, closed, None)
        assert not result.allowed and result.permit_status == "closed"
        assert "settled" in result.reason and "registered resident" in result.reason
        assert "S1" in result.reason

    def test_no_permit_is_not_allowed(self) -> None:
        result = answer(self.driving, None, None)
        assert (result.allowed, result.permit_status, result.permit_id) == (False, "none", None)
        assert "no residence permit" in result.reason

    def test_a_settled_person_without_a_permit_is_told_they_are_a_registered_resident(
        self,
    ) -> None:
        result = answer(self.driving, None, Settled("S1", date(2024, 10, 1)))
        assert not result.allowed and "registered resident" in result.reason

    def test_the_standing_in_words_of_a_valid_permit_covers_every_service(self) -> None:
        assert "every service" in standing_in_words(self.standing("valid"))
        assert "lapsed" in standing_in_words(self.standing("lapsed"))


class TestClosingOnSettlement:
    def test_valid_and_lapsed_permits_of_settled_members_are_closed(self) -> None:
        members = (
            Member("A", "applicant", (OpenPermit("P-valid", date(2025, 3, 14)),)),
            Member("B", "spouse", (OpenPermit("P-lapsed", date(2024, 9, 30)),)),
            Member("C", "child"),
        )
        decisions = decide_closures(members, settled_on=date(2024, 10, 1))
        assert [d.decision for d in decisions] == [
            "permit_closed",
            "permit_closed",
            "no_open_permit",
        ]
        assert [c.status_before for d in decisions for c in d.closures] == ["valid", "lapsed"]
        assert all(d.clause == "三(九)" for d in decisions)
        assert summarise(decisions) == (
            "2 residence permit(s) closed as settled (1 valid, 1 lapsed) for 3 settled member(s)"
        )

    def test_no_permit_to_close_is_a_normal_outcome(self) -> None:
        decisions = decide_closures((Member("A", "applicant"),), settled_on=date(2024, 10, 1))
        assert summarise(decisions).startswith("0 residence permits closed")
