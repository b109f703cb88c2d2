"""received_on: never after today (Shaoguan's); a day before today is a paper application
entered later, and needs its reason (`received_on_reason`), kept with the decision and in the
audit log."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from shared import clock
from tests.api.conftest import application
from tests.api.hukou_refusal_support import RefusalApiTests, audit_trail
from tests.api.hukou_support import APPLICATIONS, assert_nothing_written, submit, submitted
from tests.support import Headers, invalid, ok, reason_for


def unexplained(days_ago: int) -> dict[str, object]:
    body = application(received_on=(clock.today() - timedelta(days=days_ago)).isoformat())
    del body["received_on_reason"]
    return body


class TestReceivedOn(RefusalApiTests):
    def test_yesterday_without_a_reason_is_422_naming_the_reason(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, unexplained(1)))

        assert "before today" in reason_for(details, "received_on_reason")
        assert_nothing_written(hukou, officer)

    def test_today_needs_no_reason(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, unexplained(0))

        assert created["received_on"] == clock.today().isoformat()
        assert created["received_on_reason"] is None

    def test_tomorrow_is_422_whatever_the_reason(self, hukou: TestClient, officer: Headers) -> None:
        body = application(received_on=(clock.today() + timedelta(days=1)).isoformat())

        assert reason_for(invalid(submit(hukou, officer, body)), "received_on")
        assert_nothing_written(hukou, officer)

    def test_the_reason_is_kept_with_the_decision_and_in_the_audit_log(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = unexplained(1) | {"received_on_reason": "lodged on paper at the 武江 counter"}

        created = submitted(hukou, officer, body)

        assert created["received_on_reason"] == "lodged on paper at the 武江 counter"
        versions = ok(hukou.get(f"{APPLICATIONS}/{created['id']}/decisions", headers=officer))
        assert versions[0]["request"]["received_on_reason"] == body["received_on_reason"]
        action, _, detail = audit_trail(hukou, created["id"])[0]
        assert action == "settlement.submitted"
        assert detail["received_on"] == body["received_on"]
        assert detail["received_on_reason"] == body["received_on_reason"]
