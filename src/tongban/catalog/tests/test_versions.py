"""Versions (A7, S1 (十)): publishing creates an immutable version with an effective date; the
change enters the public change log at once; old versions stay readable."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.catalog import actions
from tongban.catalog.models import ItemImplementation, ItemVersion, ServiceItem
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.testing import api_client

from .factories import make_item

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def publish(actor, item, **changes):
    return actions.publish_item(actor, item, changes=changes, effective_date=TODAY(), summary="调整受理条件",
                                base_version=item.version)


def test_publish_creates_the_next_version_and_keeps_the_old_one(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    v2 = publish(cast.officer_a, item, conditions=["新的受理条件"], fee_standard="工本费5元")
    assert v2.number == 2 and v2.changed == ["fee_standard", "conditions"]
    item.refresh_from_db()
    assert item.version == 2 and item.current_version == v2
    old = api_client().get("/api/catalog/items/SCJG-XK-008/versions/1").json()
    assert old["version"] == 1 and old["conditions"] != ["新的受理条件"]
    new = api_client().get("/api/catalog/items/SCJG-XK-008").json()
    assert new["version"] == 2 and new["conditions"] == ["新的受理条件"]
    assert len(new["materials"]) == len(old["materials"])  # materials carried over unchanged


def test_published_version_cannot_be_edited(catalog):
    version = ItemVersion.objects.filter(number=1).first()
    version.summary = "改写历史"
    with pytest.raises(ValueError):
        version.save()


def test_change_log_lists_the_change_at_once(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    publish(cast.officer_a, item, keywords=["开饭店", "餐饮许可"])
    log = api_client().get("/api/catalog/changes", {"item": "SCJG-XK-008"}).json()
    assert log["count"] == 2
    latest = log["items"][0]
    assert latest["item"] == "SCJG-XK-008" and latest["version"] == 2
    assert latest["effective_date"] == TODAY().isoformat()
    assert latest["changed"] == [{"field": "keywords", "label": "关键词"}]
    city_wide = api_client().get("/api/catalog/changes").json()
    assert city_wide["items"][0]["item"] == "SCJG-XK-008"


def test_versions_list_and_diff(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    publish(cast.officer_a, item, legal_days=8)
    versions = api_client().get("/api/catalog/items/SCJG-XK-008/versions").json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    diff = api_client().get("/api/catalog/items/SCJG-XK-008/diff", {"a": 1, "b": 2}).json()
    assert diff["changes"] == [{"field": "legal_days", "label": "法定办结时限", "before": 10, "after": 8}]
    assert ItemImplementation.objects.filter(item=item).values_list("legal_days", flat=True).distinct().get() == 8


def test_unknown_version_is_404(catalog):
    r = api_client().get("/api/catalog/items/SCJG-XK-008/versions/99")
    assert r.status_code == 404 and "99" in r.json()["detail"]


def test_a_future_version_waits_for_its_effective_date(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    actions.publish_item(cast.officer_a, item, changes={"fee_standard": "工本费5元"},
                         effective_date=TODAY() + dt.timedelta(days=30), summary="下月起收费", base_version=1)
    guide = api_client().get("/api/catalog/items/SCJG-XK-008").json()
    assert guide["version"] == 1 and guide["fee_standard"] == "不收费"
    assert guide["upcoming"]["version"] == 2


def test_stale_base_version_is_a_conflict(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    publish(cast.officer_a, item, keywords=["a1"])
    with pytest.raises(Conflict) as exc:
        actions.publish_item(cast.officer_a, item, changes={"keywords": ["b1"]}, effective_date=TODAY(),
                             summary="x", base_version=1)
    assert "第2版" in exc.value.message


def test_nothing_changed_is_refused(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    with pytest.raises(FieldError) as exc:
        publish(cast.officer_a, item, conditions=list(item.current_version.elements["conditions"]))
    assert exc.value.errors[0][0] == "changes"


def test_publish_validates_every_element_at_once(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    with pytest.raises(FieldError) as exc:
        actions.publish_item(cast.officer_a, item, effective_date=TODAY() - dt.timedelta(days=1), summary="",
                             base_version=1, changes={"lists": ["容缺受理"], "place": "x", "legal_days": -1,
                                                      "materials": [{"name": "营业执照", "source": "licence:ZZ-NOPE"}]})
    fields = {f for f, _ in exc.value.errors}
    assert {"effective_date", "summary", "place", "lists", "legal_days", "materials[0].licence_type"} <= fields


def test_computed_lists_cannot_be_set_by_hand(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    with pytest.raises(FieldError) as exc:
        publish(cast.officer_a, item, lists=["全程网办", "容缺受理"])
    assert any("自动计算" in m for _, m in exc.value.errors)


def test_removing_the_tolerable_materials_drops_the_computed_list(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    materials = api_client().get("/api/catalog/items/SCJG-XK-008/versions/1").json()["materials"]
    kept = [{"name": m["name"], "source": m["source"], "required": m["required"], "tolerable": False}
            for m in materials]
    publish(cast.officer_a, item, materials=kept)
    item.refresh_from_db()
    assert not item.tolerant
    assert "容缺受理" not in api_client().get("/api/catalog/items/SCJG-XK-008").json()["lists"]


def test_legal_limit_below_a_promise_is_refused(catalog, cast):
    item = ServiceItem.objects.get(code="SCJG-XK-008")  # promised 3 days everywhere
    with pytest.raises(FieldError) as exc:
        publish(cast.officer_a, item, legal_days=2)
    assert exc.value.errors[0][0] == "legal_days" and "中山区" in exc.value.errors[0][1]


def test_district_officer_cannot_publish_the_city_standard(catalog, cast):
    item = ServiceItem.objects.filter(department_id="civil-affairs").first()
    with pytest.raises(NotFound):
        publish(cast.district_officer, item, keywords=["x"])


def test_other_department_officer_cannot_publish(catalog, cast):
    with pytest.raises(NotFound):
        publish(cast.officer_b, ServiceItem.objects.get(code="SCJG-XK-008"), keywords=["x"])


def test_api_publish_and_stale_409(catalog, cast):
    client = api_client(cast.officer_a)
    body = {"base_version": 1, "effective_date": TODAY().isoformat(), "summary": "补充关键词",
            "changes": {"keywords": ["开饭店"]}}
    r = client.post("/api/catalog/items/SCJG-XK-008/versions", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 2
    r = client.post("/api/catalog/items/SCJG-XK-008/versions", body, content_type="application/json")
    assert r.status_code == 409


def test_api_publish_refuses_anonymous(catalog):
    r = api_client().post("/api/catalog/items/SCJG-XK-008/versions", {}, content_type="application/json")
    assert r.status_code == 401


def test_new_item_gets_version_one(catalog, editor):
    item = make_item(editor, "TEST-GG-900", materials=4)
    assert item.version == 1
    assert api_client().get("/api/catalog/items/TEST-GG-900").json()["departments_parallel"] == [
        {"id": "police", "name": "大连市公安局"}]


def test_api_publish_with_the_same_idempotency_key_creates_one_version(catalog, cast):
    client = api_client(cast.officer_a, **{"Idempotency-Key": "publish-1"})
    body = {"base_version": 1, "effective_date": TODAY().isoformat(), "summary": "补充关键词",
            "changes": {"keywords": ["开饭店"]}}
    first = client.post("/api/catalog/items/SCJG-XK-008/versions", body, content_type="application/json")
    again = client.post("/api/catalog/items/SCJG-XK-008/versions", body, content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceItem.objects.get(code="SCJG-XK-008").version == 2
