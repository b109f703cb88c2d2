"""`luohu events` and `luohu deadletters`: read the event log, and replay what failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from shared.events.bus import Bus
from shared.identity import mask_identity_numbers
from shared.settings import Settings

events_app = typer.Typer(help="Read the embedded event log.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Events a service could not handle.", no_args_is_help=True)


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


@contextmanager
def _configured_bus() -> Iterator[Bus]:
    """The bus the environment configures, closed afterwards."""
    from shared.events.engines import open_bus

    bus = open_bus(Settings())
    try:
        yield bus
    finally:
        bus.close()


@deadletters_app.command("list")
def deadletters_list(service: str) -> None:
    """Show the dead letters of SERVICE that have not been replayed."""
    from shared.events.deadletters import pending_dead_letters

    with _configured_bus() as bus:
        letters = pending_dead_letters(bus, service)
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

    with _configured_bus() as bus:
        count = replay_dead_letters(bus, service)
    typer.echo(f"replayed {count} dead letter(s) for {service}")
