"""Assembles a department service: the FastAPI app, its database, bus, relay and consumers."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from shared import migrations
from shared.audit_heads import publish_heads_until
from shared.db import Database, PlatformTables, utcnow
from shared.errors import install_error_handlers
from shared.events.bus import Bus
from shared.events.consumer import EventConsumer, Subscription
from shared.events.engines import open_bus
from shared.events.outbox import OutboxRelay
from shared.events.signing import EventSigner, EventVerifier
from shared.follow_through.kernel import FollowThrough, redecide_waiting
from shared.keys import Keyring, keyring_for
from shared.limits import BodyLimits, RequestGuard
from shared.observability import configure_logging, metrics
from shared.parameters import ParameterSource
from shared.registry import SERVICES_BY_NAME
from shared.settings import Settings
from shared.tracing import configure_tracing, instrument_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one department's service: the same few parts for every department.

    The service's registry entry gives its title, its package's docstring the description its
    API documents, and the `migrations/` folder beside the package its revisions since the
    baseline (none yet: a fresh database is built from the models).
    `parameters`, when it has any, are loaded when its app is built, so a wrong one stops the
    start rather than failing every decision. A department that acts on approved settlements
    gives its `follow_through`: the service then consumes the approvals, serves the information
    route, and decides again whatever waits on a parameter when its parameters change.
    """

    name: str
    tables: PlatformTables
    routers: Sequence[APIRouter]
    subscriptions: Sequence[Subscription] = ()
    parameters: ParameterSource | None = None
    follow_through: FollowThrough | None = None

    def all_subscriptions(self, keyring: Keyring) -> list[Subscription]:
        """Its own subscriptions and its follow-through's, which opens with `keyring`."""
        extra = [self.follow_through.subscription(keyring)] if self.follow_through else []
        return [*self.subscriptions, *extra]

    @property
    def title(self) -> str:
        entry = SERVICES_BY_NAME[self.name]
        return f"Luohu · {entry.name} ({entry.department})"

    @property
    def description(self) -> str:
        """The package's docstring, and what of an approval the department receives."""
        text = importlib.import_module(f"services.{self.name}").__doc__ or ""
        receives = SERVICES_BY_NAME[self.name].receives
        if not receives:
            return text
        return (
            f"{text.rstrip()}\n\nOf `settlement.approved` it receives, sealed to its own key, "
            f"only: {', '.join(f'`{path}`' for path in receives)} (docs/personal-data.md).\n"
        )

    @property
    def migrations_dir(self) -> Path:
        return migrations.versions_dir(self.name)

    def migrate(self, url: str) -> None:
        """Bring the service's database at `url` to the head revision (`shared.migrations`)."""
        migrations.upgrade(self.name, self.migrations_dir, self.tables.metadata, url)

    def build(self, settings: Settings | None = None) -> FastAPI:
        """The service's app on `settings` (default: the environment's)."""
        return create_app(self, settings)


@dataclass
class Runtime:
    """What a running service holds: reached from routes through `app.state.runtime`."""

    spec: ServiceSpec
    settings: Settings
    db: Database
    bus: Bus
    keyring: Keyring
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start_workers(self) -> None:
        relay = OutboxRelay(
            service=self.spec.name,
            db=self.db,
            tables=self.spec.tables,
            bus=self.bus,
            batch_size=self.settings.relay_batch_size,
            signer=EventSigner(self.keyring, self.spec.name),
        )
        self._spawn(
            f"{self.spec.name}-relay",
            lambda: relay.run_until(self.stop, interval=self.settings.relay_interval_seconds),
        )
        # Beside the relay that sends it: the audit chain's head, to the coordination office.
        self._spawn(
            f"{self.spec.name}-audit-head",
            partial(
                publish_heads_until,
                self.stop,
                self.db,
                self.spec.tables,
                self.spec.name,
                interval=self.settings.audit_head_interval_seconds,
            ),
        )
        follow_through = self.spec.follow_through
        if follow_through is not None and follow_through.parameters is not None:
            self._spawn(
                f"{self.spec.name}-parameters", partial(self._watch_parameters, follow_through)
            )
        for subscription in self.spec.all_subscriptions(self.keyring):
            consumer = EventConsumer(
                subscription=subscription,
                db=self.db,
                tables=self.spec.tables,
                bus=self.bus,
                max_attempts=self.settings.consumer_max_attempts,
                backoff=self.settings.consumer_retry_backoff_seconds,
                batch_size=self.settings.consumer_batch_size,
                verifier=EventVerifier(self.keyring),
            )
            self._spawn(f"{subscription.group}-consumer", partial(consumer.run_until, self.stop))

    def _watch_parameters(self, follow_through: FollowThrough) -> None:
        """At start, then whenever the parameter file changes: decide again what waits on it."""
        parameters = follow_through.parameters
        assert parameters is not None
        changed = True  # at start: a value configured while the service was down counts too
        while not self.stop.is_set():
            if changed:
                try:
                    decided = redecide_waiting(self.db, follow_through)
                    if decided:
                        log.info("parameters changed: %d settlements decided again", decided)
                except Exception:
                    log.exception("could not decide again the settlements waiting on parameters")
            self.stop.wait(self.settings.parameters_poll_seconds)
            changed = parameters.refresh()

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def shutdown(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.bus.close()
        self.db.dispose()


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def create_app(spec: ServiceSpec, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if spec.parameters is not None:
        spec.parameters.load()
    configure_logging(spec.name, settings.log_level)
    configure_tracing(spec.name, settings)
    # A service without its own trusted key, or without the bundle, does not start.
    keyring = keyring_for(settings, create=True)
    keyring.check_holds(spec.name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.database_url_for(spec.name)
        if settings.run_migrations_on_start:
            spec.migrate(url)
        runtime = Runtime(
            spec=spec,
            settings=settings,
            db=Database(url),
            bus=open_bus(settings),
            keyring=keyring,
        )
        app.state.runtime = runtime
        if settings.start_workers:
            runtime.start_workers()
        log.info("%s service started", spec.name)
        try:
            yield
        finally:
            runtime.shutdown()

    # Swagger UI and ReDoc with their scripts, styles and icon served by the service itself
    # (/static-offline-docs): a government network reaches no CDN. ReDoc is given no Google
    # fonts, and Swagger UI no validator, whose badge would send the document's address to
    # validator.swagger.io from any host but localhost.
    app = FastAPIOffline(
        title=spec.title,
        description=spec.description,
        version="1.0.0",
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.settings = settings
    app.state.keyring = keyring
    # Imported here, as the information route below: the route modules build on this one.
    from shared.audit_routes import audit_router
    from shared.replay_routes import replay_router

    routers = [
        _operations_router(spec),
        audit_router(spec.tables),
        replay_router(spec),
        *spec.routers,
    ]
    if spec.follow_through is not None:
        from shared.follow_through.routes import information_router

        routers.append(information_router(spec.follow_through))
    install_error_handlers(app)
    # Added first, so it runs innermost of the middleware: what it refuses is measured and traced.
    app.add_middleware(RequestGuard, limits=BodyLimits.of(routers))
    _add_http_metrics(app, spec.name)
    instrument_app(app)
    for router in routers:
        app.include_router(router)
    return app


def _add_http_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        # The route template, not the raw path: ids and personal data stay out of labels.
        template = getattr(route, "path", "unmatched")
        metrics.http_requests.labels(service, request.method, template, response.status_code).inc()
        metrics.http_latency.labels(service, request.method, template).observe(
            time.perf_counter() - started
        )
        return response


def _operations_router(spec: ServiceSpec) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @router.get(
        "/readyz",
        summary="The database and the event bus are reachable",
        responses={503: {"description": "The database or the event bus is unreachable"}},
    )
    def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks: dict[str, str] = {}
        for name, probe in (("database", runtime.db.ping), ("bus", runtime.bus.ping)):
            try:
                probe()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"unavailable: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    def prometheus(runtime: RuntimeDep) -> Response:
        _sample_backlog(runtime)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _sample_backlog(runtime: Runtime) -> None:
    outbox = runtime.spec.tables.outbox
    unsent = outbox.c.published_at.is_(None)
    try:
        with runtime.db.read_only() as session:
            backlog = int(session.execute(select(func.count()).where(unsent)).scalar_one())
            oldest = session.execute(select(func.min(outbox.c.created_at)).where(unsent))
            oldest_at = oldest.scalar_one()
        metrics.outbox_backlog.labels(runtime.spec.name).set(backlog)
        age = (utcnow() - _as_utc(oldest_at)).total_seconds() if oldest_at else 0.0
        metrics.outbox_oldest_age.labels(runtime.spec.name).set(age)
    except Exception:  # metrics must answer even when the database does not
        log.warning("could not sample the outbox backlog")


def _as_utc(value: datetime) -> datetime:
    # min() over a column comes back without the column's type on SQLite.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
