"""The Excel export of the statistics (openpyxl): the same figures as the API and the page."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS = [
    ("name", "部门"), ("filed", "申请数"), ("online_rate", "网办率"), ("materials_avoided", "免交材料比例"),
    ("decided", "办结数"), ("days_used", "平均用时（工作日）"), ("days_promised", "平均承诺时限（工作日）"),
    ("time_used_vs_promised", "用时/承诺"), ("reviews.5", "非常满意"), ("reviews.4", "满意"),
    ("reviews.3", "基本满意"), ("reviews.2", "不满意"), ("reviews.1", "非常不满意"),
    ("reviews_excluded", "已剔除评价"), ("bad_review_rate", "差评率"), ("backlog", "积压"), ("overdue", "超期"),
    ("visits_per_case", "每件跑动次数"), ("at_most_one_visit_rate", "最多跑一次率"),
    ("zero_visit_rate", "一次不用跑比例"),
    ("rectification.opened", "差评整改数"), ("rectification.follow_up_rate", "差评回访率"),
    ("rectification.on_time_rate", "按时整改率"), ("rectification.satisfied_again_rate", "回访满意率"),
]


def cell(row: dict[str, Any], key: str) -> Any:
    if "." in key:
        outer, inner = key.split(".", 1)
        return row[outer][inner]
    return row[key]


def workbook(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "各部门统计"
    ws.append([f"统计区间 {data['from']} 至 {data['to']}，区划 {data.get('region_name', data['region'])}"])
    ws.append([label for _, label in COLUMNS])
    for c in ws[2]:
        c.font = Font(bold=True)
    for row in data["departments"]:
        ws.append([cell(row, key) for key, _ in COLUMNS])
    ws.append(["合计", *[cell(data["totals"], key) for key, _ in COLUMNS[1:]]])
    ws.column_dimensions["A"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
