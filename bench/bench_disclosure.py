"""Disclosure (issue 7): the privacy detector's speed (≥ 1 MB/s) and its recall and precision
on the labelled set; document search p95 through the public API; the annual report's time.

On DATABASE_URL (default PostgreSQL `tongban_bench_disclosure`; created, migrated, demo loaded):

1. **Privacy**: `privacy.scan` over the seed documents (realistic government text, repeated to
   ~1 MB) and over the labelled snippets (dense in personal data): MB/s; recall and precision
   on `disclosure/data/pii_snippets.json`.
2. **Documents**: `--documents` extra policy documents under the demo site's 政策文件 column
   (added through Wagtail, so keep it modest; the 200,000-document bulk build is not done
   here), then `GET /api/disclosure/documents?q=…` `--requests` times: p50/p95.
3. **Annual report**: `annual.report(year)` for the city: seconds.

    ./tongban bench disclosure [--documents 500] [--requests 200]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench_disclosure")

from _common import ROOT, database_label, header, percentile, ready_database

QUERIES = ["政务公开", "营商环境", "互联网+政务服务", "只提交一次材料", "电子认证", "企业开办", "大政办发", "平台建设"]


def privacy_figures() -> list[str]:
    from tongban.core import privacy

    seeds = "".join(Path(p).read_text(encoding="utf-8") for p in sorted(glob.glob("/work/shared/seeds/*.txt")))
    rows = json.loads((ROOT / "src/tongban/disclosure/data/pii_snippets.json").read_text(encoding="utf-8"))
    dense = "\n".join(r["text"] for r in rows)
    privacy.scan("患者张三")  # load jieba's dictionary outside the timing
    lines = []
    for label, text in (("seed documents", seeds), ("labelled snippets", dense)):
        text = text * max(1, 1_000_000 // max(1, len(text.encode())))
        started = time.perf_counter()
        privacy.scan(text)
        seconds = time.perf_counter() - started
        lines.append(
            f"privacy scan, {label}: {len(text.encode()) / seconds / 1e6:.2f} MB/s "
            f"({len(text.encode()) / 1e6:.2f} MB in {seconds:.2f} s)"
        )
    tp = fp = fn = 0
    for row in rows:
        found = bool(privacy.scan(row["text"]))
        tp += found and row["pii"]
        fp += found and not row["pii"]
        fn += (not found) and row["pii"]
    lines.append(
        f"privacy on {len(rows)} labelled snippets: recall {tp / (tp + fn):.3f}, precision {tp / max(1, tp + fp):.3f}"
    )
    return lines


def add_documents(count: int) -> None:
    from tongban.disclosure import page_actions
    from tongban.disclosure.models import ColumnPage, DisclosureSiteRoot, PolicyDocumentPage

    site = DisclosureSiteRoot.objects.filter(is_city=True).first()
    column = ColumnPage.objects.child_of(site).get(slug="zcwj")
    have = PolicyDocumentPage.objects.filter(slug__startswith="bench-").count()
    for i in range(have, count):
        page_actions.add_page(
            column,
            PolicyDocumentPage(
                title=f"关于{QUERIES[i % len(QUERIES)]}工作的通知（第{i}号）",
                slug=f"bench-{i}",
                document_number=f"大政办发〔{2015 + i % 10}〕{i + 1}号",
                issuer_name="大连市人民政府办公室",
                topics=QUERIES[i % len(QUERIES)],
                body=f"<p>为做好{QUERIES[(i * 7) % len(QUERIES)]}工作，现通知如下。</p>",
            ),
        )


def search_figures(requests: int) -> list[str]:
    from django.test import Client

    client = Client()
    timings = []
    for i in range(requests):
        started = time.perf_counter()
        response = client.get("/api/disclosure/documents", {"q": QUERIES[i % len(QUERIES)]})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return [
        f"document search ({requests} requests): p50 {percentile(timings, 0.5):.1f} ms, "
        f"p95 {percentile(timings, 0.95):.1f} ms"
    ]


def annual_figures() -> list[str]:
    import datetime as dt

    from tongban.disclosure import annual

    started = time.perf_counter()
    annual.report(dt.date.today().year - 1)
    return [f"annual report (city): {time.perf_counter() - started:.2f} s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    ready_database(demo=True)
    from tongban.disclosure.models import PolicyDocumentPage  # Django is set up by ready_database

    add_documents(args.documents)
    lines = [
        *header("Disclosure"),
        f"database {database_label()}",
        f"documents {PolicyDocumentPage.objects.live().count()}",
    ]
    lines += privacy_figures() + search_figures(args.requests) + annual_figures()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
