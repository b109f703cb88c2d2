"""What a valid permit entitles its holder to (三(九); 居住证暂行条例 第十二条, 第十三条)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.residence_permit.rules.national import ART_2, ART_10, ART_12, ART_13, CLAUSE
from services.residence_permit.rules.term import PermitStatus


@dataclass(frozen=True)
class Entitlement:
    """A basic public service or a convenience a holder has in the city where they live."""

    id: str
    name: str
    name_zh: str
    kind: Literal["basic_public_service", "convenience"]
    regulation: str
    clause: str = CLAUSE


ENTITLEMENTS: tuple[Entitlement, ...] = (
    # 三(九): 享有国家规定的基本公共服务; the regulation lists them in art. 12.
    Entitlement(
        "compulsory_education",
        "compulsory education",
        "义务教育",
        "basic_public_service",
        f"{ART_12}(一)",
    ),
    Entitlement(
        "public_employment_services",
        "basic public employment services",
        "基本公共就业服务",
        "basic_public_service",
        f"{ART_12}(二)",
    ),
    Entitlement(
        "public_health_services",
        "basic public health and family planning services",
        "基本公共卫生服务和计划生育服务",
        "basic_public_service",
        f"{ART_12}(三)",
    ),
    Entitlement(
        "public_culture_and_sports",
        "public cultural and sports services",
        "公共文化体育服务",
        "basic_public_service",
        f"{ART_12}(四)",
    ),
    Entitlement(
        "legal_aid",
        "legal aid and other legal services",
        "法律援助和其他法律服务",
        "basic_public_service",
        f"{ART_12}(五)",
    ),
    # 三(九) names four conveniences: 出入境证件, 换领补领居民身份证, 机动车登记, 申领驾驶证.
    Entitlement(
        "exit_entry_documents",
        "exit-entry documents",
        "办理出入境证件",
        "convenience",
        f"{ART_13}(一)",
    ),
    Entitlement(
        "identity_card_renewal",
        "renewal and replacement of the resident identity card",
        "换领、补领居民身份证",
        "convenience",
        f"{ART_13}(二)",
    ),
    Entitlement(
        "motor_vehicle_registration",
        "motor vehicle registration",
        "机动车登记",
        "convenience",
        f"{ART_13}(三)",
    ),
    Entitlement(
        "driving_licence",
        "a motor vehicle driving licence",
        "申领机动车驾驶证",
        "convenience",
        f"{ART_13}(四)",
    ),
)

BY_ID = {entitlement.id: entitlement for entitlement in ENTITLEMENTS}


@dataclass(frozen=True)
class Standing:
    """The person's best permit (a valid one if any, else the latest), as of `on`."""

    permit_id: str
    status: PermitStatus
    valid_to: date
    closed_on: date | None = None
    closed_reason: str | None = None
    settlement_id: str | None = None


@dataclass(frozen=True)
class Settled:
    """The person settled in Shaoguan: they are a registered resident from `settled_on`."""

    settlement_id: str
    settled_on: date


@dataclass(frozen=True)
class Answer:
    """May this person have this service as a permit holder, and why (or why not)."""

    allowed: bool
    reason: str
    entitlement: Entitlement
    permit_id: str | None
    permit_status: PermitStatus | Literal["none"]

    @property
    def clause(self) -> str:
        return self.entitlement.clause


def _as_resident(what: str) -> str:
    return (
        f"as a registered resident of Shaoguan the person is entitled to {what} on the same "
        "terms as other residents, without a residence permit"
    )


def _not_valid(standing: Standing, what: str) -> str:
    """Why a lapsed or closed permit gives nothing now."""
    permit_id = standing.permit_id
    if standing.status == "lapsed":
        return (
            f"residence permit {permit_id} lapsed after {standing.valid_to.isoformat()} (not "
            f"endorsed in time): its use is suspended until a make-up endorsement restores it "
            f"({ART_10})"
        )
    closed_on = standing.closed_on.isoformat() if standing.closed_on else "an unknown day"
    if standing.closed_reason == "settled":
        return (
            f"residence permit {permit_id} was closed on {closed_on} because its holder settled "
            f"in Shaoguan (settlement {standing.settlement_id}); {_as_resident(what)}"
        )
    why = standing.closed_reason
    return f"residence permit {permit_id} was closed on {closed_on} ({why})"


def standing_in_words(standing: Standing) -> str:
    """Why a permit does or does not entitle its holder now, for its list of entitlements."""
    if standing.status == "valid":
        return (
            f"residence permit {standing.permit_id} is valid to {standing.valid_to.isoformat()}: "
            f"its holder has every service listed ({CLAUSE}; {ART_12}, {ART_13})"
        )
    return _not_valid(standing, "these services")


def answer(entitlement: Entitlement, standing: Standing | None, settled: Settled | None) -> Answer:
    """Allowed only on a valid permit. Otherwise the reason says what the person's standing is:
    lapsed (use suspended until a make-up endorsement, 第十条), closed because they settled (a
    registered resident, who has the service as a resident, not through a permit), or none."""
    what = f"{entitlement.name} ({entitlement.name_zh}; {CLAUSE}, {entitlement.regulation})"
    if standing is None:
        if settled is not None:
            reason = (
                f"no residence permit: the person settled in Shaoguan on "
                f"{settled.settled_on.isoformat()} (settlement {settled.settlement_id}); "
                f"{_as_resident(entitlement.name)}"
            )
        else:
            reason = (
                f"no residence permit is recorded for this person, so no {what} as a holder; "
                f"one may be applied for after half a year of residence ({ART_2})"
            )
        return Answer(False, reason, entitlement, None, "none")
    if standing.status == "valid":
        reason = (
            f"residence permit {standing.permit_id} is valid to {standing.valid_to.isoformat()}: "
            f"its holder is entitled to {what}"
        )
        return Answer(True, reason, entitlement, standing.permit_id, "valid")
    return Answer(
        False,
        _not_valid(standing, entitlement.name),
        entitlement,
        standing.permit_id,
        standing.status,
    )
