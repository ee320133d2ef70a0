"""R18: the annual report's tables from the platform's data."""

import datetime as dt

from tongban.disclosure import annual
from tongban.disclosure.models import DisclosureRequest


def _request(cast, number, received, **fields):
    from tongban.identity.models import Department

    dept = Department.objects.get(pk="business-env")
    return DisclosureRequest.objects.create(
        number=number,
        requester=cast.citizen,
        requester_type=fields.pop("requester_type", "natural_person"),
        requester_name="x",
        content="x",
        delivery="online",
        department=dept,
        region=dept.region,
        submitted_at=dt.datetime(received.year, received.month, received.day, tzinfo=dt.UTC),
        received_on=received,
        **fields,
    )


def test_R18_annual_report_tables_from_requests(cast, clients):
    _request(cast, "A1", dt.date(2025, 3, 1), state="replied", reply_type="disclosed", replied_on=dt.date(2025, 3, 20))
    _request(
        cast,
        "A2",
        dt.date(2025, 5, 1),
        requester_type="commercial",
        state="replied",
        reply_type="not_disclosed",
        reply_reason="state_secret",
        replied_on=dt.date(2025, 5, 20),
    )
    _request(cast, "A3", dt.date(2025, 12, 20))  # carried to the next year
    _request(cast, "A0", dt.date(2024, 12, 25), state="replied", reply_type="partly", replied_on=dt.date(2025, 1, 10))
    report = annual.report(2025)
    table = report["三、收到和处理政府信息公开申请情况"]
    assert table["本年新收政府信息公开申请数量"]["total"] == 3
    assert table["本年新收政府信息公开申请数量"]["commercial"] == 1
    assert table["上年结转政府信息公开申请数量"]["total"] == 1
    assert table["本年度办理结果"]["not_disclosed"]["by_reason"] == {"state_secret": 1}
    assert table["本年度办理结果"]["partly"]["natural_person"] == 1
    assert table["结转下年度继续办理"]["total"] == 1
    assert table["总计"]["total"] == 3
    assert {
        "一、总体情况",
        "二、主动公开政府信息情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
    } <= set(report)
    r = clients.anonymous.get("/api/disclosure/annual-report?year=2025")
    assert r.status_code == 200 and len(r.json()) >= 3
    assert clients.anonymous.get("/api/disclosure/annual-report?year=1900").status_code == 422
    page = clients.anonymous.get("/disclosure/annual-report/?year=2025")
    assert page.status_code == 200 and "三、收到和处理政府信息公开申请情况" in page.content.decode()


def test_R18_annual_report_as_pdf_with_the_tables(cast, clients):
    import io

    from pdfminer.high_level import extract_text

    _request(cast, "P1", dt.date(2025, 3, 1), state="replied", reply_type="disclosed", replied_on=dt.date(2025, 3, 20))
    r = clients.anonymous.get("/disclosure/annual-report/?year=2025&format=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = extract_text(io.BytesIO(r.content))
    for heading in ("2025年政府信息公开工作年度报告", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "行政规范性文件", "本年新收政府信息公开申请数量"):
        assert heading in text.replace("\n", ""), heading
