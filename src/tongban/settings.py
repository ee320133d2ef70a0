"""Tongban settings: everything that differs between machines comes from the environment.

The typed helpers below fail loudly on a malformed value instead of guessing. Secrets are
never in the repository: without TONGBAN_SECRET_KEY a random key is generated once into
var/secret_key (git-ignored) so that a first `./tongban run` works on a fresh clone.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent  # src/tongban
PROJECT_DIR = BASE_DIR.parent.parent  # repository root
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def _secret_key() -> str:
    key = os.environ.get("TONGBAN_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("TONGBAN_DEBUG", False)
TESTING = env_bool("TONGBAN_TESTING", False)
ALLOWED_HOSTS = env_list("TONGBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("TONGBAN_CSRF_TRUSTED_ORIGINS", [])
BASE_URL = env_str("TONGBAN_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "tongban.core",
    "tongban.identity",
    "tongban.search",
    "tongban.catalog",
    "tongban.cases",
    "tongban.licences",
    "tongban.exchange",
    "tongban.disclosure",
    "tongban.hotline",
    "tongban.reviews",
    "tongban.oversight",
    "tongban.portal",
    "tongban.harness",  # test harness (issue 10): no models, only the permissions_doc command
    # Wagtail (portal pages; the disclosure site cluster builds on it)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Identity: OIDC provider, second factor, login throttling
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves Swagger UI / ReDoc from its own static files, not a CDN
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every Django view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tongban.identity.middleware.StaffSecondFactorMiddleware",
    "tongban.identity.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An editor of one disclosure site gets 404 for another site's admin URLs (issue 7).
    "tongban.disclosure.tenancy.AdminTenancyMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.portal.context_processors.site_identity",
            ],
        },
    },
]

# --- database: SQLite embedded by default, PostgreSQL via DATABASE_URL -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A slow database ends a statement after this long (→ 503 with Retry-After), never a hang.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={env_int('TONGBAN_DB_STATEMENT_TIMEOUT_MS', 15000)}")
        DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TONGBAN_SQLITE_PATH", str(VAR_DIR / "tongban.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE makes a writer wait
                # for the lock up front instead of failing half way ("database is locked").
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, background jobs ---------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "tongban.core.cache.TolerantRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# One job code path (ADR 0004): with Redis, Celery workers run the jobs; without it the same
# task functions run in-process (eagerly) and `./tongban worker` runs the schedule.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A broker that does not answer is given up on quickly: enqueue() then runs the job in-process.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TIMEZONE = "Asia/Shanghai"

# --- identity ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "identity:login"
# a page under a login view restriction sends its visitor to the platform's own sign-in
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongban.identity.passwords.CharacterClassValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING else
    ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
# Failed-login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("TONGBAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongban.identity.views.auth.lockout_response"
AXES_ENABLED = env_bool("TONGBAN_AXES_ENABLED", True)
OTP_TOTP_ISSUER = "通办"
SMS_BACKEND = env_str("TONGBAN_SMS_BACKEND", "tongban.identity.sms.DatabaseSmsBackend")
# The LicenceProvider seam (catalog/licensing.py); the licence library points it at its own.
# Clients are told apart by REMOTE_ADDR unless the number of trusted reverse proxies in front
# is set: then the address those proxies appended to X-Forwarded-For (never a client's own).
NINJA_NUM_PROXIES = env_int("TONGBAN_NUM_PROXIES", 0)
TONGBAN_LICENCE_PROVIDER = env_str("TONGBAN_LICENCE_PROVIDER", "tongban.licences.provider.LibraryLicenceProvider")
# Electronic seals (docs/licences.md): the key-encryption key of the departments' private keys,
# 64 hex characters, never in the database; unset, a development key is derived from SECRET_KEY.
TONGBAN_SEAL_KEK = env_str("TONGBAN_SEAL_KEK", "") or None
TONGBAN_SEAL_ALGORITHM = env_str("TONGBAN_SEAL_ALGORITHM", "sm2")
# Verification: per-process cache of signature results (entries; 0 = off), keyed by the digest of
# the signed bytes, signature and key (licences/seals.py SignatureCache).
TONGBAN_SIGNATURE_CACHE = env_int("TONGBAN_SIGNATURE_CACHE", 10000)
# Uploads (core/uploads.py): size limit, and the virus-scan hook — clamd when TONGBAN_CLAMD is set.
TONGBAN_UPLOAD_MAX_BYTES = env_int("TONGBAN_UPLOAD_MAX_MB", 20) * 1024 * 1024
TONGBAN_CLAMD = env_str("TONGBAN_CLAMD", "")
TONGBAN_VIRUS_SCANNER = env_str("TONGBAN_VIRUS_SCANNER", "tongban.core.uploads.ClamdScanner" if TONGBAN_CLAMD
                                else "tongban.core.uploads.NoScanner")
SMS_CODE_TTL_SECONDS = env_int("TONGBAN_SMS_CODE_TTL", 300)
SMS_RESEND_SECONDS = env_int("TONGBAN_SMS_RESEND", 60)
API_TOKEN_DEFAULT_DAYS = env_int("TONGBAN_TOKEN_DAYS", 90)

# --- OpenID Connect provider (django-oauth-toolkit) ---------------------------------------------
def _oidc_private_key() -> str:
    key = os.environ.get("TONGBAN_OIDC_RSA_PRIVATE_KEY")
    if key:
        return key
    path = VAR_DIR / "oidc_rsa.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        path.chmod(0o600)
    return path.read_text()


OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    "PKCE_REQUIRED": True,
    # OAuth 2.0 Security BCP (RFC 9700): S256 only, no implicit or password grants, tokens only
    # in the Authorization header, `iss` in authorization responses, exact redirect URIs.
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "SCOPES": {"openid": "身份标识", "profile": "姓名与实名等级", "phone": "手机号"},
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "tongban.identity.oidc.TongbanOIDCValidator",
    # the exchange's `exchange:<resource>` scopes come from its resource catalogue
    "SCOPES_BACKEND_CLASS": "tongban.exchange.scopes.ExchangeScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Relying parties on the government network may use plain http; production sets https only.
    "ALLOWED_REDIRECT_URI_SCHEMES": env_list("TONGBAN_OIDC_REDIRECT_SCHEMES", ["https", "http"]),
}

# --- i18n, time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TONGBAN_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("TONGBAN_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    if TESTING else "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- security ---------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TONGBAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("TONGBAN_SESSION_SECONDS", 8 * 3600)
SECURE_HSTS_SECONDS = env_int("TONGBAN_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TONGBAN_BEHIND_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (django-csp): no inline or foreign scripts on the portal. The CMS
# and Django admin ship inline scripts of their own and are excluded (staff-only, TOTP).
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *env_list("TONGBAN_CSP_FORM_ACTION", ["http:", "https:"])],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": [], "payment": [], "usb": []}

# --- Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "通办 · 大连市一体化在线政务服务平台"
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- the site's identity in every footer (RULES R22) -------------------------------------------------
SITE_IDENTITY = {
    "organiser": env_str("TONGBAN_SITE_ORGANISER", "大连市人民政府办公室（示例）"),
    "contact": env_str("TONGBAN_SITE_CONTACT", "0411-12345"),
    "site_code": env_str("TONGBAN_SITE_CODE", "2102000000"),
    "icp": env_str("TONGBAN_SITE_ICP", "辽ICP备00000000号（示例）"),
    "police_record": env_str("TONGBAN_SITE_POLICE_RECORD", "辽公网安备 21020000000000号（示例）"),
}

# --- working days (RULES R8) -----------------------------------------------------------------------
CLOCK_WARN_SHARE = float(os.environ.get("TONGBAN_CLOCK_WARN_SHARE", "0.2"))
# Statistics (oversight/stats.py live()): seconds the live part of an overview (today, backlog,
# overdue) may be reused from the cache; 0 (default) = always computed exactly.
TONGBAN_STATS_LIVE_CACHE_SECONDS = env_int("TONGBAN_STATS_LIVE_CACHE_SECONDS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "jieba": {"level": "WARNING"},
                "celery": {"level": "WARNING"}, "spiff": {"level": "WARNING"}},  # spiff: a line per task state
}
