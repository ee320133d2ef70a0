from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator

six_digits = RegexValidator(r"^[0-9]{6}$", "请输入6位数字")  # ASCII: \d also matches full-width digits


class LoginForm(AuthenticationForm):
    username = forms.CharField(label="身份证号或用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", strip=False, max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    error_messages = {
        "invalid_login": "账号或密码错误。连续输错多次后账号将被暂时锁定。",
        "inactive": "该账号已停用。",
    }

    def clean_username(self) -> str:
        value = self.cleaned_data["username"].strip()
        # ID numbers end in an upper-case X on the platform (RULES R1); people type either.
        return value.upper() if len(value) == 18 and value[:17].isdigit() else value


class RegisterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=18, min_length=1)
    phone = forms.CharField(label="手机号", max_length=11)
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="至少8位，包含大小写字母、数字、符号中的至少3类")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class SmsLoginForm(forms.Form):
    # Room for "+86 139 0000 0001"; the action normalises and validates the number.
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    code = forms.CharField(label="短信验证码", max_length=6, validators=[six_digits],
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class SmsSendForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20)


class OtpForm(forms.Form):
    code = forms.CharField(label="动态口令（6位数字）", max_length=6, min_length=6, validators=[six_digits],
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class ActingForm(forms.Form):
    """Whom to act for: an enterprise's code, or empty for oneself."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)

    def clean_uscc(self) -> str:
        return self.cleaned_data["uscc"].upper()


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=80, required=False)
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=3650, initial=90)
