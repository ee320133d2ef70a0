#!/usr/bin/env python3
"""Verify a Tongban electronic licence offline (通办电子证照离线核验).

    python verify_licence.py licence.json keys.json
    python verify_licence.py licence.pdf keys.json      # the PDF's attached licence.json (needs pypdf)

`keys.json` is the public key register as served at /api/licences/keys (retired keys included).
Needs only the standard library, `cryptography` (Ed25519, ECDSA P-256) and `gmssl` (SM2).
The signature covers the RFC 8785 (JCS) bytes of {"licence": ..., "seal": ...}; exit status 0
when the signature holds, 1 otherwise. The online check (/verify/<code>) also tells whether the
licence was revoked, suspended or superseded since — a signature cannot."""

from __future__ import annotations

import base64
import io
import json
import sys


def jcs(value) -> bytes:
    """RFC 8785 for the JSON a licence holds (no floats): keys sorted by UTF-16 code units."""
    try:
        import rfc8785

        return rfc8785.dumps(value)
    except ImportError:
        return jcs_stdlib(value)


def jcs_stdlib(value) -> bytes:
    def enc(v):
        if isinstance(v, dict):
            items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-16-be"))
            return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + enc(x) for k, x in items) + "}"
        if isinstance(v, list):
            return "[" + ",".join(enc(x) for x in v) + "]"
        if isinstance(v, float):
            raise ValueError("floats are not expected in a licence")
        return json.dumps(v, ensure_ascii=False)

    return enc(value).encode("utf-8")


def verify_signature(algorithm: str, public_hex: str, message: bytes, signature: bytes) -> bool:
    public = bytes.fromhex(public_hex)
    if algorithm == "sm2":
        from gmssl import sm2

        crypt = sm2.CryptSM2(private_key="01", public_key="", asn1=True)
        crypt.public_key = public.hex()  # set directly: the constructor strips leading 0/4 digits
        try:
            return bool(crypt.verify_with_sm3(signature.hex(), message))
        except Exception:
            return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    try:
        if algorithm == "ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
        elif algorithm == "ecdsa-p256":
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public).verify(
                signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
        return True
    except (InvalidSignature, ValueError):
        return False


def load_document(path: str) -> dict:
    with open(path, "rb") as f:
        raw = f.read()
    if raw.lstrip()[:5] == b"%PDF-":
        from pypdf import PdfReader

        raw = PdfReader(io.BytesIO(raw)).attachments["licence.json"][0]
    return json.loads(raw.decode("utf-8"))


def check(doc: dict, register: dict) -> tuple[bool, str]:
    seal, licence = doc.get("seal") or {}, doc.get("licence")
    keys = {k["key_id"]: k for k in register.get("items", register if isinstance(register, list) else [])}
    key = keys.get(seal.get("key_id"))
    if key is None:
        return False, f"未知的密钥标识：{seal.get('key_id')}（不在公钥登记簿中）"
    if key["algorithm"] != seal.get("algorithm"):
        return False, "算法与登记的密钥不符"
    ok = verify_signature(key["algorithm"], key["public_key"], jcs({"licence": licence, "seal": seal}),
                          base64.b64decode(doc.get("signature", "")))
    if not ok:
        return False, "签名与内容不符（内容被改动或签名伪造）"
    if key["status"] == "compromised":
        return False, "签名成立，但签章密钥已标记为泄露，不再可信"
    return True, f"签名有效（{key['algorithm']}，密钥 {key['key_id']}，{seal.get('signed_at')}）"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        register = json.load(f)
    ok, message = check(load_document(argv[1]), register)
    print(("通过：" if ok else "未通过：") + message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
