"""Events into the office's statistics: how many of each approval's people were rural-registered
(三(一) 农业转移人口), and each residence permit's county and validity (三(一) 持有居住证人口).

Both are applied once in effect whatever order or however often they arrive: an approval's
count is kept as first read (hukou approves once), a permit's years of validity are a union
(the same year again adds nothing) and its closing day, once told, stays (closing is final).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.coordination.models import HeldPermit, PermitValidity, RuralRegisteredCount
from shared.events.envelope import CloudEvent, data_of
from shared.permit_events import PermitChanged


def record_rural_count(session: Session, event: CloudEvent) -> None:
    """An approval's `rural_registered_count`, when it carries one (an approval from before
    it was carried leaves the count unknown)."""
    data = data_of(event)
    count = data.get("rural_registered_count")
    if count is None:
        return
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"rural_registered_count {count!r} is not a count")
    settlement_id = str(data["settlement_id"])
    if session.get(RuralRegisteredCount, settlement_id) is None:
        session.add(RuralRegisteredCount(settlement_id=settlement_id, persons=count))


def record_permit_change(session: Session, event: CloudEvent) -> None:
    """A permit issued, endorsed or closed: its county, the year of validity it now holds,
    and its closing day once closed."""
    change = PermitChanged.model_validate(data_of(event))
    permit = session.get(HeldPermit, change.permit_id, with_for_update=True)
    if permit is None:
        permit = HeldPermit(permit_id=change.permit_id, region_code=change.region_code)
        session.add(permit)
    permit.region_code = change.region_code
    if change.closed_on is not None and (
        permit.closed_on is None or change.closed_on < permit.closed_on
    ):
        permit.closed_on = change.closed_on
    year = session.get(PermitValidity, (change.permit_id, change.valid_from))
    if year is None:
        session.add(
            PermitValidity(
                permit_id=change.permit_id,
                valid_from=change.valid_from,
                valid_to=change.valid_to,
            )
        )
    elif change.valid_to > year.valid_to:
        year.valid_to = change.valid_to
    session.flush()
