"""The seal register's operations: lazy per-department keys, sealing a licence's data, and
checking a sealed document's signature against the register.

A sealed document is `{"licence": {...}, "seal": {"algorithm", "key_id", "signed_at"},
"signature": base64}`; the signature covers the RFC 8785 bytes of `{"licence", "seal"}`, so the
signing time and the key named are signed too. Callers record every key use in the audit trail
with the licence and the actor (actions.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.identity.models import Department

from . import crypto
from .constants import DEFAULT_ALGORITHM, KEY_VALIDITY_YEARS, Algorithm, KeyStatus
from .crypto import SealError
from .models import SealKey


def default_algorithm() -> str:
    algorithm = getattr(settings, "TONGBAN_SEAL_ALGORITHM", DEFAULT_ALGORITHM)
    if algorithm not in Algorithm.values:
        raise SealError(f"TONGBAN_SEAL_ALGORITHM 无效：{algorithm}（可选：{'、'.join(Algorithm.values)}）")
    return algorithm


def create_key(department: Department, algorithm: str) -> SealKey:
    """A new active key pair; the private half encrypted under the KEK at once."""
    private, public = crypto.backend(algorithm).generate()
    now = timezone.now()
    key_id = f"{department.pk}-{algorithm}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4)}"
    blob, fingerprint = crypto.encrypt_private(private, key_id)
    today = timezone.localdate()
    key = SealKey.objects.create(
        key_id=key_id, algorithm=algorithm, department=department, public_key=public.hex(),
        encrypted_private_key=blob, kek_fingerprint=fingerprint, status=KeyStatus.ACTIVE, valid_from=today,
        valid_until=today.replace(year=today.year + KEY_VALIDITY_YEARS) if not (today.month == 2 and today.day == 29)
        else today + dt.timedelta(days=365 * KEY_VALIDITY_YEARS), created_at=now)
    audit.record("licences.seal_key.create", obj=key, data={"key_id": key_id, "algorithm": algorithm,
                                                              "department": department.pk})
    return key


def active_key(department: Department, algorithm: str | None = None) -> SealKey:
    """The department's active key of the algorithm, created on first use. Two first uses at
    once: the partial unique constraint keeps one, the loser reads it."""
    algorithm = algorithm or default_algorithm()
    key = SealKey.objects.filter(department=department, algorithm=algorithm, status=KeyStatus.ACTIVE).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return create_key(department, algorithm)
    except IntegrityError:
        return SealKey.objects.get(department=department, algorithm=algorithm, status=KeyStatus.ACTIVE)


def signed_bytes(licence_data: dict[str, Any], seal: dict[str, Any]) -> bytes:
    return crypto.canonical({"licence": licence_data, "seal": seal})


def seal(licence_data: dict[str, Any], key: SealKey) -> tuple[dict[str, Any], str]:
    """Sign with `key`; returns (seal, base64 signature). Refuses a key not active or whose
    private half cannot be decrypted (SealError) — never an unsigned result."""
    if key.status != KeyStatus.ACTIVE:
        raise SealError(f"印章密钥 {key.key_id} 不在用（{key.get_status_display()}），不能签章")
    private = crypto.decrypt_private(key.encrypted_private_key, key.key_id)
    stamp = {"algorithm": key.algorithm, "key_id": key.key_id,
             "signed_at": timezone.localtime(timezone.now()).isoformat(timespec="seconds")}
    signature = crypto.backend(key.algorithm).sign(private, bytes.fromhex(key.public_key),
                                                   signed_bytes(licence_data, stamp))
    return stamp, crypto.b64(signature)


def document(licence_data: dict[str, Any], stamp: dict[str, Any], signature: str) -> dict[str, Any]:
    return {"licence": licence_data, "seal": stamp, "signature": signature}


class SignatureCache:
    """Results of the signature arithmetic, keyed by SHA-256 of (signed bytes, signature, key id
    and its public key): a document differing in any byte, or another signature or key, has
    another digest and is verified afresh — a tampered document can never meet a cached "valid".
    Only the arithmetic is cached; the key's status (compromised, retired) is read each time.
    Per process, least recently used out first; `TONGBAN_SIGNATURE_CACHE` entries (0: off)."""

    def __init__(self) -> None:
        self._results: OrderedDict[bytes, bool] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def size() -> int:
        return int(getattr(settings, "TONGBAN_SIGNATURE_CACHE", 0) or 0)

    @staticmethod
    def digest(key: SealKey, message: bytes, signature: bytes) -> bytes:
        h = hashlib.sha256()
        for part in (message, signature, key.key_id.encode(), key.public_key.encode()):
            h.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two tuples share a digest input
            h.update(part)
        return h.digest()

    def get(self, digest: bytes) -> bool | None:
        with self._lock:
            result = self._results.get(digest)
            if result is None:
                self.misses += 1
                return None
            self._results.move_to_end(digest)
            self.hits += 1
            return result

    def put(self, digest: bytes, result: bool, size: int) -> None:
        with self._lock:
            self._results[digest] = result
            self._results.move_to_end(digest)
            while len(self._results) > size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
            self.hits = self.misses = 0


SIGNATURES = SignatureCache()


def verify_cached(algorithm: str, key: SealKey, message: bytes, signature: bytes) -> bool:
    """The backend's verification of `signature` over `message` by `key`, through the cache when on."""
    size = SIGNATURES.size()
    if size <= 0:
        return crypto.backend(algorithm).verify(bytes.fromhex(key.public_key), message, signature)
    digest = SIGNATURES.digest(key, message, signature)
    known = SIGNATURES.get(digest)
    if known is not None:
        return known
    result = crypto.backend(algorithm).verify(bytes.fromhex(key.public_key), message, signature)
    SIGNATURES.put(digest, result, size)
    return result


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    algorithm: str
    key_id: str
    result: str  # valid | invalid | unknown_key | compromised_key | malformed
    reason: str
    key: SealKey | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "key_id": self.key_id, "result": self.result, "reason": self.reason}


def check(doc: dict[str, Any], keys: dict[str, SealKey] | None = None) -> SignatureCheck:
    """Verify a sealed document against the public key register (retired keys included)."""
    stamp = doc.get("seal") if isinstance(doc, dict) else None
    if not isinstance(stamp, dict) or not isinstance(doc.get("licence"), dict):
        return SignatureCheck(False, "", "", "malformed", "文件不是通办电子证照数据（缺少 licence 或 seal）")
    algorithm, key_id = str(stamp.get("algorithm", "")), str(stamp.get("key_id", ""))
    key = (keys or {}).get(key_id) or SealKey.objects.filter(key_id=key_id).first()
    if key is None:
        return SignatureCheck(False, algorithm, key_id, "unknown_key",
                              f"密钥标识 {key_id or '（空）'} 不在公钥登记簿中")
    if key.algorithm != algorithm:
        return SignatureCheck(False, algorithm, key_id, "invalid", f"算法 {algorithm} 与登记的 {key.algorithm} 不符",
                              key)
    try:
        signature = crypto.unb64(str(doc.get("signature", "")))
    except ValueError:
        return SignatureCheck(False, algorithm, key_id, "malformed", "签名值不是有效的 Base64", key)
    ok = verify_cached(algorithm, key, signed_bytes(doc["licence"], stamp), signature)
    if not ok:
        return SignatureCheck(False, algorithm, key_id, "invalid", "签名与证照内容不符（内容被改动或签名伪造）", key)
    if key.status == KeyStatus.COMPROMISED:
        return SignatureCheck(False, algorithm, key_id, "compromised_key",
                              f"签章密钥已于 {timezone.localtime(key.compromised_at):%Y-%m-%d} 标记为泄露，"
                              "签名不再可信",
                              key)
    note = "签名有效" if key.status == KeyStatus.ACTIVE else "签名有效（签章密钥已停用，签章时在用）"
    return SignatureCheck(True, algorithm, key_id, "valid", note, key)
