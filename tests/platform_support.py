"""The whole platform as real processes, started the way `make run` starts it (`luohu run`):
the end-to-end tests' platform (tests/e2e) and the browser tests' (tests/browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.auth import issue_token
from shared.registry import SERVICE_PORTS
from shared.settings import Settings

READY = b"Ctrl-C stops the platform"
"""What `luohu run` prints once every service answers (and its `--demo`, if asked, is done)."""


def free_port_offset() -> int:
    """An offset that puts every service's contract port on a free port of this machine."""
    for offset in range(20000, 40000, 100):
        if all(_is_free(port + offset) for port in SERVICE_PORTS.values()):
            return offset
    raise RuntimeError("no free ports for the platform")


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class Platform:
    """A running `luohu run`: its folder, environment, and each service's URL."""

    data_dir: Path
    env: dict[str, str]
    offset: int
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "platform.log"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{SERVICE_PORTS[service] + self.offset}"

    def origins(self) -> set[str]:
        """Every service's `host:port`: what a page of the platform may load from."""
        return {self.url(service).removeprefix("http://") for service in SERVICE_PORTS}

    def settings(self) -> Settings:
        """Settings that find the platform's folder of keys (made when it started)."""
        keys = Path(self.env.get("LUOHU_KEYS_DIR") or self.data_dir / "keys")
        return Settings(_env_file=None, data_dir=self.data_dir, keys_dir=keys)

    def headers(self, dept: str = "public_security") -> dict[str, str]:
        """A token of `dept`, signed with its key from the platform's folder of keys."""
        return {"Authorization": f"Bearer {issue_token(self.settings(), dept=dept)}"}

    def start(self, *args: str) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "run", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to clean up all of it
        )
        deadline = time.monotonic() + 90
        while READY not in self.log_path.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the platform did not start:\n{self.log()}")
            time.sleep(0.2)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def end(self) -> None:
        """Whatever happened, nothing of this platform outlives it: its whole process group
        is asked to stop, then killed."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@contextlib.contextmanager
def platform_in(folder: Path, env: Mapping[str, str] | None = None) -> Iterator[Platform]:
    """A platform (not started yet) whose data lives in `folder`, on free ports, with a fast
    relay and the environment's variables with `env` over them; ended on leaving."""
    offset = free_port_offset()
    folder.mkdir(parents=True, exist_ok=True)
    variables = {
        **os.environ,
        "LUOHU_DATA_DIR": str(folder),
        "LUOHU_PORT_OFFSET": str(offset),
        "LUOHU_RELAY_INTERVAL_SECONDS": "0.05",
        **(env or {}),
    }
    running = Platform(data_dir=folder, env=variables, offset=offset)
    try:
        yield running
    finally:
        running.end()


def wait_for(predicate: object, *, timeout: float = 20.0, interval: float = 0.1) -> object:
    """Poll `predicate()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()  # type: ignore[operator]
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
