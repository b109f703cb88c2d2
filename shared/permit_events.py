"""`residence_permit.permit.changed`: a residence permit issued, endorsed or closed (三(九)).

Finance adjusts transfer payments to the services owed to residence-permit holders (三(一)
"充分考虑各地区向持有居住证人口提供公共服务的支出需求"), so the coordination office counts
the holders per county. The event carries what that count needs and nothing of the holder: the
permit's id, its county, what changed, its current year of validity and, once closed, the day
and why. Keyed by the permit id, so one permit's changes keep their order.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.events.envelope import CloudEvent, new_event
from shared.registry import PERMIT_CHANGED

Change = Literal["issued", "endorsed", "closed"]
ClosedReason = Literal["settled", "superseded"]


class PermitChanged(BaseModel):
    """The data of `cn.gov.shaoguan.residence_permit.permit.changed`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    permit_id: str
    region_code: str
    change: Change
    valid_from: date
    valid_to: date
    """The year of validity the permit holds after the change (both ends inclusive)."""
    closed_on: date | None = None
    """From this day the permit is no longer held (its holder settled, or a new permit
    superseded a lapsed one)."""
    closed_reason: ClosedReason | None = None


def permit_changed_event(change: PermitChanged) -> CloudEvent:
    return new_event(
        type_=PERMIT_CHANGED,
        source="/luohu/residence_permit",
        subject=change.permit_id,
        data=change.model_dump(mode="json"),
    )
