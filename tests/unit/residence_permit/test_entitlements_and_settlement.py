"""What a permit entitles to (三(九); 第十二条, 第十三条) and closing it on settlement, no I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.residence_permit.rules import (
    BY_ID,
    ENTITLEMENTS,
    Member,
    OpenPermit,
    Settled,
    Standing,
    answer,
    decide_closures,
    standing_in_words,
    summarise,
)
from tests.unit.residence_permit.support import ART_10

DRIVING = BY_ID["driving_licence"]


def standing(status: Any, **overrides: Any) -> Standing:
    return Standing(permit_id="P1", status=status, valid_to=date(2025, 3, 14), **overrides)


class TestEntitlements:
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
        result = answer(DRIVING, standing("valid"), None)
        assert result.allowed and result.permit_id == "P1" and result.clause == "三(九)"
        assert "valid to 2025-03-14" in result.reason

    def test_a_lapsed_holder_is_not_allowed_until_a_make_up_endorsement(self) -> None:
        result = answer(DRIVING, standing("lapsed"), None)
        assert not result.allowed and result.permit_status == "lapsed"
        assert "make-up endorsement" in result.reason and ART_10 in result.reason

    def test_a_permit_closed_on_settlement_says_the_person_is_a_registered_resident(self) -> None:
        closed = standing(
            "closed", closed_on=date(2024, 10, 1), closed_reason="settled", settlement_id="S1"
        )
        result = answer(DRIVING, closed, None)
        assert not result.allowed and result.permit_status == "closed"
        assert "settled" in result.reason and "registered resident" in result.reason
        assert "S1" in result.reason

    def test_no_permit_is_not_allowed(self) -> None:
        result = answer(DRIVING, None, None)
        assert (result.allowed, result.permit_status, result.permit_id) == (False, "none", None)
        assert "no residence permit" in result.reason

    def test_a_settled_person_without_a_permit_is_told_they_are_a_registered_resident(
        self,
    ) -> None:
        result = answer(DRIVING, None, Settled("S1", date(2024, 10, 1)))
        assert not result.allowed and "registered resident" in result.reason

    def test_the_standing_in_words_of_a_valid_permit_covers_every_service(self) -> None:
        assert "every service" in standing_in_words(standing("valid"))
        assert "lapsed" in standing_in_words(standing("lapsed"))


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
