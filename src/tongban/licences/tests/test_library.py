"""The licence library: issue on approval (exactly once), versions, revocation races, seal
rotation and compromise, wrong KEK refused, the LicenceProvider."""

import pytest

from tongban.cases.signals import case_approved
from tongban.catalog.models import LicenceType
from tongban.core.errors import Conflict, FieldError
from tongban.core.models import AuditRecord
from tongban.licences import actions, seals
from tongban.licences.constants import KeyStatus, Status
from tongban.licences.crypto import SealError
from tongban.licences.models import Licence, SealKey
from tongban.licences.selectors import current_version, signed_document


def _issue(cast, number="", **kw):
    from tongban.identity.models import Department

    police = Department.objects.get(pk="police")
    return actions.issue_licence(cast.officer_b, licence_type=LicenceType.objects.get(pk="ZZ-HKB"),
                                 holder_kind="person", holder_id=cast.citizen.id_number, holder_name="张晓明",
                                 issuer=police, region=police.region, number=number, holder_user=cast.citizen, **kw)


def test_approval_issues_exactly_one_sealed_licence_even_when_the_signal_repeats(approved, cast):
    licences = Licence.objects.filter(source_case=approved)
    assert [(lic.licence_type_id, lic.holder_id, lic.issuer_id) for lic in licences] == [
        ("ZZ-YSZY", cast.citizen.id_number, "health")]
    case_approved.send(sender=type(approved), case=approved)  # a repeated (double-clicked) signal
    case_approved.send(sender=type(approved), case=approved)
    assert Licence.objects.filter(source_case=approved).count() == 1
    licence = licences.get()
    assert len(licence.verification_code) == 32 and licence.current_version == 1  # 128 random bits
    assert seals.check(signed_document(current_version(licence))).valid
    key = SealKey.objects.get(department_id="health")
    assert key.algorithm == "sm2" and key.status == KeyStatus.ACTIVE  # created lazily on first issue
    assert AuditRecord.objects.filter(action="licences.seal_key.use", data__licence=licence.pk).exists()


def test_number_is_unique_per_type_and_issuer(cast, catalog):
    _issue(cast, number="HKB-1")
    with pytest.raises(Conflict):
        _issue(cast, number="HKB-1")


def test_R1_holder_id_number_is_checked(cast, catalog):
    from tongban.identity.models import Department

    police = Department.objects.get(pk="police")
    with pytest.raises(FieldError) as err:
        actions.issue_licence(None, licence_type=LicenceType.objects.get(pk="ZZ-HKB"), holder_kind="person",
                              holder_id="210202198503120210", holder_name="x", issuer=police, region=police.region)
    assert err.value.errors[0][0] == "holder_id"


def test_revocation_is_a_new_version_and_a_second_revocation_is_409(cast, catalog):
    licence = _issue(cast)
    revoked = actions.revoke(cast.officer_b, licence, reason="以欺骗手段取得", basis="《行政许可法》第六十九条")
    assert revoked.status == Status.REVOKED and revoked.current_version == 2
    v2 = current_version(revoked)
    assert (v2.kind, v2.reason, v2.legal_basis, v2.actor_id) == ("revoke", "以欺骗手段取得", "《行政许可法》第六十九条",
                                                                  cast.officer_b.pk)
    with pytest.raises(Conflict):
        actions.revoke(cast.officer_b, licence, reason="再次", basis="同上")
    assert Licence.objects.get(pk=licence.pk).current_version == 2


def test_suspend_reinstate_and_reasons_required(cast, catalog):
    licence = _issue(cast)
    with pytest.raises(FieldError) as err:
        actions.suspend(cast.officer_b, licence, reason="", basis="")
    assert {f for f, _ in err.value.errors} == {"reason", "basis"}
    actions.suspend(cast.officer_b, licence, reason="整改", basis="依据")
    assert actions.reinstate(cast.officer_b, licence, reason="整改完成", basis="依据").status == Status.VALID
    with pytest.raises(Conflict):
        actions.reinstate(cast.officer_b, licence, reason="x", basis="y")


def test_expired_follows_from_the_dates_at_read_time(cast, catalog):
    import datetime as dt

    licence = _issue(cast, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2021, 1, 1))
    assert licence.status == Status.VALID and licence.effective_status() == Status.EXPIRED


def test_rotation_old_and_new_signatures_both_verify(cast, catalog):
    first = _issue(cast)
    old_key = current_version(first).seal_key
    actions.retire_key(None, old_key)
    second = _issue(cast)
    new_key = current_version(second).seal_key
    assert new_key != old_key and new_key.status == KeyStatus.ACTIVE
    old_check = seals.check(signed_document(current_version(first)))
    assert old_check.valid and "停用" in old_check.reason
    assert seals.check(signed_document(current_version(second))).valid


def test_compromised_key_licences_are_resealed_with_the_new_key(cast, catalog):
    licence = _issue(cast)
    v1 = current_version(licence)
    resealed = actions.compromise_key(None, v1.seal_key, reason="私钥外泄")
    assert [x.pk for x in resealed] == [licence.pk]
    v2 = current_version(Licence.objects.get(pk=licence.pk))
    assert v2.number == 2 and v2.kind == "reseal" and v2.seal_key != v1.seal_key
    assert seals.check(signed_document(v2)).valid
    old = seals.check(signed_document(v1))
    assert not old.valid and old.result == "compromised_key"


def test_wrong_kek_refuses_signing_and_writes_nothing(cast, catalog, settings):
    settings.TONGBAN_SEAL_KEK = "11" * 32
    _issue(cast)  # creates the police key under this KEK
    before = Licence.objects.count()
    settings.TONGBAN_SEAL_KEK = "22" * 32
    with pytest.raises(SealError, match="TONGBAN_SEAL_KEK"):
        _issue(cast)
    assert Licence.objects.count() == before


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256"])
def test_configured_algorithm_is_used(cast, catalog, settings, algorithm):
    settings.TONGBAN_SEAL_ALGORITHM = algorithm
    licence = _issue(cast)
    version = current_version(licence)
    assert version.algorithm == algorithm and seals.check(signed_document(version)).valid


def test_library_provider_answers_from_the_library_and_honours_the_demo_register(cast, catalog, settings):
    import datetime as dt

    from tongban.catalog.licensing import _provider, licence_provider
    from tongban.catalog.models import LicenceHolding
    from tongban.identity.models import Department

    settings.TONGBAN_LICENCE_PROVIDER = "tongban.licences.provider.LibraryLicenceProvider"
    _provider.cache_clear()
    try:
        provider = licence_provider()
        licence = _issue(cast)
        LicenceHolding.objects.create(licence_type_id="ZZ-SFZ", number="SFZ-1", holder=cast.citizen.id_number,
                                      holder_name="张晓明", issuer=Department.objects.get(pk="police"),
                                      valid_from=dt.date(2020, 1, 1))
        held = provider.held(cast.citizen.id_number, ["ZZ-HKB", "ZZ-SFZ", "ZZ-YYZZ"])
        assert set(held) == {"ZZ-HKB", "ZZ-SFZ"} and held["ZZ-HKB"].number == licence.number
        actions.revoke(cast.officer_b, licence, reason="注销", basis="依据")
        assert "ZZ-HKB" not in provider.held(cast.citizen.id_number, ["ZZ-HKB"])
        from tongban.licences.demo import import_holdings

        assert import_holdings() >= 1 and import_holdings() == 0  # idempotent
        assert Licence.objects.filter(number="SFZ-1", holder_id=cast.citizen.id_number).exists()
    finally:
        _provider.cache_clear()


def test_offline_script_verifies_a_genuine_document_and_refuses_an_altered_one(cast, catalog, tmp_path):
    import json

    from tongban.licences.api import key_row
    from tongban.licences.offline import verify_licence

    licence = _issue(cast)
    doc = signed_document(current_version(licence))
    register = {"items": [key_row(k) for k in SealKey.objects.all()]}
    assert verify_licence.jcs_stdlib(doc) == __import__("rfc8785").dumps(doc)
    assert verify_licence.check(doc, register)[0]
    altered = json.loads(json.dumps(doc))
    altered["licence"]["holder"]["name"] = "李四"
    assert not verify_licence.check(altered, register)[0]
    (tmp_path / "l.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "k.json").write_text(json.dumps(register), encoding="utf-8")
    assert verify_licence.main(["x", str(tmp_path / "l.json"), str(tmp_path / "k.json")]) == 0
