"""`/readyz` answers 503 while the database or the bus is away, and the service recovers by
itself when they return: real outages of a real PostgreSQL server and the real Kafka broker."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.hukou.app import build
from shared.events.kafka import KafkaBus
from shared.launcher import ensure_database
from shared.settings import Settings
from tests.api.conftest import application
from tests.conftest import TokenFactory
from tests.contract.conftest import kafka_bootstrap, postgres_admin_url

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def own_postgres() -> Iterator[Callable[[str], None]]:
    """A PostgreSQL cluster of this test's own, so stopping it disturbs no other test."""
    postgres_admin_url()  # skips without the test servers, like the other database tests
    home = Path(f"/var/tmp/luohu/test-{uuid.uuid4().hex[:8]}")
    env = {**os.environ, "LUOHU_POSTGRES_HOME": str(home), "LUOHU_POSTGRES_PORT": str(free_port())}

    def control(action: str) -> None:
        subprocess.run(
            [REPO / "scripts" / "postgres.sh", action], env=env, check=True, capture_output=True
        )

    control("start")
    control.url = subprocess.run(  # type: ignore[attr-defined]
        [REPO / "scripts" / "postgres.sh", "url", "readiness"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    yield control
    control("stop")
    shutil.rmtree(home, ignore_errors=True)


def test_ready_again_by_itself_after_the_database_returns(
    settings: Settings, auth: TokenFactory, own_postgres: Callable[[str], None]
) -> None:
    url = ensure_database(own_postgres.url, "hukou")  # type: ignore[attr-defined]
    with TestClient(build(settings.model_copy(update={"database_url": url}))) as hukou:
        assert hukou.get("/readyz").status_code == 200

        own_postgres("stop")
        away = hukou.get("/readyz")
        assert away.status_code == 503
        assert away.json()["checks"]["database"].startswith("unavailable")
        assert away.json()["checks"]["bus"] == "ok"

        own_postgres("start")
        assert eventually(lambda: hukou.get("/readyz").status_code == 200, timeout=30)
        submitted = hukou.post(
            "/v1/settlement-applications", json=application(), headers=auth("public_security")
        )
        assert submitted.status_code == 201, "the pool recovered its connections by itself"


def test_ready_again_by_itself_after_the_broker_returns_and_nothing_is_lost(
    settings: Settings, auth: TokenFactory
) -> None:
    servers = kafka_bootstrap()
    namespace = f"readiness-{uuid.uuid4().hex[:8]}."
    on_kafka = settings.model_copy(
        update={"bus": "kafka", "kafka_bootstrap_servers": servers, "kafka_namespace": namespace}
    )
    officer = auth("public_security")
    broker = REPO / "scripts" / "kafka.sh"
    with TestClient(build(on_kafka)) as hukou:
        assert hukou.get("/readyz").status_code == 200
        subprocess.run([broker, "stop"], check=True, capture_output=True)
        try:
            away = hukou.get("/readyz")
            assert away.status_code == 503
            assert away.json()["checks"]["bus"].startswith("unavailable")
            # Approvals go on while the broker is away: the outbox keeps the event.
            settlement = hukou.post(
                "/v1/settlement-applications", json=application(), headers=officer
            ).json()
            approve = f"/v1/settlement-applications/{settlement['id']}/approve"
            assert hukou.post(approve, headers=officer).status_code == 200
        finally:
            subprocess.run([broker, "start"], check=True, capture_output=True)
        assert eventually(lambda: hukou.get("/readyz").status_code == 200, timeout=60)

        bus = KafkaBus(servers, namespace=namespace)
        member = bus.consumer(
            group=f"readiness-{uuid.uuid4().hex[:8]}", topics=["hukou.settlement.approved"]
        )
        try:

            def published() -> bool:
                return any(r.key == settlement["id"] for r in member.poll(timeout=0.5))

            assert eventually(published, timeout=60), "the approval reached Kafka after all"
        finally:
            bus.close()
