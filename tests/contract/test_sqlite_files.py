"""Several processes' threads opening one new SQLite file at once (the event log, a service
database) all get in: SQLite refuses the WAL switch at once to all but one of them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from shared.db import Database
from shared.events.bus import Message
from shared.events.embedded import EmbeddedBus

OPENERS = 8


def at_once(action: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        barrier.wait()
        try:
            action(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("trial", range(30))
def test_handles_opening_a_new_event_log_at_once_all_publish(tmp_path: Path, trial: int) -> None:
    path = tmp_path / f"events-{trial}.db"
    buses = [EmbeddedBus(path) for _ in range(OPENERS)]
    try:
        errors = at_once(lambda n: buses[n].publish([Message("t", f"k{n}", b"v")]))
        assert errors == []
        assert len(buses[0].read("t")) == OPENERS
    finally:
        for bus in buses:
            bus.close()


@pytest.mark.parametrize("trial", range(30))
def test_engines_opening_a_new_database_at_once_all_connect(tmp_path: Path, trial: int) -> None:
    databases = [Database(f"sqlite:///{tmp_path / f'service-{trial}.db'}") for _ in range(OPENERS)]

    def connect(n: int) -> None:
        with databases[n].unit_of_work() as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))

    try:
        assert at_once(connect) == []
    finally:
        for database in databases:
            database.dispose()
