"""Residence permits' follow-through: an approved settlement closes the settled members'
permits (三(九)), and `residence_permit.settlement.processed` reports it, `done` at once."""

from __future__ import annotations

from services.residence_permit import settlements, views
from services.residence_permit.models import FOLLOW_THROUGH_TABLES
from services.residence_permit.rules import PARAMETERS
from shared.follow_through import FollowThrough

FOLLOW_THROUGH = FollowThrough(
    service="residence_permit",
    records=FOLLOW_THROUGH_TABLES,
    decide=settlements.decide,
    record=views.settlement_out,
    # Closing takes no fact: the information route answers any fact with a 422 naming it.
    facts=(),
    parameters=PARAMETERS,
)
