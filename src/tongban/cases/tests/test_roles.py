"""Who reaches a case by role: the department's window staff receive it (受理, 补正, 不予受理)
but do not decide; editors and hotline operators, region-wide for their own work, never read
cases (R4: personal data only where needed); supervisors do, masked."""

import pytest

from tongban.identity.constants import Role
from tongban.testing import api_client, make_staff

from .conftest import file, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def health_window(db):
    return make_staff("window-health-t", Role.WINDOW, "health", "210200")


def test_window_staff_receive_but_do_not_decide(clients, health_window):
    number = file(clients.citizen).json()["number"]
    window = api_client(health_window)
    detail = window.get(f"/api/cases/{number}")
    assert detail.status_code == 200
    assert "*" not in detail.json()["applicant"]["id_number"]  # checking identity at the counter
    assert post(window, f"/api/cases/{number}/actions/accept").status_code == 200
    refused = post(window, f"/api/cases/{number}/actions/approve")
    assert refused.status_code == 403
    assert post(clients.officer, f"/api/cases/{number}/actions/approve").status_code == 200


@pytest.mark.parametrize(("role", "username"), [(Role.EDITOR, "editor-t"), (Role.HOTLINE_OPERATOR, "hotline-t")])
def test_region_wide_roles_other_than_supervision_never_read_cases(clients, role, username):
    number = file(clients.citizen).json()["number"]
    staff = api_client(make_staff(username, role, None, "210200"))
    assert staff.get(f"/api/cases/{number}").status_code == 404
    assert number not in str(staff.get("/api/cases").json())


def test_window_staff_of_another_department_do_not_receive(clients, cast):
    number = file(clients.citizen).json()["number"]
    other = api_client(make_staff("window-market-t", Role.WINDOW, "market", "210200"))
    assert other.get(f"/api/cases/{number}").status_code == 404
    assert post(other, f"/api/cases/{number}/actions/accept").status_code == 404
