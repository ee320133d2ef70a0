"""Suggestions: routing rules first (editable keywords or regex, region, validity), then the
model; the department kind and the ticket's region pick the department (the district's one
of that kind when it exists, else the city's)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tongban.identity.models import Department, Region

from . import classifier
from .models import RoutingRule, Subject


@dataclass
class Suggestion:
    category: str
    category_confidence: float
    subject: str | None
    subject_confidence: float
    kind: str | None
    kind_confidence: float
    source: str  # "model" or "rule:<name>"

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def threshold() -> float:
    return float(getattr(settings, "TONGBAN_HOTLINE_SUGGEST_THRESHOLD", 0.2))


def _rule_matches(rule: RoutingRule, text: str, region: Region | None) -> bool:
    today = timezone.localdate()
    if (rule.valid_from and today < rule.valid_from) or (rule.valid_to and today > rule.valid_to):
        return False
    if rule.region_id and (region is None or not region.path.startswith(rule.region.path)):
        return False
    for line in rule.keywords.splitlines():
        words = [w.strip() for w in re.split(r"[,，]", line) if w.strip()]
        if words and all(w in text for w in words):
            return True
    if rule.pattern:
        try:
            return re.search(rule.pattern, text) is not None
        except re.error:
            return False
    return False


def matching_rule(text: str, region: Region | None) -> RoutingRule | None:
    for rule in RoutingRule.objects.filter(active=True).select_related("region", "subject"):
        if _rule_matches(rule, text, region):
            return rule
    return None


def suggest(text: str, region: Region | None) -> Suggestion:
    predicted = classifier.load().predict(text)
    suggestion = Suggestion(
        predicted["category"].label, predicted["category"].confidence,
        predicted["subject"].label, predicted["subject"].confidence,
        predicted["kind"].label, predicted["kind"].confidence, "model")
    rule = matching_rule(text, region)
    if rule is not None:
        suggestion.source = f"rule:{rule.name}"
        if rule.subject_id:
            suggestion.subject, suggestion.subject_confidence = rule.subject_id, 1.0
            suggestion.kind, suggestion.kind_confidence = rule.subject.department_kind, 1.0
        if rule.department_kind:
            suggestion.kind, suggestion.kind_confidence = rule.department_kind, 1.0
        if rule.category:
            suggestion.category, suggestion.category_confidence = rule.category, 1.0
    if suggestion.subject and not Subject.objects.filter(pk=suggestion.subject, active=True).exists():
        suggestion.subject, suggestion.subject_confidence = None, 0.0
    return suggestion


def department_for(kind: str | None, region: Region | None) -> Department | None:
    """The department of `kind` nearest to the region: the district's branch, else the city's."""
    if not kind:
        return None
    codes = [c for c in (region.path.strip("/").split("/") if region else []) if c]
    candidates = list(Department.objects.filter(Q(pk=kind) | Q(parent_id=kind)).select_related("region"))
    best, depth = None, -1
    for dept in candidates:
        if dept.region_id in codes and codes.index(dept.region_id) > depth:
            best, depth = dept, codes.index(dept.region_id)
    if best is None:
        best = next((d for d in candidates if d.pk == kind), None)
    return best
