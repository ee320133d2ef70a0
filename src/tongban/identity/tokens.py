"""Personal API tokens: `tb_` + 40 random characters, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "tb_"


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(30)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
