"""The licences journey (issue 6, Tests), tried as a new user would: an enterprise holding a
食品经营许可 (and its 营业执照 in the licence library) applies for 公共场所卫生许可 and submits
nothing it already has — the business licence is fetched only after the consent preview named
the record, its fields, the receiving department and the purpose; the material an officer
confirmed on the enterprise's earlier case is reused from the material vault; an officer opens
the case; the applicant then sees in the data-use tracker which officer read what, when, for
which case.

(The reference catalogue's 公共场所卫生许可（新办） lists no lease contract; the vault material
reused here is the enterprise's 《公共场所卫生管理制度》, confirmed on its first venue's case.)"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_browser_restaurant import sign_in, staff_desk  # the journeys' shared sign-in steps

from tongban.cases.models import Case
from tongban.identity.constants import Role
from tongban.testing import make_cast, make_staff

expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITEM = "WJW-XK-001"  # 公共场所卫生许可（新办）, 卫生健康 (district)
REGION = "210202"
RULES = "公共场所卫生管理制度"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _holdings(cast, officer):
    """The enterprise's 营业执照 and 食品经营许可证 in the library, and its first venue's approved
    公共场所卫生许可 case whose confirmed 《公共场所卫生管理制度》 the approval put in the vault."""
    from tongban.cases import actions, file_actions
    from tongban.catalog.models import LicenceType
    from tongban.core import audit
    from tongban.identity.models import Department
    from tongban.licences.actions import issue_licence
    from tongban.licences.models import VaultEntry

    market = Department.objects.get(pk="market")
    made = {}
    for code in ("ZZ-YYZZ", "ZZ-SPJY"):
        made[code] = issue_licence(None, licence_type=LicenceType.objects.get(pk=code), holder_kind="enterprise",
                                   holder_id=cast.enterprise.uscc, holder_name=cast.enterprise.name, issuer=market,
                                   region=market.region, holder_enterprise=cast.enterprise,
                                   fields={"住所": "大连市中山区人民路 1 号"})
    with audit.acting(audit.context_for_user(cast.agent)):
        first = actions.submit(cast.agent, item=ITEM, region=REGION, on_behalf_of=cast.enterprise.uscc)
        rules = first.materials.get(name=RULES)
        file_actions.attach_file(cast.agent, first, rules.position,
                                 SimpleUploadedFile("卫生管理制度.pdf", PDF, content_type="application/pdf"))
    with audit.acting(audit.context_for_user(officer)):
        actions.accept(officer, first)
        actions.approve(officer, Case.objects.get(pk=first.pk), basis="《公共场所卫生管理条例》第八条")
    entry = VaultEntry.objects.get(source_material=rules)  # the approval's receiver (after commit)
    return made, first, entry


def test_enterprise_applies_with_consented_fetch_and_vault_reuse_then_sees_who_read_it(
        open_page, screenshot, fits_width, settings, tmp_path):
    from tongban.catalog import demo

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    demo.load()
    cast = make_cast()
    officer = make_staff("officer-health-lj", Role.OFFICER, "health", REGION)
    officer.name = "赵卫生"
    officer.save(update_fields=["name"])
    licences, first, entry = _holdings(cast, officer)
    business = licences["ZZ-YYZZ"]

    # The legal representative, on a phone: act for the enterprise, open the application.
    page = open_page()
    page.goto("/accounts/me/")
    sign_in(page, cast.agent.id_number)
    page.get_by_role("button", name="切换为代表该企业").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text(cast.enterprise.uscc)
    page.goto(f"/cases/apply/{ITEM}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("公共场所卫生许可")
    page.select_option("#f-region", REGION)

    # The consent preview: which fields of which record go to which department, for what.
    preview = page.get_by_test_id("consent-preview")
    block = preview.locator('[data-consent="营业执照"]')
    expect(block).to_contain_text(business.number)
    expect(block.get_by_test_id("consent-fields")).to_contain_text("证照编号")
    expect(block.get_by_test_id("consent-fields")).to_contain_text("住所")
    expect(block.get_by_test_id("consent-department")).to_contain_text("卫生健康")
    expect(block).to_contain_text("公共场所卫生许可")
    # the vault offers the confirmed rules, ticked
    reuse = page.locator(f'[data-material="{RULES}"]')
    expect(reuse).to_contain_text(f"办件 {first.number}")
    expect(reuse.locator('input[name="reuse"]')).to_be_checked()
    assert fits_width(page)
    block.get_by_role("checkbox").check()
    screenshot(page, "g-licences-consent-phone")
    page.get_by_test_id("submit-application").click()
    expect(page).to_have_url(re.compile(r"/cases/\d{6}-\d{8}-\d{6}/$"))
    case = Case.objects.get(number=page.url.rstrip("/").rsplit("/", 1)[1])
    materials = {m.name: m for m in case.materials.all()}
    assert materials["营业执照"].provision == "fetched" and materials["营业执照"].licence_number == business.number
    assert materials[RULES].provision == "reused" and materials[RULES].reference == f"vault:{entry.pk}"
    uploaded = [m.name for m in materials.values() if m.provision == "uploaded" and m.source != "form"]
    assert uploaded == []  # nothing it already has was submitted again
    expect(page.locator('[data-material="营业执照"]')).to_contain_text(business.number)

    # The consent is on record and can be seen (and withdrawn until acceptance) on its page.
    page.goto(f"/licences/consents/{case.number}/")
    expect(page.locator('[data-consent="营业执照"]')).to_have_attribute("data-state", "consented")

    # An officer of the department opens the case.
    desk = staff_desk(open_page, officer, f"/staff/cases/{case.number}/")
    expect(desk.get_by_role("heading", level=1)).to_contain_text("公共场所卫生许可")
    expect(desk.locator("main")).to_contain_text(case.number)

    # The applicant sees in the tracker which officer read what, when, for which case.
    page.goto("/licences/data-uses/")
    row = page.locator("tr[data-use]").filter(has_text=case.number).filter(has_text="赵卫生").first
    expect(row).to_contain_text(officer.username)
    expect(row).to_contain_text("办件信息")
    expect(row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"))
    assert fits_width(page)
    screenshot(page, "g-licences-tracker-phone")


def test_enterprise_consents_once_to_every_fetch_of_a_bundle(open_page, screenshot, fits_width):
    """一件事: before filing, one preview lists every fetch of all the bundle's items, by receiving
    department; one tick consents to all of them, and each child case fetched its licence."""
    from tongban.catalog import demo
    from tongban.catalog.models import LicenceType
    from tongban.identity.models import Department
    from tongban.licences.actions import issue_licence

    demo.load()
    cast = make_cast()
    market = Department.objects.get(pk="market")
    business = issue_licence(None, licence_type=LicenceType.objects.get(pk="ZZ-YYZZ"), holder_kind="enterprise",
                             holder_id=cast.enterprise.uscc, holder_name=cast.enterprise.name, issuer=market,
                             region=market.region, holder_enterprise=cast.enterprise,
                             fields={"住所": "大连市中山区人民路 1 号"})
    page = open_page()
    page.goto("/accounts/me/")
    sign_in(page, cast.agent.id_number)
    page.get_by_role("button", name="切换为代表该企业").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text(cast.enterprise.uscc)
    page.goto("/cases/apply/YJS-001/")
    page.select_option("#f-region", REGION)
    preview = page.get_by_test_id("bundle-consent-preview")
    expect(preview).to_contain_text(business.number)
    departments = preview.get_by_test_id("bundle-consent-department")
    expect(departments).to_have_count(5)
    expect(preview.locator('[data-department="fire"]')).to_contain_text("消防")
    expect(preview).to_contain_text("一件事“我要开饭店”")
    assert fits_width(page)
    preview.get_by_test_id("bundle-consent").check()
    screenshot(page, "g-licences-bundle-consent-phone")
    with page.expect_navigation(timeout=60_000):  # seven child cases, their receipts and consent steps
        page.get_by_test_id("submit-application").click()
    expect(page).to_have_url(re.compile(r"/cases/\d{6}-\d{8}-\d{6}/$"))
    parent = Case.objects.get(number=page.url.rstrip("/").rsplit("/", 1)[1])
    fetched = [m for child in parent.children.all() for m in child.materials.filter(licence_type="ZZ-YYZZ")]
    assert len(fetched) == 6 and {m.provision for m in fetched} == {"fetched"}
    page.goto(f"/licences/consents/{parent.number}/")
    expect(page.get_by_test_id("consent-department")).to_have_count(5)
    expect(page.locator('[data-state="consented"]')).to_have_count(6)
