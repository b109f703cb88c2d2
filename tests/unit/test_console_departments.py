"""The console's client of the departments: the official's token on every call, each service at
its configured URL, and a department's answer read into what the page shows."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from services.coordination.console.departments import FORM, Departments, service_urls
from shared.settings import Settings


def test_each_service_is_at_its_configured_url_else_its_port_here(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, port_offset=100, service_urls={"housing": "https://zj.example"}
    )
    urls = service_urls(settings)
    assert urls["housing"] == "https://zj.example"
    assert urls["pension"] == "http://127.0.0.1:8104"


def test_the_url_table_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LUOHU_SERVICE_URLS", json.dumps({"education": "http://jy:8005"}))
    assert service_urls(Settings(data_dir=tmp_path))["education"] == "http://jy:8005"


def test_a_call_carries_the_officials_token_and_the_facts() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"settlement_id": "s-1", "status": "done"})

    calls = Departments({"housing": "http://zj"}, transport=httpx.MockTransport(handle))
    answer = calls.supply_information("tok", "housing", "s-1", {"housing.x": 1})

    assert answer.ok and answer.record == {"settlement_id": "s-1", "status": "done"}
    (request,) = seen
    assert str(request.url) == "http://zj/v1/settlements/s-1/information"
    assert request.headers["authorization"] == "Bearer tok"
    assert json.loads(request.content) == {"member_index": None, "facts": {"housing.x": 1}}


def test_a_refusal_is_read_by_the_field_it_names() -> None:
    body = {
        "error": {
            "code": "invalid_input",
            "message": "the information is not valid: facts.housing.x, member_index",
            "details": [
                {"field": "facts.housing.x", "reason": "must be a number"},
                {"field": "member_index", "reason": "leave it out"},
                {"field": None, "reason": "id 441402198805010139 refused"},
            ],
        }
    }
    transport = httpx.MockTransport(lambda _: httpx.Response(422, json=body))
    answer = Departments({"housing": "http://zj"}, transport=transport).record("t", "housing", "s")

    assert answer.status == 422 and not answer.ok
    assert answer.errors["housing.x"] == "must be a number"
    assert answer.errors["member_index"] == "leave it out"
    assert "441402198805010139" not in answer.errors[FORM]


def test_a_department_out_of_reach_is_a_503_saying_so() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    answer = Departments({"pension": "http://ylbx"}, transport=httpx.MockTransport(down)).replay(
        "t", "pension"
    )
    assert answer.status == 503 and "无法连接" in (answer.message or "")
