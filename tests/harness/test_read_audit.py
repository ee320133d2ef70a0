"""Read auditing, enforced (issue 10 item 8): "every read of personal data through a selector
writes a read record: a test enumerates the actions and selectors and fails on one that does not".

The walk: every public function of every selectors module of every app (`<app>/selectors.py`,
`<app>/*_selectors.py`, `<app>/reads.py`) must declare what it reads with a marker of
`tongban.core.audit` (`personal_read`, `own_data`, `scoped_lookup`, `no_personal_data`); an
undeclared one fails, so a selector is born declared. Then, per marker:

* `personal_read(what)`: the selector is called with real objects by someone who is not the
  subject (an officer, a legal representative, a department client) and must write a read
  record `read:<what>…` about that subject — the record the data-use tracker
  (`/api/me/data-uses`) shows the subject; called by the subject, it must write none. Each such
  selector needs a probe in `PROBES` below: a new one without a probe fails.
* `no_personal_data(why)`: its source may name no personal model or field of
  `audit.PERSONAL_MODELS` / `audit.PERSONAL_FIELDS` (static, over the AST).
* `own_data(why)` and `scoped_lookup(why)`: a reason a reviewer reads; the row renderers among
  the scoped ones are checked on a real row for personal fields and values.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import tongban
from tongban.core import audit
from tongban.core.models import AuditRecord

# Selectors of apps owned by other sessions, not yet declared: "app.function" → the marker to add
# (one line above the `def`). The lead empties this list at integration; a listed function that has
# become declared, or no longer exists, fails `test_pending_list_is_true`.
PENDING: dict[str, str] = {
    # catalog: public catalogue data
    **{f"catalog.{name}": '@audit.no_personal_data("事项库：公开信息")' for name in (
        "get_item", "get_region", "implementation_of", "find_implementation", "version_in_force", "get_version",
        "materials_of", "questions_of", "standard_out", "standard_view", "guide", "situation", "version_summary",
        "versions_of", "version_detail", "changes", "change_out", "compare", "bundles", "bundle_summary",
        "bundle_detail", "implementations_editable_by", "get_implementation_for_editor", "bundle_situation",
        "browse_items", "departments_with_items", "bundles_with_item", "hot_items", "guide_regions")},
    # search: the catalogue's index and its anonymous no-result log
    "search.find": '@audit.no_personal_data("检索事项与一件事：公开信息")',
    "search.synonym_table": '@audit.no_personal_data("同义词表")',
    "search.synonyms_changed": '@audit.no_personal_data("清除同义词缓存")',
    "search.open_no_result_queries": '@audit.no_personal_data("无结果检索（匿名）")',
    # licences
    "licences.enterprises_of": '@audit.own_data("调用者本人作为经办人的企业")',
    "licences.own_holders": '@audit.own_data("调用者本人及其企业的持证主体标识")',
    "licences.licences_for": '@audit.personal_read("licences")',
    "licences.masked_holder": '@audit.scoped_lookup("遮蔽后的持证人")',
    "licences.list_row": '@audit.scoped_lookup("证照列表行：持证人已遮蔽")',
    "licences.can_act": '@audit.no_personal_data("权限判断")',
    "licences.get_licence": '@audit.personal_read("licence")',
    "licences.current_version": '@audit.scoped_lookup("get_licence 之后的当前版本（读取已由 get_licence 记录）")',
    "licences.signed_document": '@audit.scoped_lookup("get_licence 之后的签章文件（读取已由 get_licence 记录）")',
    "licences.detail": '@audit.scoped_lookup("get_licence 之后的详情（读取已由 get_licence 记录）")',
    "licences.verification": '@audit.scoped_lookup("公开核验：持证人已遮蔽")',
    # disclosure
    "disclosure.requests_for": '@audit.scoped_lookup("可见申请的查询集：行由 request_row 展示，不含申请人信息")',
    "disclosure.get_request": '@audit.scoped_lookup("按编号取可见申请：由 request_detail 展示并记录读取")',
    "disclosure.request_row": '@audit.scoped_lookup("申请列表行：编号、状态与时限，不含申请人信息")',
    "disclosure.request_detail": '@audit.personal_read("disclosure.request")',
    **{f"disclosure.{name}": '@audit.no_personal_data("已发布的政策文件与征集：公开信息")' for name in (
        "documents", "document_row", "document_detail", "consultations", "consultation_row", "get_consultation",
        "consultation_detail")},
    **{f"disclosure.{name}": '@audit.no_personal_data("开放数据集：公开信息")' for name in (
        "datasets", "get_dataset", "distributions", "dataset_row", "dataset_detail", "dataset_version")},
    # hotline
    "hotline.queue": '@audit.scoped_lookup("可见工单的查询集：行由 list_row 展示，不含来电人信息")',
    "hotline.list_row": '@audit.scoped_lookup("工单列表行：不含来电人信息")',
    "hotline.staff_ticket": '@audit.scoped_lookup("按编号取可见工单：由 full 展示并记录读取")',
    "hotline.steps": '@audit.no_personal_data("工单的办理步骤：动作、部门与时间")',
    "hotline.full": '@audit.personal_read("hotline.ticket")',
    "hotline.public": '@audit.own_data("来电人凭编号与手机号后四位或密钥查看本人工单，来电人已遮蔽")',
    "hotline.track": '@audit.own_data("来电人凭证明查询本人工单")',
    # reviews
    "reviews.visible_reviews": '@audit.scoped_lookup("可见评价的查询集：行由 review_row 展示，评价人手机号已遮蔽")',
    "reviews.visible_rectifications": '@audit.scoped_lookup("可见整改的查询集")',
    "reviews.get_review": '@audit.scoped_lookup("按编号取可见评价")',
    "reviews.review_row": '@audit.scoped_lookup("评价行：评价人手机号已遮蔽")',
    "reviews.list_reviews": '@audit.scoped_lookup("可见评价列表")',
    "reviews.tag_table": '@audit.no_personal_data("评价标签表")',
    "reviews.clocks": '@audit.no_personal_data("整改时限")',
    "reviews.rectification_row": '@audit.scoped_lookup("整改行")',
    "reviews.rectification_queue": '@audit.scoped_lookup("整改待办")',
    "reviews.get_rectification": '@audit.scoped_lookup("按编号取可见整改")',
    # oversight: statistics and alerts about cases and departments, no person
    **{f"oversight.{name}": '@audit.no_personal_data("效能统计与预警：部门与办件编号，不含个人信息")' for name in (
        "parse_day", "date_range", "regions_under", "stats_scope", "public_scope", "visible_alerts", "get_alert",
        "alert_row", "districts_of", "drill_scope")},
}

MARKERS = {audit.READS, audit.OWN, audit.SCOPED, audit.NOT_PERSONAL}


def _selector_modules() -> list[str]:
    root = Path(tongban.__file__).parent
    return sorted(f"tongban.{m.name}.{f.stem}" for m in pkgutil.iter_modules([str(root)]) if m.ispkg
                  for f in (root / m.name).glob("*.py")
                  if f.stem in ("selectors", "reads") or f.stem.endswith("_selectors"))


def selectors() -> dict[str, Callable]:
    """{"app.function": function} for every public function defined in a selectors module."""
    found = {}
    for name in _selector_modules():
        module = importlib.import_module(name)
        for fname, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == name and not fname.startswith("_"):
                found[f"{name.split('.')[1]}.{fname}"] = fn
    return found


def test_the_walk_finds_the_selectors():
    found = selectors()
    assert {"cases.case_detail", "identity.messages_of", "exchange.read", "hotline.full", "licences.get_licence",
            "disclosure.request_detail"} <= set(found)
    assert len(found) > 80


def test_every_selector_declares_what_it_reads():
    undeclared = sorted(key for key, fn in selectors().items()
                        if audit.read_policy_of(fn) is None and key not in PENDING)
    assert not undeclared, (
        "Selectors that do not declare what they read (issue 10 item 8). Put one marker of tongban.core.audit "
        "above each: @audit.personal_read(\"what\") if it returns someone's personal data (it must then call "
        "audit.record_read for a reader who is not the subject, and get a probe in tests/harness/"
        "test_read_audit.py), @audit.own_data(why), @audit.scoped_lookup(why) or @audit.no_personal_data(why):\n"
        + "\n".join(undeclared))
    wrong = [f"{key}: {policy}" for key, fn in selectors().items() if (policy := audit.read_policy_of(fn))
             and (policy.kind not in MARKERS or not policy.what.strip())]
    assert not wrong, wrong


def test_pending_list_is_true():
    """The allow-list only shrinks: an entry whose selector is declared now, or gone, must go."""
    found = selectors()
    stale = sorted(key for key in PENDING if key not in found or audit.read_policy_of(found[key]) is not None)
    assert not stale, f"remove from PENDING (declared now, or no longer a selector): {stale}"


# --- no_personal_data: static ------------------------------------------------------------------------

def _names_in(fn: Callable) -> set[str]:
    """Names, attributes, keyword arguments and words of string constants in the function's body
    (not its signature's annotations, decorators or docstring)."""
    definition = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0]
    body = definition.body[1:] if ast.get_docstring(definition) else definition.body
    names = set()
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(node.value.replace("__", " ").split())
        elif isinstance(node, ast.keyword) and node.arg:
            names.update(node.arg.split("__"))
    return names


def personal_names_in(fn: Callable) -> set[str]:
    models = {label.split(".")[1] for label in audit.PERSONAL_MODELS}
    return _names_in(fn) & (models | audit.PERSONAL_FIELDS)


def test_a_selector_without_personal_data_names_no_personal_model_or_field():
    wrong = [f"{key}: {sorted(found)}" for key, fn in selectors().items()
             if (p := audit.read_policy_of(fn)) and p.kind == audit.NOT_PERSONAL and (found := personal_names_in(fn))]
    assert not wrong, ("Declared @audit.no_personal_data, but they name personal models or fields "
                       "(audit.PERSONAL_MODELS / PERSONAL_FIELDS): declare what they really read.\n" + "\n".join(wrong))


def test_the_static_check_can_fail():
    def leaky(user):
        return user.id_number

    def harmless(region):
        return region.name

    assert personal_names_in(leaky) == {"id_number"} and not personal_names_in(harmless)


# --- personal_read: called with real objects ------------------------------------------------------------

@dataclass
class Probe:
    read: Callable[[], object]  # the selector called by someone who is not the subject …
    reader: object  # … this user (None: a department system), acting as in a request
    subject_id: int
    own: Callable[[], object] | None = None  # the same data read by the subject (or who speaks for them)
    owner: object = None

    def as_reader(self) -> object:
        with audit.acting(audit.context_for_user(self.reader)):
            return self.read()

    def as_owner(self) -> object:
        with audit.acting(audit.context_for_user(self.owner)):
            return self.own()


def _market_case(cast):
    from tongban.cases import actions as case_actions
    from tongban.catalog.models import ServiceItem

    item = (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                       current_version__isnull=False, legal_days__gt=0).order_by("code").first())
    return case_actions.submit(cast.agent, item=item.code, region="210200", on_behalf_of=cast.enterprise.uscc)


def probe_case_detail(cast) -> Probe:
    from tongban.cases import selectors as s

    case = _market_case(cast)
    return Probe(read=lambda: s.case_detail(cast.officer_a, s.get_case(cast.officer_a, case.number)),
                 reader=cast.officer_a, subject_id=case.applicant_id,
                 own=lambda: s.case_detail(cast.agent, s.get_case(cast.agent, case.number)), owner=cast.agent)


def probe_agents_seen(cast) -> Probe:
    from tongban.identity import selectors as s
    from tongban.identity.actions import request_enterprise

    request_enterprise(cast.other_citizen, uscc=cast.enterprise.uscc, name=cast.enterprise.name,
                       legal_representative="王建国")
    return Probe(read=lambda: s.agents_seen(cast.agent, s.memberships_to_manage(cast.agent)),
                 reader=cast.agent, subject_id=cast.other_citizen.pk,
                 own=lambda: s.agents_seen(cast.other_citizen, s.memberships_to_manage(cast.agent)),
                 owner=cast.other_citizen)


def probe_exchange_read(cast) -> Probe:
    from tongban.exchange import reads
    from tongban.exchange.models import DataResource
    from tongban.harness import clients
    from tongban.harness.personas import persona

    client = clients.ensure_client(persona("client_granted"), grantor=cast.admin)
    resource = DataResource.objects.get(code="resident-identity")
    caller = reads.Caller(client, {resource.scope})

    def read():
        fields, grant = reads.allowed_fields(caller, resource)
        return reads.read(caller, resource, cast.citizen.id_number, "读取审计测试", fields, grant)

    return Probe(read=read, reader=None, subject_id=cast.citizen.pk)


PROBES: dict[str, Callable] = {
    "cases.case_detail": probe_case_detail,
    "identity.agents_seen": probe_agents_seen,
    "exchange.read": probe_exchange_read,
}
READS = sorted(key for key, fn in selectors().items()
               if (p := audit.read_policy_of(fn)) and p.kind == audit.READS)


def test_every_personal_read_selector_has_a_probe():
    missing = sorted(set(READS) - set(PROBES))
    assert not missing, ("@audit.personal_read selectors without a probe in tests/harness/test_read_audit.py "
                         f"PROBES (how to call them with real objects): {missing}")
    assert set(PROBES) <= set(READS), f"probes of selectors no longer marked personal_read: {set(PROBES) - set(READS)}"


def _reads_of(subject_id: int, what: str, reader: object = None) -> int:
    rows = AuditRecord.objects.filter(kind=AuditRecord.Kind.READ, subject_id=subject_id,
                                      action__startswith=f"read:{what}")
    return rows.filter(actor_id=getattr(reader, "pk", None)).count()


@pytest.mark.parametrize("key", READS)
def test_R21_a_personal_read_selector_records_the_read_about_its_subject(key, cast, catalog_loaded):
    what = audit.read_policy_of(selectors()[key]).what
    probe = PROBES[key](cast)
    if probe.own is not None:
        before = _reads_of(probe.subject_id, what, probe.owner)
        probe.as_owner()
        assert _reads_of(probe.subject_id, what, probe.owner) == before, \
            f"{key}: the subject reading their own data is recorded"
    before = _reads_of(probe.subject_id, what, probe.reader)
    assert probe.as_reader() is not None
    assert _reads_of(probe.subject_id, what, probe.reader) > before, \
        f"{key}: a read by someone else wrote no read:{what} record with the reader and the subject"


def test_R21_the_reads_show_in_the_subjects_data_use_tracker(cast, catalog_loaded):
    """What the records are for: the subject sees who read what (licences' data-use tracker)."""
    from tongban.testing import api_client

    probe_case_detail(cast).as_reader()
    uses = api_client(cast.agent).get("/api/me/data-uses").json()["items"]
    assert any(u["action"] == "read:case" for u in uses), uses


# --- scoped row renderers: no personal field on a real row ---------------------------------------------

def test_case_list_rows_carry_no_personal_data(cast, catalog_loaded):
    from tongban.cases import selectors as s

    case = _market_case(cast)
    row = s.list_row(s.get_case(cast.officer_a, case.number))
    text = repr(row)
    assert not set(row) & audit.PERSONAL_FIELDS
    assert cast.agent.name not in text and cast.agent.id_number not in text and cast.agent.phone not in text
