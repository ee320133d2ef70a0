"""GET /api/calendar/add and /api/calendar/between (RULES R5): public, and every bad input is
a 422 `{"detail": [{"field", "message"}]}` naming the field — never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core.calendar import invalidate_calendar

pytestmark = pytest.mark.real_calendar  # years the library does not know are tested here

ADD, BETWEEN = "/api/calendar/add", "/api/calendar/between"


@pytest.fixture
def api(client, db):
    invalidate_calendar()  # rebuilt from this test's database
    yield client
    invalidate_calendar()


def fields_of(response) -> list[str]:
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert all(set(item) == {"field", "message"} and item["message"] for item in detail)
    return [item["field"] for item in detail]


@pytest.mark.parametrize(("start", "days", "date"), [
    ("2026-01-01", 1, "2026-01-04"),
    ("2026-02-10", 5, "2026-02-24"),
    ("2026-09-25", 3, "2026-09-30"),
    ("2025-01-24", 7, "2025-02-10"),
    ("2026-03-06", 0, "2026-03-06"),
])
def test_R5_add_answers(api, start, days, date):
    response = api.get(ADD, {"start": start, "days": days})
    assert response.status_code == 200
    assert response.json() == {"date": date}


@pytest.mark.parametrize(("start", "end", "count"), [
    ("2026-03-01", "2026-03-31", 22),
    ("2026-10-01", "2026-10-31", 18),
    ("2026-03-06", "2026-03-06", 0),
])
def test_R5_between_answers(api, start, end, count):
    response = api.get(BETWEEN, {"start": start, "end": end})
    assert response.status_code == 200
    assert response.json() == {"working_days": count}


def test_calendar_api_needs_no_login(api):
    assert api.get(ADD, {"start": "2026-01-01", "days": 1}).status_code == 200


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-02-30", "days": 1}, "start"),
    ({"start": "2026-13-01", "days": 1}, "start"),
    ({"start": "yesterday", "days": 1}, "start"),
    ({"start": "2026-01-01", "days": -1}, "days"),
    ({"start": "2026-01-01", "days": 3651}, "days"),
    ({"start": "2026-01-01", "days": "five"}, "days"),
    ({"start": "2026-01-01", "days": "1.5"}, "days"),
    ({"start": "2026-01-01", "days": "99999999999999999999999999"}, "days"),
])
def test_add_refuses_bad_input_naming_the_field(api, params, field):
    assert field in fields_of(api.get(ADD, params))


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-03-02", "end": "2026-03-01"}, "end"),
    ({"start": "2026-02-30", "end": "2026-03-01"}, "start"),
    ({"start": "2026-03-01", "end": "2026-02-29"}, "end"),
])
def test_between_refuses_bad_input_naming_the_field(api, params, field):
    assert field in fields_of(api.get(BETWEEN, params))


@pytest.mark.parametrize(("path", "params", "missing"), [
    (ADD, {"start": "2026-01-01"}, {"days"}),
    (ADD, {"days": 3}, {"start"}),
    (ADD, {}, {"start", "days"}),
    (BETWEEN, {"start": "2026-01-01"}, {"end"}),
    (BETWEEN, {}, {"start", "end"}),
])
def test_missing_parameters_are_named(api, path, params, missing):
    assert missing <= set(fields_of(api.get(path, params)))


@pytest.mark.parametrize(("path", "params"), [
    (ADD, {"start": "2026-12-30", "days": 5}),
    (ADD, {"start": "2027-03-01", "days": 1}),
    (BETWEEN, {"start": "2026-12-01", "end": "2027-01-15"}),
])
def test_R5_unknown_year_is_a_422_naming_2027(api, path, params):
    response = api.get(path, params)
    assert fields_of(response)
    assert "2027" in response.json()["detail"][0]["message"]


@pytest.mark.parametrize(("path", "params"), [
    (ADD, {"start": "9999-12-31", "days": 1}),
    (ADD, {"start": "0001-01-01", "days": 3650}),
    (ADD, {"start": "9999-12-31", "days": 0}),
    (BETWEEN, {"start": "0001-01-01", "end": "9999-12-31"}),
    (BETWEEN, {"start": "9999-12-30", "end": "9999-12-31"}),
    (ADD, {"start": "2026-01-01T00:00:00", "days": 1}),
    (ADD, {"start": "", "days": ""}),
    (ADD, {"start": ["2026-01-01", "2026-01-02"], "days": 1}),
])
def test_edge_inputs_never_give_a_500(api, path, params):
    assert api.get(path, params).status_code in (200, 422)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.one_of(st.dates().map(str), st.text(max_size=12)), days=st.one_of(st.integers(), st.text(max_size=8)))
def test_add_never_gives_a_500(api, start, days):
    assert api.get(ADD, {"start": start, "days": days}).status_code in (200, 422)
