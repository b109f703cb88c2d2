"""Verifying a service's audit chain (四(四) "纳入审计监督范围"): the first entry changed, removed
or inserted since it was appended, named by its sequence number (`shared.audit`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit import GENESIS, ChainHead, chain_head, entry_hash, entry_of
from shared.db import PlatformTables


@dataclass(frozen=True)
class Break:
    """Where the chain stops being the one appended: the entry, what befell it, and why."""

    sequence: int
    kind: Literal["changed", "removed", "inserted"]
    reason: str

    def __str__(self) -> str:
        return f"entry {self.sequence} {self.kind}: {self.reason}"


@dataclass(frozen=True)
class Verdict:
    """How many entries were read, the head they should end at, and the first break, if any."""

    entries: int
    head: ChainHead
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(session: Session, tables: PlatformTables) -> Verdict:
    """Read the whole log and its head in `session` (one snapshot) and check them."""
    log = tables.audit_log
    rows = session.execute(select(log).order_by(log.c.sequence, log.c.id)).mappings()
    entries = [entry_of(row) for row in rows]
    head = chain_head(session, tables)
    return Verdict(len(entries), head, first_break(entries, head))


def first_break(entries: Sequence[dict[str, Any]], head: ChainHead) -> Break | None:
    """The first entry of `entries` (in sequence order) that is not as appended, or the chain's
    end not at `head`; None when every hash and link holds."""
    hashes = [GENESIS]  # the hash each entry so far was appended with, genesis first
    for index, entry in enumerate(entries):
        expected = len(hashes)
        following = entries[index + 1] if index + 1 < len(entries) else None
        found = _break_at(entry, expected, hashes, following)
        if found is not None:
            return found
        hashes.append(entry["hash"])
    return _break_at_end(len(hashes) - 1, hashes[-1], head)


def _break_at(
    entry: dict[str, Any],
    expected: int,
    hashes: list[str],
    following: dict[str, Any] | None,
) -> Break | None:
    sequence = entry["sequence"]
    if sequence > expected:
        return Break(expected, "removed", f"the next entry found is {sequence}")
    if sequence < expected:
        return Break(sequence, "inserted", f"a second entry numbered {sequence}")
    previous = hashes[-1]
    links = entry["previous_hash"] == previous
    sound = entry_hash(entry) == entry["hash"]
    if links and sound:
        return None
    if not links and len(hashes) > 1 and entry["previous_hash"] == hashes[-2]:
        # It follows the entry before the last: the last was put in between.
        return Break(sequence - 1, "inserted", f"entry {sequence} links past it")
    if following is not None and following["previous_hash"] == previous:
        return Break(sequence, "inserted", f"entry {sequence + 1} links past it")
    if not sound:
        return Break(sequence, "changed", "its content does not give its hash")
    if expected == 1:
        return Break(sequence, "changed", "it does not start from the genesis hash")
    return Break(
        sequence - 1,
        "changed",
        f"its hash was recomputed: entry {sequence} links to another one",
    )


def _break_at_end(last: int, last_hash: str, head: ChainHead) -> Break | None:
    if last < head.sequence:
        return Break(last + 1, "removed", f"the chain head is at {head.sequence}")
    if last > head.sequence:
        return Break(head.sequence + 1, "inserted", f"after the chain head at {head.sequence}")
    if last_hash != head.hash:
        return Break(last, "changed", "its hash is not the chain head's")
    return None
