"""Metrics (Prometheus) and logging with personal data masked."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from shared.identity import mask_identity_numbers
from shared.privacy import redact_target
from shared.tracing import current_trace_id


class _Metrics:
    """The platform's metrics, one set per process (each service is its own process)."""

    def __init__(self) -> None:
        self.http_requests = Counter(
            "luohu_http_requests_total",
            "HTTP requests by route and status",
            ["service", "method", "route", "status"],
        )
        self.http_latency = Histogram(
            "luohu_http_request_seconds",
            "HTTP request latency by route",
            ["service", "method", "route"],
        )
        self.outbox_published = Counter(
            "luohu_outbox_published_total", "Outbox rows published to the bus", ["service"]
        )
        self.outbox_backlog = Gauge(
            "luohu_outbox_backlog", "Outbox rows not yet published", ["service"]
        )
        self.outbox_oldest_age = Gauge(
            "luohu_outbox_oldest_unsent_age_seconds",
            "Age of the oldest unpublished outbox row",
            ["service"],
        )
        self.consumer_lag = Gauge(
            "luohu_consumer_lag", "Records the consumer group has yet to handle", ["consumer"]
        )
        self.approval_to_done = Histogram(
            "luohu_approval_to_done_seconds",
            "From approval to a department's done report, per department (at hukou)",
            ["department"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400),
        )
        self.events_handled = Counter(
            "luohu_events_handled_total",
            "Events handled by consumer group and outcome",
            ["consumer", "outcome"],
        )
        self.dead_letters = Counter(
            "luohu_dead_letters_total", "Events sent to the dead-letter topic", ["consumer"]
        )
        self.events_rejected = Counter(
            "luohu_events_rejected_total",
            "Events refused before any handler ran: unsigned, badly signed, or signed by a "
            "service that does not produce their type",
            ["consumer"],
        )


metrics = _Metrics()


class MaskPersonalData(logging.Filter):
    """Masks identity numbers in every record, whatever logged them (个人信息保护法 第五十一条,
    the handler's duty to keep personal information secure), and hides the query values of an
    access log line, should the access log be turned on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            # (client, method, target, http version, status): the target's query hidden.
            record.args = tuple(
                redact_target(arg) if index == 2 and isinstance(arg, str) else arg
                for index, arg in enumerate(record.args)
            )
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = mask_identity_numbers(str(record.msg))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identity_numbers(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for the operations team's log tools."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        trace_id = current_trace_id()
        if trace_id:
            entry["trace_id"] = trace_id
        for key in ("settlement_id", "event_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(MaskPersonalData())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # No access log: paths and queries may carry identity numbers, and the metrics count
    # requests per route template instead.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
