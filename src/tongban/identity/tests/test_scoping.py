"""The one row-level scoping mechanism (identity.scoping) every app's querysets use."""

import pytest

from tongban.identity.constants import Role
from tongban.identity.models import ApiToken, Department, EnterpriseMembership, StaffRole
from tongban.testing import make_staff

pytestmark = pytest.mark.django_db


def departments_of(qs):
    return set(qs.values_list("department_id", flat=True))


def test_officer_sees_only_own_department(cast):
    assert departments_of(StaffRole.objects.visible_to(cast.officer_a)) == {"market"}
    assert set(Department.objects.visible_to(cast.officer_a).values_list("pk", flat=True)) == {"market"}


def test_officer_of_another_department_cannot_see_the_first(cast):
    assert "market" not in departments_of(StaffRole.objects.visible_to(cast.officer_b))


def test_district_officer_is_limited_to_the_district(cast):
    # a city-level role of the same department id in the city region is out of reach
    visible = StaffRole.objects.visible_to(cast.district_officer)
    assert all(r.region.path.startswith("210200/210202/") for r in visible.select_related("region"))


def test_supervisor_sees_region_and_below_across_departments(cast):
    visible = departments_of(StaffRole.objects.visible_to(cast.supervisor))
    assert {"market", "police", "zhongshan-civil-affairs"} <= visible


def test_district_supervisor_does_not_see_city_level_rows(cast):
    district_supervisor = make_staff("sup-zs", Role.SUPERVISOR, None, "210202")
    visible = departments_of(StaffRole.objects.visible_to(district_supervisor))
    assert "zhongshan-civil-affairs" in visible
    assert "market" not in visible


def test_admin_sees_everything(cast):
    assert StaffRole.objects.visible_to(cast.admin).count() == StaffRole.objects.count()


def test_applicants_see_only_what_they_own(cast):
    from tongban.identity import actions

    actions.create_token(cast.citizen, days=1)
    actions.create_token(cast.other_citizen, days=1)
    assert set(ApiToken.objects.visible_to(cast.citizen).values_list("user_id", flat=True)) == {cast.citizen.pk}
    assert not EnterpriseMembership.objects.visible_to(cast.citizen).exists()
    assert EnterpriseMembership.objects.visible_to(cast.agent).count() == 1


def test_anonymous_sees_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not StaffRole.objects.visible_to(AnonymousUser()).exists()
    assert not ApiToken.objects.visible_to(AnonymousUser()).exists()


def test_grants_are_read_once_per_user_object(cast, django_assert_num_queries):
    list(StaffRole.objects.visible_to(cast.officer_a))
    with django_assert_num_queries(1):  # only the list itself; the grants are cached
        list(StaffRole.objects.visible_to(cast.officer_a))
