"""The editors' no-result dashboard (/staff/catalog/search-misses/): who may open it, the
one-step synonym and keyword forms (htmx and plain), inline errors, audit, and the query
finding something afterwards."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.catalog import searching
from tongban.catalog.models import ServiceItem
from tongban.core.models import AuditRecord
from tongban.identity.constants import Role
from tongban.search.models import QueryLog
from tongban.testing import api_client, make_staff

pytestmark = pytest.mark.django_db

URL = "/staff/catalog/search-misses/"
HTMX = {"HX-Request": "true"}
NONSENSE = "咕噜咕噜"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> Client:
    """A browser session with the staff second factor done."""
    client = Client()
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def miss(query: str = NONSENSE) -> QueryLog:
    """A citizen searches and finds nothing: the query is logged for the editors."""
    body = api_client().get("/api/catalog/search", {"q": query}).json()
    assert body["count"] == 0, body
    return QueryLog.objects.get(kind="item", query=query)


def resolve(client, log, **data):
    return client.post(f"/staff/catalog/search-misses/{log.pk}/resolve/", data, headers=HTMX)


def codes(query):
    return [i["code"] for i in api_client().get("/api/catalog/search", {"q": query}).json()["items"]]


def test_a_search_that_finds_nothing_is_counted_once_per_query(catalog):
    miss()
    api_client().get("/api/catalog/search", {"q": NONSENSE})
    assert QueryLog.objects.get(query=NONSENSE).count == 2
    api_client().get("/api/catalog/search", {"q": NONSENSE, "theme": "食品药品"})  # a filter's miss
    assert QueryLog.objects.get(query=NONSENSE).count == 2


def test_editor_sees_open_misses_most_frequent_first(catalog, editor):
    miss("咕噜咕噜")
    miss("叽里呱啦")
    api_client().get("/api/catalog/search", {"q": "叽里呱啦"})
    page = signed_in(editor).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("叽里呱啦") < html.index("咕噜咕噜")
    assert "无结果 2 次" in html
    assert "设为同义词：“咕噜咕噜” =" in html and "加为事项关键词" in html


@pytest.mark.parametrize("who", ["citizen", "officer_a", "supervisor"])
def test_only_editors_and_admins_open_the_dashboard(catalog, cast, who):
    log = miss()
    client = signed_in(getattr(cast, who)) if who != "citizen" else Client()
    if who == "citizen":
        client.force_login(cast.citizen)
    assert client.get(URL).status_code == 403
    assert resolve(client, log, mode="synonym", synonym="餐饮").status_code == 403
    log.refresh_from_db()
    assert not log.resolved


def test_admin_opens_the_dashboard(catalog, cast):
    assert signed_in(cast.admin).get(URL).status_code == 200


def test_staff_without_second_factor_is_sent_to_totp(catalog, editor):
    client = Client()
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")


def test_synonym_in_one_step_then_the_query_finds_the_items(catalog, editor):
    log = miss()
    response = resolve(signed_in(editor), log, mode="synonym", synonym="食品经营")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已处理" in html and 'role="status"' in html
    assert "食品经营许可（新办）" in html  # the proof, shown in place
    log.refresh_from_db()
    assert log.resolved and log.resolved_by == editor
    assert "SCJG-XK-008" in codes(NONSENSE)
    assert AuditRecord.objects.filter(action="search.query.resolve", actor_id=editor.pk).exists()
    assert AuditRecord.objects.filter(action="search.synonym.add", actor_id=editor.pk).exists()
    # Resolved queries disappear from the list.
    assert NONSENSE not in signed_in(editor).get(URL).content.decode()


def test_synonym_of_a_colloquial_query_uses_its_core(catalog, editor):
    log = miss(f"{NONSENSE}要办什么证")
    assert resolve(signed_in(editor), log, mode="synonym", synonym="食品经营").status_code == 200
    assert "SCJG-XK-008" in codes(f"{NONSENSE}要办什么证")


@pytest.mark.parametrize(("word", "message"), [
    ("", "请填写一个已有词"),
    ("叽里呱啦", "也检索不到任何事项"),
    (NONSENSE, "已有词不能与查询本身相同"),
])
def test_bad_synonym_is_shown_inline_and_nothing_changes(catalog, editor, word, message):
    log = miss()
    response = resolve(signed_in(editor), log, mode="synonym", synonym=word)
    assert response.status_code == 200  # htmx swaps the card with its error
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html and f'id="miss-{log.pk}"' in html
    log.refresh_from_db()
    assert not log.resolved
    assert not AuditRecord.objects.filter(action="search.query.resolve").exists()


def test_keyword_in_one_step_publishes_a_new_version(catalog, editor):
    log = miss()
    item = ServiceItem.objects.get(code="SCJG-XK-008")
    before = item.version
    response = resolve(signed_in(editor), log, mode="keyword", item="scjg-xk-008")
    assert response.status_code == 200, response.content.decode()
    item.refresh_from_db()
    assert item.version == before + 1 and NONSENSE in item.keywords
    assert "keywords" in item.current_version.changed
    log.refresh_from_db()
    assert log.resolved and NONSENSE in log.resolution
    assert AuditRecord.objects.filter(action="catalog.item.publish", actor_id=editor.pk).exists()
    searching.index_items([item.pk])  # on_commit does this outside a test transaction
    assert codes(NONSENSE)[0] == "SCJG-XK-008"


@pytest.mark.parametrize(("code", "message"), [("", "请填写事项编码"), ("NO-SUCH-1", "不存在")])
def test_bad_item_code_is_shown_inline(catalog, editor, code, message):
    log = miss()
    html = resolve(signed_in(editor), log, mode="keyword", item=code).content.decode()
    assert message in html and f'id="item-{log.pk}-error"' in html
    log.refresh_from_db()
    assert not log.resolved


def test_district_editor_cannot_add_a_keyword_to_a_city_item(catalog):
    district_editor = make_staff("editor-zs", Role.EDITOR, None, "210202")
    log = miss()
    html = resolve(signed_in(district_editor), log, mode="keyword", item="SCJG-XK-008").content.decode()
    assert "不在您的部门和区划范围内" in html
    assert NONSENSE not in ServiceItem.objects.get(code="SCJG-XK-008").keywords


def test_without_javascript_the_form_posts_and_redirects(catalog, editor):
    log = miss()
    client = signed_in(editor)
    response = client.post(f"/staff/catalog/search-misses/{log.pk}/resolve/", {"mode": "synonym",
                                                                               "synonym": "食品经营"})
    assert response.status_code == 302 and response["Location"] == URL
    page = client.get(URL).content.decode()
    assert f"已处理“{NONSENSE}”" in page


def test_without_javascript_an_error_is_422_with_the_form(catalog, editor):
    log = miss()
    response = signed_in(editor).post(f"/staff/catalog/search-misses/{log.pk}/resolve/",
                                      {"mode": "synonym", "synonym": "叽里呱啦"})
    assert response.status_code == 422
    assert "也检索不到任何事项" in response.content.decode()


def test_an_already_resolved_query_is_reported_gone(catalog, editor):
    log = miss()
    client = signed_in(editor)
    assert resolve(client, log, mode="synonym", synonym="食品经营").status_code == 200
    html = resolve(client, log, mode="synonym", synonym="餐饮").content.decode()
    assert "已由他人处理或不存在" in html


def test_unknown_mode_is_an_inline_error(catalog, editor):
    log = miss()
    assert "请选择处理方式" in resolve(signed_in(editor), log, mode="delete").content.decode()
