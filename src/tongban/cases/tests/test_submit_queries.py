"""Query-count guard of filing (`actions.submit`, the hot path of "submissions ≥ 100/s"): the
queries do not grow with the number of materials, the licence library is asked only for the
licence materials the applicant names (R12), the vault only for those they ask to reuse, and
a material type's id is read once per catalogue version — while every check still holds."""

import datetime as dt

import pytest

from tongban.cases import actions
from tongban.cases import materials as mats
from tongban.cases.constants import Provision
from tongban.catalog.models import LicenceHolding, LicenceType
from tongban.core.models import AuditRecord

from .conftest import ITEM

pytestmark = pytest.mark.django_db

# item and implementation (1); the case number (1); the case, its materials, step, receipt
# notice, audit record (5); the draft dropped and the day's application count (2); the
# transaction's two statements (savepoint or BEGIN/COMMIT) (2)
FILING = 11


@pytest.fixture
def warm(cast, catalog):
    actions.submit(cast.citizen, item=ITEM, region="210200")  # the version's material type ids are now known


def test_filing_takes_a_fixed_number_of_queries_whatever_the_materials(cast, warm, django_assert_max_num_queries):
    with django_assert_max_num_queries(FILING):
        case = actions.submit(cast.citizen, item=ITEM, region="210200")
    assert case.materials.count() >= 5  # every row of the guide's list, in one INSERT
    assert AuditRecord.objects.filter(action="cases.submit", object_id=str(case.pk)).exists()
    with django_assert_max_num_queries(FILING + 1):  # and the promise (R10)
        named = actions.submit(cast.citizen, item=ITEM, region="210200", materials=[
            "医师资格证书", {"name": "拟执业医疗卫生机构的聘用证明", "provision": "promised"}])
    provisions = dict(named.materials.values_list("name", "provision"))
    assert (provisions["医师资格证书"], provisions["拟执业医疗卫生机构的聘用证明"]) == (
        Provision.UPLOADED, Provision.PROMISED)


def test_R12_a_named_licence_material_still_asks_the_library(cast, warm, django_assert_max_num_queries,
                                                              django_assert_num_queries):
    sfz = LicenceType.objects.get(code="ZZ-SFZ")
    LicenceHolding.objects.create(licence_type=sfz, number="SFZ-Q-1", holder=cast.citizen.id_number,
                                  holder_name=cast.citizen.name, issuer_id=sfz.issuer_id,
                                  valid_from=dt.date(2020, 1, 1))
    with django_assert_max_num_queries(FILING):  # not named: missing until consented, no licence read
        unnamed = actions.submit(cast.citizen, item=ITEM, region="210200")
    assert unnamed.materials.get(name="申请人居民身份证").provision == Provision.MISSING
    # named as an upload: the library is asked, and a held licence is never uploaded (R12)
    with django_assert_max_num_queries(FILING + 3):
        uploaded = actions.submit(cast.citizen, item=ITEM, region="210200", materials=["申请人居民身份证"])
    assert uploaded.materials.get(name="申请人居民身份证").provision == Provision.MISSING
    fetched = actions.submit(cast.citizen, item=ITEM, region="210200",
                             materials=[{"name": "申请人居民身份证", "provision": "fetched"}])
    assert fetched.materials.get(name="申请人居民身份证").licence_number == "SFZ-Q-1"


def test_material_type_ids_are_read_once_per_version(cast, catalog):
    from tongban.catalog import selectors as catalog_selectors

    version = catalog_selectors.version_in_force(catalog_selectors.get_item(ITEM))
    mats._TYPE_IDS.pop(version.pk, None)
    first = actions.submit(cast.citizen, item=ITEM, region="210200")
    assert version.pk in mats._TYPE_IDS
    second = actions.submit(cast.citizen, item=ITEM, region="210200")
    ids = lambda case: dict(case.materials.values_list("name", "material_type_id"))  # noqa: E731
    assert ids(first) == ids(second)
    assert any(ids(second).values())
