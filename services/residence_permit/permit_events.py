"""Each issue, endorsement and closure of a permit told to the coordination office, in the
same transaction as the change (the outbox): `residence_permit.permit.changed` (三(一), 三(九))
carries the permit's county and validity, none of its holder's data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.residence_permit.models import TABLES, ResidencePermit
from shared.events.outbox import add_to_outbox
from shared.permit_events import Change, PermitChanged, permit_changed_event


def publish_change(session: Session, permit: ResidencePermit, change: Change) -> None:
    """Write the permit's change to the outbox, as the permit now stands."""
    event = permit_changed_event(
        PermitChanged(
            permit_id=permit.id,
            region_code=permit.region_code,
            change=change,
            valid_from=permit.valid_from,
            valid_to=permit.valid_to,
            closed_on=permit.closed_on,
            closed_reason=permit.closed_reason,
        )
    )
    add_to_outbox(session, TABLES, event, key=permit.id)
