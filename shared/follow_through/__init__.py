"""Follow-through (docs/contract.md): every department is done only when nothing is left open.

`model` holds the status, open items and tables; `facts` the facts a department takes and
their checks; `kernel` the decide-again loop; `items` a settlement's open items as its tables
keep them; `routes` the information route.
"""

from shared.follow_through.facts import FactField, InformationIn
from shared.follow_through.items import state_of
from shared.follow_through.kernel import (
    Case,
    FollowThrough,
    decide_again,
    open_case,
    redecide_waiting,
    supply_information,
)
from shared.follow_through.model import (
    Decision,
    FollowThroughOut,
    FollowThroughTables,
    Gap,
    ItemKind,
    OpenItemOut,
    Status,
    follow_through_tables,
    gaps_of,
)

__all__ = [
    "Case",
    "Decision",
    "FactField",
    "FollowThrough",
    "FollowThroughOut",
    "FollowThroughTables",
    "Gap",
    "InformationIn",
    "ItemKind",
    "OpenItemOut",
    "Status",
    "decide_again",
    "follow_through_tables",
    "gaps_of",
    "open_case",
    "redecide_waiting",
    "state_of",
    "supply_information",
]
