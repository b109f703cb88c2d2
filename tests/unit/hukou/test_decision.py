"""Unit tests of the decision: the rules version in force (五), then the checks in order."""

from __future__ import annotations

from datetime import date

import pytest

from services.hukou.domain import (
    Decision,
    SocialInsurance,
)
from services.hukou.rules import (
    MINIMUM_INSURED_MONTHS,
    PARAMETERS,
    RULES_VERSIONS,
    RulesVersion,
    decide_eligibility,
    decision_outcome,
)
from shared.national import AGE_OF_MAJORITY
from shared.parameters import Parameter, latest_in_force
from shared.rules import Check
from tests.unit.hukou.support import (
    CHANNELS,
    DECISION_DAY,
    facts,
    only,
    person,
    with_residence,
)


class TestValidity:
    """五: a decision is made under the rules version in force on its decision date."""

    def test_the_one_version_is_the_2017_trial_measures_for_three_years(self) -> None:
        (version,) = RULES_VERSIONS
        assert version.id == "shaoguan-2017-trial"
        assert (version.valid_from, version.valid_to) == (date(2017, 10, 23), date(2020, 10, 22))
        assert "韶关市推动非户籍人口在城市落户实施办法(试行)" in version.title

    @pytest.mark.parametrize("day", [date(2017, 10, 23), date(2020, 10, 22)])
    def test_the_first_and_last_days_are_decided_under_the_version(self, day: date) -> None:
        decision = decide_eligibility(facts(decision_date=day))
        assert decision.outcome == "eligible"
        assert decision.rules_version == "shaoguan-2017-trial"
        validity = decision.checks[0]
        assert (validity.rule, validity.clause, validity.outcome) == (
            "validity.rules_in_force",
            "五",
            "passed",
        )

    @pytest.mark.parametrize("day", [date(2017, 10, 22), date(2020, 10, 23)])
    def test_outside_the_period_the_decision_is_undetermined_without_rules(self, day: date) -> None:
        decision = decide_eligibility(facts(decision_date=day))
        assert decision.outcome == "undetermined"
        assert decision.rules_version is None
        (check,) = decision.checks
        assert (check.rule, check.clause, check.outcome) == (
            "validity.rules_in_force",
            "五",
            "undetermined",
        )
        assert "2017-10-23 to 2020-10-22" in check.reason
        assert "no settlement rule was applied" in check.reason

    def test_an_extra_version_covers_a_later_date(self) -> None:
        continuation = RulesVersion(
            id="shaoguan-continuation",
            title="continuation of the 2017 measures",
            valid_from=date(2020, 10, 23),
            valid_to=None,
            source="local parameter: public_security",
        )
        decision = decide_eligibility(
            facts("talent", decision_date=date(2022, 1, 1)),
            versions=(*RULES_VERSIONS, continuation),
        )
        assert decision.rules_version == "shaoguan-continuation"
        assert decision.outcome == "eligible"

    def test_an_extra_version_with_an_extra_parameter_decides_insured_one_year(self) -> None:
        later = date(2022, 1, 1)
        version = RulesVersion(
            id="successor", title="successor", valid_from=date(2020, 10, 23), source="local"
        )
        months = Parameter(
            name=MINIMUM_INSURED_MONTHS.name,
            value=12,
            valid_from=version.valid_from,
            source="local",
            department="ps",
        )
        decision = decide_eligibility(
            facts("insured_one_year", decision_date=later),
            versions=(*RULES_VERSIONS, version),
            parameters=(*PARAMETERS, months),
        )
        assert decision.outcome == "eligible"

    def test_a_later_version_supersedes_an_overlapping_earlier_one(self) -> None:
        successor = RULES_VERSIONS[0].model_copy(
            update={"id": "successor", "valid_from": date(2019, 1, 1)}
        )
        chosen = latest_in_force((*RULES_VERSIONS, successor), date(2019, 6, 1))
        assert chosen is not None and chosen.id == "successor"

    def test_no_version_is_in_force_when_none_is_known(self) -> None:
        assert latest_in_force((), DECISION_DAY) is None

    def test_the_age_of_majority_holds_across_the_measures_period(self) -> None:
        named = [p for p in PARAMETERS if p.name == AGE_OF_MAJORITY.name]
        majority = latest_in_force(named, date(2017, 10, 23))
        assert majority is not None and majority.value == 18


class TestDecision:
    """The decision: validity first, then the channel, household and rural rights."""

    @pytest.mark.parametrize("channel", CHANNELS)
    def test_the_base_facts_are_eligible_on_every_channel(self, channel: str) -> None:
        decision = decide_eligibility(facts(channel))
        assert decision.outcome == "eligible" and decision.eligible
        assert decision.rules_version == "shaoguan-2017-trial"
        assert decision.decision_date == DECISION_DAY

    def test_the_checks_come_in_order_validity_channel_household_rural_rights(self) -> None:
        decision = decide_eligibility(facts(household=(person("spouse"),)))
        assert [c.rule for c in decision.checks] == [
            "validity.rules_in_force",
            "stable_residence.residence",
            "stable_residence.insurance",
            "household.single_spouse",
            "household.distinct_people",
            "household.member",
            "rural_rights.kept",
        ]

    def test_a_failed_check_makes_the_applicant_ineligible_even_with_missing_facts(self) -> None:
        decision = decide_eligibility(
            facts(social_insurance=None, residence=with_residence(tenure="employer_collective"))
        )
        assert decision.outcome == "ineligible" and not decision.eligible
        assert [c.rule for c in decision.failed_checks] == ["stable_residence.residence"]

    def test_missing_facts_make_the_decision_undetermined_and_are_listed_once(self) -> None:
        decision = decide_eligibility(facts(social_insurance=SocialInsurance(pension_months=3)))
        assert decision.outcome == "undetermined"
        assert decision.missing == ("social_insurance.medical_months",)

    def test_decision_missing_is_deduplicated_in_order(self) -> None:
        checks = (
            Check("a", "二.1", "undetermined", "x", ("residence", "talent")),
            Check("b", "二.2", "undetermined", "y", ("talent", "student")),
        )
        decision = Decision("undetermined", "talent", None, DECISION_DAY, checks)
        assert decision.missing == ("residence", "talent", "student")

    def test_outcome_prefers_failed_over_undetermined_over_eligible(self) -> None:
        ok = Check("a", "二.1", "passed", "ok")
        unknown = Check("b", "二.1", "undetermined", "?")
        no = Check("c", "二.1", "failed", "no")
        assert decision_outcome([ok]) == "eligible"
        assert decision_outcome([ok, unknown]) == "undetermined"
        assert decision_outcome([unknown, no, ok]) == "ineligible"

    def test_an_unknown_channel_fails_rather_than_passing_silently(self) -> None:
        decision = decide_eligibility(facts("points_system"))
        assert decision.outcome == "ineligible"
        assert only(decision.checks, "channel.known").clause == "二"

    def test_no_check_relies_on_a_settlement_target(self) -> None:
        decision = decide_eligibility(facts())
        assert not {"一.1", "一.2", "二.7"} & {c.clause for c in decision.checks}
