"""Search tables: the generic document every app indexes into, the synonyms editors keep,
and the log of queries that found nothing.

The engine-specific index lives beside `SearchDocument` and follows it by itself, so no code
path can forget to update it (migration 0002): on PostgreSQL a generated, weighted `tsvector`
column with a GIN index and a `pg_trgm` index on the title; on SQLite an FTS5 table kept in
step by triggers. Neither is a model field, so the ORM never reads or writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SearchDocument(models.Model):
    """One searchable thing: a service item (kind "item", key = item code), a knowledge-base
    answer, a disclosure document … Written only by `SearchBackend.index()`/`remove()`."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    region_code = models.CharField(max_length=12, blank=True)
    audience = models.CharField(max_length=12, blank=True, help_text="person, enterprise or both")
    themes = models.JSONField(default=list, blank=True)
    popularity = models.FloatField(default=0.0)
    data = models.JSONField(default=dict, blank=True, help_text="returned with each hit, for display")
    updated_at = models.DateTimeField()
    # Analysed text (indexing.analyse_document): what both engines index.
    title_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    title_text = models.CharField(max_length=300, blank=True)
    keyword_text = models.TextField(blank=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="search_document_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} {self.title}"


class Synonym(models.Model):
    """A query containing `term` also searches `synonyms`; with `mutual`, each synonym also
    finds the term and the others. Edited only through `actions.add_synonym()`."""

    term = models.CharField("词", max_length=100, unique=True)
    synonyms = models.JSONField("同义词", default=list)
    mutual = models.BooleanField("互为同义", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "同义词"
        verbose_name_plural = "同义词"
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {'、'.join(self.synonyms)}"


class QueryLog(models.Model):
    """A query (normalised) that found nothing, counted, for the editors' dashboard."""

    kind = models.CharField(max_length=40)
    query = models.CharField("查询", max_length=100)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField("处理方式", max_length=200, blank=True)

    class Meta:
        verbose_name = "无结果查询"
        verbose_name_plural = "无结果查询"
        constraints = [models.UniqueConstraint(fields=["kind", "query"], name="search_querylog_kind_query")]
        indexes = [models.Index(fields=["resolved", "-count"], name="search_querylog_open")]

    def __str__(self) -> str:
        return f"{self.query} ×{self.count}"
