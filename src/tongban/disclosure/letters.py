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
