"""Education's parameters: national stage ages in code, a county's configured deferral, and
the school year start no configuration may move."""

from __future__ import annotations

from datetime import date

import pytest

from services.education.rules import (
    NATIONAL_PARAMETERS,
    PRIMARY_ENTRY_AGE,
    SENIOR_HIGH_ENTRY_AGE,
    Family,
    Undetermined,
    place_children,
    stage_bands,
)
from shared.parameters import Parameter, ParameterSet
from tests.support import WUJIANG
from tests.unit.education.support import (
    DECIDED,
    NAMES,
    START,
    XINFENG,
    born_aged,
    configured,
    local,
    member,
    only,
    with_national,
)

DEFERRAL = local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=START)
DEFERRED = with_national(DEFERRAL)


class TestParameters:
    def test_a_county_deferring_primary_entry_to_seven_keeps_a_six_year_old_in_preschool(
        self,
    ) -> None:
        six = member(born_aged(6))
        assert only(six, county=XINFENG, parameters=DEFERRED).stage == "preschool"
        assert only(six, county=WUJIANG, parameters=DEFERRED).stage == "primary"

    def test_the_deferral_is_recorded_as_the_version_used(self) -> None:
        family = Family(XINFENG, DECIDED, (member(born_aged(6)),))
        decision = place_children(family, DEFERRED, region_names=NAMES)
        used = {p["name"]: p for p in decision.parameters_used}
        assert used[PRIMARY_ENTRY_AGE]["value"] == 7
        assert used[PRIMARY_ENTRY_AGE]["source"] == "test fixture"

    def test_a_local_value_not_yet_in_force_is_not_used(self) -> None:
        later = with_national(
            local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=date(2020, 1, 1))
        )
        assert only(member(born_aged(6)), county=XINFENG, parameters=later).stage == "primary"

    def test_configured_parameters_join_the_national_ones(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        parameters = configured(monkeypatch, DEFERRAL)
        assert parameters.in_force(PRIMARY_ENTRY_AGE, START, XINFENG) == DEFERRAL
        assert parameters.in_force(PRIMARY_ENTRY_AGE, START, WUJIANG) in NATIONAL_PARAMETERS

    def test_the_school_year_start_cannot_be_configured(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        start = Parameter(
            name="school_year_start",
            value="08-31",
            valid_from=START,
            source="test fixture",
            department="education",
        )
        with pytest.raises(ValueError, match="cannot be configured"):
            configured(monkeypatch, start)

    def test_without_the_stage_ages_each_child_waits_on_the_parameters_by_name(self) -> None:
        placement = only(member(born_aged(7)), parameters=ParameterSet())
        assert placement.outcome == "information_needed"
        assert "parameters.primary_entry_age" in placement.missing
        assert all(m.startswith("parameters.") for m in placement.missing)
        assert "in force on 2019-09-01 in 440203" in placement.reason

    def test_a_stage_age_that_is_not_a_whole_number_is_waited_on_alone(self) -> None:
        wrong = local(PRIMARY_ENTRY_AGE, "seven", county=XINFENG, valid_from=START, unit=None)
        placement = only(member(born_aged(7)), county=XINFENG, parameters=with_national(wrong))
        assert placement.outcome == "information_needed"
        assert placement.missing == ("parameters.primary_entry_age",)
        assert "whole number of years (got 'seven')" in placement.reason

    def test_stage_ages_that_do_not_rise_are_not_applied(self) -> None:
        muddled = with_national(local(SENIOR_HIGH_ENTRY_AGE, 11, county=None, valid_from=START))
        bands = stage_bands(muddled, START, WUJIANG)
        assert isinstance(bands, Undetermined)
        assert "do not rise" in bands.reason
        assert "parameters.senior_high_entry_age" in bands.missing
