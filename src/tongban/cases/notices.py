"""The formal notices of a case (文书, B6) as PDF, and their delivery to the applicant.

    回执              receipt     materials received and how each was provided, the limits and
                                  deadlines, a QR code to the tracking page
    受理通知书        acceptance  the acceptance date, legal and promised deadlines, promised
                                  materials (R10)
    补正材料通知书    correction  every material to correct with its audit criteria and the
                                  reason, in one notice (R9), and what happens to the clock (R7)
    不予受理决定书    rejection   reason, legal basis, remedies
    准予许可决定书    approval    opinion, legal basis, days used, remedies
    不予许可决定书    denial      reason, legal basis, remedies

Every notice carries the case number, the department as issuer and the date of the event it
records (receipt, acceptance, the correction request, the decision) — never "today" — and is
rendered in ReportLab's invariant mode: the same case gives the same bytes, whenever and
wherever it is rendered. Figures of the clock are read on that date with `clocks.reading`, the
function behind the API's clock.

`send_notice(case, kind, actor)` is the one line an action adds: after the action's transaction
commits, a job renders the notice and puts it in the applicant's message centre with an SMS
line. The applicant's ID number and phone are masked in the document (nobody needs them there),
and nothing about anyone else is in it: not the officer, not other cases."""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from tongban.core import audit, jobs
from tongban.core.masking import mask_id_number
from tongban.core.pdf import PdfBuilder, chinese_date
from tongban.identity.models import Region, User

from . import clocks
from .constants import Channel, NoticeKind, PromiseOutcome, Provision
from .models import Case, CorrectionRequest
from .pages import NOTICE_KINDS, notice_kinds, unit_words

log = logging.getLogger(__name__)

KINDS = frozenset(k.value for k in NOTICE_KINDS)
REVIEW_DAYS = "六十日"  # 《中华人民共和国行政复议法》第二十条
LITIGATION_TIME = "六个月"  # 《中华人民共和国行政诉讼法》第四十六条
REJECTION_BASIS = "《中华人民共和国行政许可法》第三十二条"
DENIAL_RIGHTS = "《中华人民共和国行政许可法》第三十八条第二款"
CORRECTION_BASIS = "《中华人民共和国行政许可法》第三十二条第一款第（四）项"


class NoticeError(ValueError):
    """A notice of a kind the case does not have (yet): the caller asked for the impossible."""


class NoticePdf(PdfBuilder):
    """The core builder, rendered in ReportLab's invariant mode (fixed creation date and file
    id), so a notice is a pure function of its case."""

    def render(self) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                                bottomMargin=20 * mm, title=self.title, author=self.author, subject=self.subject,
                                creator="通办 一体化在线政务服务平台", invariant=1)
        doc.build(list(self.story), onFirstPage=self._footer, onLaterPages=self._footer)
        return out.getvalue()


# --- what every notice says ----------------------------------------------------------------------

def tracking_url(case: Case) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("cases:track", args=[case.number])


def title_of(case: Case, kind: str) -> str:
    label = NoticeKind(kind).label
    if kind == NoticeKind.CORRECTION:
        request = latest_correction(case)
        if request is not None and request.sequence > 1:
            return f"{label}（第 {request.sequence} 次）"
    return label


def filename_of(case: Case, kind: str) -> str:
    return f"{case.number}-{NoticeKind(kind).label}.pdf"


def latest_correction(case: Case) -> CorrectionRequest | None:
    return case.corrections.order_by("-sequence").first()


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def _subject(case: Case) -> str:
    return case.item.name if case.item_id else case.bundle.name


def _addressee(case: Case) -> str:
    if case.on_behalf_of_id:
        return case.on_behalf_of.name
    return case.applicant.name or "申请人"


def _parties(case: Case) -> list[tuple[str, object]]:
    applicant = case.applicant
    rows: list[tuple[str, object]] = []
    if case.on_behalf_of_id:
        rows.append(("申请单位", f"{case.on_behalf_of.name}（统一社会信用代码 {case.on_behalf_of_id}）"))
        rows.append(("经办人", applicant.name or "—"))
    else:
        who = applicant.name or "—"
        if applicant.id_number:
            who += f"（公民身份号码 {mask_id_number(applicant.id_number)}）"
        rows.append(("申请人", who))
    subject = f"{case.item.name}（事项编码 {case.item.code}）" if case.item_id else \
        f"{case.bundle.name}（一件事 {case.bundle.code}）"
    rows.append(("申请事项", subject))
    rows.append(("办理部门", case.department.name))
    return rows


def _limits(case: Case) -> list[tuple[str, object]]:
    return [("法定办结时限", f"{case.legal_days} {unit_words(case.legal_days_unit)}"),
            ("承诺办结时限", f"{case.promised_days} 个工作日")]


def _deadlines_on(case: Case, day: dt.date) -> tuple[dt.date | None, dt.date | None, dict[str, Any] | None]:
    """(legal, promised, reading) of the clock read on `day`; before acceptance, the deadlines
    the case would have if it were accepted that day."""
    if case.accepted_on is not None and case.accepted_on <= day:
        reading = clocks.reading(case, day)
        return reading["deadline"], reading["promised_deadline"], reading
    legal, promised = clocks.projected_deadlines(case, receipt=day)
    return legal, promised, None


def _date(day: dt.date | None) -> str:
    return chinese_date(day) if day else "—"


def review_body(case: Case) -> str:
    """The administrative review body (行政复议机关) for a department: the people's government of
    its region (行政复议法 2023 第二十四条), a street's department going to its district's."""
    region = case.department.region
    chain: list[Region] = []
    node: Region | None = region
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    levels = [r for r in chain if r.level in (Region.Level.CITY, Region.Level.DISTRICT)]
    if not levels:
        return "本级人民政府"
    return "".join(r.name for r in levels[:2]) + "人民政府"


def _remedies(pdf: PdfBuilder, case: Case) -> None:
    pdf.heading("救济途径")
    pdf.paragraph(f"如不服本决定，可以自收到本决定书之日起{REVIEW_DAYS}内向{review_body(case)}申请行政复议，"
                  f"或者自收到本决定书之日起{LITIGATION_TIME}内依法向人民法院提起行政诉讼。"
                  "（依据：《中华人民共和国行政复议法》第二十条，《中华人民共和国行政诉讼法》第四十六条）")


def _tracking(pdf: PdfBuilder, case: Case) -> None:
    url = tracking_url(case)
    pdf.qr(url, f"扫码或登录通办平台查询办理进度：{url}")


def _item_basis(case: Case) -> str:
    if case.item_version_id:
        basis = (case.item_version.elements or {}).get("basis") or []
        if isinstance(basis, list):
            return "；".join(str(b) for b in basis if b)
        return str(basis)
    return ""


def _criteria(case: Case) -> dict[str, str]:
    """Material name → its audit criteria in the version the case was filed under."""
    if not case.item_version_id:
        return {}
    return dict(case.item_version.materials.values_list("name", "audit_criteria"))


def _provision_note(m: Any) -> str:
    if m.provision == Provision.FETCHED:
        return f"由平台从证照库调取{f'（证照编号 {m.licence_number}）' if m.licence_number else ''}，无需提交"
    if m.provision == Provision.REUSED:
        return "复用您已审核确认的材料，无需再次提交"
    if m.provision == Provision.PROMISED:
        return "容缺受理，按承诺期限补交"
    if m.provision == Provision.MISSING:
        return "尚未提交" if m.required else "视情形提交"
    return "已收到"


# --- the six notices -------------------------------------------------------------------------------

def _receipt(case: Case) -> NoticePdf:
    day = _local_day(case.submitted_at)
    pdf = NoticePdf(NoticeKind.RECEIPT.label, number=f"办件编号：{case.number}", subject=_subject(case))
    pdf.paragraph(f"{_addressee(case)}：")
    pdf.paragraph(f"您提交的“{_subject(case)}”申请已于 {chinese_date(day)} 收到，特出具此回执。"
                  "请妥善保存办件编号，凭此查询办理进度。")
    channel = Channel(case.channel).label + ("（窗口工作人员代为提交）" if case.filed_by_id else "")
    pdf.fields([*_parties(case), ("收件时间", f"{timezone.localtime(case.submitted_at):%Y年%m月%d日 %H:%M}"),
                ("申请渠道", channel)])
    if case.is_bundle_parent:
        children = list(case.children.select_related("item", "department").order_by("number"))
        pdf.heading("一件事所含事项（各部门并联办理）")
        pdf.table(["办件编号", "事项", "办理部门", "法定时限"],
                  [[c.number, c.item.name, c.department.name, f"{c.legal_days} {unit_words(c.legal_days_unit)}"]
                   for c in children], [52 * mm, None, None, 26 * mm])
    else:
        pdf.heading("收到的材料")
        pdf.table(["序号", "材料名称", "提供方式", "说明"],
                  [[i, m.name, Provision(m.provision).label, _provision_note(m)]
                   for i, m in enumerate(case.materials.order_by("position"), start=1)],
                  [12 * mm, None, 28 * mm, None])
        pdf.heading("办理时限")
        accepted = case.accepted_on
        legal, promised, _ = _deadlines_on(case, accepted or day)
        when = (f"自 {chinese_date(accepted)} 受理之日起计算" if accepted
                else "如于收件当日受理，按此期限办结；实际期限以受理通知书为准")
        pdf.fields([*_limits(case), ("法定办结期限", _date(legal)), ("承诺办结期限", _date(promised)),
                    ("说明", f"{when}。时限按国务院公布的工作日计算，补正期间不计入。")])
    pdf.signature(case.department.name, day)
    _tracking(pdf, case)
    return pdf


def _acceptance(case: Case) -> NoticePdf:
    day = case.accepted_on
    if day is None:
        raise NoticeError("办件尚未受理")
    legal, promised, reading = _deadlines_on(case, day)
    pdf = NoticePdf(NoticeKind.ACCEPTANCE.label, number=f"办件编号：{case.number}", subject=_subject(case))
    pdf.paragraph(f"{_addressee(case)}：")
    promise = getattr(case, "promise", None) if hasattr(case, "promise") else None
    tolerant = promise is not None and bool(promise.materials) and promise.due is not None
    pdf.paragraph(f"您于 {chinese_date(_local_day(case.submitted_at))} 提交的“{_subject(case)}”申请，"
                  + ("经审查，主要申请材料齐全、符合法定形式，欠缺的次要材料您已承诺限期补交，本机关决定容缺受理。"
                     if tolerant else "经审查，申请材料齐全、符合法定形式，本机关决定予以受理。"))
    pdf.fields([*_parties(case), ("受理日期", chinese_date(day)), *_limits(case),
                ("法定办结期限", _date(legal)), ("承诺办结期限", _date(promised))])
    if tolerant:
        pdf.heading("容缺受理承诺（R10）")
        pdf.table(["序号", "须补交的材料"], [[i, n] for i, n in enumerate(promise.materials, start=1)],
                  [12 * mm, None])
        pdf.paragraph(f"请于 {chinese_date(promise.due)} 前补交上述材料；逾期未补交的，本办件将"
                      f"{PromiseOutcome(promise.outcome).label}办理。")
    pdf.paragraph("办理时限自受理之次日起按工作日计算；补正材料以及依法不计入时限的专家评审、现场核查、"
                  "听证、公示等环节所需时间不计入办理时限。" + (f"已用 {reading['days_used']} 个工作日。"
                                                              if reading and reading["days_used"] else ""))
    pdf.signature(case.department.name, day)
    _tracking(pdf, case)
    return pdf


def _correction(case: Case) -> NoticePdf:
    request = latest_correction(case)
    if request is None:
        raise NoticeError("办件没有补正通知")
    day = _local_day(request.sent_at)
    pdf = NoticePdf(title_of(case, NoticeKind.CORRECTION), number=f"办件编号：{case.number}",
                    subject=_subject(case))
    pdf.paragraph(f"{_addressee(case)}：")
    pdf.paragraph(f"您于 {chinese_date(_local_day(case.submitted_at))} 提交的“{_subject(case)}”申请，经审查，"
                  f"下列申请材料需要补正。根据{CORRECTION_BASIS}，现将需要补正的全部内容一次性告知如下：")
    pdf.fields([*_parties(case), ("通知日期", chinese_date(day))])
    criteria = _criteria(case)
    pdf.heading("需要补正的材料")
    pdf.table(["序号", "材料名称", "审核要求"],
              [[i, name, criteria.get(name) or "按办事指南要求提供"]
               for i, name in enumerate(request.materials, start=1)], [12 * mm, None, None])
    pdf.fields([("补正理由", request.reason)])
    if request.during_review:
        reading = clocks.reading(case, day)
        pdf.paragraph(f"本办件已受理。自本通知发出之日起，办理时限暂停计算（此前已用 {reading['days_used']} "
                      f"{unit_words(case.legal_days_unit)}），自收到全部补正材料之日起继续计算。")
    else:
        pdf.paragraph("请补正全部材料后重新提交，本机关收到补正材料后审查决定是否受理。")
    pdf.paragraph("本通知已一次性告知需要补正的全部材料（一次性告知，R9），本机关不会要求补正本通知未列明的材料。"
                  + ("本次补正仅涉及第一次补正通知所列材料。" if request.sequence > 1 else "")
                  + "您可登录通办平台，在办件页面直接提交补正材料。")
    pdf.signature(case.department.name, day)
    _tracking(pdf, case)
    return pdf


def _decision(case: Case, kind: str) -> NoticePdf:
    day = _local_day(case.decided_at)
    if day is None:
        raise NoticeError("办件尚未作出决定")
    pdf = NoticePdf(NoticeKind(kind).label, number=f"办件编号：{case.number}", subject=_subject(case))
    pdf.paragraph(f"{_addressee(case)}：")
    submitted = chinese_date(_local_day(case.submitted_at))
    rows = [*_parties(case), ("决定日期", chinese_date(day))]
    if kind == NoticeKind.REJECTION:
        pdf.paragraph(f"您于 {submitted} 提交的“{_subject(case)}”申请，经审查，本机关决定不予受理。")
        pdf.fields([*rows, ("不予受理理由", case.decision_reason or "—"),
                    ("依据", case.decision_basis or REJECTION_BASIS)])
    elif kind == NoticeKind.APPROVAL:
        basis = case.decision_basis or _item_basis(case) or "相关法律、法规"
        used = clocks.reading(case, day)["days_used"]
        pdf.paragraph(f"您于 {submitted} 提交的“{_subject(case)}”申请，经审查，符合法定条件、标准，"
                      "本机关决定准予行政许可。")
        unit = unit_words(case.legal_days_unit)
        pdf.fields([*rows, ("审查意见", case.decision_reason or "符合法定条件、标准，准予许可"), ("依据", basis),
                    ("受理日期", _date(case.accepted_on)),
                    ("办理用时", f"{used} {unit}（法定时限 {case.legal_days} {unit}，"
                                 f"承诺时限 {case.promised_days} 个工作日）")])
        pdf.paragraph("许可证件（电子证照）由本机关依法制作并送达，制作完成后可在通办平台“我的证照”中查看和下载。")
    else:
        basis = case.decision_basis or _item_basis(case) or "相关法律、法规"
        pdf.paragraph(f"您于 {submitted} 提交的“{_subject(case)}”申请，经审查，本机关决定不予行政许可。"
                      f"根据{DENIAL_RIGHTS}，现将理由和您享有的权利告知如下。")
        pdf.fields([*rows, ("不予许可理由", case.decision_reason or "—"), ("依据", basis)])
    _remedies(pdf, case)
    pdf.signature(case.department.name, day)
    _tracking(pdf, case)
    return pdf


def load(case_or_id: Case | int) -> Case:
    """The case with everything a notice reads, fresh from the database."""
    pk = case_or_id.pk if isinstance(case_or_id, Case) else case_or_id
    return (Case.objects.select_related("item", "bundle", "item_version", "region", "applicant", "on_behalf_of",
                                        "department__region__parent__parent")
            .prefetch_related("clock_events").get(pk=pk))


def render_notice(case: Case, kind: str) -> bytes:
    """The notice's PDF. NoticeError when the case has no such notice (yet)."""
    if kind not in KINDS:
        raise NoticeError(f"没有“{kind}”这种文书")
    if kind not in notice_kinds(case):
        raise NoticeError(f"办件 {case.number} 没有{NoticeKind(kind).label}")
    if kind == NoticeKind.RECEIPT:
        return _receipt(case).render()
    if kind == NoticeKind.ACCEPTANCE:
        return _acceptance(case).render()
    if kind == NoticeKind.CORRECTION:
        return _correction(case).render()
    return _decision(case, kind).render()


# --- delivery ----------------------------------------------------------------------------------------

def _sms(case: Case, kind: str) -> str:
    number = case.number
    if kind == NoticeKind.RECEIPT:
        return f"您的“{_subject(case)}”申请已收到，办件编号{number}。"
    if kind == NoticeKind.ACCEPTANCE:
        legal, _, _ = _deadlines_on(case, case.accepted_on)
        return f"您的办件{number}已于{_date(case.accepted_on)}受理，法定办结期限{_date(legal)}。"
    if kind == NoticeKind.CORRECTION:
        return f"您的办件{number}需要补正材料，请查看补正材料通知书并在通办平台提交。"
    if kind == NoticeKind.REJECTION:
        return f"您的办件{number}不予受理，理由和救济途径见决定书。"
    if kind == NoticeKind.APPROVAL:
        return f"您的办件{number}已准予许可。"
    return f"您的办件{number}不予许可，理由和救济途径见决定书。"


def deliver_now(case: Case, kind: str) -> Any:
    """Render the notice and put it in the applicant's message centre (once: a repeat of the
    same notice is not delivered again), with an SMS line. Returns the message, or None."""
    from tongban.identity import actions as identity_actions
    from tongban.identity.models import InboxMessage

    case = load(case)
    title = f"{title_of(case, kind)}（{case.number}）"
    message_kind = f"case.{kind}"
    if InboxMessage.objects.filter(user_id=case.applicant_id, kind=message_kind, title=title).exists():
        return None
    data = render_notice(case, kind)
    return identity_actions.deliver(
        case.applicant, kind=message_kind, title=title,
        body=f"{_sms(case, kind)}请下载附件查看{NoticeKind(kind).label}，或打开办件页面查看办理进度。",
        link=reverse("cases:track", args=[case.number]), attachment=data, attachment_name=filename_of(case, kind),
        enterprise=case.on_behalf_of, sms=_sms(case, kind) + "详见通办消息中心。")


@jobs.job()
def deliver_notice(case_id: int, kind: str, actor_id: int | None = None) -> int | None:
    """The job behind `send_notice`: runs after the action commits (a Celery worker with Redis,
    in-process without). A failure is logged, never undoes the action: the notice stays
    downloadable from the case page."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        if actor is not None and audit.current_context().actor_id is None:
            with audit.acting(audit.context_for_user(actor)):
                message = deliver_now(load(case_id), kind)
        else:
            message = deliver_now(load(case_id), kind)
    except Exception:
        log.exception("办件文书 %s 未能送达（case %s）", kind, case_id)
        return None
    return message.pk if message is not None else None


def send_notice(case: Case, kind: str, actor: User | None = None, *, actor_id: int | None = None) -> None:
    """Deliver the notice `kind` of `case` to the applicant once the current transaction
    commits. One line per action:

        submit → "receipt", accept → "acceptance", request_correction → "correction",
        reject → "rejection", approve → "approval", deny → "denial"."""
    kind = str(kind)
    if kind not in KINDS:
        raise NoticeError(f"没有“{kind}”这种文书")
    jobs.enqueue(deliver_notice, case.pk, kind, actor.pk if actor is not None else actor_id)
