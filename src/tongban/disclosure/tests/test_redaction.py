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


# --- the redacted page keeps what the reader saw: pictures, rules, colours ---------------------------

RED, GREEN, BLUE = (230, 25, 25), (20, 160, 60), (0, 0, 255)


# how a page with /Rotate is drawn so that it reads upright (as landscape pages usually are): the
# content is laid out in the displayed page's coordinates through the inverse of the rotation
UPRIGHT = {0: (1, 0, 0, 1, 0, 0), 90: (0, 1, -1, 0, "w", 0), 180: (-1, 0, 0, -1, "w", "h"), 270: (0, -1, 1, 0, 0, "h")}


def _picture_page(*, rotate: int = 0, cropbox: tuple | None = None, mediabox: tuple | None = None) -> bytes:
    """An A4 page with a filled red rectangle (vector), an embedded green photo (raster), a rule,
    and an ID number in blue (so its glyphs can be found in the rendering), labelled in black;
    rotated, cropped or with its media box moved off the origin if asked, its content still
    upright on screen."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    w, h = A4
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.transform(*({"w": w, "h": h}.get(v, v) for v in UPRIGHT[rotate]))
    c.setFillColorRGB(*(v / 255 for v in RED))
    c.rect(80, 380, 200, 120, stroke=0, fill=1)
    c.drawImage(ImageReader(Image.new("RGB", (60, 60), GREEN)), 320, 380, 100, 100)
    c.setLineWidth(2)
    c.line(80, 350, 460, 350)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 16)
    c.drawString(80, 310, "ID No.")
    c.setFillColorRGB(*(v / 255 for v in BLUE))
    c.drawString(140, 310, ID_NUMBER)
    c.save()
    if not rotate and cropbox is None and mediabox is None:
        return buf.getvalue()
    from pypdf.generic import RectangleObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    page = writer.pages[0]
    if rotate:
        page.rotate(rotate)
    if mediabox:
        page.mediabox = RectangleObject(mediabox)
    if cropbox:
        page.cropbox = RectangleObject(cropbox)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _rendering(data: bytes):
    """Page 1 as pdfium draws it at the module's scale, and its displayed size in points."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        return page.render(scale=redaction.SCALE).to_pil().convert("RGB"), page.get_size()
    finally:
        document.close()


def _where(image, colour, tolerance=70) -> list[tuple[int, int]]:
    """The pixels of `colour` (each channel within `tolerance`)."""
    width = image.size[0]
    test = _is(colour, tolerance)
    return [(i % width, i // width) for i, px in enumerate(image.getdata()) if test(px)]


def _inner(points: list[tuple[int, int]], margin: int) -> list[tuple[int, int]]:
    """The pixels of a region at least `margin` pixels inside its bounding box (rounding and
    antialiasing at the edges are not the point)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs) + margin, max(xs) - margin, min(ys) + margin, max(ys) - margin
    return [(x, y) for x, y in points if x0 <= x <= x1 and y0 <= y <= y1]


def _share(image, points, test) -> float:
    return sum(1 for p in points if test(image.getpixel(p))) / len(points)


def _is(colour, tolerance=70):
    return lambda px: all(abs(a - b) <= tolerance for a, b in zip(px, colour, strict=True))


def _dark(px) -> bool:
    return sum(px) < 120


@pytest.mark.parametrize(
    "rotate, cropbox, mediabox",
    [
        (0, None, None),
        (0, (50, 280, 500, 560), (30, 20, 595, 842)),
        (90, (40, 30, 400, 600), None),
        (180, None, (0, 10, 595, 842)),
        (270, (250, 330, 560, 800), None),
    ],
    ids=["plain", "cropped-off-origin", "rotated-90-cropped", "rotated-180-off-origin", "rotated-270-cropped"],
)
def test_R21_redacted_page_keeps_its_pictures_and_boxes_the_id_number_where_it_was(rotate, cropbox, mediabox):
    """pdfminer lays the page out from the media box with the rotation applied, pdfium draws the
    crop box turned as displayed with the origin top left: the box must land on the number all the same."""
    from pdfminer.high_level import extract_text

    data = _picture_page(rotate=rotate, cropbox=cropbox, mediabox=mediabox)
    assert ID_NUMBER in extract_text(io.BytesIO(data))  # the data is there to begin with
    before, size = _rendering(data)
    red, green, blue = _where(before, RED), _where(before, GREEN), _where(before, BLUE, tolerance=90)
    assert len(red) > 1000 and len(green) > 1000 and len(blue) > 100  # the test can fail: all three are drawn

    out, report = redaction.redact_pdf(data)
    assert report.redacted_pages == [1] and report.kinds == {"id_number": 1}
    page_text = extract_text(io.BytesIO(out), page_numbers=[0])
    assert not any(ch.isdigit() for ch in page_text), page_text  # no text layer left on the page
    assert ID_NUMBER not in out.decode("latin-1")
    after, redacted_size = _rendering(out)
    assert redacted_size == pytest.approx(size, abs=0.5)  # the same page as displayed
    assert abs(after.size[0] - before.size[0]) <= 1 and abs(after.size[1] - before.size[1]) <= 1
    # the pictures are still there, in their colours, at their places
    assert _share(after, _inner(red, 3), _is(RED)) > 0.98
    assert _share(after, _inner(green, 3), _is(GREEN)) > 0.98
    # the ID number's glyphs are all under the black box (labelled in white), and the box is no
    # bigger than the number's characters
    assert not _where(after, BLUE, tolerance=90)
    new_black = set(_where(after, (0, 0, 0), tolerance=40)) - set(_where(before, (0, 0, 0), tolerance=60))
    assert _share(after, blue, _dark) > 0.5
    box, ink = _bbox(new_black), _bbox(blue)
    assert box[0] <= ink[0] and box[1] <= ink[1] and box[2] >= ink[2] and box[3] >= ink[3], (box, ink)
    margin = 8 * redaction.SCALE  # the characters' boxes reach from descent to ascent, beyond the digits' ink
    assert box[0] >= ink[0] - margin and box[1] >= ink[1] - margin, (box, ink)
    assert box[2] <= ink[2] + margin and box[3] <= ink[3] + margin, (box, ink)


def _bbox(points) -> tuple[int, int, int, int]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)
