"""A licence as a W3C Verifiable Credential 2.0 (issue 6 item 3, optional export).

The credential carries the licence's sealed document (its RFC 8785 data, the SM2 seal and
signature — `credentialSubject.sealedLicence`) and is secured by a Data Integrity proof with the
`eddsa-jcs-2022` cryptosuite under the issuing department's Ed25519 seal key (a `did:key`
verification method, so anyone can check it offline; the key must also be in the public key
register). Revocation and suspension are published as Bitstring Status Lists, one set per issuing
department (one bit per licence, index = the licence's id mod LIST_SIZE) at
`/api/licences/status/{department}/{purpose}/{list}`; each list is itself a
BitstringStatusListCredential signed `eddsa-jcs-2022` by that department's Ed25519 key, re-signed
only when its bits change (the signed list is cached under the digest of its bitstring).

Verification (`verify`, used by the public upload verification): the proof, then the embedded
sealed document exactly as an uploaded licence JSON (signature, altered fields, superseded
versions, status). Contexts are vendored (`contexts/credentials-v2.jsonld`): nothing is fetched."""

from __future__ import annotations

import base64
import gzip
import hashlib
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from tongban.core import audit
from tongban.identity.models import Department

from . import crypto, seals
from .constants import KeyStatus, Status
from .models import Licence, LicenceVersion, SealKey

CONTEXT = "https://www.w3.org/ns/credentials/v2"
CRYPTOSUITE = "eddsa-jcs-2022"
ALGORITHM = "ed25519"
LIST_SIZE = 131072  # bits per status list: the spec's minimum (16 KB), for herd privacy
STATUS_LIST_CACHE_SECONDS = 86400
PURPOSES = {"revocation": Status.REVOKED, "suspension": Status.SUSPENDED}
ED25519_MULTICODEC = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# --- multibase (base58btc) and did:key ---------------------------------------------------------

def b58encode(raw: bytes) -> str:
    number, out = int.from_bytes(raw, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        number = number * 58 + _ALPHABET.index(ch)  # ValueError on a foreign character
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key(public: bytes) -> str:
    return f"did:key:z{b58encode(ED25519_MULTICODEC + public)}"


def public_of(verification_method: str) -> bytes:
    """The Ed25519 public key a `did:key:z…#z…` names (ValueError if it names none)."""
    did = verification_method.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise ValueError("not a did:key")
    raw = b58decode(did.removeprefix("did:key:z"))
    if raw[:2] != ED25519_MULTICODEC or len(raw) != 34:
        raise ValueError("not an Ed25519 did:key")
    return raw[2:]


# --- eddsa-jcs-2022 --------------------------------------------------------------------------

def _hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """The cryptosuite's hash data: SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document))."""
    return hashlib.sha256(crypto.canonical(proof_config)).digest() + hashlib.sha256(
        crypto.canonical(document)).digest()


def _proof_config(document: dict[str, Any], key: SealKey, created: str) -> dict[str, Any]:
    did = did_key(bytes.fromhex(key.public_key))
    return {"@context": document["@context"], "type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE,
            "created": created, "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
            "proofPurpose": "assertionMethod"}


def sign(document: dict[str, Any], key: SealKey) -> dict[str, Any]:
    """The document with its `proof` (refused, SealError, if the key is not active or cannot
    be decrypted — never an unsigned credential)."""
    if key.status != KeyStatus.ACTIVE:
        raise crypto.SealError(f"印章密钥 {key.key_id} 不在用，不能签发可验证凭证")
    private = crypto.decrypt_private(key.encrypted_private_key, key.key_id)
    created = timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    config = _proof_config(document, key, created)
    signature = crypto.backend(ALGORITHM).sign(private, bytes.fromhex(key.public_key), _hash_data(document, config))
    proof = {k: v for k, v in config.items() if k != "@context"}
    return {**document, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


def check_proof(credential: dict[str, Any]) -> seals.SignatureCheck:
    """The proof against the key register (retired keys still verify; compromised ones do not)."""
    proof = credential.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return seals.SignatureCheck(False, "", "", "malformed", f"凭证缺少 {CRYPTOSUITE} 证明（proof）")
    method = str(proof.get("verificationMethod", ""))
    try:
        public = public_of(method)
        signature = b58decode(str(proof.get("proofValue", "")).removeprefix("z"))
    except ValueError:
        return seals.SignatureCheck(False, ALGORITHM, method, "malformed", "证明的验证方法或签名值格式无效")
    key = SealKey.objects.filter(algorithm=ALGORITHM, public_key=public.hex()).first()
    if key is None:
        return seals.SignatureCheck(False, ALGORITHM, method, "unknown_key", "签名公钥不在公钥登记簿中")
    document = {k: v for k, v in credential.items() if k != "proof"}
    config = {**{k: v for k, v in proof.items() if k != "proofValue"}, "@context": credential.get("@context")}
    if not crypto.backend(ALGORITHM).verify(public, _hash_data(document, config), signature):
        return seals.SignatureCheck(False, ALGORITHM, key.key_id, "invalid",
                                    "凭证证明与内容不符（凭证被改动或证明伪造）", key)
    if key.status == KeyStatus.COMPROMISED:
        return seals.SignatureCheck(False, ALGORITHM, key.key_id, "compromised_key", "凭证签名密钥已标记为泄露", key)
    return seals.SignatureCheck(True, ALGORITHM, key.key_id, "valid", "凭证证明有效", key)


# --- the credential --------------------------------------------------------------------------

def _day(value: Any) -> str | None:
    return f"{value.isoformat()}T00:00:00+08:00" if value else None


def status_url(base: str, department: str, purpose: str, number: int) -> str:
    return f"{base}/api/licences/status/{department}/{purpose}/{number}"


def _status_entries(licence: Licence, base: str) -> list[dict[str, Any]]:
    number, index = licence.pk // LIST_SIZE + 1, licence.pk % LIST_SIZE
    return [{"id": f"{status_url(base, licence.issuer_id, purpose, number)}#{index}",
             "type": "BitstringStatusListEntry", "statusPurpose": purpose, "statusListIndex": str(index),
             "statusListCredential": status_url(base, licence.issuer_id, purpose, number)} for purpose in PURPOSES]


def credential(licence: Licence, version: LicenceVersion, base: str, actor: Any = None) -> dict[str, Any]:
    """The licence's current version as a signed credential (the key use is audited)."""
    key = seals.active_key(licence.issuer, ALGORITHM)
    did = did_key(bytes.fromhex(key.public_key))
    document = {
        "@context": [CONTEXT],
        "id": f"urn:tongban:licence:{licence.verification_code}:v{version.number}",
        "type": ["VerifiableCredential", "TongbanLicenceCredential"],
        "name": licence.licence_type.name,
        "issuer": {"id": did, "name": licence.issuer.name},
        "validFrom": _day(licence.valid_from),
        **({"validUntil": _day(licence.valid_until)} if licence.valid_until else {}),
        "credentialSubject": {
            "type": "TongbanLicence", "licenceType": licence.licence_type_id, "number": licence.number,
            "holder": {"kind": licence.holder_kind, "id": licence.holder_id, "name": licence.holder_name},
            "verifyUrl": f"{base}/verify/{licence.verification_code}",
            "sealedLicence": seals.document(version.data, version.seal, version.signature),
        },
        "credentialStatus": _status_entries(licence, base),
    }
    signed = sign(document, key)
    audit.record("licences.seal_key.use", obj=key, actor=actor, subject_id=licence.holder_user_id,
                 data={"key_id": key.key_id, "licence": licence.pk, "number": licence.number,
                       "version": version.number, "kind": "credential"})
    return signed


def is_credential(doc: dict[str, Any]) -> bool:
    return "proof" in doc and isinstance(doc.get("credentialSubject"), dict)


def sealed_of(doc: dict[str, Any]) -> dict[str, Any]:
    sealed = doc["credentialSubject"].get("sealedLicence")
    return sealed if isinstance(sealed, dict) else {}


# --- Bitstring Status List -------------------------------------------------------------------

def encoded_list(department: str, purpose: str, number: int) -> str:
    """Multibase base64url (`u…`, no padding) of the GZIP-compressed bitstring: bit i (the
    leftmost bit first) is set when the department's licence id `(number - 1) * LIST_SIZE + i`
    is revoked (or suspended)."""
    start = (number - 1) * LIST_SIZE
    bits = bytearray(LIST_SIZE // 8)
    ids = Licence.objects.filter(issuer_id=department, status=PURPOSES[purpose], pk__gte=start,
                                 pk__lt=start + LIST_SIZE)
    for pk in ids.values_list("pk", flat=True):
        i = pk - start
        bits[i // 8] |= 0x80 >> (i % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def status_list(department: Department, purpose: str, number: int, base: str) -> dict[str, Any]:
    """The department's signed BitstringStatusListCredential. Signed (and the key use audited)
    only when the bits differ from the last signed list: the signed list is cached under the
    digest of its bitstring, so a revocation is visible at the next request."""
    encoded = encoded_list(department.pk, purpose, number)
    url = status_url(base, department.pk, purpose, number)
    slot = f"licences:statuslist:{hashlib.sha256(f'{url}|{encoded}'.encode()).hexdigest()}"
    key = seals.active_key(department, ALGORITHM)
    cached = cache.get(slot)
    if cached is not None and cached.get("proof", {}).get("verificationMethod", "").startswith(
            did_key(bytes.fromhex(key.public_key))):
        return cached
    document = {
        "@context": [CONTEXT], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": did_key(bytes.fromhex(key.public_key)), "name": department.name},
        "validFrom": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": purpose,
                              "encodedList": encoded},
    }
    signed = sign(document, key)
    audit.record("licences.seal_key.use", obj=key, data={"key_id": key.key_id, "kind": "status_list",
                                                          "purpose": purpose, "list": number})
    cache.set(slot, signed, STATUS_LIST_CACHE_SECONDS)
    return signed


def check_status_list(listed: dict[str, Any], department: str) -> seals.SignatureCheck:
    """A status list credential's proof, by a key of the register that belongs to `department`
    (the issuer of the licences it covers); its type must be a BitstringStatusListCredential."""
    if "BitstringStatusListCredential" not in (listed.get("type") or []):
        return seals.SignatureCheck(False, "", "", "malformed", "不是 BitstringStatusListCredential 状态列表凭证")
    check = check_proof(listed)
    if check.valid and check.key is not None and check.key.department_id != department:
        return seals.SignatureCheck(False, ALGORITHM, check.key_id, "wrong_issuer",
                                    "状态列表不是由该证照的发证部门签发", check.key)
    return check


def bit_set(encoded: str, index: int) -> bool:
    body = encoded.removeprefix("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return bool(raw[index // 8] & (0x80 >> (index % 8)))
