"""The grounds a settlement may be refused on (a closed list), and what never refuses: a
target (二.7: 对非户籍人口在城市落户目标数实行动态管理) or rural rights (三(四): 不得强行要求
进城落户农民退出其在农村的土地承包权、宅基地使用权、集体收益分配权,或将其作为进城落户条件)."""

from __future__ import annotations

from typing import get_args

import pytest

from services.hukou import grounds
from services.hukou.grounds import (
    GROUNDS,
    RejectionGround,
    demands_rural_rights,
    forbidden_in_words,
    ground_cannot_close,
    refusal_of_ground,
)


def test_every_ground_of_the_list_has_a_chinese_label_and_a_basis() -> None:
    assert set(GROUNDS) == set(get_args(RejectionGround))
    for ground in GROUNDS.values():
        assert ground.label and ground.basis and ground.closes


@pytest.mark.parametrize("ground", get_args(RejectionGround))
def test_a_ground_of_the_list_is_accepted(ground: str) -> None:
    assert refusal_of_ground(ground) is None


@pytest.mark.parametrize("ground", ["target_reached", "quota_full", "annual-quota", "targets"])
def test_a_target_is_no_ground_citing_2_7(ground: str) -> None:
    refusal = refusal_of_ground(ground)

    assert refusal is not None and "二.7" in refusal and "目标数实行动态管理" in refusal


@pytest.mark.parametrize("ground", ["rural_rights", "homestead", "keeps_land_contract"])
def test_rural_rights_are_no_ground_citing_3_4(ground: str) -> None:
    refusal = refusal_of_ground(ground)

    assert refusal is not None and "三(四)" in refusal and "宅基地使用权" in refusal


def test_a_ground_not_in_the_list_is_refused_naming_the_list() -> None:
    refusal = refusal_of_ground("bad_attitude")

    assert refusal is not None
    assert "全面放宽我市落户限制" in refusal
    assert all(name in refusal for name in GROUNDS)


@pytest.mark.parametrize(
    "words",
    [
        "本年度落户指标已满",
        "名额已满",
        "the county target is reached",
        "quota exhausted",
        "规模控制",
    ],
)
def test_words_naming_a_target_are_refused(words: str) -> None:
    assert forbidden_in_words(words) == grounds.TARGET_NEVER_REFUSES


@pytest.mark.parametrize(
    "words",
    [
        "须退出宅基地",
        "交回承包地后办理",
        "放弃集体收益分配",
        "must give up the homestead first",
        "surrender the land contract",
        "hand back the contracted land",
    ],
)
def test_words_asking_to_give_up_rural_rights_are_refused(words: str) -> None:
    assert demands_rural_rights(words)
    assert forbidden_in_words(words) == grounds.RURAL_RIGHTS_KEPT


@pytest.mark.parametrize(
    "words", ["the lease is forged", "the family keeps its homestead", "申请人书面撤回"]
)
def test_other_words_refuse_nothing(words: str) -> None:
    assert forbidden_in_words(words) is None


def test_not_eligible_refuses_only_what_the_rules_found_ineligible() -> None:
    assert ground_cannot_close("not_eligible", "ineligible") is None
    refusal = ground_cannot_close("not_eligible", "eligible")
    assert refusal is not None and "found this application eligible" in refusal
    assert "二.7" in refusal
    assert ground_cannot_close("not_eligible", "submitted") is not None


def test_information_not_supplied_refuses_only_an_application_awaiting_it() -> None:
    assert ground_cannot_close("information_not_supplied", "submitted") is None
    assert ground_cannot_close("information_not_supplied", "eligible") is not None
    assert ground_cannot_close("information_not_supplied", "ineligible") is not None


@pytest.mark.parametrize("status", ["submitted", "eligible", "ineligible"])
def test_false_information_withdrawal_and_duplicates_refuse_any_open_application(
    status: str,
) -> None:
    for ground in ("false_information", "withdrawn", "duplicate"):
        assert ground_cannot_close(ground, status) is None
