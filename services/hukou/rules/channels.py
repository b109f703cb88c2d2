"""The settlement channels of clause 二 (二.1, 二.2, 二.4, 二.6), one rule per clause; the
rural students' (二.5) are `students`."""

from __future__ import annotations

from collections.abc import Sequence

from services.hukou.domain import ApplicationFacts, Residence, SocialInsurance
from services.hukou.rules.base import cite, parameter_or_check, unstated
from services.hukou.rules.parameters import MINIMUM_INSURED_MONTHS, PARAMETERS
from shared.parameters import Parameter
from shared.rules import Check, failed, passed, undetermined

_TENURE_WORDS = {
    "owned": "an owned home",
    "rented": "a rented home (renting counts: 含租赁)",
    "employer_collective": "an employer's collective household (单位集体户)",
    "community_collective": "a community's collective household (社区集体户)",
}


def _tenure(residence: Residence) -> str:
    return _TENURE_WORDS.get(residence.tenure, f"tenure {residence.tenure!r}")


# --- 二.1 stable residence + insurance -----------------------------------------------------------


def check_stable_residence(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.1: a legal, stable residence in the city (含租赁) and social and medical insurance."""
    return (_stable_residence_dwelling(facts), _stable_residence_insurance(facts))


def _stable_residence_dwelling(facts: ApplicationFacts) -> Check:
    rule, clause = "stable_residence.residence", "二.1"
    residence, destination = facts.residence, facts.destination_region_code
    if residence is None:
        return undetermined(
            rule,
            clause,
            "No residence is given. Clause 二.1 needs a legal, stable residence in the city, "
            "owned or rented.",
            ("residence",),
        )
    if residence.tenure not in ("owned", "rented"):
        return failed(
            rule,
            clause,
            f"The residence is {_tenure(residence)}, not a home the applicant owns or rents. "
            "Registration in a collective household is clause 二.6: apply under the "
            "collective_household channel.",
        )
    if residence.since > facts.decision_date:
        return failed(
            rule,
            clause,
            f"The residence, {_tenure(residence)}, is held only from "
            f"{residence.since.isoformat()}, after the decision date "
            f"{facts.decision_date.isoformat()}.",
        )
    held = f"The applicant lives in {_tenure(residence)} since {residence.since.isoformat()}"
    if residence.region_code is None:
        return passed(
            rule,
            clause,
            f"{held}. No county is given for the dwelling, so the destination {destination} is "
            "taken as the place of residence.",
        )
    if residence.region_code != destination:
        return failed(
            rule,
            clause,
            f"{held}, in county {residence.region_code}, but the destination is {destination}. "
            "Under 二.1 the applicant settles where the stable residence is.",
        )
    return passed(rule, clause, f"{held}, in the destination county {destination}.")


def _stable_residence_insurance(facts: ApplicationFacts) -> Check:
    rule, clause = "stable_residence.insurance", "二.1"
    months = _stated_months(facts.social_insurance)
    pension, medical = months.values()
    stated = (
        f"Social (pension) insurance: {_months(pension)}; medical insurance: {_months(medical)}."
    )
    requirement = (
        "Clause 二.1 requires both social insurance and medical insurance to have been bought "
        "(购买了社保、医保); it sets no minimum duration."
    )
    if any(value is not None and value <= 0 for value in months.values()):
        return failed(rule, clause, f"{stated} {requirement}")
    missing = unstated(months)
    if missing:
        return undetermined(rule, clause, f"{stated} {requirement}", missing)
    return passed(rule, clause, f"{stated} Both have been bought. {requirement}")


def _stated_months(insurance: SocialInsurance | None) -> dict[str, int | None]:
    """The months of pension and of medical insurance, by their paths; None: not stated."""
    return {
        "social_insurance.pension_months": insurance.pension_months if insurance else None,
        "social_insurance.medical_months": insurance.medical_months if insurance else None,
    }


def _months(value: int | None) -> str:
    return "not stated" if value is None else f"{value} months"


# --- 二.2 insured one year -----------------------------------------------------------------------


def check_insured_one_year(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.2: urban social insurance for a year or more (对参加城镇社会保险1年以上(含1年)的), in an
    urban scheme; settled at the place insured or of residence (可在参保地或实际居住地落户)."""
    return (
        _insured_months(facts, parameters),
        _insured_urban_scheme(facts),
        _insured_settlement_place(facts),
    )


def _insured_months(facts: ApplicationFacts, parameters: Sequence[Parameter]) -> Check:
    """Social insurance (社会保险) is pension and medical insurance alike (社会保险法 art. 2), so
    the months of either count: the longer one is how long the applicant has been insured."""
    rule, clause = "insured_one_year.insured_months", "二.2"
    minimum = parameter_or_check(
        MINIMUM_INSURED_MONTHS.name, facts.decision_date, parameters, rule=rule, clause=clause
    )
    if isinstance(minimum, Check):
        return minimum
    least, months = int(minimum.value), _stated_months(facts.social_insurance)
    pension, medical = months.values()
    stated = f"Pension insurance: {_months(pension)}; medical insurance: {_months(medical)}"
    needed = (
        f"Clause 二.2 needs urban social insurance (城镇社会保险: pension or medical insurance, "
        f"社会保险法 art. 2) for one year or more, one year included (at least {least} months: "
        f"{cite(minimum)})."
    )
    known = [value for value in months.values() if value is not None]
    if known and max(known) >= least:
        return passed(rule, clause, f"{stated}. {needed}")
    if unstated(months):
        return undetermined(rule, clause, f"{stated}. {needed}", unstated(months))
    return failed(rule, clause, f"{stated}. {needed}")


def _insured_urban_scheme(facts: ApplicationFacts) -> Check:
    """城镇社会保险 is the urban employees' scheme (城镇职工): the one an employer pays into, or a
    flexible worker (灵活就业人员) pays into alone. The urban and rural residents' scheme
    (城乡居民), open to town and village alike, is not urban social insurance. No employer paying
    does not tell the two apart, so then the scheme must be stated."""
    rule, clause, field = "insured_one_year.urban_scheme", "二.2", "social_insurance.scheme"
    insurance = facts.social_insurance
    scheme = insurance.scheme if insurance else None
    if scheme is None and insurance is not None and insurance.employer_paid:
        return passed(
            rule,
            clause,
            "An employer pays the insurance: the urban employees' scheme (城镇职工), urban social "
            "insurance (城镇社会保险).",
        )
    if scheme is None:
        return undetermined(
            rule,
            clause,
            "The application does not say in which scheme the applicant is insured, nor that an "
            "employer pays: urban social insurance (城镇社会保险) is the urban employees' scheme "
            "(城镇职工), which a flexible worker (灵活就业人员) may pay into alone, and not the "
            "urban and rural residents' (城乡居民).",
            (field,),
        )
    if scheme == "urban_rural_resident":
        return failed(
            rule,
            clause,
            "The insurance is the urban and rural residents' scheme (城乡居民), which is not urban "
            "social insurance (城镇社会保险). Clause 二.1 (stable_residence) asks for social and "
            "medical insurance bought (购买了社保、医保) whatever the scheme, with a stable "
            "residence.",
        )
    return passed(
        rule,
        clause,
        "The insurance is the urban employees' scheme (城镇职工), urban social insurance "
        "(城镇社会保险), whoever pays it.",
    )


def _insured_settlement_place(facts: ApplicationFacts) -> Check:
    rule, clause = "insured_one_year.settlement_place", "二.2"
    destination = facts.destination_region_code
    insured = facts.social_insurance.insured_region_code if facts.social_insurance else None
    lives = facts.residence.region_code if facts.residence else None
    allowed = (
        "Clause 二.2 allows settling at the place insured (参保地) or of actual residence "
        "(实际居住地)."
    )
    if insured == destination:
        return passed(
            rule, clause, f"The destination {destination} is where the applicant is insured."
        )
    if lives == destination:
        return passed(
            rule, clause, f"The destination {destination} is where the applicant actually lives."
        )
    known = (
        f"The destination is {destination}; the place insured is {insured or 'not stated'}; "
        f"the place of residence is {lives or 'not stated'}."
    )
    missing = unstated(
        {"social_insurance.insured_region_code": insured, "residence.region_code": lives}
    )
    if missing:
        return undetermined(rule, clause, f"{known} {allowed}", missing)
    return failed(rule, clause, f"{known} Neither is the destination. {allowed}")


# --- 二.4 talent ---------------------------------------------------------------------------------

_TALENT_WORDS = {
    "college_graduate": "College graduate (高校毕业生)",
    "skilled_worker": "Skilled worker (技术工人)",
    "vocational_graduate": "Graduate of a vocational college (职业院校毕业生)",
    "returned_overseas": "Returned overseas student (留学归国人员)",
}


def check_talent(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.4: college graduates, skilled workers, vocational graduates, returned students settle
    (全面放开对高校毕业生、技术工人、职业院校毕业生和留学归国人员的落户限制), the category shown by
    evidence: a category claimed without it is undetermined."""
    rule, clause = "talent.category", "二.4"
    if facts.talent is None:
        return (
            undetermined(
                rule,
                clause,
                "No talent category is given. Clause 二.4 covers college graduates, skilled "
                "workers, graduates of vocational colleges and returned overseas students.",
                ("talent",),
            ),
        )
    category = facts.talent.category
    if category not in _TALENT_WORDS:
        return (
            failed(
                rule,
                clause,
                f"The talent category {category!r} is not one of clause 二.4's: "
                f"{', '.join(_TALENT_WORDS)}.",
            ),
        )
    if facts.talent.evidence is None:
        return (
            undetermined(
                rule,
                clause,
                f"{_TALENT_WORDS[category]} is claimed without evidence of it: clause 二.4 lifts "
                "the settlement restrictions for the category (全面放开……的落户限制), so the "
                "category must be shown (a graduation certificate, a vocational qualification, "
                "an overseas degree's certification).",
                ("talent.evidence",),
            ),
        )
    return (
        passed(
            rule,
            clause,
            f"{_TALENT_WORDS[category]}, with evidence given (talent.evidence) for the officer "
            "who approves to verify: clause 二.4 lifts the settlement restrictions for this "
            "category (全面放开……的落户限制), so no further conditions apply.",
        ),
    )


# --- 二.6 collective households ------------------------------------------------------------------


def check_collective_household(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.6: a person without a dwelling of their own registers in an employer's or community's."""
    rule, clause = "collective_household.registration", "二.6"
    residence, destination = facts.residence, facts.destination_region_code
    if residence is None:
        return (
            undetermined(
                rule,
                clause,
                "No residence is given: clause 二.6 needs the employer's or community's "
                "collective household the applicant is registered with.",
                ("residence",),
            ),
        )
    if residence.tenure == "owned":
        return (
            failed(
                rule,
                clause,
                "The applicant owns a home: a collective household is for a person without a "
                "dwelling of their own. Settle under 二.1 (stable_residence).",
            ),
        )
    if residence.tenure not in ("employer_collective", "community_collective"):
        return (
            failed(
                rule,
                clause,
                f"The residence is {_tenure(residence)}. A collective household is for a person "
                "registered with an employer's or a community's collective household; a rented "
                "home counts as a stable residence under 二.1 (stable_residence).",
            ),
        )
    # A collective household is registered where the employer or community is.
    if residence.region_code is not None and residence.region_code != destination:
        return (
            failed(
                rule,
                clause,
                f"The applicant is registered with {_tenure(residence)} in county "
                f"{residence.region_code}, but the destination is {destination}.",
            ),
        )
    return (
        passed(
            rule,
            clause,
            f"The applicant, without a dwelling of their own, is registered in "
            f"{_tenure(residence)}; clause 二.6 allows settling there.",
        ),
    )
