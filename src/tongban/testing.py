"""The test cast (after Healthchecks' Alice/Bob/Charlie), reused by every app's tests:

* ``citizen``        张晓明, a natural person
* ``other_citizen``  李秀兰, who must never see the first one's data
* ``agent``          王建国, legal representative of 大连海韵餐饮有限公司
* ``officer_a``      an officer of the city market regulation bureau (市场监管局)
* ``officer_b``      an officer of the city police (公安局)
* ``district_officer`` an officer of 中山区民政局
* ``window``         window staff of the market regulation bureau
* ``head``           the head of the market regulation bureau
* ``supervisor``     a supervisor for the whole city
* ``editor``         a content editor for the whole city
* ``hotline``        a 12345 hotline operator for the whole city
* ``admin``          a platform administrator

Regions and departments of the reference catalogue are loaded once per test database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from tongban.identity import actions
from tongban.identity.constants import RealNameLevel, Role, UserKind
from tongban.identity.demo import make_id_number, make_uscc
from tongban.identity.models import Department, Enterprise, EnterpriseMembership, Region, User

PASSWORD = "Persona-2026!"


def make_person(name: str, id_number: str, phone: str, level: int = RealNameLevel.VERIFIED) -> User:
    user = User(username=id_number, name=name, id_number=id_number, phone=phone, kind=UserKind.PERSON,
                real_name_level=level)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_staff(username: str, role: str, department: str | None, region: str) -> User:
    dept = Department.objects.get(pk=department) if department else None
    return actions.create_staff(username=username, name=username, password=PASSWORD,
                                roles=[(role, dept, Region.objects.get(pk=region))])


@dataclass
class Cast:
    citizen: User
    other_citizen: User
    agent: User
    enterprise: Enterprise
    officer_a: User
    officer_b: User
    district_officer: User
    window: User
    head: User
    supervisor: User
    editor: User
    hotline: User
    admin: User


def make_cast() -> Cast:
    agent = make_person("王建国", make_id_number("210203", "19780905", 13), "13900000003")
    enterprise = Enterprise.objects.create(uscc=make_uscc("210202", "MA0TB0018"), name="大连海韵餐饮有限公司",
                                           legal_representative="王建国", region_id="210202")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=agent,
                                        role=EnterpriseMembership.Role.LEGAL_REPRESENTATIVE,
                                        status=EnterpriseMembership.Status.ACTIVE)
    return Cast(
        citizen=make_person("张晓明", make_id_number("210202", "19850312", 21), "13900000001"),
        other_citizen=make_person("李秀兰", make_id_number("210204", "19900718", 42), "13900000002"),
        agent=agent,
        enterprise=enterprise,
        officer_a=make_staff("officer-a", Role.OFFICER, "market", "210200"),
        officer_b=make_staff("officer-b", Role.OFFICER, "police", "210200"),
        district_officer=make_staff("officer-zs", Role.OFFICER, "zhongshan-civil-affairs", "210202"),
        window=make_staff("window-cast", Role.WINDOW, "market", "210200"),
        head=make_staff("head-cast", Role.HEAD, "market", "210200"),
        supervisor=make_staff("supervisor-city", Role.SUPERVISOR, None, "210200"),
        editor=make_staff("editor-cast", Role.EDITOR, None, "210200"),
        hotline=make_staff("hotline-cast", Role.HOTLINE_OPERATOR, None, "210200"),
        admin=make_staff("admin-1", Role.ADMIN, None, "210200"),
    )


def api_client(user: User | None = None, **headers: str) -> Client:
    """A test client that calls the API as `user` with a personal token (or anonymously)."""
    if user is None:
        return Client(headers=headers)
    _, raw = actions.create_token(user, days=1, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


def staff_session(user: User, client: Client | None = None) -> Client:
    """A test client signed in as staff `user` with the second factor done (staff pages need
    TOTP), as `django_otp.login` leaves the session after a real sign-in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = client or Client()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or \
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def ensure_organisation() -> None:
    """The regions and departments, put back if a transactional test emptied the tables (the
    browser journeys, the races): one indexed query when they are there."""
    from tongban.identity.demo import load_catalog, load_organisation

    if not Department.objects.filter(pk="market").exists():
        load_organisation(load_catalog())
