"""The demo loader brings in the whole reference catalogue."""

import pytest

from tongban.catalog.models import Bundle, ItemImplementation, ItemVersion, LicenceType, ServiceItem
from tongban.identity.demo import load_catalog

pytestmark = pytest.mark.django_db


def test_every_reference_item_bundle_and_licence_type_is_loaded(catalog):
    reference = load_catalog()
    assert ServiceItem.objects.count() == len(reference["items"]) == 177
    assert Bundle.objects.count() == len(reference["bundles"]) == 17
    assert LicenceType.objects.count() == len(reference["licence_types"]) == 61
    assert ItemVersion.objects.filter(number=1).count() == 177
    assert not ServiceItem.objects.filter(current_version__isnull=True).exists()


def test_district_items_are_implemented_in_the_city_and_two_districts(catalog):
    item = ServiceItem.objects.get(code="SCJG-XK-001")
    regions = set(ItemImplementation.objects.filter(item=item).values_list("region_id", flat=True))
    assert {"210200", "210202", "210203"} <= regions


def test_district_department_implements_its_line_in_its_district(catalog):
    impl = ItemImplementation.objects.filter(item__department_id="civil-affairs", item__level="district",
                                             region_id="210202").first()
    assert impl.department_id == "zhongshan-civil-affairs"


def test_computed_lists_match_the_reference_data(catalog):
    reference = {i["code"]: i for i in load_catalog()["items"]}
    for item in ServiceItem.objects.all():
        assert item.tolerant == ("容缺受理" in reference[item.code]["lists"]), item.code
        assert item.no_submission == ("免提交" in reference[item.code]["lists"]), item.code
