"""Set-based writes the ORM has no call for: INSERT … SELECT, optionally as an upsert; and the
SQL the lists share to read (a name's start as a range, times as text)."""

from __future__ import annotations

import sys

from django.db import NotSupportedError, connections
from django.db.models import CharField, Func, Model, Q, QuerySet


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
        # An order the caller asked for is kept (the new rows' ids follow it, so that rows
        # written together read in a fixed order); a model's default ordering is not.
        ordered = bool(part_rows.query.order_by)
        select = (part_rows if ordered else part_rows.order_by()).annotate(**aliases)
        part_sql, part_params = select.values_list(*aliases).query.sql_with_params()
        if ordered and also:  # ORDER BY inside UNION ALL needs a subquery on SQLite
            part_sql = f"SELECT * FROM ({part_sql}) AS insert_part_{len(selects)}"
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


class Unindexed(Func):
    """A column read from the row, not from an index (`+column`): a filter on it then never
    leads the planner to walk that index in order for a page, when another filter names a few
    rows (SQLite, without statistics, would rather walk a whole tenant's trail in order than
    sort a few dozen events; PostgreSQL reads `+` the same way)."""

    template = "+%(expressions)s"
    arity = 1


class NewUid(Func):
    """A fresh uid for every row of an UPDATE or an INSERT … SELECT, made in SQL as
    `models.new_uid()` makes one in Python: eight hex digits of the time in seconds, then 64
    random bits. (On SQLite `%%` is how the ORM writes a literal `%`.)"""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"No uid expression for {connection.vendor}.")

    def as_sqlite(self, compiler, connection, **extra):
        seconds = "CAST((julianday('now') - 2440587.5) * 86400 AS INTEGER)"
        return f"(printf('%%08x', {seconds}) || lower(hex(randomblob(8))))", []

    def as_postgresql(self, compiler, connection, **extra):
        seconds = "floor(extract(epoch FROM clock_timestamp()))::bigint"
        noise = "md5(random()::text || clock_timestamp()::text)"
        return f"(lpad(to_hex({seconds}), 8, '0') || substr({noise}, 1, 16))", []


class UtcText(Func):
    """A moment as ISO 8601 text in UTC, made in SQL so that a long list or export reads text
    rather than datetimes: `YYYY-MM-DDTHH:MM:SS`, then the fraction of a second to `digits`
    places (cut, not rounded), left out on a whole second, then `Z`. With 6 digits it is
    Python's `isoformat()`; with 3, what Django's JSON encoder writes. NULL stays NULL.

    Its argument is a stored datetime column or a `Value` (or a `Greatest` or `Coalesce` of
    those): on SQLite the text is cut where Django's storage format puts each part, which SQL's
    own times (`Now()`, `strftime`) do not follow."""

    output_field = CharField()
    arity = 1

    def __init__(self, expression, *, digits: int = 6, **extra) -> None:
        if digits not in (3, 6):
            raise ValueError("a moment's fraction is written to 3 or 6 digits")
        self.digits = digits
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"No ISO 8601 text for {connection.vendor}.")

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps a moment as UTC text, 'YYYY-MM-DD HH:MM:SS', then '.ffffff' unless whole.
        sql, params = compiler.compile(self.source_expressions[0])
        text = (
            f"(substr({sql}, 1, 10) || 'T' || substr({sql}, 12, 8) || CASE WHEN length({sql}) > 19"
            f" THEN substr({sql}, 20, {1 + self.digits}) ELSE '' END || 'Z')"
        )
        return text, [*params] * 4

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        utc = f"({sql}) AT TIME ZONE 'UTC'"
        fraction = ".MS" if self.digits == 3 else ".US"
        text = (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN mod(extract(microseconds FROM {utc})::bigint, 1000000) = 0 THEN ''"
            f" ELSE to_char({utc}, '{fraction}') END || 'Z')"
        )
        return text, [*params] * 3


def starts_with(field: str, prefix: str) -> Q:
    """The rows whose `field` starts with `prefix`, as a range of its index: at or after the
    prefix and before the first text that no value starting with it reaches (LIKE 'x%' would
    read every row on SQLite, and on PostgreSQL outside the C collation)."""
    condition = Q(**{f"{field}__gte": prefix})
    if after := after_prefix(prefix):
        condition &= Q(**{f"{field}__lt": after})
    return condition


def after_prefix(prefix: str) -> str:
    """The first string that no text starting with `prefix` reaches; empty when there is none
    (a prefix of nothing but the last character Unicode has)."""
    stem = prefix.rstrip(chr(sys.maxunicode))
    if not stem:
        return ""
    following = ord(stem[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # half characters, which no text holds: past them
        following = 0xE000
    return stem[:-1] + chr(following)
