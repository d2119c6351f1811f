"""Bulk writes through PostgreSQL COPY, with their history rows (痕迹管理).

Django's bulk_create spends most of its time preparing values in Python; COPY is several times faster
(DESIGN.md, known pitfalls). Primary keys are drawn from the table's sequence first, so the caller's
objects come back with their ids, as bulk_create would leave them. The history of new rows is copied
by PostgreSQL from the rows just written; a load that at least doubles a table can be made without its
secondary indexes, built again afterwards (indexes_rebuilt_after).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import attrgetter, itemgetter

from django.db import OperationalError, connection, models, transaction
from django.utils import timezone


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys drawn from the model's sequence, for rows about to be copied in."""
    if not count:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        # Usually one unbroken run (nobody else drew from the sequence meanwhile): then only its start
        # travels, not 400,000 numbers (≈ 1 s at that size). Otherwise every number drawn, in order.
        cursor.execute(
            """
            WITH drawn AS MATERIALIZED (SELECT nextval(%(seq)s::regclass) AS id FROM generate_series(1, %(n)s))
            SELECT CASE WHEN (SELECT max(id) - min(id) + 1 FROM drawn) = %(n)s
                        THEN ARRAY[(SELECT min(id) FROM drawn)]
                        ELSE (SELECT array_agg(id ORDER BY id) FROM drawn) END
            """,
            {"seq": sequence, "n": count},
        )
        ids = cursor.fetchone()[0]
    return list(range(ids[0], ids[0] + count)) if len(ids) == 1 else ids


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
    history_of_rows(model, [obj.pk for obj in objs], history_type="+", user=user, reason=reason, when=now)


def history_of_rows(
    model: type[models.Model],
    ids: Sequence[int],
    *,
    history_type: str,
    user=None,
    reason: str = "",
    when=None,
) -> None:
    """One history row per row `ids` of the model's table, copied from the table as it now stands.

    The same rows copy_history writes, without sending every value a second time: for rows just
    copied in, PostgreSQL copies them itself (at 370,000 members ≈ 2 s less than a second COPY).
    """
    if not ids or not hasattr(model, "history"):
        return
    historical = model.history.model
    tracked = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in tracked)
    first, last = min(ids), max(ids)
    # Primary keys are distinct: as many as the span between the smallest and the largest means all of it.
    where, params = (
        ("BETWEEN %s AND %s", [first, last]) if last - first + 1 == len(ids) else ("= ANY(%s)", [list(ids)])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(historical._meta.db_table)} ({names}, history_date, history_type, "
            f"history_change_reason, history_user_id) "
            f"SELECT {names}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} {where}",
            [when or timezone.now(), history_type, reason or None, getattr(user, "pk", None), *params],
        )


def copy_history(
    objs: Sequence[models.Model], *, history_type: str, user=None, reason: str = "", when=None
) -> None:
    """One history row per object ('+' created, '~' changed), as django-simple-history would write it."""
    if not objs or not hasattr(type(objs[0]), "history"):
        return
    model = type(objs[0])
    take = attrgetter(*_tracked_attnames(model))
    _copy_history(model, map(take, objs), history_type=history_type, user=user, reason=reason, when=when)


def copy_history_rows(
    model: type[models.Model],
    rows: Iterable[Mapping[str, object]],
    *,
    history_type: str,
    user=None,
    reason: str = "",
    when=None,
) -> None:
    """copy_history for rows held as dicts of attnames (the 花名册 import's), not model objects."""
    take = itemgetter(*_tracked_attnames(model))
    _copy_history(model, map(take, rows), history_type=history_type, user=user, reason=reason, when=when)


def _tracked_attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model.history.model._meta.concrete_fields if not f.name.startswith("history_")]


def _copy_history(
    model: type[models.Model], values: Iterable[tuple], *, history_type: str, user, reason: str, when
) -> None:
    historical = model.history.model
    tracked = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    extra = (
        # As text, formatted once: psycopg would format the same datetime for every row (≈ 0.9 s per 370,000).
        (when or timezone.now()).isoformat(),
        history_type,
        reason or None,
        getattr(user, "pk", None),
    )
    columns = [*tracked, "history_date", "history_type", "history_change_reason", "history_user_id"]
    copy_rows(historical._meta.db_table, columns, (row + extra for row in values))


def rows_fewer_than(table: str, count: int) -> bool:
    """Whether `table` holds fewer than `count` rows; reads at most `count` of them, whatever the size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT %s) AS t", [count]
        )
        return cursor.fetchone()[0] < count


@contextlib.contextmanager
def indexes_rebuilt_after(tables: Sequence[str], *, lock_timeout: str = "2s") -> Iterator[list[str]]:
    """Load `tables` without their secondary indexes: drop them on entry, create them again on exit.

    For a load that at least doubles a table: PostgreSQL builds an index from sorted rows several times
    faster than it maintains it row by row (bench/README.md, 花名册 import). Dropped: every index but the
    primary key — unique constraints and unique indexes included, unless a foreign key relies on them —
    and the foreign keys between the tables of the set. Created again identical (same names and
    definitions) inside the same transaction, so uniqueness and references are checked over all the
    rows once, and a failure rolls everything back like a failing COPY would.

    The tables stay locked (ACCESS EXCLUSIVE) until the transaction ends: readers wait for the load.
    Nothing is dropped, and the load keeps its indexes, where the locks cannot be had within
    `lock_timeout` (a long export reading the tables) or the transaction has deferred checks pending on
    them (ALTER TABLE refuses; run SET CONSTRAINTS ALL IMMEDIATE first). Yields the tables it rebuilds.
    Call inside transaction.atomic.
    """
    tables = list(tables)
    dropped = _drop_indexes(tables, lock_timeout) if tables else None
    if dropped is None:
        yield []
        return
    yield tables
    indexes, foreign_keys = dropped
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('maintenance_work_mem')")
        previous = cursor.fetchone()[0]
        # Sorting in memory rather than in temporary files (the server's default is 64 MB).
        cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
        for table, _index, definition, constraint, constraint_definition in indexes:
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraint_definition}"
                )
            else:
                cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [previous])


def _drop_indexes(tables: list[str], lock_timeout: str) -> tuple[list, list] | None:
    """Lock the tables and drop their indexes and mutual foreign keys; None (nothing done) if refused."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous = cursor.fetchone()[0]
        try:
            with transaction.atomic():  # a savepoint: what cannot be had costs only the speed-up
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
                cursor.execute(f"LOCK TABLE {', '.join(quote(t) for t in tables)} IN ACCESS EXCLUSIVE MODE")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
                cursor.execute(
                    """
                    SELECT r.relname, x.relname, pg_get_indexdef(i.indexrelid), c.conname,
                           pg_get_constraintdef(c.oid)
                      FROM pg_index i
                      JOIN pg_class x ON x.oid = i.indexrelid
                      JOIN pg_class r ON r.oid = i.indrelid
                      LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                     WHERE i.indrelid = ANY(%(t)s::regclass[]) AND NOT i.indisprimary
                       AND NOT EXISTS (
                           SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
                       )
                     ORDER BY r.relname, x.relname
                    """,
                    {"t": tables},
                )
                indexes = cursor.fetchall()
                cursor.execute(
                    """
                    SELECT r.relname, c.conname, pg_get_constraintdef(c.oid)
                      FROM pg_constraint c
                      JOIN pg_class r ON r.oid = c.conrelid
                     WHERE c.contype = 'f'
                       AND c.conrelid = ANY(%(t)s::regclass[]) AND c.confrelid = ANY(%(t)s::regclass[])
                     ORDER BY r.relname, c.conname
                    """,
                    {"t": tables},
                )
                foreign_keys = cursor.fetchall()
                for table, name, _ in foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                for table, index, _, constraint, _ in indexes:
                    if constraint:
                        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
                    else:
                        cursor.execute(f"DROP INDEX {quote(index)}")
        except OperationalError:  # lock not available; pending trigger events
            return None
    return indexes, foreign_keys
