"""`./tongban audit verify` (INTERFACES.md): seal what is pending, check the whole chain, exit 1
naming the first broken or missing record."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tongban.core import audit
from tongban.core.models import AuditRecord

from .test_audit import delete, empty_trail, sealed_chain, tamper, write  # noqa: F401 (empty_trail: autouse fixture)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_audit_verify_reports_how_many_records_it_checked():
    sealed_chain(2)
    write(3, start=2)  # not sealed yet: verify seals them first
    out, err = run("verify")
    assert "审计链完整：已核验 5 条记录" in out
    assert err == ""
    assert not AuditRecord.objects.filter(seq__isnull=True).exists()


@pytest.mark.django_db
def test_audit_verify_on_an_empty_trail_checks_nothing():
    out, _ = run("verify")
    assert "已核验 0 条记录" in out


@pytest.mark.django_db
def test_audit_verify_exits_1_naming_the_edited_record():
    chain = sealed_chain(4)
    tamper(chain[1], data={"approved": True})
    with pytest.raises(SystemExit) as exit_:
        run("verify")
    assert exit_.value.code == 1


@pytest.mark.django_db
def test_audit_verify_message_names_the_first_broken_record():
    chain = sealed_chain(4)
    tamper(chain[1], reason="改写的事由")
    tamper(chain[3], reason="也改了")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    message = err.getvalue()
    assert f"第 2 条记录（id={chain[1].pk}）的内容被篡改" in message
    assert "此前 1 条记录完好" in message
    assert "第 4 条" not in message


@pytest.mark.django_db
def test_audit_verify_names_a_missing_record():
    chain = sealed_chain(3)
    delete(chain[1])
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert f"第 2 条记录缺失（下一条现存记录为第 3 条，id={chain[2].pk}）" in err.getvalue()


@pytest.mark.django_db
def test_audit_seal_reports_how_many_records_it_sealed():
    write(3)
    out, _ = run("seal")
    assert "已封存 3 条记录" in out
    assert audit.verify_chain() == audit.VerifyResult(3)
