"""Pure: a ledger timestamp as the wall time of a zone ("2026-11-23 10:00:00"), for `llms --report detailed`.

The rule is `datetime.fromisoformat(stamp).astimezone(tz).isoformat(" ", "seconds")[:19]` (isoformat, not strftime:
the same text, a third of the time, for the years a ledger line may hold, 1970–8999). A million lines share a
few minutes each, so LocalTimes converts a minute once and writes the seconds of each stamp after it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

__all__ = ["LocalTimes", "local_time"]

_MOST_REMEMBERED = 10_000  # minutes; lines come in time order, so the ones remembered are the ones that recur
_MINUTE = timedelta(minutes=1)
_LAST_MICROSECOND = timedelta(seconds=59, microseconds=999_999)


def local_time(stamp: str, tz: tzinfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).isoformat(" ", "seconds")[:19]


class LocalTimes:
    """local_time(stamp, tz) for stamps of the ledger's shape (schema.py: `YYYY-MM-DDTHH:MM:SS[.digits](Z|±HH:MM)`),
    sooner. A stamp's minute and offset (its first 16 and last 6 characters: for a "Z" stamp those hold digits
    too, which only makes the key narrower) give the local minute; its seconds are the local seconds when the
    zone's offset is whole minutes and the same through that minute (tzdata has no two changes a minute apart).
    A minute that is not so (Africa/Monrovia's -0:44:30 until 1972) is converted line by line."""

    __slots__ = ("tz", "minutes")

    def __init__(self, tz: tzinfo):
        self.tz = tz
        self.minutes: dict[str, str] = {}

    def text(self, stamp: str) -> str:
        minute = self.minutes.get(stamp[:16] + stamp[-6:])
        if minute is not None:
            return minute + stamp[16:19]
        return self._converted(stamp)

    def _converted(self, stamp: str) -> str:
        when = datetime.fromisoformat(stamp)
        local = when.astimezone(self.tz)
        text = local.isoformat(" ", "seconds")[:19]
        start = when.replace(second=0, microsecond=0)
        offset = start.astimezone(self.tz).utcoffset()
        if (offset is not None and not offset % _MINUTE and not when.utcoffset() % _MINUTE
                and (start + _LAST_MICROSECOND).astimezone(self.tz).utcoffset() == offset):
            if len(self.minutes) >= _MOST_REMEMBERED:
                self.minutes.clear()
            self.minutes[stamp[:16] + stamp[-6:]] = text[:16]
        return text
