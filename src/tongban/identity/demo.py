"""Demo data of identity: the Dalian regions and departments from the reference catalogue,
staff of every role, citizens and an enterprise with valid synthetic identifiers. No real
person's data: names are generic, ID numbers and codes are generated."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.core.identifiers import id_check_character, uscc_check_character

from . import actions
from .constants import RealNameLevel, Role, UserKind
from .models import Department, Enterprise, EnterpriseMembership, Region, User

CATALOG_PATH = settings.PROJECT_DIR / "data" / "dalian-catalog.json"
DEMO_PASSWORD = "Tongban-2026!"


def load_catalog(path: Path = CATALOG_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def make_id_number(region: str, birth: str, seq: int) -> str:
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_check_character(first17)


def make_uscc(region: str, org: str) -> str:
    first17 = f"91{region}{org}"
    return first17 + uscc_check_character(first17)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    department: str | None
    region: str
    password: str = DEMO_PASSWORD

    @property
    def is_staff(self) -> bool:
        return self.role not in (Role.CITIZEN, Role.ENTERPRISE)

    def totp_secret(self) -> str | None:
        """A fixed demo TOTP secret so demo staff can sign in with any authenticator."""
        return base64.b32encode(self.totp_key()).decode() if self.is_staff else None

    def totp_key(self) -> bytes:
        return hashlib.sha256(f"tongban-demo-totp:{self.username}".encode()).digest()[:20]

    def as_json(self) -> dict:
        row = {"username": self.username, "password": self.password, "role": self.role,
               "department": self.department, "region": self.region, "name": self.name}
        if self.is_staff:
            row["totp_secret"] = self.totp_secret()
        return row


CITIZENS = [
    ("张晓明", "210202", "19850312", 21, "13800000001"),
    ("李秀兰", "210204", "19900718", 42, "13800000002"),
]
AGENT = ("王建国", "210203", "19780905", 13, "13800000003")
DEMO_ENTERPRISE = {"region": "210202", "org": "MA0TB0018", "name": "大连海韵餐饮有限公司（示例）"}


OFFICER_SURNAMES = "陈林黄何罗高梁宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"


def demo_accounts(catalog: dict | None = None) -> list[DemoAccount]:
    catalog = catalog or load_catalog()
    accounts = [DemoAccount(make_id_number(r, b, s), n, Role.CITIZEN, None, r) for n, r, b, s, _ in CITIZENS]
    n, r, b, s, _ = AGENT
    accounts.append(DemoAccount(make_id_number(r, b, s), n, Role.ENTERPRISE, None, r))
    accounts += [
        DemoAccount("window-hall", "赵窗口", Role.WINDOW, "business-env", "210200"),
        DemoAccount("head-market", "钱主任", Role.HEAD, "market", "210200"),
        DemoAccount("supervisor", "孙督查", Role.SUPERVISOR, "business-env", "210200"),
        DemoAccount("supervisor-zhongshan", "周督查", Role.SUPERVISOR, None, "210202"),
        DemoAccount("editor", "吴编辑", Role.EDITOR, None, "210200"),
        DemoAccount("operator-12345", "郑话务", Role.HOTLINE_OPERATOR, None, "210200"),
        DemoAccount("admin", "冯管理", Role.ADMIN, None, "210200"),
    ]
    accounts += [
        DemoAccount(f"officer-{d['id']}", f"{OFFICER_SURNAMES[i % len(OFFICER_SURNAMES)]}审批员",
                    Role.OFFICER, d["id"], d["region"])
        for i, d in enumerate(catalog["departments"])
    ]
    return accounts


def load_organisation(catalog: dict) -> None:
    created: dict[str, Region] = {}
    pending = list(catalog["regions"])
    while pending:  # parents before children, whatever the file's order
        ready = [r for r in pending if r["parent"] is None or r["parent"] in created]
        if not ready:
            raise ValueError(f"regions with unknown parents: {[r['code'] for r in pending]}")
        for r in ready:
            region = Region(code=r["code"], name=r["name"], level=r["level"], kind=r.get("kind", ""),
                            parent=created.get(r["parent"]), synthetic=r.get("synthetic", False),
                            located_in=r.get("located_in", []))
            region.save()
            created[r["code"]] = region
        pending = [r for r in pending if r["code"] not in created]
    for d in sorted(catalog["departments"], key=lambda d: "parent_department" in d):
        Department.objects.update_or_create(id=d["id"], defaults={
            "abbr": d["abbr"], "name": d["name"], "region_id": d["region"], "kind": d.get("kind", ""),
            "uscc": d["uscc"], "parent_id": d.get("parent_department")})


def _person(account: DemoAccount, phone: str) -> User:
    user = User(username=account.username, name=account.name, id_number=account.username, phone=phone,
                kind=UserKind.PERSON, real_name_level=RealNameLevel.VERIFIED)
    user.set_password(account.password)
    user.save()
    return user


@transaction.atomic
def load(catalog: dict | None = None) -> list[DemoAccount]:
    catalog = catalog or load_catalog()
    load_organisation(catalog)
    accounts = demo_accounts(catalog)
    phones = {make_id_number(r, b, s): p for _, r, b, s, p in [*CITIZENS, AGENT]}
    enterprise = Enterprise.objects.create(
        uscc=make_uscc(DEMO_ENTERPRISE["region"], DEMO_ENTERPRISE["org"]), name=DEMO_ENTERPRISE["name"],
        legal_representative=AGENT[0], region_id=DEMO_ENTERPRISE["region"])
    for account in accounts:
        if not account.is_staff:
            user = _person(account, phones[account.username])
            if account.role == Role.ENTERPRISE:
                EnterpriseMembership.objects.create(
                    enterprise=enterprise, user=user, role=EnterpriseMembership.Role.LEGAL_REPRESENTATIVE,
                    status=EnterpriseMembership.Status.ACTIVE)
            continue
        department = Department.objects.get(pk=account.department) if account.department else None
        user = actions.create_staff(username=account.username, name=account.name, password=account.password,
                                    roles=[(account.role, department, Region.objects.get(pk=account.region))])
        TOTPDevice.objects.create(user=user, name="演示动态口令", key=account.totp_key().hex(), confirmed=True)
    return accounts
