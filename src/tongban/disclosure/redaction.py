"""Redacting a PDF attachment (R21, issue 7): the personal data the privacy gate finds is really
gone from the file, never a box over live text. Each page with findings is rendered to an image
by pdfium (pypdfium2) — pictures, rules, fonts and colours as the reader saw them — and each
finding's characters (their boxes from pdfminer's layout, the same layout the gate read) are
painted over with a black box labelled with the kind; the page is then written back as a
one-page image PDF of the same size, with no text layer. Pages without findings are copied
unchanged (pypdf), and a last page in real text lists each removal with its kind and legal
ground (transparent redaction), so the published file still says what was removed and why, and
keeps a text layer the gate can read.

Limits: an affected page loses its text layer (it can no longer be searched or copied); text in
annotations and form fields is rendered but not scanned; the page count grows by the notice page."""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tongban.core import privacy

SCALE = 2  # pixels per PDF point (144 dpi): small print stays legible
LABEL_COLOUR = (255, 255, 255)
PAD = 0.5  # points around a finding's characters: antialiased glyph edges stay under the box
JPEG_QUALITY = 90  # the image page's compression (Pillow writes RGB pages as JPEG)
_PDFIUM = threading.Lock()  # pdfium is not thread-safe: one document open at a time per process

Box = tuple[float, float, float, float]


@dataclass
class Report:
    pages: int = 0
    redacted_pages: list[int] = field(default_factory=list)  # 1-based
    kinds: Counter = field(default_factory=Counter)

    @property
    def findings(self) -> int:
        return sum(self.kinds.values())

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "redacted_pages": self.redacted_pages,
            "findings": self.findings,
            "kinds": {privacy.LABELS[k]: n for k, n in sorted(self.kinds.items())},
            "legal_ground": privacy.LEGAL_GROUND,
        }


@cache
def _font(size: int):
    from PIL import ImageFont

    from tongban.core.pdf import font_path

    return ImageFont.truetype(str(font_path()), max(4, size))


def _page_chars(layout) -> tuple[str, list]:
    """The page's text in reading order and, for each character of it, its LTChar (None for the
    line breaks put between lines)."""
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    text: list[str] = []
    chars: list = []

    def walk(item) -> None:
        if isinstance(item, LTTextLine):
            for obj in item:
                if isinstance(obj, LTChar):
                    for ch in obj.get_text():
                        text.append(ch)
                        chars.append(obj)
            text.append("\n")
            chars.append(None)
        elif isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    for element in layout:
        walk(element)
    return "".join(text), chars


def _layouts(data: bytes) -> Iterator[tuple[Any, Any]]:
    """(pdfminer's page, its layout) for each page, read as pdfminer.high_level.extract_pages does;
    the page is needed for its media box and rotation."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    for page in PDFPage.get_pages(io.BytesIO(data), caching=True):
        interpreter.process_page(page)
        yield page, device.get_result()


def _to_user_space(page: Any) -> Callable[[float, float], tuple[float, float]]:
    """The inverse of the matrix pdfminer lays a page out with (as PDFPageInterpreter.process_page:
    the displayed page, rotation applied, origin at the media box's lower left corner): layout
    coordinates back to the PDF's user space, which pdfium maps onto its bitmap (crop box,
    rotation and the bitmap's top-left origin included)."""
    x0, y0, x1, y1 = page.mediabox
    a, b, c, d, e, f = {
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }.get(page.rotate, (1, 0, 0, 1, -x0, -y0))
    det = a * d - b * c

    def back(x: float, y: float) -> tuple[float, float]:
        x, y = x - e, y - f
        return (d * x - c * y) / det, (a * y - b * x) / det

    return back


def _boxes(chars: list, findings: list[privacy.Finding], back: Callable) -> list[tuple[str, Box]]:
    """Each finding's characters as boxes in user space, one per line the finding spans: (kind, box)."""
    boxes = []
    for f in findings:
        lines: dict[float, list] = {}
        for obj in (chars[i] for i in range(f.start, f.end) if chars[i] is not None):
            lines.setdefault(round(obj.y0, 1), []).append(obj)
        for objs in lines.values():
            (ax, ay), (bx, by) = (
                back(min(o.x0 for o in objs), min(o.y0 for o in objs)),
                back(max(o.x1 for o in objs), max(o.y1 for o in objs)),
            )
            boxes.append((f.kind, (min(ax, bx) - PAD, min(ay, by) - PAD, max(ax, bx) + PAD, max(ay, by) + PAD)))
    return boxes


def _rasterise(document: Any, index: int, boxes: list[tuple[str, Box]]):
    """Page `index` as pdfium draws it at SCALE (PIL image), the boxes in its pixels, and the page's
    size in points as displayed (crop box, rotation)."""
    page = document[index]
    try:
        bitmap = page.render(scale=SCALE, fill_color=(255, 255, 255, 255))
        to_bitmap = bitmap.get_posconv(page).to_bitmap
        pixels = []
        for kind, (x0, y0, x1, y1) in boxes:
            (ax, ay), (bx, by) = to_bitmap(x0, y0), to_bitmap(x1, y1)
            pixels.append((kind, (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))))
        return bitmap.to_pil().convert("RGB"), pixels, page.get_size()
    finally:
        page.close()


def _paint(image, boxes: list[tuple[str, Box]]) -> bytes:
    """The image with each box black and labelled with its kind, as a one-page image PDF."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for kind, (x0, y0, x1, y1) in boxes:
        draw.rectangle((x0, y0, x1, y1), fill="black")
        label = f"已隐去{privacy.LABELS[kind]}"
        size = int(min(y1 - y0, (x1 - x0) / max(1, len(label))) * 0.9)
        if size >= 6:
            draw.text((x0 + 1, (y0 + y1) / 2), label, fill=LABEL_COLOUR, font=_font(size), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=72 * SCALE, quality=JPEG_QUALITY)
    return out.getvalue()


def _render(data: bytes, boxes_by_page: dict[int, list[tuple[str, Box]]]) -> dict[int, tuple[bytes, tuple]]:
    """The affected pages (0-based) as image PDFs with their boxes painted, and their sizes."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(data)
        try:
            drawn = {index: _rasterise(document, index, boxes) for index, boxes in boxes_by_page.items()}
        finally:
            document.close()
    return {index: (_paint(image, pixels), size) for index, (image, pixels, size) in drawn.items()}


def _notice(report: Report, title: str) -> bytes:
    from tongban.core.pdf import PdfBuilder

    pdf = PdfBuilder("去标识化处理说明", subject=title)
    pdf.paragraph(
        f"本文件共{report.pages}页，其中第{'、'.join(map(str, report.redacted_pages))}页含有个人信息，"
        f"已以图像方式重新生成，相关内容已删除（黑框处），不再含有可复制的文字。"
    )
    pdf.table(["隐去内容", "处数", "依据"], [[privacy.LABELS[k], n, privacy.LEGAL_GROUND] for k, n in
                                         sorted(report.kinds.items())])
    return pdf.render()


def redact_pdf(data: bytes, *, title: str = "") -> tuple[bytes, Report]:
    """The PDF with every page that has findings re-rendered without them, and the report. When
    nothing is found the input comes back unchanged (report.findings == 0)."""
    from pypdf import PdfReader, PdfWriter

    if data[:5] != b"%PDF-":
        raise ValueError("不是PDF文件")
    reader = PdfReader(io.BytesIO(data))
    report = Report(pages=len(reader.pages))
    boxes: dict[int, list[tuple[str, Box]]] = {}
    for index, (page, layout) in enumerate(_layouts(data)):
        text, chars = _page_chars(layout)
        findings = privacy.scan(text)
        if findings:
            boxes[index] = _boxes(chars, findings, _to_user_space(page))
            report.redacted_pages.append(index + 1)
            report.kinds.update(f.kind for f in findings)
    if not report.findings:
        return data, report
    images = _render(data, boxes)
    writer = PdfWriter()
    for index, original in enumerate(reader.pages):
        if index not in images:
            writer.add_page(original)
            continue
        image, (width, height) = images[index]
        added = writer.add_page(PdfReader(io.BytesIO(image)).pages[0])
        added.scale_to(float(width), float(height))  # whole pixels → the displayed page's points
    for page in PdfReader(io.BytesIO(_notice(report, title))).pages:
        writer.add_page(page)
    writer.add_metadata({"/Title": title or "已去标识化文件", "/Producer": "通办 政务公开 隐私检查（R21）"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), report
