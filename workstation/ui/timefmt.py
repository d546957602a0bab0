"""Wire times (ISO-8601 UTC) to aware datetimes, and times, dates and money as the desk
shows them, in the UI language's conventions (the default QLocale, which
`application.set_language` sets together with the translator).

| what            | 中文 (zh_CN)        | English (en_US)       | English (en_GB …)   |
| --------------- | ------------------- | --------------------- | ------------------- |
| `short` today   | 14:05               | 2:05 PM               | 14:05               |
| `short` in year | 11月2日 14:05        | Nov 2, 2:05 PM        | 2 Nov, 14:05        |
| `short` older   | 2025/11/2           | Nov 2, 2025           | 2 Nov 2025          |
| `day`           | 2025/11/2           | Nov 2, 2025           | 2 Nov 2025          |
| `clock`         | 14:05:09            | 2:05:09 PM            | 14:05:09            |
| `money`         | ¥1,234.50           | CN¥1,234.50           | CN¥1,234.50         |
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

MONTH_FIRST = frozenset({QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Philippines})


def parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def local(value: object) -> datetime | None:
    parsed = parse_time(value)
    return None if parsed is None else parsed.astimezone()


def _locale(locale: QLocale | None) -> QLocale:
    return locale if locale is not None else QLocale()


def _chinese(locale: QLocale) -> bool:
    return locale.language() == QLocale.Language.Chinese


def _qdate(at: date) -> QDate:
    return QDate(at.year, at.month, at.day)


def _qtime(at: datetime) -> QTime:
    return QTime(at.hour, at.minute, at.second)


def _time(at: datetime, locale: QLocale, *, seconds: bool = False) -> str:
    pattern = locale.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds and "ss" not in pattern:
        pattern = pattern.replace("mm", "mm:ss", 1)
    return locale.toString(_qtime(at), pattern)


def _day_pattern(locale: QLocale, *, year: bool) -> str:
    if _chinese(locale):
        return "yyyy/M/d" if year else "M月d日"
    if locale.territory() in MONTH_FIRST:
        return "MMM d, yyyy" if year else "MMM d"
    return "d MMM yyyy" if year else "d MMM"


def short(value: object, *, now: datetime | None = None, locale: QLocale | None = None) -> str:
    """The time alone today, month and day with the time this year, the date before."""
    at = local(value)
    if at is None:
        return ""
    loc = _locale(locale)
    today = (now or datetime.now(UTC)).astimezone()
    if at.date() == today.date():
        return _time(at, loc)
    if at.year == today.year:
        sep = " " if _chinese(loc) else ", "
        return loc.toString(_qdate(at.date()), _day_pattern(loc, year=False)) + sep + _time(at, loc)
    return loc.toString(_qdate(at.date()), _day_pattern(loc, year=True))


def day(value: object, *, locale: QLocale | None = None) -> str:
    at = local(value)
    if at is None:
        return ""
    loc = _locale(locale)
    return loc.toString(_qdate(at.date()), _day_pattern(loc, year=True))


def clock(value: object, *, locale: QLocale | None = None) -> str:
    """A time of day with seconds (e.g. the last sync)."""
    at = local(value)
    return "" if at is None else _time(at, _locale(locale), seconds=True)


def date_time(value: object, *, locale: QLocale | None = None) -> str:
    """Date and time in full (tooltips, dialogs)."""
    at = local(value)
    if at is None:
        return ""
    loc = _locale(locale)
    sep = " " if _chinese(loc) else ", "
    return loc.toString(_qdate(at.date()), _day_pattern(loc, year=True)) + sep + _time(at, loc)


def qdatetime(value: object) -> QDateTime | None:
    at = local(value)
    if at is None:
        return None
    return QDateTime(_qdate(at.date()), _qtime(at))


def money(value: object, *, locale: QLocale | None = None) -> str:
    """A yuan amount (Decimal, number or text): ``¥1,234.50`` in Chinese, ``CN¥1,234.50`` in
    English (¥ alone could be read as yen); grouping and decimal point from the locale.
    Text that is not a number is shown as it came."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    loc = _locale(locale)
    symbol = "¥" if _chinese(loc) else "CN¥"
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{symbol}{loc.groupSeparator().join(groups)}{loc.decimalPoint()}{cents}"


def days_since(value: object, *, today: date | None = None) -> int | None:
    at = local(value)
    if at is None:
        return None
    return ((today or datetime.now(UTC).astimezone().date()) - at.date()).days
