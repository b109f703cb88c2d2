"""Unit tests of 二.5, rural students free to come and go (来去自由): 高校录取的农村籍学生可根据本人
意愿,将户口迁至高校所在地,毕业后可根据本人意愿,将户口迁回原籍地或迁入就(创)业地 (no I/O)."""

from __future__ import annotations

from typing import Any

from services.hukou.domain import Student
from services.hukou.rules import check_rural_student, decide_eligibility
from shared.rules import Check
from tests.unit.hukou.support import DESTINATION, ORIGIN, OTHER_COUNTY, facts, only, person

GUANGZHOU_COLLEGE = "440106"  # 天河区: a college outside Shaoguan
QUJIANG = "440205"


def checks(
    student: Student | None, destination: str = DESTINATION, **changes: Any
) -> tuple[Check, ...]:
    changed = facts(
        "rural_student", student=student, destination_region_code=destination, **changes
    )
    return check_rural_student(changed)


def graduate(**changes: Any) -> Student:
    """A graduate whose registration moved to a college in Guangzhou, from a rural one at ORIGIN."""
    base: dict[str, Any] = {
        "stage": "graduated",
        "college_region_code": GUANGZHOU_COLLEGE,
        "origin_region_code": ORIGIN,
        "origin_hukou_type": "rural",
    }
    return Student(**{**base, **changes})


# The graduate's registration is the college's: urban, in Guangzhou.
AT_COLLEGE = person(hukou_region_code=GUANGZHOU_COLLEGE, hukou_type="urban")


class TestAdmitted:
    """高校录取的农村籍学生……将户口迁至高校所在地."""

    def test_an_admitted_student_moves_to_the_college_county(self) -> None:
        check = only(
            checks(Student(stage="admitted", college_region_code=DESTINATION)),
            "rural_student.destination",
        )
        assert check.outcome == "passed"
        assert "本人意愿" in check.reason and "高校所在地" in check.reason

    def test_an_admitted_student_may_not_move_to_another_county(self) -> None:
        check = only(
            checks(Student(stage="admitted", college_region_code=OTHER_COUNTY)),
            "rural_student.destination",
        )
        assert check.outcome == "failed"

    def test_an_urban_registered_student_is_not_in_this_channel(self) -> None:
        urban = checks(
            Student(stage="admitted", college_region_code=DESTINATION),
            applicant=person(hukou_type="urban"),
        )
        check = only(urban, "rural_student.rural_registration")
        assert check.outcome == "failed"
        assert "rural-registered" in check.reason

    def test_a_rural_registered_student_is_in_this_channel(self) -> None:
        check = only(
            check_rural_student(facts("rural_student")), "rural_student.rural_registration"
        )
        assert check.outcome == "passed"

    def test_a_missing_student_section_is_undetermined_and_named(self) -> None:
        check = only(checks(None), "rural_student.destination")
        assert check.outcome == "undetermined"
        assert check.missing == ("student",)


class TestGraduated:
    """毕业后……将户口迁回原籍地或迁入就(创)业地: the origin is the registration before college."""

    def test_a_graduate_registered_at_the_college_moves_back_to_the_place_of_origin(self) -> None:
        decision = decide_eligibility(
            facts(
                "rural_student",
                applicant=AT_COLLEGE,
                student=graduate(),
                destination_region_code=ORIGIN,
            )
        )
        assert decision.outcome == "eligible"
        destination = only(decision.checks, "rural_student.destination")
        assert "迁回原籍地" in destination.reason and ORIGIN in destination.reason

    def test_a_graduate_registered_at_the_college_moves_to_the_county_of_work(self) -> None:
        decision = decide_eligibility(
            facts(
                "rural_student",
                applicant=AT_COLLEGE,
                student=graduate(employment_region_code=QUJIANG),
                destination_region_code=QUJIANG,
            )
        )
        assert decision.outcome == "eligible"

    def test_the_current_registration_is_not_the_place_of_origin(self) -> None:
        # Registered at a college in 武江区: 武江区 is neither the origin nor the place of work.
        at_wujiang = person(hukou_region_code=DESTINATION, hukou_type="urban")
        student = graduate(college_region_code=DESTINATION, employment_region_code=QUJIANG)
        check = only(checks(student, applicant=at_wujiang), "rural_student.destination")
        assert check.outcome == "failed"
        assert ORIGIN in check.reason and QUJIANG in check.reason

    def test_a_graduate_with_neither_origin_nor_work_stated_is_undetermined_naming_both(
        self,
    ) -> None:
        student = graduate(origin_region_code=None)
        check = only(checks(student, applicant=AT_COLLEGE), "rural_student.destination")
        assert check.outcome == "undetermined"
        assert check.missing == ("student.origin_region_code", "student.employment_region_code")

    def test_a_graduate_moving_to_work_needs_no_stated_origin(self) -> None:
        student = graduate(origin_region_code=None, employment_region_code=DESTINATION)
        check = only(checks(student, applicant=AT_COLLEGE), "rural_student.destination")
        assert check.outcome == "passed"

    def test_the_type_of_the_colleges_registration_does_not_matter(self) -> None:
        check = only(
            checks(graduate(), ORIGIN, applicant=AT_COLLEGE), "rural_student.rural_registration"
        )
        assert check.outcome == "passed"
        assert "来去自由" in check.reason

    def test_an_urban_registration_before_the_college_is_not_in_this_channel(self) -> None:
        student = graduate(origin_hukou_type="urban")
        check = only(
            checks(student, ORIGIN, applicant=AT_COLLEGE), "rural_student.rural_registration"
        )
        assert check.outcome == "failed"
        assert "二.4" in check.reason

    def test_an_unstated_type_before_the_college_is_undetermined_and_named(self) -> None:
        student = graduate(origin_hukou_type=None)
        check = only(
            checks(student, ORIGIN, applicant=AT_COLLEGE), "rural_student.rural_registration"
        )
        assert check.outcome == "undetermined"
        assert check.missing == ("student.origin_hukou_type",)

    def test_a_registration_that_never_moved_gives_the_type_before_the_college(self) -> None:
        never_moved = person(hukou_region_code=ORIGIN, hukou_type="urban")
        student = graduate(origin_hukou_type=None, employment_region_code=DESTINATION)
        check = only(checks(student, applicant=never_moved), "rural_student.rural_registration")
        assert check.outcome == "failed"

    def test_a_rural_registration_now_was_rural_before_the_college(self) -> None:
        rural_at_college = person(hukou_region_code=GUANGZHOU_COLLEGE, hukou_type="rural")
        student = graduate(origin_hukou_type=None, employment_region_code=DESTINATION)
        check = only(
            checks(student, applicant=rural_at_college), "rural_student.rural_registration"
        )
        assert check.outcome == "passed"
