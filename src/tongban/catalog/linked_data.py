"""The catalogue as linked data: CPSV-AP (the EU Core Public Service Vocabulary Application
Profile) in JSON-LD. Items are `cpsv:PublicService` with their competent authority, inputs
(`cv:Evidence`, each saying where it comes from), processing time and legal basis; bundles
and life stages are `cv:LifeEvent` / `cv:BusinessEvent` that group them (`cv:isGroupedBy`);
conditions as rules are `cv:CriterionRequirement`s (`cv:holdsRequirement`).

The context is embedded, never referenced by URL, so the export expands offline (pyld, see
tests/test_linked_data.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .constants import ENTERPRISE_STAGES, LIFE_STAGES, DaysUnit, Source
from .models import Bundle, Material, ServiceItem

CONTEXT = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "name": {"@id": "dct:title", "@language": "zh-Hans"},
    "description": {"@id": "dct:description", "@language": "zh-Hans"},
    "identifier": "dct:identifier",
    "type": "dct:type",
    "hasCompetentAuthority": {"@id": "cv:hasCompetentAuthority", "@type": "@id"},
    "hasInput": {"@id": "cpsv:hasInput"},
    "produces": {"@id": "cpsv:produces"},
    "follows": {"@id": "cpsv:follows"},
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "processingTime": {"@id": "cv:processingTime", "@type": "xsd:duration"},
    "holdsRequirement": {"@id": "cv:holdsRequirement"},
    "keyword": {"@id": "dcat:keyword", "@language": "zh-Hans"},
    "dcat": "http://www.w3.org/ns/dcat#",
    "isGroupedBy": {"@id": "cv:isGroupedBy", "@type": "@id"},
    "prefLabel": {"@id": "skos:prefLabel", "@language": "zh-Hans"},
    "source": "dct:source",
}


def _base() -> str:
    return settings.BASE_URL.rstrip("/") + "/api/catalog"


def _duration(days: int) -> str:
    """ISO 8601 duration; working days have no ISO unit, so `cv:processingTimeUnit` says which."""
    return f"P{days}D"


def _evidence(m: Material) -> dict[str, Any]:
    out = {"@type": "cv:Evidence", "name": m.name, "identifier": m.material_type.code,
           "source": m.source_code}
    if m.source == Source.LICENCE:
        out["description"] = f"无需提交：平台从《{m.licence_type.name}》电子证照调取"
    return out


def export() -> dict[str, Any]:
    base = _base()
    items = list(ServiceItem.objects.filter(active=True).select_related("department", "current_version")
                 .order_by("code"))
    materials: dict[int, list[Material]] = {}
    for m in (Material.objects.filter(version__in=[i.current_version_id for i in items])
              .select_related("material_type", "licence_type").order_by("position")):
        materials.setdefault(m.version_id, []).append(m)
    bundles = list(Bundle.objects.filter(active=True).prefetch_related("items"))
    grouped: dict[int, list[str]] = {}
    for b in bundles:
        for i in b.items.all():
            grouped.setdefault(i.pk, []).append(f"{base}/bundles/{b.code}")
    graph: list[dict[str, Any]] = []
    for item in items:
        e = item.current_version.elements
        stage = [f"{base}/life-stages/{item.life_stage}"] if item.life_stage else []
        graph.append({
            "@id": f"{base}/items/{item.code}", "@type": "cpsv:PublicService", "identifier": item.code,
            "name": item.name, "type": item.type, "keyword": item.keywords,
            "description": "；".join(e.get("conditions", [])),
            "hasCompetentAuthority": f"{base}/departments/{item.department_id}",
            "hasInput": [_evidence(m) for m in materials.get(item.current_version_id, [])],
            "produces": [{"@type": "cv:Output", "identifier": code} for code in e.get("outputs", [])],
            "follows": [{"@type": "eli:LegalResource", "name": b} for b in e.get("basis", [])],
            "holdsRequirement": [{"@type": "cv:CriterionRequirement", "name": r["message"],
                                  "identifier": r["fact"]} for r in e.get("condition_rules", [])],
            "processingTime": _duration(item.legal_days),
            "cv:processingTimeUnit": "工作日" if item.legal_days_unit == DaysUnit.WORKING else "日",
            "isGroupedBy": grouped.get(item.pk, []) + stage,
        })
    for b in bundles:
        kind = "cv:BusinessEvent" if b.audience == "enterprise" else "cv:LifeEvent"
        graph.append({"@id": f"{base}/bundles/{b.code}", "@type": kind, "identifier": b.code, "name": b.name,
                      "description": b.description})
    for key, label in LIFE_STAGES.items():
        kind = "cv:BusinessEvent" if key in ENTERPRISE_STAGES else "cv:LifeEvent"
        graph.append({"@id": f"{base}/life-stages/{key}", "@type": kind, "identifier": key, "name": label})
    departments = {i.department_id: i.department for i in items}
    for dept in departments.values():
        graph.append({"@id": f"{base}/departments/{dept.pk}", "@type": "cv:PublicOrganisation",
                      "prefLabel": dept.name, "identifier": dept.uscc})
    return {"@context": CONTEXT, "@graph": graph}
