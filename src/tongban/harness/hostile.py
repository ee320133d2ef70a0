"""The hostile-input corpus (issue 10, item 4): what an attacker, a careless import or a
copy-paste from a word processor puts into a text field. Used by `tests/harness/test_hostile.py`
against every write endpoint and the pages that show what was stored; the fuzz and app form
tests may draw on it too.

Each entry is (label, value). The platform must answer each with a clear 4xx (422 naming the
field) or store it and show it neutralised (escaped in HTML, text in a spreadsheet) — never a
5xx, never half a write.
"""

from __future__ import annotations

from typing import Any

XSS = (
    ("script tag", "<script>alert(1)</script>"),
    ("attribute break-out", '"><img src=x onerror=alert(1)>'),
    ("svg onload", "<svg/onload=alert(1)>"),
    ("javascript url", "javascript:alert(1)"),
    ("template syntax", "{{ 7*7 }}{% debug %}${7*7}"),
)
SQL = (
    ("quote and comment", "' OR '1'='1' --"),
    ("stacked statement", "1; DROP TABLE identity_user; --"),
    ("union select", "x' UNION SELECT password FROM identity_user --"),
    ("fts operators", "营业 & !执照 | (a:* <-> b) \"phrase"),
    ("fts syntax error", "&&&|||!!!((("),
    ("like wildcards", "%_%\\"),
)
PATHS = (
    ("dot-dot slash", "../../../../etc/passwd"),
    ("windows traversal", "..\\..\\windows\\win.ini"),
    ("nul byte", "report.pdf\x00.exe"),
    ("absolute path", "/etc/shadow"),
)
UNICODE = (
    ("zero-width space", "张\u200b晓明"),
    ("zero-width joiner", "张\u200d晓\ufeff明"),
    ("right-to-left override", "\u202eexe.fdp"),
    ("full-width digits", "２１０２０２１９８５０３１２０２１Ｘ"),
    ("cyrillic confusable", "аdmin"),  # the first letter is Cyrillic а
    ("emoji", "办事😀👨‍👩‍👧"),
    ("combining marks", "Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o"),
    ("lone surrogate escape", "\\ud800"),
    ("control characters", "a\x01b\x07c\x1bd"),
)
FORMULAS = (
    ("formula =", "=HYPERLINK(\"http://evil.example\",\"点击\")"),
    ("formula +", "+1+cmd|' /C calc'!A0"),
    ("formula -", "-2+3+cmd|' /C calc'!A0"),
    ("formula @", "@SUM(1+1)*cmd|' /C calc'!A0"),
)
OVERSIZED = (
    ("10k characters", "长" * 10_000),
)

TEXTS: tuple[tuple[str, str], ...] = XSS + SQL + PATHS + UNICODE + FORMULAS + OVERSIZED
XSS_PAYLOADS = tuple(v for _, v in XSS[:2])
FORMULA_PREFIXES = ("=", "+", "-", "@")

# ID-number look-alikes: each must be refused (422 on id_number), never normalised into someone's number
ID_NUMBERS = (
    ("full-width digits", "２１０２０２１９８５０３１２０２１Ｘ"),
    ("zero-width inside", "210202\u200b198503120219"),
    ("sql", "210202' OR 1=1 --"),
    ("emoji", "21020219850312😀"),
    ("too long", "2" * 400),
)


def nested(depth: int) -> Any:
    """A JSON value nested `depth` levels deep (a list of a list of …)."""
    value: Any = "底"
    for _ in range(depth):
        value = [value]
    return value


def nested_json(depth: int) -> str:
    """The same as text, built without recursion (json.dumps would hit Python's limit)."""
    return "[" * depth + '"底"' + "]" * depth


def is_neutral_cell(cell: Any) -> bool:
    """An Excel cell that cannot run: stored as text (not a formula), or prefixed with "'"."""
    value = cell.value
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return True
    return cell.data_type in ("s", "inlineStr") or value.startswith("'")
