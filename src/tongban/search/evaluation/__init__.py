"""The evaluation set: realistic queries over the reference catalogue with the item codes a
person typing them wants (`queries.json`), and the harness that scores a backend on it.

A query is a top-1 hit when the first result is one of its expected codes, a top-5 hit when
one of the first five is. Targets (issue 4, A6): top-1 ≥ 80 %, top-5 ≥ 95 %.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..indexing import Document

QUERIES_PATH = Path(__file__).with_name("queries.json")
TOP1_TARGET = 0.80
TOP5_TARGET = 0.95

# Life-stage codes of the catalogue, as the words people use for them.
LIFE_STAGE_WORDS = {
    "birth": "出生 生育", "education": "上学 教育", "work": "就业 工作", "marriage": "婚育 结婚",
    "housing": "置业 住房", "retirement": "退休 养老", "death": "身后 去世", "other": "",
    "start": "开办 设立", "operate": "经营", "change": "变更", "close": "注销",
}


def load_queries(path: Path = QUERIES_PATH) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def item_document(item: dict[str, Any], departments: dict[str, str], *, region_code: str = "",
                  key: str | None = None, kind: str = "item") -> Document:
    """A catalogue item as the catalogue app indexes it (kind "item", key = item code)."""
    department = departments.get(item.get("department", ""), "")
    body = [
        *item.get("conditions", []),
        *(m["name"] for m in item.get("materials", [])),
        *item.get("basis", []),
        department,
        *item.get("themes", []),
        LIFE_STAGE_WORDS.get(item.get("life_stage", ""), ""),
    ]
    return Document(
        kind=kind, key=key or item["code"], title=item["name"], keywords=" ".join(item.get("keywords", [])),
        body="\n".join(body), region_code=region_code, audience=item.get("audience", ""),
        themes=tuple(item.get("themes", [])), data={"code": item["code"], "department": department},
    )


def catalogue_documents(catalogue: dict[str, Any], *, kind: str = "item") -> list[Document]:
    departments = {d["id"]: d["name"] for d in catalogue["departments"]}
    return [item_document(item, departments, kind=kind) for item in catalogue["items"]]


@dataclass
class Result:
    top1: float
    top5: float
    misses: list[dict[str, Any]] = field(default_factory=list)  # queries not found in the top 5
    top1_misses: list[dict[str, Any]] = field(default_factory=list)

    def __iter__(self):  # `top1, top5 = evaluate(...)`
        return iter((self.top1, self.top5))


def evaluate(backend, docs: Iterable[Document] | None, queries: list[dict[str, Any]], *, kind: str = "item",
             code_of=lambda hit: hit.data.get("code", hit.key)) -> Result:
    """Index `docs` (None: already indexed) and run every query; the share of top-1 and top-5 hits."""
    if docs is not None:
        backend.index(list(docs))
    top1 = top5 = 0
    result = Result(0.0, 0.0)
    for entry in queries:
        codes = [code_of(hit) for hit in backend.search(entry["q"], kind=kind, limit=5)]
        expected = set(entry["expected"])
        if codes[:1] and codes[0] in expected:
            top1 += 1
        else:
            result.top1_misses.append({**entry, "got": codes})
        if expected & set(codes):
            top5 += 1
        else:
            result.misses.append({**entry, "got": codes})
    result.top1 = top1 / len(queries)
    result.top5 = top5 / len(queries)
    return result
