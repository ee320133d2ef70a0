"""Normative documents: unified registration numbers (per-issuer pattern, given at publication,
unique and gap-free, kept by later revisions), the period of validity (at most 5 years, 2 for
暂行/试行; lapse to 失效; repeal and amendment linked both ways), and interpretations (政策解读)
linked both ways with their document."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from tongban.core.errors import Conflict, FieldError
from tongban.disclosure import numbering, page_actions
from tongban.disclosure.models import (
    ColumnPage,
    InterpretationPage,
    PolicyDocumentPage,
    RegistrationCounter,
)
from tongban.identity.models import Department


def _column(site, slug):
    return ColumnPage.objects.child_of(site).get(slug=slug)


def _normative(slug, **fields):
    issuer = Department.objects.get(pk="market")
    values = {
        "title": "关于进一步优化企业开办服务的通知",
        "slug": slug,
        "document_number": "大市监发〔2024〕3号",
        "normative": True,
        "issuer": issuer,
        "effective_on": dt.date(2026, 1, 1),
        "expires_on": dt.date(2030, 12, 31),
        "published_on": dt.date(2026, 1, 1),
        "body": "<p>企业开办一日办结。</p>",
    }
    values.update(fields)
    return PolicyDocumentPage(**values)


def test_registration_number_given_at_publication_from_the_issuers_pattern(site, cast):
    page_actions.set_registration_pattern(cast.editor, "market", "DLSCJGGF-{year}-{seq:03d}")
    column = _column(site, "zcwj")
    draft = page_actions.add_page(column, _normative("a", live=False))
    assert draft.registration_number is None  # a draft has no number yet
    first = page_actions.publish(cast.editor, draft)
    second = page_actions.add_page(column, _normative("b"))
    assert (first.registration_number, second.registration_number) == ("DLSCJGGF-2026-001", "DLSCJGGF-2026-002")
    assert first.registered_on == dt.date(2026, 1, 1)
    # a later revision (even one saved before the number was given) keeps the number
    first.body = "<p>修改后的正文</p>"
    again = page_actions.publish(cast.editor, first)
    assert again.registration_number == "DLSCJGGF-2026-001"
    old_revision = draft.revisions.order_by("created_at").first()
    old_revision.publish(skip_permission_checks=True)
    assert PolicyDocumentPage.objects.get(pk=first.pk).registration_number == "DLSCJGGF-2026-001"
    # another issuer has its own series (the default pattern), a non-normative document none
    other = page_actions.add_page(column, _normative("c", issuer=Department.objects.get(pk="business-env")))
    assert other.registration_number.endswith("GF-2026-0001") and other.registration_number.startswith("DL")
    plain = page_actions.add_page(column, _normative("d", normative=False))
    assert plain.registration_number is None
    # a copy of the page never carries the number
    copy = first.copy(update_attrs={"slug": "a-copy", "title": "副本"}, keep_live=False)
    assert copy.specific.registration_number is None
    from django.test import Client

    row = Client().get(f"/api/disclosure/documents/{first.pk}").json()
    assert row["registration_number"] == "DLSCJGGF-2026-001" and row["registered_on"] == "2026-01-01"
    found = Client().get("/api/disclosure/documents?q=DLSCJGGF-2026-001").json()
    assert [d["id"] for d in found["items"]] == [first.pk]  # searchable by its registration number


def test_a_rolled_back_publication_gives_its_number_back(site):
    column = _column(site, "zcwj")
    with pytest.raises(RuntimeError), transaction.atomic():
        page_actions.add_page(column, _normative("x"))
        raise RuntimeError("publication failed later in the transaction")
    assert page_actions.add_page(column, _normative("y")).registration_number.endswith("-0001")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("DL-{seq}", "{year}"),
        ("DL-{year}", "{seq}"),
        ("DL-{year}-{name}", "只能使用"),
        ("DL-{year}-{seq:>4}", "位数"),
        ("DL-{year-{seq}", "花括号"),
        ("DL {year}/{seq}", "字母"),
    ],
)
def test_registration_pattern_refused_when_unusable(cast, template, problem):
    with pytest.raises(FieldError) as e:
        page_actions.set_registration_pattern(cast.editor, "market", template)
    assert e.value.errors[0][0] == "template" and problem in e.value.errors[0][1]
    assert numbering.template_errors("DLSZGF-{year}-{seq:04d}") is None


def test_normative_document_needs_issuer_and_a_period_of_validity(site):
    column = _column(site, "zcwj")
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _normative("n", issuer=None, effective_on=None, expires_on=None))
    assert {f for f, _ in e.value.errors} == {"issuer", "effective_on", "expires_on"}
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _normative("n", expires_on=dt.date(2031, 1, 1)))
    assert e.value.errors == [("expires_on", "行政规范性文件有效期不超过5年，失效日期最晚为2030-12-31")]
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, _normative("n", title="大连市企业开办暂行办法", expires_on=dt.date(2028, 6, 1)))
    assert "暂行、试行的行政规范性文件有效期不超过2年" in e.value.errors[0][1] and "2027-12-31" in e.value.errors[0][1]
    draft = page_actions.add_page(column, _normative("n", expires_on=None, live=False))  # drafts may be incomplete
    assert not draft.live and draft.registration_number is None


def test_admin_publish_button_names_the_missing_period(site, cast):
    from django.http import QueryDict

    page = page_actions.add_page(_column(site, "zcwj"), _normative("f", live=False, normative=False))
    form_class = PolicyDocumentPage.get_edit_handler().get_form_class()
    data = QueryDict(mutable=True)
    data.update(
        {
            "title": page.title,
            "slug": page.slug,
            "document_number": "大市监发〔2024〕3号",
            "validity": "valid",
            "normative": "on",
            "issuer": "market",
            "effective_on": "2026-01-01",
            "body": '{"blocks": [], "entityMap": {}}',
            "action-publish": "1",
        }
    )
    form = form_class(data, instance=page, parent_page=page.get_parent(), for_user=cast.admin)
    assert not form.is_valid() and "须写明有效期" in str(form.errors["expires_on"])


def test_lapsed_documents_become_expired_and_repeal_is_dated(site, cast):
    column = _column(site, "zcwj")
    today = timezone.localdate()
    doc = page_actions.add_page(
        column,
        _normative("e", effective_on=today - dt.timedelta(days=30), expires_on=today + dt.timedelta(days=10)),
    )
    assert doc.validity == "valid"
    assert page_actions.expire_documents(today + dt.timedelta(days=11)) == 1
    doc.refresh_from_db()
    assert doc.validity == "expired" and doc.validity_changed_on == today + dt.timedelta(days=11)
    assert page_actions.expire_documents(today + dt.timedelta(days=12)) == 0
    # a document saved already past its expiry is 失效 at once, dated the day after its expiry
    old = page_actions.add_page(
        column, _normative("o", effective_on=dt.date(2016, 5, 19), expires_on=dt.date(2021, 5, 18))
    )
    assert old.validity == "expired" and old.validity_changed_on == dt.date(2021, 5, 19)


def test_amendment_links_both_ways_and_counts_in_the_annual_report(site, cast, clients):
    from tongban.disclosure import annual

    column = _column(site, "zcwj")
    year = timezone.localdate().year
    old = page_actions.add_page(column, _normative("old", published_on=dt.date(year - 1, 3, 1)))
    new = page_actions.add_page(column, _normative("new", document_number="大市监发〔2026〕9号"))
    with pytest.raises(FieldError):
        page_actions.change_validity(cast.editor, old, "amended")
    changed = page_actions.change_validity(cast.editor, old, "amended", replaced_by=new)
    assert changed.validity == "amended" and changed.replaced_by_id == new.pk
    assert changed.validity_changed_on == timezone.localdate()
    with pytest.raises(Conflict):
        page_actions.change_validity(cast.editor, changed, "amended", replaced_by=new)
    with pytest.raises(FieldError):
        page_actions.change_validity(cast.editor, new, "amended", replaced_by=new)
    detail = clients.anonymous.get(f"/api/disclosure/documents/{new.pk}").json()
    assert detail["replaces"] == [{"id": old.pk, "title": old.title, "validity": "amended"}]
    html = clients.anonymous.get(new.url).content.decode()
    assert "本文件替代" in html and old.url in html
    table = annual.proactive(year)["规章和规范性文件"]["行政规范性文件"]
    assert table["repealed"] == 1


def test_interpretation_links_both_ways_with_its_document(site, clients):
    doc = page_actions.add_page(_column(site, "zcwj"), _normative("doc"))
    column = _column(site, "zcjd")
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, InterpretationPage(title="解读", slug="j0", body="<p>要点</p>"))
    assert e.value.errors[0] == ("document", "政策解读须关联所解读的政策文件")
    with pytest.raises(FieldError) as e:
        page_actions.add_page(column, InterpretationPage(title="图解", slug="j1", document=doc, kind="chart"))
    assert e.value.errors[0][0] == "chart"
    with pytest.raises(FieldError) as e:
        page_actions.add_page(
            column, InterpretationPage(title="视频", slug="j2", document=doc, kind="video", video_url="ftp://x/v.mp4")
        )
    assert e.value.errors[0][0] == "video_url"
    text = page_actions.add_page(
        column, InterpretationPage(title="一图读懂企业开办", slug="j3", document=doc, body="<p>一日办结</p>")
    )
    video = page_actions.add_page(
        column,
        InterpretationPage(
            title="视频解读", slug="j4", document=doc, kind="video", video_url="https://video.example.cn/kb.mp4"
        ),
    )
    detail = clients.anonymous.get(f"/api/disclosure/documents/{doc.pk}").json()
    assert {i["id"] for i in detail["interpretations"]} == {text.pk, video.pk}
    assert {i["kind_label"] for i in detail["interpretations"]} == {"文字解读", "视频解读"}
    doc_html = clients.anonymous.get(doc.url).content.decode()
    assert text.url in doc_html and "政策解读" in doc_html
    html = clients.anonymous.get(text.url).content.decode()
    assert doc.url in html and doc.document_number in html
    assert "https://video.example.cn/kb.mp4" in clients.anonymous.get(video.url).content.decode()


def test_R21_interpretations_pass_the_privacy_gate(site):
    doc = page_actions.add_page(_column(site, "zcwj"), _normative("doc"))
    with pytest.raises(FieldError) as e:
        page_actions.add_page(
            _column(site, "zcjd"),
            InterpretationPage(title="解读", slug="p", document=doc, body="<p>咨询电话13912345678（张经理）</p>"),
        )
    assert e.value.errors[0][0] == "privacy_reason"


POSTGRES = connection.vendor == "postgresql"


@pytest.mark.skipif(not POSTGRES, reason="row locks and real concurrency are PostgreSQL's")
def test_registration_numbers_unique_and_gap_free_under_concurrency(live_db):
    """Eight publishers at once, one of which rolls back: seven distinct numbers 1..7."""
    issuer = Department.objects.get(pk="market")
    year = 2999  # a year no other test uses; the counter row is removed afterwards
    barrier = threading.Barrier(8)
    results: list = []

    def publish(i):
        try:
            barrier.wait()
            with transaction.atomic():
                number = numbering.next_registration_number(issuer, year)
                time.sleep(0.05)  # hold the row lock while the others queue behind it
                if i == 3:
                    raise RuntimeError("rolled back")
                results.append(number)
        except RuntimeError:
            pass
        except Exception as exc:  # surfaced in the assertion, never lost in the thread
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(isinstance(r, str) for r in results), results
        assert sorted(int(r.rsplit("-", 1)[1]) for r in results) == list(range(1, 8))
    finally:
        RegistrationCounter.objects.filter(year=year).delete()
