"""RSS 2.0 and Atom feeds of a disclosure site and of each of its columns (Django's syndication
framework): only pages that are live and public, of that site (or column) alone, newest first.
Public routes: proactive disclosure is for everyone (R13)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from wagtail.models import Page

from .models import ColumnPage, ConsultationPage, DisclosureSiteRoot, InterpretationPage, PolicyDocumentPage

ITEMS = 50
SUMMARY = 200


class SiteFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def __call__(self, request, *args, **kwargs):
        feed = type(self)()  # one instance per request: the links need the request (threads share the view)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def get_object(self, request: HttpRequest, site: str, column: str | None = None) -> Page:
        root = DisclosureSiteRoot.objects.live().public().filter(slug=site).first()
        if root is None:
            raise Http404("未找到该站点")
        if column is None:
            return root
        node = ColumnPage.objects.live().public().descendant_of(root).filter(slug=column).order_by("path").first()
        if node is None:
            raise Http404("未找到该栏目")
        return node

    def title(self, obj: Page) -> str:
        if isinstance(obj, DisclosureSiteRoot):
            return f"{obj.title} — 最新信息"
        return f"{obj.get_parent().title} — {obj.title}"

    def link(self, obj: Page) -> str:
        return obj.get_url(self.request) or "/"

    def description(self, obj: Page) -> str:
        return f"{obj.title}主动公开的政策文件、政策解读和意见征集"

    def items(self, obj: Page):
        return (
            Page.objects.live()
            .public()
            .descendant_of(obj)
            .type(PolicyDocumentPage, InterpretationPage, ConsultationPage)
            .specific()
            .order_by("-first_published_at", "-pk")[:ITEMS]
        )

    def item_title(self, item: Page) -> str:
        number = getattr(item, "document_number", "")
        return f"{item.title}（{number}）" if number else item.title

    def item_link(self, item: Page) -> str:
        return item.get_url(self.request) or "/"

    def item_guid(self, item: Page) -> str:
        return f"tongban-disclosure-page-{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item: Page) -> str:
        if isinstance(item, PolicyDocumentPage):
            head = "　".join(x for x in (item.document_number, item.issuer_name, item.get_validity_display()) if x)
            text = strip_tags(item.body or "")
        elif isinstance(item, InterpretationPage):
            head = item.get_kind_display() + (f"：{item.document.title}" if item.document_id else "")
            text = strip_tags(item.body or "")
        else:
            head = f"征求意见期：{item.opens_on} 至 {item.closes_on}"
            text = strip_tags(item.draft or "")
        text = " ".join(text.split())
        return f"{head}\n{text[:SUMMARY]}{'…' if len(text) > SUMMARY else ''}"

    def item_pubdate(self, item: Page):
        return item.first_published_at

    def item_updateddate(self, item: Page):
        return item.last_published_at

    def item_author_name(self, item: Page) -> str | None:
        return getattr(item, "issuer_name", None) or getattr(item, "interpreter", None) or None

    def item_categories(self, item: Page):
        return item.topic_list() if isinstance(item, PolicyDocumentPage) else ()


class AtomSiteFeed(SiteFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Page) -> str:
        return self.description(obj)
