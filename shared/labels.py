"""The words the office's pages use, in Simplified Chinese: the units as the measures name them
(韶府办〔2017〕, 四(一) lists them), each service's part with its clause, and every status.

The console and the family's page read their wording from here, so one service, one status or
one kind of open item is called the same everywhere; a code with no entry shows as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DEPARTMENTS: Mapping[str, str] = MappingProxyType(
    {
        "public_security": "市公安局",
        "housing": "市住建管理局",
        "human_resources": "市人社局",
        "education": "市教育局",
        "civil_affairs": "市民政局",
        "coordination": "落户工作协调机制(市公安局牵头)",
        "finance": "市财政局",
        "natural_resources": "市国土资源局",
        "statistics": "市统计局",
        "agriculture": "市农业局",
        "audit": "市审计局",
    }
)
"""Each department code's unit, as the measures name it (四(一))."""

SERVICES: Mapping[str, str] = MappingProxyType(
    {
        "hukou": "落户审批",
        "housing": "住房保障",
        "medical_insurance": "基本医疗保险",
        "pension": "养老保险",
        "education": "子女就学",
        "residence_permit": "居住证",
        "civil_affairs": "最低生活保障",
        "coordination": "协调督办",
    }
)
"""Each service's part of a settlement, in a few characters."""

CLAUSES: Mapping[str, str] = MappingProxyType(
    {
        "hukou": "二",
        "housing": "三(五)",
        "medical_insurance": "三(六)",
        "pension": "三(七)",
        "education": "三(八)",
        "residence_permit": "三(九)",
        "civil_affairs": "三(七)",
        "coordination": "四(三)",
    }
)
"""The clause of the measures each service's part follows."""

STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "settled": "已全部办结",
        "done": "已办结",
        "action_needed": "待补办",
        "failed": "办理失败",
        "awaiting": "待受理",
        "pending": "待受理",
    }
)
"""A family's overall status and each department's, as the pages show them."""

ITEM_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "information": "需补充材料",
        "parameter": "待部门确定本地参数",
        "confirmation": "待迁出地确认",
    }
)
"""What an open item waits for."""


def department(code: str) -> str:
    return DEPARTMENTS.get(code, code)


def service(name: str) -> str:
    return SERVICES.get(name, name)


def status(code: str | None) -> str:
    return STATUSES.get(code or "awaiting", code or "")


def item_kind(kind: str) -> str:
    return ITEM_KINDS.get(kind, kind)
