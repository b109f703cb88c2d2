"""Rural students, free to come and go (二.5, 来去自由), one check of the registration and one of
the destination.

全面实行农村籍高校学生来去自由的落户政策,高校录取的农村籍学生可根据本人意愿,将户口迁至高校所在地,
毕业后可根据本人意愿,将户口迁回原籍地或迁入就(创)业地. The place of origin (原籍地) is the
registration before the college (`student.origin_region_code`), not the current one, which for a
graduate may be the college's; the move concerns the student alone (本人), so the household
does not come with it (`household.member_places`).
"""

from __future__ import annotations

from collections.abc import Sequence

from services.hukou.domain import ApplicationFacts, Student
from services.hukou.rules.base import unstated
from services.hukou.rules.parameters import PARAMETERS
from shared.parameters import Parameter
from shared.rules import Check, failed, passed, undetermined

_CHOICE = "The move is by the student's own choice (根据本人意愿)."


def check_rural_student(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.5: a rural-registered student moves to the college, then home or to work (来去自由)."""
    student = facts.student
    if student is None:
        return (
            _rural_registration(facts),
            undetermined(
                "rural_student.destination",
                "二.5",
                "No student details are given (stage, the college's county). Clause 二.5 "
                "needs them.",
                ("student",),
            ),
        )
    if student.stage == "graduated":
        return (_graduate_was_rural(facts, student), _graduate_destination(facts, student))
    return (_rural_registration(facts), _admitted_destination(facts, student))


def _rural_registration(facts: ApplicationFacts) -> Check:
    rule, clause = "rural_student.rural_registration", "二.5"
    if facts.applicant.hukou_type == "rural":
        return passed(rule, clause, "The applicant's household registration is rural (农村籍).")
    return failed(
        rule,
        clause,
        f"The applicant's household registration is {facts.applicant.hukou_type}: clause 二.5 "
        "is for rural-registered students (农村籍高校学生). A college graduate may apply under "
        "二.4 (talent).",
    )


def _admitted_destination(facts: ApplicationFacts, student: Student) -> Check:
    rule, clause, destination = "rural_student.destination", "二.5", facts.destination_region_code
    if student.stage != "admitted":
        return failed(
            rule, clause, f"The student stage {student.stage!r} is not 'admitted' or 'graduated'."
        )
    if destination == student.college_region_code:
        return passed(
            rule,
            clause,
            f"An admitted student moves to {destination}, where the college is "
            f"(将户口迁至高校所在地). {_CHOICE}",
        )
    return failed(
        rule,
        clause,
        f"An admitted student may move only to the college's county "
        f"{student.college_region_code} (高校所在地), not to {destination}.",
    )


def _graduate_was_rural(facts: ApplicationFacts, student: Student) -> Check:
    """The graduate was a rural-registered student when admitted (高校录取的农村籍学生): the
    registration before the college was rural, whatever the type of the college's."""
    rule, clause = "rural_student.rural_registration", "二.5"
    current, origin_type = facts.applicant, student.origin_hukou_type
    if origin_type is None and current.hukou_type == "rural":
        origin_type = "rural"  # no move to a college makes a registration rural
    elif origin_type is None and student.origin_region_code == current.hukou_region_code:
        origin_type = current.hukou_type  # the registration never moved to the college
    if origin_type is None:
        return undetermined(
            rule,
            clause,
            f"The graduate's registration is now {current.hukou_type}, in "
            f"{current.hukou_region_code} (the college's, it may be), and the type of the "
            "registration before the college is not stated. Clause 二.5 is for students "
            "admitted with a rural registration (高校录取的农村籍学生).",
            ("student.origin_hukou_type",),
        )
    if origin_type == "rural":
        return passed(
            rule,
            clause,
            "The graduate's registration before the college was rural (农村籍); the type of "
            "the college's registration does not matter (来去自由).",
        )
    return failed(
        rule,
        clause,
        "The graduate's registration before the college was urban: clause 二.5 is for "
        "students admitted with a rural registration (高校录取的农村籍学生). A college graduate "
        "may apply under 二.4 (talent).",
    )


def _graduate_destination(facts: ApplicationFacts, student: Student) -> Check:
    """After graduation: back to the place of origin (原籍地, the registration before the
    college) or to the place of employment or business (就(创)业地)."""
    rule, clause, destination = "rural_student.destination", "二.5", facts.destination_region_code
    origin, work = student.origin_region_code, student.employment_region_code
    if destination == origin:
        return passed(
            rule,
            clause,
            f"A graduate moves back to the place of origin {origin} (迁回原籍地). {_CHOICE}",
        )
    if destination == work:
        return passed(
            rule,
            clause,
            f"A graduate moves to {work}, the place of employment or business (迁入就(创)业地). "
            f"{_CHOICE}",
        )
    after = (
        "After graduation clause 二.5 allows the place of origin (the registration before the "
        "college) or of employment or business"
    )
    missing = unstated(
        {"student.origin_region_code": origin, "student.employment_region_code": work}
    )
    known = (
        f"The destination {destination} is not the place of origin "
        f"({origin or 'not stated'}) nor of employment ({work or 'not stated'})"
    )
    if missing:
        return undetermined(rule, clause, f"{known}. {after}.", missing)
    return failed(rule, clause, f"{known}. {after}.")
