"""Public security's settlement-eligibility rules as pure functions, one per policy clause."""

from services.hukou.rules.base import Rule
from services.hukou.rules.channels import (
    check_collective_household,
    check_insured_one_year,
    check_stable_residence,
    check_talent,
)
from services.hukou.rules.eligibility import (
    CHANNEL_RULES,
    COMMON_RULES,
    check_no_rules_in_force,
    check_rules_in_force,
    check_unknown_channel,
    decide_eligibility,
    decision_outcome,
)
from services.hukou.rules.evidence import check_permit_evidence
from services.hukou.rules.household import (
    MemberPlace,
    check_household,
    check_rural_rights,
    member_places,
)
from services.hukou.rules.members import decide_members
from services.hukou.rules.parameters import (
    MINIMUM_INSURED_MONTHS,
    PARAMETERS,
    RULES_VERSIONS,
    SHAOGUAN_2017_TRIAL,
    RulesVersion,
)
from services.hukou.rules.students import check_rural_student

__all__ = [
    "CHANNEL_RULES",
    "COMMON_RULES",
    "MINIMUM_INSURED_MONTHS",
    "PARAMETERS",
    "RULES_VERSIONS",
    "SHAOGUAN_2017_TRIAL",
    "MemberPlace",
    "Rule",
    "RulesVersion",
    "check_collective_household",
    "check_household",
    "check_insured_one_year",
    "check_no_rules_in_force",
    "check_permit_evidence",
    "check_rules_in_force",
    "check_rural_rights",
    "check_rural_student",
    "check_stable_residence",
    "check_talent",
    "check_unknown_channel",
    "decide_eligibility",
    "decide_members",
    "decision_outcome",
    "member_places",
]
