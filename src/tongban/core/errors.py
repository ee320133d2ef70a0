"""Domain errors that every interface turns into the same answer (INTERFACES.md):
`FieldError` → 422 with field and reason, `Conflict` → 409, `NotFound` → 404."""

from __future__ import annotations


class FieldError(Exception):
    """Invalid input. Carries one or more (field, message) pairs; messages are Chinese."""

    def __init__(self, field: str | None = None, message: str | None = None,
                 errors: list[tuple[str, str]] | None = None) -> None:
        self.errors = list(errors or [])
        if field is not None:
            self.errors.insert(0, (field, message or "无效"))
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))

    def as_detail(self) -> list[dict[str, str]]:
        return [{"field": f, "message": m} for f, m in self.errors]


class Conflict(Exception):
    """The state changed meanwhile, or the thing already exists."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    def __init__(self, message: str = "未找到") -> None:
        super().__init__(message)
        self.message = message


class ServiceUnavailable(Exception):
    """A dependency is down or full (storage, database timeout): nothing was written; the
    caller may retry after `retry_after` seconds (503 with Retry-After)."""

    message = "服务暂不可用，请稍后重试"
    retry_after = 30

    def __init__(self, message: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.retry_after = retry_after or self.retry_after
