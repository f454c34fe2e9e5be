"""The Vietnamese lunar calendar (âm lịch, UTC+7), for checking the holiday files.

The `holidays` package is not a dependency of the project, so the lunar holidays (Tết Nguyên
đán, Giỗ Tổ Hùng Vương) are cross-checked against this computation instead: the astronomical
method published by Hồ Ngọc Đức (new moons after Jean Meeus, "Astronomical Algorithms"; a
month starts on the day of its new moon in UTC+7, month 11 holds the winter solstice, and a
leap month is the first month without a major solar term). Test-only: the application never
computes lunar dates, it reads them from definitions/holidays.
"""

from __future__ import annotations

import datetime as dt
import math

TZ = 7.0  # Vietnam, UTC+7
SYNODIC = 29.530588853
EPOCH = 2415021.076998695  # the new moon of 1900-01-01, Julian day
_JD_OFFSET = 1721425  # date.toordinal() + this = the Julian day number


def _jd(day: dt.date) -> int:
    return day.toordinal() + _JD_OFFSET


def _date(jd: int) -> dt.date:
    return dt.date.fromordinal(jd - _JD_OFFSET)


def _new_moon(k: int) -> float:
    """The Julian day (UT) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c += -0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c += -0.0004 * math.sin(dr * 3 * mpr)
    c += 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c += -0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c += -0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c += 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd + c - delta_t


def _new_moon_day(k: int) -> int:
    return math.floor(_new_moon(k) + 0.5 + TZ / 24)


def _sun_sector(jd: int) -> int:
    """Which of the 12 sectors of 30° the sun's longitude is in at the start of day `jd`."""
    t = (jd - 0.5 - TZ / 24 - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = ((1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
          + (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m))
    longitude = (l0 + dl) * dr
    longitude -= 2 * math.pi * math.floor(longitude / (2 * math.pi))
    return math.floor(longitude / math.pi * 6)


def _month_11(year: int) -> int:
    """The Julian day on which lunar month 11 (with the winter solstice) of `year` starts."""
    k = math.floor((_jd(dt.date(year, 12, 31)) - 2415021) / SYNODIC)
    start = _new_moon_day(k)
    return _new_moon_day(k - 1) if _sun_sector(start) >= 9 else start


def _leap_offset(month_11: int) -> int:
    k = math.floor((month_11 - EPOCH) / SYNODIC + 0.5)
    i, arc = 1, _sun_sector(_new_moon_day(k + 1))
    while True:
        last, i = arc, i + 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            return i - 1


def solar(day: int, month: int, year: int) -> dt.date:
    """The solar date of lunar day/month of lunar `year` (never a leap month)."""
    if month < 11:
        a11, b11 = _month_11(year - 1), _month_11(year)
    else:
        a11, b11 = _month_11(year), _month_11(year + 1)
    offset = (month - 11) % 12
    if b11 - a11 > 365 and offset >= _leap_offset(a11):
        offset += 1
    k = math.floor(0.5 + (a11 - EPOCH) / SYNODIC)
    return _date(_new_moon_day(k + offset) + day - 1)
