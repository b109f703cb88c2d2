"""An approved settlement closes the settled members' permits, and the service reports it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.residence_permit_support import (
    REGISTRATIONS,
    STILL_RESIDENT,
    ResidencePermitApiTests,
    application,
    apply,
    check,
    closures_of,
    dead_letters,
    endorse,
    fetch,
    field_reasons,
    issued,
    issued_on,
    lone_settlement,
    processed,
    register,
    registration,
    residence_history,
    settlement,
    today,
    wait_for,
    years_ago,
)
from tests.settlements import decided, hukou_event, on_the_approved_topic, published_twice
from tests.support import (
    Headers,
    acted_on,
    caught_up,
    consumed,
    error_of,
    get_settlement,
    ok,
    person_id,
    publish,
)


def searched_registrations(client: TestClient, headers: Headers, id_number: str) -> Any:
    """The person's residence registrations, newest first."""
    body = {"id_number": id_number}
    return ok(client.post(f"{REGISTRATIONS}/search", json=body, headers=headers))["items"]


class TestSettlement(ResidencePermitApiTests):
    def family(self, client: TestClient, headers: Headers) -> tuple[dict[str, Any], ...]:
        """An applicant with a valid permit, a spouse whose permit lapsed, a child with none."""
        applicant = issued(client, headers, application())
        spouse = issued(client, headers, issued_on(years_ago(1, days=3)))
        child = person_id(years_ago(8))
        return applicant, spouse, {"id_number": child}

    def test_before_acting_on_a_settlement_it_is_404(
        self, service: TestClient, officer: Headers
    ) -> None:
        error_of(get_settlement(service, officer, "unknown"), 404, "not_found")

    def test_the_settled_familys_permits_are_closed_and_processed_is_reported(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        applicant, spouse, child = self.family(service, officer)
        approved = settlement(
            [
                (applicant["id_number"], "applicant", date(1990, 5, 1)),
                (spouse["id_number"], "spouse", date(1990, 5, 1)),
                (child["id_number"], "child", years_ago(8)),
            ]
        )
        sid = approved.settlement_id
        result = decided(service, settings, officer, approved)

        assert result["settlement_id"] == sid and result["clause"] == "三(九)"
        assert (result["status"], result["open_items"], result["version"]) == ("done", [], 1)
        assert result["information_needed"] == [] and result["parameters"] == []
        closed = {c["permit_id"]: c for c in result["closed_permits"]}
        assert set(closed) == {applicant["id"], spouse["id"]}
        assert closed[applicant["id"]]["status_before"] == "valid"
        assert closed[spouse["id"]]["status_before"] == "lapsed"
        assert all("*" in c["id_number"] for c in result["closed_permits"])  # masked
        assert [d["decision"] for d in result["decisions"]] == [
            "permit_closed",
            "permit_closed",
            "no_open_permit",
        ]
        assert result["summary"].startswith("2 residence permit(s) closed")

        reread = fetch(service, officer, applicant["id"])
        assert reread["status"] == "closed" and reread["closed_reason"] == "settled"
        assert reread["closed_by_settlement_id"] == sid

        [event] = wait_for(lambda: processed(settings, sid))
        assert event["type"] == "cn.gov.shaoguan.residence_permit.settlement.processed"
        assert event["data"]["outcome"] == "done"
        assert (event["data"]["status"], event["data"]["open_items"]) == ("done", [])
        assert event["data"]["version"] == 1
        assert event["data"]["summary"] == result["summary"]
        assert applicant["id_number"] not in str(event)

        answer = ok(check(service, officer, applicant["id_number"], "driving_licence"), 200)
        assert answer["allowed"] is False and answer["permit_status"] == "closed"
        assert "registered resident" in answer["reason"]
        child_answer = ok(check(service, officer, child["id_number"], "driving_licence"), 200)
        assert "registered resident" in child_answer["reason"]

        error_of(endorse(service, officer, applicant["id"], STILL_RESIDENT), 409, "conflict")
        again = apply(service, officer, application(id_number=applicant["id_number"]))
        assert "settled in Shaoguan" in field_reasons(again)["hukou_region_code"]
        history = ok(residence_history(service, officer, applicant["id_number"]), 200)
        assert history["settled"][0]["settlement_id"] == sid

    def test_the_same_event_twice_closes_once_and_reports_once(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        permit = issued(service, officer, application())
        approved = settlement([(permit["id_number"], "applicant", date(1990, 5, 1))])
        sid = approved.settlement_id
        published_twice(settings, approved)
        acted_on(service, officer, sid)
        caught_up(service, settings, "residence_permit")
        again = acted_on(service, officer, sid)
        assert len(again["closed_permits"]) == 1 and again["version"] == 1
        assert closures_of(service, permit["id"]) == (1, 1)  # one record, one audit entry
        [event] = processed(settings, sid)
        assert (event["data"]["outcome"], event["data"]["status"]) == ("done", "done")

    def test_a_settled_members_registration_ends_on_the_day_of_settlement(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        # 广东省流动人口服务管理条例 第二条: the floating population left their 常住户口所在地; a
        # settled member's household registration is now in Shaoguan.
        permit = issued(service, officer, application())
        [held] = searched_registrations(service, officer, permit["id_number"])
        approved = settlement([(permit["id_number"], "applicant", date(1990, 5, 1))])
        decided(service, settings, officer, approved)
        [ended] = searched_registrations(service, officer, permit["id_number"])
        assert ended["id"] == held["id"] and held["in_force"]
        assert ended["ended_on"] == today().isoformat() and not ended["in_force"]
        again = register(service, officer, registration(id_number=permit["id_number"]))
        assert "settled in Shaoguan" in field_reasons(again)["hukou_region_code"]

    def test_a_settlement_with_no_permit_to_close_is_done_with_zero(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = lone_settlement()
        result = decided(service, settings, officer, approved)
        assert result["closed_permits"] == [] and result["summary"].startswith("0 ")
        assert (result["status"], result["open_items"]) == ("done", [])
        [event] = wait_for(lambda: processed(settings, approved.settlement_id))
        assert (event["data"]["outcome"], event["data"]["status"]) == ("done", "done")

    def test_an_unknown_type_is_skipped_and_a_newer_minor_version_is_handled(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        unknown = lone_settlement()
        renamed = hukou_event(
            unknown.settlement_id,
            unknown.model_dump(mode="json"),
            type_="cn.gov.shaoguan.hukou.settlement.renamed",
        )
        on_the_approved_topic(settings, renamed)
        newer = lone_settlement()
        data = {**newer.model_dump(mode="json"), "something_new": {"added": "in 1.9"}}
        publish(settings, hukou_event(newer.settlement_id, data, dataversion="2.9"))
        acted_on(service, officer, newer.settlement_id)
        wait_for(lambda: consumed(settings, "residence_permit"))
        error_of(get_settlement(service, officer, unknown.settlement_id), 404, "not_found")
        assert dead_letters(settings, unknown.settlement_id) == []
        assert dead_letters(settings, newer.settlement_id) == []

    def test_a_poisoned_event_is_dead_lettered_and_reported_failed(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = lone_settlement()
        data = approved.model_dump(mode="json")
        data["members"][0]["relation"] = "cousin"  # no such member of a settling household
        sid = approved.settlement_id
        publish(settings, hukou_event(sid, data))
        [letter] = wait_for(lambda: dead_letters(settings, sid))
        assert letter["data"]["settlement_id"] == sid
        [event] = wait_for(lambda: processed(settings, sid))
        assert (event["data"]["outcome"], event["data"]["status"]) == ("failed", "failed")
        error_of(get_settlement(service, officer, sid), 404, "not_found")

    def test_a_settlement_outside_the_city_fails_and_the_next_event_is_still_handled(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = lone_settlement(decided_at=datetime(2024, 1, 1, tzinfo=UTC))
        data = approved.model_dump(mode="json")
        data["destination_region_code"] = "440300"  # Shenzhen: not this city's settlement
        publish(settings, hukou_event(approved.settlement_id, data))
        healthy = lone_settlement()
        decided(service, settings, officer, healthy)
        [event] = wait_for(lambda: processed(settings, approved.settlement_id))
        assert event["data"]["outcome"] == "failed"
        assert "not a Shaoguan county" in event["data"]["summary"]
        # Nothing of the failed decision is kept: no case, no record.
        error_of(get_settlement(service, officer, approved.settlement_id), 404, "not_found")
