"""The disclosure site as Wagtail pages: directory columns, 文号 per GB/T 9704, R20 consultation
days, feedback report only when every opinion is answered, the privacy gate (R21), R13, the
public documents and consultations API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tongban.core.calendar import add_working_days
from tongban.core.errors import Conflict, FieldError
from tongban.disclosure import page_actions, wenhao
from tongban.disclosure.constants import DIRECTORY
from tongban.disclosure.models import ColumnPage, ConsultationPage, PolicyDocumentPage


def _column(site, slug):
    return ColumnPage.objects.child_of(site).get(slug=slug)


def _doc(**fields):
    values = {"title": "关于优化营商环境的通知", "document_number": "大政发〔2019〕12号", "body": "<p>正文</p>"}
    values.update(fields)
    return PolicyDocumentPage(**values)


def test_creating_a_site_creates_the_standard_directory(site):
    titles = set(ColumnPage.objects.descendant_of(site).values_list("title", flat=True))
    expected = {t for _, t, _ in DIRECTORY} | {c for _, _, children in DIRECTORY for _, c in children}
    assert expected <= titles and {"政策文件", "依申请公开", "年度报告", "三公经费"} <= titles
    assert page_actions.ensure_directory(site) == []  # idempotent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("大政发[2019]12号", "大政发〔2019〕12号"),
        ("大政发(2019)12号", "大政发〔2019〕12号"),
        ("大政发〔2019〕012号", "大政发〔2019〕12号"),
        ("大政发〔2019〕第12号", "大政发〔2019〕12号"),
    ],
)
def test_wenhao_malformed_is_refused_with_the_correct_form(value, shown):
    with pytest.raises(wenhao.WenhaoError) as e:
        wenhao.validate(value)
    assert shown in e.value.message


def test_wenhao_on_the_page_names_the_field(site):
    with pytest.raises(FieldError) as e:
        page_actions.add_page(_column(site, "zcwj"), _doc(document_number="大政发[2019]12号"))
    assert e.value.errors[0][0] == "document_number" and "〔2019〕" in e.value.errors[0][1]
    page = page_actions.add_page(_column(site, "zcwj"), _doc())
    assert page.live and page.document_number == "大政发〔2019〕12号"


def test_expiry_before_effective_is_refused(site):
    with pytest.raises(FieldError) as e:
        page_actions.add_page(
            _column(site, "zcwj"), _doc(effective_on=dt.date(2024, 5, 1), expires_on=dt.date(2024, 4, 1))
        )
    assert e.value.errors[0][0] == "expires_on"


def test_R21_publication_blocked_by_findings_until_redacted_or_reason_recorded(site, cast):
    from tongban.core import privacy

    text = "当事人张某某，身份证号码210203198001011234的补贴已发放至银行卡6222021234567890128。"
    with pytest.raises(FieldError) as e:
        page_actions.add_page(_column(site, "zcwj"), _doc(body=f"<p>{text}</p>"))
    assert e.value.errors[0][0] == "privacy_reason" and "银行卡号" in e.value.errors[0][1]
    draft = page_actions.add_page(_column(site, "zcwj"), _doc(body=f"<p>{text}</p>", live=False))
    assert not draft.live
    with pytest.raises(FieldError):
        page_actions.publish(cast.editor, draft)
    draft.body = f"<p>{privacy.redact(text)}</p>"
    published = page_actions.publish(cast.editor, draft)
    assert published.live and "第十五条" in published.body
    kept = page_actions.add_page(_column(site, "zcwj"), _doc(title="行政处罚决定书", body=f"<p>{text}</p>", live=False))
    page_actions.record_privacy_reason(cast.officer_a, kept, "行政处罚决定依法公开（法定公开事项）")
    kept.refresh_from_db()
    assert page_actions.publish(cast.officer_a, kept).live


def test_R13_due_20_working_days_after_forming_and_late_counted(site):
    formed = dt.date(2026, 3, 2)
    page = page_actions.add_page(_column(site, "zcwj"), _doc(formed_on=formed, published_on=dt.date(2026, 4, 30)))
    assert page.due_on == add_working_days(formed, 20) and page.published_late


def _consultation(**fields):
    today = timezone.localdate()
    values = {
        "title": "征求意见",
        "draft": "<p>草案</p>",
        "opens_on": today - dt.timedelta(days=1),
        "closes_on": today + dt.timedelta(days=20),
    }
    values.update(fields)
    return ConsultationPage(**values)


def test_R20_consultation_minimum_days(site):
    column = _column(site, "yjzj")
    today = timezone.localdate()
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _consultation(closes_on=today + dt.timedelta(days=10)))
    assert e.value.errors[0][0] == "closes_on" and "15" in e.value.errors[0][1]
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _consultation(concerns_enterprises=True))
    assert "30" in e.value.errors[0][1]
    assert page_actions.add_page(column, _consultation(slug="ok-15", closes_on=today + dt.timedelta(days=14)))


def test_feedback_report_blocked_until_every_opinion_is_answered(site, cast, clients, post):
    page = page_actions.add_page(_column(site, "yjzj"), _consultation())
    r = post(clients.citizen, f"/api/disclosure/consultations/{page.pk}/comments", {"text": "<b>建议</b>延长办理时间"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    assert (
        post(clients.anonymous, f"/api/disclosure/consultations/{page.pk}/comments", {"text": "x"}).status_code == 401
    )
    comment_id = r.json()["id"]
    with pytest.raises(Conflict):
        page_actions.publish_feedback(cast.editor, page, "你说我做")
    page_actions.moderate(cast.editor, comment_id, "approved")
    with pytest.raises(Conflict):
        page_actions.publish_feedback(cast.editor, page, "你说我做")
    page_actions.answer(cast.editor, comment_id, "partly", "部分采纳：办理时限已缩短")
    page_actions.publish_feedback(cast.editor, page, "你说我做：共收到意见1条，部分采纳1条")
    detail = clients.anonymous.get(f"/api/disclosure/consultations/{page.pk}").json()
    assert detail["feedback_report"] and detail["comments"][0]["text"] == "建议延长办理时间"


def test_comment_on_closed_consultation_is_409(site, clients, post):
    today = timezone.localdate()
    page = page_actions.add_page(
        _column(site, "yjzj"),
        _consultation(opens_on=today - dt.timedelta(days=40), closes_on=today - dt.timedelta(days=20)),
    )
    assert (
        post(clients.citizen, f"/api/disclosure/consultations/{page.pk}/comments", {"text": "晚了"}).status_code == 409
    )
    assert clients.anonymous.get("/api/disclosure/consultations?state=closed").json()["count"] == 1


def test_documents_api_search(site, clients):
    column = _column(site, "zcwj")
    page_actions.add_page(
        column, _doc(slug="a", issuer_name="大连市人民政府", topics="营商环境", published_on=dt.date(2019, 5, 1))
    )
    page_actions.add_page(
        column,
        _doc(
            slug="b",
            title="关于加强安全生产工作的意见",
            document_number="大政办发〔2023〕5号",
            validity="repealed",
            published_on=dt.date(2023, 2, 1),
            body="<p>危险化学品</p>",
        ),
    )
    get = clients.anonymous.get
    assert get("/api/disclosure/documents").json()["count"] == 2
    assert get("/api/disclosure/documents?document_number=大政发〔2019〕12号").json()["count"] == 1
    assert get("/api/disclosure/documents?year=2023").json()["items"][0]["document_number"] == "大政办发〔2023〕5号"
    assert get("/api/disclosure/documents?validity=repealed").json()["count"] == 1
    assert get("/api/disclosure/documents?topic=营商").json()["count"] == 1
    assert get("/api/disclosure/documents?q=危险化学品").json()["count"] == 1
    assert get("/api/disclosure/documents?site=gk-test&issuer=人民政府").json()["count"] == 1
    first = get("/api/disclosure/documents").json()["items"][0]["id"]
    assert get(f"/api/disclosure/documents/{first}").status_code == 200
    assert get("/api/disclosure/documents/999999").status_code == 404


def test_page_validation_rejects_direct_save_too(site):
    page = _doc(document_number="大政发(2019)12号")
    with pytest.raises(ValidationError):
        _column(site, "zcwj").add_child(instance=page)


def test_R21_admin_publish_button_shows_the_findings(site, cast):
    from django.http import QueryDict

    page = page_actions.add_page(_column(site, "zcwj"), _doc(live=False))
    form_class = PolicyDocumentPage.get_edit_handler().get_form_class()
    data = QueryDict(mutable=True)
    data.update(
        {
            "title": page.title,
            "slug": page.slug,
            "document_number": "大政发〔2019〕12号",
            "validity": "valid",
            "body": '{"blocks": [{"key": "a", "type": "unstyled", "depth": 0, "text": "联系电话13912345678",'
            ' "inlineStyleRanges": [], "entityRanges": []}], "entityMap": {}}',
            "topics": "",
            "index_number": "",
            "issuer_name": "",
            "privacy_reason": "",
        }
    )
    form = form_class(data, instance=page, parent_page=page.get_parent(), for_user=cast.admin)
    assert form.is_valid()  # saving a draft is fine
    data["action-publish"] = "1"
    form = form_class(data, instance=page, parent_page=page.get_parent(), for_user=cast.admin)
    assert not form.is_valid() and "个人电话号码" in str(form.errors)


def _document(name, data):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    return Document.objects.create(title=name, file=ContentFile(data, name=name))


def test_R21_attachments_pass_the_gate_too(site, settings, tmp_path):
    import io

    import docx
    from pypdf import PdfWriter

    from tongban.core.pdf import PdfBuilder

    settings.MEDIA_ROOT = str(tmp_path)
    column = _column(site, "zcwj")
    word = docx.Document()
    word.add_paragraph("补贴对象身份证号码210213197506180031")
    buffer = io.BytesIO()
    word.save(buffer)
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _doc(slug="w", attachment=_document("a.docx", buffer.getvalue())))
    assert "公民身份号码" in e.value.errors[0][1]
    pdf = PdfBuilder("名单").paragraph("联系人手机13912345678").render()
    with pytest.raises(FieldError):
        page_actions.add_page(column, _doc(slug="p", attachment=_document("a.pdf", pdf)))
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(blank)
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _doc(slug="s", attachment=_document("scan.pdf", blank.getvalue())))
    assert "文字层" in e.value.errors[0][1]
    clean = PdfBuilder("通知").paragraph("请各单位认真贯彻落实。").render()
    assert page_actions.add_page(column, _doc(slug="c", attachment=_document("ok.pdf", clean))).live


def test_document_records_its_site_and_site_search_uses_it(site, clients):
    """Per-site search reads the site on the document row (issue 7 at size); it follows the page
    tree: set on save, changed when the page (or its column) moves to another site."""
    from wagtail.models import Page

    home = Page.objects.filter(depth=2).order_by("path").first()
    other = page_actions.create_site(home, title="区公开站点", slug="gk-district")
    here = page_actions.add_page(_column(site, "zcwj"), _doc(slug="here", title="关于乡村振兴的通知"))
    there = page_actions.add_page(_column(other, "zcwj"), _doc(slug="there", title="关于乡村振兴的意见"))
    assert (here.site_id, there.site_id) == (site.pk, other.pk)
    get = clients.anonymous.get

    def found(query):
        return sorted(row["id"] for row in get(f"/api/disclosure/documents?{query}").json()["items"])

    assert found("q=乡村振兴") == sorted([here.pk, there.pk])
    assert found("q=乡村振兴&site=gk-test") == [here.pk]
    assert found(f"q=乡村振兴&site={other.pk}") == [there.pk]
    assert get("/api/disclosure/documents?site=no-such-site").status_code == 422
    # a document moved to the other site is searched there
    here.specific.move(_column(other, "zcwj"), pos="last-child")
    assert PolicyDocumentPage.objects.get(pk=here.pk).site_id == other.pk
    assert found("q=乡村振兴&site=gk-test") == []
    # a whole column moved: every document under it follows
    _column(other, "zcwj").move(_column(site, "zcwj"), pos="last-child")
    assert set(PolicyDocumentPage.objects.values_list("site_id", flat=True)) == {site.pk}
    assert found("q=乡村振兴&site=gk-test") == sorted([here.pk, there.pk])


def test_assign_sites_gives_the_nearest_site(site):
    """A document under a site nested in another belongs to the inner one (the rule migration
    0007's back-fill and `assign_sites` after a move both follow)."""
    from tongban.disclosure.models.pages import assign_sites

    nested = page_actions.create_site(site, title="嵌套站点", slug="gk-nested")
    outer_doc = page_actions.add_page(_column(site, "zcwj"), _doc(slug="o"))
    inner_doc = page_actions.add_page(_column(nested, "zcwj"), _doc(slug="i"))
    assert (outer_doc.site_id, inner_doc.site_id) == (site.pk, nested.pk)
    PolicyDocumentPage.objects.update(site=None)
    assert assign_sites(site) == 2
    assert dict(PolicyDocumentPage.objects.values_list("pk", "site_id")) == {
        outer_doc.pk: site.pk,
        inner_doc.pk: nested.pk,
    }
