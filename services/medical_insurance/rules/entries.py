"""One member's entry: transfer, continuation, enrollment, or information needed (三(六))."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from services.medical_insurance.rules.domain import (
    EMPLOYER_PAID,
    ORIGIN_CONFIRMATION_DAYS,
    CityScheme,
    EntryDecision,
    Insurance,
    InsuranceUnknown,
    Member,
    ParameterRef,
    Settlement,
    place,
    scheme_name,
)
from services.medical_insurance.rules.facts import insurance_from_application
from shared.dates import age_on
from shared.national import MINIMUM_WORKING_AGE
from shared.regions import is_shaoguan_county
from shared.rules import parameter_field
from shared.settlement import SocialInsurance


def _city_scheme(
    member: Member, insurance: Insurance, settlement: Settlement
) -> tuple[CityScheme | None, str, tuple[ParameterRef, ...]]:
    """The city scheme the member belongs in: the employees' scheme where employed with the
    employer paying, else the residents' scheme; None where that is not known."""
    if insurance.employer_paying is True:
        return "employee", "employed with the employer paying", ()
    if insurance.employer_paying is False:
        return "urban_rural_resident", "not employed with an employer paying", ()
    working_age = settlement.parameter(MINIMUM_WORKING_AGE.name)
    if working_age is not None and age_on(member.birth_date, settlement.decision_date) < int(
        working_age.value
    ):
        return (
            "urban_rural_resident",
            f"under {working_age.value} on the decision date, so not employed",
            (working_age.reference(),),
        )
    if insurance.basis == "presumption":
        return "urban_rural_resident", "the presumed residents' scheme carries over", ()
    return None, "", ()


def _city_scheme_named(scheme: str | None) -> CityScheme | None:
    if scheme == "employee":
        return "employee"
    if scheme == "urban_rural_resident":
        return "urban_rural_resident"
    return None


def decide_entry(
    member: Member, insurance: Insurance | InsuranceUnknown, settlement: Settlement
) -> EntryDecision:
    """Transfer, continue, or enroll one member (三(六)); information needed where unknown."""
    if isinstance(insurance, InsuranceUnknown):
        return EntryDecision(
            member_index=member.index,
            kind="information_needed",
            status="information_needed",
            reason=insurance.reason,
            missing=insurance.missing,
            parameters=insurance.parameters,
        )
    to_scheme, why_scheme, scheme_refs = _city_scheme(member, insurance, settlement)
    base = EntryDecision(
        member_index=member.index,
        kind="information_needed",
        status="information_needed",
        reason="",
        basis=insurance.basis,
        from_region_code=insurance.region_code if insurance.insured else None,
        from_scheme=insurance.scheme if insurance.insured else None,
        to_scheme=to_scheme,
        months_declared=insurance.months if insurance.insured else None,
        parameters=insurance.parameters + scheme_refs,
    )
    note = f"{insurance.note} " if insurance.note else ""
    start = settlement.decision_date
    joins = f"{scheme_name(to_scheme)} ({why_scheme})"
    in_city = insurance.insured and is_shaoguan_county(insurance.region_code or "")

    held_scheme = _city_scheme_named(insurance.scheme)
    same_scheme = insurance.scheme is None or (
        held_scheme is not None and held_scheme == (to_scheme or held_scheme)
    )
    if in_city and same_scheme:
        scheme = to_scheme or held_scheme
        held = f" in the {scheme_name(scheme)}" if scheme else ""
        return replace(
            base,
            kind="continuation",
            status="completed",
            to_scheme=scheme,
            reason=f"{note}Already insured in the city at {place(insurance.region_code)}"
            f"{held}: the insurance continues, with nothing to transfer.",
        )
    if to_scheme is None:
        return replace(
            base,
            missing=(EMPLOYER_PAID,),
            reason=f"{note}Whether the member is employed with the employer paying decides "
            "between the urban employees' and the residents' scheme, and it is not known.",
        )
    if not insurance.insured:
        return replace(
            base,
            kind="enrollment",
            status="completed",
            coverage_start=start,
            reason=f"Insured nowhere: enrolled in the {joins}, covered from "
            f"{start.isoformat()}, the settlement's decision date.",
        )
    moves = (
        f"{note}Insured at {place(insurance.region_code)} in the "
        f"{scheme_name(insurance.scheme)}: transferred into the city's {joins}, covered from "
        f"{start.isoformat()}, the settlement's decision date, so there is no gap"
    )
    if in_city:
        months = insurance.months
        carried = f"{months} months" if months is not None else "every month it holds"
        return replace(
            base,
            kind="transfer",
            status="completed",
            coverage_start=start,
            months_carried_over=months,
            reason=f"{moves}. The origin is the city's own fund, so the transfer completes at "
            f"once, carrying over {carried}.",
        )
    deadline, deadline_refs, deadline_missing, deadline_note = confirmation_deadline(settlement)
    return replace(
        base,
        kind="transfer",
        status="awaiting_origin",
        coverage_start=start,
        confirmation_deadline=deadline,
        missing=deadline_missing,
        parameters=base.parameters + deadline_refs,
        reason=f"{moves}. The months held are carried over once the origin confirms them; "
        f"{deadline_note}",
    )


def confirmation_deadline(
    settlement: Settlement,
) -> tuple[date | None, tuple[ParameterRef, ...], tuple[str, ...], str]:
    """The last day for the origin's confirmation: decision date + `origin_confirmation_days`."""
    parameter = settlement.parameter(ORIGIN_CONFIRMATION_DAYS)
    if parameter is None:
        return (
            None,
            (),
            (parameter_field(ORIGIN_CONFIRMATION_DAYS),),
            f"{no_deadline(settlement.decision_date)}.",
        )
    deadline = settlement.decision_date + timedelta(days=int(parameter.value))
    return (
        deadline,
        (parameter.reference(),),
        (),
        f"the confirmation is due by {deadline.isoformat()} ({parameter.cite()}).",
    )


def no_deadline(decision_date: date) -> str:
    """Why an awaiting transfer has no deadline."""
    return (
        f"no deadline can be set for the origin's confirmation: no local parameter "
        f"{ORIGIN_CONFIRMATION_DAYS} is in force on {decision_date.isoformat()}"
    )


def deadline_since_set(settlement: Settlement) -> tuple[date, ParameterRef, str] | None:
    """For a transfer that awaited the origin without a deadline: the deadline, once the
    parameter is in force on the decision date, with its reference and the sentence saying so."""
    deadline, references, _, note = confirmation_deadline(settlement)
    if deadline is None:
        return None
    return deadline, references[0], f"The parameter has since been recorded: {note}"


def decide_member(
    member: Member,
    social_insurance: SocialInsurance | None,
    settlement: Settlement,
    supplied: Mapping[str, Any] | None = None,
) -> EntryDecision:
    """The entry for one member of an approved settlement, from the event's facts and those
    supplied for the member since (by the application's names)."""
    insurance = insurance_from_application(member, social_insurance, settlement, supplied)
    return decide_entry(member, insurance, settlement)
