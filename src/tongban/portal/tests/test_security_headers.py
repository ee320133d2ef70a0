"""Web security defaults on the portal and the API (CSP without inline scripts, framing,
referrer, permissions, nosniff) and no stack traces in error answers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/openapi.json", "/api/docs"])
def test_security_headers_on_every_kind_of_page(path):
    r = Client().get(path)
    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r.headers["Permissions-Policy"]


def test_api_docs_load_nothing_from_a_cdn():
    body = Client().get("/api/docs").content.decode()
    assert "cdn." not in body and "unpkg" not in body
    assert "/static/ninja/swagger-ui-bundle.js" in body


def test_templates_contain_no_inline_scripts():
    """CSP forbids inline scripts, so the templates must not rely on them."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template.relative_to(root)}: {tag}")
        if re.search(r"\son(click|load|submit|change|input)=", text):
            offenders.append(f"{template.relative_to(root)}: inline event handler")
    assert not offenders


def test_unknown_api_route_is_json_404_without_a_trace():
    r = Client().get("/api/no-such-thing")
    assert r.status_code == 404
    assert b"Traceback" not in r.content


def test_session_cookie_is_http_only(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert "PBKDF2" in settings.PASSWORD_HASHERS[0] or settings.TESTING
