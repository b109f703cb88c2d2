"""Pension decides a settlement again only when something it waits on arrives: an approval
delivered again decides nothing again, and a presumption recorded later decides again exactly
the settlements waiting for it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.pension import rules
from services.pension.app import build
from services.pension.handlers import FOLLOW_THROUGH
from shared.follow_through import redecide_waiting
from shared.settings import Settings
from tests.api.pension_support import (
    EMPLOYER_PAID,
    MONTHS,
    PARAMETERS,
    PRESUMPTION_ITEM,
    QUJIANG,
    ZHENJIANG,
    FollowThroughTests,
    applicant_alone,
    couple,
    decide_directly,
    items,
    member_of,
    presumption,
    settled,
    statuses,
)
from tests.conftest import TokenFactory
from tests.settlements import decided_again_once
from tests.support import (
    MEIZHOU,
    WUJIANG,
    Headers,
    nothing_more_to_decide,
    ok,
    settlement_record,
    supply,
)


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

        now = decided_again_once(fresh, officer, settlement_id, FOLLOW_THROUGH, rules.PARAMETERS)
        assert items(now) == {(1, EMPLOYER_PAID, "information"), PRESUMPTION_ITEM}
