"""Sign-in pages: password, SMS code, the staff second factor (TOTP), registration."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError

from .. import actions
from ..forms import LoginForm, OtpForm, RegisterForm, SmsLoginForm, SmsSendForm
from ..permissions import is_staff_member


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


def otp_url(next_url: str) -> str:
    """The second-factor page, returning to `next_url` (query string and all: an OpenID
    Connect authorisation request lives in it)."""
    return f"{reverse('identity:otp')}?{urlencode({'next': next_url})}"


def lockout_response(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes: too many failed logins for this account from this address. `Retry-After`
    tells clients when to try again (INTERFACES.md: 429 with Retry-After)."""
    response = render(request, "identity/locked.html", status=429)
    response["Retry-After"] = str(int(float(settings.AXES_COOLOFF_TIME) * 3600))
    return response


@method_decorator(login_not_required, name="dispatch")
class PasswordLoginView(LoginView):
    template_name = "identity/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        audit.record("identity.login.password", kind=audit.Kind.AUTH, subject_id=user.pk, actor=user)
        if is_staff_member(user):
            return redirect(otp_url(self.get_success_url()))
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sms_form": SmsLoginForm()}


def _login_page(request: HttpRequest, sms_form: SmsLoginForm, **extra) -> HttpResponse:
    return render(request, "identity/login.html", {
        "form": LoginForm(request), "sms_form": sms_form, "sms_active": True,
        "next": _next_url(request, ""), **extra})


@login_not_required
@require_POST
def sms_send(request: HttpRequest) -> HttpResponse:
    """Send a login code. The answer is the same whether or not the number has an account;
    a resend within the waiting time is refused inline. With htmx only the status line is
    returned, otherwise the whole login page."""
    form = SmsSendForm(request.POST)
    if not form.is_valid():
        text, ok = "请输入正确的手机号", False
    else:
        try:
            actions.send_login_code(form.cleaned_data["phone"])
            minutes = settings.SMS_CODE_TTL_SECONDS // 60
            text, ok = f"如该手机号已注册，验证码已发送，{minutes}分钟内有效。", True
        except FieldError as exc:
            text, ok = exc.errors[0][1], False
        except Conflict as exc:
            text, ok = exc.message, False
    if request.headers.get("HX-Request"):
        return render(request, "identity/_sms_status.html", {"text": text, "ok": ok})
    sms_form = SmsLoginForm(initial={"phone": request.POST.get("phone", "")[:20]})
    return _login_page(request, sms_form, sms_status={"text": text, "ok": ok})


@login_not_required
@require_http_methods(["GET", "POST"])
def sms_login(request: HttpRequest) -> HttpResponse:
    form = SmsLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.verify_login_code(form.cleaned_data["phone"], form.cleaned_data["code"])
        except FieldError as exc:
            for field, message in exc.errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next_url(request))
    return _login_page(request, form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("identity.logout", kind=audit.Kind.AUTH, subject_id=request.user.pk, actor=request.user)
    logout(request)
    return redirect("/")


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.register_person(name=data["name"], id_number=data["id_number"],
                                           phone=data["phone"], password=data["password"])
        except FieldError as exc:
            for field, message in exc.errors:
                form.add_error(field if field in form.fields else None, message)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功。您当前为一级实名用户，可到窗口或通过人脸核验提升实名等级。")
            return redirect("/")
    return render(request, "identity/register.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    """Second factor for staff: enrol a TOTP device on first sign-in, then enter its code."""
    user = request.user
    if user.is_verified() or not is_staff_member(user):  # applicants have no second factor
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or \
            TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.record("identity.login.otp", kind=audit.Kind.AUTH, subject_id=user.pk, actor=user,
                         data={"enrolled": enrolling})
            return redirect(_next_url(request))
        form.add_error("code", "动态口令错误、已使用或已过期" if allowed else "尝试过于频繁，请稍候几秒再试")
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context.update(secret=base64.b32encode(device.bin_key).decode(), qr=_qr_svg(device.config_url))
    return render(request, "identity/otp.html", context)
