"""R21 PDF redaction (issue 7): a PDF attachment with personal data is republished redacted —
the affected pages re-rendered as images without their text layer, so pypdf can no longer
extract the removed data from the file (never a box over live text) — with a notice page that
names each removal's kind and legal ground; clean pages keep their text; then the gate passes."""

import io

import pytest
from pypdf import PdfReader, PdfWriter

from tongban.core.errors import Conflict, FieldError
from tongban.core.pdf import PdfBuilder
from tongban.disclosure import page_actions, redaction
from tongban.disclosure.models import ColumnPage, PolicyDocumentPage

ID_NUMBER = "210213195803212686"
MOBILE = "13912345678"


def _two_pages() -> bytes:
    """Page 1 with an ID number and a mobile number; page 2 clean."""
    first = PdfBuilder("行政处罚决定书")
    first.paragraph(f"当事人刘某，公民身份号码{ID_NUMBER}，联系电话{MOBILE}，违法事实如下。")
    second = PdfBuilder("整改要求").paragraph("请于十五日内完成整改并书面报告。")
    writer = PdfWriter()
    for data in (first.render(), second.render()):
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def test_R21_redacted_pdf_no_longer_contains_the_data():
    data = _two_pages()
    before = "".join(_text(data))
    assert ID_NUMBER in before and MOBILE in before  # the test can fail: the data is there to begin with
    out, report = redaction.redact_pdf(data, title="处罚决定")
    pages = _text(out)
    whole = "".join(pages) + out.decode("latin-1")
    assert ID_NUMBER not in whole and MOBILE not in whole and "5803212686" not in whole
    assert report.redacted_pages == [1] and report.findings == 2 and len(pages) == 3
    assert pages[0].strip() == ""  # the re-rendered page has no text layer at all
    assert "十五日内完成整改" in pages[1]  # the clean page is copied as it was
    assert "公民身份号码" in pages[2] and "个人电话号码" in pages[2] and "第十五条" in pages[2]
    reader = PdfReader(io.BytesIO(out))
    size = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert reader.pages[0].images and [round(float(v), 1) for v in reader.pages[0].mediabox] == [
        round(float(v), 1) for v in size
    ]


def test_clean_pdf_comes_back_unchanged():
    clean = PdfBuilder("通知").paragraph("请各单位认真贯彻落实。").render()
    out, report = redaction.redact_pdf(clean)
    assert out == clean and report.findings == 0


def _document(name, data):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    return Document.objects.create(title=name, file=ContentFile(data, name=name))


def test_R21_gate_blocks_then_redacted_attachment_publishes(site, cast, settings, tmp_path, clients, post):
    settings.MEDIA_ROOT = str(tmp_path)
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    attachment = _document("处罚决定.pdf", _two_pages())
    page = page_actions.add_page(
        column,
        PolicyDocumentPage(title="行政处罚决定公开", slug="cf", body="<p>见附件</p>", attachment=attachment,
                           live=False),
    )
    with pytest.raises(FieldError):
        page_actions.publish(cast.editor, page)  # the gate reads the attachment
    assert post(clients.citizen, f"/api/disclosure/documents/{page.pk}/redact-attachment").status_code == 404
    r = post(clients.editor, f"/api/disclosure/documents/{page.pk}/redact-attachment")
    assert r.status_code == 200, r.content
    assert r.json()["redacted_pages"] == [1] and r.json()["kinds"] == {"公民身份号码": 1, "个人电话号码": 1}
    page = PolicyDocumentPage.objects.get(pk=page.pk)
    assert page.attachment_id == r.json()["attachment"] != attachment.pk
    with page.attachment.file.open("rb") as handle:
        assert ID_NUMBER not in "".join(_text(handle.read()))
    assert page_actions.publish(cast.editor, page).live
    with pytest.raises(Conflict):
        page_actions.redact_attachment(cast.editor, page)  # nothing left to remove


def test_redact_refuses_what_it_cannot_process(site, cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    bare = page_actions.add_page(column, PolicyDocumentPage(title="无附件", slug="bare", body="<p>x</p>"))
    with pytest.raises(FieldError) as e:
        page_actions.redact_attachment(cast.editor, bare)
    assert e.value.errors[0][0] == "attachment"
    broken = _document("坏.pdf", b"%PDF-1.4 not really")
    page = page_actions.add_page(
        column, PolicyDocumentPage(title="坏附件", slug="broken", body="<p>x</p>", attachment=broken, live=False)
    )
    with pytest.raises(FieldError) as e:
        page_actions.redact_attachment(cast.editor, page)
    assert e.value.errors[0][0] == "attachment" and "PDF" in e.value.errors[0][1]
