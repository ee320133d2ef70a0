"""Pages under a Wagtail view restriction (a column kept to signed-in visitors, or behind a
password): the visitor is sent to the platform's sign-in or shown the password form — never a
server error — and the page opens once the restriction is passed."""

import re

import pytest
from wagtail.models import PageViewRestriction

from tongban.disclosure.models import ColumnPage

pytestmark = pytest.mark.django_db


def _column(site):
    return ColumnPage.objects.child_of(site).get(slug="zcwj")


def test_a_login_restricted_page_sends_the_visitor_to_sign_in(site, client):
    column = _column(site)
    PageViewRestriction.objects.create(page=column, restriction_type=PageViewRestriction.LOGIN)
    r = client.get(column.url)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/?next=") and column.url in r["Location"]


def test_a_password_restricted_page_asks_for_the_password_and_opens_with_it(site, client):
    column = _column(site)
    PageViewRestriction.objects.create(page=column, restriction_type=PageViewRestriction.PASSWORD,
                                       password="gk-2026")
    r = client.get(column.url)
    assert r.status_code == 200
    html = r.content.decode()
    action = re.search(r'action="([^"]+authenticate_with_password[^"]+)"', html).group(1)
    assert 'name="password"' in html and "订阅本栏目" not in html  # the form, not the column
    wrong = client.post(action, {"password": "guess", "return_url": column.url})
    assert wrong.status_code == 200  # the form again, with its error
    right = client.post(action, {"password": "gk-2026", "return_url": column.url})
    assert right.status_code == 302 and right["Location"] == column.url
    assert client.get(column.url).status_code == 200
    assert "订阅本栏目" in client.get(column.url).content.decode()  # the column itself now
