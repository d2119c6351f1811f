"""Reads of the tables the import compares with, in the shapes it needs them."""

from __future__ import annotations

from django.db import connection, models

from households.persons import DATABASE_KEPT


def fields_of(model: type[models.Model]) -> list[models.Field]:
    """The columns the import reads and writes: not the copies the database keeps (households.persons)."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in DATABASE_KEPT]


def defaults_of(model: type[models.Model]) -> dict[str, object]:
    return {f.attname: f.get_default() for f in fields_of(model)}


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def load(model: type[models.Model], where: str, params: list, attnames: list[str]) -> dict[int, dict]:
    table = model._meta.db_table
    columns = ", ".join(f'"{a}"' for a in ["id", *attnames])
    rows = fetch(f"SELECT {columns} FROM {table} WHERE {where}", params)
    return {row[0]: dict(zip(attnames, row[1:], strict=True)) for row in rows}


def load_compact(
    model: type[models.Model], where: str, params: list, attnames: list[str]
) -> dict[int, tuple]:
    """Like load, as tuples whose repeated strings (code lists) are shared: 400,000 members fit in
    a fraction of the memory that dicts of fresh strings take. Read in chunks from a server-side cursor."""
    table = model._meta.db_table
    columns = ", ".join(f'"{a}"' for a in ["id", *attnames])
    pool: dict[str, str] = {}
    result: dict[int, tuple] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", params)
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                result[row[0]] = tuple(
                    pool.setdefault(v, v) if v.__class__ is str and len(v) < 18 else v for v in row[1:]
                )
    return result
