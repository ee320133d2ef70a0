"""The LicenceProvider seam (DESIGN.md) and its minimal register-backed provider (R12)."""

import datetime as dt

import pytest
from django.test import override_settings

from tongban.catalog import demo_licences
from tongban.catalog.licensing import HeldLicence, RecordedLicenceProvider, _provider, holder_of, licence_provider
from tongban.catalog.models import LicenceHolding, LicenceType

pytestmark = pytest.mark.django_db


@pytest.fixture
def yyzz(catalog):
    return LicenceType.objects.get(code="ZZ-YYZZ")


def _hold(licence_type, holder="91210202MA0TB00180", **kw):
    defaults = {"number": "YYZZ-1", "holder": holder, "holder_name": "示例公司", "issuer_id": licence_type.issuer_id,
                "valid_from": dt.date(2024, 1, 1), "valid_to": None}
    return LicenceHolding.objects.create(licence_type=licence_type, **{**defaults, **kw})


def test_held_licence_is_found_by_holder_and_type(yyzz):
    _hold(yyzz)
    found = RecordedLicenceProvider().held("91210202MA0TB00180", ["ZZ-YYZZ", "ZZ-SPJY"], on=dt.date(2026, 3, 1))
    assert set(found) == {"ZZ-YYZZ"}
    assert isinstance(found["ZZ-YYZZ"], HeldLicence)
    assert found["ZZ-YYZZ"].type_name == "营业执照"
    assert "长期有效" in found["ZZ-YYZZ"].describe()


@pytest.mark.parametrize(("kw", "on"), [
    ({"revoked": True}, dt.date(2026, 3, 1)),  # R12: only a valid licence may replace the material
    ({"valid_to": dt.date(2025, 12, 31)}, dt.date(2026, 3, 1)),  # expired
    ({"valid_from": dt.date(2026, 6, 1)}, dt.date(2026, 3, 1)),  # not yet valid
])
def test_invalid_licence_is_not_held(yyzz, kw, on):
    _hold(yyzz, **kw)
    assert RecordedLicenceProvider().held("91210202MA0TB00180", ["ZZ-YYZZ"], on=on) == {}


def test_other_holders_licence_is_not_held(yyzz):
    _hold(yyzz)
    assert RecordedLicenceProvider().held("91210202MA0TB0026X", ["ZZ-YYZZ"]) == {}
    assert RecordedLicenceProvider().held("", ["ZZ-YYZZ"]) == {}


def test_provider_is_named_by_setting():
    _provider.cache_clear()
    try:
        with override_settings(TONGBAN_LICENCE_PROVIDER="tongban.catalog.licensing.RecordedLicenceProvider"):
            assert isinstance(licence_provider(), RecordedLicenceProvider)
    finally:
        _provider.cache_clear()


def test_holder_of(cast):
    assert holder_of(cast.citizen) == cast.citizen.id_number
    assert holder_of(cast.citizen, acting_for=cast.enterprise) == cast.enterprise.uscc
    assert holder_of(None) == ""


def test_demo_register_is_idempotent(catalog):
    demo_licences.load()
    assert demo_licences.load() == 0
    assert LicenceHolding.objects.filter(licence_type="ZZ-YYZZ").count() == 1
