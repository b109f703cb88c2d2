"""Personal data out of failure texts, URLs, exported spans and access log lines."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, ValidationError

from shared.identity import make_id_number
from shared.observability import MaskPersonalData
from shared.privacy import failure_text, redact_query, redact_target, redact_url
from shared.tracing import Redacting, record_failure

NUMBER = make_id_number("441402", date(1988, 5, 1), 13)


class Member(BaseModel):
    id_number: str
    name: str
    birth_date: date


def validation_error(**values: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Member.model_validate(values)
    return caught.value


class TestFailureText:
    def test_a_pydantic_error_names_the_field_and_reason_without_the_input(self) -> None:
        error = validation_error(id_number=NUMBER, name="张三", birth_date=NUMBER)
        assert NUMBER in str(error)  # what pydantic itself would write

        text = failure_text(error)

        assert "birth_date" in text and "valid date" in text
        assert NUMBER not in text and "张三" not in text

    def test_a_missing_field_does_not_quote_the_whole_record(self) -> None:
        text = failure_text(validation_error(id_number=NUMBER, name="张三"))

        assert text.endswith("birth_date: Field required")
        assert "张三" not in text and NUMBER[6:14] not in text

    def test_any_other_exception_keeps_its_message_with_numbers_masked(self) -> None:
        text = failure_text(ValueError(f"no open permit of {NUMBER}"))

        assert text == f"ValueError: no open permit of {NUMBER[:4]}{'*' * 10}{NUMBER[-4:]}"


class TestRedaction:
    def test_a_query_keeps_its_names_and_hides_its_values(self) -> None:
        assert redact_query(f"id_number={NUMBER}&page=2") == "id_number=redacted&page=redacted"

    def test_a_url_loses_its_query_values_and_its_user_information(self) -> None:
        url = f"http://user:secret@hukou:8001/v1/settlement-applications?id_number={NUMBER}"

        assert redact_url(url) == "http://hukou:8001/v1/settlement-applications?id_number=redacted"

    def test_a_target_without_a_query_is_left_alone(self) -> None:
        assert redact_target("/v1/settlements/abc") == "/v1/settlements/abc"
        assert redact_target(f"/v1/x?q={NUMBER}") == "/v1/x?q=redacted"


class TestExportedSpans:
    def test_what_the_exporter_receives_is_redacted_whatever_was_recorded(self) -> None:
        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(Redacting(SimpleSpanProcessor(exporter)))
        with provider.get_tracer("test").start_as_current_span(
            f"look up {NUMBER}", record_exception=False, set_status_on_exception=False
        ) as span:
            span.set_attribute("http.url", f"http://hukou/v1/x?id_number={NUMBER}")
            span.set_attribute("url.query", f"id_number={NUMBER}")
            span.set_attribute("note", f"person {NUMBER}")
            span.record_exception(ValueError(f"bad {NUMBER}"))
        [exported] = exporter.get_finished_spans()

        attributes = dict(exported.attributes or {})
        assert attributes["http.url"] == "http://hukou/v1/x?id_number=redacted"
        assert attributes["url.query"] == "id_number=redacted"
        texts = [exported.name, *map(str, attributes.values())]
        texts += [str(v) for event in exported.events for v in (event.attributes or {}).values()]
        assert texts and not [text for text in texts if NUMBER in text]
        assert any("bad 4414" in text for text in texts)

    def test_a_failure_on_a_span_is_recorded_masked_and_without_pydantics_input(self) -> None:
        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))  # raw: the source is clean
        error = validation_error(id_number=NUMBER, name="张三", birth_date=NUMBER)
        with provider.get_tracer("test").start_as_current_span("handle") as span:
            record_failure(span, error)
        [exported] = exporter.get_finished_spans()

        [event] = exported.events
        recorded = [str(v) for v in (event.attributes or {}).values()]
        recorded.append(exported.status.description or "")
        assert "birth_date" in (exported.status.description or "")
        assert not [text for text in recorded if NUMBER in text or "张三" in text]


def test_an_access_log_line_shows_the_querys_names_only() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.1:5000", "GET", f"/v1/residence-permits?id_number={NUMBER}&page=1", "1.1", 422),
        None,
    )

    MaskPersonalData().filter(record)

    assert record.getMessage() == (
        '10.0.0.1:5000 - "GET /v1/residence-permits?id_number=redacted&page=redacted HTTP/1.1" 422'
    )
