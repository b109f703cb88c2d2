"""Where a family stands overall, from each department's status (四(三) 督查: who is late)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from shared.registry import DOWNSTREAM_SERVICES

DepartmentStatus = Literal["awaiting", "done", "action_needed", "failed"]
"""A department's part: `awaiting` until its first report, then the status it reported."""

OverallStatus = Literal["settled", "failed", "action_needed", "awaiting"]
"""The family's: `settled` when every department is done; otherwise the most urgent part
(a failure before an open item before a department yet to report)."""

_URGENCY: tuple[tuple[DepartmentStatus, OverallStatus], ...] = (
    ("failed", "failed"),
    ("action_needed", "action_needed"),
    ("awaiting", "awaiting"),
)


def overall_status(statuses: Iterable[str]) -> OverallStatus:
    """The family's status from the departments' (one per department that follows
    settlements; a department missing from `statuses` is awaiting)."""
    held = list(statuses)
    if len(held) < len(DOWNSTREAM_SERVICES):
        held.append("awaiting")
    for department_status, overall in _URGENCY:
        if department_status in held:
            return overall
    return "settled"
