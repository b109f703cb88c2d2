"""`luohu audit verify SERVICE`: is the service's audit chain as appended (四(四) "纳入审计监督
范围")? Exit 0 when it is, 1 naming the first entry changed, removed or inserted.

It reads the service's database where `luohu migrate` finds it (LUOHU_DATABASE_URL or the
service's own), not `GET /v1/audit`: it sees the rows and the chain head as stored, in one
snapshot, needs no token, and works while the service is down. The audit department, which
has no database access, can recompute the same hashes from what the route serves.

A chain rewritten whole, every hash recomputed, is intact by itself: so it is also compared
with the heads the service published to the coordination office (`shared.audit_heads`), read
from the office's database the same way (`--office-database`, else where `luohu migrate
coordination` finds it). By default that is done when the office's database is there, and the
output says whether it was; `--against-office` requires it, `--no-against-office` skips it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy import inspect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError

from shared.audit_chain import Verdict, verify_chain
from shared.audit_heads import PublishedHead, hashes_at, published_break
from shared.db import Database
from shared.registry import SERVICE_PORTS
from shared.settings import Settings

audit_app = typer.Typer(help="The services' audit logs (四(四)).", no_args_is_help=True)

OFFICE = "coordination"


class _Unreadable(Exception):
    """A database that is not there, or does not answer: the message says which."""


@audit_app.command("verify")
def verify(
    service: str,
    against_office: Annotated[
        bool | None,
        typer.Option(
            "--against-office/--no-against-office",
            help="Compare with the heads published to the coordination office: required, or "
            "skipped (default: when the office's database is there)",
        ),
    ] = None,
    office_database: Annotated[
        str | None,
        typer.Option(
            help="The coordination office's database URL (default: where `luohu "
            "migrate coordination` finds it)"
        ),
    ] = None,
) -> None:
    """Check SERVICE's audit chain: every hash, every link, no gap, ending at its head, and
    every head it published to the coordination office."""
    if service not in SERVICE_PORTS:
        known = ", ".join(SERVICE_PORTS)
        raise typer.BadParameter(f"unknown service {service!r}; one of: {known}")
    settings = Settings()
    heads, office_said = _office_heads(
        service, office_database or settings.database_url_for(OFFICE), against_office
    )
    try:
        verdict, hashes = _read(settings.database_url_for(service), service, heads)
    except _Unreadable as exc:
        _fail(str(exc))
    found = [verdict.first_break, published_break(hashes, heads)]
    breaks = [b for b in found if b is not None]
    if breaks:
        _fail(f"{service}: {min(breaks, key=lambda b: b.sequence)}")
    typer.echo(
        f"{service}: audit chain intact: {verdict.entries} entries, "
        f"head {verdict.head.sequence} {verdict.head.hash}"
    )
    typer.echo(f"{service}: {office_said}")


def _read(
    url: str, service: str, heads: list[PublishedHead]
) -> tuple[Verdict, dict[int, list[str]]]:
    """The chain's verdict, and its hashes at the heads' sequences, in one snapshot."""
    tables = importlib.import_module(f"services.{service}.app").SPEC.tables
    db = _open(url, service, tables.audit_log.name, "audit log")
    try:
        with db.read_only() as session:
            verdict = verify_chain(session, tables)
            return verdict, hashes_at(session, tables, (head.sequence for head in heads))
    except OperationalError as exc:
        raise _Unreadable(_unreadable(service, url, exc)) from exc
    finally:
        db.dispose()


def _office_heads(service: str, url: str, required: bool | None) -> tuple[list[PublishedHead], str]:
    """The heads the office holds for `service`, and what to say of the comparison."""
    if required is False:
        return [], "not compared with the coordination office (--no-against-office)"
    office = importlib.import_module("services.coordination.audit_heads")
    table = importlib.import_module("services.coordination.models").PublishedAuditHead
    try:
        db = _open(url, OFFICE, table.__tablename__, "table of published heads")
        try:
            with db.read_only() as session:
                heads: list[PublishedHead] = office.heads_of(session, service)
        except OperationalError as exc:
            raise _Unreadable(_unreadable(OFFICE, url, exc)) from exc
        finally:
            db.dispose()
    except _Unreadable as exc:
        if required:
            _fail(f"{service}: cannot compare with the coordination office: {exc}")
        return [], f"not compared with the coordination office: {exc}"
    return heads, (
        f"compared with the {len(heads)} heads it published to the coordination office "
        f"({_where(url)})"
    )


def _open(url: str, service: str, table: str, what: str) -> Database:
    """The database at `url`, once it is there and holds `table`."""
    where = _where(url)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and not (database and Path(database).exists()):
        raise _Unreadable(
            f"{service}: no database at {where} (`luohu migrate {service}` builds it)"
        )
    db = Database(url)
    try:
        if not inspect(db.engine).has_table(table):
            raise _Unreadable(
                f"{service}: no {what} at {where} (`luohu migrate {service}` builds it)"
            )
    except OperationalError as exc:
        db.dispose()
        raise _Unreadable(_unreadable(service, url, exc)) from exc
    except _Unreadable:
        db.dispose()
        raise
    return db


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _unreadable(service: str, url: str, exc: OperationalError) -> str:
    return f"{service}: cannot read the database at {_where(url)}: {type(exc.orig).__name__}"


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
