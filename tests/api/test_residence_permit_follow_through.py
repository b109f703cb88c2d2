"""Residence permits follow through (docs/contract.md, "Follow-through"): closing the settled
members' permits takes no fact and no parameter, so the department is `done` on its first
decision, and no later decision closes anything again (三(九))."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.residence_permit.handlers import FOLLOW_THROUGH
from services.residence_permit.rules import PARAMETERS
from shared.follow_through import decide_again, redecide_waiting
from shared.settings import Settings
from shared.settlement import SettlementApproved, SettlementProcessed
from tests.api.residence_permit_support import (
    ResidencePermitApiTests,
    application,
    closures_of,
    db_of,
    fetch,
    issued,
    processed,
    settlement,
    today,
    wait_for,
    years_ago,
)
from tests.settlements import decided, publish_settlement
from tests.support import (
    Headers,
    acted_on,
    caught_up,
    error_of,
    invalid,
    local_parameter,
    outbox_reports,
    person_id,
    reason_for,
    refused_supply,
    supply,
    token,
)


@dataclass(frozen=True)
class Holder:
    """A permit holder settled: the permit, the approval, and the record of its first decision."""

    permit: dict[str, Any]
    approved: SettlementApproved
    first: dict[str, Any]

    @property
    def settlement_id(self) -> str:
        return self.approved.settlement_id


def settled_holder(client: TestClient, headers: Headers, settings: Settings) -> Holder:
    """A permit holder who settles with a child holding none, acted on with everything it made
    published."""
    permit = issued(client, headers, application())
    approved = settlement(
        [
            (permit["id_number"], "applicant", date(1990, 5, 1)),
            (person_id(years_ago(8)), "child", years_ago(8)),
        ]
    )
    decided(client, settings, headers, approved)
    caught_up(client, settings, "residence_permit")
    return Holder(permit, approved, acted_on(client, headers, approved.settlement_id))


def versions(client: TestClient, settlement_id: str) -> list[tuple[str, list[Any], int]]:
    """Each `settlement.processed` written on the settlement: its status, items and version."""
    return [
        (r["status"], r["open_items"], r["version"]) for r in outbox_reports(client, settlement_id)
    ]


def as_first_decided(client: TestClient, headers: Headers, holder: Holder) -> None:
    """Nothing has changed since the first decision: its record, the permit closed once, and the
    one report, `done`."""
    assert acted_on(client, headers, holder.settlement_id) == holder.first
    assert closures_of(client, holder.permit["id"]) == (1, 1)
    assert versions(client, holder.settlement_id) == [("done", [], 1)]


class TestDoneAtOnce(ResidencePermitApiTests):
    def test_the_record_begins_with_status_open_items_and_version_and_keeps_the_closures(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        holder = settled_holder(service, officer, settings)
        permit, settlement_id = holder.permit, holder.settlement_id

        record = acted_on(service, officer, settlement_id)

        assert list(record)[:4] == ["settlement_id", "status", "open_items", "version"]
        assert (record["status"], record["open_items"], record["version"]) == ("done", [], 1)
        assert [c["permit_id"] for c in record["closed_permits"]] == [permit["id"]]
        assert [d["decision"] for d in record["decisions"]] == ["permit_closed", "no_open_permit"]
        [event] = wait_for(lambda: processed(settings, settlement_id))
        report = SettlementProcessed.model_validate(event["data"])
        assert (report.current_status, report.open_items, report.version) == ("done", [], 1)
        assert report.summary == record["summary"]

    def test_an_approval_delivered_again_under_another_event_id_changes_nothing(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        holder = settled_holder(service, officer, settings)

        publish_settlement(settings, holder.approved)  # the same approval, in an event of a new id
        caught_up(service, settings, "residence_permit")

        as_first_decided(service, officer, holder)

    def test_deciding_again_closes_nothing_more_and_reports_done_again(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        holder = settled_holder(service, officer, settings)
        permit, before, settlement_id = holder.permit, holder.first, holder.settlement_id
        closed = fetch(service, officer, permit["id"])

        with db_of(service).unit_of_work() as session:
            status = decide_again(
                session, FOLLOW_THROUGH, settlement_id, trigger="confirmation", actor="test"
            )

        assert status == "done"
        after = acted_on(service, officer, settlement_id)
        assert (after["status"], after["open_items"], after["version"]) == ("done", [], 2)
        unchanged = ("version", "status", "open_items")
        assert {k: v for k, v in after.items() if k not in unchanged} == {
            k: v for k, v in before.items() if k not in unchanged
        }
        assert fetch(service, officer, permit["id"]) == closed  # closed once, as it was
        assert closures_of(service, permit["id"]) == (1, 1)
        assert versions(service, settlement_id) == [("done", [], 1), ("done", [], 2)]
        summaries = [r["summary"] for r in outbox_reports(service, settlement_id)]
        assert summaries == [before["summary"]] * 2  # the closures made, reported again


class TestInformation(ResidencePermitApiTests):
    """The information route is there, as in every department, and takes no fact: whatever
    is supplied is a 422 naming it, and nothing is written."""

    @pytest.mark.parametrize(
        ("facts", "member_index", "field"),
        [
            ({"residence.tenure": "rented"}, None, "facts.residence.tenure"),
            ({"permit_id": "any"}, 0, "facts.permit_id"),
            ({"housing.monthly_household_income": 4200}, 5, "member_index"),  # two members
        ],
    )
    def test_a_fact_supplied_is_a_422_naming_it_and_changes_nothing(
        self,
        service: TestClient,
        officer: Headers,
        settings: Settings,
        facts: dict[str, Any],
        member_index: int | None,
        field: str,
    ) -> None:
        holder = settled_holder(service, officer, settings)
        settlement_id = holder.settlement_id

        refusal = refused_supply(
            service, officer, settlement_id, facts, member_index=member_index, field=field
        )

        if field.startswith("facts."):
            reason = reason_for(invalid(refusal), field)
            assert "not a fact this department takes (none)" in reason
        as_first_decided(service, officer, holder)

    def test_the_same_key_again_changes_nothing_and_keeps_no_answer(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        holder = settled_holder(service, officer, settings)
        settlement_id = holder.settlement_id
        facts = {"residence.tenure": "rented"}

        first = supply(service, officer, settlement_id, facts, key="permit-supply-1")
        again = supply(service, officer, settlement_id, facts, key="permit-supply-1")

        assert again.json() == first.json()
        reason_for(invalid(again), "facts.residence.tenure")
        # A refusal is not kept as the key's answer: another body under it is refused afresh.
        other = supply(service, officer, settlement_id, {"other": 1}, key="permit-supply-1")
        reason_for(invalid(other), "facts.other")
        as_first_decided(service, officer, holder)

    def test_a_settlement_not_acted_on_is_a_404(
        self, service: TestClient, officer: Headers
    ) -> None:
        response = supply(service, officer, "no-such-settlement", {"residence.tenure": "rented"})
        error_of(response, 404, "not_found")

    def test_reading_is_not_enough_to_supply(
        self, service: TestClient, officer: Headers, settings: Settings
    ) -> None:
        approved = settled_holder(service, officer, settings).approved
        reader = token(settings, "public_security", "permit:read")

        response = supply(service, reader, approved.settlement_id, {"residence.tenure": "rented"})

        error_of(response, 403, "forbidden")


class TestParameters(ResidencePermitApiTests):
    """`follow_through_days` is accepted like everywhere; no settlement waits on a parameter,
    so one arriving decides nothing again."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
        path = tmp_path / "residence_permit-parameters.json"
        path.write_text(json.dumps([follow_through_days(30)]))
        monkeypatch.setenv(PARAMETERS.variable, str(path))
        PARAMETERS.load()
        yield path
        monkeypatch.delenv(PARAMETERS.variable)
        PARAMETERS.load()  # the national values alone again, for the tests that follow

    def test_a_parameter_arriving_decides_no_settlement_again(
        self, service: TestClient, officer: Headers, settings: Settings, parameter_file: Path
    ) -> None:
        assert PARAMETERS.current().in_force("follow_through_days", today(), None)
        settlement_id = settled_holder(service, officer, settings).settlement_id
        db = db_of(service)
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0

        parameter_file.write_text(json.dumps([follow_through_days(45)]))
        assert PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 0
        assert acted_on(service, officer, settlement_id)["version"] == 1
        assert versions(service, settlement_id) == [("done", [], 1)]


def follow_through_days(days: int) -> dict[str, Any]:
    """The department's deadline for open items, as LUOHU_RESIDENCE_PERMIT_PARAMETERS takes it."""
    return local_parameter("public_security", "follow_through_days", days, unit="days")
