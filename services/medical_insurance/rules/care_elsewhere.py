"""Care at the origin while a transfer is under way: the member's filing (备案) (三(六)). Pure.

三(六) asks the city to "完善并落实医保关系转移接续办法和异地就医结算办法" and to
"确保基本医保参保人能跨制度、跨统筹地区连续参保": a member whose insurance is moving to the city may
still live, and fall ill, where they were insured. From the decision date the city covers them,
so care at the origin is care elsewhere (异地就医), settled against a filing with the city's
fund. The national rules for such a filing (备案) are the 国家医保局、财政部《关于进一步做好
基本医疗保险跨省异地就医直接结算工作的通知》(医保发〔2022〕22号), within Guangdong the province's
(三(六) "按省的部署"); under them a filing of a long-term resident elsewhere (异地长期居住人员)
lasts until changed and a temporary one (临时外出就医人员) at least six months. What this module
records is the filing for the time of the transfer, the gap 三(六) closes.

The department's choices (the policy sets no number, so none is a parameter):

- A filing is for a transfer awaiting the origin's answer, and for the transfer's origin: a
  transfer within Shaoguan completes at once (one fund, nothing elsewhere), and an enrollment or
  a continuation has no origin to be cared for in.
- It starts on a day from the first day the city covers the member (before it, the origin's own
  scheme covers care there) to today: a filing is recorded for care that has begun or begins now.
- It is in force while the transfer is under way: the origin's answer, confirmation or refusal,
  ends it that day, and care elsewhere after that is filed with the fund as for any insured
  person, under the rules above. The department may end it sooner, with the reason (the member
  has moved, say).
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

from services.medical_insurance.rules.domain import CLAUSE, place

FilingStatus = Literal["in_force", "ended"]
IN_FORCE: Final = "in_force"
ENDED: Final = "ended"

SETTLEMENT_RULE = "异地就医结算办法"


def refusal_to_file(kind: str, status: str) -> str | None:
    """Why a member's entry takes no filing, or None when it does: only a transfer awaiting
    the origin is under way."""
    if kind != "transfer":
        return f"the entry is a {kind.replace('_', ' ')}: only a transfer has an origin"
    if status != "awaiting_origin":
        return (
            f"the transfer is {status.replace('_', ' ')}, no longer under way: a filing covers "
            "care at the origin only while the transfer awaits the origin"
        )
    return None


def start_problem(starts_on: date, *, coverage_start: date, today: date) -> str | None:
    """Why `starts_on` cannot begin a filing, or None: it lies from the day the city's
    coverage starts to today, both included."""
    if starts_on < coverage_start:
        return (
            f"is before {coverage_start.isoformat()}, the day coverage in the city began: "
            "until then the origin's own scheme covers care there"
        )
    if starts_on > today:
        return f"is after today ({today.isoformat()}): a filing is recorded once care begins"
    return None


def filed_reason(care_region_code: str, starts_on: date) -> str:
    """Why the filing is in force, citing the clause."""
    return (
        f"{CLAUSE} ({SETTLEMENT_RULE}): while the transfer is under way the member's care at "
        f"{place(care_region_code)}, the origin, is settled as care elsewhere, filed from "
        f"{starts_on.isoformat()}; the filing ends with the origin's answer."
    )


def ended_with_transfer(transfer_status: str, on: date) -> str:
    """Why the filing ended with the origin's answer."""
    answer = "confirmed" if transfer_status == "completed" else "refused"
    return (
        f"The origin {answer} the transfer on {on.isoformat()}: it is no longer under way, so "
        "the filing for care at the origin during it ends; care elsewhere after it is filed as "
        "for any insured person."
    )


def ended_by_department(reason: str, on: date) -> str:
    """Why the department ended the filing before the origin answered."""
    return f"Ended by the department on {on.isoformat()}: {reason}."
