"""The only write path of identity: each action runs in one transaction and writes its
audit record (STYLE.md)."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import uuid
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.core import audit, locks
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.core.identifiers import IdentifierError, validate_id_number, validate_phone, validate_uscc
from tongban.core.masking import mask_id_number, mask_phone

from . import tokens
from .constants import RealNameLevel, Role, UserKind
from .models import (
    ApiToken,
    Department,
    Enterprise,
    EnterpriseMembership,
    InboxMessage,
    Region,
    SmsCode,
    StaffRole,
    User,
)
from .sms import get_backend

NAME_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z·.\s]{2,50}$")
SMS_MAX_ATTEMPTS = 5


def _check_name(errors: list[tuple[str, str]], field: str, value: str) -> str:
    value = (value or "").strip()
    if not NAME_RE.match(value):
        errors.append((field, "姓名应为2至50个汉字或字母"))
    return value


def _check(errors: list[tuple[str, str]], field: str, validator, value: str) -> str:
    try:
        return validator(value)
    except IdentifierError as exc:
        errors.append((field, exc.message))
        return value


def register_person(*, name: str, id_number: str, phone: str, password: str) -> User:
    """A natural person's account, real-name level 1 until verified. All field problems are
    reported together (one notice, not one at a time)."""
    errors: list[tuple[str, str]] = []
    name = _check_name(errors, "name", name)
    id_number = _check(errors, "id_number", validate_id_number, id_number)
    phone = _check(errors, "phone", validate_phone, phone)
    candidate = User(username=id_number, name=name, id_number=id_number, phone=phone)
    try:
        validate_password(password or "", candidate)
    except ValidationError as exc:
        errors.append(("password", "；".join(exc.messages)))
    if errors:
        raise FieldError(errors=errors)
    try:
        with transaction.atomic():
            if User.objects.filter(id_number=id_number).exists():
                raise Conflict("该公民身份号码已注册，请直接登录或找回密码")
            if User.objects.filter(kind=UserKind.PERSON, phone=phone).exists():
                raise Conflict("该手机号已绑定其他账号")
            candidate.set_password(password)
            candidate.kind = UserKind.PERSON
            candidate.real_name_level = RealNameLevel.DECLARED
            candidate.save()
            audit.record("identity.register", obj=candidate, subject_id=candidate.pk, actor=candidate,
                         data={"id_number": mask_id_number(id_number), "phone": mask_phone(phone)})
    except IntegrityError:  # a concurrent registration won the race
        raise Conflict("该公民身份号码或手机号已注册") from None
    return candidate


def request_enterprise(user: User, *, uscc: str, name: str, legal_representative: str) -> EnterpriseMembership:
    """Ask to act for an enterprise. The membership is pending until the legal representative
    or an administrator approves it, except that a user whose verified name is the
    enterprise's legal representative becomes its legal representative at once."""
    errors: list[tuple[str, str]] = []
    uscc = _check(errors, "uscc", validate_uscc, uscc)
    name = (name or "").strip()
    if not 2 <= len(name) <= 120:
        errors.append(("name", "企业名称应为2至120个字符"))
    legal_representative = _check_name(errors, "legal_representative", legal_representative)
    if errors:
        raise FieldError(errors=errors)
    with transaction.atomic():
        enterprise, created = Enterprise.objects.get_or_create(
            uscc=uscc, defaults={"name": name, "legal_representative": legal_representative})
        if not created and enterprise.name != name:
            raise FieldError("name", "企业名称与该统一社会信用代码登记的名称不一致")
        if EnterpriseMembership.objects.filter(enterprise=enterprise, user=user).exists():
            raise Conflict("已提交过该企业的授权申请")
        is_rep = (user.real_name_level >= RealNameLevel.VERIFIED
                  and user.name == enterprise.legal_representative)
        membership = EnterpriseMembership.objects.create(
            enterprise=enterprise, user=user,
            role=EnterpriseMembership.Role.LEGAL_REPRESENTATIVE if is_rep else EnterpriseMembership.Role.AGENT,
            status=EnterpriseMembership.Status.ACTIVE if is_rep else EnterpriseMembership.Status.PENDING,
            decided_at=timezone.now() if is_rep else None)
        audit.record("identity.enterprise.request", obj=membership, subject_id=user.pk,
                     data={"uscc": uscc, "status": membership.status})
    return membership


def decide_membership(actor: User, membership: EnterpriseMembership, *, approve: bool) -> EnterpriseMembership:
    from .permissions import can_manage_enterprise

    if not can_manage_enterprise(actor, membership.enterprise):
        raise NotFound()
    with transaction.atomic():
        locked = EnterpriseMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != EnterpriseMembership.Status.PENDING:
            raise Conflict("该授权申请已处理")
        locked.status = EnterpriseMembership.Status.ACTIVE if approve else EnterpriseMembership.Status.REVOKED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        audit.record("identity.enterprise.approve" if approve else "identity.enterprise.refuse",
                     obj=locked, subject_id=locked.user_id)
    return locked


def revoke_membership(actor: User, membership: EnterpriseMembership) -> EnterpriseMembership:
    """Withdraw an active authorisation: the agent stops acting for the enterprise on their
    very next request (the session's identity is re-checked on each one)."""
    from .permissions import can_manage_enterprise

    if not can_manage_enterprise(actor, membership.enterprise):
        raise NotFound()
    with transaction.atomic():
        locked = EnterpriseMembership.objects.select_for_update().get(pk=membership.pk)
        if locked.status != EnterpriseMembership.Status.ACTIVE:
            raise Conflict("该授权不是已授权状态，无法撤销")
        if locked.role == EnterpriseMembership.Role.LEGAL_REPRESENTATIVE:
            raise Conflict("法定代表人的身份随企业登记变更，不能在此撤销")
        locked.status = EnterpriseMembership.Status.REVOKED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        audit.record("identity.enterprise.revoke", obj=locked, subject_id=locked.user_id)
    return locked


# --- tokens -------------------------------------------------------------------------------------

def create_token(user: User, *, days: int | None = None, name: str = "") -> tuple[ApiToken, str]:
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 3650:
        raise FieldError("days", "有效天数应在1到3650之间")
    raw = tokens.new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:80], prefix=raw[:10], digest=tokens.digest(raw),
            expires_at=timezone.now() + dt.timedelta(days=days))
        audit.record("identity.token.create", obj=token, subject_id=user.pk, data={"days": days})
    return token, raw


def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    from .scoping import is_admin

    if token.user_id != actor.pk and not is_admin(actor):
        raise NotFound()
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit.record("identity.token.revoke", obj=token, subject_id=token.user_id)
    token.refresh_from_db()
    return token


# --- SMS login ----------------------------------------------------------------------------------

def _code_digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), sha256).hexdigest()


def send_login_code(phone: str) -> None:
    """Send a 6-digit code. Answers the same whether or not the phone has an account, so the
    endpoint cannot be used to find out who is registered."""
    phone = _check_phone(phone)
    now = timezone.now()
    with transaction.atomic():
        locks.lock(f"sms-code:{phone}")  # no row to lock yet: two sends at once would both pass
        recent = SmsCode.objects.filter(
            phone=phone, created_at__gt=now - dt.timedelta(seconds=settings.SMS_RESEND_SECONDS))
        if recent.exists():
            raise Conflict(f"验证码发送过于频繁，请{settings.SMS_RESEND_SECONDS}秒后再试")
        code = f"{secrets.randbelow(10**6):06d}"
        SmsCode.objects.create(phone=phone, digest=_code_digest(phone, code),
                               expires_at=now + dt.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS))
        # Only natural persons sign in by SMS (staff need a password and TOTP), so only they get one.
        if User.objects.filter(phone=phone, is_active=True, kind=UserKind.PERSON).exists():
            minutes = settings.SMS_CODE_TTL_SECONDS // 60
            transaction.on_commit(lambda: get_backend().send(
                phone, f"【通办】您的登录验证码为{code}，{minutes}分钟内有效。请勿泄露给他人。"))


def _check_phone(phone: str) -> str:
    try:
        return validate_phone(phone)
    except IdentifierError as exc:
        raise FieldError("phone", exc.message) from None


def verify_login_code(phone: str, code: str) -> User:
    """The user the code was sent to. A code works once, within its lifetime, and dies after
    five wrong guesses; any failure gives the same message."""
    phone = _check_phone(phone)
    failure = FieldError("code", "验证码错误或已失效，请重新获取")
    with transaction.atomic():
        entry = (SmsCode.objects.select_for_update()
                 .filter(phone=phone, purpose="login", used_at__isnull=True, expires_at__gt=timezone.now())
                 .order_by("-created_at").first())
        if entry is None or entry.attempts >= SMS_MAX_ATTEMPTS:
            raise failure
        matched = hmac.compare_digest(entry.digest, _code_digest(phone, (code or "").strip()))
        if not matched:  # count the wrong guess; the raise comes after the commit
            entry.attempts += 1
            entry.save(update_fields=["attempts"])
        else:
            entry.used_at = timezone.now()
            entry.save(update_fields=["used_at"])
            user = User.objects.filter(phone=phone, is_active=True, kind=UserKind.PERSON).first()
            if user is None:
                raise failure
            audit.record("identity.login.sms", kind=audit.Kind.AUTH, subject_id=user.pk, actor=user)
    if not matched:
        raise failure
    return user


# --- SMS signatures (an applicant signs a promise with a code sent to their own phone) ------------

def send_signature_code(user: User, *, purpose: str, what: str) -> None:
    """Text the user's own phone a 6-digit code to sign `what` (purpose: e.g. `promise:<case>`);
    rate-limited like sign-in codes, stored hashed, one use, dead after five wrong guesses."""
    if not user.phone:
        raise FieldError("phone", "您的账号未绑定手机号，无法短信签署，请到窗口书面签署")
    phone, now = user.phone, timezone.now()
    with transaction.atomic():
        locks.lock(f"sms-code:{phone}")
        if SmsCode.objects.filter(phone=phone, purpose=purpose[:20],
                                  created_at__gt=now - dt.timedelta(seconds=settings.SMS_RESEND_SECONDS)).exists():
            raise Conflict(f"验证码发送过于频繁，请{settings.SMS_RESEND_SECONDS}秒后再试")
        code = f"{secrets.randbelow(10**6):06d}"
        SmsCode.objects.create(phone=phone, purpose=purpose[:20], digest=_code_digest(phone, code),
                               expires_at=now + dt.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS))
        audit.record("identity.sms.signature_code", subject_id=user.pk, data={"purpose": purpose[:20]})
        minutes = settings.SMS_CODE_TTL_SECONDS // 60
        transaction.on_commit(lambda: get_backend().send(
            phone, f"【通办】您正在签署{what}，验证码{code}，{minutes}分钟内有效。如非本人操作请忽略。"))


def verify_signature_code(user: User, *, purpose: str, code: str) -> None:
    """The code sent for `purpose` to the user's phone; a FieldError on `code` otherwise."""
    failure = FieldError("code", "验证码错误或已失效，请重新获取")
    if not user.phone:
        raise failure
    with transaction.atomic():
        entry = (SmsCode.objects.select_for_update()
                 .filter(phone=user.phone, purpose=purpose[:20], used_at__isnull=True,
                         expires_at__gt=timezone.now()).order_by("-created_at").first())
        if entry is None or entry.attempts >= SMS_MAX_ATTEMPTS:
            raise failure
        matched = hmac.compare_digest(entry.digest, _code_digest(user.phone, (code or "").strip()))
        if matched:
            entry.used_at = timezone.now()
        else:
            entry.attempts += 1
        entry.save(update_fields=["used_at", "attempts"])
        audit.record("identity.sms.signature", kind=audit.Kind.AUTH, subject_id=user.pk,
                     data={"purpose": purpose[:20], "matched": matched})
    if not matched:
        raise failure


# --- staff ----------------------------------------------------------------------------------------

def create_staff(*, username: str, name: str, password: str, roles: list[tuple[str, Department | None, Region]],
                 actor: User | None = None) -> User:
    with transaction.atomic():
        user = User(username=username, name=name, kind=UserKind.STAFF, is_staff=True)
        user.set_password(password)
        user.save()
        for role, department, region in roles:
            StaffRole.objects.create(user=user, role=role, department=department, region=region)
        if any(role == Role.ADMIN for role, _, _ in roles):
            User.objects.filter(pk=user.pk).update(is_superuser=True)
        audit.record("identity.staff.create", obj=user, actor=actor,
                     data={"roles": [r for r, _, _ in roles]})
    return user


# --- message centre -----------------------------------------------------------------------------

def deliver(user: User, *, kind: str, title: str, body: str, link: str = "", attachment: bytes | None = None,
            attachment_name: str = "", enterprise: Enterprise | None = None, sms: str = "") -> InboxMessage:
    """Put a message (and its document) in `user`'s message centre; with `sms`, also text
    the user's phone through the SMS interface once the transaction commits."""
    stored = ""
    if attachment is not None:
        suffix = attachment_name.rsplit(".", 1)[-1].lower() if "." in attachment_name else "pdf"
        name = f"messages/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{suffix}"
        stored = default_storage.save(name, ContentFile(attachment))
    with transaction.atomic():
        message = InboxMessage.objects.create(
            user=user, enterprise=enterprise, kind=kind[:40], title=title[:200], body=body[:4000], link=link[:300],
            attachment=stored, attachment_name=attachment_name[:200])
        audit.record("identity.message.deliver", obj=message, subject_id=user.pk,
                     data={"kind": message.kind, "sms": bool(sms and user.phone)})
        if sms and user.phone:
            phone = user.phone
            transaction.on_commit(lambda: get_backend().send(phone, f"【通办】{sms}"[:300]))
    return message


def mark_read(user: User, message: InboxMessage) -> InboxMessage:
    if message.user_id != user.pk:
        raise NotFound("未找到该消息")
    with transaction.atomic():
        if InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now()):
            audit.record("identity.message.read", obj=message, subject_id=user.pk)
    message.refresh_from_db(fields=["read_at"])
    return message
