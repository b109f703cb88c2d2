"""`luohu`: run the platform, print tokens, migrate databases, read the event log."""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from typing import Annotated

import httpx
import typer

from shared import migrations
from shared.auth import DEPARTMENT_SCOPES, issue_token
from shared.identity import mask_identity_numbers
from shared.settings import SERVICE_PORTS, Settings

app = typer.Typer(
    help="Luohu (落户): coordinates the departments when a migrant settles.", no_args_is_help=True
)
events_app = typer.Typer(help="Read the embedded event log.", no_args_is_help=True)
app.add_typer(events_app, name="events")
deadletters_app = typer.Typer(help="Events a service could not handle.", no_args_is_help=True)
app.add_typer(deadletters_app, name="deadletters")


def built_services() -> list[str]:
    """The department services present in this installation, in the contract's order."""
    return [name for name in SERVICE_PORTS if importlib.util.find_spec(f"services.{name}")]


def _port(name: str, settings: Settings) -> int:
    return SERVICE_PORTS[name] + settings.port_offset


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address the services listen on")] = "127.0.0.1",
    only: Annotated[list[str] | None, typer.Option(help="Start only these services")] = None,
    postgres: Annotated[
        str | None,
        typer.Option(help="A PostgreSQL server URL: each service gets its own database on it"),
    ] = None,
) -> None:
    """Start every service as its own process on the configured engines, restart any that
    dies, and stop them all on Ctrl-C."""
    settings = Settings()
    names = only or built_services()
    unknown = sorted(set(names) - set(SERVICE_PORTS))
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}", param_hint="--only")
    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    environments = {
        name: {
            **os.environ,
            **({"LUOHU_DATABASE_URL": ensure_database(postgres, name)} if postgres else {}),
        }
        for name in names
    }
    if "hukou" in names and "residence_permit" in names:
        # Hukou checks a declared residence start against the applicant's permits (三(九)).
        environments["hukou"].setdefault(
            "LUOHU_HUKOU_RESIDENCE_PERMIT_URL",
            f"http://{host}:{_port('residence_permit', settings)}",
        )

    def start(name: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                f"services.{name}.app:app",
                "--host",
                host,
                "--port",
                str(_port(name, settings)),
                "--no-access-log",
            ],
            env=environments[name],
            preexec_fn=_die_with_parent,
        )
        (run_dir / f"{name}.pid").write_text(str(process.pid))
        return process

    processes = {name: start(name) for name in names}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        _wait_until_ready(names, host, settings, processes)
        typer.echo(
            f"Luohu is running on the {settings.bus} event bus, data in {settings.data_dir}/"
        )
        for name in names:
            url = f"http://{host}:{_port(name, settings)}"
            typer.echo(f"  {name:<18} {url}   (API docs: {url}/docs)")
        typer.echo("A token for public security:  luohu token --dept public_security")
        typer.echo("Ctrl-C stops the platform.")
        restarts: dict[str, list[float]] = {name: [] for name in names}
        due: dict[str, float] = {}
        while not stopping:
            now = time.monotonic()
            for name, process in processes.items():
                if process.poll() is None or stopping:
                    continue
                if name not in due:
                    # A crashed service comes back and resumes from its outbox and offsets;
                    # one that keeps crashing waits longer each time (up to 30 s).
                    recent = [t for t in restarts[name] if now - t < 60]
                    delay = 0.0 if len(recent) < 5 else min(30.0, 2.0 ** (len(recent) - 5))
                    restarts[name] = [*recent, now]
                    due[name] = now + delay
                    typer.echo(
                        f"{name} exited with code {process.returncode}; restarting"
                        + (f" in {delay:.0f} s" if delay else ""),
                        err=True,
                    )
                if now >= due[name]:
                    del due[name]
                    processes[name] = start(name)
            time.sleep(0.2)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in names:
            (run_dir / f"{name}.pid").unlink(missing_ok=True)
    failed = [n for n, p in processes.items() if p.returncode not in (0, -signal.SIGTERM)]
    raise typer.Exit(1 if failed else 0)


def _die_with_parent() -> None:
    """In the child before exec: if `luohu run` itself is killed, its services get SIGTERM
    (Linux's parent-death signal) instead of running on as orphans."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def ensure_database(server_url: str, service: str) -> str:
    """The URL of the service's own database on the server, created when missing.

    The URL's database name, when it is not `postgres`, prefixes each service's database
    (`.../city` gives `city_hukou`, `city_housing`, ...), so platforms can share a server.
    """
    import psycopg
    from sqlalchemy.engine.url import make_url

    server = make_url(server_url)
    prefix = server.database if server.database not in (None, "", "postgres") else None
    name = f"{prefix}_{service}" if prefix else service
    dsn = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


def _wait_until_ready(
    names: list[str], host: str, settings: Settings, processes: dict[str, subprocess.Popen[bytes]]
) -> None:
    deadline = time.monotonic() + 60
    waiting = set(names)
    while waiting:
        for name in sorted(waiting):
            if processes[name].poll() is not None:
                typer.echo(f"{name} failed to start (exit {processes[name].returncode})", err=True)
                raise typer.Exit(1)
            try:
                url = f"http://{host}:{_port(name, settings)}/readyz"
                if httpx.get(url, timeout=1).status_code == 200:
                    waiting.discard(name)
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            typer.echo(f"not ready after 60 s: {', '.join(sorted(waiting))}", err=True)
            raise typer.Exit(1)
        time.sleep(0.2)


@app.command()
def token(
    dept: Annotated[str, typer.Option(help=f"One of: {', '.join(DEPARTMENT_SCOPES)}")],
    scope: Annotated[list[str] | None, typer.Option(help="Narrow to these scopes")] = None,
    lifetime: Annotated[int | None, typer.Option(help="Seconds the token is valid")] = None,
) -> None:
    """Print a signed department token for the running platform."""
    try:
        typer.echo(issue_token(Settings(), dept=dept, scopes=scope, lifetime=lifetime))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def migrate(service: Annotated[list[str] | None, typer.Argument()] = None) -> None:
    """Bring services' databases to the latest schema (containers run this before start)."""
    settings = Settings()
    for name in service or built_services():
        module = importlib.import_module(f"services.{name}.app")
        spec = module.SPEC
        migrations.upgrade(spec.migrations_dir, settings.database_url_for(name))
        typer.echo(f"{name}: database at the latest revision")


@events_app.command("tail")
def events_tail(
    topic: str,
    offset: Annotated[int, typer.Option("--from", help="First offset to show")] = 0,
    limit: Annotated[int, typer.Option(help="How many events at most")] = 20,
    reveal: Annotated[bool, typer.Option(help="Show identity numbers in clear")] = False,
) -> None:
    """Print events of a topic in the embedded log, one JSON object per line."""
    from shared.events.embedded import EmbeddedBus

    bus = EmbeddedBus(Settings().event_log_path)
    try:
        for record in bus.read(topic, from_offset=offset, limit=limit):
            line = json.dumps(
                {"offset": record.offset, "key": record.key, "event": json.loads(record.value)},
                ensure_ascii=False,
            )
            typer.echo(line if reveal else mask_identity_numbers(line))
    finally:
        bus.close()


@deadletters_app.command("list")
def deadletters_list(service: str) -> None:
    """Show the dead letters of SERVICE that have not been replayed."""
    from shared.events.deadletters import pending_dead_letters
    from shared.events.engines import open_bus

    bus = open_bus(Settings())
    try:
        letters = pending_dead_letters(bus, service)
    finally:
        bus.close()
    for letter in letters:
        typer.echo(
            mask_identity_numbers(
                f"{letter.original_topic} key={letter.record.key} offset={letter.record.offset}: "
                f"{letter.error}"
            )
        )
    typer.echo(f"{len(letters)} dead letter(s) waiting for {service}")


@deadletters_app.command("replay")
def deadletters_replay(service: str) -> None:
    """Send SERVICE's dead letters to their topic again, once the cause is fixed."""
    from shared.events.deadletters import replay_dead_letters
    from shared.events.engines import open_bus

    bus = open_bus(Settings())
    try:
        count = replay_dead_letters(bus, service)
    finally:
        bus.close()
    typer.echo(f"replayed {count} dead letter(s) for {service}")


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    main()
