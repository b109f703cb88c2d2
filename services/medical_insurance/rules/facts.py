"""What is known of a member's medical insurance: stated, presumed, or missing (三(六))."""

from __future__ import annotations

from dataclasses import replace

from services.medical_insurance.rules.domain import (
    PRESUME_RURAL_MEMBERS_INSURED,
    Insurance,
    InsuranceUnknown,
    Member,
    Settlement,
    place,
)
from shared.settlement import SocialInsurance


def insurance_from_application(
    member: Member, social_insurance: SocialInsurance | None, settlement: Settlement
) -> Insurance | InsuranceUnknown:
    """The applicant's insurance as the application states it (`social_insurance` describes
    the applicant only); for anyone else, or where it is silent, the presumption if any."""
    stated = (social_insurance if member.relation == "applicant" else None) or SocialInsurance()
    months, region = stated.medical_months, stated.insured_region_code
    employer_paying = stated.employer_paid
    field_name = "social_insurance.employer_paid"
    if region:
        return Insurance(
            insured=True,
            region_code=region,
            # Only the employees' scheme has an employer paying into it.
            scheme="employee" if employer_paying else None,
            months=months,
            employer_paying=employer_paying,
            employment_field=field_name,
        )
    if months == 0:
        return Insurance(
            insured=False, employer_paying=employer_paying, employment_field=field_name
        )
    if months is not None:
        return InsuranceUnknown(
            missing=("social_insurance.insured_region_code",),
            reason=f"The application states {months} months of medical insurance but not "
            "where they were paid, so the insurance cannot be transferred or continued.",
        )
    presumed = presume_insurance(member, settlement)
    if isinstance(presumed, Insurance) and member.relation == "applicant":
        # Presumed where insured; what the application says of employment still counts.
        return replace(presumed, employer_paying=employer_paying, employment_field=field_name)
    return presumed


def presume_insurance(member: Member, settlement: Settlement) -> Insurance | InsuranceUnknown:
    """Presume a rural-registered member insured in the origin's residents' scheme, only where
    a local parameter in force on the decision date says so."""
    wanted = ("insured", "region_code", "scheme", "months", "employed_with_employer_paying")
    silent = "The application says nothing about this member's medical insurance"
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
        return InsuranceUnknown(
            missing=wanted,
            reason=f"{silent}, and it is not presumed from the rural registration: {why}. "
            "The department must supply the facts.",
            parameters=(parameter.reference(),) if parameter else (),
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
