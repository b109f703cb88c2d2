"""What may refuse a settlement application, and what never may (二.7, 三(四)): pure rules.

A rejection names a ground from a closed list, each with its Chinese label, the rule behind it
and the statuses it may close. A settlement target or the family's rural rights is never a
ground, whether named as the ground or written in the words of a reason or a condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RejectionGround = Literal[
    "false_information", "withdrawn", "duplicate", "not_eligible", "information_not_supplied"
]

RELAXED = "二: 全面放宽我市落户限制"
TARGET_NEVER_REFUSES = (
    "a settlement target never refuses an eligible family: public security manages the target "
    "number dynamically, to steer by (二.7: 对非户籍人口在城市落户目标数实行动态管理), and the "
    f"limits on settling are relaxed ({RELAXED})"
)
RURAL_RIGHTS_KEPT = (
    "giving up land contract, homestead or collective income rights may never be required or "
    "made a condition of settlement (三(四): 不得强行要求进城落户农民退出其在农村的土地承包权、"
    "宅基地使用权、集体收益分配权,或将其作为进城落户条件)"
)


@dataclass(frozen=True)
class Ground:
    """A ground a settlement application may be refused on."""

    label: str
    basis: str
    closes: tuple[str, ...]
    """The statuses an application refused on this ground may be in."""


OPEN = ("submitted", "eligible", "ineligible")

GROUNDS: dict[RejectionGround, Ground] = {
    "false_information": Ground(
        "提供虚假材料",
        "行政许可法 第七十八条: 申请人隐瞒有关情况或者提供虚假材料申请行政许可的,"
        "行政机关不予受理或者不予行政许可",
        OPEN,
    ),
    "withdrawn": Ground("申请人撤回申请", "the applicant withdrew the application", OPEN),
    "duplicate": Ground("重复申请", "the same application is recorded already", OPEN),
    "not_eligible": Ground(
        "不符合落户条件",
        "the rules found the application ineligible (二); 行政许可法 第三十八条: "
        "不予行政许可的书面决定应当说明理由",
        ("ineligible",),
    ),
    "information_not_supplied": Ground(
        "逾期未补正材料",
        "行政许可法 第三十二条(四): 申请材料不齐全...一次告知申请人需要补正的全部内容; "
        "what was asked was not supplied",
        ("submitted",),
    ),
}

_TARGET = re.compile(r"指标|名额|目标数|额满|满额|限额|规模控制|\b(?:targets?|quotas?)\b", re.I)
_RURAL_RIGHT = re.compile(
    r"土地承包|承包地|宅基地|集体收益|三权|\bland\s*contract|contracted\s+land|homestead"
    r"|collective\s*income|rural\s*rights?",
    re.I,
)
_GIVING_UP = re.compile(
    r"退出|放弃|交回|退还|收回|注销|让出|转让|\b(?:give|gives|gave|given|giving)\s+up\b"
    r"|surrender|relinquish|renounc|forfeit|\bhand(?:s|ed|ing)?\s+(?:back|over)\b|\breturn",
    re.I,
)


def demands_rural_rights(words: str) -> bool:
    """Whether `words` ask for a rural right to be given up (a verb of giving up beside one)."""
    return bool(_RURAL_RIGHT.search(words) and _GIVING_UP.search(words))


def forbidden_in_words(words: str) -> str | None:
    """Why `words` (a reason, a condition) may not refuse or condition a settlement, or None."""
    if _TARGET.search(words):
        return TARGET_NEVER_REFUSES
    if demands_rural_rights(words):
        return RURAL_RIGHTS_KEPT
    return None


def refusal_of_ground(value: str) -> str | None:
    """Why `value` is not a ground of refusal, or None when it is one of the list."""
    if value in GROUNDS:
        return None
    words = re.sub(r"[_\-]+", " ", value)
    if _TARGET.search(words):
        return f"{value!r} is not a ground: {TARGET_NEVER_REFUSES}"
    if _RURAL_RIGHT.search(words):
        return f"{value!r} is not a ground: {RURAL_RIGHTS_KEPT}"
    listed = ", ".join(f"{name} ({ground.label})" for name, ground in GROUNDS.items())
    return (
        f"{value!r} is not a ground for refusing a settlement: the limits on settling are "
        f"relaxed ({RELAXED}), so only these refuse: {listed}"
    )


def ground_cannot_close(ground: RejectionGround, status: str) -> str | None:
    """Why an application that is `status` cannot be refused on `ground`, or None."""
    closes = GROUNDS[ground].closes
    if status in closes:
        return None
    if ground == "not_eligible" and status == "eligible":
        return (
            "the rules found this application eligible: not_eligible refuses only what they "
            f"found ineligible, and {TARGET_NEVER_REFUSES}"
        )
    return f"{ground} refuses only an application that is {' or '.join(closes)}, not {status}"
