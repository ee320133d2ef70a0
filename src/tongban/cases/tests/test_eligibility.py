"""Eligibility pre-check (issue 5 item 3): the item's condition rules evaluated against facts
the platform knows (age from the ID number — R1, person or enterprise, held licences through the
LicenceProvider, the region) and those the applicant adds; authoritative facts are never
overridden, unknown facts are asked, never guessed."""

import datetime as dt

import pytest
from django.utils import timezone

from tongban.cases import eligibility
from tongban.catalog import selectors as catalog
from tongban.catalog.models import ItemVersion, LicenceHolding, ServiceItem
from tongban.identity.demo import make_id_number
from tongban.testing import api_client, make_person

from .conftest import ENTERPRISE_ITEM, ITEM, post

pytestmark = pytest.mark.django_db
FOOD = "SCJG-XK-008"  # 食品经营许可（新办）: holds 营业执照, enterprise 存续, not blacklisted, area > 0


def check(client, **body):
    return post(client, "/api/cases/eligibility", {"region": "210200", **body})


def by_fact(answer):
    return {r["fact"]: r for r in answer["results"]}


def with_rules(code, rules):
    """A catalogue whose version in force carries these rules (published versions are immutable
    through the model; the test writes the row)."""
    version = catalog.version_in_force(ServiceItem.objects.get(code=code))
    ItemVersion.objects.filter(pk=version.pk).update(elements={**version.elements, "condition_rules": rules})


def test_R1_age_comes_from_the_id_number(cast, catalog):
    today = timezone.localdate()
    assert eligibility.age_on(cast.citizen.id_number, dt.date(2026, 3, 11)) == 40  # born 1985-03-12
    assert eligibility.age_on(cast.citizen.id_number, dt.date(2026, 3, 12)) == 41
    assert eligibility.age_on("110101199003070000", today) is None  # a wrong check digit: no age at all
    assert eligibility.gender_of(cast.citizen.id_number) == "男"  # sequence 021: the 17th digit is odd


def test_unknown_facts_are_asked_never_guessed(cast, catalog):
    agent = api_client(cast.agent)
    r = check(agent, item=ENTERPRISE_ITEM, on_behalf_of=cast.enterprise.uscc)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["eligible"] is None
    results = by_fact(answer)
    assert results["applicant.age"]["status"] == "met" and results["region"]["status"] == "met"
    assert results["applicant.age"]["source"].startswith("实名认证信息")
    assert results["enterprise.registered_capital"]["status"] == "unknown"
    assert answer["ask"] == [{"fact": "enterprise.registered_capital", "label": "企业注册资本", "type": "number",
                              "unit": "万元", "choices": [], "message": "注册资本不能为负数"}]
    # answered: decided
    answer = check(agent, item=ENTERPRISE_ITEM, on_behalf_of=cast.enterprise.uscc,
                   facts={"enterprise.registered_capital": 100}).json()
    assert answer["eligible"] is True and answer["ask"] == []
    assert by_fact(answer)["enterprise.registered_capital"]["source"] == "申请人填写"
    answer = check(agent, item=ENTERPRISE_ITEM, on_behalf_of=cast.enterprise.uscc,
                   facts={"enterprise.registered_capital": -5}).json()
    assert answer["eligible"] is False
    assert by_fact(answer)["enterprise.registered_capital"]["message"] == "注册资本不能为负数"


def test_given_facts_never_override_authoritative_ones(cast, catalog):
    with_rules(ITEM, [{"fact": "applicant.age", "op": "gte", "value": 18, "message": "申请人须年满十八周岁"}])
    minor = make_person("王小明", make_id_number("210202", f"{timezone.localdate().year - 10}0101", 31),
                        "13900000099")
    answer = check(api_client(minor), item=ITEM, facts={"applicant.age": 30, "no.such": 1}).json()
    assert answer["eligible"] is False
    assert by_fact(answer)["applicant.age"]["message"] == "申请人须年满十八周岁"
    ignored = {i["fact"]: i["reason"] for i in answer["ignored"]}
    assert "实名认证信息" in ignored["applicant.age"] and "no.such" in ignored
    assert check(api_client(cast.citizen), item=ITEM).json()["eligible"] is True


def test_held_licence_is_asked_of_the_licence_provider(cast, catalog):
    agent = api_client(cast.agent)
    body = {"item": FOOD, "on_behalf_of": cast.enterprise.uscc,
            "facts": {"holds:ZZ-YYZZ": True, "enterprise.blacklisted": False, "premises.area_m2": 120.5}}
    answer = check(agent, **body).json()
    held = by_fact(answer)["holds:ZZ-YYZZ"]
    assert held["status"] == "failed" and held["message"] == "须已取得营业执照" and held["source"] == "电子证照库"
    assert answer["eligible"] is False and "holds:ZZ-YYZZ" in {i["fact"] for i in answer["ignored"]}
    LicenceHolding.objects.create(licence_type_id="ZZ-YYZZ", number="YYZZ-0001", holder=cast.enterprise.uscc,
                                  holder_name=cast.enterprise.name, issuer_id="market", valid_from=dt.date(2020, 1, 1))
    answer = check(agent, **body).json()
    assert by_fact(answer)["holds:ZZ-YYZZ"]["status"] == "met"
    # the enterprise's registration status is not recorded on the platform: asked, with its choices
    assert answer["eligible"] is None
    assert [a["fact"] for a in answer["ask"]] == ["enterprise.status"]
    assert "存续" in answer["ask"][0]["choices"]
    answer = check(agent, **{**body, "facts": {**body["facts"], "enterprise.status": "存续"}}).json()
    assert answer["eligible"] is True


def test_acting_header_names_the_enterprise(cast, catalog):
    from tongban.identity.authentication import ACTING_HEADER

    header = ACTING_HEADER.removeprefix("HTTP_").replace("_", "-")
    agent = api_client(cast.agent, **{header: cast.enterprise.uscc})
    answer = check(agent, item=FOOD).json()
    assert by_fact(answer)["holds:ZZ-YYZZ"]["status"] == "failed"  # asked for the enterprise, not the person


def test_bad_input_is_422_naming_the_field(cast, catalog):
    client = api_client(cast.citizen)
    r = check(client, item="NO-SUCH-ITEM")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "item"
    r = check(client, item=FOOD, on_behalf_of=cast.enterprise.uscc)  # not an agent of it
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "on_behalf_of"
    r = check(api_client(cast.agent), item=FOOD, on_behalf_of=cast.enterprise.uscc,
              facts={"premises.area_m2": "很大", "enterprise.status": "营业中"})
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["detail"]}
    assert fields == {"facts.premises.area_m2", "facts.enterprise.status"}


def test_signed_in_callers_only(catalog):
    assert check(api_client(), item=FOOD).status_code == 401


def test_item_without_rules_is_eligible(cast, catalog):
    with_rules(ITEM, [])
    answer = check(api_client(cast.citizen), item=ITEM).json()
    assert answer["eligible"] is True and answer["results"] == [] and answer["ask"] == []
