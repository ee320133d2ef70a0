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
from django.db.models import Case, When

import tongban
from tongban.core import audit
from tongban.core.models import AuditRecord

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
    undeclared = sorted(key for key, fn in selectors().items() if audit.read_policy_of(fn) is None)
    assert not undeclared, (
        "Selectors that do not declare what they read (issue 10 item 8). Put one marker of tongban.core.audit "
        "above each: @audit.personal_read(\"what\") if it returns someone's personal data (it must then call "
        "audit.record_read for a reader who is not the subject, and get a probe in tests/harness/"
        "test_read_audit.py), @audit.own_data(why), @audit.scoped_lookup(why) or @audit.no_personal_data(why):\n"
        + "\n".join(undeclared))
    wrong = [f"{key}: {policy}" for key, fn in selectors().items() if (policy := audit.read_policy_of(fn))
             and (policy.kind not in MARKERS or not policy.what.strip())]
    assert not wrong, wrong


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


def _is_personal_model(fn: Callable, name: str) -> bool:
    """A model's name is personal unless the module binds it to something else (django's `Case`
    expression is no `cases.Case`); a name imported inside the function counts."""
    imported_here = {alias.asname or alias.name for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(fn))))
                     if isinstance(node, ast.ImportFrom | ast.Import) for alias in node.names}
    bound = fn.__globals__.get(name)
    return (name in imported_here or bound is None
            or getattr(getattr(bound, "_meta", None), "label", None) in audit.PERSONAL_MODELS)


def personal_names_in(fn: Callable) -> set[str]:
    models = {label.split(".")[1] for label in audit.PERSONAL_MODELS}
    found = _names_in(fn) & (models | audit.PERSONAL_FIELDS)
    return {name for name in found if name not in models or _is_personal_model(fn, name)}


# Names that are not about a person in these selectors, each with its reason: the static check reads
# names, not types. Keep it short — a name here must still occur (else it goes).
NOT_PERSONAL_HERE = {
    "catalog.guide": {"phone"},  # the implementing office's public consultation number (impl.phone)
}


def test_a_selector_without_personal_data_names_no_personal_model_or_field():
    found_by = {key: personal_names_in(fn) for key, fn in selectors().items()
                if (p := audit.read_policy_of(fn)) and p.kind == audit.NOT_PERSONAL}
    stale = {key: names - found_by.get(key, set()) for key, names in NOT_PERSONAL_HERE.items()}
    assert not any(stale.values()), f"remove from NOT_PERSONAL_HERE (no longer named there): {stale}"
    wrong = [f"{key}: {sorted(found)}" for key, names in found_by.items()
             if (found := names - NOT_PERSONAL_HERE.get(key, set()))]
    assert not wrong, ("Declared @audit.no_personal_data, but they name personal models or fields "
                       "(audit.PERSONAL_MODELS / PERSONAL_FIELDS): declare what they really read.\n" + "\n".join(wrong))


def test_the_static_check_can_fail():
    def leaky(user):
        return user.id_number

    def harmless(region):
        return region.name

    def expression(region):
        return When(region=region, then=Case(default=1))

    def local_model(number):
        from tongban.cases.models import Case

        return Case.objects.get(number=number)

    assert personal_names_in(leaky) == {"id_number"} and not personal_names_in(harmless)
    assert not personal_names_in(expression)  # django's Case, bound in the module, is no cases.Case
    assert personal_names_in(local_model) == {"Case"}  # … but an unbound one is read as the model


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


def probe_licences_for(cast) -> Probe:
    """An officer handling the enterprise's case looks up the enterprise's licences: a read about
    the case's applicant; the legal representative looking them up is not one."""
    from tongban.licences import selectors as s

    case = _market_case(cast)
    uscc = cast.enterprise.uscc
    return Probe(read=lambda: s.licences_for(cast.officer_a, uscc), reader=cast.officer_a,
                 subject_id=case.applicant_id, own=lambda: s.licences_for(cast.agent, uscc), owner=cast.agent)


def probe_get_licence(cast) -> Probe:
    from tongban.catalog.models import LicenceType
    from tongban.identity.models import Department
    from tongban.licences import selectors as s
    from tongban.licences.actions import issue_licence

    police = Department.objects.get(pk="police")
    licence = issue_licence(cast.officer_b, licence_type=LicenceType.objects.get(pk="ZZ-HKB"), holder_kind="person",
                            holder_id=cast.citizen.id_number, holder_name=cast.citizen.name, issuer=police,
                            region=police.region, holder_user=cast.citizen)
    return Probe(read=lambda: s.get_licence(cast.officer_b, licence.pk), reader=cast.officer_b,
                 subject_id=cast.citizen.pk, own=lambda: s.get_licence(cast.citizen, licence.pk), owner=cast.citizen)


def probe_request_detail(cast) -> Probe:
    from tongban.disclosure import actions
    from tongban.disclosure import selectors as s

    req = actions.submit(cast.citizen, content="请公开2025年食品安全抽检结果", requester_type="natural_person",
                         delivery="online", department="market")
    return Probe(read=lambda: s.request_detail(cast.officer_a, s.get_request(cast.officer_a, req.number)),
                 reader=cast.officer_a, subject_id=cast.citizen.pk,
                 own=lambda: s.request_detail(cast.citizen, s.get_request(cast.citizen, req.number)),
                 owner=cast.citizen)


def probe_hotline_full(cast) -> Probe:
    from tongban.hotline import actions
    from tongban.hotline import selectors as s

    ticket, _ = actions.file_ticket(cast.citizen, {"text": "小区门口的路灯坏了一个月了", "channel": "web"})
    return Probe(read=lambda: s.full(cast.hotline, s.staff_ticket(cast.hotline, ticket.number)),
                 reader=cast.hotline, subject_id=cast.citizen.pk,
                 own=lambda: s.full(cast.citizen, ticket), owner=cast.citizen)


PROBES: dict[str, Callable] = {
    "cases.case_detail": probe_case_detail,
    "identity.agents_seen": probe_agents_seen,
    "exchange.read": probe_exchange_read,
    "licences.licences_for": probe_licences_for,
    "licences.get_licence": probe_get_licence,
    "disclosure.request_detail": probe_request_detail,
    "hotline.full": probe_hotline_full,
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
