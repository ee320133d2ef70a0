from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class AnswersIn(Schema):
    answers: dict[str, str] = Field(default_factory=dict, description="问题（文本或问题键）→ 所选选项")


class PublishIn(Schema):
    base_version: int = Field(description="修改所依据的版本号（乐观锁：他人已发布新版本时返回409）")
    effective_date: dt.date
    summary: str = Field(max_length=500)
    changes: dict[str, Any] = Field(description="要修改的标准要素，键见 STANDARD_ELEMENTS")
