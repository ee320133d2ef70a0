"""Reactions to other apps' signals: a licence is issued when a case is approved (the cases app
sends `case_approved` after its transaction commits and never imports this app)."""

from __future__ import annotations

import logging
from typing import Any

from tongban.core import audit

from . import actions
from .crypto import SealError

log = logging.getLogger(__name__)


def on_case_approved(sender: Any, case: Any, **kwargs: Any) -> None:
    """Issue the case's licences. The approval is already committed: a failure here must not
    turn it into an error — it is logged, and the nightly job issues what is still missing."""
    actor = None
    try:
        ctx = audit.current_context()
        if ctx.actor_id:
            from tongban.identity.models import User

            actor = User.objects.filter(pk=ctx.actor_id).first()
        actions.issue_for_case(case, actor)
    except SealError as exc:
        log.error("办件 %s 准予许可后签发证照失败：%s", case.number, exc.message)
    except Exception:
        log.exception("办件 %s 准予许可后签发证照失败", getattr(case, "number", "?"))
    _collect(case, actor)


def _collect(case: Any, actor: Any) -> None:
    """The case's confirmed uploads go to the holder's material vault (R12)."""
    from . import vault_actions

    try:
        vault_actions.collect_from_case(case, actor)
    except Exception:
        log.exception("办件 %s 的材料未能存入材料库", getattr(case, "number", "?"))
