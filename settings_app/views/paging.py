"""Pages of a list without counting it: fetch one row more than a page to know if another
follows, so a page costs the same for a hundred rows or a hundred thousand."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

LAST_ROW = 2**62  # no list is longer; an OFFSET beyond 64 bits is an error in SQL


@dataclass(frozen=True)
class Page:
    object_list: list
    number: int
    per_page: int
    has_next: bool

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


def page_of(queryset: QuerySet, number: str | None, per_page: int) -> Page:
    """Page `number`; the first page for anything that isn't a positive whole number, or for
    a number past the end of the list (a stale link after the list shrank)."""
    try:
        page = max(1, int(number or 1))
    except ValueError:
        page = 1
    if page * per_page > LAST_ROW:  # past any list there can be (and past what SQL can skip)
        page = 1
    rows = list(queryset[(page - 1) * per_page : page * per_page + 1])
    if not rows and page > 1:
        page, rows = 1, list(queryset[: per_page + 1])
    return Page(rows[:per_page], page, per_page, has_next=len(rows) > per_page)
