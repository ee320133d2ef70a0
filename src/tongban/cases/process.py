"""The process of a case (issue 5 item 7, B4): BPMN 2.0 on SpiffWorkflow (`tongban.core.bpmn`).

Each item case runs the process of the catalogue version it was filed under: the version's own
validated BPMN (`process_bpmn` among its elements) or the default one generated from its steps
(受理 → 审查 → 决定 → 制证 → 送达 …), where the departments of `departments_parallel` review in
parallel branches between a split and a join (并联审批). The workflow's state is saved with the
case (`Case.process_state`) inside the action's transaction, so it is never ahead of or behind
the case.

The lead department's actions move its own steps: acceptance completes 受理; a decision
completes the lead's remaining steps, which it may do only once every parallel department has
given its opinion (`CaseParallelReview`, one per department, created at filing) — the join of
the gateway. The legal clock is Tongban's own (`cases.clocks`), never a BPMN timer."""

from __future__ import annotations

import json
from functools import lru_cache

from tongban.core import bpmn
from tongban.core.errors import Conflict
from tongban.identity.models import Department

from .models import Case, CaseParallelReview

ACCEPT_STEP = "受理"


@lru_cache(maxsize=512)
def _default_xml(code: str, steps_json: str, parallel: tuple[str, ...]) -> str:
    names = dict(Department.objects.filter(pk__in=parallel).values_list("pk", "name"))
    process_id = "item_" + "".join(ch if ch.isalnum() else "_" for ch in code)
    return bpmn.default_process(process_id, json.loads(steps_json),
                                [(dept, names.get(dept, dept)) for dept in parallel])


def definition_for(case: Case) -> bpmn.Definition | None:
    """The process of the case's item version; None for a bundle's parent case."""
    if case.item_version_id is None:
        return None
    return definition_of(case.item.code, case.item_version)


def definition_of(item_code: str, version) -> bpmn.Definition:
    """The process of an item version: its own BPMN, else the one generated from its steps."""
    elements = version.elements or {}
    custom = elements.get("process_bpmn")
    if custom:
        return bpmn.validate(custom)
    steps = [s for s in elements.get("process") or [] if isinstance(s, dict) and s.get("step")]
    if not steps:
        steps = [{"step": ACCEPT_STEP}, {"step": "审查"}, {"step": "决定"}]
    parallel = tuple(elements.get("departments_parallel") or ())
    return bpmn.validate(_default_xml(item_code, json.dumps(steps, ensure_ascii=False, sort_keys=True), parallel))


def _departments(definition: bpmn.Definition) -> list[str]:
    return sorted({s.department for s in definition.steps.values() if s.department})


def parallel_departments(case: Case) -> list[str]:
    definition = definition_for(case)
    return [] if definition is None else _departments(definition)


def initial_state(item_code: str, version) -> dict[str, str]:
    """The started process of a new case as `Case` fields, so that the filing writes the case
    with its workflow state in one INSERT (`open_slots` then adds the parallel slots)."""
    definition = definition_of(item_code, version)
    return {"process_state": bpmn.Process.start(definition).dump(), "process_digest": definition.digest}


def open_slots(case: Case) -> None:
    """The parallel departments' opinion slots of a case filed with `initial_state`."""
    definition = definition_for(case)
    departments = [] if definition is None else _departments(definition)
    if departments:
        CaseParallelReview.objects.bulk_create([CaseParallelReview(case=case, department_id=d) for d in departments])


def start(case: Case) -> None:
    """Start the process of an existing case and create the parallel departments' opinion slots."""
    definition = definition_for(case)
    if definition is None:
        return
    process = bpmn.Process.start(definition)
    _save(case, definition, process)
    open_slots(case)


def _load(case: Case) -> tuple[bpmn.Definition, bpmn.Process] | None:
    definition = definition_for(case)
    if definition is None:
        return None
    if not case.process_state or case.process_digest != definition.digest:
        return definition, bpmn.Process.start(definition)  # filed before processes were kept
    return definition, bpmn.Process.load(definition, case.process_state)


def _save(case: Case, definition: bpmn.Definition, process: bpmn.Process) -> None:
    case.process_state, case.process_digest = process.dump(), definition.digest
    Case.objects.filter(pk=case.pk).update(process_state=case.process_state, process_digest=case.process_digest)


def _complete_lead(process: bpmn.Process, *, until: str | None = None) -> list[str]:
    """Complete the lead department's ready steps, in order, up to and including `until`
    (all of them when None). Returns the names of the steps done."""
    done: list[str] = []
    while not process.done:
        ready = [s for s in process.ready() if not s.department]
        if not ready:
            break
        step = ready[0]
        process.complete(step.key)
        done.append(step.name)
        if until is not None and step.name == until:
            break
    return done


def on_accept(case: Case) -> None:
    loaded = _load(case)
    if loaded is None:
        return
    definition, process = loaded
    if any(s.name == ACCEPT_STEP and not s.department for s in process.ready()):
        _complete_lead(process, until=ACCEPT_STEP)
    _save(case, definition, process)


def check_decidable(case: Case, *, approving: bool) -> None:
    """The join: every parallel department has given its opinion; an approval needs every
    parallel department to agree."""
    reviews = list(CaseParallelReview.objects.filter(case=case).select_related("department"))
    waiting = [r.department.name for r in reviews if not r.opinion]
    if waiting:
        raise Conflict(f"办件 {case.number} 尚待并联审查意见：{'、'.join(waiting)}，暂不能作出决定")
    against = [r.department.name for r in reviews if r.opinion == CaseParallelReview.Opinion.DISAGREE]
    if approving and against:
        raise Conflict(f"并联审查部门{'、'.join(against)}不同意，不能准予许可")


def on_decide(case: Case) -> None:
    """The decision completes the lead's remaining steps (决定, 制证, 送达 …) to the end."""
    loaded = _load(case)
    if loaded is None:
        return
    definition, process = loaded
    _complete_lead(process)
    _save(case, definition, process)


def on_parallel_review(case: Case, department_id: str) -> str:
    """Complete the parallel department's branch; its step must be ready (the case accepted
    and the process at the split). Returns the step's name."""
    loaded = _load(case)
    if loaded is None:
        raise Conflict(f"办件 {case.number} 没有并联审查环节")
    definition, process = loaded
    mine = [s for s in process.ready() if s.department == department_id]
    if not mine:
        raise Conflict(f"办件 {case.number} 尚未进入本部门的并联审查环节")
    process.complete(mine[0].key)
    _save(case, definition, process)
    return mine[0].name


def progress(case: Case) -> dict[str, list[str]]:
    """{"ready": […], "completed": […]} step names, for the case page and the API."""
    loaded = _load(case)
    if loaded is None:
        return {"ready": [], "completed": []}
    _, process = loaded
    return {"ready": [s.name for s in process.ready()], "completed": [s.name for s in process.completed()]}
