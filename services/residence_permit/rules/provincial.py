"""Guangdong's rules on the floating population the registration and permit rules cite.

Sources, read as published (the search of issue 12):

- 《居住证暂行条例》 (State Council order no. 663, 2015-11-26, in force 2016-01-01), 第二条:
  "公民离开常住户口所在地,到其他城市居住半年以上,符合有合法稳定就业、合法稳定住所、连续就读条件之一
  的,可以依照本条例的规定申领居住证" (full text as reprinted by Foshan's government,
  http://fslgb.foshan.gov.cn/laws/gdszcfg_1/content/post_475631.html).
- 《广东省流动人口服务管理条例》, 第二条: "本条例所称流动人口,是指离开常住户口所在地进入本省和在本省
  行政区域内跨地级以上市居住的人员"; 第四条: "流动人口管理实行居住登记和居住证制度"; 第七条:
  "公安机关负责流动人口的居住登记、居住变更登记和居住证的发放、管理工作" (as reprinted at
  http://tjdiaoyu.com/falvkuai/5336813.html).

Both texts settle the cross-county question: a person registered in one Shaoguan county who
lives in another has not gone to "其他城市", and has not moved "跨地级以上市"; they are no floating
population of Shaoguan, so they are not registered and hold no permit here (see
`is_registered_in_shaoguan`).
"""

from __future__ import annotations

GUANGDONG = "广东省流动人口服务管理条例"
GD_ART_2 = f"{GUANGDONG} 第二条"
GD_ART_4 = f"{GUANGDONG} 第四条"
GD_ART_7 = f"{GUANGDONG} 第七条"

FLOATING_POPULATION = "离开常住户口所在地进入本省和在本省行政区域内跨地级以上市居住的人员"
"""Who the floating population is (广东省流动人口服务管理条例 第二条)."""

SHAOGUAN_PREFIX = "4402"
"""GB/T 2260: Shaoguan (440200) and every county and district in it, present or abolished."""


def is_registered_in_shaoguan(region_code: str) -> bool:
    """Whether a household registration lies in Shaoguan, in any of its counties: such a
    person lives in their own city, not "到其他城市" (居住证暂行条例 第二条), and does not move
    "跨地级以上市" (广东省流动人口服务管理条例 第二条)."""
    return region_code.startswith(SHAOGUAN_PREFIX)
