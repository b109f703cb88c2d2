"""The people this service knows settled in Shaoguan: registered residents, who are neither
registered as floating population nor issued a residence permit (三(九))."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.residence_permit import rules
from services.residence_permit.models import SettledPerson
from shared.errors import InvalidInput


def settlements_of(session: Session, id_number: str) -> list[rules.Settled]:
    """The settlements the person was a member of, latest first."""
    rows = session.execute(
        select(SettledPerson)
        .where(SettledPerson.id_number == id_number)
        .order_by(SettledPerson.settled_on.desc())
    ).scalars()
    return [rules.Settled(row.settlement_id, row.settled_on) for row in rows]


def refuse_a_settled_person(session: Session, id_number: str, refused: str) -> None:
    """A 422 naming `hukou_region_code` when the person settled: what `refused` says is done
    only for one who has not settled (三(九): 居住证 covers 未落户城镇常住人口; 广东省流动人口服务
    管理条例 第二条: the floating population left their 常住户口所在地)."""
    settlements = settlements_of(session, id_number)
    if not settlements:
        return
    settled = settlements[0]  # the latest
    reason = (
        f"this person settled in Shaoguan on {settled.settled_on.isoformat()} (settlement "
        f"{settled.settlement_id}): the household registration given contradicts that, and "
        f"{refused} only for one who has not settled ({rules.CLAUSE})"
    )
    raise InvalidInput(
        f"refused: {reason}",
        details=[{"field": "hukou_region_code", "reason": reason, "clause": rules.CLAUSE}],
    )
