"""Audit completeness (issue 10, item 8): every public function of every `tongban/*/actions.py` (and
`*_actions.py`) writes an audit record.

Method: static, over the source (AST). A function counts as auditing when its body calls
`audit.record(...)` or `audit.record_read(...)`, or calls a function that does — of its own
module, or a public one of another actions module (`module.name(...)` or imported) — followed transitively, so an
action may delegate to a private `_save_…` helper or to another app's action. Executing every
action instead would need valid input for each, which a new action would not have; reading
the source covers a new action the day it is written. What the static check cannot see — a
record written only on some branches — the action's own tests assert. Functions deliberately
not audited are listed below with the reason.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import tongban

AUDIT_CALLS = {"record", "record_read"}

# "app.function": why it writes no audit record. A new entry needs a reason a reviewer accepts.
NOT_AUDITED: dict[str, str] = {
    "identity.send_login_code": "sends an SMS code before anyone is signed in; the code row itself "
                                "(SmsCode) is the trace, and the sign-in it leads to is audited "
                                "(identity.login.sms)",
    "search.log_no_result": "records an anonymous search that found nothing (QueryLog) for the "
                            "catalogue editors: no person, no personal data, no change to a record",
    "search.actor_or_none": "a helper (the acting user or None), not an action",
    "catalog.record_view": "bumps an anonymous daily view counter of an item (hot services): no person, "
                           "no personal data, one upsert per guide page view",
    "catalog.record_application": "bumps an anonymous daily application counter of an item (hot services); "
                                  "the case itself is audited by the cases app",
}


def _action_modules() -> list[str]:
    """`<app>/actions.py` and the app's further write paths named `<app>/*_actions.py`."""
    root = Path(tongban.__file__).parent
    return sorted(f"tongban.{m.name}.{f.stem}" for m in pkgutil.iter_modules([str(root)]) if m.ispkg
                  for f in (root / m.name).glob("*actions.py") if f.stem == "actions" or f.stem.endswith("_actions"))


def _calls(fn: ast.AST) -> tuple[bool, set[str], set[str]]:
    """(calls audit.record directly, plain names it calls, attribute names it calls)."""
    direct, names, attributes = False, set(), set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in AUDIT_CALLS and isinstance(f.value, ast.Name) \
                and f.value.id == "audit":
            direct = True
        elif isinstance(f, ast.Attribute):
            attributes.add(f.attr)
        elif isinstance(f, ast.Name):
            names.add(f.id)
    return direct, names, attributes


def _analyse() -> dict[tuple[str, str], bool]:
    """{(app, function): audits?} for every top-level function of every actions module."""
    calls = {}
    for module_name in _action_modules():
        module = importlib.import_module(module_name)
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                calls[(module_name.split(".")[1], node.name)] = _calls(node)
    auditing = {key for key, (direct, _, _) in calls.items() if direct}
    while True:  # to a fixed point
        public = {name for _, name in auditing if not name.startswith("_")}
        new = {(app, name) for (app, name), (_, names, attributes) in calls.items()
               if (app, name) not in auditing
               and ({(app, n) for n in names} & auditing or (attributes | names) & public)}
        if not new:
            return {key: key in auditing for key in calls}
        auditing |= new


def unaudited() -> list[str]:
    return [f"{app}.{name}" for (app, name), audits in _analyse().items() if not name.startswith("_") and not audits]


def test_the_walk_finds_the_actions_modules():
    found = _action_modules()
    assert {"tongban.identity.actions", "tongban.catalog.actions", "tongban.search.actions"} <= set(found)


def test_every_action_writes_an_audit_record():
    missing = [name for name in unaudited() if name not in NOT_AUDITED]
    assert not missing, (
        "Actions that write no audit record (STYLE/ARCHITECTURE: every write calls audit.record() in "
        "its transaction). Record one, or list the function in NOT_AUDITED with the reason:\n" + "\n".join(missing))


def test_not_audited_list_is_true():
    """A stale exception would silently excuse a future action of the same name."""
    listed, actual = set(NOT_AUDITED), set(unaudited())
    assert listed <= actual, f"listed as not audited but they do audit, or no longer exist: {sorted(listed - actual)}"
