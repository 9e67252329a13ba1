"""CSV exports, streamed: rows are written as the database hands them over, so the memory used
does not grow with the list. Every cell that a spreadsheet would read as a formula is
neutralised, and times are ISO 8601 in UTC (written in SQL: `sql.UtcText`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these is a formula (or becomes one) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = frozenset(FORMULA_STARTS)


def safe_row(row: Iterable) -> list:
    """The values as a spreadsheet may show them: text starting like a formula gets a leading '.
    (One comprehension per row: an export calls it a hundred thousand times.)"""
    return [
        "'" + value if isinstance(value, str) and value[:1] in _FORMULA else value for value in row
    ]


def safe_cell(value) -> object:
    return safe_row((value,))[0]


ROWS_PER_CHUNK = 500  # rows sent together: few chunks to hand over, and little held at once


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for count, row in enumerate(rows, start=1):
            writer.writerow(safe_row(row))
            if count % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
