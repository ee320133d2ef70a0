"""Duplicate detection at intake (beyond peers).

Open tickets filed within a window (default 7 days, TONGBAN_HOTLINE_DUPLICATE_DAYS) with the
same subject (or the same department kind and very similar words) are candidates; a
candidate is kept only when the place is positively the same — a common street, estate or
landmark named in the words, the same numbered building or window, the same street-level
region, or coordinates within 500 m — and never another district, another numbered window
or building, or coordinates farther apart; then the texts must be similar by TF-IDF cosine
over character n-grams (the classifier's own vectoriser). Two callers who name no place are
never linked: "my heating is cold" twice is two flats, not one problem."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db.models import Q
from sklearn.metrics.pairwise import cosine_similarity

from . import classifier
from .constants import OPEN_STATUSES
from .models import Ticket
from .places import same_place

SIMILAR = 0.12  # the same subject at the same place: a paraphrase shares little wording
SAME_KIND_ONLY = 0.75  # another subject of the same department: nearly the same words
MAX_METRES = 500.0


def window_days() -> int:
    return int(getattr(settings, "TONGBAN_HOTLINE_DUPLICATE_DAYS", 7))


def _char_vectoriser():
    features = classifier.load().features
    return dict(features.transformer_list)["chars"]


def _metres(a: Ticket, b: Ticket) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    k = math.pi / 180
    x = (b.longitude - a.longitude) * k * math.cos((a.latitude + b.latitude) / 2 * k)
    y = (b.latitude - a.latitude) * k
    return 6371000 * math.hypot(x, y)


def _district(ticket: Ticket) -> str:
    parts = ticket.region.path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else ""


def candidates(ticket: Ticket, kind: str | None) -> list[Ticket]:
    since = ticket.filed_at - dt.timedelta(days=window_days())
    related = Q(subject=ticket.subject) if ticket.subject_id else Q(pk__in=[])
    if kind:
        related |= Q(subject__department_kind=kind)
    rows = (Ticket.objects.filter(related, status__in=OPEN_STATUSES, filed_at__gte=since)
            .exclude(pk=ticket.pk).select_related("region", "subject", "master").order_by("-filed_at")[:300])
    return list(rows)


def find(ticket: Ticket, kind: str | None) -> list[tuple[Ticket, float]]:
    """The open tickets `ticket` duplicates, most similar first."""
    rows = candidates(ticket, kind)
    if not rows:
        return []
    vec = _char_vectoriser()
    matrix = vec.transform([ticket.text] + [r.text for r in rows])
    sims = cosine_similarity(matrix[0], matrix[1:])[0]
    mine = _district(ticket)
    found = []
    for row, sim in zip(rows, sims, strict=True):
        theirs = _district(row)
        if mine and theirs and mine != theirs:
            continue
        metres = _metres(ticket, row)
        if metres is not None and metres > MAX_METRES:
            continue
        agree = same_place(ticket.places, row.places)
        if agree is False:
            continue
        if not agree:
            street_level = ticket.region.level in ("street", "community") and ticket.region_id == row.region_id
            if not (street_level or (metres is not None and metres <= MAX_METRES)):
                continue
        bar = SIMILAR if row.subject_id == ticket.subject_id else SAME_KIND_ONLY
        if sim >= bar:
            found.append((row, float(sim)))
    found.sort(key=lambda pair: -pair[1])
    return found
