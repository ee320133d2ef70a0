"""The PDF toolkit: official notices, receipts and licences as PDF with Chinese text.

ReportLab draws; the font is Noto Sans SC (SIL OFL) from the pinned PyPI package
`justmytype-intl-cjk`, so no system font is needed and every PDF embeds the subset it uses —
a notice opens the same on any reader (FACTS.md). Text handed to the builder is plain text:
it is escaped before ReportLab's paragraph markup sees it, so an applicant's "<b>" or "&"
prints as typed and can never break the layout.

    pdf = PdfBuilder("受理通知书", number="210202-20260316-000042")
    pdf.paragraph("张**：")
    pdf.fields([("事项", "食品经营许可"), ("受理日期", "2026年3月16日")])
    pdf.qr("https://…/track/…", "扫码查询办理进度")
    pdf.signature("大连市市场监督管理局", dt.date(2026, 3, 16))
    data: bytes = pdf.render()
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from html import escape
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "NotoSansSC"


@cache
def font_path() -> Path:
    import justmytype_intl_cjk

    path = Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    if not path.is_file():
        raise RuntimeError(f"缺少中文字体文件：{path}（请重新安装 justmytype-intl-cjk）")
    return path


@cache
def register_font() -> str:
    """Register the CJK font once per process (~50 ms)."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4),
        "number": ParagraphStyle("number", parent=base, fontSize=10, alignment=TA_CENTER, textColor=colors.black),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=15),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=12, textColor=colors.HexColor("#444444")),
    }


def text(value: object) -> str:
    """Plain text → paragraph markup: escaped, line breaks kept."""
    return escape(str(value if value is not None else "")).replace("\n", "<br/>")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class PdfBuilder:
    """Flowing A4 document: title, number, paragraphs, label/value fields, tables, a QR code
    and the issuer's signature line. `render()` returns the PDF's bytes."""

    def __init__(self, title: str, *, number: str = "", author: str = "通办", subject: str = "") -> None:
        self.title = title
        self.author = author
        self.subject = subject or title
        self.styles = _styles()
        self.story: list = [Paragraph(text(title), self.styles["title"])]
        if number:
            self.story.append(Paragraph(text(number), self.styles["number"]))
        self.story.append(Spacer(1, 6 * mm))

    def heading(self, value: str) -> PdfBuilder:
        self.story.append(Paragraph(text(value), self.styles["heading"]))
        return self

    def paragraph(self, value: str, *, style: str = "body") -> PdfBuilder:
        self.story.append(Paragraph(text(value), self.styles[style]))
        return self

    def fields(self, rows: list[tuple[str, object]]) -> PdfBuilder:
        """Label/value pairs as a two-column ruled table."""
        cell = self.styles["cell"]
        data = [[Paragraph(text(k), cell), Paragraph(text(v), cell)] for k, v in rows]
        return self._table(data, [38 * mm, None], header=False)

    def table(self, header: list[str], rows: list[list[object]],
              widths: list[float | None] | None = None) -> PdfBuilder:
        cell = self.styles["cell"]
        data = [[Paragraph(text(h), cell) for h in header]]
        data += [[Paragraph(text(v), cell) for v in row] for row in rows]
        return self._table(data, widths, header=True)

    def _table(self, data: list, widths: list | None, *, header: bool) -> PdfBuilder:
        if not data:
            return self
        usable = A4[0] - 40 * mm
        if widths:
            fixed = sum(w for w in widths if w)
            free = [w for w in widths if not w]
            widths = [w or (usable - fixed) / len(free) for w in widths]
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")))
        table.setStyle(TableStyle(style))
        self.story += [table, Spacer(1, 4 * mm)]
        return self

    def qr(self, url: str, caption: str = "") -> PdfBuilder:
        widget = QrCodeWidget(url)
        x0, y0, x1, y1 = widget.getBounds()
        size = 28 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        self.story.append(drawing)
        if caption:
            self.story.append(Paragraph(text(caption), self.styles["small"]))
        return self

    def signature(self, issuer: str, day: dt.date) -> PdfBuilder:
        self.story += [Spacer(1, 10 * mm), Paragraph(text(issuer), self.styles["right"]),
                       Paragraph(text(chinese_date(day)), self.styles["right"])]
        return self

    def spacer(self, height_mm: float = 4) -> PdfBuilder:
        self.story.append(Spacer(1, height_mm * mm))
        return self

    def render(self) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                                bottomMargin=20 * mm, title=self.title, author=self.author, subject=self.subject,
                                creator="通办 一体化在线政务服务平台")
        doc.build(list(self.story), onFirstPage=self._footer, onLaterPages=self._footer)
        return out.getvalue()

    def _footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{self.title} · 第 {doc.page} 页")
        canvas.restoreState()
