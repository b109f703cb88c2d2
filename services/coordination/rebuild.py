"""`luohu coordination rebuild`: the read model emptied and read again from the event log.

Every row of the office's view comes from an event (models.py), so reading the log from its
start (the embedded log or Kafka, through `shared.events.bus`) gives the same view again: the
office's own inbox is emptied with it, so no event is skipped as seen, and the reading never
commits, so the live consumer keeps its place. Events the live consumer handles meanwhile are
applied once either way (the inbox, and the latest version winning). While it runs, the view is
being filled again: a family may show fewer events until it ends.
"""

from __future__ import annotations

from sqlalchemy import delete

from services.coordination.handlers import SUBSCRIPTION
from services.coordination.models import (
    TABLES,
    DepartmentReport,
    HeldPermit,
    PermitValidity,
    RuralRegisteredCount,
    SettlementProgress,
    SupervisedItem,
    TimelineEntry,
)
from shared.db import Database
from shared.events.bus import Bus
from shared.events.consumer import EventConsumer
from shared.events.engines import open_bus
from shared.events.signing import EventVerifier
from shared.keys import Keyring, keyring_for
from shared.settings import Settings

READ_MODEL = (SupervisedItem, TimelineEntry, DepartmentReport, SettlementProgress)
"""What the log gives again; the office's follow-ups are its own records and stay (a report
read again closes any still open on an item it has done)."""
STATISTICS_FROM_EVENTS = (RuralRegisteredCount, PermitValidity, HeldPermit)
"""Read again too; the population figures statistics recorded are no event's and are kept."""


def rebuild(
    db: Database, bus: Bus, keyring: Keyring, *, idle_polls: int = 3, first_within: float = 30.0
) -> int:
    """Empty the view and the office's inbox, then apply the log from its start; the number
    of records read."""
    with db.unit_of_work() as session:
        for model in (*READ_MODEL, *STATISTICS_FROM_EVENTS):
            session.execute(delete(model))
        inbox = TABLES.inbox
        session.execute(delete(inbox).where(inbox.c.consumer == SUBSCRIPTION.group))
    consumer = EventConsumer(
        subscription=SUBSCRIPTION,
        db=db,
        tables=TABLES,
        bus=bus,
        verifier=EventVerifier(keyring),
    )
    return consumer.read_from_start(idle_polls=idle_polls, first_within=first_within)


def rebuild_from(settings: Settings) -> int:
    """`rebuild` on the office's database and bus as `settings` name them."""
    db = Database(settings.database_url_for("coordination"))
    bus = open_bus(settings)
    try:
        return rebuild(db, bus, keyring_for(settings))
    finally:
        bus.close()
        db.dispose()
