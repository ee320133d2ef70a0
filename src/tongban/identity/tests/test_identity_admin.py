"""The Django admin of identity: reachable by administrators after the second factor, with
personal numbers masked, no password hashes, and decisions taken through the actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.core.models import AuditRecord
from tongban.identity import actions
from tongban.identity.models import ApiToken, EnterpriseMembership, SmsMessage, User

pytestmark = pytest.mark.django_db

CHANGELISTS = ["user", "staffrole", "department", "region", "enterprise", "enterprisemembership", "apitoken",
               "smsmessage"]


def verified(user: User) -> Client:
    """A browser signed in as a staff member who has passed the second factor."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/accounts/otp/", {"code": code}).status_code == 302
    return client


@pytest.fixture
def admin_client(cast) -> Client:
    return verified(cast.admin)


def test_admin_needs_the_second_factor(cast):
    client = Client()
    client.force_login(cast.admin)
    response = client.get("/django-admin/identity/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_changelist_opens_in_chinese(admin_client, model):
    response = admin_client.get(f"/django-admin/identity/{model}/")
    assert response.status_code == 200


def test_user_list_and_page_mask_numbers_and_hide_password_hashes(cast, admin_client):
    citizen = cast.citizen
    for url in ("/django-admin/identity/user/", f"/django-admin/identity/user/{citizen.pk}/change/"):
        html = admin_client.get(url).content.decode()
        assert citizen.id_number not in html
        assert citizen.phone not in html
        assert citizen.id_number[:4] + "*" * 10 + citizen.id_number[-4:] in html
        assert citizen.password not in html
        assert "md5$" not in html and "pbkdf2" not in html
    # An exact search by the whole number still finds the person.
    found = admin_client.get("/django-admin/identity/user/", {"q": citizen.id_number})
    assert found.context["cl"].result_count == 1
    # A fragment does not.
    found = admin_client.get("/django-admin/identity/user/", {"q": citizen.id_number[:6]})
    assert found.context["cl"].result_count == 0


def test_accounts_are_not_added_or_deleted_here_but_can_be_deactivated(cast, admin_client):
    assert admin_client.get("/django-admin/identity/user/add/").status_code == 403
    assert admin_client.get(f"/django-admin/identity/user/{cast.citizen.pk}/delete/").status_code == 403
    response = admin_client.post("/django-admin/identity/user/", {
        "action": "deactivate", "_selected_action": [cast.citizen.pk, cast.admin.pk]})
    assert response.status_code == 302
    assert not User.objects.get(pk=cast.citizen.pk).is_active
    assert User.objects.get(pk=cast.admin.pk).is_active  # never oneself
    assert AuditRecord.objects.filter(action="identity.admin.user.deactivate", subject_id=cast.citizen.pk).exists()


def test_user_change_is_audited(cast, admin_client):
    url = f"/django-admin/identity/user/{cast.citizen.pk}/change/"
    response = admin_client.post(url, {"real_name_level": 3, "is_active": "on",
                                       "staff_roles-TOTAL_FORMS": 0, "staff_roles-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert User.objects.get(pk=cast.citizen.pk).real_name_level == 3
    record = AuditRecord.objects.get(action="identity.admin.user.change")
    assert record.actor_id == cast.admin.pk and record.data == {"fields": ["real_name_level"]}


def test_membership_is_approved_through_the_action(cast, admin_client):
    membership = actions.request_enterprise(cast.citizen, uscc=cast.enterprise.uscc, name=cast.enterprise.name,
                                            legal_representative="王建国")
    response = admin_client.post("/django-admin/identity/enterprisemembership/", {
        "action": "approve", "_selected_action": [membership.pk]})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == EnterpriseMembership.Status.ACTIVE
    assert AuditRecord.objects.filter(action="identity.enterprise.approve").exists()


def test_token_shows_only_its_digest_and_is_revoked_through_the_action(cast, admin_client):
    token, raw = actions.create_token(cast.citizen, days=1, name="脚本")
    html = admin_client.get(f"/django-admin/identity/apitoken/{token.pk}/change/").content.decode()
    assert raw not in html and token.digest in html
    response = admin_client.post("/django-admin/identity/apitoken/", {
        "action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_sms_outbox_is_read_only_and_masked(cast, admin_client):
    SmsMessage.objects.create(phone="13900000001", text="【通办】您的登录验证码为123456")
    html = admin_client.get("/django-admin/identity/smsmessage/").content.decode()
    assert "139****0001" in html and "13900000001" not in html
    assert admin_client.get("/django-admin/identity/smsmessage/add/").status_code == 403


def test_officer_sees_no_identity_tables(cast):
    client = verified(cast.officer_a)
    assert client.get("/django-admin/identity/user/").status_code == 403
