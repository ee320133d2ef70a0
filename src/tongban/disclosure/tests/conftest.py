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

