"""Hukou asks the real residence permit service for the applicant's permit history."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import uvicorn
from fastapi.testclient import TestClient

from services.hukou.api import hukou_settings
from services.hukou.app import build as build_hukou
from services.hukou.config import HukouSettings
from services.residence_permit.app import build as build_permits
from shared.settings import Settings
from tests.api.conftest import application
from tests.conftest import TokenFactory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def permit_service(settings: Settings) -> Iterator[str]:
    """The residence permit service on a real port, with its own database."""
    port = free_port()
    own = settings.model_copy(update={"data_dir": settings.data_dir / "permits"})
    server = uvicorn.Server(
        uvicorn.Config(build_permits(own), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the permit service did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def hukou_consulting(settings: Settings, url: str) -> TestClient:
    app = build_hukou(settings)
    app.dependency_overrides[hukou_settings] = lambda: HukouSettings(residence_permit_url=url)
    return TestClient(app)


def issue_permit(url: str, auth: TokenFactory, id_number: str, resident_since: date) -> None:
    import httpx

    person = {
        "id_number": id_number,
        "name": "张三",
        "hukou_region_code": "441402",
        "region_code": "440203",
        "address": "武江区沿江路 1 号",
    }
    # A permit counts registered residence (三(九) 完善流动人口居住登记管理).
    registered = httpx.post(
        f"{url}/v1/residence-registrations",
        headers=auth("public_security"),
        json={**person, "registered_on": resident_since.isoformat()},
    )
    assert registered.status_code == 201, registered.text
    answer = httpx.post(
        f"{url}/v1/residence-permits",
        headers=auth("public_security"),
        json={
            **person,
            "resident_since": resident_since.isoformat(),
            "basis": "employment",
            "applied_on": (resident_since + timedelta(days=200)).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text


def evidence_check(answer: dict) -> dict:  # type: ignore[type-arg]
    (check,) = [
        c for c in answer["eligibility"]["checks"] if c["rule"] == "residence.permit_evidence"
    ]
    return check  # type: ignore[no-any-return]


def test_a_declared_residence_the_permits_contradict_awaits_a_case_worker(
    settings: Settings, auth: TokenFactory, permit_service: str
) -> None:
    body = application()  # declares residence since 2018-01-01
    issue_permit(permit_service, auth, body["applicant"]["id_number"], date(2018, 3, 1))
    with hukou_consulting(settings, permit_service) as hukou:
        answer = hukou.post(
            "/v1/settlement-applications", json=body, headers=auth("public_security")
        ).json()
    assert answer["status"] == "submitted"
    check = evidence_check(answer)
    assert (check["outcome"], check["clause"]) == ("undetermined", "三(九)")
    assert "2018-03-01" in check["reason"]
    assert answer["eligibility"]["missing"] == ["residence.since"]


def test_a_corrected_residence_start_is_reassessed_to_eligible(
    settings: Settings, auth: TokenFactory, permit_service: str
) -> None:
    body = application()
    issue_permit(permit_service, auth, body["applicant"]["id_number"], date(2018, 3, 1))
    officer = auth("public_security")
    with hukou_consulting(settings, permit_service) as hukou:
        first = hukou.post("/v1/settlement-applications", json=body, headers=officer).json()
        corrected = {**body["residence"], "since": "2018-03-01"}
        again = hukou.post(
            f"/v1/settlement-applications/{first['id']}/reassess",
            json={"residence": corrected},
            headers=officer,
        )
        twice = hukou.post(f"/v1/settlement-applications/{first['id']}/reassess", headers=officer)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "eligible"
    assert evidence_check(again.json())["outcome"] == "passed"
    assert twice.status_code == 409, "only an application awaiting information is reassessed"


def test_an_applicant_without_a_permit_is_not_held_back(
    settings: Settings, auth: TokenFactory, permit_service: str
) -> None:
    with hukou_consulting(settings, permit_service) as hukou:
        answer = hukou.post(
            "/v1/settlement-applications", json=application(), headers=auth("public_security")
        ).json()
    assert answer["status"] == "eligible"
    assert evidence_check(answer)["outcome"] == "passed"


def test_an_unanswering_permit_service_is_said_not_guessed(
    settings: Settings, auth: TokenFactory
) -> None:
    with hukou_consulting(settings, f"http://127.0.0.1:{free_port()}") as hukou:
        answer = hukou.post(
            "/v1/settlement-applications", json=application(), headers=auth("public_security")
        ).json()
    assert answer["status"] == "submitted"
    assert evidence_check(answer)["outcome"] == "undetermined"
