"""Every county's planning view in one answer (三(八)): the school places public security reads
beside its settlement targets (二.7 "根据我市公共服务资源供给情况")."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.education_support import NANXIONG, EducationApiTests, Settle
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, invalid, ok, reason_for


class TestPlanningOfEveryCounty(EducationApiTests):
    def test_each_county_is_planned_as_it_is_alone(
        self, education: TestClient, clerk: Headers, settle: Settle
    ) -> None:
        settle(NANXIONG)  # 2019-2020: a child in primary and one in junior middle school

        plans = ok(education.get("/v1/planning?year=2019", headers=clerk))

        assert len(plans) == 10
        by_county = {plan["region_code"]: plan for plan in plans}
        alone = ok(education.get(f"/v1/planning/{NANXIONG}?year=2019", headers=clerk))
        assert by_county[NANXIONG] == alone
        assert alone["compulsory"] == {"this_year": 2, "next_year": 2, "change": 0}
        assert by_county[WUJIANG]["children_counted"] == 0

    def test_public_security_reads_it_and_the_year_is_required(
        self, education: TestClient, auth: TokenFactory
    ) -> None:
        headers = auth("public_security")

        assert len(ok(education.get("/v1/planning?year=2020", headers=headers))) == 10
        assert reason_for(invalid(education.get("/v1/planning", headers=headers)), "year")
