"""One settlement is one trace: the approving request, the event, and its consumers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import MetaData

from services.hukou.app import build
from shared.db import Database, new_metadata, platform_tables
from shared.events.consumer import EventConsumer, Subscription
from shared.events.embedded import EmbeddedBus
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC
from tests.api.conftest import application
from tests.conftest import TokenFactory


@pytest.fixture
def spans(settings: Settings) -> Iterator[InMemorySpanExporter]:
    build(settings)  # installs the process's tracer provider if none yet
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def test_the_approval_event_carries_the_request_trace_to_its_consumers(
    settings: Settings, auth: TokenFactory, spans: InMemorySpanExporter
) -> None:
    officer = auth("public_security")
    with TestClient(build(settings)) as hukou:
        settlement = hukou.post("/v1/settlement-applications", json=application(), headers=officer)
        spans.clear()
        approved = hukou.post(
            f"/v1/settlement-applications/{settlement.json()['id']}/approve", headers=officer
        )
        assert approved.status_code == 200
        request_traces = {s.context.trace_id for s in spans.get_finished_spans()}
        assert len(request_traces) == 1

        bus = EmbeddedBus(settings.event_log_path)
        deadline = time.monotonic() + 10
        while not (records := bus.read(APPROVED_TOPIC)) and time.monotonic() < deadline:
            time.sleep(0.05)

    assert b"traceparent" not in records[0].value  # the trace travels in headers only
    traceparent = records[0].headers["traceparent"].decode()
    assert int(traceparent.split("-")[1], 16) in request_traces

    metadata: MetaData = new_metadata()
    tables = platform_tables(metadata)
    db = Database(f"sqlite:///{settings.data_dir / 'department.db'}")
    metadata.create_all(db.engine)
    seen: list[int] = []
    subscription = Subscription(
        group="department",
        handlers={
            SETTLEMENT_APPROVED: [
                lambda _s, _e: seen.append(trace.get_current_span().get_span_context().trace_id)
            ]
        },
    )
    consumer = EventConsumer(subscription=subscription, db=db, tables=tables, bus=bus)
    try:
        assert consumer.handle(records[0]) == "done"
    finally:
        consumer.close()
        bus.close()
        db.dispose()
    assert seen == [next(iter(request_traces))]
