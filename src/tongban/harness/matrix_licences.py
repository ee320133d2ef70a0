"""Permission-matrix rows of licences (see tongban.harness.matrix).

ROWS: the routes of the app. PUBLIC_ROUTES / PUBLIC_OPERATIONS: the Django routes and API
operations anyone may call, with the reason (tests/test_routes.py). `objects(cast)` creates the
objects the rows' paths name (placeholders in braces), merged into the matrix test's objects."""

from __future__ import annotations

from typing import Any

from .access import ALLOWED, PUBLIC, SIGNED_IN, STAFF, Row, access, api, page  # noqa: F401

LICENCE = "/api/licences/{citizen_a_licence}"  # a 居民户口簿 of citizen A issued by 公安局 (city)
# the holder, staff of the issuing department in its region (officer B) and administrators
LICENCE_READERS = access("404", anonymous="401", citizen_a=ALLOWED, officer_b=ALLOWED, admin=ALLOWED)
STATS_READERS = access("403", anonymous="401", head=ALLOWED, supervisor=ALLOWED, admin=ALLOWED)

ROWS: list[Row] = [
    api("GET /api/licences", SIGNED_IN, "我的电子证照（他人 holder=：404）"),
    api("GET /api/licences/keys", PUBLIC, "印章公钥登记簿 JSON"),
    api("GET /api/licences/verify/{code}", PUBLIC, "凭核验码核验证照", path="/api/licences/verify/{licence_code}"),
    api("POST /api/licences/verify", PUBLIC, "上传证照 JSON/PDF 核验", data={"licence": {}, "seal": {}}),
    api("GET /api/licences/{licence_id}", LICENCE_READERS, "证照详情（持证人、发证部门）", path=LICENCE),
    api("GET /api/licences/{licence_id}/document", LICENCE_READERS, "签章数据 JSON", path=LICENCE + "/document"),
    api("GET /api/licences/{licence_id}.pdf", LICENCE_READERS, "证照 PDF", path=LICENCE + ".pdf"),
    api("POST /api/licences/{licence_id}/actions/{action}",
        access("404", anonymous="401", officer_b=ALLOWED, admin=ALLOWED),
        "暂扣证照（发证部门审批人员；缺理由：422，证照不变）", path=LICENCE + "/actions/suspend",
        data={"reason": "", "basis": ""}),
    api("GET /api/me/data-uses", SIGNED_IN, "我的数据使用记录"),
    api("GET /api/stats/materials", STATS_READERS, "材料免提交统计（负责人、监督人员、管理员）"),
    page("verify/<str:code>", PUBLIC, "证照核验页", path="/verify/{licence_code}"),
    page("licences/", SIGNED_IN, "我的电子证照页"),
    page("licences/keys/", PUBLIC, "印章公钥登记簿页"),
    page("licences/data-uses/", SIGNED_IN, "我的数据使用记录页"),
]
PUBLIC_ROUTES: dict[str, str] = {
    "verify/<str:code>": "anyone verifies a licence by its 128-bit code (throttled per IP, R4 masked holder)",
    "licences/keys/": "the public key register: anyone verifies seals offline",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/licences/keys": "the public key register (JSON)",
    "GET /api/licences/verify/{code}": "public verification by code (throttled per IP)",
    "POST /api/licences/verify": "public verification of an uploaded licence JSON or PDF (throttled per IP)",
}


def objects(cast: Any) -> dict[str, Any]:
    from tongban.catalog.models import LicenceType
    from tongban.identity.models import Department
    from tongban.licences.actions import issue_licence

    police = Department.objects.get(pk="police")
    licence = issue_licence(cast.officer_b, licence_type=LicenceType.objects.get(pk="ZZ-HKB"), holder_kind="person",
                            holder_id=cast.citizen.id_number, holder_name=cast.citizen.name, issuer=police,
                            region=police.region, holder_user=cast.citizen)
    return {"citizen_a_licence": licence.pk, "licence_code": licence.verification_code}
