"""The review (复核) of a refusal: the family asks with its grounds; another officer than the
one who refused decides it (the officer is read from the token); every step is kept."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_refusal_support import (
    RefusalApiTests,
    ask_review,
    audit_trail,
    decide_review,
    rejected_under_review,
    reviews,
)
from tests.api.hukou_support import fetch, ineligible_body, reject, submit, submitted
from tests.conftest import TokenFactory
from tests.support import Headers, error_of, invalid, ok, reason_for

WANG = "dept:public_security/officer:ps-0001"
LI = "dept:public_security/officer:ps-0002"


class TestAskingForReview(RefusalApiTests):
    def test_a_rejected_family_asks_and_the_refusal_is_copied_in(
        self, hukou: TestClient, officer_wang: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, application())
        reject(hukou, officer_wang, created["id"])

        review = ok(ask_review(hukou, officer_wang, created["id"]), 201)

        assert review["reviewed_status"] == "rejected"
        assert review["reviewed_ground"] == "false_information"
        assert review["reviewed_reason"] == "documents forged"
        assert review["reviewed_decided_by"] == WANG
        assert review["grounds"] == "the lease is real" and review["outcome"] is None
        assert fetch(hukou, officer_wang, created["id"])["status"] == "rejected"

    def test_an_ineligible_family_asks_against_the_rules_decision(
        self, hukou: TestClient, officer_wang: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, ineligible_body())

        review = ok(ask_review(hukou, officer_wang, created["id"]), 201)

        assert review["reviewed_status"] == "ineligible"
        assert review["reviewed_decision_version"] == 1
        assert review["reviewed_decided_by"] == WANG  # who submitted the decided version

    def test_an_eligible_application_has_no_refusal_to_review(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        error = error_of(ask_review(hukou, officer, created["id"]), 409, "conflict")

        assert "eligible" in error["message"]
        assert reviews(hukou, officer, created["id"]) == []

    def test_one_review_at_a_time(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, ineligible_body())
        ask_review(hukou, officer, created["id"])

        error = error_of(ask_review(hukou, officer, created["id"]), 409, "conflict")

        assert "open already" in error["message"]

    def test_an_upheld_refusal_is_not_reviewed_twice(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, ineligible_body())
        ask_review(hukou, officer_wang, created["id"])
        decide_review(hukou, officer_li, created["id"], "upheld", "eleven months are eleven")

        error = error_of(ask_review(hukou, officer_wang, created["id"]), 409, "conflict")

        assert "reviewed already" in error["message"]

    def test_asking_without_grounds_is_422(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, ineligible_body())

        details = invalid(ask_review(hukou, officer, created["id"], grounds=" "))

        assert reason_for(details, "grounds")
        assert reviews(hukou, officer, created["id"]) == []


class TestTwoPersonRule(RefusalApiTests):
    def test_the_officer_who_refused_cannot_decide_the_review(
        self, hukou: TestClient, officer_wang: Headers
    ) -> None:
        created = rejected_under_review(hukou, officer_wang)

        error = error_of(decide_review(hukou, officer_wang, created["id"]), 403, "forbidden")

        assert "ps-0001 made the refusal" in error["message"]
        assert "two-person" in error["message"]
        assert reviews(hukou, officer_wang, created["id"])[0]["outcome"] is None
        assert fetch(hukou, officer_wang, created["id"])["status"] == "rejected"

    def test_a_token_naming_no_officer_cannot_decide_a_review(
        self, hukou: TestClient, officer_wang: Headers, officer: Headers
    ) -> None:
        created = rejected_under_review(hukou, officer_wang)

        error = error_of(decide_review(hukou, officer, created["id"]), 403, "forbidden")

        assert "--officer" in error["message"]

    def test_deciding_with_no_open_review_is_404(
        self, hukou: TestClient, officer_li: Headers
    ) -> None:
        created = submitted(hukou, officer_li, ineligible_body())

        error_of(decide_review(hukou, officer_li, created["id"]), 404, "not_found")


class TestDecidingTheReview(RefusalApiTests):
    def test_an_overturned_rejection_gives_back_the_status_it_closed(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        family = application()
        created = rejected_under_review(hukou, officer_wang, family)

        decided = ok(decide_review(hukou, officer_li, created["id"]))

        assert decided["outcome"] == "overturned" and decided["decided_by"] == LI
        stored = fetch(hukou, officer_li, created["id"])
        assert stored["status"] == "eligible"
        assert stored["rejection_ground"] is None and stored["rejection_reason"] is None
        # The family is held again: the same people cannot open a second application.
        error_of(submit(hukou, officer_li, family), 409, "conflict")

    def test_an_overturned_rules_refusal_awaits_a_new_decision(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, ineligible_body())
        ask_review(hukou, officer_wang, created["id"], "the insurer's record shows 12 months")

        ok(decide_review(hukou, officer_li, created["id"]))

        assert fetch(hukou, officer_li, created["id"])["status"] == "submitted"

    def test_an_upheld_refusal_stands(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        created = rejected_under_review(hukou, officer_wang)

        decided = ok(decide_review(hukou, officer_li, created["id"], "upheld", "forged indeed"))

        assert decided["outcome"] == "upheld"
        assert fetch(hukou, officer_li, created["id"])["status"] == "rejected"

    def test_overturning_while_another_application_holds_the_family_is_409(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        family = application()
        created = rejected_under_review(hukou, officer_wang, family)
        submitted(hukou, officer_wang, family)  # the family applied again meanwhile

        error_of(decide_review(hukou, officer_li, created["id"]), 409, "conflict")

        assert fetch(hukou, officer_li, created["id"])["status"] == "rejected"
        assert reviews(hukou, officer_li, created["id"])[0]["outcome"] is None

    def test_a_target_in_the_reviews_reason_is_422(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, ineligible_body())
        ask_review(hukou, officer_wang, created["id"])

        response = decide_review(hukou, officer_li, created["id"], "upheld", "the quota is full")

        assert "二.7" in reason_for(invalid(response), "reason")

    def test_every_step_is_in_the_audit_log(
        self, hukou: TestClient, officer_wang: Headers, officer_li: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, application())
        reject(hukou, officer_wang, created["id"])
        review = ok(ask_review(hukou, officer_wang, created["id"]), 201)
        decide_review(hukou, officer_li, created["id"])

        trail = audit_trail(hukou, created["id"])

        assert [(action, actor) for action, actor, _ in trail] == [
            ("settlement.submitted", WANG),
            ("settlement.rejected", WANG),
            ("settlement.review_requested", WANG),
            ("settlement.review_decided", LI),
        ]
        requested, decided = trail[2][2], trail[3][2]
        assert requested["review_id"] == review["id"] == decided["review_id"]
        assert requested["grounds"] == "the lease is real"
        assert decided["outcome"] == "overturned" and decided["status"] == "eligible"


class TestWhoMayReview(RefusalApiTests):
    def test_a_token_that_only_reads_neither_asks_nor_decides(
        self, hukou: TestClient, officer_wang: Headers, auth: TokenFactory
    ) -> None:
        created = submitted(hukou, officer_wang, ineligible_body())
        reader = auth("public_security", "settlement:read")

        error_of(ask_review(hukou, reader, created["id"]), 403, "forbidden")
        ok(ask_review(hukou, officer_wang, created["id"]), 201)
        error_of(decide_review(hukou, reader, created["id"]), 403, "forbidden")

        assert reviews(hukou, reader, created["id"])[0]["outcome"] is None
