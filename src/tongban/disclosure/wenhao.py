"""文号 (document numbers) per GB/T 9704-2012 §7.2.4: issuer's code, the year in 六角括号 〔〕,
the sequence number without 虚位 (no leading zeros) and without 第, then 号 —
`大政发〔2019〕12号`. A malformed number is refused with the correct form shown."""

from __future__ import annotations

import re

VALID = re.compile(r"([\u4e00-\u9fff]{1,15})〔((?:19|20)\d{2})〕([1-9]\d{0,4})号")
LOOSE = re.compile(
    r"\s*([\u4e00-\u9fff]{1,15})\s*([\[〔(（【［{<《〈])\s*(\d{2,4})\s*([\]〕)）】］}>》〉])\s*(第)?\s*(\d{1,5})\s*(号)?\s*"
)


class WenhaoError(ValueError):
    def __init__(self, message: str, suggestion: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


def validate(value: str) -> str:
    """Return the 文号, or raise WenhaoError naming each fault and the correct form."""
    text = (value or "").strip()
    if VALID.fullmatch(text):
        return text
    m = LOOSE.fullmatch(text)
    if not m:
        raise WenhaoError("文号应由发文机关代字、年份和发文顺序号组成，如：大政发〔2019〕12号", None)
    issuer, opening, year, closing, di, seq, hao = m.groups()
    faults = []
    if opening != "〔" or closing != "〕":
        faults.append(f"年份应使用六角括号“〔〕”，不使用“{opening}{closing}”")
    if len(year) != 4:
        faults.append("年份应标全称四位数字")
    if di:
        faults.append("发文顺序号前不加“第”字")
    if seq.startswith("0"):
        faults.append("发文顺序号不编虚位（1不编为01或001）")
    if not hao:
        faults.append("发文顺序号后应加“号”字")
    if int(seq) == 0:
        raise WenhaoError("发文顺序号应从1开始", None)
    full_year = year if len(year) == 4 else ("20" + year[-2:])
    suggestion = f"{issuer}〔{full_year}〕{int(seq)}号"
    raise WenhaoError("；".join(faults or ["格式不符合GB/T 9704"]) + f"。正确写法：{suggestion}", suggestion)
