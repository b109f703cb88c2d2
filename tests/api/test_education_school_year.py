"""Education places a settled family's children as of the approval day, not the lodging day
(三(八) 对进城落户农民子女就学需求做出准确判断): hukou and education in one process, on one event
log, with a change of school year between lodging and approval; in a school year's last weeks
(placement_next_year_weeks) for the next, and a settlement keeps the school year it was first
placed for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from services.education.app import build as build_education
from services.education.rules import NEXT_YEAR_WEEKS, PARAMETERS, SCHOOLING_FACT
from services.hukou.app import build as build_hukou
from shared.settings import Settings
from tests.api.conftest import application
from tests.api.education_support import (
    QUJIANG,
    by_index,
    configured_parameters,
    decide_directly,
    local_parameter,
    minor_applicant,
    settlement,
)
from tests.conftest import TokenFactory
from tests.support import MEIZHOU, acted_on, ok, person_id, settlement_record, supply

# 17:00 UTC on 31 August 2019 is 01:00 on 1 September in Shaoguan: a new school year there.
APPROVED_AT = datetime(2019, 8, 31, 17, 0, tzinfo=UTC)


@pytest.fixture
def hukou_and_education(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Hukou and education on one event log (relay and consumer running), on the clock of the
    approval."""
    with time_machine.travel(APPROVED_AT, tick=True), ExitStack() as stack:
        hukou = stack.enter_context(TestClient(build_hukou(settings)))
        education = stack.enter_context(TestClient(build_education(settings)))
        yield hukou, education


def test_a_child_lodged_in_one_school_year_and_approved_in_the_next_is_placed_in_the_next(
    hukou_and_education: tuple[TestClient, TestClient], auth: TokenFactory
) -> None:
    # The family: lodged 2019-08-20 with a child six on 2019-06-01. As of lodging, the
    # child was placed in preschool for 2018-2019, a school year over by the approval.
    hukou, education = hukou_and_education
    officer = auth("public_security")
    body: dict[str, Any] = application(received_on="2019-08-20")
    body["household"][1]["id_number"] = person_id(date(2013, 6, 1))
    created = ok(hukou.post("/v1/settlement-applications", json=body, headers=officer), 201)
    url = f"/v1/settlement-applications/{created['id']}/approve"
    ok(hukou.post(url, headers=officer))

    decided = acted_on(education, auth("education"), created["id"])

    assert decided["decision_date"] == "2019-09-01"  # Shaoguan's day, not UTC's 31 August
    assert decided["school_year"] == "2019-2020"
    (child,) = decided["placements"]
    assert (child["stage"], child["age_at_school_year_start"]) == ("primary", 6)
    assert (
        "Decided on 2019-09-01, the approval day, in the 2019-2020 school year" in (child["reason"])
    )


EIGHT_WEEKS = local_parameter(NEXT_YEAR_WEEKS, 8, None, unit="weeks")  # from 2019-07-07
IN_AUGUST = date(2019, 8, 20)


@pytest.fixture
def education(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """Education without workers (the tests decide as the consumer would), its parameters in
    a file that records none yet."""
    quiet = settings.model_copy(update={"start_workers": False})
    with (
        configured_parameters(tmp_path / "education.json", []),
        TestClient(build_education(quiet)) as client,
    ):
        yield client


def test_the_weeks_recorded_place_a_settlement_in_august_for_the_next_school_year(
    education: TestClient, auth: TokenFactory, tmp_path: Path
) -> None:
    clerk = auth("education")
    first = decide_directly(education, settlement(county=QUJIANG, decided=IN_AUGUST))
    (tmp_path / "education.json").write_text(json.dumps([EIGHT_WEEKS]))
    assert PARAMETERS.refresh() is True
    later = decide_directly(education, settlement(county=QUJIANG, decided=IN_AUGUST))

    before, after = (settlement_record(education, clerk, s) for s in (first, later))
    assert (before["school_year"], after["school_year"]) == ("2018-2019", "2019-2020")
    assert NEXT_YEAR_WEEKS not in {p["name"] for p in before["parameters_used"]}
    assert NEXT_YEAR_WEEKS in {p["name"] for p in after["parameters_used"]}
    # 张小明 (born 2012-03-03, member 2): 6 on 2018-09-01, 7 on 2019-09-01.
    assert by_index(before)[2]["age_at_school_year_start"] == 6
    assert by_index(after)[2]["age_at_school_year_start"] == 7


def test_a_placement_decided_after_the_weeks_are_recorded_keeps_the_settlements_year(
    education: TestClient, auth: TokenFactory, tmp_path: Path
) -> None:
    clerk = auth("education")
    alone = settlement(county=QUJIANG, people=minor_applicant(MEIZHOU), decided=IN_AUGUST)
    waiting = decide_directly(education, alone)  # the minor applicant's stage is asked for
    (tmp_path / "education.json").write_text(json.dumps([EIGHT_WEEKS]))
    assert PARAMETERS.refresh() is True

    response = supply(education, clerk, waiting, {SCHOOLING_FACT: "senior_high"}, member_index=0)

    body = ok(response)
    (placement,) = body["placements"]
    assert (body["school_year"], placement["school_year"]) == ("2018-2019", "2018-2019")
    assert (placement["outcome"], placement["stage"]) == ("placed", "senior_high")
    assert "as this settlement's first decision placed its children for" in placement["reason"]
