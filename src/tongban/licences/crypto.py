"""Signature backends behind one interface, RFC 8785 canonicalisation and the key-encryption key.

Backends per algorithm: `sm2` (SM2 with SM3 and the default signer id 1234567812345678, DER
signatures; gmssl_pyx as the native fast path, pure-Python gmssl as the reference — each
verifies the other's signatures), `ed25519` and `ecdsa-p256` (SHA-256, DER) via cryptography.
Keys are raw bytes: SM2 private 32 / public 64 (x‖y); Ed25519 32 / 32; P-256 private 32 /
public 65 (uncompressed point)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

import rfc8785
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from tongban.core.errors import ServiceUnavailable

SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


class SealError(ServiceUnavailable):
    """Signing is refused (undecryptable key, no key): never an unsigned licence. The API
    answers 503 with the reason; the transaction that wanted the seal rolls back whole."""

    retry_after = 300


def canonical(data: object) -> bytes:
    """RFC 8785 (JCS): key order and whitespace do not change the bytes."""
    return rfc8785.dumps(data)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


class Backend(Protocol):
    name: str

    def generate(self) -> tuple[bytes, bytes]: ...  # (private, public)
    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes: ...
    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool: ...


class Sm2Native:
    """gmssl_pyx (GmSSL in C): the fast path."""

    name = "sm2/gmssl_pyx"

    def generate(self) -> tuple[bytes, bytes]:
        import gmssl_pyx

        public, private = gmssl_pyx.sm2_key_generate()
        return private, public

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        import gmssl_pyx

        return gmssl_pyx.sm2_sign(private, public, message)

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        import gmssl_pyx

        try:
            return bool(gmssl_pyx.sm2_verify(public, message, signature))
        except Exception:  # a malformed signature or key: simply not valid
            return False


class Sm2Reference:
    """Pure-Python gmssl: the reference implementation (slow)."""

    name = "sm2/gmssl"

    @staticmethod
    def _crypt(private: bytes, public: bytes):
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key=private.hex(), public_key="", asn1=True)
        # set directly: the constructor's lstrip("04") would eat leading 0/4 digits of x
        crypt.public_key = public.hex()
        return crypt

    def generate(self) -> tuple[bytes, bytes]:
        from gmssl import sm2

        d = secrets.randbelow(SM2_N - 2) + 1
        crypt = sm2.CryptSM2(private_key=f"{d:064x}", public_key="", asn1=True)
        public = bytes.fromhex(crypt._kg(d, crypt.ecc_table["g"]))
        return d.to_bytes(32, "big"), public

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        crypt = self._crypt(private, public)
        while True:  # gmssl returns None for the (negligible) degenerate k
            k = f"{secrets.randbelow(SM2_N - 1) + 1:064x}"
            signature = crypt.sign_with_sm3(message, k)
            if signature:
                return bytes.fromhex(signature)

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            return bool(self._crypt(b"\x01", public).verify_with_sm3(signature.hex(), message))
        except Exception:
            return False


class Ed25519Backend:
    name = "ed25519"

    def generate(self) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives import serialization as s

        key = ed25519.Ed25519PrivateKey.generate()
        return (key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption()),
                key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw))

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        return ed25519.Ed25519PrivateKey.from_private_bytes(private).sign(message)

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
            return True
        except (InvalidSignature, ValueError):
            return False


class P256Backend:
    name = "ecdsa-p256"

    def generate(self) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives import serialization as s

        key = ec.generate_private_key(ec.SECP256R1())
        return (key.private_numbers().private_value.to_bytes(32, "big"),
                key.public_key().public_bytes(s.Encoding.X962, s.PublicFormat.UncompressedPoint))

    def sign(self, private: bytes, public: bytes, message: bytes) -> bytes:
        key = ec.derive_private_key(int.from_bytes(private, "big"), ec.SECP256R1())
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
        except (InvalidSignature, ValueError):
            return False


SM2_BACKENDS: dict[str, Backend] = {"gmssl_pyx": Sm2Native(), "gmssl": Sm2Reference()}


def backend(algorithm: str) -> Backend:
    if algorithm == "sm2":
        return SM2_BACKENDS[getattr(settings, "TONGBAN_SM2_BACKEND", "gmssl_pyx")]
    if algorithm == "ed25519":
        return Ed25519Backend()
    if algorithm == "ecdsa-p256":
        return P256Backend()
    raise SealError(f"不支持的签名算法：{algorithm}")


# --- the key-encryption key ----------------------------------------------------------------------

@dataclass(frozen=True)
class Kek:
    key: bytes
    derived: bool  # True: derived from SECRET_KEY (development only)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(b"tongban-kek-fingerprint" + self.key).hexdigest()[:16]


def kek() -> Kek:
    """`TONGBAN_SEAL_KEK`: 32 bytes as 64 hex digits or base64. Unset: derived from SECRET_KEY
    by HKDF-SHA256 — for development only (docs/licences.md)."""
    raw = getattr(settings, "TONGBAN_SEAL_KEK", None)
    if raw:
        raw = raw.strip()
        try:
            key = bytes.fromhex(raw) if len(raw) == 64 else base64.b64decode(raw, validate=True)
        except ValueError as exc:
            raise SealError("TONGBAN_SEAL_KEK 格式无效：应为 64 位十六进制或 Base64 编码的 32 字节") from exc
        if len(key) != 32:
            raise SealError("TONGBAN_SEAL_KEK 长度无效：应为 32 字节（AES-256）")
        return Kek(key, derived=False)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tongban-seal-kek", info=b"development kek")
    return Kek(hkdf.derive(settings.SECRET_KEY.encode()), derived=True)


def encrypt_private(private: bytes, key_id: str) -> tuple[bytes, str]:
    k = kek()
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(k.key).encrypt(nonce, private, key_id.encode()), k.fingerprint


def decrypt_private(blob: bytes, key_id: str) -> bytes:
    k = kek()
    blob = bytes(blob)
    try:
        return AESGCM(k.key).decrypt(blob[:12], blob[12:], key_id.encode())
    except InvalidTag:
        raise SealError(f"印章密钥 {key_id} 的私钥无法解密：密钥加密密钥（TONGBAN_SEAL_KEK）不正确，"
                        "已拒绝签章，未签发任何证照") from None
