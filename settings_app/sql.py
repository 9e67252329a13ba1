"""Set-based writes the ORM has no call for: INSERT … SELECT, optionally as an upsert."""

from __future__ import annotations

from django.db import connections
from django.db.models import Model, QuerySet


def insert_select(
    model: type[Model],
    rows: QuerySet,
    on_conflict: str = "",
    returning: tuple[str, ...] = (),
    also: tuple[tuple[QuerySet, dict], ...] = (),
    **columns,
):
    """INSERT INTO <model> (<columns>) SELECT <expressions> FROM <rows>: one statement however
    many rows. `columns` maps field names to expressions evaluated on each row of `rows`
    (aggregates when `rows` is grouped); `also` adds more (rows, columns) with the same column
    names, joined with UNION ALL, still one statement. With `on_conflict` (a unique column),
    rows that exist are updated instead (SQLite and PostgreSQL share the syntax; SQLite wants
    the SELECT to have a WHERE clause there, which the callers' filters give it). Returns the
    row count, or with `returning` the written rows' values of those fields, as dicts."""
    selects, params = [], []
    for part_rows, part_columns in ((rows, columns), *also):
        if list(part_columns) != list(columns):
            raise ValueError("every part of an INSERT … SELECT names the same columns in order")
        aliases = {f"insert_{name}": expression for name, expression in part_columns.items()}
        select = part_rows.order_by().annotate(**aliases).values_list(*aliases)
        part_sql, part_params = select.query.sql_with_params()
        selects.append(part_sql)
        params.extend(part_params)
    sql = " UNION ALL ".join(selects)
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(name).column) for name in columns]
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) {sql}"
    if on_conflict:
        key = quote(model._meta.get_field(on_conflict).column)
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != key)
        statement += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    if returning:
        statement += " RETURNING " + ", ".join(
            quote(model._meta.get_field(name).column) for name in returning
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        if returning:
            return [dict(zip(returning, row, strict=True)) for row in cursor.fetchall()]
        return cursor.rowcount


def where_mentions(queryset: QuerySet, columns: list[str]) -> bool:
    """Whether the queryset's filter may read any of these columns (by name, in any table: a
    false yes only costs the caller a query, a false no would cost it correctness)."""
    connection = connections[queryset.db]
    sql, _params = queryset.order_by().values("pk").query.sql_with_params()
    conditions = sql.partition(" FROM ")[2]  # its joins and its WHERE clause
    return any(connection.ops.quote_name(column) in conditions for column in columns)
