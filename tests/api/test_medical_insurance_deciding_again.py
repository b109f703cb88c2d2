"""Medical insurance decides a settlement again (三(六)): each parameter not recorded is an open
item of the members waiting on it, a parameter recorded later decides again exactly those
settlements, and deciding again never makes an entry twice nor requests a transfer twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.medical_insurance.handlers import FOLLOW_THROUGH
from services.medical_insurance.rules import PARAMETERS
from shared.follow_through import decide_again, redecide_waiting
from shared.settings import Settings
from tests.api.medical_insurance_support import (
    CONFIRMATION,
    CONFIRMED,
    DEADLINE,
    DEADLINE_DAYS,
    INSURED_AT_HOME,
    MONTHS,
    PARAMETERS_ENV,
    PRESUMPTION,
    REGION,
    SERVICE,
    MedicalInsuranceApiTests,
    confirm,
    entries_of,
    family,
    household,
    open_items,
    parameters_json,
    record,
    record_of,
    recorded,
    statuses,
)
from tests.settlements import approval, published_twice
from tests.support import (
    Headers,
    acted_on,
    caught_up,
    error_of,
    eventually,
    nothing_more_to_decide,
    ok,
    publish,
)
from tests.support import supply as inform


class TestParametersNotRecorded(MedicalInsuranceApiTests):
    @pytest.fixture
    def configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Human resources has recorded neither the deadline nor the presumption."""
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json(presume=None, days=None))

    def test_each_parameter_a_member_waits_on_is_an_open_item_of_kind_parameter(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = household("rural spouse", social_insurance=INSURED_AT_HOME)
        waiting = record_of(quiet, recorded(quiet, data), officer)

        assert open_items(waiting) == [
            (0, CONFIRMATION, "confirmation"),
            (0, DEADLINE_DAYS, "parameter"),
            (1, PRESUMPTION, "parameter"),
            (1, REGION, "information"),
            (1, MONTHS, "information"),
        ]
        reasons = {(i["member_index"], i["field"]): i["reason"] for i in waiting["open_items"]}
        assert "no local parameter origin_confirmation_days" in reasons[(0, DEADLINE_DAYS)]
        assert "with no deadline set" in reasons[(0, CONFIRMATION)]


class TestParameterArriving(MedicalInsuranceApiTests):
    """Parameters recorded later decide again exactly the settlements waiting on them."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        path = tmp_path / "medical-insurance-parameters.json"
        path.write_text(parameters_json(presume=None, days=None))
        monkeypatch.setenv(PARAMETERS_ENV, str(path))
        return path

    @pytest.fixture
    def configured(self, parameter_file: Path) -> None:
        """The parameters are the file's, neither the deadline nor the presumption yet."""

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, quiet: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        transfer = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        spouse = recorded(quiet, household("rural spouse"))
        parent = recorded(quiet, household("urban parent"))  # waits on facts alone
        transfer_id = entries_of(quiet, transfer, officer)[0]["transfer_id"]
        db = quiet.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        parameter_file.write_text(parameters_json())
        assert PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 2
        now = record_of(quiet, transfer, officer)
        assert (now["version"], open_items(now)) == (2, [(0, CONFIRMATION, "confirmation")])
        [entry] = now["entries"]
        assert (entry["transfer_id"], entry["confirmation_deadline"]) == (
            transfer_id,
            DEADLINE.isoformat(),
        )
        assert "origin_confirmation_days" in {p["name"] for p in entry["parameters"]}
        presumed = record_of(quiet, spouse, officer)
        assert (presumed["version"], open_items(presumed)) == (
            2,
            [(1, CONFIRMATION, "confirmation")],
        )
        assert presumed["entries"][1]["facts_basis"] == "presumption"
        assert record_of(quiet, parent, officer)["version"] == 1
        assert statuses(quiet, transfer) == [("action_needed", 1), ("action_needed", 2)]

        nothing_more_to_decide(db, FOLLOW_THROUGH, PARAMETERS)
        ok(confirm(quiet, transfer_id, officer, CONFIRMED))
        assert record_of(quiet, transfer, officer)["status"] == "done"

    def test_a_running_service_picks_up_a_recorded_deadline_by_itself(
        self, service: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        settlement_id = recorded(service, household(social_insurance=INSURED_AT_HOME))

        parameter_file.write_text(parameters_json())

        eventually(
            lambda: record_of(service, settlement_id, officer)["version"] == 2,
            what="the waiting settlement to be decided again",
        )
        assert open_items(record_of(service, settlement_id, officer)) == [
            (0, CONFIRMATION, "confirmation")
        ]


class TestDecidingAgain(MedicalInsuranceApiTests):
    """Deciding again never makes an entry twice nor requests a transfer twice."""

    def test_the_approval_delivered_again_changes_nothing(
        self, service: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = family()
        published_twice(settings, data)
        first = acted_on(service, officer, data.settlement_id)

        publish(settings, approval(data))  # the same settlement under a new event id
        record(service, data)  # and straight through the act
        caught_up(service, settings, SERVICE)

        assert record_of(service, data.settlement_id, officer) == first
        assert statuses(service, data.settlement_id) == [("action_needed", 1)]

    def test_a_member_decided_keeps_the_entry_whatever_decides_the_settlement_again(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        data = family()
        record(quiet, data)
        before = entries_of(quiet, data.settlement_id, officer)
        transfer_id = before[0]["transfer_id"]
        ok(confirm(quiet, transfer_id, officer, CONFIRMED))
        confirmed = entries_of(quiet, data.settlement_id, officer)[0]

        facts = {MONTHS: 0}
        ok(inform(quiet, officer, data.settlement_id, facts, member_index=3))
        with quiet.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
            decide_again(session, FOLLOW_THROUGH, data.settlement_id, trigger="parameter")

        after = entries_of(quiet, data.settlement_id, officer)
        assert len(after) == len(data.members)
        assert [e["entry_id"] for e in after] == [e["entry_id"] for e in before]
        assert after[0] == confirmed  # the origin's answer stands
        assert after[1:3] == before[1:3]  # the spouse's and child's transfers: requested once
        assert record_of(quiet, data.settlement_id, officer)["version"] == 4
        error_of(confirm(quiet, transfer_id, officer, CONFIRMED), 409, "conflict")
