"""Open data: datasets registered from the platform's own statistics, refreshed into immutable
versions only when the data changed, every version downloadable as CSV and JSON, DCAT-style
metadata, small counts of people suppressed (and the figures computed from them)."""

import datetime as dt
import itertools
import json

import pytest
from django.utils import timezone

from tongban.core.calendar import add_working_days
from tongban.disclosure import opendata
from tongban.disclosure.models import Dataset, DisclosureRequest, RequestEvent
from tongban.identity.models import Department

TIMELINESS = "disclosure-request-timeliness"
_seq = itertools.count(1)


def _replied(cast, received: dt.date, days: int, extended: bool = False) -> DisclosureRequest:
    """A request answered after `days` working days."""
    market = Department.objects.get(pk="market")
    replied = add_working_days(received, days)
    req = DisclosureRequest.objects.create(
        number=f"GKSQ-OD-{next(_seq):05d}",
        requester=cast.citizen,
        requester_type="natural_person",
        requester_name="张晓明",
        content="请公开",
        delivery="online",
        department=market,
        region=market.region,
        submitted_at=timezone.now(),
        received_on=received,
        state="replied",
        reply_type="disclosed",
        replied_on=replied,
        extension_days=20 if extended else 0,
    )
    now = timezone.now()
    RequestEvent.objects.create(request=req, action="submit", clock="start", on=received, at=now)
    RequestEvent.objects.create(request=req, action="reply", clock="stop", on=replied, at=now)
    return req


@pytest.fixture
def replies(cast):
    march = dt.date(2026, 3, 2)  # a Monday: replies in March and April
    for days in (3, 5, 8, 10, 30):  # five replies, one late and extended
        _replied(cast, march, days, extended=days > 20)
    for days in (4, 6):  # two replies in May: too few to publish
        _replied(cast, dt.date(2026, 5, 6), days)


def _rows(version):
    return {r["month"]: r for r in version.rows}


def test_timeliness_figures_by_month_with_small_counts_suppressed(replies):
    (version,) = [v for v in opendata.refresh() if v.dataset.identifier == TIMELINESS]
    rows = _rows(version)
    # 4 March replies (3, 5, 8, 10 wd) are fewer than 5: the count and what is computed from it are
    # hidden; a zero is no person and stays
    assert rows["2026-03"] == {
        "month": "2026-03",
        "replied": None,
        "median_days": None,
        "within_20_share": None,
        "extended": 0,
    }
    # the 30-wd, extended reply falls in April alone; May has two
    assert rows["2026-04"] == {
        "month": "2026-04",
        "replied": None,
        "median_days": None,
        "within_20_share": None,
        "extended": None,
    }
    assert rows["2026-05"]["replied"] is None and version.suppressed == 3 + 4 + 3


def test_figures_published_once_there_are_enough(cast):
    day = dt.date(2026, 3, 2)
    for days in (3, 5, 8, 10, 12, 15):  # six replies, all in March 2026
        _replied(cast, day, days, extended=days == 15)
    (version,) = [v for v in opendata.refresh() if v.dataset.identifier == TIMELINESS]
    row = _rows(version)["2026-03"]
    assert row == {"month": "2026-03", "replied": 6, "median_days": 9.0, "within_20_share": 1.0, "extended": None}
    # one extension is a count of one person: suppressed; the rest is public


def test_versions_only_when_data_changed_and_every_version_downloadable(cast, client):
    day = dt.date(2026, 3, 2)
    for days in (3, 5, 8, 10, 12):
        _replied(cast, day, days)
    opendata.refresh()
    assert opendata.refresh() == []  # nothing changed: no new version
    _replied(cast, day, 14)
    (second,) = opendata.refresh(TIMELINESS)
    assert second.number == 2
    base = f"/api/disclosure/datasets/{TIMELINESS}/versions"
    first = json.loads(client.get(f"{base}/1/json").content)
    assert first["version"] == 1 and _rows_of(first)["2026-03"]["replied"] == 5
    assert first["suppression"].startswith("涉及人数少于5")
    assert _rows_of(json.loads(client.get(f"{base}/2/json").content))["2026-03"]["replied"] == 6
    csv = client.get(f"{base}/1/csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "月份,答复件数,用时中位数（工作日）,20个工作日内答复占比,延期答复件数"
    assert "2026-03,5,8,1.0,0" in text
    assert client.get(f"{base}/3/json").status_code == 404
    assert client.get(f"{base}/1/xml").status_code == 422
    assert client.get("/api/disclosure/datasets/no-such-set").status_code == 404


def _rows_of(body):
    return {r["month"]: r for r in body["rows"]}


def test_catalogue_metadata_is_dcat_shaped_and_public(site, client):
    opendata.refresh()
    body = client.get("/api/disclosure/datasets").json()
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    by_id = {d["identifier"]: d for d in body["items"]}
    catalogue = by_id["disclosure-catalogue"]
    assert catalogue["@type"] == "dcat:Dataset" and catalogue["publisher"]["name"] == "大连市营商环境建设局"
    assert [d["format"] for d in catalogue["distribution"]] == ["CSV", "JSON"]
    detail = client.get("/api/disclosure/datasets/disclosure-catalogue").json()
    assert detail["history"][0]["version"] == 1
    rows = json.loads(client.get(catalogue["distribution"][1]["downloadURL"]).content)["rows"]
    assert {"site": site.title, "column": "政策文件", "documents": 0} in rows
    html = client.get("/disclosure/data/").content.decode()
    assert "政府信息公开目录规模" in html and "/api/disclosure/datasets/disclosure-catalogue/versions/1/csv" in html
    assert Dataset.objects.count() == 2
