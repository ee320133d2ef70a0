"""Site health (R23): what the national inspection of government websites treats as failures,
found on one disclosure site. Each `Failure` carries the link to what fixes it (the column in
the admin, the page's editor, the message in the moderation queue).

* the home page (the site's newest item) not updated for 2 weeks; a column not updated within
  its type's period (`COLUMN_PERIODS`: news 2 weeks, notices and policies 6 months, personnel
  and planning 1 year); more than 5 empty columns;
* messages unanswered for more than 3 months;
* broken internal links (Wagtail page, document and image links, site paths) and attachments
  whose file is gone; external links, checked by httpx with a timeout and at most
  `EXTERNAL_LINKS_MAX` per run, only on the hosts `TONGBAN_HEALTH_EXTERNAL_HOSTS` allows
  ("*" for all; none while testing unless a test names its own)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Max
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from wagtail.fields import RichTextField
from wagtail.models import Page, Site

from .constants import (
    COLUMN_PERIODS,
    EMPTY_COLUMNS_LIMIT,
    EXTERNAL_LINKS_MAX,
    EXTERNAL_TIMEOUT,
    HOME_PERIOD_WEEKS,
    UNANSWERED_MONTHS,
    HealthCheck,
    MessageStatus,
)
from .models import ColumnPage, DisclosureSiteRoot, SiteMessage

_TAG = re.compile(r"<(a|embed)\b([^>]*)>", re.I)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')


@dataclass
class Failure:
    kind: str
    title: str
    detail: str
    fix_url: str


@dataclass
class Result:
    failures: list[Failure] = field(default_factory=list)
    pages_checked: int = 0
    external_checked: int = 0
    external_skipped: int = 0


def _edit(page_id: int) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page_id])


def _explore(page_id: int) -> str:
    return reverse("wagtailadmin_explore", args=[page_id])


def _back(today: dt.date, weeks: int = 0, months: int = 0) -> dt.date:
    return today - relativedelta(weeks=weeks, months=months)


def check(site: DisclosureSiteRoot, today: dt.date | None = None, *, external: bool = True) -> Result:
    today = today or timezone.localdate()
    result = Result()
    result.failures += _freshness(site, today)
    result.failures += _unanswered(site, today)
    _links(site, result, external=external)
    return result


# --- freshness and empty columns --------------------------------------------------------------------


def _content_under(path: str, depth: int):
    return Page.objects.live().filter(path__startswith=path, depth__gt=depth).exclude(
        content_type__model="columnpage", content_type__app_label="disclosure"
    )


def _freshness(site: DisclosureSiteRoot, today: dt.date) -> Iterator[Failure]:
    newest = _content_under(site.path, site.depth).aggregate(at=Max("first_published_at"))["at"]
    home_due = _back(today, weeks=HOME_PERIOD_WEEKS)
    if newest is None or timezone.localdate(newest) < home_due:
        when = f"最近一次更新于{timezone.localdate(newest)}" if newest else "本站尚无任何信息"
        yield Failure(HealthCheck.HOME_STALE, f"首页信息超过{HOME_PERIOD_WEEKS}周未更新", when, _explore(site.pk))
    columns = list(ColumnPage.objects.live().descendant_of(site).order_by("path"))
    parents = {c.path[: -Page.steplen] for c in columns}
    empty = []
    for column in columns:
        stats = _content_under(column.path, column.depth).aggregate(n=Count("pk"), at=Max("first_published_at"))
        if not stats["n"]:
            if column.path not in parents:  # a leaf column with nothing in it
                empty.append(column)
            continue
        period = COLUMN_PERIODS.get(column.column_type)
        if period and timezone.localdate(stats["at"]) < _back(today, *period):
            span = _span(*period)
            yield Failure(
                HealthCheck.STALE_COLUMN,
                f"栏目“{column.title}”超过{span}未更新",
                f"最近一次发布于{timezone.localdate(stats['at'])}，应至少每{span}更新",
                reverse("wagtailadmin_pages:add_subpage", args=[column.pk]),
            )
    if len(empty) > EMPTY_COLUMNS_LIMIT:
        for column in empty:
            yield Failure(
                HealthCheck.EMPTY_COLUMN,
                f"空白栏目“{column.title}”",
                f"本站共{len(empty)}个空白栏目，超过{EMPTY_COLUMNS_LIMIT}个：请补充内容或撤并栏目",
                reverse("wagtailadmin_pages:add_subpage", args=[column.pk]),
            )


def _span(weeks: int, months: int) -> str:
    if weeks:
        return f"{weeks}周"
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


def _unanswered(site: DisclosureSiteRoot, today: dt.date) -> Iterator[Failure]:
    due = timezone.make_aware(dt.datetime.combine(_back(today, months=UNANSWERED_MONTHS), dt.time.min))
    rows = (
        SiteMessage.objects.filter(site=site, answered_at__isnull=True, created_at__lt=due)
        .exclude(status=MessageStatus.HIDDEN)
        .only("pk", "title", "created_at")
        .order_by("created_at")
    )
    manage = reverse("disclosure-site-messages-manage", args=[site.slug])
    for row in rows:
        yield Failure(
            HealthCheck.UNANSWERED,
            f"留言“{row.title}”超过{UNANSWERED_MONTHS}个月未答复",
            f"留言编号{row.number}，留言时间{timezone.localdate(row.created_at)}",
            f"{manage}#m-{row.pk}",
        )


# --- links and attachments --------------------------------------------------------------------------


def _rich_text(page: Page) -> str:
    return "\n".join(
        getattr(page, f.name) or "" for f in page._meta.get_fields() if isinstance(f, RichTextField)
    )


def _links(site: DisclosureSiteRoot, result: Result, *, external: bool) -> None:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    documents, images = get_document_model(), get_image_model()
    outside: dict[str, list[Page]] = {}
    content = _content_under(site.path, site.depth).specific().order_by("path")
    for page in content.iterator(chunk_size=200):
        result.pages_checked += 1
        for tag, attrs in _tags(_rich_text(page)):
            problem = None
            kind = attrs.get("linktype") or attrs.get("embedtype")
            if kind == "page":
                problem = None if _live_page(attrs.get("id")) else f"链接的页面（ID {attrs.get('id')}）已删除或未发布"
            elif kind == "document":
                problem = _file_problem(documents, attrs.get("id"), "文档")
            elif kind == "image":
                problem = _file_problem(images, attrs.get("id"), "图片")
            elif tag == "a" and attrs.get("href"):
                href = attrs["href"]
                if href.startswith(("http://", "https://")) and not _own(href):
                    outside.setdefault(href, []).append(page)
                elif href.startswith("/") or _own(href):
                    problem = None if _path_ok(urlsplit(href).path) else f"站内地址 {href[:120]} 无法打开"
            if problem:
                result.failures.append(Failure(HealthCheck.BROKEN_LINK, f"“{page.title}”中的链接失效", problem,
                                               _edit(page.pk)))
        for problem in _attachment_problems(page):
            result.failures.append(Failure(HealthCheck.BROKEN_ATTACHMENT, f"“{page.title}”的附件失效", problem,
                                           _edit(page.pk)))
        url = getattr(page, "video_url", "")
        if url and not _own(url):
            outside.setdefault(url, []).append(page)
    if external:
        _external(outside, result)
    else:
        result.external_skipped += len(outside)


def _tags(text: str) -> Iterable[tuple[str, dict[str, str]]]:
    for match in _TAG.finditer(text):
        yield match.group(1).lower(), dict(_ATTR.findall(match.group(2)))


def _live_page(page_id: str | None) -> bool:
    return bool(page_id and page_id.isdigit() and Page.objects.live().filter(pk=int(page_id)).exists())


def _file_problem(model, object_id: str | None, label: str) -> str | None:
    row = model.objects.filter(pk=int(object_id)).first() if object_id and object_id.isdigit() else None
    if row is None:
        return f"链接的{label}（ID {object_id}）已删除"
    if not _file_exists(row.file):
        return f"{label}“{row.title}”的文件已丢失"
    return None


def _file_exists(file) -> bool:
    try:
        return bool(file.name) and file.storage.exists(file.name)
    except (OSError, ValueError):
        return False


def _attachment_problems(page: Page) -> Iterator[str]:
    """The page's document and image fields (the policy document's attachment, a chart, a video)."""
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage

    for f in page._meta.get_fields():
        target = getattr(f, "related_model", None)
        if not (f.many_to_one and target and issubclass(target, AbstractDocument | AbstractImage)):
            continue
        if getattr(page, f.attname) is None:
            continue
        row = target.objects.filter(pk=getattr(page, f.attname)).first()
        if row is None or not _file_exists(row.file):
            yield f"{f.verbose_name}“{row.title if row else getattr(page, f.attname)}”的文件已丢失或被删除"


def _own(url: str) -> bool:
    place = urlsplit(url).netloc.lower()
    return bool(place) and place == urlsplit(getattr(settings, "BASE_URL", "") or "").netloc.lower()


def _roots() -> list[str]:
    return list(Site.objects.values_list("root_page__url_path", flat=True))


def _path_ok(path: str) -> bool:
    """A path of this platform answers: a Django route, or a live page under a site's root."""
    try:
        match = resolve(path or "/")
    except Resolver404:
        return False
    if match.url_name not in ("wagtail_serve", "portal-home"):
        return True
    wanted = [root.rstrip("/") + (path if path.endswith("/") else path + "/") for root in _roots()]
    return Page.objects.live().filter(url_path__in=wanted).exists()


def allowed_hosts() -> list[str]:
    configured = getattr(settings, "TONGBAN_HEALTH_EXTERNAL_HOSTS", None)
    if configured is None:
        return [] if getattr(settings, "TESTING", False) else ["*"]
    if isinstance(configured, str):
        configured = [h.strip() for h in configured.split(",")]
    return [h for h in configured if h]


def _external(outside: dict[str, list[Page]], result: Result) -> None:
    hosts = allowed_hosts()
    urls = [u for u in outside if "*" in hosts or (urlsplit(u).hostname or "") in hosts]
    result.external_skipped += len(outside) - min(len(urls), EXTERNAL_LINKS_MAX)
    with httpx.Client(timeout=EXTERNAL_TIMEOUT, follow_redirects=True, max_redirects=5,
                      headers={"User-Agent": "Tongban-SiteHealth/1.0"}) as client:
        for url in urls[:EXTERNAL_LINKS_MAX]:
            result.external_checked += 1
            problem = _fetch(client, url)
            if problem:
                for page in outside[url][:5]:
                    result.failures.append(Failure(HealthCheck.EXTERNAL_LINK, f"“{page.title}”中的外部链接不可访问",
                                                   f"{url[:200]}：{problem}", _edit(page.pk)))


def _fetch(client: httpx.Client, url: str) -> str | None:
    try:
        response = client.head(url)
        if response.status_code in (405, 501):
            response = client.get(url)
    except httpx.HTTPError as exc:
        return f"无法访问（{type(exc).__name__}）"
    return f"返回 HTTP {response.status_code}" if response.status_code >= 400 else None
