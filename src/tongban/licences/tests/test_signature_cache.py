"""The signature-result cache of verification (issue 6 Measure: "caching signature results keyed by
the digest of the signed bytes, signature and key id is allowed"): a tampered document — any
field, the seal, the signature, another key — never meets a cached "valid"; the key's status is
read each time; `TONGBAN_SIGNATURE_CACHE = 0` turns it off."""

import copy
import json

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.licences import crypto, seals
from tongban.licences.constants import KeyStatus
from tongban.licences.models import Licence, SealKey

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.text(max_size=20))
DATA = st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(SCALARS, st.lists(SCALARS, max_size=3)),
                       min_size=1, max_size=6)


def _key(algorithm: str, key_id: str) -> tuple[SealKey, bytes]:
    """An unsaved register entry (seals.check takes the register as a mapping)."""
    private, public = crypto.backend(algorithm).generate()
    return SealKey(key_id=key_id, algorithm=algorithm, public_key=public.hex(), status=KeyStatus.ACTIVE), private


def _sealed(data: dict, key: SealKey, private: bytes) -> dict:
    stamp = {"algorithm": key.algorithm, "key_id": key.key_id, "signed_at": "2026-12-06T10:00:00+08:00"}
    signature = crypto.backend(key.algorithm).sign(private, bytes.fromhex(key.public_key),
                                                   seals.signed_bytes(data, stamp))
    return seals.document(data, stamp, crypto.b64(signature))


@pytest.fixture
def cache_on(settings):
    settings.TONGBAN_SIGNATURE_CACHE = 1000
    seals.SIGNATURES.clear()
    yield seals.SIGNATURES
    seals.SIGNATURES.clear()


KEYS = {name: _key(name, f"test-{name}") for name in ("ed25519", "sm2")}


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=DATA, replacement=SCALARS)
def test_tampered_document_never_meets_a_cached_valid(cache_on, algorithm, data, replacement):
    key, private = KEYS[algorithm]
    register = {key.key_id: key}
    doc = _sealed(data, key, private)
    assert seals.check(doc, register).valid  # computed, now cached as valid
    assert seals.check(doc, register).valid and cache_on.hits >= 1  # served from the cache
    field = sorted(data)[0]
    changed = copy.deepcopy(doc)
    changed["licence"][field] = [data[field], replacement]  # any changed field
    assert seals.check(changed, register).result == "invalid"
    restamped = copy.deepcopy(doc)
    restamped["seal"]["signed_at"] = "2026-12-07T10:00:00+08:00"  # the seal is signed too
    assert seals.check(restamped, register).result == "invalid"
    flipped = bytearray(crypto.unb64(doc["signature"]))
    flipped[len(flipped) // 2] ^= 0x01
    assert seals.check({**doc, "signature": crypto.b64(bytes(flipped))}, register).result == "invalid"
    other, _ = _key(algorithm, key.key_id)  # the same key id, another public key
    assert seals.check(doc, {key.key_id: other}).result == "invalid"
    assert seals.check(doc, register).valid  # and the genuine one is still valid


def test_digest_separates_the_parts_and_the_cache_keeps_its_size(cache_on, settings):
    key, _ = KEYS["ed25519"]
    assert seals.SIGNATURES.digest(key, b"ab", b"c") != seals.SIGNATURES.digest(key, b"a", b"bc")
    settings.TONGBAN_SIGNATURE_CACHE = 3
    for n in range(10):
        seals.verify_cached("ed25519", key, f"m{n}".encode(), b"\0" * 64)
    assert len(cache_on._results) == 3


def test_compromise_is_read_each_time_not_cached(cache_on):
    key, private = KEYS["ed25519"]
    key = copy.copy(key)
    doc = _sealed({"number": "A-1"}, key, private)
    assert seals.check(doc, {key.key_id: key}).valid
    key.status, key.compromised_at = KeyStatus.COMPROMISED, timezone.now()
    answer = seals.check(doc, {key.key_id: key})
    assert answer.valid is False and answer.result == "compromised_key"


def test_cache_off_verifies_every_time(settings, monkeypatch):
    settings.TONGBAN_SIGNATURE_CACHE = 0
    seals.SIGNATURES.clear()
    key, private = KEYS["ed25519"]
    doc = _sealed({"number": "A-2"}, key, private)
    calls = []
    real = crypto.Ed25519Backend.verify
    monkeypatch.setattr(crypto.Ed25519Backend, "verify", lambda self, *a: calls.append(1) or real(self, *a))
    assert seals.check(doc, {key.key_id: key}).valid and seals.check(doc, {key.key_id: key}).valid
    assert len(calls) == 2 and seals.SIGNATURES.hits == seals.SIGNATURES.misses == 0


@pytest.mark.django_db
def test_verification_api_with_the_cache_and_an_altered_upload(cache_on, approved):
    licence = Licence.objects.get(source_case=approved)
    for _ in range(2):
        answer = Client().get(f"/api/licences/verify/{licence.verification_code}").json()
        assert answer["signature_valid"] is True and answer["signature"]["result"] == "valid"
    assert cache_on.hits >= 1
    version = licence.versions.get(number=licence.current_version)
    doc = seals.document(version.data, version.seal, version.signature)
    assert Client().post("/api/licences/verify", data=json.dumps(doc, ensure_ascii=False),
                         content_type="application/json").json()["result"] == "valid"
    doc["licence"]["holder"]["name"] = "冒名"
    answer = Client().post("/api/licences/verify", data=json.dumps(doc, ensure_ascii=False),
                           content_type="application/json").json()
    assert answer["valid"] is False and answer["result"] == "altered" and answer["signature"]["result"] == "invalid"
