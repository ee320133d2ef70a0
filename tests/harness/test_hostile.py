"""Hostile input (issue 10, item 4): the corpus of `tongban.harness.hostile` sent to the write
endpoints — register, enterprise request, token create, case filing with form values, the
correction reason — and the catalogue's Excel import/export. Each value ends in a clear 4xx
(422 naming the field: the INTERFACES.md error shape) or a stored value that is shown
neutralised; never a 5xx, never half a write. Then stored XSS: the payloads stored in text
fields must not come back unescaped on any page that shows them (tracking page, officer page,
account page, message centre, the Django admin's user list). R21 (no one's data in someone
else's hands), R4."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.harness import hostile
from tongban.identity.permissions import is_staff_member

pytestmark = pytest.mark.django_db


def _api(user=None) -> Client:
    from tongban.identity.actions import create_token

    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {create_token(user, days=1, name='hostile')[1]}"})


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    if is_staff_member(user):
        device = TOTPDevice.objects.create(user=user, name="hostile", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _post(client, path, body, **kw):
    return client.post(path, data=body if isinstance(body, str | bytes) else json.dumps(body),
                       content_type=kw.pop("content_type", "application/json"), **kw)


def _clear_4xx(response, field: str | None = None) -> str | None:
    """None when the answer is a clear refusal (4xx with the INTERFACES.md shape, naming `field`
    when given), else what is wrong with it."""
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if not 400 <= response.status_code < 500:
        return None if field is None else f"HTTP {response.status_code}, expected a 4xx"
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} without a JSON body"
    if "detail" not in body:
        return f"HTTP {response.status_code} without detail: {body}"
    if field is not None and response.status_code == 422:
        fields = {d.get("field") for d in body["detail"]} if isinstance(body["detail"], list) else set()
        # "body": the database refused a NUL byte (api.data_error) — a clear refusal of the whole body
        if not any(f and (f == field or f.endswith("." + field) or f.startswith(field) or f == "body")
                   for f in fields):
            return f"422 naming {fields}, not {field}"
    return None


def _counts() -> dict[str, int]:
    from tongban.cases.models import Case
    from tongban.core.models import AuditRecord
    from tongban.identity.models import ApiToken, Enterprise, EnterpriseMembership, User

    return {m.__name__: m.objects.count() for m in (User, Enterprise, EnterpriseMembership, ApiToken, Case,
                                                     AuditRecord)}


def _market_item():
    from tongban.catalog.models import ServiceItem

    return (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                       implementations__legal_days__lte=15, current_version__isnull=False,
                                       active=True).order_by("code").first())


# --- every write endpoint, every hostile text ----------------------------------------------------------

def test_register_refuses_or_stores_every_hostile_value_whole(db):
    from django.core.cache import cache

    from tongban.identity.demo import make_id_number
    from tongban.identity.models import User

    client, wrong = _api(), []
    for n, (label, value) in enumerate(hostile.TEXTS):
        for field in ("name", "phone", "password"):
            body = {"name": "赵敏", "id_number": make_id_number("210202", "19900101", 100 + n),
                    "phone": f"139{n:04d}{len(field):04d}", "password": "Hostile-2026!x", field: value}
            before = _counts()
            cache.clear()  # the registration throttle (30/min) is not what this test is about
            response = _post(client, "/api/accounts/register", body)
            if problem := _clear_4xx(response):
                wrong.append(f"{field}={label}: {problem}")
            elif response.status_code == 201:
                user = User.objects.get(id_number=body["id_number"])
                if field == "name" and user.name != value.strip():
                    wrong.append(f"name={label}: stored {user.name!r}")
            elif _counts() != before:
                wrong.append(f"{field}={label}: refused ({response.status_code}) yet written")
    for label, value in hostile.ID_NUMBERS:  # look-alike ID numbers: refused on the field, nothing written
        before = _counts()
        cache.clear()
        response = _post(client, "/api/accounts/register",
                         {"name": "赵敏", "id_number": value, "phone": "13911112222", "password": "Hostile-2026!x"})
        if response.status_code != 422 or (problem := _clear_4xx(response, "id_number")):
            wrong.append(f"id_number={label}: HTTP {response.status_code} {response.content[:200]!r}")
        if _counts() != before:
            wrong.append(f"id_number={label}: written")
    assert not wrong, "\n".join(wrong)


def test_enterprise_request_and_token_name_refuse_or_store_whole(cast):
    from tongban.identity.demo import make_uscc
    from tongban.identity.models import ApiToken, Enterprise

    client, wrong = _api(cast.citizen), []
    for n, (label, value) in enumerate(hostile.TEXTS):
        uscc = make_uscc("210202", f"MA0H{n:05d}")
        for field in ("name", "legal_representative", "uscc"):
            body = {"uscc": uscc, "name": f"大连测试{n}有限公司", "legal_representative": "张晓明", field: value}
            before = _counts()
            response = _post(client, "/api/me/enterprises", body)
            if problem := _clear_4xx(response, None):
                wrong.append(f"enterprise {field}={label}: {problem}")
            elif response.status_code == 201:
                stored = Enterprise.objects.get(uscc=body["uscc"])
                if field == "name" and stored.name != value.strip():
                    wrong.append(f"enterprise name={label}: stored {stored.name!r}")
                stored.delete()
            elif _counts() != before:
                wrong.append(f"enterprise {field}={label}: refused yet written")
        before = _counts()
        response = _post(client, "/api/me/tokens", {"name": value, "days": 1})
        if problem := _clear_4xx(response):
            wrong.append(f"token name={label}: {problem}")
        elif response.status_code == 201:
            token = ApiToken.objects.get(pk=response.json()["id"])
            if token.name != value[:80] or token.user_id != cast.citizen.pk:
                wrong.append(f"token name={label}: stored {token.name!r}")
        elif _counts() != before:
            wrong.append(f"token name={label}: refused yet written")
    assert not wrong, "\n".join(wrong)


def test_case_filing_and_correction_reason_refuse_or_store_whole(cast, catalog_loaded):
    from tongban.cases.models import Case

    item = _market_item()
    agent, officer = _api(cast.agent), _api(cast.officer_a)
    wrong, numbers = [], []
    values: tuple[tuple[str, object], ...] = (*hostile.TEXTS, ("nested 200", hostile.nested(200)))
    for label, value in values:
        before = _counts()
        body = {"item": item.code, "region": "210200", "on_behalf_of": cast.enterprise.uscc,
                "form": {"经营范围": value, "备注": {"深": value}}, "answers": {}, "materials": []}
        response = _post(agent, "/api/cases", body)
        if problem := _clear_4xx(response):
            wrong.append(f"form={label}: {problem}")
        elif response.status_code == 201:
            case = Case.objects.get(number=response.json()["number"])
            if case.form.get("经营范围") != value:
                wrong.append(f"form={label}: stored {case.form.get('经营范围')!r:.80}")
            numbers.append(case.number)
        elif _counts() != before:
            wrong.append(f"form={label}: refused yet written")
        # the other fields of the filing: each hostile text is refused on its field, nothing written
        for field in ("item", "region", "on_behalf_of", "bundle"):
            if not isinstance(value, str):
                continue
            before = _counts()
            changed = {**body, field: value, **({"item": None} if field == "bundle" else {})}
            response = _post(agent, "/api/cases", changed)
            if response.status_code != 422 or (problem := _clear_4xx(response, field)):
                wrong.append(f"{field}={label}: HTTP {response.status_code} {response.content[:160]!r}")
            if _counts() != before:
                wrong.append(f"{field}={label}: refused yet written")
    assert numbers, "no case was filed"
    # the correction reason on the cases just filed (one per hostile text)
    for number, (label, value) in zip(numbers, hostile.TEXTS, strict=False):
        case = Case.objects.get(number=number)
        material = case.materials.order_by("pk").first()
        response = _post(officer, f"/api/cases/{number}/actions/request-correction",
                         {"reason": value, "materials": [material.name]})
        if problem := _clear_4xx(response):
            wrong.append(f"reason={label}: {problem}")
        case.refresh_from_db()
        if response.status_code == 200:
            stored = case.corrections.get().reason
            if stored != value.strip():
                wrong.append(f"reason={label}: stored {stored!r:.80}")
        elif case.status != "submitted" or case.corrections.exists():
            wrong.append(f"reason={label}: refused ({response.status_code}) yet the case changed")
    assert not wrong, "\n".join(wrong)


# --- malformed bodies ------------------------------------------------------------------------------------

WRITES = ("/api/accounts/register", "/api/me/enterprises", "/api/me/tokens", "/api/cases",
          "/api/catalog/items/{item}/materials")


@pytest.mark.parametrize("path", WRITES)
def test_malformed_bodies_get_a_clear_4xx(path, cast, catalog_loaded):
    client = _api(cast.agent)
    path = path.format(item=_market_item().code)
    bodies = [
        ("deeply nested JSON", hostile.nested_json(100_000), "application/json"),
        ("nested object", '{"a":' * 5_000 + "1" + "}" * 5_000, "application/json"),
        ("truncated JSON", '{"name": "张', "application/json"),
        ("not UTF-8", b"\xff\xfe\xfa{}", "application/json"),
        ("form-encoded", "name=a&days=1", "application/x-www-form-urlencoded"),
        ("XML with an entity", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
         "application/xml"),
        ("plain text", "hello", "text/plain"),
        ("oversized body", json.dumps({"name": "长" * 3_000_000}), "application/json"),
    ]
    wrong = []
    for label, body, content_type in bodies:
        before = _counts()
        response = _post(client, path, body, content_type=content_type)
        if not 400 <= response.status_code < 500:
            wrong.append(f"{label}: HTTP {response.status_code} {response.content[:160]!r}")
        elif problem := _clear_4xx(response):
            wrong.append(f"{label}: {problem}")
        if _counts() != before:
            wrong.append(f"{label}: written")
    assert not wrong, f"POST {path}:\n" + "\n".join(wrong)


def test_catalog_import_refuses_hostile_files_whole(cast, catalog_loaded):
    from tongban.catalog.models import ItemVersion

    client, versions, wrong = _api(cast.editor), ItemVersion.objects.count(), []
    files = [
        ("../../../../etc/passwd", b"root:x:0:0"),
        ("catalog.xlsx\x00.exe", b"PK\x03\x04not really a zip"),
        ("bomb.xlsx", _zip_of({"xl/workbook.xml": b"<" * 5_000_000})),
        ("xxe.xlsx", _zip_of({"[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                                                      b'"file:///etc/passwd">]><x>&e;</x>'})),
        ("polyglot.xlsx", b"%PDF-1.4\n" + _zip_of({"a.txt": b"x"})),
    ]
    for name, data in files:
        upload = io.BytesIO(data)
        upload.name = name
        response = client.post("/api/catalog/import", data={"file": upload})
        if not 400 <= response.status_code < 500 or _clear_4xx(response):
            wrong.append(f"{name!r}: HTTP {response.status_code} {response.content[:160]!r}")
    assert ItemVersion.objects.count() == versions, "a refused import wrote versions"
    assert not wrong, "\n".join(wrong)


def _zip_of(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- stored XSS: what was stored comes back escaped ------------------------------------------------------

@pytest.mark.parametrize("payload", hostile.XSS_PAYLOADS)
def test_stored_xss_never_renders_unescaped(payload, cast, catalog_loaded, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    from tongban.cases import actions as case_actions
    from tongban.identity.actions import create_token, deliver, request_enterprise
    from tongban.identity.demo import make_uscc
    from tongban.identity.models import User

    item = _market_item()
    case = case_actions.submit(cast.agent, item=item.code, region="210200", on_behalf_of=cast.enterprise.uscc,
                               form={"经营范围": payload, payload: "键名"})
    material = case.materials.order_by("pk").first()
    case_actions.request_correction(cast.officer_a, case, materials=[material.name], reason=payload)
    create_token(cast.agent, days=1, name=payload)
    request_enterprise(cast.agent, uscc=make_uscc("210202", "MA0X55001"), name=f"企业{payload}",
                       legal_representative="王建国")
    deliver(cast.agent, kind="xss", title=payload, body=payload, link=payload)
    # a name no form accepts (the register form refuses markup), as an import or the admin might store it
    User.objects.create(username=f"xss-{len(payload)}", name=payload, kind="person")

    pages = [
        (cast.agent, f"/cases/{case.number}/"),
        (cast.agent, f"/cases/{case.number}/receipt/"),
        (cast.agent, "/cases/"),
        (cast.agent, "/accounts/me/"),
        (cast.agent, "/accounts/me/messages/"),
        (cast.officer_a, f"/staff/cases/{case.number}/"),
        (cast.officer_a, "/staff/cases/"),
        (cast.admin, "/django-admin/identity/user/"),
        (cast.admin, f"/django-admin/identity/user/?q={payload[:10]}"),
    ]
    wrong = []
    shown = 0
    for user, path in pages:
        response = _session(user).get(path, follow=True)
        html = response.content.decode()
        if response.status_code != 200:
            wrong.append(f"{path}: HTTP {response.status_code}")
        if payload in html:
            wrong.append(f"{path}: the raw markup is in the page")
        for fragment in ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>"):
            if fragment in html:
                wrong.append(f"{path}: {fragment!r} unescaped")
        shown += "alert(1)" in html  # it is shown — escaped
    assert shown >= 5, "the stored values should appear (escaped) on most of these pages"
    assert not wrong, "\n".join(wrong)


# --- Excel: formula injection --------------------------------------------------------------------------

def test_catalog_export_neutralises_formula_prefixes(cast, catalog_loaded):
    """Officers edit an implementation's local texts; the export must not turn them into formulas."""
    from openpyxl import load_workbook

    from tongban.catalog.actions import update_implementation
    from tongban.catalog.models import ItemImplementation

    impl = ItemImplementation.objects.filter(department_id="market", region_id="210200", active=True) \
        .select_related("item").order_by("pk").first()
    formulas = dict(hostile.FORMULAS)
    update_implementation(cast.officer_a, impl, notes=formulas["formula ="], fee=formulas["formula +"],
                          place=formulas["formula -"], window=formulas["formula @"])
    response = _api(cast.officer_a).get("/api/catalog/export.xlsx?department=market")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(hostile.FORMULA_PREFIXES)]
    found = {c.value for c in cells}
    assert set(formulas.values()) <= found | {v.lstrip("'") for v in found}, "the edited texts are exported"
    loud = [(c.parent.title, c.coordinate, c.value[:30]) for c in cells if not hostile.is_neutral_cell(c)]
    assert not loud, f"formula cells in the export: {loud}"
    assert b"<f>" not in _sheet_xml(response.content), "a formula element in the workbook"


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(data))
    return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
