"""Uploaded files: judged by their content, never by their name, then stored once.

Every upload of the platform (case materials, hotline attachments, licence imports) goes
through `store()`:

1. size: empty or above `TONGBAN_UPLOAD_MAX_BYTES` (default 20 MB) is refused;
2. type from content (`filetype` magic numbers), one of the kinds the caller allows — PDF,
   JPG, PNG, OFD (a zip whose root holds `OFD.xml`); the name's extension is ignored and the
   stored name takes the extension of what the file really is;
3. the content is checked for what that kind can hide: a zip bomb or an encrypted or
   escaping entry in an OFD, XML entities in `OFD.xml` (XXE), a decompression-bomb image, a
   PDF carrying JavaScript or that is also something else (a polyglot);
4. the virus-scan hook (`TONGBAN_VIRUS_SCANNER`: no-op by default, clamd when configured);
5. SHA-256 of the content, then Django's default storage (local disk, or S3-compatible when
   configured) under a random name; a failed write (disk full) leaves no partial file.

A refusal is a `FieldError` naming the field and the reason in Chinese (422); a storage
failure is `StorageUnavailable` (503). The caller keeps the returned `StoredFile`'s fields in
its own model."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import IO, Protocol

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.module_loading import import_string

from .errors import FieldError, ServiceUnavailable

KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "jpg": ("image/jpeg", "JPG 图片"),
    "png": ("image/png", "PNG 图片"),
    "ofd": ("application/ofd", "OFD 版式文件"),
}
DEFAULT_KINDS = ("pdf", "jpg", "png", "ofd")

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
IMAGE_MAX_PIXELS = 80_000_000


class StorageUnavailable(ServiceUnavailable):
    """The file was acceptable but could not be written (disk full, storage down)."""

    message = "文件存储暂不可用，文件未保存，请稍后重试"


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage name
    kind: str  # pdf | jpg | png | ofd
    content_type: str
    size: int
    sha256: str
    original_name: str  # for display only, sanitised


class VirusScanner(Protocol):
    def scan(self, data: bytes) -> str | None:
        """The name of what was found, or None when clean."""
        ...


class NoScanner:
    def scan(self, data: bytes) -> str | None:
        return None


class ClamdScanner:
    """clamd's INSTREAM protocol over TCP (`TONGBAN_CLAMD` = host:port)."""

    def __init__(self, address: str | None = None) -> None:
        host, _, port = (address or settings.TONGBAN_CLAMD).rpartition(":")
        self.address = (host or "127.0.0.1", int(port))

    def scan(self, data: bytes) -> str | None:
        import socket

        with socket.create_connection(self.address, timeout=30) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 1 << 16):
                chunk = data[start:start + (1 << 16)]
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = sock.recv(4096).decode(errors="replace").strip("\0\n ")
        if reply.endswith("OK"):
            return None
        if reply.endswith("FOUND"):
            return reply.removeprefix("stream:").removesuffix("FOUND").strip()
        raise StorageUnavailable(f"病毒扫描服务异常：{reply[:100]}")


@cache
def _scanner(path: str) -> VirusScanner:
    return import_string(path)()


def scanner() -> VirusScanner:
    return _scanner(getattr(settings, "TONGBAN_VIRUS_SCANNER", "tongban.core.uploads.NoScanner"))


def max_bytes() -> int:
    return int(getattr(settings, "TONGBAN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def safe_display_name(name: str | None) -> str:
    """The name as the applicant called the file, without directories, control, bidi or
    zero-width characters; never used as a path."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = _UNSAFE.sub("", base).strip(". ")
    return base[:120] or "未命名文件"


def _read(file: IO[bytes] | bytes, field: str) -> bytes:
    limit = max_bytes()
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            raise FieldError(field, f"文件大小超过上限 {limit // (1024 * 1024)} MB")
        data = file.read(limit + 1)
    if not data:
        raise FieldError(field, "文件为空")
    if len(data) > limit:
        raise FieldError(field, f"文件大小超过上限 {limit // (1024 * 1024)} MB")
    return data


def _check_ofd(data: bytes, field: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FieldError(field, "OFD 文件已损坏，无法读取") from None
    if len(infos) > ZIP_MAX_ENTRIES:
        raise FieldError(field, "OFD 文件包含的条目过多")
    total = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise FieldError(field, "OFD 文件不得加密")
        if name.startswith("/") or ".." in PurePosixPath(name).parts or "\\" in name:
            raise FieldError(field, "OFD 文件含有非法路径")
        total += info.file_size
        if total > ZIP_MAX_TOTAL or (info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO):
            raise FieldError(field, "OFD 文件解压后过大（疑似压缩炸弹）")
    if "OFD.xml" not in {i.filename for i in infos}:
        raise FieldError(field, "不是有效的 OFD 文件（缺少 OFD.xml）")
    head = archive.read("OFD.xml")[:65536].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise FieldError(field, "OFD 文件含有不允许的 XML 实体声明")


def _check_image(data: bytes, field: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise FieldError(field, "图片像素过大")
            image.verify()
    except FieldError:
        raise
    except Exception:  # Pillow raises many kinds for a broken image
        raise FieldError(field, "图片已损坏，无法读取") from None


def _check_pdf(data: bytes, field: str) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise FieldError(field, "PDF 文件不完整或已损坏")
    if re.search(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b", data):
        raise FieldError(field, "PDF 文件含有脚本、启动动作或嵌入文件，不予接收")
    if b"PK\x03\x04" in data[:1024] or b"<html" in data[:1024].lower() or b"<script" in data[:4096].lower():
        raise FieldError(field, "文件同时是多种格式（疑似伪装文件），不予接收")


def detect(data: bytes, field: str = "file", allowed: tuple[str, ...] = DEFAULT_KINDS) -> str:
    """The file's kind from its content, checked; a FieldError naming the field otherwise."""
    guess = filetype.guess(data)
    extension = guess.extension if guess else ""
    kind = {"jpg": "jpg", "png": "png", "pdf": "pdf", "zip": "ofd"}.get(extension, "")
    if kind == "ofd" and b"OFD.xml" not in data:
        kind = ""
    allowed_names = "、".join(KINDS[k][1] for k in allowed)
    if not kind or kind not in allowed:
        found = f"（实际为 {guess.mime}）" if guess else ""
        raise FieldError(field, f"只接收 {allowed_names}{found}")
    {"ofd": _check_ofd, "pdf": _check_pdf, "jpg": _check_image, "png": _check_image}[kind](data, field)
    return kind


def store(file: IO[bytes] | bytes, *, name: str | None = None, field: str = "file", prefix: str = "uploads",
          allowed: tuple[str, ...] = DEFAULT_KINDS) -> StoredFile:
    data = _read(file, field)
    kind = detect(data, field, allowed)
    found = scanner().scan(data)
    if found:
        raise FieldError(field, f"文件未通过病毒扫描（{found[:60]}），未保存")
    digest = hashlib.sha256(data).hexdigest()
    today = timezone.localdate()
    storage_name = f"{prefix}/{today:%Y/%m}/{uuid.uuid4().hex}.{kind}"
    try:
        saved = default_storage.save(storage_name, ContentFile(data))
    except OSError as exc:
        with contextlib.suppress(OSError):  # a short write must not leave half a file behind
            default_storage.delete(storage_name)
        raise StorageUnavailable() from exc
    original = name if name is not None else getattr(file, "name", "")
    return StoredFile(name=saved, kind=kind, content_type=KINDS[kind][0], size=len(data), sha256=digest,
                      original_name=safe_display_name(original))
