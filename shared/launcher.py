"""`luohu run`: every service as its own process, restarted when it dies, stopped together."""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import os
import signal
import subprocess
import sys
import time

import httpx
import typer

from shared import migrations
from shared.demo import DemoFailed, Services, walk_through
from shared.keys import KeyProblem, keyring_for
from shared.registry import SERVICE_PORTS
from shared.settings import Settings


def built_services() -> list[str]:
    """The department services present in this installation, in the contract's order."""
    return [name for name in SERVICE_PORTS if importlib.util.find_spec(f"services.{name}")]


def port_of(name: str, settings: Settings) -> int:
    """The service's contract port, moved by LUOHU_PORT_OFFSET."""
    return SERVICE_PORTS[name] + settings.port_offset


def run_demo(host: str) -> bool:
    """`luohu demo` on the platform at `host`: whether the family ended settled."""
    settings = Settings()
    urls = {name: f"http://{host}:{port_of(name, settings)}" for name in SERVICE_PORTS}
    try:
        *_, shown = walk_through(Services(settings, urls), typer.echo)
    except (DemoFailed, httpx.HTTPError, KeyProblem) as exc:
        typer.echo(f"the walk-through stopped: {exc}", err=True)
        return False
    return bool(shown["status"] == "settled")


def run_platform(
    host: str, only: list[str] | None, postgres: str | None, *, demo: bool = False
) -> None:
    """Start every service as its own process on the configured engines, restart any that
    dies, and stop them all on SIGTERM or Ctrl-C."""
    settings = Settings()
    names = only or built_services()
    unknown = sorted(set(names) - set(SERVICE_PORTS))
    if unknown:
        raise typer.BadParameter(f"unknown service(s): {', '.join(unknown)}", param_hint="--only")
    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        # Every service's signing key and the trust bundle, on first start (var/keys/).
        keyring_for(settings, create=True)
    except KeyProblem as exc:
        typer.echo(f"the platform cannot start: {exc}", err=True)
        raise typer.Exit(1) from exc
    environments = {
        name: {
            # A laptop's platform: every department's key is here, so the console's officials
            # sign in as any of them (production signs them in through single sign-on).
            "LUOHU_CONSOLE_DEV_SIGNIN": "true",
            **os.environ,
            **({"LUOHU_DATABASE_URL": ensure_database(postgres, name)} if postgres else {}),
        }
        for name in names
    }
    try:
        # A database from before the migrations' squash, or one its models no longer match,
        # stops the start with what to do.
        for name in names:
            url = environments[name].get("LUOHU_DATABASE_URL") or settings.database_url_for(name)
            spec = importlib.import_module(f"services.{name}.app").SPEC
            migrations.check_revision(name, url, spec.tables.metadata)
    except (migrations.UnknownRevision, migrations.SchemaDrift) as exc:
        typer.echo(f"the platform cannot start: {exc}", err=True)
        raise typer.Exit(1) from exc
    # Hukou checks a declared residence start against the applicant's permits (三(九)), and
    # shows housing's waiting lists and education's school places beside its targets (二.7).
    for asked in ("residence_permit", "housing", "education"):
        if "hukou" in names and asked in names:
            environments["hukou"].setdefault(
                f"LUOHU_HUKOU_{asked.upper()}_URL", f"http://{host}:{port_of(asked, settings)}"
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
                str(port_of(name, settings)),
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
            url = f"http://{host}:{port_of(name, settings)}"
            typer.echo(f"  {name:<18} {url}   (API docs: {url}/docs)")
        typer.echo("A token for public security:  luohu token --dept public_security")
        if demo:
            run_demo(host)
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
                url = f"http://{host}:{port_of(name, settings)}/readyz"
                if httpx.get(url, timeout=1).status_code == 200:
                    waiting.discard(name)
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            typer.echo(f"not ready after 60 s: {', '.join(sorted(waiting))}", err=True)
            raise typer.Exit(1)
        time.sleep(0.2)
