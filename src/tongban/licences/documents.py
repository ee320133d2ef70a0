"""The licence document: a PDF in the familiar layout (title, holder, number, issuer, dates),
a red round seal drawn from the department's name, a QR code (segno) to /verify/{code}, and
the signed JSON attached inside the PDF (pypdf), so the PDF alone verifies offline."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import segno
from django.conf import settings
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from tongban.core.pdf import PdfBuilder, register_font

from .models import Licence, LicenceVersion
from .selectors import signed_document
from .upload import ATTACHMENT

RED = colors.HexColor("#d2111b")


def verify_url(code: str) -> str:
    return f"{getattr(settings, 'BASE_URL', 'http://127.0.0.1:8000').rstrip('/')}/verify/{code}"


def seal_drawing(department: str, size: float = 42 * mm) -> Drawing:
    """A round red seal: the department's name along the upper arc, a five-pointed star inside."""
    font = register_font()
    r = size / 2
    d = Drawing(size, size)
    d.add(Circle(r, r, r - 1.5, strokeColor=RED, strokeWidth=2.2, fillColor=None))
    star = []
    for i in range(10):
        radius = r * 0.24 if i % 2 == 0 else r * 0.095
        angle = math.radians(90 + i * 36)
        star += [r + radius * math.cos(angle), r + radius * math.sin(angle)]
    d.add(Polygon(star, fillColor=RED, strokeColor=RED))
    name = department[:18]
    span = min(250.0, 22.0 * max(len(name) - 1, 1))
    font_size = max(6.0, min(10.0, 2 * math.pi * r * 0.72 * span / 360 / max(len(name), 1)))
    for i, ch in enumerate(name):
        angle = 90 + span / 2 - (span / max(len(name) - 1, 1)) * i if len(name) > 1 else 90
        rad = math.radians(angle)
        x, y = r + r * 0.70 * math.cos(rad), r + r * 0.70 * math.sin(rad)
        g = Group(String(0, -font_size / 3, ch, fontName=font, fontSize=font_size, fillColor=RED, textAnchor="middle"))
        g.translate(x, y)
        g.rotate(angle - 90)
        d.add(g)
    d.add(String(r, r * 0.45, "电子证照专用章", fontName=font, fontSize=font_size * 0.7, fillColor=RED,
                 textAnchor="middle"))
    return d


def qr_drawing(payload: str, size: float = 30 * mm) -> Drawing:
    matrix = segno.make(payload, error="m").matrix
    n = len(matrix) + 8  # quiet zone of 4 modules
    cell = size / n
    d = Drawing(size, size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                d.add(Rect((x + 4) * cell, size - (y + 5) * cell, cell, cell, fillColor=colors.black,
                           strokeColor=None))
    return d


def licence_pdf(licence: Licence, version: LicenceVersion) -> bytes:
    data = version.data
    url = verify_url(licence.verification_code)
    until = data.get("valid_until") or "长期"
    holder = data["holder"]
    builder = PdfBuilder(data["type_name"], number=f"证照编号：{data['number']}", author=licence.issuer.name,
                         subject=f"{data['type_name']} {data['number']}")
    builder.fields([
        ("持证主体", holder["name"]),
        ("统一社会信用代码" if holder["kind"] == "enterprise" else "公民身份号码", holder["id"]),
        ("证照类型", f"{data['type_name']}（{data['type']}）"),
        ("发证机关", data["issuer"]["name"]),
        ("发证日期", data.get("issued_on") or ""),
        ("有效期限", f"{data.get('valid_from')} 至 {until}"),
        ("版本", f"第 {version.number} 版"),
        ("核验码", licence.verification_code),
    ])
    builder.story.append(seal_drawing(licence.issuer.name))
    builder.paragraph(f"签章：{version.algorithm} · 密钥 {version.seal_key.key_id} · {version.seal.get('signed_at')}",
                      style="small")
    builder.story.append(qr_drawing(url))
    builder.paragraph(f"扫码或访问 {url} 核验本证照；本文件内附签章数据 {ATTACHMENT}，可离线核验。", style="small")
    return attach_json(builder.render(), signed_document(version))


def attach_json(pdf: bytes, document: dict[str, Any]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(ATTACHMENT, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
