"""Bulk import of licences (issue 6 item 1), on the licences router. No `from __future__ import
annotations`: django-ninja reads the annotations at import time."""

import functools
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, File, Form, Schema
from ninja.files import UploadedFile

from tongban.core.errors import FieldError
from tongban.core.idempotency import idempotent
from tongban.identity.constants import Role
from tongban.identity.models import Department
from tongban.identity.scoping import grants_of, is_admin

from . import actions, imports
from .api import router

IMPORT_ROLES = frozenset({Role.OFFICER, Role.HEAD})


class ProblemOut(Schema):
    row: int | None = Field(None, description="表格行号（表头为第1行）；文件本身的问题没有行号")
    field: str
    message: str


class ReportOut(Schema):
    detail: list[ProblemOut] = Field(description="行报告；未导入任何证照")


def importing_department(user: Any, wanted: str = "") -> Department:
    """The department the caller imports for: an officer's or head's own (named if several);
    an administrator names it. Anyone else: 403."""
    own = sorted({g.department_id for g in grants_of(user) if g.role in IMPORT_ROLES and g.department_id})
    if is_admin(user):
        if not wanted:
            raise FieldError("department", "请指定导入证照的部门")
        department = Department.objects.filter(pk=wanted[:40]).select_related("region").first()
        if department is None:
            raise FieldError("department", "未知的部门")
        return department
    if not own:
        raise PermissionDenied("仅部门审批人员或负责人可导入本部门的证照")
    if wanted and wanted not in own:
        raise FieldError("department", "只能导入本部门的证照")
    if not wanted and len(own) > 1:
        raise FieldError("department", "您属于多个部门，请指定 department")
    return Department.objects.select_related("region").get(pk=wanted or own[0])


def _multipart_digest(view):
    """`core.idempotency` hashes `request.body`, which Django refuses after parsing a multipart
    body: give it the uploaded file's bytes and the department instead (what the import depends on)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not hasattr(request, "_body"):
            upload = kwargs.get("file")
            content = b""
            if upload is not None:
                content = upload.read(imports.MAX_BYTES + 1)
                upload.seek(0)
            request._body = hashlib.sha256(content).hexdigest().encode() + str(kwargs.get("department", "")).encode()
        return view(request, *args, **kwargs)

    return wrapper


@router.post("/licences/import", response={200: dict[str, Any], 201: dict[str, Any], 409: ReportOut, 422: ReportOut},
             summary="批量导入证照（CSV 或 .xlsx；本部门审批人员、负责人）",
             description="multipart 字段 file；表头：type, number, holder_id, holder_name, issued_on, valid_from, "
                         "valid_until, status（或中文列名）。全部行校验通过才写入；否则 422 行报告。"
                         "本部门已签发的同类型编号数据不一致：409（行报告）；完全相同：跳过（unchanged）。"
                         "支持 Idempotency-Key。")
@_multipart_digest
@idempotent
def import_licences(request: HttpRequest, file: File[UploadedFile] = None, department: Form[str] = ""):
    target = importing_department(request.auth, department)
    if file is None:
        raise FieldError("file", "请选择要导入的 CSV 或 .xlsx 文件")
    raw = file.read(imports.MAX_BYTES + 1)
    try:
        table = imports.read_table(raw, file.name or "")
        result = actions.import_licences(request.auth, target, table)
    except imports.ImportFileError as exc:
        raise FieldError("file", str(exc)) from None
    except actions.ImportRejected as exc:
        return exc.status, {"detail": exc.report}
    return (201 if result["created"] else 200), result
