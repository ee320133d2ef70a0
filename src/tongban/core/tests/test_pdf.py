"""The PDF toolkit: Chinese text survives (font embedded, text extractable), applicant text
is plain text, and a QR code is drawn."""

import datetime as dt
import io

from pypdf import PdfReader

from tongban.core.pdf import PdfBuilder, chinese_date


def build(**kw) -> bytes:
    pdf = PdfBuilder("受理通知书", number="210202-20260316-000042")
    pdf.paragraph("张晓明：\n您申请的事项已受理。")
    pdf.fields([("事项名称", "食品经营许可"), ("法定办结时限", "20个工作日")])
    pdf.table(["材料", "提供方式"], [["营业执照", "平台调取"], ["<b>卫生</b> & 设施", "上传"]])
    pdf.qr("http://127.0.0.1:8000/track/abc", "扫码查询办理进度")
    pdf.signature("大连市市场监督管理局", dt.date(2026, 3, 16))
    return pdf.render()


def test_chinese_text_is_extractable_and_font_embedded():
    data = build()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    content = "".join(page.extract_text() for page in reader.pages)
    for expected in ("受理通知书", "食品经营许可", "20个工作日", "大连市市场监督管理局", "2026年3月16日"):
        assert expected in content.replace(" ", "")
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("NotoSansSC" in f for f in fonts)
    assert reader.metadata.title == "受理通知书"


def test_markup_in_applicant_text_prints_as_typed():
    reader = PdfReader(io.BytesIO(build()))
    content = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    assert "<b>卫生</b>&设施" in content


def test_qr_code_is_drawn():
    with_qr = build()
    without = PdfBuilder("受理通知书").render()
    assert len(with_qr) > len(without)


def test_long_content_flows_onto_more_pages():
    pdf = PdfBuilder("材料清单")
    pdf.table(["序号", "材料"], [[str(i), "材料名称" * 5] for i in range(200)])
    assert len(PdfReader(io.BytesIO(pdf.render())).pages) > 1


def test_chinese_date():
    assert chinese_date(dt.date(2026, 3, 6)) == "2026年3月6日"
