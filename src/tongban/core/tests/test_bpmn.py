"""BPMN processes (issue 5 item 7): the default process from an item's steps, parallel
departments joined before the decision, state saved and restored, unsafe BPMN refused."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import bpmn
from tongban.core.errors import Conflict, FieldError

STEPS = [{"step": "申请", "role": "申请人"}, {"step": "受理", "role": "窗口人员"},
         {"step": "审查", "role": "审批人员"},
         {"step": "现场核查", "role": "审批人员", "on_site": True, "counted": False},
         {"step": "决定", "role": "部门负责人"}, {"step": "送达", "role": "窗口人员"}]


def names(steps):
    return sorted(s.name for s in steps)


def test_default_process_runs_the_steps_in_order():
    definition = bpmn.validate(bpmn.default_process("SCJG_XK_001", STEPS))
    process = bpmn.Process.start(definition)
    seen = []
    while not process.done:
        [step] = process.ready()
        seen.append(step.name)
        process.complete(step.key)
    assert seen == ["受理", "审查", "现场核查", "决定", "送达"]  # 申请 is the submission itself


def test_step_attributes_survive_for_the_clock():
    definition = bpmn.validate(bpmn.default_process("p", STEPS))
    site = next(s for s in definition.steps.values() if s.name == "现场核查")
    assert (site.on_site, site.counted, site.role) == (True, False, "审批人员")  # R7: not counted


def test_parallel_departments_must_all_finish_before_the_decision():
    xml = bpmn.default_process("p", STEPS, [("police", "市公安局"), ("fire", "市消防救援支队")])
    process = bpmn.Process.start(bpmn.validate(xml))
    process.complete(process.ready()[0].key)  # 受理
    assert names(process.ready()) == ["审查", "并联审查：市公安局", "并联审查：市消防救援支队"]
    assert {s.department for s in process.ready()} == {"", "police", "fire"}
    police = next(s for s in process.ready() if s.department == "police")
    process.complete(police.key)
    own = next(s for s in process.ready() if s.name == "审查")
    process.complete(own.key)
    assert names(process.ready()) == ["并联审查：市消防救援支队"]  # the join waits for everyone
    with pytest.raises(Conflict, match="当前不可办理"):
        process.complete(police.key)


def test_state_round_trips_through_json():
    definition = bpmn.validate(bpmn.default_process("p", STEPS, [("police", "市公安局")]))
    process = bpmn.Process.start(definition)
    process.complete(process.ready()[0].key)
    saved = process.dump()
    restored = bpmn.Process.load(definition, saved)
    assert names(restored.ready()) == names(process.ready())
    assert [s.name for s in restored.completed()] == ["受理"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["受理", "审查", "现场核查", "专家评审", "公示", "决定", "制证", "送达"]),
                min_size=1, max_size=8, unique=True),
       st.lists(st.sampled_from(["police", "fire", "tax", "health"]), max_size=3, unique=True))
def test_any_default_process_ends_after_every_step_once(steps, parallel):
    entries = [{"step": s, "role": "审批人员"} for s in steps]
    process = bpmn.Process.start(bpmn.validate(bpmn.default_process("p", entries, [(d, d) for d in parallel])))
    done = []
    while not process.done:
        ready = process.ready()
        assert ready, "a process that is not done always has a step to do"
        process.complete(ready[-1].key)
        done.append(ready[-1].key)
    assert len(done) == len(set(done)) == len(steps) + (len(parallel) if "审查" in steps else 0)


UNSAFE = [
    ('<bpmn:scriptTask id="s" name="x"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>', "scriptTask"),
    ('<bpmn:serviceTask id="s" name="x"/>', "serviceTask"),
    ('<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>',
     "intermediateCatchEvent"),
]


def wrap(inner: str, flows: str = "") -> str:
    return (f'<bpmn:definitions xmlns:bpmn="{bpmn.BPMN_NS}" id="d" targetNamespace="x"><bpmn:process id="p">'
            f'<bpmn:startEvent id="start"/>{inner}<bpmn:endEvent id="end"/>{flows}</bpmn:process></bpmn:definitions>')


@pytest.mark.parametrize(("inner", "named"), UNSAFE)
def test_unsafe_elements_are_refused_by_name(inner, named):
    with pytest.raises(FieldError) as exc:
        bpmn.validate(wrap(inner))
    assert exc.value.errors[0][0] == "process_bpmn" and named in exc.value.errors[0][1]


def test_conditions_are_refused():
    flows = ('<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end">'
             '<bpmn:conditionExpression>__import__("os").system("id")</bpmn:conditionExpression></bpmn:sequenceFlow>')
    with pytest.raises(FieldError, match="条件"):
        bpmn.validate(wrap('<bpmn:userTask id="u" name="审查"/>', flows))


@pytest.mark.parametrize("xml", [
    "not xml at all", "<bpmn:definitions", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
    wrap(""),  # no steps
    f'<bpmn:definitions xmlns:bpmn="{bpmn.BPMN_NS}" id="d"/>',  # no process
    "<x>" + "a" * (600 * 1024) + "</x>",
])
def test_malformed_or_hostile_files_are_refused(xml):
    with pytest.raises(FieldError) as exc:
        bpmn.validate(xml)
    assert exc.value.errors[0][0] == "process_bpmn"


def test_a_broken_flow_is_refused_before_it_runs():
    flows = '<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="nowhere"/>'
    with pytest.raises(FieldError):
        bpmn.validate(wrap('<bpmn:userTask id="u" name="审查"/>', flows))
