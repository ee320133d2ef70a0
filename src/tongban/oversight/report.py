"""The monthly supervision report of a region (PDF): figures per department, reviews and their
rectification, open alerts, the 通报-level urgings (督查通报), month on month; the chart is
drawn server-side with matplotlib and the text set in the embedded CJK font of the case
notices (core.pdf), so it renders anywhere."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from tongban.core.errors import FieldError
from tongban.core.pdf import PdfBuilder, font_path

from . import selectors, stats
from .models import Alert

CHART_DEPARTMENTS = 15  # the chart shows the departments with the most reviews; the table shows all


def month_range(month: str | None) -> tuple[dt.date, dt.date]:
    if not month:
        today = timezone.localdate()
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        month = last_month_end.strftime("%Y-%m")
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007 - a month, no time
    except ValueError:
        raise FieldError("month", "月份格式应为 YYYY-MM") from None
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _chart(rows: list[dict]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = font_manager.FontProperties(fname=str(font_path()))
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.35 * len(rows) + 1)), dpi=110)
    names = [r["name"] for r in rows] or ["（无数据）"]
    left = [0] * len(names)
    for level, colour in (("5", "#2da44e"), ("4", "#7ee787"), ("3", "#d4a72c"), ("2", "#fb8f44"), ("1", "#cf222e")):
        values = [r["reviews"][level] for r in rows] or [0]
        ax.barh(names, values, left=left, color=colour, label=level)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(range(len(names)), names, fontproperties=font)
    ax.set_title("各部门评价等级分布（5 非常满意 … 1 非常不满意）", fontproperties=font)
    ax.legend(prop=font, ncol=5, loc="lower right", fontsize=7)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def render(region_code: str, month: str | None) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Image

    first, last = month_range(month)
    region, codes = selectors.public_scope(region_code)
    data = stats.overview(first, last, codes)
    prev_last = first - dt.timedelta(days=1)
    previous = stats.overview(prev_last.replace(day=1), prev_last, codes)["totals"]
    t = data["totals"]
    pdf = PdfBuilder(f"{region.name}政务服务效能监察月报", number=f"{first:%Y年%m月}")
    pdf.heading("一、总体情况").fields([
        ("申请数", f"{t['filed']}（上月 {previous['filed']}）"),
        ("网办率", f"{_pct(t['online_rate'])}（上月 {_pct(previous['online_rate'])}）"),
        ("免交材料比例", f"{_pct(t['materials_avoided'])}（目标 60%）"),
        ("办结数", str(t["decided"])), ("平均用时 / 承诺（工作日）", f"{t['days_used']} / {t['days_promised']}"),
        ("评价数", f"{t['reviews_total']}，差评率 {_pct(t['bad_review_rate'])}"
                   f"（上月 {_pct(previous['bad_review_rate'])}）"),
        ("积压 / 超期", f"{t['backlog']} / {t['overdue']}"),
    ])
    pdf.heading("二、各部门")
    pdf.table(["部门", "申请", "网办率", "办结", "差评率", "积压", "超期"],
              [[d["name"], d["filed"], _pct(d["online_rate"]), d["decided"], _pct(d["bad_review_rate"]), d["backlog"],
                d["overdue"]] for d in data["departments"]])
    busiest = sorted(data["departments"], key=lambda d: -d["reviews_total"])[:CHART_DEPARTMENTS]
    ratio = max(2.5, 0.35 * len(busiest) + 1) / 7
    pdf.story.append(Image(io.BytesIO(_chart(busiest)), width=min(160 * mm, 200 * mm / ratio),
                           height=min(160 * mm * ratio, 200 * mm)))
    alerts = Alert.objects.filter(opened_at__date__gte=first, opened_at__date__lte=last)
    if codes is not None:
        alerts = alerts.filter(region_id__in=codes)
    pdf.heading("三、监察预警")
    pdf.table(["类别", "数量"], [[Alert.Kind(r["kind"]).label, r["n"]]
                                 for r in alerts.values("kind").annotate(n=Count("pk")).order_by("kind")]
              or [["（本月无预警）", 0]])
    _notices(pdf, first, last, codes)
    pdf.signature(f"{region.name}政务服务效能监察", timezone.localdate())
    return pdf.render()


TARGET_WORDS = {"case": "办件", "ticket": "12345 工单"}


def _notices(pdf: PdfBuilder, first: dt.date, last: dt.date, codes: list[str] | None) -> None:
    """The 通报-level urgings of the month (the hotline's urging mechanism: escalated or sent so)."""
    from tongban.hotline import urging_selectors

    rows = [[n["department"], f"{TARGET_WORDS.get(n['target']['kind'], n['target']['kind'])} {n['target']['number']}",
             n["reason"][:120], n["state_label"]] for n in urging_selectors.notices(first, last, codes)]
    pdf.heading("四、督查通报（通报级督办）")
    pdf.table(["部门", "对象", "事由", "回复情况"], rows or [["（本月无通报）", "", "", ""]])


def write_report(region_code: str, month: str | None, output: str | None = None) -> Path:
    first, _ = month_range(month)
    path = Path(output) if output else Path(settings.VAR_DIR) / "reports" / f"oversight-{region_code}-{first:%Y-%m}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(region_code, month))
    return path
