"""The formal notices (B6) as PDF: what each says (case number, department as issuer, date,
deadlines, the materials and their provision, the correction list (R9), reasons, bases and
remedies), that the Chinese font is embedded, that a notice is a pure function of its case, and
delivery to the applicant's message centre with an SMS line."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases import actions, clocks, notices
from tongban.cases.models import Case
from tongban.core.calendar import add_working_days
from tongban.core.masking import mask_id_number
from tongban.core.pdf import chinese_date
from tongban.identity.models import InboxMessage, SmsMessage

from .helpers import embedded_fonts, file_case, pdf_text

pytestmark = pytest.mark.django_db

HEALTH = "大连市卫生健康委员会"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(cast, catalog):
    return file_case(cast.citizen, materials=["医师资格证书"])


def render(case, kind):
    return notices.render_notice(notices.load(case), kind)


def test_receipt_lists_materials_with_provision_deadlines_and_issuer(case, cast):
    data = render(case, "receipt")
    text = pdf_text(data)
    day = timezone.localdate()
    legal, promised = clocks.projected_deadlines(case, receipt=day)
    assert "申请回执" in text and case.number in text
    assert HEALTH in text and chinese_date(day) in text
    assert chinese_date(legal) in text and chinese_date(promised) in text  # R5 deadlines, if accepted today
    assert "医师资格证书" in text and "申请人提交" in text
    for m in case.materials.all():
        assert m.name[:6] in text
    assert "平台调取" in text or "未提交" in text  # every material says how it reached the case (R12)
    assert mask_id_number(cast.citizen.id_number) in text and cast.citizen.id_number not in text  # R4
    assert any("NotoSansSC" in name for name in embedded_fonts(data))


def test_acceptance_notice_carries_the_clock_deadlines(case, health_officer):
    actions.accept(health_officer, case)
    text = pdf_text(render(case, "acceptance"))
    today = timezone.localdate()
    assert "受理通知书" in text and case.number in text and HEALTH in text
    assert chinese_date(add_working_days(today, 20)) in text  # R5: day 1 is the next working day
    assert chinese_date(add_working_days(today, 3)) in text
    assert chinese_date(today) in text


def test_R9_correction_notice_lists_every_material_and_the_reason_once(case, health_officer):
    actions.accept(health_officer, case)
    names = [m.name for m in case.materials.filter(source="applicant")][:2]
    assert len(names) == 2
    actions.request_correction(health_officer, case, materials=names, reason="复印件不清晰，体检证明超过6个月")
    text = pdf_text(render(case, "correction"))
    assert "补正材料通知书" in text and case.number in text and HEALTH in text
    for name in names:
        assert name[:8] in text
    assert "复印件不清晰" in text
    assert "复印件与原件一致" in text.replace("\n", "")  # each material's audit criteria from the version filed under
    assert "一次性告知" in text and "暂停" in text  # R7: the clock stops while correcting
    actions.submit_correction(case.applicant, case, materials=[])
    actions.request_correction(health_officer, case, materials=names[:1], reason="仍不清晰")
    second = pdf_text(render(case, "correction"))
    assert "第 2 次" in second and "仍不清晰" in second and names[1][:8] not in second


def test_rejection_names_reason_basis_and_remedies_with_time_limits(case, health_officer):
    actions.reject(health_officer, case, reason="不属于本部门职权范围",
                   basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项")
    text = pdf_text(render(case, "rejection"))
    assert "不予受理决定书" in text and case.number in text and HEALTH in text
    assert "不属于本部门职权范围" in text and "第三十二条第一款" in text
    assert "行政复议" in text and "六十日" in text and "大连市人民政府" in text
    assert "行政诉讼" in text and "六个月" in text


def test_approval_and_denial_decisions(case, cast, health_officer):
    actions.accept(health_officer, case)
    actions.approve(health_officer, case, reason="经审查，符合法定条件")
    text = pdf_text(render(case, "approval"))
    assert "准予许可决定书" in text and case.number in text and HEALTH in text
    assert "符合法定条件" in text and "依据" in text and "行政复议" in text
    assert chinese_date(timezone.localdate()) in text

    other = file_case(cast.citizen)
    actions.accept(health_officer, other)
    actions.deny(health_officer, other, reason="申请人不具备执业条件", basis="《医师执业注册管理办法》第六条")
    text = pdf_text(render(other, "denial"))
    assert "不予许可决定书" in text and other.number in text
    assert "申请人不具备执业条件" in text and "第六条" in text and "行政诉讼" in text and "六个月" in text


def test_a_notice_the_case_does_not_have_is_refused(case):
    for kind in ("acceptance", "correction", "rejection", "approval", "denial", "nonsense"):
        with pytest.raises(notices.NoticeError):
            render(case, kind)


def test_notices_are_deterministic_whenever_they_are_rendered(case, health_officer, monkeypatch):
    actions.accept(health_officer, case)
    first = {k: render(case, k) for k in ("receipt", "acceptance")}
    later = timezone.now() + dt.timedelta(days=9)
    monkeypatch.setattr(timezone, "now", lambda: later)  # nine days on: same documents, byte for byte
    assert {k: render(case, k) for k in ("receipt", "acceptance")} == first


def test_bundle_receipt_lists_each_department(cast, catalog):
    parent = actions.submit(cast.agent, bundle="YJS-001", region="210202", on_behalf_of=cast.enterprise.uscc,
                            form={"enterprise.name": cast.enterprise.name})
    text = pdf_text(render(parent, "receipt"))
    assert parent.number in text and cast.enterprise.name in text
    for child in Case.objects.filter(parent=parent):
        assert child.number in text


def test_send_notice_delivers_after_commit_once_with_an_sms_line(case, cast, health_officer,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept(health_officer, case)
        notices.send_notice(case, "acceptance", health_officer)
        assert not InboxMessage.objects.filter(user=cast.citizen).exists()  # nothing before the commit
    message = InboxMessage.objects.get(user=cast.citizen, kind="case.acceptance")
    assert case.number in message.title and message.attachment and message.link == f"/cases/{case.number}/"
    sms = SmsMessage.objects.get(phone=cast.citizen.phone)
    assert case.number in sms.text and "受理" in sms.text
    assert cast.citizen.id_number not in sms.text + message.body  # R4: nothing personal travels by SMS
    with django_capture_on_commit_callbacks(execute=True):
        notices.send_notice(case, "acceptance", health_officer)  # a repeated job delivers nothing new
    assert InboxMessage.objects.filter(user=cast.citizen, kind="case.acceptance").count() == 1
    assert not InboxMessage.objects.exclude(user=cast.citizen).exists()  # nobody else hears of it


def test_send_notice_refuses_an_unknown_kind(case):
    with pytest.raises(notices.NoticeError):
        notices.send_notice(case, "licence")
