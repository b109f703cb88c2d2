"""Medical insurance under 三(六): each settled member's insurance transferred, continued or begun.

Pure decisions over plain data: no database, no clock, no network. Every decision cites the
clause and the parameter versions it used, and says "information needed" (naming what, in the
application's own names or as `parameters.<name>`) where a fact or a parameter is missing,
never a guess.

Choices this module makes, and why:

- Coverage in the city starts on the settlement's decision date. The household is registered
  in the city from that day, and an origin scheme that covers the member through that day then
  hands over without a gap (三(六) 确保基本医保参保人能跨制度、跨统筹地区连续参保): the city starts
  no later than the origin ends.
- The origin of a transfer is where the member is insured: the stated insured region, or, for
  a member presumed insured at origin, the previous registration region. An origin in one of
  Shaoguan's counties is the city's own fund: the transfer completes at once. Elsewhere, it
  waits for the origin's confirmation of the months it holds.
- A member insured in the city in the scheme they will be in continues (nothing to transfer);
  in another scheme (the rural cooperative scheme, or the residents' scheme for a member now
  employed) the city's own fund moves them across schemes at once.
- An entry once decided stands: deciding the settlement again (a fact, a confirmation or a
  parameter arriving) decides only the members still waiting for information, and gives an
  awaiting transfer its deadline once the parameter is recorded; it never requests a transfer
  twice. The origin's answer, confirmation or refusal, ends the department's part in the
  transfer: after a refusal coverage in the city stands and nothing is left for it to record.

The package: `domain` (plain data and parameter names), `facts` (what is known of a member's
insurance), `entries` (the decision per member), `transfers` (the origin's answer, deadlines),
`care_elsewhere` (a member's filing for care at the origin while the transfer is under way),
`parameters` (which parameters the rules know and what a valid one is; the service reads them
when it is built and again when they change, and hands the set to every decision).
"""

from services.medical_insurance.rules.domain import (
    CLAUSE,
    EMPLOYER_PAID,
    INSURED_REGION,
    MEDICAL_MONTHS,
    ORIGIN_CONFIRMATION,
    ORIGIN_CONFIRMATION_DAYS,
    PRESUME_RURAL_MEMBERS_INSURED,
    SCHEME_NAMES,
    CityScheme,
    ConfirmationOutcome,
    EntryDecision,
    EntryKind,
    EntryStatus,
    FactsBasis,
    Insurance,
    InsuranceUnknown,
    Member,
    ParameterRef,
    Scheme,
    Settled,
    Settlement,
)
from services.medical_insurance.rules.entries import (
    confirmation_deadline,
    deadline_since_set,
    decide_entry,
    decide_member,
    no_deadline,
)
from services.medical_insurance.rules.facts import insurance_from_application, presume_insurance
from services.medical_insurance.rules.parameters import PARAMETERS
from services.medical_insurance.rules.transfers import (
    awaiting_origin,
    confirm_transfer,
    is_overdue,
    refuse_transfer,
    summarise,
)
from shared.rules import parameter_field

__all__ = [
    "CLAUSE",
    "EMPLOYER_PAID",
    "INSURED_REGION",
    "MEDICAL_MONTHS",
    "ORIGIN_CONFIRMATION",
    "ORIGIN_CONFIRMATION_DAYS",
    "PARAMETERS",
    "PRESUME_RURAL_MEMBERS_INSURED",
    "SCHEME_NAMES",
    "CityScheme",
    "ConfirmationOutcome",
    "EntryDecision",
    "EntryKind",
    "EntryStatus",
    "FactsBasis",
    "Insurance",
    "InsuranceUnknown",
    "Member",
    "ParameterRef",
    "Scheme",
    "Settled",
    "Settlement",
    "awaiting_origin",
    "confirm_transfer",
    "confirmation_deadline",
    "deadline_since_set",
    "decide_entry",
    "decide_member",
    "insurance_from_application",
    "is_overdue",
    "no_deadline",
    "parameter_field",
    "presume_insurance",
    "refuse_transfer",
    "summarise",
]
