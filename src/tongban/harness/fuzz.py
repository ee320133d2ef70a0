"""API fuzzing with schemathesis (issue 10, item 1).

Every operation of `/api/openapi.json` is fuzzed with generated valid and invalid input, as
each persona and anonymously; new operations are covered by construction because the list
comes from the schema. A response fails when it is a 5xx, does not match its documented
status codes, content type or schema, or is a 4xx without the INTERFACES.md error shape.

The requests go in-process to Django's WSGI handler, on the caller's database connection,
so the fuzz runs inside a pytest-django test transaction (any database, any xdist worker).
Each case runs in a savepoint that is rolled back afterwards and starts with an empty cache:
every case sees the same data (a fuzzed `DELETE /api/me/tokens/{id}` cannot revoke the
persona's own token for the cases after it) and the throttles never turn the fuzz into a
stream of 429s (throttling has its own tests).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import Failure, FailureGroup

SCHEMA_PATH = "/api/openapi.json"
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def error_shape(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx has the INTERFACES.md shape: `{"detail": "…"}`, and for 422 the list
    `{"detail": [{"field", "message"}, …]}`."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON body") from None
    detail = body.get("detail") if isinstance(body, dict) else None
    problems = isinstance(detail, list) and detail and all(
        isinstance(p, dict) and isinstance(p.get("field"), str) and isinstance(p.get("message"), str) for p in detail)
    if response.status_code == 422:
        assert problems, f"422 without {{'detail': [{{'field', 'message'}}]}}: {body!r:.200}"
    else:
        assert (isinstance(detail, str) and detail) or problems, \
            f"{response.status_code} without 'detail': {body!r:.200}"


def checks() -> list[Callable[..., Any]]:
    load_all_checks()
    from schemathesis import checks as builtin

    return [builtin.not_a_server_error, builtin.status_code_conformance, builtin.content_type_conformance,
            builtin.response_schema_conformance, error_shape]


@dataclass
class Finding:
    persona: str
    check: str
    title: str
    message: str
    status: int | None
    reproduce: str

    def __str__(self) -> str:
        return (f"[{self.persona}] {self.check}: {self.title} (HTTP {self.status})\n      {self.message}\n"
                f"      {self.reproduce}")


@dataclass
class OperationReport:
    label: str
    cases: int = 0
    seconds: float = 0.0
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)  # one per persona, check, title

    def add(self, finding: Finding) -> None:
        self.findings.setdefault((finding.persona, finding.check, finding.title), finding)


@contextmanager
def in_process() -> Iterator[WSGIHandler]:
    """Django's WSGI handler on this thread's connection. Like the test client, it must not
    close the connection at the end of each request (that would end the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(app: WSGIHandler) -> Any:
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)


def operations(schema: Any, *, secured_only: bool = False) -> list[Any]:
    """Every operation of the schema (an unusable one raises: the schema itself is wrong);
    `secured_only`: those that authenticate the caller (the others never look at a token)."""
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if not secured_only or op.definition.raw.get("security")]


def fuzz_operation(operation: Any, report: OperationReport, *, persona: str, headers: dict[str, str],
                   max_examples: int, derandomize: bool = True, modes: Iterable[GenerationMode] = MODES) -> None:
    """Run `max_examples` generated cases per mode against `operation`, adding to `report`."""
    started = time.monotonic()
    for mode in modes:
        strategy = operation.as_strategy(generation_mode=mode)

        @hypothesis.settings(max_examples=max_examples, deadline=None, database=None, derandomize=derandomize,
                             suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
                             print_blob=False)
        @hypothesis.given(strategy)
        def run(case: Any) -> None:
            report.cases += 1
            _check_case(case, report, persona, headers)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            continue  # nothing to negate (no parameters) — the positive mode covered it
    report.seconds += time.monotonic() - started


def _check_case(case: Any, report: OperationReport, persona: str, headers: dict[str, str]) -> None:
    cache.clear()
    savepoint = transaction.savepoint()
    response = None
    try:
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks(), headers=headers)
    except FailureGroup as group:
        for failure in group.exceptions:
            report.add(_finding(persona, case, failure, response, headers))
    except Failure as failure:
        report.add(_finding(persona, case, failure, response, headers))
    finally:
        transaction.savepoint_rollback(savepoint)


def _finding(persona: str, case: Any, failure: Failure, response: Any, headers: dict[str, str]) -> Finding:
    safe = {k: ("Bearer …" if k.lower() == "authorization" else v) for k, v in headers.items()}
    try:
        reproduce = case.as_curl_command(headers=safe)
    except Exception:  # a report line must never hide the finding itself
        reproduce = f"{case.method} {case.formatted_path}"
    message = " ".join(str(failure.message).split())[:300]
    status = getattr(response, "status_code", None)
    return Finding(persona, type(failure).__name__, failure.title, message, status, reproduce)


def format_report(reports: Iterable[OperationReport]) -> str:
    lines = [f"{'operation':58} {'cases':>6} {'findings':>8} {'seconds':>8}"]
    total_cases = total_findings = 0
    for r in reports:
        lines.append(f"{r.label:58} {r.cases:>6} {len(r.findings):>8} {r.seconds:>8.1f}")
        lines.extend(f"    {f}" for f in r.findings.values())
        total_cases += r.cases
        total_findings += len(r.findings)
    lines.append(f"{'total':58} {total_cases:>6} {total_findings:>8}")
    return "\n".join(lines)
