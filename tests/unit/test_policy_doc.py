"""docs/policy.md is the clause reference every citation points to: each clause id the
repository cites is a heading there, and each heading quotes the Chinese text it rests on.

The quotes themselves are checked against the published text by hand: a user's machine does
not hold that text, so no test can read it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "docs" / "policy.md"
CITING = (REPO / "services", REPO / "shared", REPO / "docs", REPO / "README.md")
SUFFIXES = {".py", ".md", ".sql", ".sh", ".json", ".yaml"}

_NUMERAL = "一二三四五六七八九"
# A clause id stands apart from Chinese words (\w matches them): `二.3`, `三(五)`, and a
# section alone, `五`, but not `第十二条(五)` (an article's item), `f"{ART_12}(五)"` or `张三`.
ITEM_ID = re.compile(rf"(?<![\w}}])[{_NUMERAL}](?:\.\d+|\([{_NUMERAL}十]+\))(?!\w)")
SECTION_ID = re.compile(rf"(?<![\w}}])(?<![\w}}]\()[{_NUMERAL}](?![\w(.])")
HEADING = re.compile(r"^#{2,3} (\S+) ", re.MULTILINE)
CJK = re.compile(r"[\u4e00-\u9fff]")

# The measures' own clauses (sections 一 to 四 with their rules and items, and 五, the closing
# sentence on validity): the reference must hold every one, cited in code yet or not.
MEASURES: tuple[str, ...] = (
    *("一", "一.1", "一.2"),
    *("二", *(f"二.{n}" for n in range(1, 9))),
    *("三", *(f"三({n})" for n in "一二三四五六七八九")),
    *("四", *(f"四({n})" for n in "一二三四")),
    "五",
)


def cited_ids(text: str) -> set[str]:
    """The clause ids a text cites."""
    return {m.group(0) for pattern in (ITEM_ID, SECTION_ID) for m in pattern.finditer(text)}


def citing_files() -> list[Path]:
    found: list[Path] = []
    for root in CITING:
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        found += [p for p in paths if p.is_file() and p.suffix in SUFFIXES and p != POLICY]
    return found


def citations() -> dict[str, list[str]]:
    """Each clause id the repository cites, with the files and lines citing it."""
    where: defaultdict[str, list[str]] = defaultdict(list)
    for path in citing_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            for clause in cited_ids(line):
                where[clause].append(f"{path.relative_to(REPO)}:{number}")
    return dict(where)


def sections() -> dict[str, str]:
    """Each clause heading of docs/policy.md and the text under it, up to the next heading."""
    text = POLICY.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    ends = [h.start() for h in headings[1:]] + [len(text)]
    return {
        h.group(1): text[h.end() : end]
        for h, end in zip(headings, ends, strict=True)
        if cited_ids(h.group(1)) == {h.group(1)}
    }


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("clause 二.3 (举家进城落户)", {"二.3"}),
        ('CLAUSE = "三(五)"', {"三(五)"}),
        ("Decide it at once (二, 五).", {"二", "五"}),
        ('"五",', {"五"}),
        ("二.10 and 四(四)", {"二.10", "四(四)"}),
        ("居住证暂行条例 第十二条(五)", set()),
        ('f"{ART_12}(五)"', set()),
        ("张三 年满六周岁 有效期三年 第三(八)项", set()),
    ],
)
def test_a_clause_id_is_told_from_chinese_words(text: str, ids: set[str]) -> None:
    assert cited_ids(text) == ids


def test_the_code_is_scanned_for_its_citations() -> None:
    cited = citations()
    # Rules the code has long cited: a scan that finds none of them is broken, not clean.
    assert {"二.1", "二.3", "三(四)", "三(五)", "三(九)", "五"} <= set(cited)
    assert any(place.startswith("services/hukou/rules/") for place in cited["二.1"])


def test_every_clause_id_the_repository_cites_is_a_heading_of_the_reference() -> None:
    headed = set(sections())
    missing = {clause: places[:3] for clause, places in citations().items() if clause not in headed}
    assert missing == {}, f"cited, but not a heading of docs/policy.md: {missing}"


def test_the_reference_holds_every_clause_of_the_measures_once() -> None:
    headings = [h.group(1) for h in HEADING.finditer(POLICY.read_text(encoding="utf-8"))]
    clause_headings = [h for h in headings if h in MEASURES]
    assert sorted(clause_headings) == sorted(MEASURES)
    assert set(sections()) == set(MEASURES)


@pytest.mark.parametrize("clause", MEASURES)
def test_each_clause_quotes_the_chinese_words_it_rests_on(clause: str) -> None:
    quotes = [
        line[2:]
        for line in sections()[clause].splitlines()
        if line.startswith("> ") and CJK.search(line)
    ]
    assert quotes, f"docs/policy.md, {clause}: no quoted Chinese text"
