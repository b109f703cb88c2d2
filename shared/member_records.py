"""A department's record of one settled member: one row for each member of a settlement.

Education's student-status transfers, medical insurance's entries and pension's continuations
are each kept this way: a row with an id of its own, found by the settlement and the member's
place in the event's list (`member_index`), never two for one member however often the
settlement is decided again, and changed under an optimistic lock, so that two writers racing
(two confirmations, two completions) cannot both commit. `MemberRecord` gives those columns; the
department's mapped class names its own settlement table (`settlement_key`) and adds the
columns of its decision between them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import ForeignKey, FromClause, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, MappedColumn, declared_attr, mapped_column

# The record's key stands first (its id, the settlement, the member), the lock last; the
# department's own columns (sort_order 0) between them, in the order the class declares them.
_ID, _SETTLEMENT, _MEMBER, _LOCK = -3, -2, -1, 1


class MemberRecord:
    """The columns every record of a settled member has. A mixin of a department's mapped
    class, which declares `settlement_id` with `settlement_key`."""

    __table__: ClassVar[FromClause]

    id: Mapped[str] = mapped_column(String(36), primary_key=True, sort_order=_ID)
    member_index: Mapped[int] = mapped_column(Integer, sort_order=_MEMBER)
    version: Mapped[int] = mapped_column(Integer, default=1, sort_order=_LOCK)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("settlement_id", "member_index"),)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # Optimistic lock: each write checks and moves `version`.
        return {"version_id_col": cls.__table__.c.version}


def settlement_key(table: str, *, index: bool | None = None) -> MappedColumn[str]:
    """The record's `settlement_id`: the settlement of the department's `table` it belongs to."""
    return mapped_column(ForeignKey(f"{table}.settlement_id"), index=index, sort_order=_SETTLEMENT)
