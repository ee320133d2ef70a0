"""Electronic seals: signatures and verifications per second per backend (issue 6, Measure).

In-process and single-threaded, on the canonical bytes (RFC 8785) of a realistic licence
document, for each backend of `tongban.licences.crypto`: SM2 native (gmssl_pyx), SM2 reference
(pure-Python gmssl), Ed25519 and ECDSA P-256 (cryptography). Each backend signs with its own
key; a signature of the native SM2 is also verified by the reference one (they agree). Also
times the canonicalisation itself and the AES-256-GCM unwrapping of a private key.

    ./tongban bench seals [--seconds 2]
"""

from __future__ import annotations

import argparse
import time

import django

from _common import header

django.setup()

from tongban.licences import crypto  # noqa: E402

DOCUMENT = {
    "licence": {"type": "ZZ-SPJY", "type_name": "食品经营许可证", "number": "JY22102020012345",
                "holder": {"kind": "enterprise", "id": "91210202MA0TB00181", "name": "大连海韵餐饮有限公司"},
                "issuer": {"department": "market", "name": "大连市市场监督管理局", "region": "210200"},
                "valid_from": "2026-11-25", "valid_until": "2031-11-24", "status": "valid", "version": 1,
                "scope": "热食类食品制售；冷食类食品制售", "address": "大连市中山区人民路 1 号"},
    "seal": {"algorithm": "sm2", "key_id": "market-2026-01", "signed_at": "2026-11-25T20:00:00+08:00"},
}
BACKENDS = {"sm2 (gmssl_pyx)": crypto.Sm2Native(), "sm2 (gmssl, reference)": crypto.Sm2Reference(),
            "ed25519": crypto.Ed25519Backend(), "ecdsa-p256": crypto.P256Backend()}


def rate(fn, seconds: float) -> float:
    n, stop = 0, time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < stop:
        fn()
        n += 1
    return n / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    for line in header("电子印章：每秒签名与验签（单线程）"):
        print(line)
    message = crypto.canonical(DOCUMENT)
    print(f"signed bytes: {len(message)} (RFC 8785)")
    print(f"canonicalisation: {rate(lambda: crypto.canonical(DOCUMENT), args.seconds):,.0f}/s")
    print("| backend | signatures/s | verifications/s |")
    print("| --- | --- | --- |")
    for name, backend in BACKENDS.items():
        private, public = backend.generate()
        signature = backend.sign(private, public, message)
        assert backend.verify(public, message, signature)
        signs = rate(lambda b=backend, k=private, p=public: b.sign(k, p, message), args.seconds)
        verifies = rate(lambda b=backend, p=public, s=signature: b.verify(p, message, s), args.seconds)
        print(f"| {name} | {signs:,.0f} | {verifies:,.0f} |")
    native, reference = BACKENDS["sm2 (gmssl_pyx)"], BACKENDS["sm2 (gmssl, reference)"]
    private, public = native.generate()
    assert reference.verify(public, message, native.sign(private, public, message)), "SM2 backends disagree"
    blob, _ = crypto.encrypt_private(private, "bench-key")
    print(f"private key unwrap (AES-256-GCM): {rate(lambda: crypto.decrypt_private(blob, 'bench-key'), 1.0):,.0f}/s")


if __name__ == "__main__":
    main()
