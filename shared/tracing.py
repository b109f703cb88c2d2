"""OpenTelemetry traces: HTTP request → outbox → bus → every consumer, one trace per settlement."""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import Attributes

from shared.identity import mask_identity_numbers
from shared.privacy import failure_text, redact_query, redact_target, redact_url
from shared.settings import Settings

tracer = trace.get_tracer("luohu")


def configure_tracing(service: str, settings: Settings) -> None:
    """Spans always carry ids (logs and events use them); export only when OTLP is set."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # one provider per process; tests build several apps in one process
    provider = TracerProvider(resource=Resource.create({"service.name": f"luohu-{service}"}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        export_spans(provider, OTLPSpanExporter(endpoint=settings.otlp_endpoint))
    trace.set_tracer_provider(provider)


def export_spans(provider: TracerProvider, exporter: SpanExporter) -> None:
    """Send the provider's spans to `exporter`, in batches, every one redacted first."""
    provider.add_span_processor(Redacting(BatchSpanProcessor(exporter)))


# --- personal data out of spans --------------------------------------------------------------
# Query strings carry what a caller filtered by (an identity number, once); a URL attribute
# keeps the parameters' names and hides their values. Identity numbers are masked in every
# other text a span carries: attributes, events (an exception's message and stack), status.

_URLS = ("http.url", "url.full")
_TARGETS = ("http.target",)
_QUERIES = ("url.query",)


def _redacted(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        if isinstance(value, tuple | list):
            return tuple(mask_identity_numbers(v) if isinstance(v, str) else v for v in value)
        return value
    if key in _URLS:
        return redact_url(value)
    if key in _TARGETS:
        return redact_target(value)
    if key in _QUERIES:
        return redact_query(value)
    return mask_identity_numbers(value)


def redacted_attributes(attributes: Attributes) -> dict[str, Any]:
    return {key: _redacted(key, value) for key, value in (attributes or {}).items()}


def redact_request_span(span: Span, scope: Mapping[str, Any]) -> None:
    """The instrumentation's request hook: the server span's URL attributes, query hidden."""
    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in (*_URLS, *_TARGETS, *_QUERIES):
        if key in attributes:
            span.set_attribute(key, _redacted(key, attributes[key]))


class Redacting(SpanProcessor):
    """Hands `inner` (an exporting processor) each finished span with its texts redacted, so
    no exporter sees a query value or an identity number, whatever recorded it."""

    def __init__(self, inner: SpanProcessor) -> None:
        self.inner = inner

    def on_start(self, span: Any, parent_context: Context | None = None) -> None:
        self.inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self.inner.on_end(redacted_span(span))

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def redacted_span(span: ReadableSpan) -> ReadableSpan:
    status = span.status
    if status.description:
        status = Status(status.status_code, mask_identity_numbers(status.description))
    return ReadableSpan(
        name=mask_identity_numbers(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=redacted_attributes(span.attributes),
        events=[
            Event(event.name, redacted_attributes(event.attributes), event.timestamp)
            for event in span.events
        ],
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def instrument_app(app: FastAPI) -> None:
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz,metrics", server_request_hook=redact_request_span
    )


def trace_headers() -> dict[str, bytes]:
    """The current trace context as message headers (W3C `traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {name: value.encode() for name, value in carrier.items()}


def context_from(headers: Mapping[str, bytes]) -> Context:
    return propagate.extract(
        {name: value.decode(errors="replace") for name, value in headers.items()}
    )


@contextmanager
def consuming(name: str, headers: Mapping[str, bytes], **attributes: str) -> Iterator[Span]:
    """A consumer span continuing the producer's trace. A handler's exception is recorded
    with identity numbers masked and without the input pydantic would quote."""
    with tracer.start_as_current_span(
        name,
        context=context_from(headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as exc:
            record_failure(span, exc)
            raise


def record_failure(span: Span, exc: BaseException) -> None:
    """`exc` on `span` as an exception event and an error status, personal data masked."""
    text = failure_text(exc)
    stack = "".join(traceback.format_tb(exc.__traceback__))
    span.record_exception(
        exc,
        attributes={
            "exception.message": text,
            "exception.stacktrace": mask_identity_numbers(stack + text),
        },
    )
    span.set_status(Status(StatusCode.ERROR, text))


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
