"""Redacting a PDF attachment (R21, issue 7): the personal data the privacy gate finds is really
gone from the file, never a box over live text. Each page with findings is re-rendered as an
image with no text layer: its characters (positions and sizes from pdfminer's layout) are drawn
again with the platform's Chinese font, except those of a finding, whose place is a black box
labelled with the kind. Pages without findings are copied unchanged (pypdf), and a last page in
real text lists each removal with its kind and legal ground (transparent redaction), so the
published file still says what was removed and why, and keeps a text layer the gate can read.

Limits: an affected page keeps its text, not its pictures or rules (pdfminer reads no raster);
the page count grows by the notice page."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from tongban.core import privacy

SCALE = 2  # pixels per PDF point (144 dpi): small print stays legible
LABEL_COLOUR = (255, 255, 255)


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


def _render(layout, chars: list, hidden: set[int], findings: list[privacy.Finding]) -> bytes:
    """The page as a one-page image PDF of the same size: the visible characters drawn, each
    finding a black box with its kind's label."""
    from PIL import Image, ImageDraw

    width, height = layout.width, layout.height
    image = Image.new("RGB", (int(width * SCALE), int(height * SCALE)), "white")
    draw = ImageDraw.Draw(image)
    seen: set[int] = set()
    for index, obj in enumerate(chars):
        if obj is None or index in hidden or id(obj) in seen:
            continue
        seen.add(id(obj))
        size = round((obj.y1 - obj.y0) * SCALE * 0.9) or 1
        draw.text((obj.x0 * SCALE, (height - obj.y1) * SCALE), obj.get_text(), fill="black", font=_font(size))
    for f in findings:
        boxes = [chars[i] for i in range(f.start, f.end) if chars[i] is not None]
        if not boxes:
            continue
        # one box per line the finding spans
        lines: dict[float, list] = {}
        for obj in boxes:
            lines.setdefault(round(obj.y0, 1), []).append(obj)
        for objs in lines.values():
            x0, x1 = min(o.x0 for o in objs) * SCALE, max(o.x1 for o in objs) * SCALE
            y0, y1 = (height - max(o.y1 for o in objs)) * SCALE, (height - min(o.y0 for o in objs)) * SCALE
            draw.rectangle((x0, y0, x1, y1), fill="black")
            label = f"已隐去{privacy.LABELS[f.kind]}"
            size = int(min(y1 - y0, (x1 - x0) / max(1, len(label))) * 0.9)
            if size >= 6:
                draw.text((x0 + 1, (y0 + y1) / 2), label, fill=LABEL_COLOUR, font=_font(size), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=72 * SCALE)
    return out.getvalue()


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
    from pdfminer.high_level import extract_pages
    from pypdf import PdfReader, PdfWriter

    if data[:5] != b"%PDF-":
        raise ValueError("不是PDF文件")
    reader = PdfReader(io.BytesIO(data))
    report = Report(pages=len(reader.pages))
    writer = PdfWriter()
    for number, layout in enumerate(extract_pages(io.BytesIO(data)), start=1):
        text, chars = _page_chars(layout)
        findings = privacy.scan(text)
        original = reader.pages[number - 1]
        if not findings:
            writer.add_page(original)
            continue
        hidden = {i for f in findings for i in range(f.start, f.end)}
        # a character object is drawn only when none of its text is hidden (ligatures, CID runs)
        hidden_objects = {id(chars[i]) for i in hidden if chars[i] is not None}
        hidden |= {i for i, obj in enumerate(chars) if obj is not None and id(obj) in hidden_objects}
        report.redacted_pages.append(number)
        report.kinds.update(f.kind for f in findings)
        image_page = PdfReader(io.BytesIO(_render(layout, chars, hidden, findings))).pages[0]
        added = writer.add_page(image_page)
        added.scale_to(float(original.mediabox.width), float(original.mediabox.height))  # whole pixels → points
    if not report.findings:
        return data, report
    for page in PdfReader(io.BytesIO(_notice(report, title))).pages:
        writer.add_page(page)
    writer.add_metadata({"/Title": title or "已去标识化文件", "/Producer": "通办 政务公开 隐私检查（R21）"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), report
