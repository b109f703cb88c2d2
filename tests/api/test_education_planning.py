"""Each county's planning view: the places settled families need by stage, this school year
and next (三(八))."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.api.education_support import NANXIONG, EducationApiTests, Person, Settle
from tests.support import Headers, ok


class TestPlanning(EducationApiTests):
    def test_the_places_needed_this_year_and_next_by_stage(
        self, education: TestClient, clerk: Headers, settle: Settle
    ) -> None:
        settle(NANXIONG)  # 2019-2020: primary 7, junior 13, pre 4, baby 1
        second = (
            Person("陈大", "applicant", date(1980, 1, 1)),
            Person("陈小", "child", date(2002, 7, 1)),  # 17: senior high, then adult
            Person("陈幼", "child", date(2017, 6, 1)),  # 2: nothing, then preschool
        )
        settle(NANXIONG, people=second)
        settle(NANXIONG, decided=date(2020, 9, 15))  # a later year
        plan = ok(education.get(f"/v1/planning/{NANXIONG}?year=2019", headers=clerk))
        assert (plan["school_year"], plan["next_school_year"]) == ("2019-2020", "2020-2021")
        assert plan["clause"] == "三(八)"
        assert plan["region_name"] == "韶关市南雄市"
        stages = {s["stage"]: (s["this_year"], s["next_year"], s["change"]) for s in plan["stages"]}
        assert stages == {
            "preschool": (1, 2, 1),  # the 4-year-old stays (5); 陈幼 turns 3, the baby is 2
            "primary": (1, 1, 0),
            "junior_middle": (1, 1, 0),  # 13 then 14
            "senior_high": (1, 0, -1),  # 17 then 18
        }
        assert plan["compulsory"] == {"this_year": 2, "next_year": 2, "change": 0}
        assert plan["entering_preschool_next_year"] == 1
        assert plan["leaving_senior_high_next_year"] == 1
        assert plan["children_counted"] == 6
        assert {p["name"] for p in plan["parameters_used"]} >= {"primary_entry_age"}

    def test_a_county_with_no_settled_children_needs_no_places(
        self, education: TestClient, clerk: Headers
    ) -> None:
        plan = education.get(f"/v1/planning/{NANXIONG}?year=2016", headers=clerk).json()
        assert plan["children_counted"] == 0
        assert all(s["this_year"] == s["next_year"] == 0 for s in plan["stages"])
