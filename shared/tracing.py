"""OpenTelemetry traces: HTTP request → outbox → bus → every consumer, one trace per settlement."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind

from shared.settings import Settings

tracer = trace.get_tracer("luohu")


def configure_tracing(service: str, settings: Settings) -> None:
    """Spans always carry ids (logs and events use them); export only when OTLP is set."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # one provider per process; tests build several apps in one process
    provider = TracerProvider(resource=Resource.create({"service.name": f"luohu-{service}"}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        )
    trace.set_tracer_provider(provider)


def instrument_app(app: FastAPI) -> None:
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")


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
    """A consumer span continuing the producer's trace."""
    with tracer.start_as_current_span(
        name, context=context_from(headers), kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        yield span


def current_trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
