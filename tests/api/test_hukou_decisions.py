"""Every decision on an application is kept (issue: nothing is overwritten): submission is
version 1, each reassessment the next, and the application shows the latest."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_support import APPLICATIONS, HukouApiTests, fetch, submitted, undetermined_body
from tests.conftest import TokenFactory
from tests.support import Headers, error_of, ok


def decisions(client: TestClient, headers: Headers, application_id: str) -> list[dict[str, Any]]:
    answer = client.get(f"{APPLICATIONS}/{application_id}/decisions", headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


class TestDecisionVersions(HukouApiTests):
    def test_a_submission_is_version_one_with_what_was_known(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, undetermined_body())

        (first,) = decisions(hukou, officer, created["id"])
        assert created["decision_version"] == 1
        assert first["version"] == 1
        assert first["trigger"] == "submitted"
        assert first["status"] == "submitted"
        assert first["decided_by"] == "dept:public_security"
        assert (
            "social_insurance" not in first["request"]
            or first["request"]["social_insurance"] is None
        )
        assert first["eligibility"] == created["eligibility"]

    def test_a_reassessment_adds_a_version_and_keeps_the_first_as_it_was(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, undetermined_body())
        insurance = application()["social_insurance"]
        again = ok(
            hukou.post(
                f"{APPLICATIONS}/{created['id']}/reassess",
                json={"social_insurance": insurance},
                headers=officer,
            )
        )

        first, second = decisions(hukou, officer, created["id"])
        assert again["status"] == "eligible"
        assert again["decision_version"] == 2
        assert fetch(hukou, officer, created["id"])["decision_version"] == 2
        assert first["status"] == "submitted", "the first decision is kept as it was made"
        assert first["eligibility"] == created["eligibility"]
        assert not first["request"].get("social_insurance")
        assert second["trigger"] == "reassessed"
        assert second["status"] == "eligible"
        assert second["supplied"] == ["social_insurance"]
        assert (
            second["request"]["social_insurance"]["pension_months"] == insurance["pension_months"]
        )
        assert second["eligibility"] == again["eligibility"]

    def test_an_unknown_application_has_no_decisions(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        answer = hukou.get(f"{APPLICATIONS}/no-such-application/decisions", headers=officer)
        assert "no-such-application" in error_of(answer, 404, "not_found")["message"]

    def test_a_department_without_settlement_read_may_not_see_them(
        self, hukou: TestClient, officer: Headers, auth: TokenFactory
    ) -> None:
        created = submitted(hukou, officer, application())
        answer = hukou.get(f"{APPLICATIONS}/{created['id']}/decisions", headers=auth("finance"))
        assert answer.status_code == 403
