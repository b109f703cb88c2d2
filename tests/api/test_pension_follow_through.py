"""Pension follows through (CONTRACT.md, "Follow-through"): every fact, parameter or origin's
confirmation a continuation waits on is an open item until it arrives, and only then is the
settlement `done`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.pension import rules
from services.pension.app import build
from services.pension.handlers import FOLLOW_THROUGH
from shared.clock import today
from shared.follow_through import redecide_waiting
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests import support
from tests.api.pension_support import (
    EMPLOYER_PAID,
    MONTHS,
    OCCUPATION,
    PARAMETERS,
    PRESUMED_SCHEME,
    QUJIANG,
    ZHENJIANG,
    PensionApiTests,
    confirm,
    confirmation_url,
    couple,
    decide_directly,
    items,
    member_of,
    presumption,
    statuses,
)
from tests.conftest import TokenFactory
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    error_of,
    invalid,
    member,
    nothing_more_to_decide,
    ok,
    outbox_reports,
    reason_for,
    refused_supply,
    settlement_record,
    supply,
)

PRESUMPTION_ITEM = (None, f"parameters.{PRESUMED_SCHEME}", "parameter")
IN_WUJIANG = {"pension_months": 14, "insured_region_code": WUJIANG, "employer_paid": True}


def settled(**overrides: Any) -> SettlementApproved:
    """A couple settling in Wujiang, the applicant insured there by an employer for 14 months:
    his continuation continues; his wife's employment is not stated."""
    values: dict[str, Any] = {"members": couple(), "social_insurance": IN_WUJIANG, **overrides}
    return support.settlement(**values)


def applicant_alone(**insurance: Any) -> SettlementApproved:
    return support.settlement(members=couple()[:1], social_insurance={**IN_WUJIANG, **insurance})


class FollowThroughTests(PensionApiTests):
    """One pension service for the class, with no consumer or relay: the tests decide through
    the follow-through's handler and read the reports from the outbox."""

    @pytest.fixture(scope="class")
    @classmethod
    def settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return support.quick_settings(tmp_path_factory.mktemp("pension") / "var", workers=False)


class TestInformation(FollowThroughTests):
    def test_the_spouses_employer_supplied_then_the_origins_confirmation_and_it_is_done(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())
        waiting = settlement_record(client, officer, settlement_id)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        assert items(waiting) == {(1, EMPLOYER_PAID, "information"), PRESUMPTION_ITEM}
        [asked] = [i for i in waiting["open_items"] if i["kind"] == "information"]
        assert EMPLOYER_PAID in asked["reason"]
        spouse_id = member_of(waiting, 1)["id"]

        answered = ok(
            supply(client, officer, settlement_id, {EMPLOYER_PAID: False}, member_index=1)
        )

        # her scheme is decided; the months she carries over are now her origin's to confirm
        assert (answered["status"], answered["version"]) == ("action_needed", 2)
        assert items(answered) == {(1, MONTHS, "confirmation")}
        spouse = member_of(answered, 1)
        assert spouse["id"] == spouse_id  # the same continuation, decided again
        assert (spouse["scheme"], spouse["status"]) == ("urban_rural_resident", "awaiting_origin")
        assert answered == settlement_record(client, officer, settlement_id)

        confirmed = ok(confirm(client, spouse_id, officer, months=26))

        assert (confirmed["status"], confirmed["months_carried_over"]) == ("continued", 26)
        done = settlement_record(client, officer, settlement_id)
        assert (done["status"], done["open_items"], done["version"]) == ("done", [], 3)
        assert [c["id"] for c in done["continuations"]] == [
            c["id"] for c in waiting["continuations"]
        ]
        reports = outbox_reports(client, settlement_id)
        assert statuses(client, settlement_id) == [
            ("action_needed", 1),
            ("action_needed", 2),
            ("done", 3),
        ]
        assert items(reports[1]) == {(1, MONTHS, "confirmation")}
        assert reports[2]["open_items"] == []

    def test_a_spouse_past_pension_age_is_done_once_her_employer_is_known(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled(members=couple(date(1958, 3, 1))))
        assert items(settlement_record(client, officer, settlement_id)) == {
            (1, EMPLOYER_PAID, "information"),
            PRESUMPTION_ITEM,
        }

        answered = ok(supply(client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        spouse = member_of(answered, 1)
        assert (spouse["scheme"], spouse["status"]) == ("employee", "drawing")
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_the_applicants_employer_supplied_is_read_as_the_applications(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(employer_paid=None))
        assert items(settlement_record(client, officer, settlement_id)) == {
            (0, EMPLOYER_PAID, "information")
        }

        answered = ok(supply(client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=0))

        assert (answered["status"], answered["version"]) == ("done", 2)
        assert member_of(answered, 0)["scheme"] == "employee"

    def test_a_womans_occupation_category_supplied_settles_her_pension_age(
        self, client: TestClient, officer: Headers
    ) -> None:
        woman = member(date(1967, 1, 1), "applicant", female=True)
        data = support.settlement(members=[woman], social_insurance=IN_WUJIANG)
        settlement_id = decide_directly(client, data)
        waiting = settlement_record(client, officer, settlement_id)
        assert items(waiting) == {(0, OCCUPATION, "information")}
        assert member_of(waiting, 0)["status"] == "information_needed"

        answered = ok(supply(client, officer, settlement_id, {OCCUPATION: "staff"}, member_index=0))

        assert (answered["status"], answered["version"]) == ("done", 2)
        applicant = member_of(answered, 0)
        assert (applicant["status"], applicant["pension_age"]) == ("continued", "55")


class TestConfirmation(FollowThroughTests):
    def test_a_transfer_awaiting_its_origin_is_a_confirmation_item_until_confirmed(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))
        waiting = settlement_record(client, officer, settlement_id)
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (0, MONTHS, "confirmation")
        assert MEIZHOU in item["reason"]
        applicant = member_of(waiting, 0)

        confirmed = ok(
            client.post(
                confirmation_url(applicant["id"]),
                json={"months_carried_over": 12, "reference": "梅州-2019-0002"},
                headers=officer,
            )
        )

        assert confirmed["status"] == "continued"
        assert confirmed["months_source"] == "origin_confirmation"
        assert confirmed["confirmation"]["months_carried_over"] == 12
        done = settlement_record(client, officer, settlement_id)
        assert (done["status"], done["open_items"], done["version"]) == ("done", [], 2)
        assert member_of(done, 0) == confirmed
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_a_confirmation_is_not_information_anyone_may_supply(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))

        response = supply(client, officer, settlement_id, {MONTHS: 12}, member_index=0)

        assert response.status_code == 422  # not a fact pension takes: the origin confirms it
        reason_for(invalid(response), f"facts.{MONTHS}")
        assert settlement_record(client, officer, settlement_id)["version"] == 1

    def test_the_same_confirmation_twice_decides_once(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))
        applicant_id = member_of(settlement_record(client, officer, settlement_id), 0)["id"]
        keyed = {**officer, "Idempotency-Key": f"confirm-{applicant_id}"}

        first = ok(confirm(client, applicant_id, keyed, months=14))
        again = ok(confirm(client, applicant_id, keyed, months=14))
        unkeyed = confirm(client, applicant_id, officer, months=14)

        assert again == first
        error_of(unkeyed, 409, "conflict")  # no longer awaiting the origin
        assert settlement_record(client, officer, settlement_id)["version"] == 2
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]


class TestBadInformation(FollowThroughTests):
    """A refused supply names the field and why, and changes nothing."""

    @pytest.mark.parametrize(
        ("facts", "member_index", "field"),
        [
            ({"social_insurance.employer": False}, 1, "facts.social_insurance.employer"),
            ({EMPLOYER_PAID: "false"}, 1, f"facts.{EMPLOYER_PAID}"),
            ({EMPLOYER_PAID: 0}, 1, f"facts.{EMPLOYER_PAID}"),
            ({OCCUPATION: "manager"}, 1, f"facts.{OCCUPATION}"),
            (
                {"housing.monthly_household_income": 4200},
                None,
                "facts.housing.monthly_household_income",
            ),  # the minimum living guarantee is not pension's
            ({EMPLOYER_PAID: False}, None, "member_index"),  # a member's: say whose
            ({EMPLOYER_PAID: False}, 2, "member_index"),  # a couple: members 0 and 1
        ],
    )
    def test_a_fact_pension_does_not_take_as_given_is_a_422_naming_it(
        self,
        client: TestClient,
        officer: Headers,
        facts: dict[str, Any],
        member_index: int | None,
        field: str,
    ) -> None:
        settlement_id = decide_directly(client, settled())

        refused_supply(
            client, officer, settlement_id, facts, member_index=member_index, field=field
        )

        assert statuses(client, settlement_id) == [("action_needed", 1)]

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())

        # the applicant's employer is stated, and no one's occupation category is asked for
        for facts, index in (({EMPLOYER_PAID: False}, 0), ({OCCUPATION: "worker"}, 1)):
            error_of(
                supply(client, officer, settlement_id, facts, member_index=index), 409, "conflict"
            )

        assert settlement_record(client, officer, settlement_id)["version"] == 1
        assert statuses(client, settlement_id) == [("action_needed", 1)]

    def test_a_settlement_pension_has_not_seen_is_a_404(
        self, client: TestClient, officer: Headers
    ) -> None:
        response = supply(
            client, officer, "no-such-settlement", {EMPLOYER_PAID: True}, member_index=1
        )

        error_of(response, 404, "not_found")

    def test_the_same_supply_under_the_same_key_is_one_decision(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())
        facts = {EMPLOYER_PAID: False}

        first = ok(supply(client, officer, settlement_id, facts, member_index=1, key="paid-1"))
        again = ok(supply(client, officer, settlement_id, facts, member_index=1, key="paid-1"))

        assert again == first
        assert settlement_record(client, officer, settlement_id)["version"] == 2
        assert statuses(client, settlement_id) == [("action_needed", 1), ("action_needed", 2)]
        other = supply(
            client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1, key="paid-1"
        )
        error_of(other, 409, "conflict")
        assert settlement_record(client, officer, settlement_id)["version"] == 2


class TestRedelivery(FollowThroughTests):
    def test_an_approval_delivered_again_decides_nothing_again(
        self, client: TestClient, officer: Headers
    ) -> None:
        data = applicant_alone(insured_region_code=MEIZHOU)
        settlement_id = decide_directly(client, data)
        first = settlement_record(client, officer, settlement_id)

        decide_directly(client, data)  # a new event id: only the case can catch it

        assert settlement_record(client, officer, settlement_id) == first
        assert statuses(client, settlement_id) == [("action_needed", 1)]

    def test_an_approval_delivered_after_a_supply_undoes_nothing(
        self, client: TestClient, officer: Headers
    ) -> None:
        data = settled(members=couple(date(1958, 3, 1)))
        settlement_id = decide_directly(client, data)
        ok(supply(client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1))
        done = settlement_record(client, officer, settlement_id)

        decide_directly(client, data)

        assert settlement_record(client, officer, settlement_id) == done
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]


class TestDeadline(FollowThroughTests):
    @pytest.fixture(scope="class")
    @classmethod
    def client(cls, settings: Settings) -> Iterator[TestClient]:
        days = {
            "name": "follow_through_days",
            "value": 30,
            "unit": "days",
            "valid_from": "2017-01-01",
            "source": "test fixture",
            "department": "human_resources",
        }
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(rules.PARAMETERS.variable, json.dumps([*PARAMETERS, days]))
            with TestClient(build(settings)) as service:
                yield service

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, client: TestClient, officer: Headers
    ) -> None:
        waiting = settlement_record(client, officer, decide_directly(client, settled()))

        due = (today() + timedelta(days=30)).isoformat()
        assert [item["due_on"] for item in waiting["open_items"]] == [due, due]


class TestParameterArriving:
    """A presumption recorded later decides again exactly the settlements waiting for it."""

    @pytest.fixture
    def parameter_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """The parameters in a file: only Zhenjiang presumes a scheme so far."""
        path = tmp_path / "pension-parameters.json"
        path.write_text(json.dumps(PARAMETERS))
        monkeypatch.setenv(rules.PARAMETERS.variable, str(path))
        return path

    @pytest.fixture
    def fresh(self, settings: Settings, parameter_file: Path) -> Iterator[TestClient]:
        quiet = settings.model_copy(update={"start_workers": False})
        with TestClient(build(quiet)) as client:
            yield client

    @pytest.fixture
    def officer(self, auth: TokenFactory) -> Headers:
        return auth("human_resources")

    def test_only_the_waiting_settlements_are_decided_again_and_only_once(
        self, fresh: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        waiting = [decide_directly(fresh, settled()), decide_directly(fresh, settled())]
        presumed = decide_directly(fresh, settled(destination_region_code=ZHENJIANG))
        alone = decide_directly(fresh, applicant_alone())
        assert items(settlement_record(fresh, officer, presumed)) == {(1, MONTHS, "confirmation")}
        assert settlement_record(fresh, officer, alone)["status"] == "done"
        db = fresh.app.state.runtime.db  # type: ignore[attr-defined]
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0  # nothing changed yet

        parameter_file.write_text(json.dumps([*PARAMETERS, presumption(WUJIANG)]))
        assert rules.PARAMETERS.refresh() is True

        assert redecide_waiting(db, FOLLOW_THROUGH) == 2
        for settlement_id in waiting:
            now = settlement_record(fresh, officer, settlement_id)
            # the wife joins the presumed scheme; her months are still her origin's to confirm
            assert (now["status"], now["version"]) == ("action_needed", 2)
            assert items(now) == {(1, MONTHS, "confirmation")}
            assert member_of(now, 1)["scheme"] == "urban_rural_resident"
            assert statuses(fresh, settlement_id) == [("action_needed", 1), ("action_needed", 2)]
        for settlement_id in (presumed, alone):
            assert settlement_record(fresh, officer, settlement_id)["version"] == 1
        nothing_more_to_decide(db, FOLLOW_THROUGH, rules.PARAMETERS)

    def test_a_presumption_for_another_county_decides_again_once_and_stays_open(
        self, fresh: TestClient, officer: Headers, parameter_file: Path
    ) -> None:
        settlement_id = decide_directly(fresh, settled())  # waits on Wujiang's (or the city's)
        parameter_file.write_text(json.dumps([*PARAMETERS, presumption(QUJIANG)]))
        rules.PARAMETERS.refresh()
        db = fresh.app.state.runtime.db  # type: ignore[attr-defined]

        assert redecide_waiting(db, FOLLOW_THROUGH) == 1
        assert redecide_waiting(db, FOLLOW_THROUGH) == 0
        now = settlement_record(fresh, officer, settlement_id)
        assert (now["status"], now["version"]) == ("action_needed", 2)
        assert items(now) == {(1, EMPLOYER_PAID, "information"), PRESUMPTION_ITEM}
