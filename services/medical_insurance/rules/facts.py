"""What is known of a member's medical insurance: stated, supplied, presumed or missing (三(六))."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from services.medical_insurance.rules.domain import (
    INSURANCE_SECTION,
    INSURED_REGION,
    MEDICAL_MONTHS,
    PRESUME_RURAL_MEMBERS_INSURED,
    FactsBasis,
    Insurance,
    InsuranceUnknown,
    Member,
    Settlement,
    place,
)
from shared.rules import parameter_field
from shared.settlement import SocialInsurance


def _stated(
    member: Member, social_insurance: SocialInsurance | None, supplied: Mapping[str, Any]
) -> tuple[SocialInsurance, FactsBasis]:
    """What is stated of this member's insurance, and by whom: the application's
    `social_insurance` is the applicant's alone; the department's supplied facts (by the
    application's names) complete it, or state a member the application says nothing of."""
    given = {
        name.removeprefix(INSURANCE_SECTION): value
        for name, value in supplied.items()
        if name.startswith(INSURANCE_SECTION) and value is not None
    }
    application = social_insurance if member.relation == "applicant" else None
    stated = application.model_dump(exclude_none=True) if application else {}
    return SocialInsurance.model_validate({**stated, **given}), (
        "department" if given else "application"
    )


def insurance_from_application(
    member: Member,
    social_insurance: SocialInsurance | None,
    settlement: Settlement,
    supplied: Mapping[str, Any] | None = None,
) -> Insurance | InsuranceUnknown:
    """The member's insurance as the application states it (`social_insurance` describes the
    applicant only) with the facts supplied for the member since; where both are silent, the
    presumption if any."""
    stated, basis = _stated(member, social_insurance, supplied or {})
    months, region = stated.medical_months, stated.insured_region_code
    employer_paying = stated.employer_paid
    if region:
        return Insurance(
            insured=True,
            region_code=region,
            # Only the employees' scheme has an employer paying into it.
            scheme="employee" if employer_paying else None,
            months=months,
            employer_paying=employer_paying,
            basis=basis,
        )
    if months == 0:
        return Insurance(insured=False, employer_paying=employer_paying, basis=basis)
    if months is not None:
        return InsuranceUnknown(
            missing=(INSURED_REGION,),
            reason=f"{months} months of medical insurance are stated but not where they were "
            "paid, so the insurance cannot be transferred or continued.",
        )
    presumed = presume_insurance(member, settlement)
    if isinstance(presumed, Insurance):
        # Presumed where insured; what is stated of employment still counts.
        return replace(presumed, employer_paying=employer_paying)
    return presumed


def presume_insurance(member: Member, settlement: Settlement) -> Insurance | InsuranceUnknown:
    """Presume a rural-registered member insured in the origin's residents' scheme, only where
    a local parameter in force on the decision date says so."""
    # Whether insured, for how long, and where: with those the entry is decided, or asks for
    # whether the employer pays where the scheme depends on it.
    wanted = (MEDICAL_MONTHS, INSURED_REGION)
    silent = "Nothing is stated of this member's medical insurance"
    if member.previous_hukou_type != "rural":
        return InsuranceUnknown(
            missing=wanted,
            reason=f"{silent}, and nothing is presumed for an urban-registered member: the "
            "department must supply the facts.",
        )
    parameter = settlement.parameter(PRESUME_RURAL_MEMBERS_INSURED)
    if parameter is None or parameter.value is not True:
        why = (
            f"no local parameter {PRESUME_RURAL_MEMBERS_INSURED} is in force on "
            f"{settlement.decision_date.isoformat()}"
            if parameter is None
            else f"the local parameter in force says not to presume ({parameter.cite()})"
        )
        if parameter is not None:
            return InsuranceUnknown(
                missing=wanted,
                reason=f"{silent}, and it is not presumed from the rural registration: {why}. "
                "The department must supply the facts.",
                parameters=(parameter.reference(),),
            )
        # The parameter recorded later may presume what the department has not supplied.
        return InsuranceUnknown(
            missing=(*wanted, parameter_field(PRESUME_RURAL_MEMBERS_INSURED)),
            reason=f"{silent}, and it is not presumed from the rural registration: {why}. "
            "The department must supply the facts, or record the parameter.",
        )
    return Insurance(
        insured=True,
        region_code=member.previous_region_code,
        scheme="urban_rural_resident",
        basis="presumption",
        parameters=(parameter.reference(),),
        note=f"Presumed insured in the residents' scheme at the rural registration "
        f"{place(member.previous_region_code)} ({parameter.cite()}).",
    )
