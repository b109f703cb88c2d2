"""Assembles the residence permit (居住证) service of public security."""

from __future__ import annotations

from services.residence_permit.api import router
from services.residence_permit.config import PARAMETERS
from services.residence_permit.handlers import SUBSCRIPTION
from services.residence_permit.models import TABLES
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="residence_permit",
    title="Luohu · residence permits (public security)",
    description="Residence permits (居住证) for residents who have not settled (三(九)), under "
    "the Interim Regulations on Residence Permits: issue after half a year of residence, yearly "
    "endorsement, the services a holder is entitled to, and closing on settlement.",
    tables=TABLES,
    routers=[router],
    subscriptions=[SUBSCRIPTION],
    # Loaded when the app is built: a recorded parameter that is wrong stops the start.
    parameters=PARAMETERS,
)

build = SPEC.build

app = build()
