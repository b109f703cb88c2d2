"""Each settled child's placement under 三(八): stage by age, county, transfer and notice.

Pure: plain dataclasses in and out, every decision citing its clause and the parameter
versions it used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from services.education.rules.school_years import SchoolYear, placement_school_year
from services.education.rules.stages import (
    CLAUSE,
    SCHOOL_YEAR_START,
    STAGES,
    TRANSFER_STAGES,
    Stage,
    StageBands,
    Undetermined,
    age_at,
    school_year_label,
    school_year_start,
    stage_bands,
)
from shared.parameters import ParameterSet

Outcome = Literal["placed", "no_placement", "information_needed"]
Schooling = Literal["not_in_school", "preschool", "primary", "junior_middle", "senior_high"]
"""What a minor applicant attends: a stage, or none (working, or at college)."""

SCHOOLING_FACT = "schooling.stage"
"""The fact a minor applicant's placement waits on: the stage they attend (`Schooling`)."""


@dataclass(frozen=True)
class Member:
    """A settled household member as education reads them (from settlement.approved)."""

    index: int
    name: str
    relation: str
    birth_date: date
    previous_region_code: str
    schooling: Schooling | None = None
    """What the member attends, where it was stated after approval (a minor applicant's)."""


@dataclass(frozen=True)
class Family:
    """The facts of one approved settlement education decides on."""

    destination_region_code: str
    decision_date: date
    members: tuple[Member, ...]
    school_year: SchoolYear | None = None
    """The school year an earlier decision on this settlement placed for, which a later one
    keeps (`kept_school_year`); None: chosen from the decision date (`placement_school_year`)."""


@dataclass(frozen=True)
class Transfer:
    """A student-status transfer (学籍转接) education requests for a placed child."""

    from_region_code: str
    to_region_code: str
    stage: Stage
    reason: str
    clause: str = CLAUSE


@dataclass(frozen=True)
class Placement:
    """One child's placement under 三(八), or why there is none."""

    member_index: int
    relation: str
    birth_date: date
    school_year: int
    age_at_start: int | None
    outcome: Outcome
    stage: Stage | None
    county: str
    reason: str
    missing: tuple[str, ...] = ()
    notice: str | None = None
    transfer: Transfer | None = None
    clause: str = CLAUSE


@dataclass(frozen=True)
class EducationDecision:
    """Education's follow-through on one settlement: a placement per child, the versions used."""

    county: str
    school_year: int
    placements: tuple[Placement, ...]
    parameters_used: tuple[dict[str, Any], ...]
    information_needed: tuple[str, ...]

    def summary(self) -> str:
        """One line for events and logs: counts only, never a name or an identity number."""
        return summarise(
            self.county,
            self.school_year,
            ((p.outcome, p.stage, p.transfer is not None) for p in self.placements),
        )


def summarise(
    county: str,
    school_year: int,
    placements: Iterable[tuple[str, str | None, bool]],
    *,
    transfers_completed: int = 0,
) -> str:
    """The summary of a settlement's placements, each as (outcome, stage, whether a transfer
    was requested): counts only, never a name or an identity number."""
    listed = list(placements)
    placed = [(stage, transfer) for outcome, stage, transfer in listed if outcome == "placed"]
    by_stage = ", ".join(
        f"{stage} {n}" for stage in STAGES if (n := sum(1 for s, _ in placed if s == stage))
    )
    parts = [f"{len(placed)} placed" + (f" ({by_stage})" if by_stage else "")]
    not_placed = sum(1 for outcome, _, _ in listed if outcome == "no_placement")
    if not_placed:
        parts.append(f"{not_placed} not placed")
    needed = sum(1 for outcome, _, _ in listed if outcome == "information_needed")
    if needed:
        parts.append(f"{needed} needing information")
    transfers = f"student-status transfers requested: {sum(1 for _, t in placed if t)}"
    if transfers_completed:
        transfers += f" (completed: {transfers_completed})"
    parts.append(transfers)
    return f"{CLAUSE} school year {school_year_label(school_year)} in {county}: " + "; ".join(parts)


_STAGE_WORDS: Mapping[Stage, tuple[str, str]] = {
    "preschool": ("preschool (学前教育; not compulsory: a kindergarten place)", "幼儿园"),
    "primary": (
        "primary school (小学; compulsory education, Compulsory Education Law art. 11)",
        "小学",
    ),
    "junior_middle": ("junior middle school (初中; compulsory education)", "初中"),
    "senior_high": ("senior high school (高中; not compulsory)", "高中"),
}
_TO_BRING = "户口簿（落户后的）、孩子的居民身份证或出生医学证明、预防接种证"


def _first_preschool_year(birth_date: date, bands: StageBands, after: int) -> int:
    year = after + 1
    while (age_at(birth_date, school_year_start(year)) or 0) < bands.preschool:
        year += 1
    return year


def _notice(
    member: Member,
    *,
    stage: Stage,
    age: int,
    school_year: int,
    county_name: str,
    transfer_from: str | None,
) -> str:
    start = school_year_start(school_year)
    admission = "入园" if stage == "preschool" else "入学"
    # A minor applicant settles in their own right: the notice is theirs, not their parents'.
    addressee = member.name if member.relation == "applicant" else f"{member.name}的家长"
    text = (
        f"{addressee}：您好！根据《韶关市推动非户籍人口在城市落户实施办法（试行）》"
        f"第三(八)项，进城落户农民子女受教育与城镇居民同城同待遇。{member.name}"
        f"（{member.birth_date.year}年{member.birth_date.month}月{member.birth_date.day}日出生）"
        f"在{start.year}年{start.month}月{start.day}日（{school_year_label(school_year)}学年开始）"
        f"时{age}周岁，已纳入{county_name}{_STAGE_WORDS[stage][1]}学位安排。"
        f"请携带{_TO_BRING}"
    )
    if transfer_from is not None:
        text += "、原就读学校的名称和学籍信息"
    text += f"，到{county_name}教育局办理{admission}手续。"
    if transfer_from is not None:
        text += f"学籍转接（从{transfer_from}转入{county_name}）已由教育部门发起。"
    return text


def _place(
    member: Member,
    *,
    family: Family,
    school: SchoolYear,
    bands: StageBands,
    region_names: Mapping[str, str],
) -> Placement | None:
    school_year = school.year
    start = school_year_start(school_year)
    county = family.destination_region_code
    county_name = region_names.get(county, county)
    age = age_at(member.birth_date, start)
    band = bands.band_of(age)
    at = f"on {start.isoformat()}, the start of the {school_year_label(school_year)} school year"

    def decided(
        outcome: Outcome,
        reason: str,
        *,
        stage: Stage | None = None,
        missing: tuple[str, ...] = (),
        notice: str | None = None,
        transfer: Transfer | None = None,
    ) -> Placement:
        return Placement(
            member_index=member.index,
            relation=member.relation,
            birth_date=member.birth_date,
            school_year=school_year,
            age_at_start=age,
            outcome=outcome,
            stage=stage,
            county=county,
            reason=f"{reason} {school.reason}",
            missing=missing,
            notice=notice,
            transfer=transfer,
        )

    if member.relation != "child" and band in ("adult", "under_preschool"):
        return None  # an adult spouse, parent or applicant: nothing for education
    stage: Stage
    if member.relation == "applicant":
        if member.schooling is None:
            return decided(
                "information_needed",
                f"The applicant is aged {age} {at}, under {bands.adult}, but settles in their "
                "own right (working, or a college student under 二.5): whether they attend "
                "school, and at which stage, must be known before education places them "
                f"(三(八)); {SCHOOLING_FACT} gives it.",
                missing=(SCHOOLING_FACT,),
            )
        if member.schooling == "not_in_school":
            return decided(
                "no_placement",
                f"No placement: the applicant, aged {age} {at}, attends no school (as stated "
                "after approval); clause 三(八) concerns the schooling of children.",
            )
        stage = member.schooling
        relation = f" (the applicant, under {bands.adult}: the stage they attend, as stated)"
    elif band == "under_preschool":
        first = _first_preschool_year(member.birth_date, bands, school_year)
        aged = "not yet born" if age is None else f"aged {age}"
        return decided(
            "no_placement",
            f"No placement: under {bands.preschool} ({aged}) {at}. A preschool place on "
            f"the same terms as local children (三(八)) from the school year starting "
            f"{school_year_start(first).isoformat()}, when the child is {bands.preschool}.",
        )
    elif band == "adult":
        return decided(
            "no_placement",
            f"No placement: aged {age} {at}, an adult ({bands.adult} or over); clause "
            "三(八) concerns the schooling of children.",
        )
    else:
        stage = band
        relation = (
            "" if member.relation == "child" else f" (a {member.relation} under {bands.adult})"
        )
    transfer: Transfer | None = None
    if stage in TRANSFER_STAGES and member.previous_region_code != county:
        origin = region_names.get(member.previous_region_code, member.previous_region_code)
        transfer = Transfer(
            from_region_code=member.previous_region_code,
            to_region_code=county,
            stage=stage,
            reason=f"Student status (学籍) moves from {origin} to {county_name}: requested by "
            "education, since 三(八) has departments ease children's transfers and progression. "
            "The sending region is the previous household registration; the event does not say "
            "which school the child attends now.",
        )
    return decided(
        "placed",
        stage=stage,
        reason=f"Aged {age} {at}{relation}: {_STAGE_WORDS[stage][0]}, ages "
        f"{bands.ages_of(stage)}. Placed in {county_name} on the same terms as local children "
        "(同城同待遇), clause 三(八).",
        notice=_notice(
            member,
            stage=stage,
            age=age or 0,
            school_year=school_year,
            county_name=county_name,
            transfer_from=(
                region_names.get(member.previous_region_code, member.previous_region_code)
                if transfer
                else None
            ),
        ),
        transfer=transfer,
    )


def place_children(
    family: Family, parameters: ParameterSet, *, region_names: Mapping[str, str]
) -> EducationDecision:
    """A placement for each child of a settled family (三(八)), by age at the start of the
    school year placed for: the one under way on the decision date (the approval day), or the
    next in the under way one's last weeks (`placement_school_year`).

    Who is considered: every member whose relation is `child` (an adult child is recorded as
    "no placement: adult", a child under 3 as "no placement: under 3" with the year preschool
    starts, so the family sees why); any other member under 18 at the school-year start is
    placed by age too, except the applicant, who settles in their own right, so the decision
    asks whether they attend school instead of guessing. Adult spouses, parents and applicants
    are not listed. Raises ValueError on impossible data (a member born after the decision).
    """
    for member in family.members:
        if member.birth_date > family.decision_date:
            raise ValueError(f"member {member.index} is born after the decision date")
    county = family.destination_region_code
    school = family.school_year or placement_school_year(family.decision_date, parameters, county)
    school_year = school.year
    start = school_year_start(school_year)
    bands = stage_bands(parameters, start, county)
    if isinstance(bands, Undetermined):
        placements = tuple(
            Placement(
                member_index=m.index,
                relation=m.relation,
                birth_date=m.birth_date,
                school_year=school_year,
                age_at_start=age_at(m.birth_date, start),
                outcome="information_needed",
                stage=None,
                county=county,
                reason=f"{bands.reason} {school.reason}",
                missing=bands.missing,
            )
            for m in family.members
            if m.relation == "child"
        )
        return EducationDecision(
            county=county,
            school_year=school_year,
            placements=placements,
            parameters_used=(SCHOOL_YEAR_START.reference(), *school.references),
            information_needed=bands.missing,
        )
    decided = (
        _place(m, family=family, school=school, bands=bands, region_names=region_names)
        for m in family.members
    )
    placements = tuple(p for p in decided if p is not None)
    return EducationDecision(
        county=county,
        school_year=school_year,
        placements=placements,
        parameters_used=(SCHOOL_YEAR_START.reference(), *school.references, *bands.references),
        information_needed=tuple(m for p in placements for m in p.missing),
    )
