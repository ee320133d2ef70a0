"""API fuzzing, fast profile (issue 10, item 1): see `tongban.harness.fuzz`.

Every operation of /api/openapi.json, every persona and anonymous, valid and invalid input:
no 5xx, responses as documented, 4xx in the INTERFACES.md error shape. The number of examples
per operation is small and derandomised here (the same cases every run, so CI never flakes);
`./tongban fuzz --deep` runs the same code with many random examples and prints a report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tongban.harness import fuzz
from tongban.harness.personas import PERSONAS

pytestmark = pytest.mark.django_db

# TONGBAN_FUZZ_* are set by `./tongban fuzz`; the defaults are the fast profile of the suite.
EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "0"))
DEEP = os.environ.get("TONGBAN_FUZZ_DEEP") == "1"
ONLY = [p for p in os.environ.get("TONGBAN_FUZZ_PERSONAS", "").split(",") if p]
REPORT_DIR = os.environ.get("TONGBAN_FUZZ_REPORT")  # `./tongban fuzz` prints the reports written here
# An operation with `auth=None` never looks at the caller's token, so it is fuzzed anonymously
# only; every persona fuzzes the operations behind authentication.
# The external clients (a client-credentials token) get 401 on all but the exchange's read API:
# a few cases each keep "no 5xx for a token without a user" fuzzed on every operation.
FAST_EXAMPLES = {"anonymous": 10, **{p.name: 2 for p in PERSONAS if p.is_client}}
FAST_DEFAULT = 3


@pytest.mark.parametrize("persona", [p.name for p in PERSONAS if not ONLY or p.name in ONLY])
def test_api_fuzz(persona, bearer, catalog_loaded):
    reports = []
    with fuzz.in_process() as app:
        schema = fuzz.load_schema(app)
        for operation in fuzz.operations(schema, secured_only=persona != "anonymous"):
            report = fuzz.OperationReport(operation.label)
            fuzz.fuzz_operation(operation, report, persona=persona, headers=bearer[persona],
                                max_examples=EXAMPLES or FAST_EXAMPLES.get(persona, FAST_DEFAULT),
                                derandomize=not DEEP)
            reports.append(report)
    text = fuzz.format_report(reports)
    if REPORT_DIR:
        Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
        (Path(REPORT_DIR) / f"{persona}.txt").write_text(f"== {persona}\n{text}\n", encoding="utf-8")
    findings = [f for r in reports for f in r.findings.values()]
    assert not findings, f"{len(findings)} findings as {persona}:\n{text}"
