"""Reply quality check (beyond peers): before closure a reply is checked for being too short,
template-only (已收到、正在处理 …), or missing the action the caller asked for (清理, 退还,
维修, 停止施工 … in the request, absent from the reply). Flags go to the centre with the
reason; the centre accepts or sends back, the clock running."""

from __future__ import annotations

import re

MIN_LENGTH = 15
TEMPLATES = ("已收到", "正在处理", "正在办理", "已转相关部门", "会尽快处理", "将尽快处理", "感谢您的来电",
             "感谢您的反映", "我们会", "高度重视", "进一步核实", "请耐心等待", "的结果")
ACTIONS = ("清理", "清运", "退还", "退费", "退款", "维修", "修复", "更换", "停止施工", "拆除", "补发", "发放", "赔偿",
           "整改", "疏通", "恢复")


def check(request: str, reply: str) -> list[str]:
    flags: list[str] = []
    text = reply.strip()
    if len(text) < MIN_LENGTH:
        flags.append(f"答复过短（{len(text)}字，少于{MIN_LENGTH}字）")
    rest = text
    for phrase in TEMPLATES:
        rest = rest.replace(phrase, "")
    if len(re.sub(r"[\W_]", "", rest)) < 6:
        flags.append("答复仅为套话，没有说明办理情况")
    missing = [a for a in ACTIONS if a in request and a not in text]
    if missing:
        flags.append("未回应诉求中要求的：" + "、".join(missing))
    return flags
