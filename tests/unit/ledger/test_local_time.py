"""A ledger timestamp in a zone's wall time: the remembered minutes give the rule's text, DST and odd offsets too."""

import random
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from llms.ledger.local_time import LocalTimes, local_time

# DST at 2:00/3:00 (Berlin, New York), half- and three-quarter-hour offsets (Kolkata, Kathmandu, Chatham),
# a half-hour DST (Lord Howe), an offset with seconds (Monrovia, -0:44:30 until 1972), fixed offsets.
ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
                                     "Pacific/Chatham", "Australia/Lord_Howe", "Africa/Monrovia", "UTC")]
ZONES += [timezone.utc, timezone(timedelta(hours=-3, minutes=-30)), timezone(timedelta(minutes=44, seconds=30))]
# Instants around DST changes (both ways), Monrovia's change to whole minutes, a leap day, the epoch.
AROUND = [datetime(2026, 3, 29, 1, tzinfo=timezone.utc), datetime(2026, 10, 25, 1, tzinfo=timezone.utc),
          datetime(2026, 3, 8, 7, tzinfo=timezone.utc), datetime(2026, 11, 1, 6, tzinfo=timezone.utc),
          datetime(2026, 4, 4, 15, tzinfo=timezone.utc), datetime(2026, 9, 26, 14, tzinfo=timezone.utc),
          datetime(1972, 1, 7, 0, 44, tzinfo=timezone.utc), datetime(2028, 2, 29, 23, 30, tzinfo=timezone.utc),
          datetime(1970, 1, 1, 0, 30, tzinfo=timezone.utc)]
OFFSETS = [timezone.utc, timezone(timedelta(hours=1)), timezone(timedelta(hours=-7)),
           timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-9, minutes=-30))]


def _stamp(instant: datetime, rng: random.Random) -> str:
    """The instant as a ledger line may write it: an offset or Z, no fraction or 1–9 digits of one."""
    text = instant.astimezone(rng.choice(OFFSETS)).isoformat(timespec="seconds")
    if rng.random() < 0.8:
        digits = rng.randint(1, 9)
        text = text[:19] + "." + "".join(rng.choice("0123456789") for _ in range(digits)) + text[19:]
    return text[:-6] + "Z" if text.endswith("+00:00") and rng.random() < 0.5 else text


def _stamps(rng: random.Random) -> list[str]:
    """Runs of stamps in time order a few seconds apart (minutes recur, as in a ledger) around each instant."""
    stamps = []
    for around in AROUND:
        instant = around - timedelta(minutes=90)
        for _ in range(1500):
            instant += timedelta(seconds=rng.choice([0.2, 1, 7, 59.9, 61, 3600]) * rng.random())
            stamps.append(_stamp(instant, rng))
    return stamps


@pytest.mark.parametrize("tz", ZONES, ids=str)
def test_remembered_minutes_give_the_rules_text_around_offset_changes(tz):
    stamps = _stamps(random.Random(str(tz)))
    times = LocalTimes(tz)
    assert [times.text(stamp) for stamp in stamps] == [local_time(stamp, tz) for stamp in stamps]
    # The common case was remembered, not converted every time; an offset with seconds never is.
    assert bool(times.minutes) is (tz.utcoffset(AROUND[0]) % timedelta(minutes=1) == timedelta(0))


def test_a_minute_of_an_offset_with_seconds_is_not_remembered():
    monrovia = ZoneInfo("Africa/Monrovia")
    times = LocalTimes(monrovia)
    assert times.text("1971-06-01T12:00:10.000Z") == "1971-06-01 11:15:40" == local_time("1971-06-01T12:00:10Z", monrovia)
    assert times.text("1971-06-01T12:00:50.000Z") == "1971-06-01 11:16:20"
    assert times.minutes == {}


def test_the_minute_a_dst_change_starts_is_the_rules_on_each_side():
    berlin = ZoneInfo("Europe/Berlin")
    times = LocalTimes(berlin)
    assert times.text("2026-03-29T00:59:59.999Z") == "2026-03-29 01:59:59"
    assert times.text("2026-03-29T01:00:00.000Z") == "2026-03-29 03:00:00"
    assert times.text("2026-03-29T01:00:30.000+00:00") == "2026-03-29 03:00:30"
    assert times.text("2026-10-25T00:59:30.000Z") == "2026-10-25 02:59:30"
    assert times.text("2026-10-25T01:00:30.000Z") == "2026-10-25 02:00:30"


class _ChangesMidMinute(tzinfo):
    """+1:00 until 12:00:30 UTC on 2026-06-01, then +2:00: a change inside a minute (no tzdata zone has one)."""
    CHANGE = datetime(2026, 6, 1, 12, 0, 30)

    def fromutc(self, dt):
        return dt + self._offset_at_utc(dt.replace(tzinfo=None))

    def utcoffset(self, dt):
        return timedelta(hours=1) if dt.replace(tzinfo=None) < self.CHANGE + timedelta(hours=1) else timedelta(hours=2)

    def dst(self, dt):
        return None

    def _offset_at_utc(self, utc):
        return timedelta(hours=1) if utc < self.CHANGE else timedelta(hours=2)


def test_a_minute_the_offset_changes_in_is_not_remembered():
    zone = _ChangesMidMinute()
    times = LocalTimes(zone)
    assert times.text("2026-06-01T12:00:10.000Z") == "2026-06-01 13:00:10" == local_time("2026-06-01T12:00:10Z", zone)
    assert times.text("2026-06-01T12:00:40.000Z") == "2026-06-01 14:00:40" == local_time("2026-06-01T12:00:40Z", zone)
    assert times.minutes == {}
