"""A permit's year, its yearly endorsement (签注, 居住证暂行条例 第十条) and its status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from services.residence_permit.rules.national import (
    ART_10,
    CLAUSE,
    ENDORSEMENT_INTERVAL_YEARS,
    ENDORSEMENT_WINDOW_MONTHS,
    whole,
)
from shared.dates import add_months, year_end
from shared.parameters import Parameter, ParameterSet

PermitStatus = Literal["valid", "lapsed", "closed"]
EndorsementKind = Literal["on_time", "make_up"]


def permit_status(*, valid_to: date, closed: bool, on: date) -> PermitStatus:
    """Closed once closed; else valid through `valid_to` and lapsed from the day after."""
    if closed:
        return "closed"
    return "valid" if on <= valid_to else "lapsed"


@dataclass(frozen=True)
class Term:
    """Where a permit stands: the current year, and since when residence counts unbroken."""

    issued_on: date
    valid_from: date
    valid_to: date
    # 居住年限...连续计算: the first day of the unbroken residence the permit attests.
    period_start: date
    years_in_period: int
    closed: bool = False


@dataclass(frozen=True)
class EndorsementDecision:
    """An endorsement accepted (on time or as a make-up) or refused, and why.

    `conflict` marks a refusal caused by the permit's state (answered 409) rather than by
    the request itself (answered 422 naming `field`).
    """

    outcome: Literal["on_time", "make_up", "refused"]
    reason: str
    parameters: tuple[Parameter, ...] = ()
    term: Term | None = None
    field: str | None = None
    conflict: bool = False
    regulation: str = ART_10
    clause: str = CLAUSE


def _refused(
    reason: str, *, field: str | None = None, conflict: bool = False
) -> EndorsementDecision:
    return EndorsementDecision(outcome="refused", reason=reason, field=field, conflict=conflict)


def endorsement_window_opens(term: Term, window: Parameter) -> date:
    """The first day an on-time endorsement may be made: a month before the year is full."""
    return add_months(term.valid_to + timedelta(days=1), -whole(window))


def decide_endorsement(
    term: Term, *, endorsed_on: date, still_resident: bool, parameters: ParameterSet
) -> EndorsementDecision:
    """第十条: endorsed once a year, in the month before the year is full, for a holder still
    resident. Late, the permit's use is suspended (lapsed); a make-up endorsement restores it,
    and the years of residence count afresh from the make-up day."""
    if term.closed:
        return _refused(
            "the permit is closed and cannot be endorsed: a settled person is a registered "
            "resident and needs no permit",
            conflict=True,
        )
    if endorsed_on < term.issued_on:
        return _refused(
            f"endorsed_on {endorsed_on.isoformat()} precedes the permit's issue on "
            f"{term.issued_on.isoformat()}",
            field="endorsed_on",
        )
    interval = parameters.in_force(ENDORSEMENT_INTERVAL_YEARS, endorsed_on)
    window = parameters.in_force(ENDORSEMENT_WINDOW_MONTHS, endorsed_on)
    if interval is None or window is None:
        return _refused(
            f"no endorsement rules are in force on {endorsed_on.isoformat()} ({ART_10})",
            field="endorsed_on",
        )
    used = (interval, window)
    if not still_resident:
        return _refused(
            f"only a holder still living in the city is endorsed ({ART_10}: 在居住地连续居住的); "
            "a holder who has left needs no endorsement, and the permit lapses at the end of "
            "its year",
            field="still_resident",
        )
    years = whole(interval)
    if endorsed_on > term.valid_to:
        restored = replace(
            term,
            valid_from=endorsed_on,
            valid_to=year_end(endorsed_on, years),
            period_start=endorsed_on,
            years_in_period=years,
        )
        return EndorsementDecision(
            outcome="make_up",
            reason=f"a make-up endorsement (补办签注): the permit lapsed after "
            f"{term.valid_to.isoformat()} and its use is restored from {endorsed_on.isoformat()}; "
            f"the years of residence count afresh from that day ({ART_10})",
            parameters=used,
            term=restored,
        )
    opens = endorsement_window_opens(term, window)
    if endorsed_on < opens:
        return _refused(
            f"too early: the year ends on {term.valid_to.isoformat()}, and the endorsement is "
            f"made within the month before it is full, from {opens.isoformat()} ({ART_10})",
            conflict=True,
        )
    extended = replace(
        term,
        valid_from=term.valid_to + timedelta(days=1),
        valid_to=year_end(term.period_start, term.years_in_period + years),
        years_in_period=term.years_in_period + years,
    )
    return EndorsementDecision(
        outcome="on_time",
        reason=f"endorsed for the year to {extended.valid_to.isoformat()}; residence counts "
        f"unbroken since {term.period_start.isoformat()} ({ART_10})",
        parameters=used,
        term=extended,
    )


def conflicts_with_open_permit(*, open_valid_to: date, applied_on: date) -> bool:
    """One valid permit a person: an open permit still valid on the application date blocks a
    new one. A lapsed one does not: the new permit supersedes it (closed as superseded)."""
    return open_valid_to >= applied_on


@dataclass(frozen=True)
class Endorsed:
    """An endorsement already made, as the residence history reads it."""

    endorsed_on: date
    kind: EndorsementKind
    previous_valid_to: date


@dataclass(frozen=True)
class Period:
    """An unbroken stretch the permit was in force, both ends inclusive (第十条)."""

    start: date
    end: date
    started_by: Literal["issue", "make_up_endorsement"]
    endorsements: int


def residence_periods(
    *,
    issued_on: date,
    endorsements: tuple[Endorsed, ...],
    valid_to: date,
    closed_on: date | None,
) -> tuple[Period, ...]:
    """The permit's unbroken periods: a make-up endorsement ends one (at the year it lapsed
    after) and starts the next; closing ends the last on the day it was closed."""
    periods: list[Period] = []
    start, count = issued_on, 0
    started_by: Literal["issue", "make_up_endorsement"] = "issue"
    for endorsement in sorted(endorsements, key=lambda e: e.endorsed_on):
        if endorsement.kind == "make_up":
            periods.append(Period(start, endorsement.previous_valid_to, started_by, count))
            start, count = endorsement.endorsed_on, 0
            started_by = "make_up_endorsement"
        else:
            count += 1
    end = valid_to if closed_on is None else max(start, min(valid_to, closed_on))
    periods.append(Period(start, end, started_by, count))
    return tuple(periods)
