"""After the entry: the origin's confirmation or refusal, the deadline, the summary line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from services.medical_insurance.rules.domain import CLAUSE, ConfirmationOutcome


def confirm_transfer(
    *,
    coverage_start: date,
    months_declared: int | None,
    months: int,
    origin_coverage_end: date,
    origin_scheme: str | None,
    from_scheme: str | None,
) -> ConfirmationOutcome:
    """The origin confirms the months it holds: they all carry over (no loss of rights)."""
    continuous = origin_coverage_end >= coverage_start - timedelta(days=1)
    declared = (
        f" (the application declared {months_declared}; the origin's record is what carries over)"
        if months_declared is not None and months_declared != months
        else ""
    )
    gap = (
        "Coverage here starts no later than the day after the origin's ends: no gap."
        if continuous
        else f"The origin's coverage ended on {origin_coverage_end.isoformat()}, "
        f"{(coverage_start - origin_coverage_end).days - 1} days before coverage here began on "
        f"{coverage_start.isoformat()}: that gap predates the settlement and is not of the "
        "transfer's making."
    )
    return ConfirmationOutcome(
        status="completed",
        months_carried_over=months,
        origin_coverage_end=origin_coverage_end,
        continuous=continuous,
        from_scheme=origin_scheme or from_scheme,
        reason=f"The origin confirmed {months} months, all carried over{declared}. "
        f"Its coverage ends on {origin_coverage_end.isoformat()}. {gap}",
    )


def refuse_transfer(*, reason: str, coverage_start: date | None) -> ConfirmationOutcome:
    """The origin refuses: nothing carries over yet; coverage in the city stands."""
    stands = (
        f" Coverage in the city stands from {coverage_start.isoformat()}." if coverage_start else ""
    )
    return ConfirmationOutcome(
        status="refused",
        reason=f"The origin refused the transfer: {reason}.{stands} No months carry over until "
        "the origin's record is settled.",
    )


def awaiting_origin(transfer_id: str, deadline: date | None) -> str:
    """Why a transfer is still open: the origin has not answered."""
    due = f", due by {deadline.isoformat()}" if deadline else ", with no deadline set"
    return (
        f"The origin's confirmation of the months it holds is awaited for transfer "
        f"{transfer_id}{due}: it is recorded as the transfer's confirmation."
    )


def is_overdue(status: str, deadline: date | None, today: date) -> bool | None:
    """Past the deadline and still unconfirmed; the deadline's own day is not overdue.
    None where an awaiting transfer has no deadline (its parameter is missing)."""
    if status != "awaiting_origin":
        return False
    if deadline is None:
        return None
    return today > deadline


def summarise(entries: Sequence[tuple[str, str]]) -> str:
    """One line for events and logs from (kind, status) pairs: counts only, never a name or
    an identity number."""
    counts: dict[str, int] = {}
    for kind, status in entries:
        label = "transfer awaiting origin" if status == "awaiting_origin" else kind
        label = label.replace("_", " ")
        counts[label] = counts.get(label, 0) + 1
    parts = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    return f"{CLAUSE} medical insurance for {len(entries)} member(s): {parts or 'none'}"
