"""`luohu`: run the platform, print tokens, migrate databases, read the event log, verify the
audit logs, make the supervision's weekly digest."""

from __future__ import annotations

import importlib
import importlib.util
import os
import tempfile
from pathlib import Path
from typing import Annotated

import httpx
import typer

from shared import key_folder, keys, migrations
from shared.auth import issue_token
from shared.cli.audit import audit_app
from shared.cli.log import deadletters_app, events_app
from shared.cli.report import report_app
from shared.cli.supervision import supervision_app
from shared.cli.topics import topics_app
from shared.cli.trust import keys_app
from shared.launcher import built_services, port_of, run_demo, run_platform
from shared.registry import DEPARTMENT_SCOPES, SERVICE_PORTS, SERVICES
from shared.settings import Settings

app = typer.Typer(
    help="Luohu (落户): coordinates the departments when a migrant settles.", no_args_is_help=True
)

app.add_typer(events_app, name="events")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
app.add_typer(supervision_app, name="supervision")

coordination_app = typer.Typer(help="The coordination office's read model.", no_args_is_help=True)
app.add_typer(coordination_app, name="coordination")


@coordination_app.command("rebuild")
def coordination_rebuild() -> None:
    """Empty the coordination office's view and read it again from the event log's start
    (embedded or Kafka): the same view, each event applied once."""
    rebuild = importlib.import_module("services.coordination.rebuild")
    settings = Settings()
    spec = importlib.import_module("services.coordination.app").SPEC
    spec.migrate(settings.database_url_for("coordination"))
    typer.echo(f"coordination: {rebuild.rebuild_from(settings)} events read again")


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address the services listen on")] = "127.0.0.1",
    only: Annotated[list[str] | None, typer.Option(help="Start only these services")] = None,
    postgres: Annotated[
        str | None,
        typer.Option(help="A PostgreSQL server URL: each service gets its own database on it"),
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Once ready, take one family through (as `luohu demo` does)")
    ] = False,
) -> None:
    """Start every service as its own process on the configured engines, restart any that
    dies, and stop them all on Ctrl-C."""
    run_platform(host, only, postgres, demo=demo)


@app.command("demo")
def demo_command(
    host: Annotated[str, typer.Option(help="Address the services listen on")] = "127.0.0.1",
) -> None:
    """Take one family through the running platform, from submission to settled, printing
    what each department decides, asks for and is given."""
    if not run_demo(host):
        raise typer.Exit(1)


def _service_named(service: str | None) -> str:
    name = service or os.environ.get("LUOHU_SERVICE", "")
    if name not in SERVICE_PORTS:
        known = ", ".join(SERVICE_PORTS)
        raise typer.BadParameter(f"unknown service {name!r}; one of: {known}", param_hint="SERVICE")
    return name


ServiceArgument = Annotated[
    str | None, typer.Argument(help="The service (default: LUOHU_SERVICE, as in its image)")
]


@app.command()
def serve(
    service: ServiceArgument = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "0.0.0.0",
) -> None:
    """Serve one service on its contract port (plus LUOHU_PORT_OFFSET): a container's command."""
    import uvicorn

    name = _service_named(service)
    uvicorn.run(
        f"services.{name}.app:app",
        host=host,
        port=port_of(name, Settings()),
        # No access log: request paths and queries may carry identity numbers.
        access_log=False,
        timeout_graceful_shutdown=20,
    )


@app.command()
def probe(
    path: Annotated[str, typer.Argument(help="/healthz or /readyz")] = "/healthz",
    service: Annotated[str | None, typer.Option(help="Default: LUOHU_SERVICE")] = None,
) -> None:
    """Exit 0 when the local service answers `path` with 200 (a container's health check)."""
    name = _service_named(service)
    try:
        answer = httpx.get(f"http://127.0.0.1:{port_of(name, Settings())}{path}", timeout=4)
    except httpx.HTTPError as exc:
        typer.echo(f"{name}: {path} unreachable: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from exc
    if answer.status_code != 200:
        typer.echo(f"{name}: {path} answered {answer.status_code}", err=True)
        raise typer.Exit(1)


@app.command("prune")
def prune_command(
    service: Annotated[
        list[str] | None,
        typer.Argument(help="The services whose databases to prune (default: every one here)"),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be removed; remove nothing")
    ] = False,
) -> None:
    """Remove what is past its retention (LUOHU_RETENTION_DAYS): published outbox rows, inbox
    entries and Idempotency-Key answers, and the embedded log's consumed events; never an
    unsent or unhandled event, a failed one awaiting replay, or the audit log. Prints how many
    rows it removed per service and table (docs/operations.md, "Retention")."""
    from shared.retention import prune

    names = service or built_services()
    for name in names:
        _service_named(name)
    report = prune(Settings(), names, dry_run=dry_run)
    for line in report.lines():
        typer.echo(line)
    for problem in report.problems:
        typer.echo(problem, err=True)
    if report.problems:
        raise typer.Exit(1)


@app.command("compose-env")
def compose_env(
    fill: Annotated[
        bool, typer.Option(help="Fill every secret: new random passwords, a new key per service")
    ] = False,
    keys_dir: Annotated[
        Path | None,
        typer.Option(
            help="With --fill: take the keys from (or make them in) this folder, and keep there "
            "the keys of the departments calling in, for `luohu token`"
        ),
    ] = None,
) -> None:
    """Print the environment file deploy/compose.yaml needs, one line per secret of the
    registry's services: `luohu compose-env --fill > deploy/compose.env`."""
    import secrets

    def secret() -> str:
        # URL-safe on purpose: the database passwords go into connection URLs as they are.
        return secrets.token_urlsafe(32) if fill else ""

    from shared.events.kafka_access import password_variable, platform_users

    signing_keys, bundle = _compose_keys(keys_dir) if fill else ({}, "")
    passwords = "\n".join(f"{s.name.upper()}_DB_PASSWORD={secret()}" for s in SERVICES)
    private_keys = "\n".join(
        f"{s.name.upper()}_SIGNING_KEY={signing_keys.get(s.name, '')}" for s in SERVICES
    )
    kafka_passwords = "\n".join(f"{password_variable(u)}={secret()}" for u in platform_users())
    typer.echo(
        f"""# The environment of deploy/compose.yaml (`luohu compose-env`). Fill in every secret
# (or print this with --fill) and keep the file out of version control: it is yours alone.
#   docker compose -f deploy/compose.yaml --env-file deploy/compose.env up -d --build
# Compose refuses to start while a password is empty; a service without its key refuses too.

# Each service's own signing key (an Ed25519 private key, PEM): it signs that service's tokens
# and nothing else (`luohu keys`). Each container gets its own only.
{private_keys}

# The trust bundle: every key's public half, with its service and department (JWKS).
LUOHU_TRUST_BUNDLE={bundle}

# The PostgreSQL superuser, and each service's own database role (deploy/postgres/init.sh).
# The roles are created on the first start only: changing a password later is an ALTER ROLE.
POSTGRES_PASSWORD={secret()}
{passwords}

# Each Kafka user's SCRAM password: one per service, and the operators' topics and dead-letter
# replay. The kafka-users one-off gives them to the broker on every start.
{kafka_passwords}

# Not secrets; the defaults shown.
LUOHU_IMAGE_TAG=0.1.0
LUOHU_LOG_LEVEL=INFO
LUOHU_KAFKA_PARTITIONS=12
# Where the services' ports are published; 0.0.0.0 opens them to the network.
LUOHU_PUBLISH_ADDRESS=127.0.0.1"""
    )


def _compose_keys(folder: Path | None) -> tuple[dict[str, str], str]:
    """Each service's private key as one double-quoted env-file value, and the bundle as one
    single-quoted (verbatim) value: from `folder`, or from a new key set nobody keeps."""
    with tempfile.TemporaryDirectory() as scratch:
        where = folder or Path(scratch)
        try:
            key_folder.init_keys(where)
            bundle = keys.TrustBundle.read(where / keys.BUNDLE_FILE)
            pems = {
                s.name: (where / f"{s.name}{keys.KEY_SUFFIX}").read_text(encoding="ascii")
                for s in SERVICES
            }
        except keys.KeyProblem as exc:
            raise typer.BadParameter(str(exc), param_hint="--keys-dir") from exc
    quoted = {name: '"' + pem.replace("\n", "\\n") + '"' for name, pem in pems.items()}
    return quoted, f"'{bundle.to_json(compact=True)}'"


@app.command()
def token(
    dept: Annotated[str, typer.Option(help=f"One of: {', '.join(DEPARTMENT_SCOPES)}")],
    scope: Annotated[list[str] | None, typer.Option(help="Narrow to these scopes")] = None,
    lifetime: Annotated[
        int | None, typer.Option(help="Seconds the token is valid (at most 8 hours)")
    ] = None,
    officer: Annotated[
        str | None, typer.Option(help="The staff number of the officer who acts with it")
    ] = None,
) -> None:
    """Print a token of DEPT (naming OFFICER, when given), signed with the local key of one of
    its services: it works only where that department's private key is."""
    try:
        typer.echo(
            issue_token(Settings(), dept=dept, scopes=scope, lifetime=lifetime, officer=officer)
        )
    except keys.KeyProblem as exc:
        typer.echo(f"cannot sign for {dept}: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def migrate(
    service: Annotated[list[str] | None, typer.Argument()] = None,
    new: Annotated[
        str | None,
        typer.Option(
            help="Write one service's next migration, from its models and its database: the message"
        ),
    ] = None,
) -> None:
    """Bring services' databases to the latest schema (containers run this before start)."""
    settings = Settings()
    names = service or built_services()
    if new is not None and len(names) != 1:
        raise typer.BadParameter(
            "name the one service to write a migration for", param_hint="SERVICE"
        )
    try:
        for name in names:
            spec = importlib.import_module(f"services.{name}.app").SPEC
            url = settings.database_url_for(name)
            if new is not None:
                # Autogenerated against the service's database, brought to the head revision.
                migrations.new_revision(name, spec.migrations_dir, spec.tables.metadata, url, new)
                return
            spec.migrate(url)
            typer.echo(f"{name}: database at the latest revision")
    except (migrations.UnknownRevision, migrations.SchemaDrift, migrations.NothingToCompare) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
