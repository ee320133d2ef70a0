import json

import pytest


@pytest.fixture
def post():
    def _post(client, path, body=None, **headers):
        return client.post(
            path, data=json.dumps(body if body is not None else {}), content_type="application/json", headers=headers
        )

    return _post


@pytest.fixture
def officer(db):
    """An officer of the default handling department (市营商环境建设局)."""
    from tongban.identity.constants import Role
    from tongban.testing import make_staff

    return make_staff("officer-ys", Role.OFFICER, "business-env", "210200")


@pytest.fixture
def clients(cast, officer):
    from types import SimpleNamespace

    from tongban.testing import api_client

    return SimpleNamespace(
        citizen=api_client(cast.citizen),
        officer=api_client(officer),
        other_officer=api_client(cast.officer_a),
        other=api_client(cast.other_citizen),
        anonymous=api_client(),
        editor=api_client(cast.editor),
        agent=api_client(cast.agent),
        supervisor=api_client(cast.supervisor),
    )


@pytest.fixture
def site(db):
    from wagtail.models import Page

    from tongban.disclosure import page_actions

    home = Page.objects.filter(depth=2).order_by("path").first()
    return page_actions.create_site(home, title="测试公开站点", slug="gk-test", is_city=True)


@pytest.fixture
def sites(db, cast):
    """Two district sites; officer_a (staff, no page permission of their own) administers the first."""
    from wagtail.models import Page

    from tongban.disclosure import page_actions, site_admin

    home = Page.objects.filter(depth=2).order_by("path").first()
    a = page_actions.create_site(home, title="中山区政府信息公开", slug="gk-zs", organiser="中山区政府", contact="1")
    b = page_actions.create_site(home, title="西岗区政府信息公开", slug="gk-xg", organiser="西岗区政府", contact="2")
    boss = cast.officer_a  # staff, holding no page permission until appointed
    site_admin.site_group(a, "admin").user_set.add(boss)
    return a, b, boss
