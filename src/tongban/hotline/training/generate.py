# ruff: noqa: E501 — data tables of phrases and places
"""Seeded generator of synthetic, labelled 12345 tickets (`python -m tongban.hotline.training.generate`).

Each example is a caller's words: a category frame (投诉, 求助, 举报, 咨询, 建议, 表扬; each frame
is one *template group*, the unit of the held-out split), a problem, question, suggestion or
praised person of one subject leaf (`phrases.py`), Dalian places (district, street, 小区,
landmark), seasons, colloquial fillers and Dalian speech (贼, 咋, 啥), typos, and sometimes a
second problem of another subject in the same call (the label stays with the first).
The output is committed as `tickets.jsonl` next to this file; the same seed gives the same file.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from ..taxonomy import BY_CODE
from .phrases import P

OUTPUT = Path(__file__).resolve().parent / "tickets.jsonl"
SEED = 12345
COUNT = 5000

PLACES: dict[str, list[str]] = {
    "中山区": ["解放路", "人民路", "天津街", "五五路", "友好广场", "青泥洼桥", "桃源街", "港湾街", "海军广场", "东港",
            "长江路", "鲁迅路", "七七街"],
    "西岗区": ["黄河路", "八一路", "新开路", "长春路", "北京街", "人民广场", "白云山", "香炉礁", "西安路口", "胜利路"],
    "沙河口区": ["西南路", "西安路", "中山路", "马栏广场", "星海广场", "黑石礁", "春柳街", "兴工街", "五四路", "太原街"],
    "甘井子区": ["华北路", "泉水", "椒金山", "红旗西路", "华南广场", "机场前", "革镇堡", "南关岭", "山东路", "周水子"],
    "金州区": ["斯大林路", "五一路", "友谊街道", "金马路", "站前街道", "红梅小区"],
    "旅顺口区": ["登峰街道", "水师营", "长城街道", "太阳沟"],
    "高新园区": ["黄浦路", "七贤岭", "软件园路", "凌水"],
    "普兰店区": ["丰荣街道", "铁西街道"],
    "瓦房店市": ["共济街道", "岗店街道"],
    "庄河市": ["城关街道", "昌盛街道"],
}
ESTATES = ["春柳小区", "锦绣小区", "华润海中国", "万科城", "保利星海湾", "泉水K区", "红旗小区", "幸福家园", "兴工小区",
           "海昌新城", "中南锦苑", "和平现代城", "金地城", "绿城春江明月", "五一小区", "福佳新天地", "山水人家",
           "华北小区", "鞍山路小区", "椒金山小区"]
SPOTS = ["菜市场旁边", "学校门口", "地铁站出口", "公交站附近", "路口", "十字路口", "商场门口", "公园边上", "楼下", "小区门口",
         "大润发旁边", "医院对面"]

OPENERS = ["", "", "", "喂，你好，", "你好，", "你好，我想反映个事儿，", "那个，", "我跟你说啊，", "您好，我是附近的居民，",
           "我是{estate}的业主，", "我住{district}，", "我想说个事，就是"]
CLOSERS = ["", "", "", "谢谢", "谢谢了", "麻烦你们了", "辛苦了", "尽快给个答复", "等你们回话"]
WHEN = ["", "", "", "这几天", "最近", "已经好几个月了，", "从上个月开始", "天天", "每天晚上", "一到周末就"]
SEASON = {"summer": ["天这么热，", "夏天想开窗户都不行，", "大热天的，"],
          "winter": ["这么冷的天，", "入冬以后，", "这两天降温了，", "零下十几度，"]}
SUMMER = {"noise-construction", "noise-commercial", "cooking-fumes", "neighbour-noise", "garbage", "street-vending"}
WINTER = {"heating-cold", "heating-fee", "heating-leak", "gas"}
IMPACT = ["严重影响休息", "老人孩子都受不了", "找过好几次都没人管", "打过好几次电话了也没用", "太闹心了", "大家意见都很大",
          "孩子要高考了，实在受不了", "一直没人处理"]

# category → list of frames; a frame's index is its template group (`<category>-<n>`)
FRAMES: dict[str, list[str]] = {
    "投诉": [
        "{opener}{place}{when}{problem}，{impact}，希望有关部门管一管",
        "我要投诉，{place}{problem}，{when}都没人管",
        "{place}{problem}，{impact}，你们到底管不管",
        "{opener}反映一下{place}的问题，{problem}，请尽快处理",
        "{season}{place}{problem}，{impact}",
        "{problem}，就在{place}，{impact}，能不能派人来看看",
        "投诉{place}，{problem}，要求严肃处理",
        "{opener}{place}{problem}，已经反映过了还是这样，太不像话了",
        "{place}这边{problem}，{impact}，赶紧给解决一下吧",
        "{opener}{problem}，{place}，{impact}，麻烦落实一下",
    ],
    "求助": [
        "{opener}{place}{problem}，我们实在没办法了，求你们帮帮忙",
        "求助，{problem}，{hardship}，该怎么办啊",
        "{problem}，{hardship}，请政府帮我们想想办法",
        "{opener}我遇到点难事，{problem}，{hardship}",
        "{place}{problem}，{hardship}，能不能帮帮我们",
        "请帮帮忙，{season}{problem}，{hardship}",
        "{opener}{problem}，{hardship}，不知道找谁了",
        "{place}{problem}，怕出事，能不能赶紧派人来",
        "{opener}{problem}，找不到人管，{hardship}",
        "{problem}，我该找谁帮忙",
    ],
    "举报": [
        "举报{place}{problem}",
        "我要举报，{place}{problem}，希望依法查处",
        "实名举报：{place}{problem}，请相关部门调查",
        "{opener}匿名举报一下，{place}{problem}",
        "举报一个情况，{problem}，地点在{place}",
        "{opener}我举报{place}{problem}，证据我都拍下来了",
        "有人违法，{place}{problem}，我要举报，请查处",
        "{place}有人{problem}，这是违法的吧，你们查一查",
    ],
    "咨询": [
        "请问{question}？",
        "{opener}我想咨询一下，{question}？",
        "问一下{question}",
        "{opener}{question}？谢谢",
        "咨询：{question}？",
        "{opener}想了解一下{question}，麻烦告诉我",
        "你好，请问一下{question}，在哪能查到",
        "{question}？我在网上没查到",
    ],
    "建议": [
        "建议{suggestion}",
        "{opener}我有个建议，{suggestion}",
        "能不能{suggestion}，{reason}",
        "建议{place}{suggestion}，{reason}",
        "{opener}提个建议：{suggestion}",
        "希望政府考虑一下，{suggestion}，{reason}",
        "我觉得应该{suggestion}",
        "能不能考虑{suggestion}，{reason}",
        "{opener}希望{suggestion}，{reason}",
    ],
    "表扬": [
        "感谢{place}{praised}，{praise}",
        "我要表扬{praised}，{praise}",
        "{opener}特别感谢{praised}，{praise}，给你们点赞",
        "表扬一下{place}的{praised}，{praise}",
        "{praised}{praise}，真心感谢",
        "{opener}打电话就是想说声谢谢，{praised}{praise}",
        "点赞{praised}！{praise}",
        "给{place}的{praised}点个赞，{praise}",
        "谢谢{praised}，{praise}，辛苦了",
    ],
}
HARDSHIP = ["过年都回不了家", "一家老小等着这钱过日子", "老人孩子都冻病了", "家里还有病人，急死了", "实在是没辙了",
            "房租都交不上了", "跑了好多地方都没人管", "我一个老太太不知道咋办"]
REASON = ["现在太不方便了", "大家都有这个需求", "这样老百姓能少跑腿", "很多居民都这么想", "走路太远了"]
PRAISE = ["帮我一次就办下来了", "态度特别好", "大半夜还来帮我们处理", "很有耐心地给我讲政策", "问题当天就解决了",
          "帮我们把难事办成了", "服务特别周到"]
# The categories a subject's calls usually take (others are possible): weights of the six frames.
LEANS = {
    "求助": {"wage-arrears", "social-assistance", "heating-leak", "water-supply", "elderly-care", "legal-aid", "disability",
           "veterans", "medical-insurance", "employment"},
    "举报": {"food-safety", "unlicensed", "tobacco", "illegal-building", "industrial-pollution", "public-security",
           "work-safety", "land-use", "fire-hazard", "price"},
}
TYPOS = {"的": "得", "在": "再", "已经": "以经", "噪音": "燥音", "暖气": "暖器", "物业": "物叶", "垃圾": "拉圾",
         "反映": "反应", "投诉": "头诉", "工资": "工钱", "特别": "贼", "什么": "啥", "怎么": "咋", "非常": "老",
         "没有": "没", "现在": "现再", "处理": "处里", "小区": "小曲"}


def _place(rng: random.Random) -> tuple[str, str]:
    district = rng.choice(list(PLACES))
    street = rng.choice(PLACES[district])
    shape = rng.random()
    if shape < 0.18:
        return "", district
    if shape < 0.4:
        return f"{district}{street}", district
    if shape < 0.55:
        return f"{district}{rng.choice(ESTATES)}", district
    if shape < 0.7:
        return f"{street}{rng.choice(SPOTS)}", district
    if shape < 0.85:
        return f"{rng.choice(ESTATES)}", district
    return f"{district}{street}{rng.choice(SPOTS)}", district


def _category(rng: random.Random, code: str, leaf: tuple) -> str:
    problems, questions, suggestions, praised = leaf
    weights = {"投诉": 4.0, "求助": 1.2, "举报": 1.0, "咨询": 2.0 if questions else 0, "建议": 1.0 if suggestions else 0,
               "表扬": 0.6 if praised else 0}
    for category, codes in LEANS.items():
        if code in codes:
            weights[category] += 3.0
    if not problems:
        weights.update({"投诉": 0, "求助": 0, "举报": 0})
    names = list(weights)
    return rng.choices(names, [weights[n] for n in names])[0]


def _noisy(rng: random.Random, text: str) -> str:
    for right, wrong in TYPOS.items():
        if right in text and rng.random() < 0.12:
            text = text.replace(right, wrong, 1)
    if rng.random() < 0.1:
        text = text.replace("，", " ").replace("。", "")
    return text


def example(rng: random.Random, codes: list[str]) -> dict:
    code = rng.choice(codes)
    leaf = P[code]
    problems, questions, suggestions, praised = leaf
    category = _category(rng, code, leaf)
    index = rng.randrange(len(FRAMES[category]))
    frame = FRAMES[category][index]
    place, district = _place(rng)
    season = ""
    if code in SUMMER and rng.random() < 0.4:
        season = rng.choice(SEASON["summer"])
    elif code in WINTER and rng.random() < 0.5:
        season = rng.choice(SEASON["winter"])
    problem = rng.choice(problems) if problems else ""
    if problem and rng.random() < 0.15:  # two problems in one call
        other = rng.choice([c for c in codes if c != code and P[c][0]])
        problem += rng.choice(["，还有就是", "。另外", "，顺便说一下，"]) + rng.choice(P[other][0])
    slots = {
        "opener": rng.choice(OPENERS).format(estate=rng.choice(ESTATES), district=district),
        "place": place, "when": rng.choice(WHEN), "season": season, "problem": problem,
        "impact": rng.choice(IMPACT), "hardship": rng.choice(HARDSHIP), "reason": rng.choice(REASON),
        "question": rng.choice(questions) if questions else "", "suggestion": rng.choice(suggestions) if suggestions else "",
        "praised": rng.choice(praised) if praised else "", "praise": rng.choice(PRAISE),
    }
    closer = rng.choice(CLOSERS)
    text = frame.format(**slots) + (f"，{closer}" if closer else "")
    while "，，" in text:
        text = text.replace("，，", "，")
    text = text.replace("的问题", "的问题" if place else "个问题")
    return {"text": _noisy(rng, text), "category": category, "subject": code, "kind": BY_CODE[code].kind,
            "group": f"{category}-{index}"}


def generate(count: int = COUNT, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    codes = sorted(P)
    return [example(rng, codes) for _ in range(count)]


def write(path: Path = OUTPUT, count: int = COUNT, seed: int = SEED) -> int:
    rows = generate(count, seed)
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def load(path: Path = OUTPUT) -> list[dict]:
    with path.open(encoding="utf-8") as rows:
        return [json.loads(line) for line in rows if line.strip()]


if __name__ == "__main__":  # pragma: no cover
    print(write(), "examples →", OUTPUT)
