"""Who may be issued a residence permit (居住证暂行条例 第二条, 第九条, 第十条; policy 三(九)):
half a year of registered residence in the county applied in, for one not registered in
Shaoguan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.residence_permit.rules.national import (
    ART_2,
    ART_9,
    ART_10,
    CLAUSE,
    ENDORSEMENT_INTERVAL_YEARS,
    GUARDIAN_BELOW_AGE,
    MINIMUM_RESIDENCE_MONTHS,
    REGULATION,
    whole,
)
from services.residence_permit.rules.provincial import (
    GD_ART_2,
    GD_ART_4,
    is_registered_in_shaoguan,
)
from services.residence_permit.rules.registration import RegisteredResidence
from shared.dates import add_months, age_on, year_end
from shared.national import AGE_OF_MAJORITY, CIVIL_CODE_17
from shared.parameters import Parameter, ParameterSet
from shared.rules import Check, failed, failures, outcome_of, passed

BASES = ("employment", "residence", "study")
BASIS_WORDS = {
    "employment": "lawful stable employment (合法稳定就业)",
    "residence": "lawful stable residence (合法稳定住所)",
    "study": "continuous study (连续就读)",
}


@dataclass(frozen=True)
class Guardian:
    """The guardian or close relative applying for the person (第九条)."""

    id_number: str
    birth_date: date
    relation: str


@dataclass(frozen=True)
class Application:
    """The facts of an application, already parsed: birth date from the identity number, the
    registered residence on the application date from the person's registrations (None: none
    in force), and the start of residence the applicant declared, if any."""

    id_number: str
    birth_date: date
    hukou_region_code: str
    region_code: str
    registered: RegisteredResidence | None
    basis: str | None
    applied_on: date
    guardian: Guardian | None = None
    declared_since: date | None = None


@dataclass(frozen=True)
class ApplicationDecision:
    """Issue or refuse: every check, the national values used, and the first year's dates."""

    checks: tuple[Check, ...]
    parameters: tuple[Parameter, ...]
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def accepted(self) -> bool:
        return outcome_of(self.checks) == "passed"

    @property
    def refusals(self) -> tuple[Check, ...]:
        return failures(self.checks)


# Every check of an application names the input it is about and the article it applies.
def _met(rule: str, field: str, reason: str, regulation: str) -> Check:
    return passed(rule, CLAUSE, reason, field=field, regulation=regulation)


def _unmet(rule: str, field: str, reason: str, regulation: str) -> Check:
    return failed(rule, CLAUSE, reason, field=field, regulation=regulation)


_NEEDED = (
    MINIMUM_RESIDENCE_MONTHS,
    GUARDIAN_BELOW_AGE,
    AGE_OF_MAJORITY.name,
    ENDORSEMENT_INTERVAL_YEARS,
)


def decide_application(application: Application, parameters: ParameterSet) -> ApplicationDecision:
    """Apply 第二条 (half a year, one basis, a registration elsewhere), 第九条 (guardians) and
    第十条 (the county that issues is the county of residence)."""
    on = application.applied_on
    found = {name: parameters.in_force(name, on) for name in _NEEDED}
    missing = [name for name, value in found.items() if value is None]
    if missing:
        return ApplicationDecision(
            checks=(
                _unmet(
                    "regulation_in_force",
                    "applied_on",
                    f"no rules are in force on {on.isoformat()}: the {REGULATION} took effect on "
                    f"2016-01-01, and no value of {', '.join(missing)} is recorded for that day",
                    REGULATION,
                ),
            ),
            parameters=(),
        )
    values = {name: value for name, value in found.items() if value is not None}
    checks = (
        check_registered_elsewhere(application),
        check_half_year_of_residence(application, values[MINIMUM_RESIDENCE_MONTHS]),
        check_county_of_residence(application),
        check_basis(application),
        check_guardian(application, values[GUARDIAN_BELOW_AGE], values[AGE_OF_MAJORITY.name]),
    )
    decision = ApplicationDecision(checks=checks, parameters=tuple(values.values()))
    if not decision.accepted:
        return decision
    years = whole(values[ENDORSEMENT_INTERVAL_YEARS])
    return ApplicationDecision(
        checks=checks,
        parameters=decision.parameters,
        valid_from=on,
        valid_to=year_end(on, years),
    )


def check_registered_elsewhere(application: Application) -> Check:
    """A permit is for one who left the city of their household registration for another
    (第二条 "离开常住户口所在地,到其他城市居住"): a registration anywhere in Shaoguan, in another
    of its counties too, is refused; Guangdong's floating population likewise moves "跨地级以上市"
    (广东省流动人口服务管理条例 第二条)."""
    code = application.hukou_region_code
    if is_registered_in_shaoguan(code):
        return _unmet(
            "registered_elsewhere",
            "hukou_region_code",
            f"the person is registered in Shaoguan ({code}): a residence permit is for those "
            f"who left their registered city for another ({ART_2}: 到其他城市居住), and living "
            f"in another Shaoguan county crosses no city ({GD_ART_2}: 跨地级以上市居住); a "
            "registered resident has these services as a resident",
            ART_2,
        )
    return _met(
        "registered_elsewhere",
        "hukou_region_code",
        f"registered outside Shaoguan ({code})",
        ART_2,
    )


def _no_registration(application: Application) -> str:
    return (
        f"no residence registration in Shaoguan is in force on "
        f"{application.applied_on.isoformat()}: the residence a permit counts is the registered "
        f"one ({CLAUSE}: 完善流动人口居住登记管理; {GD_ART_4}: 居住登记和居住证制度); register it "
        "first (POST /v1/residence-registrations)"
    )


def check_half_year_of_residence(application: Application, months: Parameter) -> Check:
    """At least half a year of registered residence on the application date: its start plus
    six calendar months falls on or before `applied_on` (第二条 "居住半年以上", 以上 includes six).
    A start the applicant declares earlier than the registration does not count."""
    registered, on = application.registered, application.applied_on
    rule, field = "half_year_of_residence", "registration"
    if registered is None:
        return _unmet(rule, field, _no_registration(application), ART_2)
    since, declared = registered.since, application.declared_since
    said = (
        f" (declared since {declared.isoformat()}; the registration counts)"
        if declared is not None and declared != since
        else ""
    )
    needed = whole(months)
    enough_on = add_months(since, needed)
    if enough_on > on:
        return _unmet(
            rule,
            field,
            f"registered resident since {since.isoformat()}{said}: on {on.isoformat()} that is "
            f"less than {needed} months; a residence permit needs at least half a year of "
            f"residence ({ART_2}: 居住半年以上), reached on {enough_on.isoformat()}",
            ART_2,
        )
    return _met(
        rule,
        field,
        f"registered resident since {since.isoformat()}{said}: {needed} months reached on "
        f"{enough_on.isoformat()}",
        ART_2,
    )


def check_county_of_residence(application: Application) -> Check:
    """The permit is applied for where the person lives (第九条 "向居住地公安派出所...申领") and
    issued by that county (第十条 "由县级人民政府公安机关签发"): `region_code` is the county the
    registration places the person in on the application date."""
    registered, asked = application.registered, application.region_code
    rule, field = "county_of_residence", "region_code"
    if registered is None:
        return _unmet(rule, field, _no_registration(application), ART_10)
    if registered.region_code != asked:
        return _unmet(
            rule,
            field,
            f"the registration places the person in {registered.region_code} on "
            f"{application.applied_on.isoformat()}, not {asked}: a permit is applied for and "
            f"issued in the county of residence ({ART_9}, {ART_10}); register the move first",
            ART_10,
        )
    return _met(rule, field, f"registered resident of {asked}", ART_10)


def check_basis(application: Application) -> Check:
    """One of lawful stable employment, lawful stable residence or continuous study (第二条)."""
    basis = application.basis
    if basis not in BASES:
        choices = "; ".join(f"{key}: {words}" for key, words in BASIS_WORDS.items())
        said = "no basis was given" if basis is None else f"{basis!r} is not a basis"
        return _unmet(
            "one_basis",
            "basis",
            f"{said}: a residence permit needs one of {choices} ({ART_2})",
            ART_2,
        )
    return _met("one_basis", "basis", f"basis: {BASIS_WORDS[basis]}", ART_2)


def check_guardian(application: Application, below_age: Parameter, majority: Parameter) -> Check:
    """A minor under 16 on the application date applies through a guardian (第九条). Older
    people may also apply through one (第九条 names the elderly and disabled), so a guardian
    for someone of 16 or more is accepted and recorded."""
    rule, field = "guardian", "guardian"
    on, born = application.applied_on, application.birth_date
    if on < born:
        return _unmet(
            rule,
            "applied_on",
            f"the application date {on.isoformat()} precedes the person's birth "
            f"({born.isoformat()}, from the identity number)",
            ART_9,
        )
    age, limit = age_on(born, on), whole(below_age)
    guardian = application.guardian
    if guardian is None:
        if age < limit:
            return _unmet(
                rule,
                field,
                f"the person is {age} on {on.isoformat()}: a minor under {limit} applies "
                f"through a guardian or close relative ({ART_9}); give guardian.id_number, "
                "guardian.name and guardian.relation",
                ART_9,
            )
        return _met(rule, field, f"aged {age}: applies in person", ART_9)
    if guardian.id_number == application.id_number:
        return _unmet(
            rule, "guardian.id_number", "the guardian cannot be the person themself", ART_9
        )
    adult = whole(majority)
    if on < guardian.birth_date or age_on(guardian.birth_date, on) < adult:
        return _unmet(
            rule,
            "guardian.id_number",
            f"the guardian is under {adult} on {on.isoformat()} (from the identity number): "
            f"a minor cannot act for another ({CIVIL_CODE_17})",
            ART_9,
        )
    who = "a minor" if age < limit else f"aged {age}"
    return _met(rule, field, f"{who}: applies through a guardian ({guardian.relation})", ART_9)
