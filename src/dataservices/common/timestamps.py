"""RFC 3339 timestamps: parse what clients send, format what services answer (UTC, `Z`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# ASCII digits only, offsets within range, and `\Z` (`$` would also match before a trailing newline).
_RFC3339 = re.compile(
    r"(?a)^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])\Z"
)


class InvalidTimestamp(ValueError):
    """A string that is not an RFC 3339 date-time this service can represent."""


def parse(value: str) -> datetime:
    """Parse an RFC 3339 date-time into an aware UTC datetime.

    A leap second (`:60`) is read as the last instant of its minute, since Python's datetime
    cannot hold it; years before 1 or past 9999 are refused.
    """
    match = _RFC3339.match(value)
    if match is None:
        raise InvalidTimestamp(f"{value!r} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    leap = second == 60
    if leap:
        second = 59
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
        if offset not in ("Z", "z"):
            sign = 1 if offset[0] == "+" else -1
            moment -= sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        if leap:
            moment = moment.replace(microsecond=999999)
    except (ValueError, OverflowError) as exc:
        raise InvalidTimestamp(f"{value!r} is not a date-time this service can store: {exc}") from exc
    return moment


def format_utc(moment: datetime) -> str:
    """Format as RFC 3339 in UTC with a `Z`, whole seconds unless the moment has microseconds."""
    moment = moment.astimezone(UTC)
    # strftime does not pad years before 1000; RFC 3339 needs four digits.
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    text += f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def utc_now() -> datetime:
    """The current moment in UTC."""
    return datetime.now(UTC)
