"""Page views per column (issue 7, item 1), with no personal data: a public view of a column
counts for that column, a view of a document, interpretation or consultation for the nearest
column above it; only the count per column and local day is kept (`ColumnDailyViews`).

Counting must not slow the page. With Redis as the cache, a view is one atomic increment of a
counter per (day, column) in the cache, and the `flush_page_views` job (tasks.py, every 5
minutes) moves the counters into the database: it adds what it read to the row and takes the
same amount off the counter — never resets it — so a view counted between the read and the
take stays for the next run. Without Redis (LocMemCache: one process's memory, and the worker
may be another process) a view is one atomic UPDATE of the day's row (an INSERT the first time).

Counters live BUFFER_DAYS days, and the job looks that far back: a worker stopped longer than
that loses the oldest counters. Redis down: `TolerantRedisCache` drops the increments (the page
is served; those views are not counted)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from tongban.core import audit
from tongban.core.errors import FieldError, NotFound
from tongban.core.validation import parse_day

from . import permissions
from .models import (
    ColumnDailyViews,
    ColumnPage,
    ConsultationPage,
    DisclosureSiteRoot,
    InterpretationPage,
    PolicyDocumentPage,
)

log = logging.getLogger(__name__)

COUNTED = (ColumnPage, PolicyDocumentPage, InterpretationPage, ConsultationPage)
BUFFER_DAYS = 3  # a counter lives this many days; the job reads this many days back
PLACE_SECONDS = 300  # a page's column and site, kept in the cache (the key holds the tree path)
MAX_DAYS = 366  # the longest range the API reads
KEYS_PER_READ = 500
# obvious crawlers only: the user agent is looked at, never kept
BOTS = re.compile(r"bot|spider|crawl|slurp", re.IGNORECASE)


class _Place(NamedTuple):
    column: int | None
    site: int | None
    restricted: bool


# --- counting ---------------------------------------------------------------------------------------


def count_view(page: Page, request: Any) -> None:
    """The `before_serve_page` hook's work: count one public view of `page` for its column.
    A failure is logged, never shown: the page is served either way."""
    if not _countable(page, request):
        return
    try:
        place = _place(page)
        if place.column is None or place.site is None:
            return
        if place.restricted and not _passes_restrictions(page, request):
            return
        day = timezone.localdate()
        if _buffered():
            _count_in_cache(place.column, day)
        else:
            _add(place.column, place.site, day, 1)
    except Exception:  # a statistic must never break a public page
        log.exception("栏目访问量计数失败（页面 %s）", page.pk)


def _countable(page: Page, request: Any) -> bool:
    return (
        request.method == "GET"
        and not getattr(request, "is_preview", False)
        and isinstance(page, COUNTED)
        and page.live
        and not BOTS.search(request.headers.get("User-Agent", ""))
    )


def _cache() -> Any:
    return caches["default"]


def _buffered() -> bool:
    """Redis is the cache: counters are shared by every process, so views go through them."""
    return isinstance(_cache(), RedisCache)


def _place(page: Page) -> _Place:
    key = f"disclosure:views:place:{page.pk}:{page.path}"
    place = _cache().get(key)
    if place is None:
        place = _find_place(page)
        _cache().set(key, tuple(place), PLACE_SECONDS)
    return _Place(*place)


def _find_place(page: Page) -> _Place:
    """The nearest column at or above `page`, the nearest site root above it, and whether a view
    restriction (login, password, groups) applies to it."""
    prefixes = [page.path[:end] for end in range(Page.steplen, len(page.path) + 1, Page.steplen)]
    column = ColumnPage.objects.filter(path__in=prefixes).order_by("-depth").values_list("pk", flat=True).first()
    site = DisclosureSiteRoot.objects.filter(path__in=prefixes).order_by("-depth").values_list("pk", flat=True).first()
    restricted = PageViewRestriction.objects.filter(page__path__in=prefixes).exists()
    return _Place(column, site, restricted)


def _passes_restrictions(page: Page, request: Any) -> bool:
    """Wagtail checks view restrictions after the before_serve_page hooks: a login form or a
    password form is not a view of the page."""
    return all(r.accept_request(request) for r in page.get_view_restrictions())


def _key(column_id: int, day: dt.date) -> str:
    return f"disclosure:views:{day.isoformat()}:{column_id}"


def _count_in_cache(column_id: int, day: dt.date) -> None:
    """One atomic increment (Redis INCRBY); the day's first view creates the counter with
    `add`, which only one process can win — the others increment what it made."""
    cache, key = _cache(), _key(column_id, day)
    try:
        cache.incr(key)
    except ValueError:  # no counter yet
        if not cache.add(key, 1, BUFFER_DAYS * 24 * 3600):
            cache.incr(key)


def _add(column_id: int, site_id: int, day: dt.date, views: int) -> None:
    """Add `views` to the (column, day) row in one atomic UPDATE; insert the row when missing,
    and when another process inserted it first, update again."""
    rows = ColumnDailyViews.objects.filter(column_id=column_id, day=day)
    with transaction.atomic():
        if rows.update(views=F("views") + views):
            return
        try:
            with transaction.atomic():
                ColumnDailyViews.objects.create(column_id=column_id, site_id=site_id, day=day, views=views)
        except IntegrityError:
            rows.update(views=F("views") + views)


# --- moving the counters into the database (the scheduled job) -------------------------------------


def flush() -> int:
    """Move every counter of the last BUFFER_DAYS days into `ColumnDailyViews`; return the
    views moved. Each counter: its row gets what was read and the counter loses the same
    amount in one transaction, so increments made meanwhile wait for the next run. Without
    Redis there are no counters (views went straight to the rows)."""
    if not _buffered():
        return 0
    sites = _column_sites()
    today = timezone.localdate()
    slots = [(column, today - dt.timedelta(days=n)) for n in range(BUFFER_DAYS) for column in sites]
    moved = 0
    for chunk in _chunks(slots, KEYS_PER_READ):
        keys = {_key(column, day): (column, day) for column, day in chunk}
        for key, value in _cache().get_many(list(keys)).items():
            views = int(value or 0)
            if views > 0:
                column, day = keys[key]
                _move(key, column, sites[column], day, views)
                moved += views
    return moved


def _move(key: str, column_id: int, site_id: int, day: dt.date, views: int) -> None:
    with transaction.atomic():
        _add(column_id, site_id, day, views)
        # a counter that expired after it was read: the views written are still its views
        with contextlib.suppress(ValueError):
            _take(key, views)


def _take(key: str, views: int) -> None:
    """Take `views` off the counter. TolerantRedisCache answers a failed increment with 1 and no
    error; here a failure must raise so the row's update is rolled back, so Redis's own increment
    is called (a ValueError when the counter is gone)."""
    cache = _cache()
    strict = getattr(type(cache).incr, "__wrapped__", None)
    if strict is not None:
        strict(cache, key, -views)
    else:
        cache.decr(key, views)


def _column_sites() -> dict[int, int]:
    """{column id: its site's id} for every column, each under its nearest site root."""
    roots = dict(DisclosureSiteRoot.objects.values_list("path", "pk"))
    found = {}
    for column, path in ColumnPage.objects.values_list("pk", "path"):
        for end in range(len(path) - Page.steplen, 0, -Page.steplen):
            if path[:end] in roots:
                found[column] = roots[path[:end]]
                break
    return found


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading ---------------------------------------------------------------------------------------


@audit.no_personal_data("a site's page views per column and day range: counts only")
def site_views(user: Any, slug: str, first: str = "", last: str = "") -> dict[str, Any]:
    """The site's views per column from `first` to `last` (local days, both included): the
    flushed rows, plus the counters not yet flushed when Redis is the cache. For the site's
    staff (its editors, reviewers and administrators; platform editors of its region;
    administrators); 404 to anyone else."""
    site = DisclosureSiteRoot.objects.filter(slug=(slug or "")[:255]).first()
    if site is None or not permissions.may_moderate_site(user, site):
        raise NotFound("未找到该站点")
    first_day, last_day = _date_range(first, last)
    columns = _site_columns(site)
    views = dict.fromkeys(columns, 0)
    rows = ColumnDailyViews.objects.filter(site=site, day__range=(first_day, last_day))
    for column, total in rows.values("column").annotate(total=Sum("views")).values_list("column", "total"):
        views[column] = views.get(column, 0) + total
    missing = set(views) - set(columns)
    if missing:  # a column since moved to another site: its views here still count here
        columns.update(_columns(site, ColumnPage.objects.filter(pk__in=missing)))
    if _buffered():  # read after the rows: a flush in between can only leave views out, never count them twice
        for column, pending in _pending(list(columns), first_day, last_day).items():
            views[column] += pending
    items = [{"column": pk, **columns[pk], "views": views[pk]} for pk in columns]
    items.sort(key=lambda row: (-row["views"], row["path"]))
    return {
        "site": site.slug,
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "columns": items,
        "total": sum(views.values()),
    }


def _date_range(first: str, last: str) -> tuple[dt.date, dt.date]:
    last_day = parse_day(last, "to") or timezone.localdate()
    first_day = parse_day(first, "from") or last_day - dt.timedelta(days=29)
    if first_day > last_day:
        raise FieldError("to", "结束日期不能早于开始日期")
    if (last_day - first_day).days >= MAX_DAYS:
        raise FieldError("from", f"统计区间不能超过{MAX_DAYS}天")
    return first_day, last_day


def _site_columns(site: DisclosureSiteRoot) -> dict[int, dict[str, str]]:
    """The site's columns (not those of a site nested in it): {id: {"title", "path"}}."""
    columns = ColumnPage.objects.descendant_of(site)
    inner = Q()
    for path in DisclosureSiteRoot.objects.descendant_of(site).values_list("path", flat=True):
        inner |= Q(path__startswith=path)
    return _columns(site, columns.exclude(inner) if inner else columns)


def _columns(site: DisclosureSiteRoot, columns: Any) -> dict[int, dict[str, str]]:
    base = len(site.url_path) - 1
    return {
        pk: {"title": title, "path": url_path[base:] if url_path.startswith(site.url_path) else url_path}
        for pk, title, url_path in columns.order_by("path").values_list("pk", "title", "url_path")
    }


def _pending(columns: list[int], first_day: dt.date, last_day: dt.date) -> dict[int, int]:
    """The counters of `columns` not yet flushed for the days of the range still in the cache."""
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(BUFFER_DAYS)]
    keys = {_key(c, d): c for d in days if first_day <= d <= last_day for c in columns}
    found: dict[int, int] = {}
    for chunk in _chunks(list(keys), KEYS_PER_READ):
        for key, value in _cache().get_many(chunk).items():
            found[keys[key]] = found.get(keys[key], 0) + max(int(value or 0), 0)
    return found
