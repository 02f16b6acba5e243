"""Dates as references give them ("May 2023", "3 May 2023", 2023-05) → ISO 8601 prefixes."""

from __future__ import annotations

import datetime as _dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


_MONTH_WORD = r"(?P<mon>[A-Za-z]{3,9})\.?"


_ISO = re.compile(r"^(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?)?(?=$|[T\s/])")


_DAY_MONTH_YEAR = re.compile(
    rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH_WORD},?\s+(?P<y>\d{{4}})$"
)


_MONTH_DAY_YEAR = re.compile(
    rf"^{_MONTH_WORD}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$"
)


_MONTH_YEAR = re.compile(rf"^{_MONTH_WORD},?\s+(?P<y>\d{{4}})$")


_YEAR_MONTH = re.compile(rf"^(?P<y>\d{{4}})\s+{_MONTH_WORD}(?:\s+(?P<d>\d{{1,2}}))?$")


_ANY_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")


def _month_number(value: str | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    value = value.strip().rstrip(".").lower()
    if value.isdigit():
        return int(value)
    return _MONTHS.get(value)


def date_from_parts(
    year: int | str, month: int | str | None = None, day: int | str | None = None
) -> str:
    """ "YYYY", "YYYY-MM" or "YYYY-MM-DD"; parts that are not a real date are dropped."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        return ""
    if not 1 <= y <= 9999:
        return ""
    m = _month_number(month) if isinstance(month, str | int) else None
    if not m or not 1 <= m <= 12:
        return f"{y:04d}"
    try:
        d = int(day) if day not in (None, "") else 0
    except (TypeError, ValueError):
        d = 0
    if d:
        try:
            _dt.date(y, m, d)
        except ValueError:
            d = 0
    return f"{y:04d}-{m:02d}-{d:02d}" if d else f"{y:04d}-{m:02d}"


def partial_date(s: str) -> str:
    """An ISO 8601 partial date ("2022", "2022-03", "2022-03-05") for a date as people write it.

    Reads "2022", "2022-3-5", "2022/03/05/" (RIS), "2022-03-05T10:00Z", "March 2022",
    "5 March 2022", "March 5, 2022"; anything else with a plausible year gives the year; "" if
    there is none.
    """
    s = " ".join(str(s or "").split()).strip(" ,;")
    if not s:
        return ""
    match = _ISO.match(s)
    if match:
        return date_from_parts(match["y"], match["m"], match["d"])
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR, _YEAR_MONTH):
        match = pattern.match(s)
        if match and match["mon"].lower() in _MONTHS:
            day = match.groupdict().get("d")
            return date_from_parts(match["y"], match["mon"], day)
    match = _ANY_YEAR.search(s)
    return match[1] if match else ""
