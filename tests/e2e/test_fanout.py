"""End to end: a family of six is approved and every department follows through, exactly once."""

from __future__ import annotations

import json
import os
import signal
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from shared import clock, demo
from shared.registry import DOWNSTREAM_SERVICES
from tests.api.conftest import application
from tests.conftest import person_id
from tests.platform_support import Platform

DEPARTMENTS = DOWNSTREAM_SERVICES
FIXTURE = "e2e test fixture, not an official figure"


def _parameter(name: str, value: Any, department: str, unit: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "valid_from": "2017-01-01",
        "source": FIXTURE,
        "department": department,
    }


LOCAL_PARAMETERS = {
    "LUOHU_HOUSING_PARAMETERS": [
        _parameter("income_limit_per_capita", 1500, "housing", "yuan/person/month"),
        _parameter("area_limit_per_capita", 15, "housing", "m2/person"),
        _parameter("rental_subsidy_amount_per_capita", 300, "housing", "yuan/person/month"),
    ],
    "LUOHU_MEDICAL_INSURANCE_PARAMETERS": [
        _parameter("origin_confirmation_days", 30, "human_resources", "days"),
        _parameter("presume_rural_members_insured_at_origin", True, "human_resources"),
    ],
    # The 2017 measures were a three-year trial: lodging today needs a version that continues
    # them, which public security records (services/hukou/config.py).
    "LUOHU_HUKOU_RECORDED_RULES_VERSIONS": [
        {
            "id": "e2e-continued",
            "title": "the 2017 measures, continued",
            "valid_from": "2020-10-23",
            "source": FIXTURE,
        }
    ],
    "LUOHU_CIVIL_AFFAIRS_PARAMETERS": [
        _parameter("minimum_living_standard", 800, "civil_affairs", "yuan/person/month"),
    ],
}


def aged(years: int) -> date:
    """A birth date `years` old today in Shaoguan, six weeks past the birthday: the age holds
    whichever day the test runs, and at the start of the school year under way."""
    today = clock.today()
    return today.replace(year=today.year - years, day=1) - timedelta(days=45)


def family_of_six() -> dict[str, Any]:
    """Two adults, a grandparent, and children of 13, 8 and 1, lodged today: the departments
    decide as of the approval day, so the family's ages are today's."""
    body = application(
        applicant={
            "id_number": person_id(aged(44)),
            "name": "王建国",
            "hukou_region_code": "441402",
            "hukou_type": "rural",
        },
        household=[
            {"id_number": person_id(aged(42), female=True), "name": "李秀英", "relation": "spouse"},
            {"id_number": person_id(aged(78)), "name": "王老汉", "relation": "parent"},
            {"id_number": person_id(aged(13)), "name": "王大宝", "relation": "child"},
            {"id_number": person_id(aged(8), female=True), "name": "王二妹", "relation": "child"},
            {"id_number": person_id(aged(1)), "name": "王小宝", "relation": "child"},
        ],
        housing={"monthly_household_income": 6000, "current_area_m2": 40},
    )
    del body["received_on"], body["received_on_reason"]  # lodged today
    return body


@pytest.fixture
def configured(platform: Platform) -> Platform:
    for variable, parameters in LOCAL_PARAMETERS.items():
        platform.env[variable] = json.dumps(parameters)
    return platform


def settle(http: httpx.Client, platform: Platform, body: dict[str, Any]) -> str:
    hukou = platform.url("hukou")
    submitted = http.post(
        f"{hukou}/v1/settlement-applications", json=body, headers=platform.headers()
    )
    assert submitted.status_code == 201, submitted.text
    settlement_id: str = submitted.json()["id"]
    approved = http.post(
        f"{hukou}/v1/settlement-applications/{settlement_id}/approve", headers=platform.headers()
    )
    assert approved.status_code == 200, approved.text
    return settlement_id


def issue_permit(http: httpx.Client, platform: Platform, id_number: str, name: str) -> str:
    """The id of a residence permit for someone living in 武江区 since 2018."""
    person = {
        "id_number": id_number,
        "name": name,
        "hukou_region_code": "441402",
        "region_code": "440203",
        "address": "武江区沿江路 1 号",
    }
    # A permit counts registered residence (三(九) 完善流动人口居住登记管理).
    registered = http.post(
        f"{platform.url('residence_permit')}/v1/residence-registrations",
        headers=platform.headers(),
        json={**person, "registered_on": "2018-01-01"},
    )
    assert registered.status_code == 201, registered.text
    permit = http.post(
        f"{platform.url('residence_permit')}/v1/residence-permits",
        headers=platform.headers(),
        json={
            **person,
            "resident_since": "2018-01-01",
            "basis": "residence",
            "applied_on": "2018-08-01",
        },
    )
    assert permit.status_code == 201, permit.text
    permit_id: str = permit.json()["id"]
    return permit_id


def departments(platform: Platform, *, patience: float = 0) -> demo.Services:
    """The platform's services, each called as its own department (`luohu demo`'s client)."""
    settings = platform.settings()
    urls = {s: platform.url(s) for s in ("hukou", *DOWNSTREAM_SERVICES)}
    return demo.Services(settings, urls, patience=patience)


def followed_up(platform: Platform, settlement_id: str, *, patience: float = 0) -> dict[str, Any]:
    """Each department's official answers what it asks the family, and the origins confirm
    the transfers (as `luohu demo` does), until the family is settled: the application then."""
    said: list[str] = []
    journey = demo.follow_up(
        departments(platform, patience=patience), settlement_id, said.append, patience=60
    )
    assert journey[-1]["status"] == "settled", "\n".join(said)
    return journey[-1]


def department_record(
    http: httpx.Client, platform: Platform, service: str, settlement_id: str
) -> dict[str, Any]:
    answer = http.get(
        f"{platform.url(service)}/v1/settlements/{settlement_id}", headers=platform.headers()
    )
    assert answer.status_code == 200, f"{service}: {answer.text}"
    record: dict[str, Any] = answer.json()
    return record


def test_a_family_of_six_is_followed_through_by_every_department(configured: Platform) -> None:
    configured.start()
    family = family_of_six()
    spouse = family["household"][0]
    with httpx.Client(timeout=10) as http:
        permit_id = issue_permit(http, configured, spouse["id_number"], spouse["name"])
        settlement_id = settle(http, configured, family)
        hukou = followed_up(configured, settlement_id)
        assert hukou["fanout"] == dict.fromkeys(DEPARTMENTS, "done")
        records = {s: department_record(http, configured, s, settlement_id) for s in DEPARTMENTS}

    assert all(r["settlement_id"] == settlement_id for r in records.values())
    assert len(records["medical_insurance"]["entries"]) == 6
    continuations = records["pension"]["continuations"]
    assert len(continuations) == 3, "one continuation per adult"
    assert [c["status"] for c in continuations if c["relation"] == "parent"] == ["drawing"]
    stages = sorted(p["stage"] for p in records["education"]["placements"] if p.get("stage"))
    assert stages == ["junior_middle", "primary"], "13 and 8 placed; 1 is too young"
    closed = records["residence_permit"]["closed_permits"]
    assert [c["permit_id"] for c in closed] == [permit_id]
    assert records["housing"]["assessment"]["outcome"] == "rental_subsidy"  # renting, 1000/person
    assert configured.stop() == 0

    # Operations read JSON lines that follow the settlement as one trace, without personal data.
    log = configured.log()
    people = [family["applicant"], *family["household"]]
    assert not [p["id_number"] for p in people if p["id_number"] in log]
    assert not [p["name"] for p in people if p["name"] in log]
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    about = [line for line in lines if line.get("settlement_id") == settlement_id]
    assert {line["service"] for line in about} == {"hukou", *DEPARTMENTS}
    # The approval and every department's first decision are one trace; each answer an
    # official gives later is a request, and a trace, of its own.
    (approval,) = [line for line in about if line["message"] == "settlement approved"]
    traced = {line["service"] for line in about if line.get("trace_id") == approval["trace_id"]}
    assert traced == {"hukou", *DEPARTMENTS}, "the approval's fan-out is one trace"


def test_a_department_killed_mid_stream_does_its_part_once_after_it_restarts(
    configured: Platform,
) -> None:
    configured.start()
    pid_file = configured.data_dir / "run" / "education.pid"
    with httpx.Client(timeout=10) as http:
        first = settle(http, configured, family_of_six())
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        later = [settle(http, configured, family_of_six()) for _ in range(3)]
        for settlement_id in (first, *later):
            followed_up(configured, settlement_id, patience=30)
        placements = [
            department_record(http, configured, "education", s)["placements"]
            for s in (first, *later)
        ]
    assert "education exited" in configured.log() and "restarting" in configured.log()
    for family in placements:
        placed = [p for p in family if p.get("stage")]
        assert len(placed) == 2, "each child placed exactly once"
    assert configured.stop() == 0
