"""Seal backends: round trips for arbitrary licence data, tampering fails, the two SM2
implementations agree, canonical bytes ignore key order, the key-encryption key guards keys."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.licences import crypto

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.text(max_size=20))
DATA = st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(SCALARS, st.lists(SCALARS, max_size=3)),
                       min_size=1, max_size=6)
KEYS = {name: crypto.backend(name).generate() for name in ("ed25519", "ecdsa-p256")}
SM2_KEY = crypto.Sm2Native().generate()


def _round_trip(backend, key, data):
    private, public = key
    message = crypto.canonical(data)
    signature = backend.sign(private, public, message)
    assert backend.verify(public, message, signature)
    changed = dict(data)
    first = sorted(changed)[0]
    changed[first] = [changed[first], "x"]  # any changed field
    assert not backend.verify(public, crypto.canonical(changed), signature)
    flipped = bytearray(signature)
    flipped[len(flipped) // 2] ^= 0x01  # any changed byte of the signature
    assert not backend.verify(public, message, bytes(flipped))
    _, other_public = backend.generate()
    assert not backend.verify(other_public, message, signature)  # any other key


@pytest.mark.parametrize("name", ["ed25519", "ecdsa-p256"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=DATA)
def test_round_trip_and_tampering_cryptography_backends(name, data):
    _round_trip(crypto.backend(name), KEYS[name], data)


@settings(max_examples=25, deadline=None)
@given(data=DATA)
def test_round_trip_and_tampering_sm2_native(data):
    _round_trip(crypto.Sm2Native(), SM2_KEY, data)


@settings(max_examples=3, deadline=None)
@given(data=DATA)
def test_round_trip_and_tampering_sm2_pure_python(data):
    _round_trip(crypto.Sm2Reference(), SM2_KEY, data)


@settings(max_examples=50, deadline=None)
@given(data=DATA)
def test_canonical_bytes_ignore_key_order_and_whitespace(data):
    reordered = dict(reversed(list(data.items())))
    spaced = json.loads(json.dumps(reordered, indent=4))
    assert crypto.canonical(reordered) == crypto.canonical(data) == crypto.canonical(spaced)


def test_sm2_gmssl_and_gmssl_pyx_verify_each_other():
    native, pure = crypto.Sm2Native(), crypto.Sm2Reference()
    for private, public in (native.generate(), pure.generate()):
        message = crypto.canonical({"number": "YSZY-1", "holder": "张晓明"})
        assert pure.verify(public, message, native.sign(private, public, message))
        assert native.verify(public, message, pure.sign(private, public, message))
        assert not native.verify(public, message + b" ", pure.sign(private, public, message))


def test_private_key_round_trips_under_the_kek_and_wrong_kek_is_refused(settings):
    settings.TONGBAN_SEAL_KEK = "11" * 32
    blob, _ = crypto.encrypt_private(b"k" * 32, "key-1")
    assert crypto.decrypt_private(blob, "key-1") == b"k" * 32
    with pytest.raises(crypto.SealError):
        crypto.decrypt_private(blob, "key-2")  # bound to its key id
    settings.TONGBAN_SEAL_KEK = "22" * 32
    with pytest.raises(crypto.SealError, match="TONGBAN_SEAL_KEK"):
        crypto.decrypt_private(blob, "key-1")


def test_kek_is_derived_from_secret_key_when_unset(settings):
    settings.TONGBAN_SEAL_KEK = None
    assert crypto.kek().derived and len(crypto.kek().key) == 32
    settings.TONGBAN_SEAL_KEK = "not a key"
    with pytest.raises(crypto.SealError):
        crypto.kek()
