"""A settled child's placement under 三(八): county and terms, the notice to the family, the
student-status transfer, and the decision's summary."""

from __future__ import annotations

from datetime import date

import pytest

from services.education.rules import (
    CLAUSE,
    PRIMARY_ENTRY_AGE,
    Family,
    place_children,
    summarise,
)
from tests.support import MEIZHOU, WUJIANG
from tests.unit.education.support import (
    DECIDED,
    NAMES,
    NATIONAL,
    XINFENG,
    born_aged,
    member,
    only,
)


class TestPlacement:
    def test_a_placement_is_in_the_destination_county_on_local_terms_citing_three_eight(
        self,
    ) -> None:
        placement = only(member(born_aged(7)))
        assert placement.county == WUJIANG
        assert placement.clause == CLAUSE == "三(八)"
        assert "same terms as local children (同城同待遇)" in placement.reason
        assert "韶关市武江区" in placement.reason
        assert "Compulsory Education Law art. 11" in placement.reason

    def test_the_notice_names_stage_county_and_what_to_bring(self) -> None:
        notice = only(member(born_aged(7))).notice
        assert notice is not None
        assert "韶关市武江区小学学位安排" in notice
        assert "同城同待遇" in notice
        for document in ("户口簿", "出生医学证明", "预防接种证"):
            assert document in notice
        assert "2019年9月1日" in notice
        assert "7周岁" in notice

    def test_a_preschool_notice_speaks_of_kindergarten(self) -> None:
        notice = only(member(born_aged(4))).notice
        assert notice is not None
        assert "幼儿园学位安排" in notice
        assert "入园" in notice

    def test_no_notice_without_a_placement(self) -> None:
        assert only(member(born_aged(1))).notice is None
        assert only(member(born_aged(20))).notice is None

    def test_the_decision_records_the_parameter_versions_it_used(self) -> None:
        family = Family(WUJIANG, DECIDED, (member(born_aged(7)),))
        decision = place_children(family, NATIONAL, region_names=NAMES)
        names = [p["name"] for p in decision.parameters_used]
        assert names[0] == "school_year_start"
        assert PRIMARY_ENTRY_AGE in names
        assert all(p["source"] for p in decision.parameters_used)


class TestStudentTransfers:
    @pytest.mark.parametrize("age", [6, 12, 15, 17])
    def test_school_age_children_get_a_requested_transfer_from_their_previous_region(
        self, age: int
    ) -> None:
        transfer = only(member(born_aged(age))).transfer
        assert transfer is not None
        assert (transfer.from_region_code, transfer.to_region_code) == (MEIZHOU, WUJIANG)
        assert transfer.clause == "三(八)"

    def test_preschool_children_have_no_student_status_to_transfer(self) -> None:
        assert only(member(born_aged(4))).transfer is None

    def test_no_transfer_when_the_previous_registration_is_the_destination_county(self) -> None:
        assert only(member(born_aged(8), previous=WUJIANG)).transfer is None

    def test_a_move_between_shaoguan_counties_is_a_transfer(self) -> None:
        transfer = only(member(born_aged(8), previous=XINFENG)).transfer
        assert transfer is not None
        assert transfer.from_region_code == XINFENG

    def test_the_notice_mentions_the_transfer(self) -> None:
        notice = only(member(born_aged(8))).notice
        assert notice is not None
        assert "学籍转接" in notice
        assert "广东省梅州市梅江区" in notice


class TestSummary:
    def test_the_summary_counts_without_names_or_identity_numbers(self) -> None:
        family = Family(
            WUJIANG,
            DECIDED,
            (
                member(date(1988, 5, 1), "applicant", index=0),
                member(born_aged(7), index=1),
                member(born_aged(1), index=2),
            ),
        )
        summary = place_children(family, NATIONAL, region_names=NAMES).summary()
        assert summary == (
            "三(八) school year 2019-2020 in 440203: 1 placed (primary 1); 1 not placed; "
            "student-status transfers requested: 1"
        )
        assert "张" not in summary

    def test_the_summary_of_recorded_placements_counts_completed_transfers(self) -> None:
        summary = summarise(
            WUJIANG,
            2019,
            [("placed", "primary", True), ("placed", "junior_middle", True)],
            transfers_completed=1,
        )
        assert summary == (
            "三(八) school year 2019-2020 in 440203: 2 placed (primary 1, junior_middle 1); "
            "student-status transfers requested: 2 (completed: 1)"
        )

    def test_the_summary_counts_placements_waiting_on_information(self) -> None:
        summary = summarise(WUJIANG, 2019, [("information_needed", None, False)])
        assert summary == (
            "三(八) school year 2019-2020 in 440203: 0 placed; 1 needing information; "
            "student-status transfers requested: 0"
        )
