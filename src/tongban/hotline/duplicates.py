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

from tongban.identity.models import Region

from . import classifier
from .constants import OPEN_STATUSES
from .models import Subject, Ticket
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


def _street_level(ticket: Ticket) -> bool:
    return ticket.region.level in (Region.Level.STREET, Region.Level.COMMUNITY)


def _named(ticket: Ticket) -> bool:
    return bool((ticket.places or {}).get("places") or (ticket.places or {}).get("numbers"))


def candidates(ticket: Ticket, kind: str | None) -> list[Ticket]:
    """Open tickets of a related subject in the window that could be at the same place: the
    query is limited by what `find` would keep anyway — the subject codes (index on subject and
    filing time), the district, and the street-level region when the words name no place and
    there are no coordinates; nothing at all when none of the three can place two calls together."""
    near = ticket.latitude is not None and ticket.longitude is not None
    named, street_level = _named(ticket), _street_level(ticket)
    if not (named or near or street_level):
        return []
    subjects = set(Subject.objects.filter(department_kind=kind).values_list("code", flat=True)) if kind else set()
    if ticket.subject_id:
        subjects.add(ticket.subject_id)
    if not subjects:
        return []
    since = ticket.filed_at - dt.timedelta(days=window_days())
    rows = Ticket.objects.filter(subject_id__in=sorted(subjects), status__in=OPEN_STATUSES, filed_at__gte=since)
    if not (named or near):
        rows = rows.filter(region_id=ticket.region_id)
    elif _district(ticket):
        prefix = "/".join(ticket.region.path.strip("/").split("/")[:2]) + "/"
        rows = rows.filter(Q(region__path__startswith=prefix) | Q(region__parent__isnull=True))
    rows = (rows.exclude(pk=ticket.pk).select_related("region")
            .only("number", "text", "places", "subject_id", "latitude", "longitude", "master_id", "filed_at",
                  "region__path", "region__level")
            .order_by("-filed_at")[:300])
    return list(rows)


def _same_place(ticket: Ticket, row: Ticket, mine: str) -> bool:
    theirs = _district(row)
    if mine and theirs and mine != theirs:
        return False
    metres = _metres(ticket, row)
    if metres is not None and metres > MAX_METRES:
        return False
    agree = same_place(ticket.places, row.places)
    if agree is False:
        return False
    if not agree:
        street_level = _street_level(ticket) and ticket.region_id == row.region_id
        return street_level or (metres is not None and metres <= MAX_METRES)
    return True


def find(ticket: Ticket, kind: str | None) -> list[tuple[Ticket, float]]:
    """The open tickets `ticket` duplicates, most similar first. The place is checked first
    (cheap), and only the texts of candidates at the same place are vectorised."""
    mine = _district(ticket)
    rows = [row for row in candidates(ticket, kind) if _same_place(ticket, row, mine)]
    if not rows:
        return []
    matrix = _char_vectoriser().transform([ticket.text] + [r.text for r in rows])
    sims = cosine_similarity(matrix[0], matrix[1:])[0]
    found = []
    for row, sim in zip(rows, sims, strict=True):
        bar = SIMILAR if row.subject_id == ticket.subject_id else SAME_KIND_ONLY
        if sim >= bar:
            found.append((row, float(sim)))
    found.sort(key=lambda pair: -pair[1])
    return found
