"""Verification of an uploaded document: the signed JSON, or a licence PDF carrying it as an
attachment. The answer names what is wrong: an unknown key id, the fields that differ from the
library's version, a signature that does not hold; a genuine older version is "superseded"."""

from __future__ import annotations

import io
import json
from typing import Any

from . import credentials, seals
from .models import Licence

ATTACHMENT = "licence.json"
MAX_BYTES = 5 * 1024 * 1024


class UploadError(ValueError):
    pass


def document_from_bytes(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BYTES:
        raise UploadError("文件过大（不超过 5 MB）")
    if raw.lstrip()[:5] == b"%PDF-":
        return _from_pdf(raw)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UploadError("文件既不是证照 JSON，也不是证照 PDF") from None
    if not isinstance(doc, dict):
        raise UploadError("证照 JSON 应为一个对象")
    return doc


def _from_pdf(raw: bytes) -> dict[str, Any]:
    from pypdf import PdfReader

    try:
        attachments = PdfReader(io.BytesIO(raw)).attachments
    except Exception:  # pypdf raises many kinds on a damaged file
        raise UploadError("PDF 文件已损坏，无法读取") from None
    content = attachments.get(ATTACHMENT)
    if not content:
        raise UploadError(f"PDF 中没有附带的签章数据（{ATTACHMENT}）")
    return document_from_bytes(content[0])


def _differences(stored: Any, given: Any, prefix: str = "") -> list[str]:
    if isinstance(stored, dict) and isinstance(given, dict):
        out = []
        for key in sorted(set(stored) | set(given), key=str):
            out += _differences(stored.get(key, _MISSING), given.get(key, _MISSING), f"{prefix}{key}.")
        return out
    return [] if stored == given else [prefix.rstrip(".")]


_MISSING = object()


def verify_document(doc: dict[str, Any]) -> dict[str, Any]:
    if credentials.is_credential(doc):
        return _verify_credential(doc)
    check = seals.check(doc)
    base = {"valid": False, "signature_valid": check.valid, "signature": check.as_dict(), "differing_fields": [],
            "version": None, "versions": None, "status": None}
    if check.result in ("malformed", "unknown_key"):
        return {**base, "result": check.result, "reason": check.reason}
    data = doc["licence"]
    code = data.get("verification_code") if isinstance(data.get("verification_code"), str) else ""
    licence = Licence.objects.filter(verification_code=code).first() if code else None
    if licence is None:
        return {**base, "result": "unknown_licence", "reason": "证照库中没有核验码与此文件相符的证照"}
    number = data.get("version")
    stored = licence.versions.filter(number=number).first() if isinstance(number, int) else None
    if stored is None:
        return {**base, "result": "altered", "differing_fields": ["version"],
                "reason": f"证照库中没有第 {number} 版：以下字段与证照库不符：version"}
    diff = [f"licence.{f}" for f in _differences(stored.data, data)]
    diff += [f"seal.{f}" for f in _differences(stored.seal, doc.get("seal"))]
    if stored.signature != doc.get("signature"):
        diff.append("signature")
    base.update(version=stored.number, versions=licence.current_version, status=licence.effective_status())
    if diff:
        return {**base, "result": "altered", "differing_fields": diff,
                "reason": "文件被改动，以下字段与证照库不符：" + "、".join(diff)}
    if not check.valid:
        return {**base, "result": check.result, "reason": check.reason}
    if stored.number < licence.current_version:
        return {**base, "valid": True, "result": "superseded",
                "reason": f"文件真实，但已被更新：第 {stored.number} 版（共 {licence.current_version} 版），"
                          "请以最新版本为准"}
    return {**base, "valid": True, "result": "valid", "reason": "文件真实，为最新版本"}


def _verify_credential(doc: dict[str, Any]) -> dict[str, Any]:
    """A Verifiable Credential export: its eddsa-jcs-2022 proof, then the sealed licence it
    carries, checked as an uploaded licence JSON. Valid only if both hold."""
    proof = credentials.check_proof(doc)
    answer = verify_document(credentials.sealed_of(doc))
    answer["credential"] = proof.as_dict()
    if not proof.valid and answer["result"] in ("valid", "superseded"):
        answer.update(valid=False, result=proof.result, reason=proof.reason)
    elif not proof.valid:
        answer["reason"] = f"{proof.reason}；{answer['reason']}"
        answer["valid"] = False
    return answer
