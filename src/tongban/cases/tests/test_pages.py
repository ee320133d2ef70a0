"""The cases' pages: my cases, the tracking page (waiting line, clock, notices, materials,
withdrawal), the receipt, the notice PDFs (page and API routes), and the officers' queue and
case page with their actions — scoped like the API: anyone else gets 404."""

import pytest
from django.utils import timezone

from tongban.cases import actions, pages, selectors
from tongban.cases.models import Case, CasePromise
from tongban.core.audit import AuditRecord
from tongban.identity.constants import Role
from tongban.testing import api_client, make_staff

from .helpers import backdate, file_case, md, pdf_text, person_client, sign_promise, staff_client

pytestmark = pytest.mark.django_db

HEALTH = "大连市卫生健康委员会"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(cast, catalog):
    return file_case(cast.citizen, materials=["医师资格证书"])


@pytest.fixture
def citizen(cast):
    return person_client(cast.citizen)


@pytest.fixture
def officer(health_officer):
    return staff_client(health_officer)


def fresh(case):
    return Case.objects.get(pk=case.pk)


def line(case, user, *, for_applicant=True):
    case = selectors.get_case(user, case.number)
    return pages.waiting_line(selectors.case_detail(user, case, record=False), for_applicant=for_applicant)


# --- the waiting line, state by state ----------------------------------------------------------------

def test_waiting_line_for_each_state(cast, catalog, health_officer):
    today = timezone.localdate()
    submitted = file_case(cast.citizen)
    assert line(submitted, cast.citizen) == f"待受理：{HEALTH}，自 {md(today)}起；受理后法定办结时限 20 个工作日"

    accepted = file_case(cast.citizen)
    actions.accept(health_officer, accepted)
    assert line(accepted, cast.citizen) == f"审查中：{HEALTH}，自 {md(today)}起，法定时限剩余 20 个工作日"

    corrected = file_case(cast.citizen)
    actions.accept(health_officer, corrected)
    actions.request_correction(health_officer, corrected, materials=["医师资格证书"], reason="不清晰")
    assert line(corrected, cast.citizen) == (f"等待您补正：《医师资格证书》，自 {md(today)}起；补正期间法定时限暂停，"
                                             "已用 0 个工作日，补正齐全后还有 20 个工作日")
    assert line(corrected, health_officer, for_applicant=False).startswith("等待申请人补正：《医师资格证书》")

    before = file_case(cast.citizen)  # correction before acceptance: nothing is counting yet
    actions.request_correction(health_officer, before, materials=["医师资格证书"], reason="不清晰")
    assert line(before, cast.citizen).endswith("补正齐全后由办理部门受理")

    overdue = file_case(cast.citizen)
    actions.accept(health_officer, overdue)
    backdate(overdue, 23)
    assert line(overdue, cast.citizen).endswith("已超过法定时限 3 个工作日")

    approved = file_case(cast.citizen)
    actions.accept(health_officer, approved)
    actions.approve(health_officer, approved)
    assert line(approved, cast.citizen) == f"已办结：准予许可（{md(today)}）"

    rejected = file_case(cast.citizen)
    actions.reject(health_officer, rejected, reason="不属于本部门职权")
    assert line(rejected, cast.citizen) == f"已办结：不予受理（{md(today)}）"

    withdrawn = file_case(cast.citizen)
    actions.withdraw(cast.citizen, withdrawn)
    assert line(withdrawn, cast.citizen) == f"已撤回：{md(today)}"


def test_R10_waiting_line_names_the_promise_and_its_due_date_then_the_suspension(cast, catalog):
    officer = make_staff("officer-hrss-t", Role.OFFICER, "hrss", "210200")
    case = file_case(cast.citizen, item="RS-GG-011", materials=[{"name": "创业项目计划书", "provision": "promised"}])
    sign_promise(case)
    actions.accept(officer, case)
    due = CasePromise.objects.get(case=case).due
    assert line(case, cast.citizen).endswith(f"；请您在 {md(due)} 前补交《创业项目计划书》")
    CasePromise.objects.filter(case=case).update(due=timezone.localdate() - timezone.timedelta(days=1))
    actions.enforce_promises()
    assert line(case, cast.citizen).startswith("中止办理：等待您补交《创业项目计划书》")


# --- the applicant's pages ------------------------------------------------------------------------------

def test_my_cases_lists_status_clock_words_and_deadline(case, cast, citizen, health_officer):
    accepted = file_case(cast.citizen)
    actions.accept(health_officer, accepted)
    backdate(accepted, 18)  # 2 working days left of 20: warned (R8)
    response = citizen.get("/cases/")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and accepted.number in html
    assert "待受理" in html and "受理后起算" in html
    assert "即将超期" in html and "state-warn" in html  # in words and colour, not colour alone


def test_tracking_page_shows_waiting_line_clock_notices_and_materials(case, citizen):
    response = citizen.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"待受理：{HEALTH}" in html
    assert "未开始计时" in html and "（如今日受理）" in html
    assert f"/cases/{case.number}/notices/receipt.pdf" in html and "acceptance.pdf" not in html
    assert "医师资格证书" in html and "申请人提交" in html
    assert "我要撤回这个申请" in html


def test_tracking_page_clock_is_the_reading_the_api_gives(case, cast, citizen, health_officer):
    actions.accept(health_officer, case)
    backdate(case, 5)
    api = api_client(cast.citizen).get(f"/api/cases/{case.number}").json()["clock"]
    html = citizen.get(f"/cases/{case.number}/").content.decode()
    assert f'<span class="big">{api["days_used"]}</span> / {api["limit"]}' in html
    deadline = timezone.datetime.fromisoformat(api["deadline"]).date()
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in html
    assert f'data-state="{api["state"]}"' in html


def test_applicant_withdraws_from_the_tracking_page_and_a_second_try_is_an_inline_409(case, citizen):
    response = citizen.post(f"/cases/{case.number}/withdraw/",
                            {"reason": "不再需要", "lock_version": case.lock_version})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert fresh(case).status == "withdrawn"
    again = citizen.post(f"/cases/{case.number}/withdraw/", {"lock_version": case.lock_version})
    assert again.status_code == 409
    assert "不能撤回申请" in again.content.decode() and 'role="alert"' in again.content.decode()
    assert "我要撤回这个申请" not in citizen.get(f"/cases/{case.number}/").content.decode()


def test_receipt_page_is_printable_with_qr_and_pdf(case, citizen):
    response = citizen.get(f"/cases/{case.number}/receipt/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "申请回执" in html and case.number in html and "<svg" in html and "data-print" in html
    assert f"/cases/{case.number}/" in html and HEALTH in html
    pdf = citizen.get(f"/cases/{case.number}/notices/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert case.number in pdf_text(pdf.content)


# --- isolation ----------------------------------------------------------------------------------------

def test_other_applicants_and_other_departments_get_404_for_pages_and_pdfs(case, cast, client):
    paths = [f"/cases/{case.number}/", f"/cases/{case.number}/receipt/", f"/cases/{case.number}/notices/receipt.pdf"]
    other = person_client(cast.other_citizen)
    market = staff_client(cast.officer_a)
    for path in paths:
        assert other.get(path).status_code == 404, path
        assert market.get(path).status_code == 404, path
        assert client.get(path).status_code == 302  # anonymous: to the login page
    assert other.post(f"/cases/{case.number}/withdraw/").status_code == 404
    assert market.get(f"/staff/cases/{case.number}/").status_code == 404
    assert market.post(f"/staff/cases/{case.number}/accept/").status_code == 404
    assert fresh(case).status == "submitted"
    assert case.number not in market.get("/staff/cases/").content.decode()
    assert case.number not in other.get("/cases/").content.decode()


def test_officer_pdf_download_is_an_audited_read(case, officer, health_officer):
    response = officer.get(f"/cases/{case.number}/notices/receipt.pdf")
    assert response.status_code == 200
    read = AuditRecord.objects.filter(action="read:case", actor_id=health_officer.pk, object_id=str(case.pk))
    assert read.filter(reason__contains="申请回执").exists()


def test_a_notice_the_case_does_not_have_is_404(case, citizen):
    assert citizen.get(f"/cases/{case.number}/notices/approval.pdf").status_code == 404
    assert citizen.get(f"/cases/{case.number}/notices/nonsense.pdf").status_code == 404


@pytest.mark.urls("tongban.cases.tests.notice_urls")
def test_api_notice_download_is_scoped_like_the_api(case, cast, health_officer):
    path = f"/api/cases/{case.number}/notices/receipt.pdf"
    response = api_client(cast.citizen).get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert case.number in pdf_text(response.content)
    assert api_client(health_officer).get(path).status_code == 200
    for persona in (cast.other_citizen, cast.officer_a, cast.district_officer):
        answer = api_client(persona).get(path)
        assert answer.status_code == 404 and "detail" in answer.json()
    assert api_client().get(path).status_code == 401
    assert api_client(cast.citizen).get(f"/api/cases/{case.number}/notices/denial.pdf").status_code == 404


# --- the officer's pages ----------------------------------------------------------------------------

def test_queue_is_the_department_sorted_by_deadline_with_filters(cast, catalog, officer, health_officer):
    first = file_case(cast.citizen)
    warned = file_case(cast.citizen)
    overdue = file_case(cast.other_citizen)
    for c in (warned, overdue):
        actions.accept(health_officer, c)
    backdate(warned, 17)
    backdate(overdue, 22)
    elsewhere = file_case(cast.citizen, item="RS-QR-001")  # another department's case

    def numbers(query=""):
        html = officer.get(f"/staff/cases/{query}").content.decode()
        found = [n for n in (first.number, warned.number, overdue.number, elsewhere.number) if n in html]
        return sorted(found, key=html.index)

    assert numbers() == [overdue.number, warned.number, first.number]  # deadline first, unaccepted last
    assert numbers("?warned=1") == [warned.number]
    assert numbers("?overdue=1") == [overdue.number]
    assert numbers("?status=submitted") == [first.number]
    assert numbers("?item=RS-QR-001") == []
    assert numbers("?channel=window") == []
    html = officer.get("/staff/cases/").content.decode()
    assert "已超期" in html and "即将超期" in html and "state-over" in html


def test_R8_warned_filter_agrees_with_the_clock_reading(cast, catalog, health_officer):
    cases = []
    for days in (0, 10, 15, 16, 17, 19, 20, 21):
        c = file_case(cast.citizen)
        actions.accept(health_officer, c)
        backdate(c, days)
        cases.append(c)
    warned = set(pages.officer_queue(health_officer, warned=True).values_list("number", flat=True))
    expected = {c.number for c in cases
                if selectors.case_detail(health_officer, selectors.get_case(health_officer, c.number),
                                         record=False)["clock"]["state"] == "warned"}
    assert warned == expected and len(expected) >= 2


def test_queue_pages_by_twenty_in_a_constant_number_of_queries(cast, catalog, officer,
                                                                 django_assert_max_num_queries):
    for _ in range(21):
        file_case(cast.citizen)
    with django_assert_max_num_queries(12):
        html = officer.get("/staff/cases/").content.decode()
    assert "第 1 / 2 页" in html and html.count('data-number="') == 20
    assert officer.get("/staff/cases/?page=2").content.decode().count('data-number="') == 1


def test_citizen_cannot_open_the_queue(citizen):
    assert citizen.get("/staff/cases/").status_code == 403


def test_officer_accepts_and_requests_a_correction_through_the_pages(case, officer):
    page = officer.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="reject"' in page and 'data-action="approve"' not in page
    response = officer.post(f"/staff/cases/{case.number}/accept/", {"lock_version": case.lock_version})
    assert response.status_code == 302 and fresh(case).status == "accepted"
    page = officer.get(response["Location"]).content.decode()
    assert "已受理：办件" in page and 'data-action="approve"' in page and "/notices/acceptance.pdf" in page

    response = officer.post(f"/staff/cases/{case.number}/request-correction/",
                            {"materials": ["医师资格证书"], "reason": "复印件不清晰",
                             "lock_version": fresh(case).lock_version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="case-panel">') and "<html" not in html  # the panel, swapped in place
    assert "等待申请人补正：《医师资格证书》" in html and fresh(case).status == "correction"


def test_field_errors_are_inline(case, officer):
    response = officer.post(f"/staff/cases/{case.number}/reject/", {"reason": "", "lock_version": case.lock_version})
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写不予受理的理由" in html and 'aria-invalid="true"' in html
    response = officer.post(f"/staff/cases/{case.number}/request-correction/",
                            {"reason": "缺材料", "lock_version": case.lock_version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "请一次性列明需要补正的全部材料" in response.content.decode()
    assert fresh(case).status == "submitted"


def test_R9_a_second_correction_naming_a_new_material_is_refused_on_the_page(case, officer, health_officer, cast):
    actions.accept(health_officer, case)
    actions.request_correction(health_officer, case, materials=["医师资格证书"], reason="不清晰")
    actions.submit_correction(cast.citizen, case, materials=[])
    page = officer.get(f"/staff/cases/{case.number}/").content.decode()
    assert "只能要求补正第一次补正通知所列的材料" in page
    other = next(m.name for m in case.materials.all() if m.name != "医师资格证书")
    response = officer.post(f"/staff/cases/{case.number}/request-correction/",
                            {"materials": [other], "reason": "再补", "lock_version": fresh(case).lock_version})
    assert response.status_code == 422 and "R9" in response.content.decode()


def test_conflict_when_another_officer_acted_first_is_an_inline_409(case, officer, health_officer):
    colleague = make_staff("officer-health-t2", Role.OFFICER, "health", "210200")
    stale = case.lock_version  # the page was loaded before the colleague acted
    actions.accept(colleague, selectors.get_case(colleague, case.number))
    response = officer.post(f"/staff/cases/{case.number}/accept/", {"lock_version": stale})
    assert response.status_code == 409
    html = response.content.decode()
    assert "不能受理" in html and 'role="alert"' in html and "已受理（审查中）" in html
    # the same in place with htmx (200 so that htmx swaps it)
    response = officer.post(f"/staff/cases/{case.number}/request-correction/",
                            {"materials": ["医师资格证书"], "reason": "不清晰", "lock_version": stale},
                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已被他人更新" in response.content.decode()
    assert fresh(case).status == "accepted" and not fresh(case).corrections.exists()


def test_officer_rejects_approves_and_denies_through_the_pages(cast, catalog, officer, health_officer):
    rejected, approved, denied = (file_case(cast.citizen) for _ in range(3))
    r = officer.post(f"/staff/cases/{rejected.number}/reject/",
                     {"reason": "不属于本部门职权", "basis": "《行政许可法》第三十二条"})
    assert r.status_code == 302 and fresh(rejected).status == "rejected"
    for c in (approved, denied):
        actions.accept(health_officer, c)
    assert officer.post(f"/staff/cases/{approved.number}/approve/", {}).status_code == 302
    assert officer.post(f"/staff/cases/{denied.number}/deny/", {"reason": "不符合执业条件"}).status_code == 302
    assert (fresh(approved).status, fresh(denied).status) == ("approved", "denied")
    page = officer.get(f"/staff/cases/{denied.number}/").content.decode()
    assert "/notices/denial.pdf" in page and 'data-action=' not in page  # decided: nothing left to do here


def test_supervisor_sees_the_case_but_no_action_forms(case, cast):
    supervisor = staff_client(cast.supervisor)
    page = supervisor.get(f"/staff/cases/{case.number}/")
    assert page.status_code == 200 and 'data-action=' not in page.content.decode()
    assert supervisor.post(f"/staff/cases/{case.number}/accept/", {}).status_code == 403


def test_tracking_page_query_count_does_not_grow_with_steps(case, cast, citizen, health_officer,
                                                            django_assert_max_num_queries):
    actions.accept(health_officer, case)
    for _ in range(3):
        actions.request_correction(health_officer, case, materials=["医师资格证书"], reason="不清晰")
        actions.submit_correction(cast.citizen, case, materials=[])
    with django_assert_max_num_queries(15):
        assert citizen.get(f"/cases/{case.number}/").status_code == 200


def test_window_staff_get_the_intake_actions_but_not_the_decisions(cast, catalog):
    from tongban.catalog.models import ServiceItem

    item = (ServiceItem.objects.filter(department_id="market", implementations__region_id="210200",
                                       current_version__isnull=False, legal_days__gt=0).order_by("code").first())
    person = item.audience == "person"
    case = file_case(cast.citizen if person else cast.agent, item=item.code,
                     **({} if person else {"on_behalf_of": cast.enterprise.uscc}))
    window = staff_client(cast.window)
    page = window.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="reject"' in page
    assert window.post(f"/staff/cases/{case.number}/accept/", {"lock_version": case.lock_version}).status_code == 302
    page = window.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-action="request-correction"' in page
    assert 'data-action="approve"' not in page and 'data-action="deny"' not in page
    assert window.post(f"/staff/cases/{case.number}/approve/", {}).status_code == 403
    assert fresh(case).status == "accepted"
