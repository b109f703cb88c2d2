"""No event lost, no effect doubled: settlements approved, and their open items answered
(each answer a decision made again), while processes are SIGKILLed at random and (on Kafka)
the broker is stopped and started once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared import demo
from shared.registry import DOWNSTREAM_SERVICES
from tests.e2e.conftest import start_on
from tests.e2e.test_fanout import DEPARTMENTS, LOCAL_PARAMETERS, departments, family_of_six
from tests.platform_support import Platform

SETTLEMENTS = 200
VICTIMS = ("hukou", *DOWNSTREAM_SERVICES)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["embedded", "kafka"])
def engine_platform(request: pytest.FixtureRequest, platform: Platform) -> Iterator[Platform]:
    for variable, parameters in LOCAL_PARAMETERS.items():
        platform.env[variable] = json.dumps(parameters)
    platform.env["LUOHU_LOG_LEVEL"] = "WARNING"
    start_on(platform, request.param, "faults")
    yield platform


def with_retries(call: Any, *, attempts: int = 60) -> httpx.Response:
    """Retry while the service is down (killed and restarting) or answers 5xx."""
    for _ in range(attempts):
        try:
            response: httpx.Response = call()
            if response.status_code < 500:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("the service did not come back")


def submit_and_approve(http: httpx.Client, platform: Platform) -> str:
    hukou = platform.url("hukou")
    # A submit retried after a crash sends the same body under the same key: the first
    # answer comes back, and no second application is made.
    key, family = uuid.uuid4().hex, family_of_six()
    submitted = with_retries(
        lambda: http.post(
            f"{hukou}/v1/settlement-applications",
            json=family,
            headers={**platform.headers(), "Idempotency-Key": key},
        )
    )
    assert submitted.status_code == 201, submitted.text
    settlement_id: str = submitted.json()["id"]
    status = submitted.json()["status"]
    while status == "submitted":
        # The permit service was down when hukou asked for the applicant's permit history:
        # the decision waits for it, and reassessing once it is back decides.
        reassessed = with_retries(
            lambda: http.post(
                f"{hukou}/v1/settlement-applications/{settlement_id}/reassess",
                headers=platform.headers(),
            )
        )
        assert reassessed.status_code in (200, 409), reassessed.text
        status = reassessed.json().get("status", "eligible")
        if status == "submitted":
            time.sleep(0.5)
    approved = with_retries(
        lambda: http.post(
            f"{hukou}/v1/settlement-applications/{settlement_id}/approve",
            headers=platform.headers(),
        )
    )
    # A retry after a crash may find its first attempt committed: already approved.
    assert approved.status_code in (200, 409), approved.text
    if approved.status_code == 409:
        assert approved.json()["error"]["message"].endswith("this one is approved")
    return settlement_id


def chaos(platform: Platform, stop: threading.Event, kills: list[str], kafka: bool) -> None:
    """SIGKILL a random service every two to four seconds; stop and start the broker once."""
    rng = random.Random(2017_10_23)
    broker_bounced = not kafka
    started = time.monotonic()
    while not stop.wait(rng.uniform(2.0, 4.0)):
        victim = rng.choice(VICTIMS)
        pid_file = platform.data_dir / "run" / f"{victim}.pid"
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
            kills.append(victim)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        if not broker_bounced and time.monotonic() - started > 5:
            subprocess.run([REPO / "scripts" / "kafka.sh", "stop"], check=True)
            time.sleep(2)
            subprocess.run([REPO / "scripts" / "kafka.sh", "start"], check=True)
            kills.append("kafka broker")
            broker_bounced = True


def test_no_event_is_lost_and_no_effect_doubled_under_faults(
    engine_platform: Platform, request: pytest.FixtureRequest
) -> None:
    platform = engine_platform
    kafka = platform.env.get("LUOHU_BUS") == "kafka"
    stop, kills = threading.Event(), []  # type: ignore[var-annotated]
    chaos_thread = threading.Thread(target=chaos, args=(platform, stop, kills, kafka))
    chaos_thread.start()
    try:
        with httpx.Client(timeout=15) as http, ThreadPoolExecutor(max_workers=8) as pool:
            settlement_ids = list(
                pool.map(lambda _: submit_and_approve(http, platform), range(SETTLEMENTS))
            )
    except BaseException:
        stop.set()
        chaos_thread.join()
        raise

    # The chaos goes on for the first 20 s of the follow-up, while departments consume the
    # approvals and their officials answer what each asks (every answer decides again).
    approved_at = time.monotonic()
    services = departments(platform, patience=60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        pending = [
            pool.submit(demo.follow_up, services, s, lambda _: None, patience=120)
            for s in settlement_ids
        ]
        while any(not f.done() for f in pending) and not stop.is_set():
            if time.monotonic() - approved_at > 20:
                stop.set()
            time.sleep(0.5)
        stop.set()
        chaos_thread.join()
        journeys = [f.result() for f in pending]
    not_settled = [j[-1]["id"] for j in journeys if j[-1]["status"] != "settled"]

    with httpx.Client(timeout=15) as http:
        lost, doubled, decisions = 0, 0, 0
        for settlement_id in settlement_ids:
            for service in DEPARTMENTS:
                record = with_retries(
                    lambda s=settlement_id, d=service: http.get(
                        f"{platform.url(d)}/v1/settlements/{s}", headers=platform.headers()
                    )
                )
                if record.status_code == 404:
                    lost += 1
                    continue
                body = record.json()
                decisions += body["version"]
                effects = {
                    "medical_insurance": len(body.get("entries", [])) - 6,
                    "pension": len(body.get("continuations", [])) - 3,
                    "education": len([p for p in body.get("placements", []) if p.get("stage")]) - 2,
                }.get(service, 0)
                doubled += max(0, effects)
                lost += max(0, -effects)

    print(
        f"\n[{request.node.callspec.id}] {SETTLEMENTS} settlements, kills: {len(kills)} "
        f"({', '.join(sorted(set(kills)))}); decisions: {decisions} "
        f"({decisions - SETTLEMENTS * len(DEPARTMENTS)} of them again, on answers); "
        f"not settled: {len(not_settled)}; lost effects: {lost}; duplicated effects: {doubled}"
    )
    assert kills, "the chaos killed nothing"
    assert decisions > SETTLEMENTS * len(DEPARTMENTS), "no decision was made again"
    assert (len(not_settled), lost, doubled) == (0, 0, 0)
    assert platform.stop() == 0
