"""Object-level isolation (issue 10, item 3): beyond the permission matrix's "may this persona
call this route", *which objects* come back. Two of everything that has an owner or a scope is
seeded — two citizens' cases, two enterprises' cases, cases of two departments and two regions,
two message centres, two citizens' tokens — and every list and detail endpoint is asked as every
persona. The expectation is one table (`SEEN`): each persona sees exactly its own / scoped
objects, and the others' numbers, ids and marker texts are absent from the response body.

Rules: R4 (row scope by department and region; applicants see their own), R21 (personal data
only to whom it belongs)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.harness.personas import USER_PERSONAS, persona
from tongban.identity.permissions import is_staff_member

# the users; the external clients see no case, list or message at all (their only route is the
# exchange's read API: the permission matrix sends each of them to every route)
NAMES = tuple(p.name for p in USER_PERSONAS)


# --- the seed: one row per case ----------------------------------------------------------------------

@dataclass(frozen=True)
class CaseSeed:
    applicant: str  # persona who files it
    department: str
    region: str
    audience: str  # what kind of item: "person" (not enterprise-only) or "enterprise"
    enterprise: str | None = None  # "a" (the cast's enterprise) or "b" (citizen B's own)


SEEDS: dict[str, CaseSeed] = {
    "a_police": CaseSeed("citizen_a", "police", "210200", "person"),
    "a_district": CaseSeed("citizen_a", "zhongshan-civil-affairs", "210202", "person"),
    "b_police": CaseSeed("citizen_b", "police", "210200", "person"),
    "b_district_police": CaseSeed("citizen_b", "police", "210202", "person"),
    "ent_a_market": CaseSeed("agent", "market", "210200", "enterprise", enterprise="a"),
    "ent_b_police": CaseSeed("citizen_b", "police", "210200", "enterprise", enterprise="b"),
}
ALL = frozenset(SEEDS)
# Who sees which case (R4): applicants their own and their enterprises'; window, officers and heads
# their department in their region and below; supervisors and administrators everything in the city;
# editors and the hotline no case at all (a case is personal data they do not need).
SEEN: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "citizen_a": frozenset({"a_police", "a_district"}),
    "citizen_b": frozenset({"b_police", "b_district_police", "ent_b_police"}),
    "agent": frozenset({"ent_a_market"}),
    "window": frozenset({"ent_a_market"}),
    "officer_a": frozenset({"ent_a_market"}),
    "head": frozenset({"ent_a_market"}),
    "officer_b": frozenset({"a_police", "b_police", "b_district_police", "ent_b_police"}),
    "officer_other_region": frozenset({"a_district"}),
    "supervisor": ALL,
    "editor": frozenset(),
    "hotline": frozenset(),
    "admin": ALL,
}
assert set(SEEN) == set(NAMES)
HANDLERS = {"window", "officer_a", "head", "officer_b", "officer_other_region"}  # department roles

# Things with an owner and nothing else: a message centre, a token list, an enterprise list.
OWNED = {"citizen_a": "甲", "citizen_b": "乙"}


def _item_for(seed: CaseSeed, taken: set[str]):
    from tongban.catalog.models import ServiceItem

    rows = ServiceItem.objects.filter(active=True, current_version__isnull=False,
                                      implementations__department_id=seed.department,
                                      implementations__region_id=seed.region, implementations__active=True,
                                      implementations__legal_days__lte=15)  # deadlines within the known calendar
    rows = rows.filter(audience="enterprise") if seed.audience == "enterprise" else rows.exclude(audience="enterprise")
    for item in rows.order_by("code").distinct():
        if item.code not in taken:
            return item
    raise AssertionError(f"the reference catalogue has no {seed}")


@dataclass
class World:
    cases: dict[str, str]  # key → case number
    markers: dict[str, str]  # key → a text only that case's form holds
    messages: dict[str, int]  # persona → message id
    tokens: dict[str, int]  # persona → token id
    enterprises: dict[str, str]  # "a"/"b" → USCC


@pytest.fixture
def world(cast, catalog_loaded, settings, tmp_path) -> World:
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    from tongban.cases import actions as case_actions
    from tongban.identity.actions import create_token, deliver, request_enterprise
    from tongban.identity.demo import make_uscc

    uscc_b = make_uscc("210204", "MA0TB0026")
    # citizen B is 李秀兰 with a verified name: she becomes the legal representative at once
    membership = request_enterprise(cast.other_citizen, uscc=uscc_b, name="大连秀兰商贸有限公司",
                                    legal_representative="李秀兰")
    assert membership.status == "active"
    enterprises = {"a": cast.enterprise.uscc, "b": uscc_b}
    cases, markers, taken = {}, {}, set()
    for key, seed in SEEDS.items():
        item = _item_for(seed, taken)
        taken.add(item.code)
        markers[key] = f"ISOMARK-{key}-备注"
        case = case_actions.submit(persona(seed.applicant).user(cast), item=item.code, region=seed.region,
                                   on_behalf_of=enterprises[seed.enterprise] if seed.enterprise else None,
                                   form={"备注": markers[key]})
        assert case.department_id == seed.department and case.region_id == seed.region, (key, case)
        cases[key] = case.number
    messages, tokens = {}, {}
    for name, mark in OWNED.items():
        user = persona(name).user(cast)
        messages[name] = deliver(user, kind="isolation", title=f"ISOMSG-{mark}-通知书", body=f"ISOMSG-{mark}-正文",
                                 attachment=b"%PDF-1.4 isolation", attachment_name="通知书.pdf").pk
        tokens[name] = create_token(user, days=1, name=f"ISOTOKEN-{mark}")[0].pk
    return World(cases, markers, messages, tokens, enterprises)


# --- clients -------------------------------------------------------------------------------------------

def _api(user) -> Client:
    from tongban.identity.actions import create_token

    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {create_token(user, days=1, name='isolation')[1]}"})


def _session(user) -> Client:
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if is_staff_member(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
            TOTPDevice.objects.create(user=user, name="isolation", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _absent(body: str, world: World, hidden: set[str], where: str, *, asked: bool = False) -> list[str]:
    """Every trace of the hidden cases (number, form marker) that shows in `body`. `asked`: the
    caller named the case in the path, so its number may be echoed ("未找到办件 …"), not its data."""
    return [f"{where}: {key} ({world.cases[key]})" for key in sorted(hidden)
            if (world.cases[key] in body and not asked) or world.markers[key] in body]


# --- cases: list, detail, PDF, pages -------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_R4_cases_each_persona_sees_exactly_its_scope(name, cast, world):
    user = persona(name).user(cast)
    seen, hidden = SEEN[name], set(ALL - SEEN[name])
    api = _api(user)
    wrong: list[str] = []

    # the list, plain and filtered by each hidden case's item (a filter never widens the scope)
    listing = api.get("/api/cases", {"page_size": 100})
    if user is None:
        assert listing.status_code == 401
    else:
        assert listing.status_code == 200, listing.content
        numbers = {row["number"] for row in listing.json()["items"]}
        expected = {world.cases[k] for k in seen}
        if numbers != expected:
            wrong.append(f"GET /api/cases: got {sorted(numbers)}, expected {sorted(expected)}")
        wrong += _absent(listing.content.decode(), world, hidden, "GET /api/cases")
        for status in ("", "submitted,accepted"):
            body = api.get("/api/cases", {"status": status, "page_size": 100}).content.decode()
            wrong += _absent(body, world, hidden, f"GET /api/cases?status={status}")

    # the details and the PDF notices of every case
    for key, number in world.cases.items():
        want = 200 if key in seen else (401 if user is None else 404)
        for path in (f"/api/cases/{number}", f"/api/cases/{number}/notices/receipt.pdf"):
            response = api.get(path)
            if response.status_code != want:
                wrong.append(f"GET {path} [{key}]: HTTP {response.status_code}, expected {want}")
            if key in hidden and response.status_code != 401:
                wrong += _absent(response.content.decode(errors="replace"), world, {key}, f"GET {path}", asked=True)
        if key in seen:
            detail = api.get(f"/api/cases/{number}").json()
            # the form is the applicant's and the handling department's; supervisors see the case without it
            full = name in HANDLERS or not persona(name).is_staff
            text = json.dumps(detail, ensure_ascii=False)
            if detail["number"] != number or (full and world.markers[key] not in text):
                wrong.append(f"GET /api/cases/{number}: not the case's own data")
            wrong += _absent(json.dumps(detail, ensure_ascii=False), world, hidden - {key}, f"GET /api/cases/{number}")

    # the pages: the applicant's list and tracking page, the officers' queue and case page
    if user is not None:
        web = _session(user)
        staff = persona(name).is_staff
        mine = web.get("/staff/cases/" if staff else "/cases/", follow=True)
        assert mine.status_code == 200, (name, mine.status_code)
        html = mine.content.decode()
        wrong += [f"list page: own case {k} missing" for k in sorted(seen) if world.cases[k] not in html]
        wrong += _absent(html, world, hidden, "list page")
        for key, number in world.cases.items():
            for path, refused in ((f"/cases/{number}/", 404), (f"/cases/{number}/receipt/", 404),
                                  (f"/staff/cases/{number}/", 404 if staff else 403)):
                response = web.get(path)
                want = 200 if key in seen and (staff or not path.startswith("/staff/")) else refused
                if response.status_code != want:
                    wrong.append(f"GET {path} [{key}]: HTTP {response.status_code}, expected {want}")
                if key in hidden:
                    wrong += _absent(response.content.decode(), world, {key}, f"GET {path}", asked=True)
    assert not wrong, f"as {name}:\n" + "\n".join(wrong)


# --- the message centre, tokens, enterprises -------------------------------------------------------------

@pytest.mark.parametrize("name", ["citizen_a", "citizen_b", "agent", "officer_a", "admin"])
def test_R21_messages_and_tokens_are_their_owners_alone(name, cast, world):
    """Not even an administrator reads someone else's message centre or token list through /me."""
    user = persona(name).user(cast)
    api, web = _api(user), _session(user)
    own = OWNED.get(name)
    others = [n for n in OWNED if n != name]
    wrong: list[str] = []

    messages = api.get("/api/me/messages", {"page_size": 100})
    ids = {m["id"] for m in messages.json()["items"]}
    if own and ids != {world.messages[name]}:
        wrong.append(f"/api/me/messages: {ids}, expected {{{world.messages[name]}}}")
    tokens = api.get("/api/me/tokens", {"page_size": 100})
    token_ids = {t["id"] for t in tokens.json()["items"]}
    if own and world.tokens[name] not in token_ids:
        wrong.append("/api/me/tokens: own token missing")
    pages = {"/accounts/me/messages/": web.get("/accounts/me/messages/"), "/accounts/me/": web.get("/accounts/me/")}
    for other in others:
        mark = OWNED[other]
        if world.messages[other] in ids:
            wrong.append(f"/api/me/messages lists {other}'s message")
        if world.tokens[other] in token_ids:
            wrong.append(f"/api/me/tokens lists {other}'s token")
        bodies = [("/api/me/messages", messages.content.decode()), ("/api/me/tokens", tokens.content.decode()),
                  *((p, r.content.decode()) for p, r in pages.items())]
        for where, body in bodies:
            for text in (f"ISOMSG-{mark}", f"ISOTOKEN-{mark}"):
                if text in body:
                    wrong.append(f"{where} shows {other}'s {text}")
        for path in (f"/api/me/messages/{world.messages[other]}/attachment",):
            if (status := api.get(path).status_code) != 404:
                wrong.append(f"GET {path}: HTTP {status}, expected 404")
        if (status := web.get(f"/accounts/me/messages/{world.messages[other]}/attachment/").status_code) != 404:
            wrong.append(f"message attachment page of {other}: HTTP {status}, expected 404")
    assert not wrong, f"as {name}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", ["citizen_a", "citizen_b", "agent"])
def test_R21_enterprises_and_their_agents_stay_with_their_members(name, cast, world):
    api = _api(persona(name).user(cast))
    mine = {"citizen_a": set(), "citizen_b": {"b"}, "agent": {"a"}}[name]
    listed = {m["uscc"] for m in api.get("/api/me/enterprises").json()}
    assert listed == {world.enterprises[e] for e in mine}
    for key, uscc in world.enterprises.items():
        rows = api.get(f"/api/enterprises/{uscc}/memberships", {"page_size": 100}).json()["items"]
        if key not in mine:
            assert rows == [], f"{name} sees the agents of enterprise {key}"


# --- staff and the implementation lists: department and region ------------------------------------------

# persona → (departments, region codes) whose staff roles / implementations it may see; None: any
STAFF_SCOPE = {
    "window": ({"market"}, None), "officer_a": ({"market"}, None), "head": ({"market"}, None),
    "officer_b": ({"police"}, None), "officer_other_region": ({"zhongshan-civil-affairs"}, {"210202"}),
}


@pytest.mark.parametrize("name", sorted(STAFF_SCOPE))
def test_R4_staff_and_implementations_stay_in_department_and_region(name, cast, world):
    from tongban.identity.models import Region

    departments, regions = STAFF_SCOPE[name]
    api = _api(persona(name).user(cast))
    own_region = persona(name).user(cast).staff_roles.get().region
    below = set(Region.objects.filter(path__startswith=own_region.path).values_list("pk", flat=True))
    staff = api.get("/api/staff", {"page_size": 100}).json()["items"]
    assert staff, "a staff member sees at least themselves"
    outside = [r for r in staff if r["department"] not in departments or r["region"] not in below
               or (regions and r["region"] not in regions)]
    assert not outside, f"{name} sees staff outside its department/region: {outside}"
    others = {u.username for u in (cast.officer_a, cast.officer_b, cast.district_officer)
              if u.staff_roles.get().department_id not in departments}
    assert not others & {r["username"] for r in staff}

    impls = api.get("/api/catalog/implementations", {"page_size": 100}).json()
    assert bool(impls["items"]) == (name != "window"), f"{name}: window staff maintain no implementation"
    outside = [(r["item"], r["department"]["id"], r["region"]["code"]) for r in impls["items"]
               if r["department"]["id"] not in departments or r["region"]["code"] not in below]
    assert not outside, f"{name} may edit implementations outside its scope: {outside[:5]}"


@pytest.mark.parametrize("name", ["citizen_a", "agent", "editor", "hotline", "supervisor"])
def test_R4_no_staff_list_or_editable_implementations_beyond_the_role(name, cast, world):
    """Applicants get no staff list (403) and no editable implementation; the region-wide roles
    see the staff of their region only."""
    api = _api(persona(name).user(cast))
    staff = api.get("/api/staff", {"page_size": 100})
    if not persona(name).is_staff:
        assert staff.status_code == 403
        assert api.get("/api/catalog/implementations").json()["items"] == []
    else:
        assert staff.status_code == 200
        assert all(r["region"].startswith("2102") for r in staff.json()["items"])
