"""Letters to the requester: the reply letter PDF (政府信息公开申请答复书, core's PDF toolkit)
and notices in the message centre."""

from __future__ import annotations

from tongban.core.pdf import PdfBuilder, chinese_date

from .constants import REASONS, Delivery, ReplyType, RequesterType
from .models import DisclosureRequest


def reply_letter(req: DisclosureRequest) -> bytes:
    reply = ReplyType(req.reply_type)
    reason = REASONS.get(req.reply_type, {}).get(req.reply_reason, "")
    pdf = PdfBuilder("政府信息公开申请答复书", number=req.number, author=req.department.name)
    pdf.paragraph(f"{req.requester_name}：")
    pdf.paragraph(
        f"本机关于{chinese_date(req.received_on)}收到您（单位）提出的政府信息公开申请，"
        f"现根据《中华人民共和国政府信息公开条例》答复如下："
    )
    pdf.fields(
        [
            ("申请人类型", RequesterType(req.requester_type).label),
            ("所需信息", req.content[:500]),
            ("获取方式", Delivery(req.delivery).label),
            ("答复类型", reply.label),
        ]
        + ([("理由", reason)] if reason else [])
    )
    pdf.paragraph(req.reply_text)
    pdf.paragraph("如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。")
    pdf.signature(req.department.name, req.replied_on)
    return pdf.render()


def annual_report_pdf(report: dict) -> bytes:
    """The annual report (R18) as a PDF in the template's order: (一) to (六), tables (二)–(四)
    with the same figures as the page and the JSON (`views.annual_report` builds `report`)."""
    year = report["year"]
    pdf = PdfBuilder(f"{year}年政府信息公开工作年度报告", number="国办公开办函〔2021〕30号格式")
    pdf.heading("一、总体情况").paragraph(report["overview"])
    pdf.heading("二、主动公开政府信息情况")
    pdf.table(
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "来源"],
        [[name, r["made"], r["repealed"], r["in_force"], r["source"]] for name, r in report["proactive"].items()],
    )
    decisions = report["decisions"].items()
    pdf.table(["信息内容", "本年处理决定数量", "来源"], [[k, v["count"], v["source"]] for k, v in decisions])
    pdf.heading("三、收到和处理政府信息公开申请情况")
    pdf.table(["", *report["columns"], "总计"], [[name, *values] for name, values in report["request_rows"]])
    pdf.heading("四、政府信息公开行政复议、行政诉讼情况")
    outcomes = ("维持", "纠正", "其他结果", "尚未审结", "总计")
    review = report["review"].items()
    pdf.table(["", *outcomes, "来源"], [[k, *(v[o] for o in outcomes), v["source"]] for k, v in review])
    pdf.heading("五、存在的主要问题及改进情况").paragraph(report["problems"])
    pdf.heading("六、其他需要报告的事项").paragraph(report["others"])
    return pdf.render()


def tell_requester(req: DisclosureRequest, title: str, body: str, *, attach: bool = False) -> None:
    from tongban.identity import actions as identity_actions

    identity_actions.deliver(
        req.requester,
        kind="disclosure.request",
        title=title,
        body=body,
        link=f"/disclosure/requests/{req.number}/",
        attachment=bytes(req.reply_pdf) if attach and req.reply_pdf else None,
        attachment_name=f"答复书-{req.number}.pdf" if attach else "",
        sms=body[:120],
    )
