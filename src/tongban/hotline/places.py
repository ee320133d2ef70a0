"""Places named in a caller's words: the district (by name or common short name), and place
tokens — the two or three characters before a road, street, square, estate … suffix
("解放路", "星海广场", "锦绣小区") — plus numbered things ("3号楼", "5号窗口", "2单元").
Two tickets about one problem name at least one common place token; tickets in different
districts, or naming different numbered things, are different problems."""

from __future__ import annotations

import re

DISTRICTS: dict[str, str] = {
    "中山区": "210202", "西岗": "210203", "沙河口": "210204", "甘井子": "210211",
    "旅顺": "210212",
    "金州": "210213", "普兰店": "210214", "长海": "210224", "瓦房店": "210281", "庄河": "210283",
    "金普新区": "210261", "开发区": "210261", "高新园区": "210262", "高新区": "210262", "长兴岛": "210263",
    "保税区": "210264", "花园口": "210265",
}
SUFFIXES = ("大街", "大道", "广场", "小区", "公园", "花园", "家园", "新城", "市场", "商场", "学校", "小学", "中学",
            "医院", "社区", "街道", "路", "街", "桥", "村", "湾")
STOP = set("的在个那这了和与跟到从是有条段边上下里我家们你他说就都也还又很太")
NUMBERED = re.compile(
    r"([0-9０-９]+|[一二三四五六七八九十两]+)\s*(号楼|号窗口|号门|号线|路公交|路车|栋|单元|号|楼|层|窗口|路)")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def districts(text: str) -> set[str]:
    return {code for name, code in DISTRICTS.items() if name in text}


def place_tokens(text: str) -> set[str]:
    tokens: set[str] = set()
    for suffix in SUFFIXES:
        start = 0
        while (i := text.find(suffix, start)) >= 0:
            start = i + 1
            for width in (2, 3):
                head = text[max(0, i - width):i]
                if len(head) == width and all(_HAN.match(ch) and ch not in STOP for ch in head):
                    tokens.add(head + suffix)
    return tokens


def numbered(text: str) -> set[str]:
    return {f"{n}{unit}" for n, unit in NUMBERED.findall(text)}


def describe(text: str, address: str = "") -> dict:
    whole = f"{address} {text}"
    return {"districts": sorted(districts(whole)), "places": sorted(place_tokens(whole)),
            "numbers": sorted(numbered(whole))}


def same_place(a: dict, b: dict) -> bool | None:
    """True: a common place; False: certainly elsewhere; None: nothing to compare."""
    da, db = set(a.get("districts", [])), set(b.get("districts", []))
    if da and db and not da & db:
        return False
    na, nb = set(a.get("numbers", [])), set(b.get("numbers", []))
    if na and nb and not na & nb:
        return False
    if na & nb:
        return True
    pa, pb = set(a.get("places", [])), set(b.get("places", []))
    if pa and pb:
        return bool(pa & pb)
    return None
