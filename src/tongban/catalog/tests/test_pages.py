"""The catalogue's portal pages (/services/…): search, browse, guide, versions and diff,
questionnaires, bundles, hot services. Pages answer from the same selectors as the API, so
these tests check what a visitor gets: status, the elements shown, the questionnaire with and
without htmx, the shareable link, the "您需要准备" checklist and the query budget."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from tongban.catalog import actions, selectors
from tongban.catalog.models import ItemDailyStat, LicenceHolding, LicenceType, ServiceItem
from tongban.catalog.views import REGION_COOKIE
from tongban.identity.models import Department, Region
from tongban.testing import api_client

from .factories import make_item, standard

pytestmark = pytest.mark.django_db

FOOD = "SCJG-XK-008"  # 食品经营许可（新办）: three scenario questions, licence-sourced materials
RESTAURANT = "YJS-001"  # 我要开饭店
OWN_PREMISES = "经营场所是否为自有房产？"


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def material_names(response) -> list[str]:
    """The questionnaire's material list, in order (each <li data-name=…>)."""
    html = response.content.decode()
    block = html[html.index('id="material-list"'):]
    block = block[:block.index("</ol>")]
    return [unescape(n) for n in re.findall(r'<li data-name="([^"]*)"', block)]


def share_link(response) -> str:
    match = re.search(r'<a id="share-link" href="([^"]+)"', response.content.decode())
    assert match, "the questionnaire shows no shareable link"
    return unescape(match.group(1))


def make_custom_item(actor, code: str, materials: list[dict], questions: list[dict] | None = None) -> ServiceItem:
    """An item with these materials and questions, implemented in the city."""
    item = actions.create_item(actor, code=code, standard={**standard(), "materials": materials,
                                                           "questions": questions or []},
                               effective_date=timezone.localdate())
    actions.create_implementation(actor, item, department=Department.objects.get(pk=item.department_id),
                                  region=Region.objects.get(pk="210200"), promised_days=5, place="测试大厅")
    return item


def question_key(code: str, text_: str) -> str:
    guide = selectors.guide(code, None)
    return next(q["key"] for q in guide["questions"] if q["text"] == text_)


# --- every page answers ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/", "/services/", "/services/search", "/services/search?q=开饭店要办什么证", "/services/search?q=spjyxk",
    "/services/suggest?q=开饭店", "/services/browse", "/services/browse?stage=birth", "/services/browse?stage=start",
    "/services/browse?theme=户籍办理", "/services/browse?department=market", "/services/browse?audience=person",
    "/services/browse?list=免提交", "/services/browse?list=跨省通办", f"/services/{FOOD}/",
    f"/services/{FOOD}/?region=210200", f"/services/{FOOD}/situation", f"/services/{FOOD}/versions/",
    f"/services/{FOOD}/versions/1/", f"/services/{FOOD}/diff", "/services/bundles/", f"/services/bundles/{RESTAURANT}/",
    f"/services/bundles/{RESTAURANT}/situation",
])
def test_each_page_answers_200_to_anyone(catalog, client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert "Traceback" not in text(response)


def test_pages_are_get_only(catalog, client):
    assert client.post(f"/services/{FOOD}/").status_code == 405
    assert client.get("/services/region").status_code == 405


# --- 404s say which -------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "says"), [
    ("/services/NOPE-XK-999/", "NOPE-XK-999"),
    (f"/services/{FOOD}/?region=999999", "999999"),
    ("/services/SCJG-XK-001/?region=210204", "沙河口区"),  # the item is not implemented there
    (f"/services/{FOOD}/versions/99/", "第99版"),
    ("/services/NOPE-XK-999/situation", "NOPE-XK-999"),
    ("/services/bundles/YJS-999/", "YJS-999"),
    ("/services/bundles/YJS-999/situation", "YJS-999"),
    (f"/services/{FOOD}/diff?a=1&b=7", "第7版"),
])
def test_unknown_item_region_version_or_bundle_is_a_404_page_saying_which(catalog, client, path, says):
    response = client.get(path)
    assert response.status_code == 404
    assert says in text(response)
    assert "未找到" in text(response) or "未实施" in text(response)


# --- the guide ----------------------------------------------------------------------------------------

def test_guide_shows_every_element_of_the_api(catalog, client):
    page = text(client.get(f"/services/{FOOD}/"))
    g = api_client().get(f"/api/catalog/items/{FOOD}").json()
    for element in [g["name"], g["code"], *g["basis"], *g["conditions"], *g["audit_criteria"], g["legal_days_text"],
                    g["promised_days_text"], g["fee"], g["place"], g["window"], g["hours"],
                    g["contacts"]["consultation"], g["contacts"]["complaint"], *g["lists"],
                    *(p["step"] for p in g["process"]), *(o["name"] for o in g["outputs"])]:
        assert element in page, element
    for m in g["materials"]:
        assert m["name"] in page and m["provision_hint"] in page and m["audit_criteria"] in page
    assert "无需提交：平台从《营业执照》电子证照调取" in page
    assert f"第{g['version']}版" in page and "2026年1月1日起施行" in page
    assert f'href="/services/{FOOD}/versions/"' in page
    forms = [m for m in g["materials"] if m.get("blank_form_url") or m.get("sample_url")]
    assert forms, "the food licence's application form has a blank form and a sample"
    for m in forms:
        for url in (m.get("blank_form_url"), m.get("sample_url")):
            assert not url or f'href="{url}"' in page
    assert "我要开饭店" in page  # the bundles the item belongs to


def test_guide_is_printable_with_a_print_button_in_a_static_script(catalog, client):
    html = client.get(f"/services/{FOOD}/").content.decode()
    assert "data-print" in html and "/static/js/catalog.js" in html and "/static/css/catalog.css" in html
    assert "onclick" not in html and "<script>" not in html  # CSP: no inline script
    from pathlib import Path

    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/catalog.js")).read_text(encoding="utf-8")
    assert "window.print()" in script
    css = Path(finders.find("css/catalog.css")).read_text(encoding="utf-8")
    assert "@media print" in css and ".site-header" in css


def test_guide_records_a_view_for_hot_services(catalog, client):
    item = ServiceItem.objects.get(code=FOOD)
    client.get(f"/services/{FOOD}/")
    client.get(f"/services/{FOOD}/")
    client.get("/services/NOPE-XK-999/")  # a 404 counts nothing
    stat = ItemDailyStat.objects.get(item=item, day=timezone.localdate())
    assert (stat.views, stat.applications) == (2, 0)


def test_remembered_region_applies_to_guides(catalog, client):
    response = client.post("/services/region", {"region": "210202", "next": f"/services/{FOOD}/"})
    assert response.status_code == 302 and response["Location"] == f"/services/{FOOD}/"
    assert client.cookies[REGION_COOKIE].value == "210202"
    page = text(client.get("/services/SCJG-XK-001/"))
    assert "办事指南 · 中山区" in page
    assert "已记住：中山区" in page


def test_remembered_region_without_the_item_falls_back_to_the_city_and_says_so(catalog, client):
    client.cookies[REGION_COOKIE] = "210204"
    response = client.get("/services/SCJG-XK-001/")
    assert response.status_code == 200
    assert "沙河口区" in text(response) and "办事指南 · 大连市" in text(response)


def test_region_choice_refuses_unknown_regions_and_foreign_redirects(catalog, client):
    client.cookies[REGION_COOKIE] = "210202"
    response = client.post("/services/region", {"region": "999999", "next": "https://evil.example/"})
    assert response["Location"] == "/services/"
    assert client.cookies[REGION_COOKIE].value == ""  # forgotten


# --- the "您需要准备" checklist (R12) ------------------------------------------------------------

def hold(user, licence_type: str, **extra) -> LicenceHolding:
    lt = LicenceType.objects.get(pk=licence_type)
    fields = {"number": f"T-{licence_type}-{user.pk}", "holder": user.id_number, "holder_name": user.name,
              "issuer_id": lt.issuer_id, "valid_from": dt.date(2020, 1, 1), **extra}
    return LicenceHolding.objects.create(licence_type=lt, **fields)


def checklist_states(response) -> dict[str, str]:
    html = response.content.decode()
    block = html[html.index('id="s-prepare"'):]
    block = block[:block.index("</ul>")]
    row = r'data-state="(\w+)"><span class="mark"[^>]*>[^<]*</span>\s*<span><strong>([^<]+)</strong>'
    return {unescape(name): state for state, name in re.findall(row, block)}


def test_R12_checklist_marks_the_licences_the_applicant_already_holds(catalog, client, cast, editor):
    materials = [{"name": "申请人居民身份证", "source": "licence:ZZ-SFZ"},
                 {"name": "居民户口簿", "source": "licence:ZZ-HKB"},
                 {"name": "结婚证", "source": "licence:ZZ-JHZ", "required": False},
                 {"name": "申请表", "source": "applicant"}]
    item = make_custom_item(editor, "TEST-QR-102", materials)
    hold(cast.citizen, "ZZ-SFZ")
    hold(cast.citizen, "ZZ-JHZ")
    hold(cast.other_citizen, "ZZ-HKB")  # someone else's licence counts for nobody else
    assert "您需要准备" not in text(client.get(f"/services/{item.code}/"))  # anonymous: no checklist

    client.force_login(cast.citizen)
    response = client.get(f"/services/{item.code}/")
    assert checklist_states(response) == {"申请人居民身份证": "held", "居民户口簿": "todo", "结婚证": "held",
                                          "申请表": "todo"}
    page = text(response)
    assert "您已持有《居民身份证》T-ZZ-SFZ" in page and "平台未查到您持有有效的《居民户口簿》电子证照" in page
    assert "您已持有 2 项" in page.replace("<strong>", "").replace("</strong>", "")

    client.force_login(cast.other_citizen)
    assert checklist_states(client.get(f"/services/{item.code}/"))["居民户口簿"] == "held"


def test_R12_an_expired_or_revoked_licence_is_not_held(catalog, client, cast, editor):
    item = make_item(editor, "TEST-QR-101")
    hold(cast.citizen, "ZZ-SFZ", valid_to=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cast.citizen)
    assert checklist_states(client.get(f"/services/{item.code}/"))["申请人居民身份证"] == "todo"
    LicenceHolding.objects.all().delete()
    hold(cast.citizen, "ZZ-SFZ", revoked=True)
    assert checklist_states(client.get(f"/services/{item.code}/"))["申请人居民身份证"] == "todo"


# --- query budget -------------------------------------------------------------------------------------

@pytest.mark.parametrize("materials", [3, 60])
def test_guide_page_needs_at_most_10_queries(catalog, client, editor, django_assert_max_num_queries, materials):
    item = make_item(editor, f"TEST-QR-{materials:03d}", materials=materials)
    cache.clear()  # a cold cache: the standard elements are read too
    with django_assert_max_num_queries(10):
        response = client.get(f"/services/{item.code}/")
    assert response.status_code == 200
    assert text(response).count("测试材料") >= materials - 1


# --- scenario questionnaire ---------------------------------------------------------------------

def test_questionnaire_works_as_a_plain_get_form_without_javascript(catalog, client):
    key = question_key(FOOD, OWN_PREMISES)
    before = client.get(f"/services/{FOOD}/situation")
    assert f'name="q_{key}"' in before.content.decode() and 'type="submit"' in before.content.decode()
    assert "经营场所租赁合同" not in material_names(before)

    after = client.get(f"/services/{FOOD}/situation", {f"q_{key}": "否，租赁或借用"})
    assert "经营场所租赁合同" in material_names(after)
    assert "经营场所不动产权证书" not in material_names(after)
    assert "<html" in after.content.decode()  # a whole page: the form was submitted without htmx


def test_questionnaire_matches_the_api_for_the_same_answers(catalog, client):
    key = question_key(FOOD, OWN_PREMISES)
    page = client.get(f"/services/{FOOD}/situation", {f"q_{key}": "是，自有房产"})
    api = api_client().post(f"/api/catalog/items/{FOOD}/materials", {"answers": {key: "是，自有房产"}},
                            content_type="application/json").json()
    assert material_names(page) == [m["name"] for m in api["materials"]]


def test_htmx_answer_returns_only_the_fragment(catalog, client):
    key = question_key(FOOD, OWN_PREMISES)
    response = client.get(f"/services/{FOOD}/situation", {f"q_{key}": "否，租赁或借用"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "经营场所租赁合同" in material_names(response)
    assert 'hx-swap-oob="true"' in html  # the screen-reader status is updated too
    assert "HX-Request" in response["Vary"]


def test_shareable_link_reproduces_the_result(catalog):
    key = question_key(FOOD, OWN_PREMISES)
    cold = question_key(FOOD, "经营项目是否包含冷食类、生食类食品制售（如凉菜、刺身、裱花蛋糕）？")
    first = Client().get(f"/services/{FOOD}/situation", {f"q_{key}": "否，租赁或借用", f"q_{cold}": "是"},
                         HTTP_HX_REQUEST="true")
    link = share_link(first)
    assert urlsplit(link).path == f"/services/{FOOD}/situation" and f"q_{key}=" in link
    again = Client().get(link)  # someone else opens the link, without htmx
    assert again.status_code == 200
    assert material_names(again) == material_names(first)
    assert {"经营场所租赁合同", "专间设置及操作流程说明"} <= set(material_names(again))
    assert 'value="否，租赁或借用" checked' in again.content.decode()


def scenario_item(editor):
    materials = [
        {"name": "申请人居民身份证", "source": "licence:ZZ-SFZ"},
        {"name": "申请书", "source": "applicant"},
        {"name": "营业场所平面图", "source": "applicant", "required": False},
        {"name": "厨房布局图", "source": "applicant", "required": False},
    ]
    questions = [
        {"key": "area", "text": "营业面积是否超过300平方米？", "options": [
            {"label": "超过300平方米", "adds_materials": ["营业场所平面图"], "removes_materials": []},
            {"label": "不超过300平方米", "adds_materials": [], "removes_materials": []}]},
        {"key": "kitchen", "text": "是否设有后厨？", "depends_on": {"area": ["超过300平方米"]}, "options": [
            {"label": "是", "adds_materials": ["厨房布局图"], "removes_materials": []},
            {"label": "否", "adds_materials": [], "removes_materials": []}]},
    ]
    return make_custom_item(editor, "TEST-XK-301", materials, questions)


def test_dependent_question_appears_once_its_precondition_is_answered(catalog, client, editor):
    item = scenario_item(editor)
    url = f"/services/{item.code}/situation"
    first = text(client.get(url))
    assert "营业面积是否超过300平方米？" in first and "是否设有后厨？" not in first

    small = client.get(url, {"q_area": "不超过300平方米"})
    assert "是否设有后厨？" not in text(small)
    assert material_names(small) == ["申请人居民身份证", "申请书"]

    large = client.get(url, {"q_area": "超过300平方米"}, HTTP_HX_REQUEST="true")
    assert "是否设有后厨？" in text(large)
    assert material_names(large) == ["申请人居民身份证", "申请书", "营业场所平面图"]

    kitchen = client.get(url + "?" + urlencode({"q_area": "超过300平方米", "q_kitchen": "是"}))
    assert material_names(kitchen) == ["申请人居民身份证", "申请书", "营业场所平面图", "厨房布局图"]
    assert "清单已按您的情形确定" in text(kitchen)


def test_unknown_question_or_label_is_an_inline_error_not_a_500(catalog, client, editor):
    item = scenario_item(editor)
    response = client.get(f"/services/{item.code}/situation", {"q_nope": "是", "q_area": "一百平方米"})
    assert response.status_code == 200
    page = text(response)
    assert 'role="alert"' in page
    assert "没有问题“nope”" in page
    assert "没有选项“一百平方米”" in page
    assert material_names(response) == ["申请人居民身份证", "申请书"]  # the rest still answered


def test_bundle_questionnaire_merges_and_updates(catalog, client):
    url = f"/services/bundles/{RESTAURANT}/situation"
    before = client.get(url)
    key = question_key(FOOD, OWN_PREMISES)
    after = client.get(url, {f"q_{key}": "否，租赁或借用"}, HTTP_HX_REQUEST="true")
    assert "经营场所租赁合同" not in material_names(before)
    assert "经营场所租赁合同" in material_names(after)
    api = api_client().post(f"/api/catalog/bundles/{RESTAURANT}/materials", {"answers": {key: "否，租赁或借用"}},
                            content_type="application/json").json()
    assert material_names(after) == [m["name"] for m in api["materials"]]
    again = client.get(share_link(after))
    assert material_names(again) == material_names(after)
    bad = client.get(url, {"q_nope": "x"})
    assert bad.status_code == 200 and "没有问题“nope”" in text(bad)


# --- bundles ----------------------------------------------------------------------------------------

def test_bundle_page_lists_each_material_once_with_the_items_needing_it(catalog, client):
    detail = selectors.bundle_detail(RESTAURANT)
    page = text(client.get(f"/services/bundles/{RESTAURANT}/"))
    assert "我要开饭店" in page and detail["lead_department"]["name"] in page
    for i in detail["items"]:
        assert i["name"] in page
    shared = next(m for m in detail["materials"] if len(m["items"]) > 1)
    assert page.count(f'<th scope="row" data-label="材料名称">{shared["name"]}<') == 1
    assert "用于：" in page
    for f in detail["form_fields"]:
        assert f["label"] in page
    assert f"/services/bundles/{RESTAURANT}/situation" in page


# --- versions and diff ------------------------------------------------------------------------------

def test_versions_list_old_version_and_diff_element_by_element(catalog, client, editor):
    item = make_item(editor, "TEST-XK-201")
    actions.publish_item(editor, item, changes={"legal_days": 8, "conditions": ["符合条件", "年满十八周岁"]},
                         effective_date=timezone.localdate(), summary="缩短时限，增加条件", base_version=1)
    versions = text(client.get(f"/services/{item.code}/versions/"))
    assert "第2版" in versions and "缩短时限，增加条件" in versions and "法定办结时限" in versions

    old = text(client.get(f"/services/{item.code}/versions/1/"))
    assert "10个工作日" in old and "这不是最新版本" in old
    assert "8个工作日" in text(client.get(f"/services/{item.code}/"))

    diff = client.get(f"/services/{item.code}/diff", {"a": 1, "b": 2})
    page = text(diff)
    assert "法定办结时限" in page and "受理条件" in page
    assert '<li class="added"><span class="visually-hidden">新增：</span>年满十八周岁</li>' in page
    assert '<li class="removed"><span class="visually-hidden">删除：</span>10</li>' in page
    assert "申请材料" not in re.findall(r"<h2[^>]*>([^<]+)</h2>", diff.content.decode())  # unchanged: not listed
    assert client.get(f"/services/{item.code}/diff", {"a": "x"}).status_code == 200  # inline error, not 500


def test_change_log_page_announces_a_publication_at_once(catalog, client, editor):
    """S1 (十): a change and its effective date are public as soon as it is published."""
    item = make_item(editor, "TEST-XK-202")
    actions.publish_item(editor, item, changes={"legal_days": 7}, effective_date=timezone.localdate(),
                         summary="时限由10个工作日压减为7个", base_version=1)
    page = text(client.get("/services/changes/"))
    first_row = page[page.index("<tbody>"):page.index("</tr>", page.index("<tbody>"))]
    assert item.code in first_row and "时限由10个工作日压减为7个" in first_row and "第2版" in first_row
    assert f"/services/{item.code}/diff?a=1" in first_row and "b=2" in first_row
    assert client.get("/services/changes/", {"page": "999"}).status_code == 200  # the last page, not an error


# --- search, suggestions, browse, home ----------------------------------------------------------------

def test_empty_search_shows_hot_services(catalog, client):
    page = text(client.get("/services/search"))
    assert "热门服务" in page
    assert selectors.hot_items()[0]["name"] in page


def test_search_shows_the_query_as_understood_and_the_bundle(catalog, client):
    response = client.get("/services/search", {"q": "开饭店要办什么证"})
    page = text(response)
    assert "按“<strong>开饭店</strong>”检索" in page and "开饭店 = 食品经营" in page
    assert "食品经营许可（新办）" in page
    assert f"/services/bundles/{RESTAURANT}/" in page


def test_search_filters_and_bad_input(catalog, client):
    person = text(client.get("/services/search", {"q": "营业执照", "audience": "enterprise"}))
    assert "营业执照" in person
    bad = client.get("/services/search", {"q": "营业执照", "audience": "alien"})
    assert bad.status_code == 200 and "服务对象应为" in text(bad)
    for q in ["' OR 1=1 --", "NEAR(", "😀", "饭" * 10000]:
        assert client.get("/services/search", {"q": q}).status_code == 200


def test_suggestions_fragment_links_items_and_bundles(catalog, client):
    html = client.get("/services/suggest", {"q": "开饭店要办什么证"}).content.decode()
    assert "<html" not in html
    assert f'href="/services/bundles/{RESTAURANT}/"' in html
    assert "/services/SCJG-XK-008/" in client.get("/services/suggest", {"q": "spjy"}).content.decode()
    assert client.get("/services/suggest", {"q": ""}).content.decode().strip() == ""


def test_browse_by_life_stage_theme_department_and_special_list(catalog, client):
    birth = text(client.get("/services/browse", {"stage": "birth"}))
    assert "人生阶段：出生" in birth
    assert ServiceItem.objects.filter(life_stage="birth").first().name in birth
    no_submission = client.get("/services/browse", {"list": "免提交"})
    assert "特色清单：免提交" in text(no_submission)
    expected = selectors.browse_items(special_list="免提交").count()
    assert f"共 {expected} 项" in text(no_submission)
    unknown = client.get("/services/browse", {"list": "不存在"})
    assert unknown.status_code == 200 and "未知特色清单" in text(unknown)


def test_browse_matches_the_api(catalog, client):
    page = text(client.get("/services/browse", {"theme": "户籍办理", "audience": "person"}))
    api = api_client().get("/api/catalog/items", {"theme": "户籍办理", "audience": "person", "page_size": 20}).json()
    assert api["items"]
    for row in api["items"]:
        assert row["name"] in page


def test_home_page_offers_search_stages_lists_hot_services_and_bundles(catalog, client):
    html = client.get("/").content.decode()
    page = text(client.get("/"))
    assert 'action="/services/search"' in html and 'hx-get="/services/suggest"' in html
    for stage in ["出生", "上学", "就业", "婚育", "置业", "退休", "身后", "开办", "经营", "变更", "注销"]:
        assert f">{stage}</a>" in page, stage
    for name in ["全程网办", "即来即办", "秒批秒办", "跨省通办", "最多跑一次", "容缺受理", "免提交"]:
        assert f">{name}</a>" in page, name
    assert "热门服务" in page and "我要开饭店" in page


# --- hot services -----------------------------------------------------------------------------------

def test_hot_items_rank_views_and_applications_of_the_last_30_days(catalog):
    a, b, c = ServiceItem.objects.order_by("-popularity")[5:8]
    for _ in range(3):
        actions.record_view(a)
    actions.record_view(b.pk)
    actions.record_application(b.code)  # an application weighs more than a view
    old = timezone.localdate() - dt.timedelta(days=30)
    ItemDailyStat.objects.create(item=c, day=old, views=1000)  # outside the 30 days
    assert ItemDailyStat.objects.get(item=b).applications == 1
    hot = selectors.hot_items(limit=8)
    assert [h["code"] for h in hot[:2]] == [b.code, a.code]
    assert len(hot) == 8 and c.code not in [h["code"] for h in hot[:2]]


def test_hot_items_fall_back_to_popularity_and_are_cached(catalog, django_assert_num_queries):
    popular = list(ServiceItem.objects.filter(active=True).order_by("-popularity", "code")[:8])
    assert [h["code"] for h in selectors.hot_items()] == [i.code for i in popular]
    actions.record_view(popular[-1])
    with django_assert_num_queries(0):
        selectors.hot_items()  # cached briefly
    cache.clear()
    assert selectors.hot_items()[0]["code"] == popular[-1].code


def test_record_application_of_an_unknown_code_records_nothing(catalog):
    actions.record_application("NOPE-XK-999")
    assert not ItemDailyStat.objects.exists()
