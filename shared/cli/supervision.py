"""`luohu supervision digest`: the coordination office's weekly digest per county for the
municipal supervision office (四(三) 纳入市政府督查工作范围), as CSV or JSON.

It reads the office's database where `luohu migrate` finds it (LUOHU_DATABASE_URL or the
office's own), as `luohu audit verify` does: it needs no token, works while the service is
down, and gives the same figures as `GET /v1/supervision/digest`, from the same code.
"""

from __future__ import annotations

import importlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import inspect
from sqlalchemy.engine.url import make_url

from shared.db import Database
from shared.errors import InvalidInput
from shared.settings import Settings

supervision_app = typer.Typer(
    help="The coordination office's supervision (四(三)).", no_args_is_help=True
)


class Format(StrEnum):
    csv = "csv"
    json = "json"


@supervision_app.command("digest")
def digest_command(
    week: Annotated[
        str | None, typer.Option(help="An ISO week, YYYY-Www (default: the last full week)")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="csv or json")] = Format.csv,
    output: Annotated[
        Path | None, typer.Option(help="Write it to this file (default: print it)")
    ] = None,
) -> None:
    """Print (or write) the week's figures per county: only counts, no person."""
    digest = importlib.import_module("services.coordination.digest")
    url = make_url(Settings().database_url_for("coordination"))
    missing = f"coordination: no database at {url.render_as_string(hide_password=True)} "
    missing += "(`luohu migrate coordination` builds it)"
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        _fail(missing)  # before connecting, which would leave an empty file behind
    db = Database(url.render_as_string(hide_password=False))
    try:
        if not inspect(db.engine).has_table("settlement_progress"):
            _fail(missing)
        with db.read_only() as session:
            figures = digest.weekly_digest(session, week)
    except InvalidInput as exc:
        reasons = "; ".join(d["reason"] for d in exc.details) or exc.message
        raise typer.BadParameter(reasons, param_hint="--week") from exc
    finally:
        db.dispose()
    if output_format is Format.csv:
        text = digest.as_csv(figures)
    else:
        text = json.dumps(figures.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"coordination: the digest of {figures.week} written to {output}")


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)
