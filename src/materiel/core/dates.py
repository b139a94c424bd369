"""Dates as staff write them, and military date-time groups.

Spreadsheets arrive with ISO dates, European day-first dates, Excel date
cells and month names. We store `date` and UTC `datetime`; we show the
date-time group (`DDHHMMZ MON YY`) beside ISO where staff expect it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateutil_parser

from materiel.core.errors import InvalidInput

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DTG = re.compile(r"^(\d{2})(\d{2})(\d{2})Z\s*([A-Z]{3})\s*(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> date:
    """Read a date from a cell: a date, an Excel serial number or text.

    Text may be ISO (`2026-03-01`), day-first (`01.03.2026`, `1/3/2026`),
    with a month name (`1 Mar 2026`) or a date-time group. Ambiguous numeric
    dates are read day first, as our staff write them.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_excel_serial(float(value))
    text = str(value).strip()
    if not text:
        raise InvalidInput("date is empty; write e.g. 2026-03-01")
    dtg = _DTG.match(text.upper())
    if dtg:
        return parse_dtg(text).date()
    try:
        if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", text):
            return date.fromisoformat(text[:10]) if len(text) >= 10 else _iso_loose(text)
        return dateutil_parser.parse(text, dayfirst=True).date()
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(f"'{text}' is not a date; write e.g. 2026-03-01 or 01.03.2026") from exc


def _iso_loose(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-")[:3])
    return date(year, month, day)


def _from_excel_serial(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise InvalidInput(f"{serial} is not a date; write e.g. 2026-03-01")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_dtg(text: str) -> datetime:
    """Parse a date-time group such as `271430Z NOV 26` into UTC."""
    match = _DTG.match(text.strip().upper())
    if not match or match.group(4) not in _MONTHS:
        raise InvalidInput(f"'{text}' is not a date-time group; write e.g. 271430Z NOV 26")
    day, hour, minute, month, year = match.groups()
    try:
        return datetime(
            2000 + int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=UTC
        )
    except ValueError as exc:
        raise InvalidInput(f"'{text}' is not a valid date-time group: {exc}") from exc


def format_dtg(moment: datetime) -> str:
    """Format a moment as a date-time group in UTC, e.g. `271430Z NOV 26`."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{utc:%d%H%M}Z {_MONTHS[utc.month - 1]} {utc:%y}"


def utc_now() -> datetime:
    return datetime.now(UTC)
