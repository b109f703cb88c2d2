"""`luohu report settlements YEAR`: the coordination office's yearly settlement report per
county (三(一) finance, 三(二) land), as JSON or CSV, as `GET /v1/reports/settlements/{year}`
answers it.

It reads the office's database where `luohu migrate coordination` puts it (LUOHU_DATABASE_URL
or its own SQLite file), in one snapshot, as `luohu audit verify` does: an operator's command on
the office's host, needing no token, working while the service is down.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer
from sqlalchemy import inspect
from sqlalchemy.engine.url import make_url

from shared.db import Database
from shared.settings import Settings

report_app = typer.Typer(
    help="The coordination office's reports (三(一), 三(二)).", no_args_is_help=True
)


@report_app.command("settlements")
def settlements(
    year: int,
    output: Annotated[
        Literal["json", "csv"], typer.Option("--format", help="json (the default) or csv")
    ] = "json",
) -> None:
    """Per county: the people approved to settle in YEAR, of whom rural-registered, and the
    residence-permit holders on 31 December."""
    problems = importlib.import_module("services.coordination.population").checked_year(year)
    if problems:
        raise typer.BadParameter(problems[0]["reason"], param_hint="YEAR")
    reports = importlib.import_module("services.coordination.reports")
    url = Settings().database_url_for("coordination")
    where = make_url(url).render_as_string(hide_password=True)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and not (database and Path(database).exists()):
        _fail(f"coordination: no database at {where} (`luohu migrate coordination` builds it)")
    db = Database(url)
    try:
        if not inspect(db.engine).has_table("held_permits"):
            _fail(f"coordination: no report tables at {where} (`luohu migrate coordination`)")
        with db.read_only() as session:
            report = reports.settlement_report(session, year)
    finally:
        db.dispose()
    typer.echo(reports.as_csv(report) if output == "csv" else report.model_dump_json(indent=2))


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
