"""Text a citizen typed, made safe to keep and to show: markup removed by nh3 (the message box,
consultation comments) and personal data masked for the public (R4)."""

from __future__ import annotations

import html

import nh3

from tongban.core import privacy


def plain_text(raw: str | None) -> str:
    """The text without any markup (nh3 with no tags allowed; script and style contents go
    too), entities decoded once more until nothing tag-like is left; templates escape it again."""
    text = (raw or "").replace("\x00", "")
    for _ in range(5):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    return text.strip()


def masked(text: str) -> str:
    """R4: personal data in a published text shows masked (`138****5678`)."""
    parts, last = [], 0
    for finding in privacy.scan(text):
        if finding.start < last:
            continue
        parts += [text[last : finding.start], finding.masked]
        last = finding.end
    return "".join([*parts, text[last:]])
