"""Education follows through (三(八)): a placement waiting on a fact or a parameter, and a
student-status transfer awaiting the receiving side's completion, are open items until they
arrive; only then is education `done`, and no decision places a child or sends a notice twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.education.app import build
from services.education.handlers import FOLLOW_THROUGH
from services.education.operations import TRANSFER_FACT
from services.education.rules import PARAMETERS, PRIMARY_ENTRY_AGE, SCHOOLING_FACT
from shared.clock import today
from shared.follow_through import redecide_waiting
from shared.settings import Settings
from tests.api.education_support import (
    FAMILY,
    QUJIANG,
    RUYUAN,
    SHIXING,
    WENGYUAN,
    ZHENJIANG,
    EducationApiTests,
    Person,
    by_index,
    completion_path,
    configured_parameters,
    decide_directly,
    local_parameter,
    minor_applicant,
    settlement,
)
from tests.settlements import approval, publish_settlement
from tests.support import (
    MEIZHOU,
    Headers,
    error_of,
    eventually,
    invalid,
    nothing_more_to_decide,
    ok,
    outbox_reports,
    quick_settings,
    settlement_record,
    supply,
    token,
)

PARAMETER = f"parameters.{PRIMARY_ENTRY_AGE}"


def two_children(previous: str) -> tuple[Person, ...]:
    """Parents with children of 7 and 6 on 2019-09-01 (6 is primary, or preschool where
    primary school starts at 7), registered before at `previous`."""
    return (
        Person("陈大", "applicant", date(1985, 1, 1), previous),
        Person("陈二", "child", date(2012, 3, 3), previous),
        Person("陈三", "child", date(2013, 5, 1), previous),
    )


def statuses(client: TestClient, settlement_id: str) -> list[str]:
    return [report["status"] for report in outbox_reports(client, settlement_id)]


def items_of(body: dict[str, Any]) -> set[tuple[int | None, str, str]]:
    return {(i["member_index"], i["field"], i["kind"]) for i in body["open_items"]}


def notices(body: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Each placed member's notice: its text and the time it was sent."""
    return {
        i: (p["notice"]["text"], p["notice"]["sent_at"])
        for i, p in by_index(body).items()
        if p["notice"] is not None
    }


def minor_waiting(client: TestClient, previous: str) -> str:
    """A minor applicant registered before at `previous`, settling alone in 曲江区: waits on
    their stage. The settlement id."""
    return decide_directly(client, settlement(county=QUJIANG, people=minor_applicant(previous)))


def stage_supplied(
    client: TestClient, headers: Headers, settlement_id: str, stage: str
) -> dict[str, Any]:
    """The record once the minor applicant's stage is supplied."""
    return ok(supply(client, headers, settlement_id, {SCHOOLING_FACT: stage}, member_index=0))


class FollowThroughTests(EducationApiTests):
    """A service without workers for the class: each test decides its own settlements."""

    @pytest.fixture(scope="class")
    @classmethod
    def service_settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return quick_settings(tmp_path_factory.mktemp("education") / "var", workers=False)

    @pytest.fixture
    def fresh(self, service_settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
        """A service of its own, for a test that counts every settlement waiting."""
        settings = service_settings.model_copy(update={"data_dir": tmp_path / "var"})
        with TestClient(build(settings)) as client:
            yield client


class TestTransfersAwaitingConfirmation(FollowThroughTests):
    def test_each_completion_closes_its_item_and_the_last_makes_education_done(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = decide_directly(education, settlement(county=RUYUAN))
        waiting = settlement_record(education, clerk, settlement_id)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        assert items_of(waiting) == {
            (2, TRANSFER_FACT, "confirmation"),
            (3, TRANSFER_FACT, "confirmation"),
        }
        first, second = sorted(waiting["transfers"], key=lambda t: t["member_index"])

        ok(education.post(completion_path(first), headers=clerk, json={"note": "已转入"}))
        halfway = settlement_record(education, clerk, settlement_id)
        assert (halfway["status"], halfway["version"]) == ("action_needed", 2)
        assert items_of(halfway) == {(3, TRANSFER_FACT, "confirmation")}
        assert halfway["open_items"] == [i for i in waiting["open_items"] if i["member_index"] == 3]

        ok(education.post(completion_path(second), headers=clerk))
        done = settlement_record(education, clerk, settlement_id)

        assert (done["status"], done["open_items"], done["version"]) == ("done", [], 3)
        assert "(completed: 2)" in done["summary"]
        reports = outbox_reports(education, settlement_id)
        assert [(r["status"], r["version"]) for r in reports] == [
            ("action_needed", 1),
            ("action_needed", 2),
            ("done", 3),
        ]
        assert reports[-1]["open_items"] == []
        # Decided three times: the same placements, each notice sent once, the same transfers.
        assert done["placements"] == waiting["placements"]
        assert notices(done) == notices(waiting)
        assert [t["id"] for t in done["transfers"]] == [first["id"], second["id"]]

    def test_a_completion_that_is_refused_decides_nothing(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = decide_directly(education, settlement(county=RUYUAN))
        transfer = settlement_record(education, clerk, settlement_id)["transfers"][0]

        response = education.post(
            completion_path(transfer), headers=clerk, json={"completed_on": "2019-01-01"}
        )

        assert invalid(response)[0]["field"] == "completed_on"
        assert settlement_record(education, clerk, settlement_id)["version"] == 1
        assert statuses(education, settlement_id) == ["action_needed"]


class TestMinorApplicant(FollowThroughTests):
    def test_the_stage_supplied_places_the_applicant_and_education_is_done(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = minor_waiting(education, QUJIANG)
        waiting = settlement_record(education, clerk, settlement_id)
        assert waiting["status"] == "action_needed"
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            0,
            SCHOOLING_FACT,
            "information",
        )
        assert "whether they attend school, and at which stage" in item["reason"]
        assert "王五" not in item["reason"]

        answered = stage_supplied(education, clerk, settlement_id, "senior_high")

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        [placed] = answered["placements"]
        assert (placed["outcome"], placed["stage"], placed["information_needed"]) == (
            "placed",
            "senior_high",
            [],
        )
        assert placed["notice"]["text"].startswith("王五：")
        assert answered["transfers"] == []  # registered in the county already
        assert answered == settlement_record(education, clerk, settlement_id)
        reports = outbox_reports(education, settlement_id)
        assert [(r["status"], r["version"]) for r in reports] == [("action_needed", 1), ("done", 2)]
        assert reports[-1]["open_items"] == []

    def test_an_applicant_attending_no_school_is_not_placed_and_education_is_done(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = minor_waiting(education, MEIZHOU)

        answered = stage_supplied(education, clerk, settlement_id, "not_in_school")

        assert answered["status"] == "done"
        assert [(p["outcome"], p["notice"]) for p in answered["placements"]] == [
            ("no_placement", None)
        ]
        assert answered["transfers"] == []

    def test_a_stage_supplied_that_needs_a_transfer_opens_its_confirmation_once(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = minor_waiting(education, MEIZHOU)

        answered = stage_supplied(education, clerk, settlement_id, "junior_middle")

        assert answered["status"] == "action_needed"
        assert items_of(answered) == {(0, TRANSFER_FACT, "confirmation")}
        [transfer] = answered["transfers"]
        assert transfer["stage"] == "junior_middle"
        again = supply(
            education, clerk, settlement_id, {SCHOOLING_FACT: "senior_high"}, member_index=0
        )
        error_of(again, 409, "conflict")  # nothing asks for it any more
        assert settlement_record(education, clerk, settlement_id)["transfers"] == [transfer]

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, education: TestClient, clerk: Headers, tmp_path: Path
    ) -> None:
        days = local_parameter("follow_through_days", 30, None, unit="days")
        with configured_parameters(tmp_path / "education.json", [days]):
            settlement_id = minor_waiting(education, QUJIANG)
        [item] = settlement_record(education, clerk, settlement_id)["open_items"]
        assert item["due_on"] == (today() + timedelta(days=30)).isoformat()


class TestBadInformation(FollowThroughTests):
    """A fact no open item asks for is refused (the rest: test_supplying_information.py)."""

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, education: TestClient, clerk: Headers
    ) -> None:
        settlement_id = decide_directly(education, settlement(county=SHIXING))

        response = supply(
            education, clerk, settlement_id, {SCHOOLING_FACT: "primary"}, member_index=2
        )

        error_of(response, 409, "conflict")
        assert settlement_record(education, clerk, settlement_id)["version"] == 1


class TestRedelivery(FollowThroughTests):
    def test_the_same_approval_again_even_under_another_event_id_changes_nothing(
        self, education: TestClient, clerk: Headers
    ) -> None:
        data = settlement(county=WENGYUAN)
        event = approval(data)
        decide_directly(education, data, event)
        first = settlement_record(education, clerk, data.settlement_id)

        decide_directly(education, data, event)  # the same event
        decide_directly(education, data)  # the same approval, a new event id

        again = settlement_record(education, clerk, data.settlement_id)
        assert again == first
        assert again["version"] == 1
        assert len(again["placements"]) == len(FAMILY) - 2
        assert len(again["transfers"]) == 2
        assert statuses(education, data.settlement_id) == ["action_needed"]


class TestParameterArriving(FollowThroughTests):
    """A stage age recorded wrongly leaves each child's placement open, of kind parameter; the
    value recorded right decides again exactly the settlements waiting on it, once."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path) -> Iterator[Path]:
        """浈江区 has recorded primary school from "seven", in words: no age applies there."""
        wrong = local_parameter(PRIMARY_ENTRY_AGE, "seven", ZHENJIANG, unit="years")
        with configured_parameters(tmp_path / "education.json", [wrong]) as path:
            yield path

    def test_a_wrong_stage_age_is_an_open_item_of_kind_parameter_for_each_child(
        self, education: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        body = settlement_record(
            education,
            clerk,
            decide_directly(
                education, settlement(county=ZHENJIANG, people=two_children(ZHENJIANG))
            ),
        )

        assert body["status"] == "action_needed"
        assert items_of(body) == {(1, PARAMETER, "parameter"), (2, PARAMETER, "parameter")}
        assert all("got 'seven'" in item["reason"] for item in body["open_items"])
        assert {p["outcome"] for p in body["placements"]} == {"information_needed"}
        assert notices(body) == {}
        assert body["transfers"] == []

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, fresh: TestClient, clerk: Headers, parameter_file: Path
    ) -> None:
        waiting = [
            decide_directly(fresh, settlement(county=ZHENJIANG, people=two_children(ZHENJIANG)))
            for _ in range(2)
        ]
        elsewhere = minor_waiting(fresh, QUJIANG)
        db = fresh.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        deferral = local_parameter(PRIMARY_ENTRY_AGE, 7, ZHENJIANG, unit="years")
        parameter_file.write_text(json.dumps([deferral]))
        assert PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 2
        for settlement_id in waiting:
            now = settlement_record(fresh, clerk, settlement_id)
            assert (now["status"], now["open_items"], now["version"]) == ("done", [], 2)
            stages = {i: p["stage"] for i, p in by_index(now).items()}
            assert stages == {1: "primary", 2: "preschool"}  # 6 is preschool where 7 starts
            assert set(notices(now)) == {1, 2}
            reports = outbox_reports(fresh, settlement_id)
            assert [(r["status"], r["version"]) for r in reports] == [
                ("action_needed", 1),
                ("done", 2),
            ]
        assert settlement_record(fresh, clerk, elsewhere)["version"] == 1
        nothing_more_to_decide(db, FOLLOW_THROUGH, PARAMETERS)


class TestWatcher:
    @pytest.fixture
    def watched(self, tmp_path: Path) -> Iterator[tuple[TestClient, Settings, Path]]:
        """A running education service whose parameters file records a stage age wrongly."""
        wrong = local_parameter(PRIMARY_ENTRY_AGE, 6.5, ZHENJIANG, unit="years")
        with configured_parameters(tmp_path / "education.json", [wrong]) as path:
            settings = quick_settings(tmp_path / "var", workers=True)
            with TestClient(build(settings)) as client:
                yield client, settings, path

    def test_a_running_service_decides_again_by_itself_when_the_age_is_recorded(
        self, watched: tuple[TestClient, Settings, Path]
    ) -> None:
        client, settings, path = watched
        clerk = token(settings, "education")
        data = settlement(county=ZHENJIANG, people=two_children(ZHENJIANG))
        publish_settlement(settings, data)

        def status() -> str | None:
            response = client.get(f"/v1/settlements/{data.settlement_id}", headers=clerk)
            return str(response.json()["status"]) if response.status_code == 200 else None

        assert eventually(status, what="education to act") == "action_needed"
        path.write_text(
            json.dumps([local_parameter(PRIMARY_ENTRY_AGE, 6, ZHENJIANG, unit="years")])
        )

        eventually(lambda: status() == "done", what="the waiting family to be decided again")
        assert settlement_record(client, clerk, data.settlement_id)["version"] == 2
