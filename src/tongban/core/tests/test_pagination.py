"""Pagination of every list API (core.pagination.paginate)."""

import pytest

from tongban.core.errors import FieldError
from tongban.core.pagination import paginate
from tongban.identity.models import Region

pytestmark = pytest.mark.django_db


def test_a_page_past_the_end_is_empty_with_the_true_count():
    total = Region.objects.count()
    assert total > 0
    out = paginate(Region.objects.order_by("code"), page=total + 5, page_size=1)
    assert out["count"] == total and out["items"] == []


def test_a_page_number_beyond_64_bits_is_empty_not_a_database_overflow():
    # found by the API fuzz on SQLite: GET /api/hotline/urgings?page=12930895025672015895855104 → 500
    out = paginate(Region.objects.order_by("code"), page=12930895025672015895855104, page_size=20)
    assert out["items"] == [] and out["page"] == 12930895025672015895855104


def test_the_last_page_holds_the_remainder():
    total = Region.objects.count()
    size = 4
    last = (total + size - 1) // size
    out = paginate(Region.objects.order_by("code"), page=last, page_size=size, serialise=lambda r: r.code)
    assert len(out["items"]) == total - (last - 1) * size
    assert out["items"] == list(Region.objects.order_by("code").values_list("code", flat=True))[(last - 1) * size:]


@pytest.mark.parametrize(("page", "size", "field"), [(0, 20, "page"), (-3, 20, "page"), (1, 0, "page_size")])
def test_bad_page_or_size_names_the_field(page, size, field):
    with pytest.raises(FieldError) as e:
        paginate(Region.objects.all(), page=page, page_size=size)
    assert field in str(e.value.errors if hasattr(e.value, "errors") else e.value)
