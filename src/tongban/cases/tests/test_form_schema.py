"""One form (issue 5 item 2): the item's fields from the catalogue's field dictionary make a
JSON Schema (a bundle asks shared fields once), the case's form is validated with `jsonschema`
(422 naming `form.<field>` in Chinese), prefill comes from identity with its provenance, and a
changed locked value is refused."""

import pytest
from jsonschema import Draft202012Validator

from tongban.cases import forms
from tongban.cases.models import Case
from tongban.catalog import selectors as catalog
from tongban.catalog.models import Bundle, ItemVersion, ServiceItem
from tongban.testing import api_client

from .conftest import ITEM, file, post

pytestmark = pytest.mark.django_db
FIELDS = ["person.name", "person.id_number", {"key": "contact.phone", "required": True},
          {"key": "premises.area_m2", "required": False}, "person.work_start_date"]


def with_fields(code, fields):
    """The version in force names these form fields (published versions are immutable through
    the model; the test writes the row)."""
    version = catalog.version_in_force(ServiceItem.objects.get(code=code))
    ItemVersion.objects.filter(pk=version.pk).update(elements={**version.elements, "form_fields": fields})


def details(response):
    return {d["field"]: d["message"] for d in response.json()["detail"]}


def test_schema_is_built_from_the_field_dictionary(catalog):
    with_fields(ITEM, FIELDS)
    schema = forms.schema_for(item=ITEM)
    Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == ["person.name", "person.id_number", "contact.phone", "premises.area_m2",
                                          "person.work_start_date"]
    assert schema["required"] == ["contact.phone"] and schema["additionalProperties"] is False
    assert schema["properties"]["contact.phone"]["title"] == "联系电话"
    assert schema["properties"]["premises.area_m2"]["type"] == "number"


def test_item_without_fields_has_no_form_to_check(cast, catalog):
    assert forms.schema_for(item=ITEM) is None
    r = file(api_client(cast.citizen), form={"anything": "goes"})
    assert r.status_code == 201, r.content


def test_bundle_asks_a_shared_field_once(catalog):
    bundle = Bundle.objects.get(code="YJS-001")
    first = bundle.entries.order_by("position").first().item
    with_fields(first.code, ["enterprise.name", {"key": "premises.private_rooms", "required": True}])
    schema = forms.schema_for(bundle="YJS-001")
    keys = list(schema["properties"])
    assert keys.count("enterprise.name") == 1 and keys[-1] == "premises.private_rooms"
    assert len(keys) == len(bundle.shared_fields) + 1
    assert schema["required"] == ["premises.private_rooms"]


def test_missing_required_and_wrong_types_are_422_with_the_field_path(cast, catalog):
    with_fields(ITEM, FIELDS)
    client = api_client(cast.citizen)
    r = file(client, form={"premises.area_m2": "很大", "person.work_start_date": "2026-13-01", "extra": 1})
    assert r.status_code == 422
    got = details(r)
    assert got["form.contact.phone"] == "请填写联系电话"
    assert got["form.premises.area_m2"] == "经营面积（平方米）应为数值"
    assert got["form.person.work_start_date"].startswith("参加工作时间格式不正确")
    assert "不是本申请表的字段" in got["form.extra"]
    r = file(client, form={"contact.phone": "12345", "premises.area_m2": -1})
    assert r.status_code == 422 and set(details(r)) == {"form.contact.phone", "form.premises.area_m2"}
    assert not Case.objects.exists()
    r = file(client, form={"contact.phone": "13900000001", "premises.area_m2": 35.5,
                           "person.work_start_date": "2008-07-01"})
    assert r.status_code == 201, r.content
    assert Case.objects.get(number=r.json()["number"]).form["premises.area_m2"] == 35.5


def test_id_number_format_is_checked_by_R1(cast, catalog):
    with_fields(ITEM, [{"key": "father.id_number", "required": True}, "contact.phone"])
    r = file(api_client(cast.citizen), form={"father.id_number": "110101199003070000"})  # wrong check digit
    assert r.status_code == 422 and details(r) == {"form.father.id_number": "父亲身份证件号码格式不正确"}


def test_locked_value_from_identity_cannot_be_changed(cast, catalog):
    with_fields(ITEM, FIELDS)
    client = api_client(cast.citizen)
    r = file(client, form={"contact.phone": "13900000001", "person.name": "张三"})
    assert r.status_code == 422
    assert details(r) == {"form.person.name": "姓名来自：实名认证信息，不能修改"}
    r = file(client, form={"contact.phone": "13800000000", "person.name": cast.citizen.name,
                           "person.id_number": cast.citizen.id_number})
    assert r.status_code == 201, r.content  # the same values, and the phone is not locked


def test_form_schema_route_returns_prefill_with_provenance(cast, catalog):
    with_fields(ITEM, FIELDS)
    r = api_client(cast.citizen).get(f"/api/cases/form-schema?item={ITEM}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["prefill"]["person.name"] == {"value": cast.citizen.name, "source": "来自：实名认证信息",
                                              "locked": True}
    assert body["prefill"]["person.id_number"]["value"] == cast.citizen.id_number  # their own: unmasked
    assert body["prefill"]["contact.phone"]["locked"] is False
    assert body["schema"]["properties"]["person.name"]["default"] == cast.citizen.name
    assert body["schema"]["properties"]["person.name"]["readOnly"] is True
    assert "premises.area_m2" not in body["prefill"]


def test_bundle_form_prefills_the_enterprise(cast, catalog):
    r = api_client(cast.agent).get(f"/api/cases/form-schema?bundle=YJS-001&on_behalf_of={cast.enterprise.uscc}")
    assert r.status_code == 200, r.content
    name = r.json()["prefill"]["enterprise.name"]
    assert name["value"] == cast.enterprise.name and name["locked"] is True
    assert name["source"] == f"来自：企业登记信息，{cast.enterprise.created_at.date().isoformat()}"
    r = post(api_client(cast.agent), "/api/cases", {"bundle": "YJS-001", "region": "210202",
                                                    "on_behalf_of": cast.enterprise.uscc,
                                                    "form": {"enterprise.name": "别的公司"}})
    assert r.status_code == 422 and "form.enterprise.name" in details(r)


def test_form_schema_bad_input(cast, catalog):
    client = api_client(cast.citizen)
    r = client.get("/api/cases/form-schema?item=NO-SUCH")
    assert r.status_code == 422 and details(r).keys() == {"item"}
    r = client.get("/api/cases/form-schema")
    assert r.status_code == 422
    r = client.get(f"/api/cases/form-schema?bundle=YJS-001&on_behalf_of={cast.enterprise.uscc}")
    assert r.status_code == 422 and "on_behalf_of" in details(r)
    assert client.get(f"/api/cases/form-schema?item={ITEM}").json() == {"schema": None, "prefill": {}}
    assert api_client().get(f"/api/cases/form-schema?item={ITEM}").status_code == 401
