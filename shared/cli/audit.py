"""`luohu audit verify SERVICE`: is the service's audit chain as appended (四(四) "纳入审计监督
范围")? Exit 0 when it is, 1 naming the first entry changed, removed or inserted.

It reads the service's database where `luohu migrate` finds it (LUOHU_DATABASE_URL or the
service's own), not `GET /v1/audit`: it sees the rows and the chain head as stored, in one
snapshot, needs no token, and works while the service is down. The audit department, which
has no database access, can recompute the same hashes from what the route serves.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import NoReturn

import typer
from sqlalchemy import inspect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError

from shared.audit_chain import verify_chain
from shared.db import Database
from shared.registry import SERVICE_PORTS
from shared.settings import Settings

audit_app = typer.Typer(help="The services' audit logs (四(四)).", no_args_is_help=True)


@audit_app.command("verify")
def verify(service: str) -> None:
    """Check SERVICE's audit chain: every hash, every link, no gap, ending at its head."""
    if service not in SERVICE_PORTS:
        known = ", ".join(SERVICE_PORTS)
        raise typer.BadParameter(f"unknown service {service!r}; one of: {known}")
    url = Settings().database_url_for(service)
    where = make_url(url).render_as_string(hide_password=True)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and not (database and Path(database).exists()):
        _fail(f"{service}: no database at {where} (`luohu migrate {service}` builds it)")
    tables = importlib.import_module(f"services.{service}.app").SPEC.tables
    db = Database(url)
    try:
        if not inspect(db.engine).has_table(tables.audit_log.name):
            _fail(f"{service}: no audit log at {where} (`luohu migrate {service}` builds it)")
        with db.read_only() as session:
            verdict = verify_chain(session, tables)
    except OperationalError as exc:
        _fail(f"{service}: cannot read the database at {where}: {type(exc.orig).__name__}")
    finally:
        db.dispose()
    if verdict.first_break is not None:
        _fail(f"{service}: {verdict.first_break}")
    typer.echo(
        f"{service}: audit chain intact: {verdict.entries} entries, "
        f"head {verdict.head.sequence} {verdict.head.hash}"
    )


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
