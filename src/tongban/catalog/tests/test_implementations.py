"""实施清单: local elements only, promised ≤ legal, editors within their department and region."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from tongban.catalog import actions
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import FieldError, NotFound
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


def impl(code, region):
    return ItemImplementation.objects.get(item__code=code, region_id=region)


def district_civil_affairs_impl():
    return ItemImplementation.objects.filter(department_id="zhongshan-civil-affairs", region_id="210202").first()


def test_officer_changes_local_elements_with_an_audit_record(catalog, cast):
    from tongban.core.models import AuditRecord

    target = impl("SCJG-XK-008", "210200")
    updated = actions.update_implementation(cast.officer_a, target, hours="工作日 9:00—17:00", promised_days=2)
    assert updated.hours == "工作日 9:00—17:00" and updated.promised_days == 2
    record = AuditRecord.objects.filter(action="catalog.implementation.update").latest("pk")
    assert record.data["after"]["promised_days"] == 2 and record.data["before"]["promised_days"] == 3


def test_promised_above_legal_is_refused_by_the_action(catalog, cast):
    target = impl("SCJG-XK-008", "210200")  # legal 10 working days
    with pytest.raises(FieldError) as exc:
        actions.update_implementation(cast.officer_a, target, promised_days=11)
    assert exc.value.errors[0][0] == "promised_days"
    assert "法定时限10" in exc.value.errors[0][1]


def test_promised_in_working_days_must_fit_a_calendar_day_limit(catalog, cast):
    target = ItemImplementation.objects.filter(item__code="WJW-XK-001", region_id="210200").first()
    assert target.legal_days_unit == "calendar" and target.legal_days == 20
    with pytest.raises(FieldError):
        actions.update_implementation(cast.admin, target, promised_days=15)  # 15 working days > 20 calendar days
    assert actions.update_implementation(cast.admin, target, promised_days=14).promised_days == 14


def test_promised_above_legal_is_refused_by_the_database(catalog):
    target = impl("SCJG-XK-008", "210200")
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemImplementation.objects.filter(pk=target.pk).update(promised_days=target.legal_days + 1)


def test_district_cannot_change_a_standard_element(catalog, cast):
    target = district_civil_affairs_impl()
    with pytest.raises(FieldError) as exc:
        actions.update_implementation(cast.district_officer, target, legal_days=1, materials=[], place="新地址")
    fields = [f for f, _ in exc.value.errors]
    assert fields == ["legal_days", "materials"]
    assert "标准要素" in exc.value.errors[0][1]
    target.refresh_from_db()
    assert target.place != "新地址"  # all or nothing


def test_district_officer_edits_own_district_implementation(catalog, cast):
    target = district_civil_affairs_impl()
    assert actions.update_implementation(cast.district_officer, target, phone="0411-00000000").phone == "0411-00000000"


def test_district_officer_cannot_reach_the_city_implementation(catalog, cast):
    city = ItemImplementation.objects.get(item=district_civil_affairs_impl().item, region_id="210200")
    with pytest.raises(NotFound):
        actions.update_implementation(cast.district_officer, city, phone="1")


def test_officer_of_another_department_gets_not_found(catalog, cast):
    with pytest.raises(NotFound):
        actions.update_implementation(cast.officer_b, impl("SCJG-XK-008", "210200"), phone="1")


def test_supervisor_sees_but_may_not_edit(catalog, cast):
    with pytest.raises(PermissionDenied):
        actions.update_implementation(cast.supervisor, impl("SCJG-XK-008", "210200"), phone="1")


def test_api_refuses_standard_element_naming_it(catalog, cast):
    target = district_civil_affairs_impl()
    r = api_client(cast.district_officer).patch(f"/api/catalog/implementations/{target.pk}",
                                                {"name": "改个名字"}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "name"


def test_api_other_department_implementation_is_404(catalog, cast):
    r = api_client(cast.officer_b).patch(f"/api/catalog/implementations/{impl('SCJG-XK-008', '210200').pk}",
                                         {"phone": "1"}, content_type="application/json")
    assert r.status_code == 404


def test_api_lists_only_editable_implementations(catalog, cast):
    r = api_client(cast.district_officer).get("/api/catalog/implementations", {"page_size": 100})
    assert r.status_code == 200
    rows = r.json()["items"]
    assert rows and {row["region"]["code"] for row in rows} == {"210202"}
    assert {row["department"]["id"] for row in rows} == {"zhongshan-civil-affairs"}


def test_api_patch_needs_login(catalog):
    r = api_client().patch(f"/api/catalog/implementations/{impl('SCJG-XK-008', '210200').pk}",
                           {"phone": "1"}, content_type="application/json")
    assert r.status_code == 401


def test_bulk_update_checks_every_row_before_writing_any(catalog, cast):
    ok, too_long = impl("SCJG-XK-008", "210200"), impl("SCJG-XK-008", "210202")
    with pytest.raises(FieldError) as exc:
        actions.update_implementations(cast.officer_a, [(ok, {"hours": "全天"}), (too_long, {"promised_days": 99})])
    assert exc.value.errors[0][0] == "[1].promised_days"
    ok.refresh_from_db()
    assert ok.hours != "全天"
    assert actions.update_implementations(cast.officer_a, [(ok, {"hours": "全天"}), (too_long, {"phone": "1"})]) == 2


def test_bulk_update_refuses_rows_out_of_reach(catalog, cast):
    with pytest.raises(FieldError) as exc:
        actions.update_implementations(cast.officer_b, [(impl("SCJG-XK-008", "210200"), {"hours": "全天"})])
    assert "范围" in exc.value.errors[0][1]
