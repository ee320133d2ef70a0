"""Open data (数据开放): a registry of datasets their owning apps produce from the platform's own
statistics, a refresh that stores a new immutable version only when the data changed, and the
CSV / JSON distributions of every version.

An app registers a dataset with `register(Spec(...))` (disclosure registers its own below);
`refresh()` (a daily job) runs each producer. Count columns marked `sensitive` are suppressed
below `TONGBAN_OPENDATA_MIN_COUNT` (5): a count of 1–4 people is published as null in JSON and
`<5` in CSV, never as the number."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from tongban.core import audit
from tongban.identity.models import Department

from .models import Dataset, DatasetVersion

MIN_COUNT_DEFAULT = 5


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str = "string"  # string | integer | number | date
    sensitive: bool = False  # a count of people: suppressed when small


@dataclass(frozen=True)
class Spec:
    identifier: str
    title: str
    description: str
    publisher: str  # department id
    publisher_name: str
    theme: str
    columns: tuple[Column, ...]
    producer: Callable[[], list[dict[str, Any]]]
    keywords: tuple[str, ...] = ()
    periodicity: str = "monthly"
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column → the counts it is computed from


REGISTRY: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    REGISTRY[spec.identifier] = spec
    return spec


def min_count() -> int:
    return int(getattr(settings, "TONGBAN_OPENDATA_MIN_COUNT", MIN_COUNT_DEFAULT))


def suppress(spec: Spec, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Small counts of people (1 … min-1) become None; so do values derived from them."""
    threshold = min_count()
    sensitive = [c.name for c in spec.columns if c.sensitive]
    out, hidden = [], 0
    for row in rows:
        row = {c.name: row.get(c.name) for c in spec.columns}
        small = {n for n in sensitive if isinstance(row[n], int) and 0 < row[n] < threshold}
        for name, sources in spec.derived.items():
            if small & set(sources) and row[name] is not None:
                small.add(name)
        for name in small:
            row[name] = None
        hidden += len(small)
        out.append(row)
    return out, hidden


def refresh(identifier: str | None = None) -> list[DatasetVersion]:
    """Run the producers; store a new version of each dataset whose data changed."""
    made = []
    for spec in [REGISTRY[identifier]] if identifier else list(REGISTRY.values()):
        rows, hidden = suppress(spec, spec.producer())
        digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()
        with transaction.atomic():
            dataset, _ = Dataset.objects.update_or_create(
                identifier=spec.identifier,
                defaults={
                    "title": spec.title,
                    "description": spec.description,
                    "publisher_id": spec.publisher if Department.objects.filter(pk=spec.publisher).exists() else None,
                    "publisher_name": spec.publisher_name,
                    "theme": spec.theme,
                    "keywords": list(spec.keywords),
                    "periodicity": spec.periodicity,
                    "source": spec.identifier,
                    "columns": [{"name": c.name, "label": c.label, "type": c.type} for c in spec.columns],
                },
            )
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)  # one refresh at a time
            latest = dataset.versions.order_by("-number").first()
            if latest is not None and latest.sha256 == digest:
                continue
            version = DatasetVersion.objects.create(
                dataset=dataset,
                number=(latest.number + 1) if latest else 1,
                rows=json.loads(json.dumps(rows, default=str)),
                row_count=len(rows),
                suppressed=hidden,
                sha256=digest,
            )
            audit.record(
                "disclosure.opendata.version", obj=dataset, data={"version": version.number, "rows": len(rows)}
            )
            made.append(version)
    return made


def as_csv(dataset: Dataset, version: DatasetVersion) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c["label"] for c in dataset.columns])
    limit = f"<{min_count()}"
    for row in version.rows:
        writer.writerow([limit if row.get(c["name"]) is None else row[c["name"]] for c in dataset.columns])
    return ("\ufeff" + buffer.getvalue()).encode()  # a BOM so that spreadsheet programs read UTF-8


def as_json(dataset: Dataset, version: DatasetVersion) -> dict[str, Any]:
    return {
        "dataset": dataset.identifier,
        "version": version.number,
        "created": version.created_at.isoformat(),
        "columns": dataset.columns,
        "suppressed_cells": version.suppressed,
        "suppression": f"涉及人数少于{min_count()}的计数及由其计算的数值不予公布（null）",
        "rows": version.rows,
    }


# --- disclosure's own datasets ---------------------------------------------------------------------


def _timeliness() -> list[dict[str, Any]]:
    """Per month of reply: requests answered, median working days used, share within 20 working
    days, extensions used — the 'honest timeliness' figures."""
    from . import clocks
    from .models import DisclosureRequest

    months: dict[str, list] = {}
    rows = DisclosureRequest.objects.filter(replied_on__isnull=False).prefetch_related("events")
    for req in rows.iterator(chunk_size=500):
        reading = clocks.read(req, req.replied_on)
        if reading is None:
            continue
        months.setdefault(f"{req.replied_on:%Y-%m}", []).append((reading.days_used, req.extension_days > 0))
    out = []
    for month in sorted(months):
        entries = months[month]
        days = [d for d, _ in entries]
        out.append(
            {
                "month": month,
                "replied": len(entries),
                "median_days": statistics.median(days),
                "within_20_share": round(sum(1 for d in days if d <= 20) / len(days), 3),
                "extended": sum(1 for _, e in entries if e),
            }
        )
    return out


def _catalogue() -> list[dict[str, Any]]:
    """Live public documents per site and column."""
    from django.db.models import Count

    from .models import ColumnPage, DisclosureSiteRoot, PolicyDocumentPage

    out = []
    for site in DisclosureSiteRoot.objects.live().public().order_by("path"):
        for column in ColumnPage.objects.live().public().child_of(site).order_by("path"):
            count = PolicyDocumentPage.objects.live().public().descendant_of(column).aggregate(n=Count("pk"))["n"]
            out.append({"site": site.title, "column": column.title, "documents": count})
    return out


register(
    Spec(
        identifier="disclosure-request-timeliness",
        title="政府信息公开申请办理时效（按月）",
        description="每月答复的政府信息公开申请数量、办理用时中位数（工作日）、20个工作日内答复占比、延期答复数量。",
        publisher="business-env",
        publisher_name="大连市营商环境建设局",
        theme="政务公开",
        keywords=("依申请公开", "办理时效"),
        columns=(
            Column("month", "月份", "string"),
            Column("replied", "答复件数", "integer", sensitive=True),
            Column("median_days", "用时中位数（工作日）", "number"),
            Column("within_20_share", "20个工作日内答复占比", "number"),
            Column("extended", "延期答复件数", "integer", sensitive=True),
        ),
        derived={"median_days": ("replied",), "within_20_share": ("replied",)},
        producer=_timeliness,
    )
)
register(
    Spec(
        identifier="disclosure-catalogue",
        title="政府信息公开目录规模",
        description="各公开站点各栏目已公开的政策文件数量。",
        publisher="business-env",
        publisher_name="大连市营商环境建设局",
        theme="政务公开",
        keywords=("政府信息公开目录", "政策文件"),
        columns=(
            Column("site", "站点"),
            Column("column", "栏目"),
            Column("documents", "政策文件数", "integer"),
        ),
        producer=_catalogue,
    )
)
