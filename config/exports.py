"""What every export shares: one streaming CSV response and one guard
against spreadsheet formulas, for the members list, the response data and
the Excel report alike."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula: names,
    emails and respondents' answers may start like one (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write hands back the line, so that
    csv.writer yields each row as text.
    https://docs.djangoproject.com/en/6.1/howto/outputting-csv/#streaming-large-csv-files
    """

    def write(self, value: str) -> str:
        return value


def csv_streaming_response(
    rows: Iterable[Iterable[object]], *, filename: str
) -> StreamingHttpResponse:
    """A CSV download streamed row by row, so that a large export is never
    held in memory. The rows are written as given: guard free text with
    `spreadsheet_safe` where the rows are made, and translate labels before
    the response is returned (it is iterated after the view has ended)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # A byte order mark, so that spreadsheet programs read UTF-8.
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
