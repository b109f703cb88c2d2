"""The coordination office for its supervision's tests (四(三)): built without workers, with
a silence limit, and tokens issued on the clock the test travels to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import time_machine
from fastapi.testclient import TestClient

from services.coordination.app import build
from shared.settings import Settings
from tests.support import Headers, ok, token

QUJIANG = "440205"  # 曲江区
ZHENJIANG = "440204"  # 浈江区

SILENCE_LIMIT = [
    {
        "name": "reporting_silence_hours",
        "value": 48,
        "unit": "hours",
        "valid_from": "2017-01-01",
        "source": "the coordination office's test limit",
        "department": "coordination",
    }
]
"""The limit the incidents are judged by in these tests (`LUOHU_COORDINATION_PARAMETERS`)."""

PARAMETERS_JSON = json.dumps(SILENCE_LIMIT)


@contextmanager
def quiet_office(settings: Settings) -> Iterator[TestClient]:
    """The office in-process without its workers: the tests deliver its events themselves."""
    with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
        yield client


@contextmanager
def at(instant: datetime) -> Iterator[None]:
    """The clock at `instant` (ticking): today is Shaoguan's day of it."""
    with time_machine.travel(instant, tick=True):
        yield


def coordinator(settings: Settings) -> Headers:
    """The office's token, issued now (on the clock travelled to)."""
    return token(settings, "coordination")


def chase(
    client: TestClient,
    settings: Settings,
    settlement_id: str,
    item_id: str,
    *,
    office: str = "住房保障科",
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """`POST /v1/follow-ups` by the office."""
    headers = coordinator(settings)
    if key is not None:
        headers["Idempotency-Key"] = key
    body = {
        "settlement_id": settlement_id,
        "item_id": item_id,
        "asked": {"office": office, "contact": "科室值班电话 0751-0000000"},
        "note": "请在到期前补正",
        **extra,
    }
    answer: httpx.Response = client.post("/v1/follow-ups", headers=headers, json=body)
    return answer


def get(client: TestClient, settings: Settings, path: str, **params: Any) -> dict[str, Any]:
    """A 200 answer to the office's GET `path`."""
    return ok(client.get(path, headers=coordinator(settings), params=params))
