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
# officers and heads import for their department; an administrator names one (a junk file: 422)
IMPORTERS = access("403", anonymous="401", officer_a=ALLOWED, officer_b=ALLOWED, officer_other_region=ALLOWED,
                   head=ALLOWED, admin=ALLOWED)
CITIZEN_A_ONLY = access("404", anonymous="401", citizen_a=ALLOWED)
SUPERVISION = access("403", anonymous="401", supervisor=ALLOWED, admin=ALLOWED)
# consent before a fetch, on the matrix's enterprise case (filed by the agent): whoever sees the case reads
# the preview and its state; only the applicant's side consents or withdraws (others who see it: 403)
CASE_READERS = access("404", anonymous="401", agent=ALLOWED, window=ALLOWED, officer_a=ALLOWED, head=ALLOWED,
                      supervisor=ALLOWED, admin=ALLOWED)
CONSENTERS = {p: "403" if seen == ALLOWED and p != "agent" else seen for p, seen in CASE_READERS.items()}

ROWS: list[Row] = [
    api("GET /api/licences", SIGNED_IN, "我的电子证照（他人 holder=：404）"),
    api("GET /api/licences/keys", PUBLIC, "印章公钥登记簿 JSON"),
    api("GET /api/licences/verify/{code}", PUBLIC, "凭核验码核验证照", path="/api/licences/verify/{licence_code}"),
    api("POST /api/licences/verify", PUBLIC, "上传证照 JSON/PDF 核验", data={"licence": {}, "seal": {}}),
    api("GET /api/licences/{licence_id}", LICENCE_READERS, "证照详情（持证人、发证部门）", path=LICENCE),
    api("GET /api/licences/{licence_id}/document", LICENCE_READERS, "签章数据 JSON", path=LICENCE + "/document"),
    api("GET /api/licences/{licence_id}.pdf", LICENCE_READERS, "证照 PDF", path=LICENCE + ".pdf"),
    api("GET /api/licences/{licence_id}/credential", LICENCE_READERS, "可验证凭证导出（eddsa-jcs-2022）",
        path=LICENCE + "/credential"),
    api("GET /api/licences/status/{department}/{purpose}/{number}", PUBLIC,
        "发证部门的证照状态列表（已签名的 Bitstring Status List）",
        path="/api/licences/status/police/revocation/1"),
    api("POST /api/licences/{licence_id}/actions/{action}",
        access("404", anonymous="401", officer_b=ALLOWED, admin=ALLOWED),
        "暂扣证照（发证部门审批人员；缺理由：422，证照不变）", path=LICENCE + "/actions/suspend",
        data={"reason": "", "basis": ""}),
    api("GET /api/me/data-uses", SIGNED_IN, "我的数据使用记录"),
    api("POST /api/licences/import", IMPORTERS, "批量导入证照（本部门审批人员、负责人）", upload="file"),
    api("GET /api/me/vault", SIGNED_IN, "我的材料库"),
    api("GET /api/me/vault/{entry_id}/file", CITIZEN_A_ONLY, "下载公民甲材料库中的文件（仅本人）",
        path="/api/me/vault/{citizen_a_vault_entry}/file"),
    api("DELETE /api/me/vault/{entry_id}", CITIZEN_A_ONLY, "删除公民甲材料库中的材料（仅本人）",
        path="/api/me/vault/{citizen_a_vault_entry}"),
    api("POST /api/me/data-uses/{use_id}/objection", CITIZEN_A_ONLY, "对公民甲的一次数据使用提出异议（仅本人）",
        path="/api/me/data-uses/{citizen_a_data_use}/objection", data={"reason": "矩阵"}),
    api("GET /api/licences/objections", SUPERVISION, "数据使用异议队列（监督人员、管理员）"),
    api("POST /api/licences/objections/{objection_id}/decide", SUPERVISION, "答复异议（缺理由：422）",
        path="/api/licences/objections/{licence_objection}/decide", data={"outcome": "upheld", "reason": ""}),
    api("POST /api/consents/preview", SIGNED_IN, "申请前的证照调取预览（缺少事项：422）", data={"item": ""}),
    api("GET /api/cases/{number}/consents", CASE_READERS, "企业办件的证照调取预览与授权状态",
        path="/api/cases/{enterprise_case}/consents"),
    api("POST /api/cases/{number}/consents", CONSENTERS, "同意调取（申请人一方；缺材料名：422）",
        path="/api/cases/{enterprise_case}/consents", data={"material": ""}),
    api("DELETE /api/cases/{number}/consents/{position}", CONSENTERS, "撤回调取同意（申请人一方；无同意：409）",
        path="/api/cases/{enterprise_case}/consents/1"),
    api("GET /api/stats/materials", STATS_READERS, "材料免提交统计（负责人、监督人员、管理员）"),
    page("verify/<str:code>", PUBLIC, "证照核验页", path="/verify/{licence_code}"),
    page("licences/", SIGNED_IN, "我的电子证照页"),
    page("licences/keys/", PUBLIC, "印章公钥登记簿页"),
    page("licences/data-uses/", SIGNED_IN, "我的数据使用记录页"),
    page("licences/data-uses/<int:use_id>/objection/", SIGNED_IN, "提出异议（页面；他人的记录只得到提示）",
         method="POST", path="/licences/data-uses/{citizen_a_data_use}/objection/", data={"reason": "矩阵"}),
    page("licences/vault/", SIGNED_IN, "我的材料库页"),
    page("licences/consents/<str:number>/", CASE_READERS, "办件的证照调取授权页",
         path="/licences/consents/{enterprise_case}/"),
    page("licences/vault/<int:entry_id>/delete/", SIGNED_IN, "删除材料库中的材料（页面；他人的只得到提示）",
         method="POST", path="/licences/vault/{citizen_a_vault_entry}/delete/"),
]
PUBLIC_ROUTES: dict[str, str] = {
    "verify/<str:code>": "anyone verifies a licence by its 128-bit code (throttled per IP, R4 masked holder)",
    "licences/keys/": "the public key register: anyone verifies seals offline",
}
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/licences/keys": "the public key register (JSON)",
    "GET /api/licences/verify/{code}": "public verification by code (throttled per IP)",
    "POST /api/licences/verify": "public verification of an uploaded licence JSON or PDF (throttled per IP)",
    "GET /api/licences/status/{department}/{purpose}/{number}":
        "public, signed revocation/suspension status lists of an issuing department's licence credentials",
}


def objects(cast: Any) -> dict[str, Any]:
    from tongban.catalog.models import LicenceType
    from tongban.identity.models import Department
    from tongban.licences.actions import issue_licence

    police = Department.objects.get(pk="police")
    licence = issue_licence(cast.officer_b, licence_type=LicenceType.objects.get(pk="ZZ-HKB"), holder_kind="person",
                            holder_id=cast.citizen.id_number, holder_name=cast.citizen.name, issuer=police,
                            region=police.region, holder_user=cast.citizen)
    return {"citizen_a_licence": licence.pk, "licence_code": licence.verification_code, **_vault_objects(cast)}


def _vault_objects(cast: Any) -> dict[str, Any]:
    """A vault entry of citizen A (with a stored file), a data use of theirs (officer B read their
    licence) and an open objection to another use, in the city."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from tongban.cases import actions as cases
    from tongban.core import audit
    from tongban.licences.models import Objection, VaultEntry

    with audit.acting(audit.context_for_user(cast.citizen)):
        case = cases.submit(cast.citizen, item="GA-XK-001", region="210200")
    material = case.materials.order_by("position").first()
    name = default_storage.save("vault/matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    entry = VaultEntry.objects.create(holder_user=cast.citizen, name=material.name, source_case=case,
                                      source_material=material, storage_name=name, content_type="application/pdf",
                                      original_name="matrix.pdf", confirmed_at=timezone.now(),
                                      valid_until=dt.date(2099, 1, 1))
    use = audit.record_read("licence", subject_id=cast.citizen.pk, reason="矩阵", actor=cast.officer_b)
    other = audit.record_read("licence", subject_id=cast.citizen.pk, reason="矩阵二", actor=cast.officer_b)
    objection = Objection.objects.create(data_use=other, subject=cast.citizen, region_id="210200", reason="矩阵",
                                         filed_at=timezone.now(), due=timezone.localdate())
    return {"citizen_a_vault_entry": entry.pk, "citizen_a_data_use": use.pk, "licence_objection": objection.pk}
