"""Closing the permits of people who settled (三(九): permits cover those who have not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.residence_permit.rules.national import CLAUSE
from services.residence_permit.rules.term import permit_status


@dataclass(frozen=True)
class OpenPermit:
    """A permit not yet closed, valid or lapsed."""

    permit_id: str
    valid_to: date


@dataclass(frozen=True)
class Member:
    """A settled household member and the open permits this service holds for them."""

    id_number: str
    relation: str
    open_permits: tuple[OpenPermit, ...] = ()


@dataclass(frozen=True)
class Closure:
    permit_id: str
    # Where the permit stood on the day of settlement: a lapsed one is closed as well, so
    # that a make-up endorsement cannot revive a permit its holder no longer needs.
    status_before: Literal["valid", "lapsed"]


@dataclass(frozen=True)
class MemberDecision:
    id_number: str
    relation: str
    decision: Literal["permit_closed", "no_open_permit"]
    closures: tuple[Closure, ...]
    reason: str
    clause: str = CLAUSE


def decide_closures(members: tuple[Member, ...], *, settled_on: date) -> tuple[MemberDecision, ...]:
    """Every open permit of a settled member is closed as `settled` on the day they settled."""
    decisions = []
    for member in members:
        closures = tuple(
            Closure(
                permit.permit_id,
                "valid"
                if permit_status(valid_to=permit.valid_to, closed=False, on=settled_on) == "valid"
                else "lapsed",
            )
            for permit in member.open_permits
        )
        if closures:
            decision: Literal["permit_closed", "no_open_permit"] = "permit_closed"
            reason = (
                f"settled in Shaoguan on {settled_on.isoformat()}: a registered resident is no "
                f"longer covered by a residence permit, which is for residents who have not "
                f"settled ({CLAUSE}); closed as settled"
            )
        else:
            decision = "no_open_permit"
            reason = "settled in Shaoguan; no open residence permit to close"
        decisions.append(
            MemberDecision(member.id_number, member.relation, decision, closures, reason)
        )
    return tuple(decisions)


def summarise(decisions: tuple[MemberDecision, ...]) -> str:
    """One line for events and logs: counts only, never a name or an identity number."""
    closures = [c for d in decisions for c in d.closures]
    valid = sum(1 for c in closures if c.status_before == "valid")
    members = len(decisions)
    if not closures:
        return f"0 residence permits closed: no open permit among {members} settled member(s)"
    return (
        f"{len(closures)} residence permit(s) closed as settled ({valid} valid, "
        f"{len(closures) - valid} lapsed) for {members} settled member(s)"
    )
