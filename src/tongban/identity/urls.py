from django.urls import path

from .views import account, auth, messages

app_name = "identity"

urlpatterns = [
    path("login/", auth.PasswordLoginView.as_view(), name="login"),
    path("login/sms/", auth.sms_login, name="sms-login"),
    path("login/sms/send/", auth.sms_send, name="sms-send"),
    path("logout/", auth.logout_view, name="logout"),
    path("register/", auth.register, name="register"),
    path("otp/", auth.otp, name="otp"),
    path("me/", account.overview, name="account"),
    path("me/acting/", account.switch_identity, name="switch-identity"),
    path("me/agents/<int:membership_id>/<str:decision>/", account.decide_agent, name="decide-agent"),
    path("me/tokens/", account.tokens, name="tokens"),
    path("me/messages/", messages.inbox, name="messages"),
    path("me/messages/<int:message_id>/read/", messages.read, name="message-read"),
    path("me/messages/<int:message_id>/attachment/", messages.attachment, name="message-attachment"),
    path("me/tokens/<int:token_id>/revoke/", account.revoke_token, name="revoke-token"),
]
