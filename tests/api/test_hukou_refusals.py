"""Refusing an application: a ground of the closed list and the reason in words. A target
never refuses (二.7: 对非户籍人口在城市落户目标数实行动态管理), nor do rural rights (三(四):
不得强行要求进城落户农民退出...土地承包权、宅基地使用权、集体收益分配权,或将其作为进城落户条件),
as the ground, in the reason, or in the words of an approval's condition."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_refusal_support import RefusalApiTests, audit_trail
from tests.api.hukou_support import (
    approve,
    fetch,
    ineligible_body,
    reject,
    submitted,
    undetermined_body,
)
from tests.support import Headers, error_of, invalid, reason_for

FULL = "the county's number for the year is reached"
TARGET_OR_RURAL_RIGHTS = {
    # as the ground ...
    "target": ({"ground": "target_reached", "reason": FULL}, "ground", "二.7"),
    "quota": ({"ground": "quota_full", "reason": FULL}, "ground", "二.7"),
    "homestead": ({"ground": "homestead_kept", "reason": FULL}, "ground", "三(四)"),
    # ... or in the reason's words
    "target in the reason": (
        {"ground": "false_information", "reason": "本年度落户指标已满"},
        "reason",
        "二.7",
    ),
    "homestead in the reason": (
        {"ground": "false_information", "reason": "申请人未交回宅基地"},
        "reason",
        "三(四)",
    ),
}
"""Refusals that 二.7 or 三(四) forbid, the field the 422 names and the clause it cites."""


class TestGroundsOfRefusal(RefusalApiTests):
    @pytest.mark.parametrize(
        ("body", "field", "clause"),
        TARGET_OR_RURAL_RIGHTS.values(),
        ids=TARGET_OR_RURAL_RIGHTS.keys(),
    )
    def test_a_target_or_rural_rights_as_the_ground_or_in_the_reason_is_422_citing_the_clause(
        self, hukou: TestClient, officer: Headers, body: dict[str, str], field: str, clause: str
    ) -> None:
        created = submitted(hukou, officer, application())

        details = invalid(reject(hukou, officer, created["id"], body))

        assert clause in reason_for(details, field)
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"

    def test_a_ground_not_in_the_list_is_422_naming_the_list(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        body = {"ground": "not_local_enough", "reason": "x"}
        reason = reason_for(invalid(reject(hukou, officer, created["id"], body)), "ground")

        assert "false_information (提供虚假材料)" in reason and "全面放宽我市落户限制" in reason

    def test_not_eligible_cannot_refuse_an_eligible_family(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        body = {"ground": "not_eligible", "reason": "we think not"}
        error = error_of(reject(hukou, officer, created["id"], body), 409, "conflict")

        assert "found this application eligible" in error["message"]
        assert error["details"][0]["field"] == "ground"
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"

    def test_not_eligible_closes_what_the_rules_found_ineligible(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, ineligible_body())

        body = {"ground": "not_eligible", "reason": "eleven months insured; 二.2 needs twelve"}
        rejected = reject(hukou, officer, created["id"], body)

        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["rejection_ground"] == "not_eligible"

    @pytest.mark.parametrize(
        ("make_body", "status"), [(undetermined_body, 200), (application, 409)]
    )
    def test_information_not_supplied_closes_only_an_application_awaiting_it(
        self, hukou: TestClient, officer: Headers, make_body: Any, status: int
    ) -> None:
        created = submitted(hukou, officer, make_body())

        body = {"ground": "information_not_supplied", "reason": "the insurance record never came"}

        assert reject(hukou, officer, created["id"], body).status_code == status

    def test_the_ground_its_label_and_the_reason_are_in_the_audit_log(
        self, hukou: TestClient, officer_wang: Headers
    ) -> None:
        created = submitted(hukou, officer_wang, application())

        body = {"ground": "withdrawn", "reason": "the applicant withdrew in writing"}
        reject(hukou, officer_wang, created["id"], body)

        action, actor, detail = audit_trail(hukou, created["id"])[-1]
        assert action == "settlement.rejected"
        assert actor == "dept:public_security/officer:ps-0001"
        assert detail["ground"] == "withdrawn" and detail["label"] == "申请人撤回申请"
        assert detail["reason"] == "the applicant withdrew in writing"
        assert detail["rejected_from"] == "eligible"


class TestConditions(RefusalApiTests):
    @pytest.mark.parametrize(
        "words", ["须先退出宅基地使用权", "the family must give up its land contract"]
    )
    def test_an_other_condition_demanding_rural_rights_is_422_citing_3_4(
        self, hukou: TestClient, officer: Headers, words: str
    ) -> None:
        created = submitted(hukou, officer, application())

        body = {"conditions": [{"kind": "other", "description": words}]}
        details = invalid(approve(hukou, officer, created["id"], json=body))

        assert "三(四)" in reason_for(details, "conditions[0].description")
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"

    def test_an_other_condition_that_asks_nothing_of_rural_rights_is_recorded(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        body = {"conditions": [{"kind": "other", "description": "bring the original lease"}]}

        assert approve(hukou, officer, created["id"], json=body).status_code == 200
