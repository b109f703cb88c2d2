"""The console beside real department services, in-process: its calls reach each department's
app through an httpx transport, and the departments' reports reach the office's read model
through the shared event log, as on a laptop (`luohu run`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import httpx
import pytest
from fastapi.testclient import TestClient

from services.coordination.console.departments import Departments
from shared.events.outbox import OutboxRelay
from shared.events.signing import EventSigner
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests.api.conftest import spec_of
from tests.api.coordination_support import consume
from tests.settlements import follow_directly, publish_settlement


def through(apps: Mapping[str, TestClient]) -> httpx.MockTransport:
    """A transport that hands each request to the app its host names (`http://housing/...`)."""

    def handle(request: httpx.Request) -> httpx.Response:
        app = apps[request.url.host]
        answer = app.request(
            request.method,
            request.url.path,
            params=request.url.params,
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            content=request.content,
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return httpx.MockTransport(handle)


def reaching(console: TestClient, apps: Mapping[str, TestClient]) -> Departments:
    """The console's client of the departments, reaching `apps` in-process."""
    calls = Departments({name: f"http://{name}" for name in apps}, transport=through(apps))
    console.app.state.departments = calls  # type: ignore[attr-defined]
    return calls


@pytest.fixture
def department(settings: Settings) -> Iterator[TestClient]:
    """Housing on the console's event log, its workers left to the test."""
    quiet = settings.model_copy(update={"start_workers": False})
    with TestClient(spec_of("housing").build(quiet)) as client:
        yield client


def relay(client: TestClient) -> None:
    """Publish what the service's outbox holds, signed by the service, as its relay would."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    name = runtime.spec.name
    OutboxRelay(
        service=name,
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        signer=EventSigner(runtime.keyring, name),
    ).run_once()


def followed(
    settings: Settings, office: TestClient, service: TestClient, data: SettlementApproved
) -> str:
    """The approval of `data` read by the office, acted on by `service`, its report read by the
    office: the settlement id."""
    from importlib import import_module

    name = service.app.state.runtime.spec.name  # type: ignore[attr-defined]
    publish_settlement(settings, data)
    follow_directly(service, import_module(f"services.{name}.handlers").FOLLOW_THROUGH, data)
    relay(service)
    consume(office)
    return data.settlement_id
