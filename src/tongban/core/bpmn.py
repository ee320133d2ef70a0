"""BPMN 2.0 processes on SpiffWorkflow: generate, validate, run, save.

A process is BPMN XML. Each step is a `userTask` carrying Tongban's attributes in its own
namespace — the acting role, the department when it is not the case's own (并联审批), whether
the step is on site, and whether it counts against the legal clock (R7):

    <bpmn:userTask id="review_police" name="并联审查：公安局"
                   tongban:role="审批人员" tongban:department="police" tongban:counted="true"/>

`default_process()` builds the XML from a catalogue item's steps: one task per step in order,
and where other departments approve in parallel, a parallel gateway around the review step —
the lead department's review and one review per parallel department, joined before the
decision. `validate()` accepts a custom process only if it is made of what Tongban runs safely:
start/end events, user and manual tasks, parallel gateways and unconditional sequence flows.
Script tasks, conditions (evaluated as Python by the engine), service tasks, timers (the legal
clock is Tongban's own), DTDs and entities are refused, naming the element.

`Process` runs one instance: `ready()` lists the steps that can be done now, `complete(key)`
does one, `done` says whether the end was reached, `dump()`/`Process.load()` save the state as
JSON with the case, in the same transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .errors import Conflict, FieldError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TONGBAN_NS = "https://tongban.dalian.gov.cn/bpmn"
DIAGRAM_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
ALLOWED = {
    "definitions", "process", "startEvent", "endEvent", "userTask", "manualTask", "task", "parallelGateway",
    "sequenceFlow", "incoming", "outgoing", "documentation", "laneSet", "lane", "flowNodeRef",
    "extensionElements", "collaboration", "participant",
}
SUPPORTED = "仅支持开始/结束事件、用户任务、并行网关和无条件连线"
STEP_TAGS = {"userTask", "manualTask", "task"}
MAX_XML_BYTES = 512 * 1024
FIELD = "process_bpmn"


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    role: str = ""
    department: str = ""  # '' = the case's own department
    counted: bool = True  # R7: an uncounted step pauses the legal clock
    on_site: bool = False


@dataclass(frozen=True)
class Definition:
    xml: str
    process_id: str
    steps: Mapping[str, Step]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.xml.encode()).hexdigest()


# --- building --------------------------------------------------------------------------------------

def _task(key: str, step: Step) -> str:
    attrs = {"tongban:role": step.role, "tongban:counted": "true" if step.counted else "false",
             "tongban:onSite": "true" if step.on_site else "false"}
    if step.department:
        attrs["tongban:department"] = step.department
    rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    return f'<bpmn:userTask id="{key}" name={quoteattr(step.name)} {rendered}/>'


def default_process(process_id: str, steps: Iterable[Mapping[str, Any]],
                    parallel_departments: Iterable[tuple[str, str]] = (), *, review_step: str = "审查",
                    skip: Iterable[str] = ("申请",)) -> str:
    """BPMN for a catalogue item's steps (`{"step", "role", "on_site", "counted"}`), with a
    parallel review by each of `parallel_departments` (`(id, name)`) beside `review_step`."""
    skipped = set(skip)
    parallel = list(parallel_departments)
    nodes: list[str] = ['<bpmn:startEvent id="start" name="提交申请"/>']
    flows: list[tuple[str, str]] = []
    previous = "start"
    for n, entry in enumerate(s for s in steps if s["step"] not in skipped):
        key = f"step_{n}"
        step = Step(key=key, name=entry["step"], role=entry.get("role", ""), counted=entry.get("counted", True),
                    on_site=entry.get("on_site", False))
        if entry["step"] == review_step and parallel:
            nodes.append(f'<bpmn:parallelGateway id="{key}_split" name="并联审批"/>')
            nodes.append(f'<bpmn:parallelGateway id="{key}_join" name="并联审批汇合"/>')
            flows.append((previous, f"{key}_split"))
            branches = [step] + [Step(key=f"{key}_{dept}".replace("-", "_"), name=f"并联审查：{name}",
                                      role=step.role, department=dept, counted=step.counted)
                                 for dept, name in parallel]
            for branch in branches:
                nodes.append(_task(branch.key, branch))
                flows += [(f"{key}_split", branch.key), (branch.key, f"{key}_join")]
            previous = f"{key}_join"
            continue
        nodes.append(_task(key, step))
        flows.append((previous, key))
        previous = key
    nodes.append('<bpmn:endEvent id="end" name="办结"/>')
    flows.append((previous, "end"))
    body = "\n    ".join(nodes + [f'<bpmn:sequenceFlow id="flow_{i}" sourceRef="{a}" targetRef="{b}"/>'
                                  for i, (a, b) in enumerate(flows)])
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="{BPMN_NS}" '
            f'xmlns:tongban="{TONGBAN_NS}" id="defs_{process_id}" targetNamespace="{TONGBAN_NS}">\n'
            f'  <bpmn:process id={quoteattr(process_id)} isExecutable="true">\n    {body}\n  </bpmn:process>\n'
            f'</bpmn:definitions>\n')


# --- validating ------------------------------------------------------------------------------------

def _local(tag: str) -> tuple[str, str]:
    qname = etree.QName(tag)
    return qname.namespace or "", qname.localname


def _flag(element: Any, name: str, default: bool) -> bool:
    value = element.get(f"{{{TONGBAN_NS}}}{name}")
    return default if value is None else value.strip().lower() in ("true", "1", "yes")


@lru_cache(maxsize=256)
def validate(xml: str) -> Definition:
    """A Definition, or a FieldError on `process_bpmn` naming what is wrong."""
    raw = xml.encode() if isinstance(xml, str) else xml
    if len(raw) > MAX_XML_BYTES:
        raise FieldError(FIELD, f"流程文件超过 {MAX_XML_BYTES // 1024} KB")
    head = raw[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in raw.upper():
        raise FieldError(FIELD, "流程文件不得包含 DOCTYPE 或实体声明")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise FieldError(FIELD, f"流程文件不是有效的 XML：{str(exc)[:120]}") from None
    processes = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        namespace, name = _local(element.tag)
        if namespace in DIAGRAM_NAMESPACES:
            continue
        if namespace != BPMN_NS or name not in ALLOWED:
            raise FieldError(FIELD, f"流程中不允许使用元素“{name}”（{SUPPORTED}）")
        if name == "sequenceFlow" and any(
                _local(c.tag)[1] == "conditionExpression" for c in element if isinstance(c.tag, str)):
            raise FieldError(FIELD, f"连线“{element.get('id')}”不得带条件表达式")
        if name == "process":
            processes.append(element)
    if len(processes) != 1:
        raise FieldError(FIELD, "流程文件须恰好包含一个流程（process）")
    process = processes[0]
    process_id = process.get("id") or ""
    steps: dict[str, Step] = {}
    for element in process.iter():
        if isinstance(element.tag, str) and _local(element.tag)[1] in STEP_TAGS:
            key = element.get("id") or ""
            steps[key] = Step(key=key, name=element.get("name") or key,
                              role=element.get(f"{{{TONGBAN_NS}}}role", ""),
                              department=element.get(f"{{{TONGBAN_NS}}}department", ""),
                              counted=_flag(element, "counted", True), on_site=_flag(element, "onSite", False))
    if not steps:
        raise FieldError(FIELD, "流程中没有任何办理环节")
    kinds = [_local(e.tag)[1] for e in process.iter() if isinstance(e.tag, str)]
    if kinds.count("startEvent") != 1 or "endEvent" not in kinds:
        raise FieldError(FIELD, "流程须有且只有一个开始事件，并至少有一个结束事件")
    definition = Definition(xml=xml, process_id=process_id, steps=steps)
    try:
        _spec(definition.xml, process_id)
    except (ValidationException, WorkflowException, etree.LxmlError, KeyError, ValueError) as exc:
        raise FieldError(FIELD, f"流程无法执行：{str(exc)[:160]}") from None
    return definition


@lru_cache(maxsize=256)
def _spec(xml: str, process_id: str) -> Any:
    parser = BpmnParser()
    parser.add_bpmn_str(xml.encode())
    return parser.get_spec(process_id)


# --- running ---------------------------------------------------------------------------------------

_serializer = BpmnWorkflowSerializer()


@lru_cache(maxsize=256)
def _spec_json(xml: str, process_id: str) -> str:
    """The serialised spec of a process, as a fresh instance's JSON holds it."""
    full = json.loads(_serializer.serialize_json(BpmnWorkflow(_spec(xml, process_id))))
    return json.dumps(full["spec"])


class Process:
    def __init__(self, definition: Definition, workflow: BpmnWorkflow) -> None:
        self.definition = definition
        self.workflow = workflow

    @classmethod
    def start(cls, definition: Definition) -> Process:
        workflow = BpmnWorkflow(_spec(definition.xml, definition.process_id))
        workflow.do_engine_steps()
        return cls(definition, workflow)

    @classmethod
    def load(cls, definition: Definition, state: str | Mapping[str, Any]) -> Process:
        text = state if isinstance(state, str) else json.dumps(state)
        data = json.loads(text, cls=_serializer.json_decoder_cls)
        if "spec" not in data:  # saved compact: the process's own spec comes from its definition
            data["spec"] = json.loads(_spec_json(definition.xml, definition.process_id),
                                      cls=_serializer.json_decoder_cls)
        _serializer.migrate(data)
        return cls(definition, _serializer.from_dict(data))

    def dump(self) -> str:
        """The instance's state as JSON, without the process spec (the definition, kept with the
        item version, restores it): a third smaller per case."""
        data = json.loads(_serializer.serialize_json(self.workflow))
        data.pop("spec", None)
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def _ready_tasks(self) -> list[Any]:
        return [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                if t.task_spec.name in self.definition.steps]

    def ready(self) -> list[Step]:
        return [self.definition.steps[t.task_spec.name] for t in self._ready_tasks()]

    def completed(self) -> list[Step]:
        return [self.definition.steps[t.task_spec.name]
                for t in self.workflow.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.name in self.definition.steps]

    def complete(self, key: str) -> Step:
        """Do the ready step `key`; a step that is not ready now is a Conflict naming it."""
        for task in self._ready_tasks():
            if task.task_spec.name == key:
                task.run()
                self.workflow.do_engine_steps()
                return self.definition.steps[key]
        step = self.definition.steps.get(key)
        ready = "、".join(s.name for s in self.ready()) or "无"
        raise Conflict(f"环节“{step.name if step else key}”当前不可办理（可办理：{ready}）")

    @property
    def done(self) -> bool:
        return self.workflow.is_completed()
