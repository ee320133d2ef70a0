"""The only write path of the catalogue. Each action checks who acts, validates everything at
once, runs in one transaction with its audit record, and re-indexes search after commit.

Lock order, where an action takes several locks: the item row, then its implementations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.errors import Conflict, FieldError, NotFound
from tongban.identity.models import Department, Region

from . import searching
from .constants import LOCAL_FIELDS, STANDARD_ALIASES, STANDARD_ELEMENTS, DaysUnit
from .models import ItemImplementation, ItemVersion, MaterialType, ServiceItem
from .permissions import can_edit_catalog, editable_by
from .standard import References, clean_standard, diff
from .versions import apply_to_item, attach, build_version, new_material_types, standard_of

MAX_SUMMARY = 500


def _editable(model_qs, user: Any, pk: int, what: str):
    if not can_edit_catalog(user):
        raise PermissionDenied
    obj = editable_by(model_qs, user).filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"未找到{what}，或不在您的部门和区划范围内")
    return obj


def _check_publication(effective_date: Any, summary: str) -> list[tuple[str, str]]:
    errors = []
    if not isinstance(effective_date, dt.date):
        errors.append(("effective_date", "生效日期格式应为 YYYY-MM-DD"))
    elif effective_date < timezone.localdate():
        errors.append(("effective_date", "生效日期不能早于今天（变更不得溯及既往）"))
    if not (summary or "").strip():
        errors.append(("summary", "请填写变更说明"))
    elif len(summary) > MAX_SUMMARY:
        errors.append(("summary", f"变更说明不能超过{MAX_SUMMARY}个字符"))
    return errors


def _save_version(item: ServiceItem, number: int, standard: dict[str, Any], refs: References, *, actor: Any,
                  effective_date: dt.date, summary: str, changed: list[str]) -> ItemVersion:
    MaterialType.objects.bulk_create(new_material_types([standard], refs))
    version, materials, questions = build_version(
        item, number, standard, refs, effective_date=effective_date, published_at=timezone.now(),
        published_by=actor, summary=summary.strip(), changed=changed)
    version.save(force_insert=True)
    type_ids = dict(MaterialType.objects.filter(code__in={m.type_code for m in materials})
                    .values_list("code", "pk"))
    attach(version, materials, questions, type_ids)
    version.materials.model.objects.bulk_create(materials)
    version.questions.model.objects.bulk_create(questions)
    apply_to_item(item, standard, version)
    item.save()
    return version


def publish_item(actor: Any, item: ServiceItem, *, changes: dict[str, Any], effective_date: dt.date, summary: str,
                 base_version: int) -> ItemVersion:
    """Publish the next version of `item`: its standard with `changes` applied. `base_version`
    is the version the editor started from; if someone published meanwhile, the editor gets a
    409 and must redo the change on the newer version (two editors never silently overwrite
    each other)."""
    item = _editable(ServiceItem.objects.all(), actor, item.pk, "事项")
    errors = _check_publication(effective_date, summary)
    for key in changes:
        if key in LOCAL_FIELDS:
            errors.append((key, f"“{LOCAL_FIELDS[key]}”是实施清单的本地要素，请在实施清单中修改"))
        elif key not in STANDARD_ELEMENTS:
            errors.append((key, "不是事项的标准要素"))
    changes = {k: v for k, v in changes.items() if k in STANDARD_ELEMENTS}
    refs = References.load()
    try:
        with transaction.atomic():
            locked = ServiceItem.objects.select_for_update(of=("self",)).select_related("current_version").get(
                pk=item.pk)
            if locked.version != base_version:
                raise Conflict(f"事项 {locked.code} 已由他人发布为第{locked.version}版，"
                               f"您的修改基于第{base_version}版，请在最新版本上重新修改")
            before = standard_of(locked.current_version)
            try:
                after = clean_standard({**before, **changes}, refs)
            except FieldError as exc:  # report these together with the problems found above
                raise FieldError(errors=errors + exc.errors) from None
            if errors:
                raise FieldError(errors=errors)
            changed = diff(before, after)
            if not changed:
                raise FieldError("changes", "与当前版本相比没有任何变化")
            _check_promises(locked, after)
            version = _save_version(locked, locked.version + 1, after, refs, actor=actor,
                                    effective_date=effective_date, summary=summary, changed=changed)
            ItemImplementation.objects.filter(item=locked).update(
                legal_days=after["legal_days"], legal_days_unit=after["legal_days_unit"])
            audit.record("catalog.item.publish", obj=version, actor=actor,
                         data={"item": locked.code, "version": version.number, "changed": changed,
                               "effective_date": effective_date.isoformat(), "summary": version.summary})
            transaction.on_commit(lambda: searching.index_items([locked.pk]))
    except IntegrityError:  # SQLite has no row lock: the unique version number catches the race
        raise Conflict(f"事项 {item.code} 已由他人同时发布新版本，请刷新后在最新版本上重新修改") from None
    return version


def _check_promises(item: ServiceItem, standard: dict[str, Any]) -> None:
    """A new legal limit may not fall below what an implementation already promises."""
    too_long = (ItemImplementation.objects.filter(item=item, promised_days__gt=standard["legal_days"])
                .select_related("region"))
    over = [f"{i.region.name}（承诺{i.promised_days}个工作日）" for i in too_long]
    if over:
        raise FieldError("legal_days", f"新的法定时限{standard['legal_days']}短于以下实施清单的承诺时限："
                                       f"{'、'.join(over)}，请先调整其承诺时限")


def create_item(actor: Any, *, code: str, standard: dict[str, Any], effective_date: dt.date,
                summary: str = "首次发布") -> ServiceItem:
    """A new item, published as version 1 (administrators and city-level editors)."""
    if not can_edit_catalog(actor):
        raise PermissionDenied
    errors = _check_publication(effective_date, summary)
    if not code or len(code) > 40:
        errors.append(("code", "事项编码不能为空，且不超过40个字符"))
    refs = References.load()
    try:
        cleaned = clean_standard(standard, refs)
    except FieldError as exc:
        errors += exc.errors
    if errors:
        raise FieldError(errors=errors)
    with transaction.atomic():
        if ServiceItem.objects.filter(code=code).exists():
            raise Conflict(f"事项编码 {code} 已存在")
        item = ServiceItem(code=code, region_id=_city(), legal_days=cleaned["legal_days"])
        apply_to_item(item, cleaned, ItemVersion(number=0))
        item.current_version = None
        item.save()
        if not editable_by(ServiceItem.objects.filter(pk=item.pk), actor).exists():
            raise NotFound("该事项的主管部门不在您的部门和区划范围内")
        refs = References.load()
        _save_version(item, 1, cleaned, refs, actor=actor, effective_date=effective_date, summary=summary,
                      changed=list(STANDARD_ELEMENTS))
        audit.record("catalog.item.create", obj=item, actor=actor, data={"item": code})
        transaction.on_commit(lambda: searching.index_items([item.pk]))
    return item


def _city() -> str:
    return Region.objects.filter(parent__isnull=True).values_list("pk", flat=True).first()


# --- implementations -----------------------------------------------------------------------------

def _check_local(fields: dict[str, Any], *, legal_days: int, unit: str) -> dict[str, Any]:
    errors: list[tuple[str, str]] = []
    clean: dict[str, Any] = {}
    labels = {**STANDARD_ELEMENTS, **STANDARD_ALIASES}
    for key, value in fields.items():
        if key in labels:
            errors.append((key, f"“{labels[key]}”是事项的标准要素，由市级统一制定，实施清单不能修改"))
        elif key not in LOCAL_FIELDS:
            errors.append((key, "不是实施清单的要素"))
        elif key == "promised_days":
            clean[key] = _promised(errors, value, legal_days, unit)
        else:
            text = "" if value is None else str(value).strip()
            limit = ItemImplementation._meta.get_field(key).max_length
            if limit and len(text) > limit:
                errors.append((key, f"“{LOCAL_FIELDS[key]}”不能超过{limit}个字符"))
            clean[key] = text
    if errors:
        raise FieldError(errors=errors)
    return clean


def _promised(errors: list[tuple[str, str]], value: Any, legal_days: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.append(("promised_days", "承诺时限应为不小于0的整数（工作日）"))
        return 0
    if value > legal_days:
        errors.append(("promised_days", f"承诺时限{value}个工作日超过法定时限{legal_days}"
                                        f"{'个工作日' if unit == DaysUnit.WORKING else '日'}"))
    elif unit == DaysUnit.CALENDAR and value * 7 > legal_days * 5:
        # R6: a legal limit in calendar days holds about five working days a week; a promise in
        # working days must fit inside it even before holidays are counted.
        errors.append(("promised_days", f"承诺时限{value}个工作日可能超过法定时限{legal_days}日"
                                        f"（按每周5个工作日计，最多{legal_days * 5 // 7}个工作日）"))
    return value


def update_implementation(actor: Any, impl: ItemImplementation, **fields: Any) -> ItemImplementation:
    """Change local elements of an implementation. Standard elements are refused, naming the
    field; a promise above the legal limit is refused here and by the database."""
    impl = _editable(ItemImplementation.objects.select_related("item"), actor, impl.pk, "实施清单")
    if not fields:
        raise FieldError("fields", "没有要修改的内容")
    clean = _check_local(fields, legal_days=impl.legal_days, unit=impl.legal_days_unit)
    with transaction.atomic():
        locked = ItemImplementation.objects.select_for_update().get(pk=impl.pk)
        before = {k: getattr(locked, k) for k in clean}
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save(update_fields=[*clean, "updated_at"])
        audit.record("catalog.implementation.update", obj=locked, actor=actor,
                     data={"item": impl.item.code, "region": locked.region_id,
                           "before": before, "after": clean})
    return locked


def update_implementations(actor: Any, updates: list[tuple[ItemImplementation, dict[str, Any]]]) -> int:
    """Many implementations at once (the Excel import): the same rules as
    `update_implementation`, checked for all rows before any is written, then written in one
    transaction with one audit record listing every change. Problems name the row's index:
    `[3].promised_days`."""
    if not can_edit_catalog(actor):
        raise PermissionDenied
    ids = [impl.pk for impl, _ in updates]
    reachable = set(editable_by(ItemImplementation.objects.filter(pk__in=ids), actor).values_list("pk", flat=True))
    errors: list[tuple[str, str]] = []
    cleaned: dict[int, dict[str, Any]] = {}
    for n, (impl, fields) in enumerate(updates):
        if impl.pk not in reachable:
            errors.append((f"[{n}]", "不在您的部门和区划范围内"))
            continue
        try:
            cleaned[impl.pk] = _check_local(fields, legal_days=impl.legal_days, unit=impl.legal_days_unit)
        except FieldError as exc:
            errors += [(f"[{n}].{f}", m) for f, m in exc.errors]
    if errors:
        raise FieldError(errors=errors)
    changes = []
    with transaction.atomic():
        locked = list(ItemImplementation.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                      .select_related("item"))
        columns: set[str] = set()
        for impl in locked:
            new = cleaned[impl.pk]
            changes.append({"id": impl.pk, "item": impl.item.code, "region": impl.region_id,
                            "before": {k: getattr(impl, k) for k in new}, "after": new})
            for key, value in new.items():
                setattr(impl, key, value)
            columns |= set(new)
        if columns:
            ItemImplementation.objects.bulk_update(locked, [*sorted(columns), "updated_at"], batch_size=1000)
        audit.record("catalog.implementation.bulk_update", actor=actor,
                     data={"count": len(changes), "changes": changes})
    return len(changes)


def create_implementation(actor: Any, item: ServiceItem, *, department: Department, region: Region,
                          **fields: Any) -> ItemImplementation:
    """Implement `item` in `region` by `department`, within the actor's own reach."""
    if not can_edit_catalog(actor):
        raise PermissionDenied
    fields.setdefault("promised_days", item.legal_days if item.legal_days_unit == DaysUnit.WORKING
                      else item.legal_days * 5 // 7)
    clean = _check_local(fields, legal_days=item.legal_days, unit=item.legal_days_unit)
    with transaction.atomic():
        if ItemImplementation.objects.filter(item=item, region=region).exists():
            raise Conflict(f"事项 {item.code} 在{region.name}已有实施清单")
        impl = ItemImplementation.objects.create(item=item, department=department, region=region,
                                                 legal_days=item.legal_days, legal_days_unit=item.legal_days_unit,
                                                 **clean)
        if not editable_by(ItemImplementation.objects.filter(pk=impl.pk), actor).exists():
            raise NotFound("该部门或区划不在您的范围内")
        audit.record("catalog.implementation.create", obj=impl, actor=actor,
                     data={"item": item.code, "region": region.pk, "department": department.pk})
    return impl


# --- hot services (热门服务) ----------------------------------------------------------------------

_BUMP_SQL = (
    "INSERT INTO {table} (item_id, day, views, applications) {source} "
    "ON CONFLICT (item_id, day) DO UPDATE SET {column} = {table}.{column} + 1"
)


def _bump(column: str, item: ServiceItem | int | str) -> None:
    """One upsert statement (PostgreSQL and SQLite ≥ 3.24 share the syntax): today's row of
    the item gets one more view or application, created at 1 if it is the day's first.
    `item` is an item, its primary key, or its code (then found inside the same statement)."""
    from .models import ItemDailyStat

    table = connection.ops.quote_name(ItemDailyStat._meta.db_table)
    views, applications = (1, 0) if column == "views" else (0, 1)
    day = connection.ops.adapt_datefield_value(timezone.localdate())
    if isinstance(item, str):
        items = connection.ops.quote_name(ServiceItem._meta.db_table)
        # Table names are the models' own, never input. WHERE: SQLite's upsert after a SELECT needs one.
        source = f"SELECT id, %s, %s, %s FROM {items} WHERE code = %s"  # noqa: S608
        params: list[Any] = [day, views, applications, item]
    else:
        source = "VALUES (%s, %s, %s, %s)"
        params = [item.pk if isinstance(item, ServiceItem) else item, day, views, applications]
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL.format(table=table, source=source, column=column), params)


def record_view(item: ServiceItem | int | str) -> None:
    """Count one view of an item's guide (one statement per request). No audit record: the
    count carries no personal data — not who looked, only that someone did."""
    _bump("views", item)


def record_application(item_code: str) -> None:
    """Count one application for an item (the cases app calls this when a case is filed).
    No audit record, for the same reason as `record_view`; the case itself is audited."""
    _bump("applications", item_code)


# --- no-result queries (editors' dashboard) -------------------------------------------------------

def _open_miss(actor: Any, miss_id: int):
    from tongban.search.selectors import open_no_result_queries

    from .permissions import can_curate_search

    if not can_curate_search(actor):
        raise PermissionDenied
    miss = open_no_result_queries("item").filter(pk=miss_id).first()
    if miss is None:
        raise NotFound("该无结果查询不存在或已处理")
    return miss


def resolve_miss_with_synonym(actor: Any, miss_id: int, existing: str):
    """"<query> = <existing word>": the query then searches what `existing` finds. Refused
    when `existing` finds nothing itself (the synonym would not help)."""
    from tongban.search.actions import resolve_query
    from tongban.search.query import analyse

    miss = _open_miss(actor, miss_id)
    existing = (existing or "").strip()[:searching.MAX_QUERY]
    if not existing:
        raise FieldError("synonym", "请填写一个已有词")
    term = analyse(miss.query).core or miss.query  # fillers stripped: "X要办什么证" → "X"
    if analyse(existing).core in (term, miss.query):
        raise FieldError("synonym", "已有词不能与查询本身相同")
    if not searching.search(existing, limit=1, log_misses=False):
        raise FieldError("synonym", f"“{existing}”也检索不到任何事项，请换一个能检索到事项的词")
    try:
        return resolve_query(actor, miss, synonyms=[existing], term=term)
    except FieldError as exc:  # the search app names its own fields; the form has one
        raise FieldError(errors=[("synonym", message) for _, message in exc.errors]) from None


def resolve_miss_with_keyword(actor: Any, miss_id: int, item_code: str, *, effective_date: dt.date | None = None):
    """Add the query as a keyword of an item (a new version of the item, effective today) and
    close the query. The editor must be allowed to edit that item."""
    from tongban.search.actions import resolve_query
    from tongban.search.query import analyse

    miss = _open_miss(actor, miss_id)
    code = (item_code or "").strip().upper()
    if not code:
        raise FieldError("item", "请填写事项编码")
    item = ServiceItem.objects.filter(code=code, active=True).first()
    if item is None or not editable_by(ServiceItem.objects.all(), actor).filter(pk=item.pk).exists():
        raise FieldError("item", f"事项编码“{code}”不存在，或不在您的部门和区划范围内")
    keyword = (analyse(miss.query).core or miss.query)[:40]
    keywords = list(item.keywords)
    if keyword in keywords:
        raise FieldError("item", f"“{keyword}”已是事项 {code} 的关键词")
    with transaction.atomic():
        publish_item(actor, item, changes={"keywords": [*keywords, keyword]},
                     effective_date=effective_date or timezone.localdate(),
                     summary=f"新增检索关键词“{keyword}”（来自无结果查询）", base_version=item.version)
        return resolve_query(actor, miss, keyword=keyword)
