"""Student-status transfers (学籍转接) education requests for placed children: read, listed,
completed once by the receiving side."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from fastapi.testclient import TestClient

from shared import clock
from shared.settings import Settings
from tests.api.education_support import (
    RENHUA,
    RUYUAN,
    EducationApiTests,
    Settle,
    completion_path,
    settlement,
    transfer_path,
)
from tests.settlements import decided
from tests.support import Headers, error_of, ok, token

UTC_AFTERNOON = datetime(2019, 6, 1, 17, 0, tzinfo=UTC)  # 01:00 on 2 June in Shaoguan


class TestStudentTransfers(EducationApiTests):
    def test_a_transfer_reads_back(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.get(transfer_path(transfer), headers=clerk)
        assert response.status_code == 200
        assert response.json() == transfer
        assert transfer["from_region_name"] == "广东省梅州市梅江区"
        assert transfer["to_region_name"] == "韶关市乳源瑶族自治县"

    def test_an_unknown_transfer_is_404(self, education: TestClient, clerk: Headers) -> None:
        assert education.get("/v1/student-transfers/nope", headers=clerk).status_code == 404
        response = education.post("/v1/student-transfers/nope/completion", headers=clerk)
        assert response.status_code == 404

    def test_completing_marks_it_completed_with_who_and_when(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer),
            headers=clerk,
            json={"receiving_school": "乳源县第一小学", "note": "已转入"},
        )
        done = ok(response)
        assert done["status"] == "completed"
        assert done["completed_on"] == clock.today().isoformat()  # today in Shaoguan
        assert done["completed_by"] == "dept:education"
        assert done["receiving_school"] == "乳源县第一小学"

    def test_the_day_of_the_request_and_of_completion_are_shaoguans_not_utcs(
        self, education: TestClient, service_settings: Settings
    ) -> None:
        with time_machine.travel(UTC_AFTERNOON, tick=True):
            clerk = token(service_settings, "education")  # a token of that day
            decision = decided(education, service_settings, clerk, settlement(county=RUYUAN))
            transfer = decision["transfers"][0]
            on_utcs_day = education.post(
                completion_path(transfer), headers=clerk, json={"completed_on": "2019-06-01"}
            )
            done = education.post(completion_path(transfer), headers=clerk)
        assert on_utcs_day.status_code == 422, on_utcs_day.text
        reason = on_utcs_day.json()["error"]["details"][0]["reason"]
        assert "requested on 2019-06-02" in reason
        assert done.status_code == 200, done.text
        assert done.json()["completed_on"] == "2019-06-02"

    def test_completing_twice_is_409(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        assert education.post(completion_path(transfer), headers=clerk).status_code == 200
        again = education.post(completion_path(transfer), headers=clerk)
        assert "already completed" in error_of(again, 409, "conflict")["message"]

    def test_the_same_idempotency_key_returns_the_first_answer(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        headers = {**clerk, "Idempotency-Key": f"complete-{transfer['id']}"}
        first = education.post(completion_path(transfer), headers=headers, json={"note": "ok"})
        second = education.post(completion_path(transfer), headers=headers, json={"note": "ok"})
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.json() == first.json()

    def test_the_same_idempotency_key_with_another_body_is_409(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        headers = {**clerk, "Idempotency-Key": f"complete-{transfer['id']}"}
        first = education.post(completion_path(transfer), headers=headers, json={})
        assert first.status_code == 200
        other = education.post(completion_path(transfer), headers=headers, json={"note": "x"})
        assert error_of(other, 409, "conflict")["details"][0]["field"] == "Idempotency-Key"

    def test_the_list_filters_by_status_and_receiving_county_and_pages(
        self, education: TestClient, clerk: Headers, settle: Settle
    ) -> None:
        first = settle(RENHUA)
        settle(RENHUA)
        done = first["transfers"][0]
        assert education.post(completion_path(done), headers=clerk).is_success

        def listed(**params: Any) -> dict[str, Any]:
            return ok(education.get("/v1/student-transfers", headers=clerk, params=params))

        assert listed(region_code=RENHUA)["total"] == 4
        requested = listed(region_code=RENHUA, status="requested")
        assert requested["total"] == 3
        assert {t["status"] for t in requested["items"]} == {"requested"}
        completed = listed(region_code=RENHUA, status="completed")
        assert [t["id"] for t in completed["items"]] == [done["id"]]
        page = listed(region_code=RENHUA, page=2, page_size=3)
        assert (page["total"], len(page["items"]), page["page"]) == (4, 1, 2)
        assert {t["to_region_code"] for t in listed(region_code=RENHUA)["items"]} == {RENHUA}
