"""Bulk writes through PostgreSQL COPY, with their history rows (痕迹管理) written the same way.

Django's bulk_create spends most of its time preparing values in Python; COPY is several times faster
(DESIGN.md, known pitfalls). Primary keys are drawn from the table's sequence first, so the caller's
objects come back with their ids, as bulk_create would leave them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys drawn from the model's sequence, for rows about to be copied in."""
    if not count:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows (values in `columns` order) into `table`."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_insert(objs: Sequence[models.Model], *, user=None, reason: str = "") -> None:
    """Insert unsaved objects of one model with COPY, and one '+' history row each if the model has history.

    Call inside transaction.atomic: the rows and their history land together or not at all.
    """
    if not objs:
        return
    model = type(objs[0])
    now = timezone.now()
    for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
    fields = [f for f in model._meta.concrete_fields]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    copy_rows(
        model._meta.db_table,
        [f.column for f in fields],
        ([getattr(obj, f.attname) for f in fields] for obj in objs),
    )
    copy_history(objs, history_type="+", user=user, reason=reason, when=now)


def copy_history(
    objs: Sequence[models.Model], *, history_type: str, user=None, reason: str = "", when=None
) -> None:
    """One history row per object ('+' created, '~' changed), as django-simple-history would write it."""
    if not objs or not hasattr(type(objs[0]), "history"):
        return
    historical = type(objs[0]).history.model
    when = when or timezone.now()
    tracked = [f for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    extra = {
        "history_date": when,
        "history_type": history_type,
        "history_change_reason": reason or None,
        "history_user_id": getattr(user, "pk", None),
    }
    fields = tracked + [historical._meta.get_field(name) for name in extra]
    copy_rows(
        historical._meta.db_table,
        [f.column for f in fields],
        ([getattr(obj, f.attname) for f in tracked] + list(extra.values()) for obj in objs),
    )
