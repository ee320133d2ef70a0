"""A custom BPMN process and the one form's fields, versioned with the item (issue 5 items 2
and 7): published as standard elements through the catalogue (validated: safe elements only,
known departments, fields of the dictionary), and the cases filed under that version run them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.cases import actions, forms, process
from tongban.catalog import actions as catalog_actions
from tongban.catalog.models import ServiceItem
from tongban.core.bpmn import BPMN_NS, TONGBAN_NS
from tongban.core.errors import FieldError
from tongban.identity.constants import Role
from tongban.testing import make_staff

from .conftest import ITEM

pytestmark = pytest.mark.django_db

CUSTOM = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:tongban="{TONGBAN_NS}" id="d" targetNamespace="{TONGBAN_NS}">
  <bpmn:process id="custom_physician" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="accept" name="受理" tongban:role="窗口人员"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:userTask id="review" name="审查" tongban:role="审批人员"/>
    <bpmn:userTask id="police_check" name="并联审查：公安局" tongban:department="police"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:userTask id="decide" name="决定" tongban:role="审批人员"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="split"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="police_check"/>
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="police_check" targetRef="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="decide"/>
    <bpmn:sequenceFlow id="f8" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _publish(changes):
    item = ServiceItem.objects.get(code=ITEM)
    editor = make_staff("editor-health-t", Role.OFFICER, "health", "210200")
    return catalog_actions.publish_item(editor, item, changes=changes, effective_date=timezone.localdate(),
                                        summary="自定义流程与申请表", base_version=item.version)


def test_a_custom_process_published_with_the_item_runs_its_cases(cast, catalog, health_officer):
    version = _publish({"process_bpmn": CUSTOM, "form_fields": ["person.name", {"key": "contact.phone",
                                                                                 "required": True}]})
    assert version.elements["process_bpmn"] == CUSTOM
    assert forms.item_schema(version.item, version)["required"] == ["contact.phone"]
    case = actions.submit(cast.citizen, item=ITEM, region="210200", form={"contact.phone": "13900000001"})
    assert case.item_version_id == version.pk
    assert process.parallel_departments(case) == ["police"]
    actions.accept(health_officer, case)
    assert process.progress(case)["ready"] == ["审查", "并联审查：公安局"]


@pytest.mark.parametrize(("xml", "reason"), [
    (CUSTOM.replace('<bpmn:userTask id="review"', '<bpmn:scriptTask id="review"'), "scriptTask"),
    (CUSTOM.replace('tongban:department="police"', 'tongban:department="no-such-dept"'), "no-such-dept"),
    ("<not-xml", "不是有效的 XML"),
])
def test_an_unsafe_or_wrong_process_is_refused_naming_the_element(cast, catalog, xml, reason):
    with pytest.raises(FieldError) as refused:
        _publish({"process_bpmn": xml})
    assert any(field == "process_bpmn" and reason in message for field, message in refused.value.errors)


def test_form_fields_must_be_keys_of_the_dictionary(cast, catalog):
    with pytest.raises(FieldError) as refused:
        _publish({"form_fields": ["person.name", "no.such.field"]})
    assert ("form_fields[1]", "字段字典中没有字段“no.such.field”") in refused.value.errors
