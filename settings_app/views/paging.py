"""Pages of a long list at a cost that does not grow with it: each page is found from the edge
of the page next to it (keyset paging), the last page from the end, and the list is counted
only as far as it is cheap to count.

A page's address keeps its number for people ("Showing 51–100 of 12,345") and, for the
machine, the sort key of the row it follows or precedes. A number alone still works (a link
typed by hand), by skipping rows: correct, only slower deep into a long list.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db.models import CharField, DateTimeField, F, Field, IntegerField, Model, Q, QuerySet
from django.http import QueryDict

LAST_ROW = 2**62  # no list is longer; an OFFSET beyond 64 bits is an error in SQL
COUNT_CAP = 10_000  # counted exactly up to here; beyond, "more than 10,000"
# The longest key a sort needs: two names of 100 characters, each written as JSON escapes of
# up to 12 bytes, and an id, in base64. Anything longer is not a key and is never decoded.
KEY_MAX = 4096


def address_text(query: QueryDict, name: str, limit: int) -> str:
    """What was typed into a list's search field, from its address: without control characters
    (no name or reason holds one, and PostgreSQL refuses a NUL in any text), trimmed, and cut
    to `limit`."""
    typed = query.get(name, "")
    return "".join(c for c in typed if unicodedata.category(c) != "Cc").strip()[:limit]


@dataclass(frozen=True)
class Order:
    """A list's order: its fields (the last one unique, so that every row has its own place),
    ascending unless `descending`; `nullable` names fields whose NULLs sort first."""

    fields: tuple[str, ...]
    descending: bool = False
    nullable: frozenset[str] = frozenset()

    def reversed(self) -> Order:
        return Order(self.fields, not self.descending, self.nullable)

    def order_by(self) -> list:
        expressions = []
        for name in self.fields:
            # NULLs come first going up and last going down, on every database.
            if self.descending:
                expressions.append(F(name).desc(nulls_last=name in self.nullable or None))
            else:
                expressions.append(F(name).asc(nulls_first=name in self.nullable or None))
        return expressions

    def key_of(self, row) -> list:
        key = []
        for name in self.fields:
            value = row
            for part in name.split("__"):
                value = getattr(value, "pk" if part == "pk" else part)
            key.append(value)
        return key

    def after(self, key: list) -> Q:
        """The rows that come after the row whose sort key is `key`, in this order."""
        condition = Q(pk__in=[])  # nothing, to OR onto
        equal = Q()
        for name, value in zip(self.fields, key, strict=True):
            condition |= equal & self._beyond(name, value)
            equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        return condition

    def _beyond(self, name: str, value) -> Q:
        nullable = name in self.nullable
        if value is None:  # NULLs first going up: everything that is not NULL lies beyond
            return Q(**{f"{name}__isnull": False}) if not self.descending else Q(pk__in=[])
        lookup = "lt" if self.descending else "gt"
        beyond = Q(**{f"{name}__{lookup}": value})
        if nullable and self.descending:  # NULLs last going down
            beyond |= Q(**{f"{name}__isnull": True})
        return beyond


def encode_key(key: list) -> str:
    values = [{"t": value.isoformat()} if isinstance(value, datetime) else value for value in key]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_key(text: str, order: Order, model: type[Model]) -> list | None:
    """A key of `order` over `model` from the address, or None for anything that is not one
    (it is only a hint): each value must be what its field holds, as a database takes it."""
    if len(text) > KEY_MAX:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError, RecursionError):  # RecursionError: arrays nested too deep
        return None
    if not isinstance(values, list) or len(values) != len(order.fields):
        return None
    key = []
    for name, value in zip(order.fields, values, strict=True):
        if isinstance(value, dict) and isinstance(value.get("t"), str):
            try:
                value = datetime.fromisoformat(value["t"])
            except ValueError:
                return None
        if not _fits(_field(model, name), value):
            return None
        key.append(value)
    return key


def _field(model: type[Model], name: str) -> Field:
    """The field that a sort's name (`pk`, `name`, `project__name`) leads to."""
    *path, last = name.split("__")
    for part in path:
        model = model._meta.get_field(part).related_model
    field = model._meta.pk if last == "pk" else model._meta.get_field(last)
    return field.target_field if field.is_relation else field


def _fits(field: Field, value) -> bool:
    if value is None:
        return field.null
    if isinstance(field, DateTimeField):
        if not isinstance(value, datetime) or value.tzinfo is None:
            return False
        try:
            value.astimezone(UTC)
        except OverflowError:  # past the first or the last moment a date can name
            return False
        return True
    if isinstance(field, IntegerField):  # ids and counts, as a database stores them
        return type(value) is int and -(2**63) <= value < 2**63
    if isinstance(field, CharField):  # text as a name holds it: no control or half characters
        return isinstance(value, str) and not any(
            unicodedata.category(c) in ("Cc", "Cs") for c in value
        )
    return False


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    per_page: int
    has_next: bool
    total: int | None = None  # None: unknown; see `total_is_lower_bound`
    total_is_lower_bound: bool = False  # the list holds more than `total` rows
    first_key: str = ""
    last_key: str = ""
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def end(self) -> int:
        return self.start + len(self.object_list) - 1

    @property
    def is_whole_list(self) -> bool:
        """The first page holds everything, so its length is the count."""
        return self.number == 1 and not self.has_next

    @property
    def last_page_number(self) -> int | None:
        if self.total is None or self.total_is_lower_bound:
            return None
        return max(1, -(-self.total // self.per_page))

    def link(self, query: dict[str, str], where: str) -> str:
        """The address of the first, previous, next or last page, keeping `query`."""
        params = {k: v for k, v in query.items() if v and k not in ("page", "after", "before")}
        if where == "first":
            return "?" + urlencode(params)
        if where == "previous":
            params |= {"page": str(self.number - 1), "before": self.first_key}
        elif where == "next":
            params |= {"page": str(self.number + 1), "after": self.last_key}
        elif where == "last":
            params |= {"page": "last"}
        return "?" + urlencode(params)


def page_of(queryset: QuerySet, number: str | None, per_page: int) -> Page:
    """Page `number` by skipping rows (for short lists); the first page for anything that isn't
    a positive whole number, or for a number past the end of the list."""
    page = _number(number)
    if page * per_page > LAST_ROW:
        page = 1
    rows = list(queryset[(page - 1) * per_page : page * per_page + 1])
    if not rows and page > 1:
        page, rows = 1, list(queryset[: per_page + 1])
    return Page(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def keyset_page(
    queryset: QuerySet,
    order: Order,
    params,
    per_page: int,
    *,
    total: int | None = None,
    count_cap: int | None = None,
) -> Page:
    """The page the address asks for (`params`: page, after, before), in `order`. `total`,
    when the caller knows it, saves counting; otherwise the list is counted up to `count_cap`
    (COUNT_CAP unless given): beyond it, the page says "more than"."""
    capped = False
    if total is None:
        cap = COUNT_CAP if count_cap is None else count_cap
        total = queryset.order_by()[: cap + 1].count()
        if total > cap:
            total, capped = cap, True
    wanted = params.get("page", "")
    if wanted == "last":
        if capped:  # how many pages there are is not known: the last rows, numbered from the end
            rows = list(queryset.order_by(*order.reversed().order_by())[:per_page])[::-1]
            return _page(rows, None, per_page, False, total, capped, order)
        wanted = str(max(1, -(-total // per_page)))
    number = _number(wanted)
    after, before = params.get("after", ""), params.get("before", "")
    model = queryset.model
    if after and number > 1 and (key := decode_key(after, order, model)) is not None:
        rows = list(queryset.filter(order.after(key)).order_by(*order.order_by())[: per_page + 1])
        return _page(rows[:per_page], number, per_page, len(rows) > per_page, total, capped, order)
    if before and number >= 1 and (key := decode_key(before, order, model)) is not None:
        backwards = order.reversed()
        rows = list(
            queryset.filter(backwards.after(key)).order_by(*backwards.order_by())[: per_page + 1]
        )
        rows = rows[:per_page][::-1]
        return _page(rows, number, per_page, True, total, capped, order)
    if not capped and number > 1 and (number - 1) * per_page >= total:
        number = max(1, -(-total // per_page))  # past the end: the last page
    if number * per_page > LAST_ROW:
        number = 1
    last = not capped and number * per_page >= total
    if last and number > 1:  # the last page from the end: as cheap as the first
        size = total - (number - 1) * per_page
        rows = list(queryset.order_by(*order.reversed().order_by())[:size])[::-1]
        return _page(rows, number, per_page, False, total, capped, order)
    start = (number - 1) * per_page
    rows = list(queryset.order_by(*order.order_by())[start : start + per_page + 1])
    return _page(rows[:per_page], number, per_page, len(rows) > per_page, total, capped, order)


def _page(rows, number, per_page, has_next, total, capped, order) -> Page:
    if number is None:  # the last rows of a list too long to count: numbered from the end
        number = 0
    return Page(
        rows,
        number,
        per_page,
        has_next,
        total,
        capped,
        first_key=encode_key(order.key_of(rows[0])) if rows else "",
        last_key=encode_key(order.key_of(rows[-1])) if rows else "",
    )


def _number(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except (ValueError, TypeError):
        return 1
