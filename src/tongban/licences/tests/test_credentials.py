"""The W3C Verifiable Credential export (issue 6 item 3): an eddsa-jcs-2022 proof by the issuing
department's Ed25519 key over the credential carrying the SM2-sealed licence, verified by the
public upload verification; revocation and suspension in Bitstring Status Lists."""

import base64
import copy
import gzip
import hashlib
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from tongban.core import audit
from tongban.core.models import AuditRecord
from tongban.licences import actions, credentials
from tongban.licences.models import Licence, SealKey
from tongban.testing import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(approved):
    return Licence.objects.get(source_case=approved)


def _export(user, licence):
    return api_client(user).get(f"/api/licences/{licence.pk}/credential")


def _verify(vc):
    return Client().post("/api/licences/verify", data=json.dumps(vc, ensure_ascii=False),
                         content_type="application/json").json()


def test_credential_export_carries_the_seal_and_an_eddsa_jcs_2022_proof(cast, licence):
    r = _export(cast.citizen, licence)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vc+ld+json")
    vc = r.json()
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["type"] == ["VerifiableCredential", "TongbanLicenceCredential"]
    assert vc["credentialSubject"]["number"] == licence.number and vc["issuer"]["name"] == licence.issuer.name
    sealed = vc["credentialSubject"]["sealedLicence"]
    assert sealed["seal"]["algorithm"] == "sm2" and sealed["licence"]["verification_code"] == licence.verification_code
    proof = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"].startswith("did:key:z6Mk") and vc["issuer"]["id"].startswith("did:key:z6Mk")
    assert {e["statusPurpose"] for e in vc["credentialStatus"]} == {"revocation", "suspension"}
    key = SealKey.objects.get(department=licence.issuer, algorithm="ed25519", status="active")
    use = AuditRecord.objects.filter(action="licences.seal_key.use", object_id=str(key.pk)).latest("id")
    assert use.data["licence"] == licence.pk and use.data["kind"] == "credential"
    assert api_client(cast.other_citizen).get(f"/api/licences/{licence.pk}/credential").status_code == 404


def test_proof_checks_by_the_cryptosuite_written_out_independently(cast, licence):
    """eddsa-jcs-2022 by hand: SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)), Ed25519."""
    vc = _export(cast.citizen, licence).json()
    proof = dict(vc.pop("proof"))
    value = proof.pop("proofValue")
    config = {**proof, "@context": vc["@context"]}
    data = hashlib.sha256(rfc8785.dumps(config)).digest() + hashlib.sha256(rfc8785.dumps(vc)).digest()
    public = credentials.public_of(proof["verificationMethod"])
    ed25519.Ed25519PublicKey.from_public_bytes(public).verify(credentials.b58decode(value[1:]), data)  # raises if bad
    assert credentials.b58decode(credentials.b58encode(b"\0\0abc")) == b"\0\0abc"


def test_genuine_credential_verifies_by_upload_and_an_altered_one_fails(cast, licence):
    vc = _export(cast.citizen, licence).json()
    answer = _verify(vc)
    assert answer["valid"] is True and answer["result"] == "valid" and answer["credential"]["result"] == "valid"
    assert answer["signature"]["algorithm"] == "sm2" and answer["signature"]["result"] == "valid"
    outer = copy.deepcopy(vc)
    outer["credentialSubject"]["number"] = "X-1"
    answer = _verify(outer)
    assert answer["valid"] is False and answer["result"] == "invalid" and "凭证" in answer["reason"]
    inner = copy.deepcopy(vc)
    inner["credentialSubject"]["sealedLicence"]["licence"]["holder"]["name"] = "冒名"
    answer = _verify(inner)
    assert answer["valid"] is False and "licence.holder.name" in answer["differing_fields"]
    stranger = copy.deepcopy(vc)
    public = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    did = credentials.did_key(public)
    stranger["proof"]["verificationMethod"] = f"{did}#{did.removeprefix('did:key:')}"
    answer = _verify(stranger)
    assert answer["valid"] is False and answer["credential"]["result"] == "unknown_key"


def _status_path(entry):
    return "/" + entry["statusListCredential"].split("://", 1)[1].split("/", 1)[1]


def test_status_list_is_a_credential_signed_by_the_issuing_department(cast, licence):
    vc = _export(cast.citizen, licence).json()
    entry = next(e for e in vc["credentialStatus"] if e["statusPurpose"] == "revocation")
    assert f"/status/{licence.issuer_id}/revocation/" in entry["statusListCredential"]
    r = Client().get(_status_path(entry))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vc+ld+json")
    listed = r.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"]["id"] == vc["issuer"]["id"]  # the same department key as the licence credential
    assert listed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    check = credentials.check_status_list(listed, licence.issuer_id)
    assert check.valid and check.key.department_id == licence.issuer_id
    # eddsa-jcs-2022 by hand, independently of credentials.check_proof
    proof = dict(listed["proof"])
    value = proof.pop("proofValue")
    body = {k: v for k, v in listed.items() if k != "proof"}
    data = hashlib.sha256(rfc8785.dumps({**proof, "@context": listed["@context"]})).digest() + hashlib.sha256(
        rfc8785.dumps(body)).digest()
    ed25519.Ed25519PublicKey.from_public_bytes(credentials.public_of(proof["verificationMethod"])).verify(
        credentials.b58decode(value[1:]), data)
    # tampering: a flipped bit (the bitstring of another list), a changed purpose, another issuer
    forged = copy.deepcopy(listed)
    bits = bytearray(credentials.LIST_SIZE // 8)
    bits[licence.pk % credentials.LIST_SIZE // 8] |= 0x80 >> (licence.pk % 8)  # "revoked"
    forged["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode()
    assert credentials.bit_set(forged["credentialSubject"]["encodedList"], licence.pk % credentials.LIST_SIZE)
    assert credentials.check_status_list(forged, licence.issuer_id).result == "invalid"
    forged = copy.deepcopy(listed)
    forged["credentialSubject"]["statusPurpose"] = "suspension"
    assert credentials.check_status_list(forged, licence.issuer_id).valid is False
    assert credentials.check_status_list(listed, "market").result == "wrong_issuer"
    assert credentials.check_status_list({**listed, "type": ["VerifiableCredential"]},
                                         licence.issuer_id).result == "malformed"
    assert Client().get("/api/licences/status/no-such-department/revocation/1").status_code == 404


def test_revocation_sets_the_bit_in_the_signed_status_list(cast, licence, health_officer):
    vc = _export(cast.citizen, licence).json()
    entry = next(e for e in vc["credentialStatus"] if e["statusPurpose"] == "revocation")
    path = _status_path(entry)
    listed = Client().get(path).json()
    index = int(entry["statusListIndex"])
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert credentials.bit_set(listed["credentialSubject"]["encodedList"], index) is False
    signings = AuditRecord.objects.filter(action="licences.seal_key.use", data__kind="status_list").count()
    assert Client().get(path).json() == listed  # unchanged bits: served as signed, not signed again
    assert AuditRecord.objects.filter(action="licences.seal_key.use", data__kind="status_list").count() == signings
    with audit.acting(audit.context_for_user(health_officer)):
        actions.change_status(health_officer, licence, "revoke", reason="以欺骗手段取得",
                              basis="《行政许可法》第六十九条")
    revoked = Client().get(path).json()
    assert credentials.bit_set(revoked["credentialSubject"]["encodedList"], index) is True
    assert credentials.check_status_list(revoked, licence.issuer_id).valid  # re-signed with the new bit
    stale = copy.deepcopy(listed)  # an attacker replaying the old list's bitstring under the new proof
    stale["proof"] = revoked["proof"]
    assert credentials.check_status_list(stale, licence.issuer_id).valid is False
    suspended = Client().get(path.replace("revocation", "suspension")).json()
    assert credentials.bit_set(suspended["credentialSubject"]["encodedList"], index) is False
    assert Client().get(f"/api/licences/status/{licence.issuer_id}/other/1").status_code == 422
    answer = _verify(vc)  # the old credential: genuine, superseded by the revocation's version
    assert answer["result"] == "superseded" and answer["status"] == "revoked"
