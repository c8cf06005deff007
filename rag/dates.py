"""Dates named in a Korean question -> the range of posts to search.

Understood: `2024-05-09` (also `.` or `/`), `2024년 5월 9일`, `5월 9일`, `5월 3일~9일`,
`5월 둘째 주` (weeks run Monday-Sunday; the first week is the one holding the 1st,
each week clipped to the month), `5월 초` (1-10), `5월 중순` (11-20), `5월 말`/`하순`
(21-end) and `5월` (whole month, only when the archive has posts then: "6월에 출시"
is about the news, not the post date — but a digest of it covers it, `6월 요약해줘`). Two
expressions (`5월 3일부터 5월 9일까지`) give the range between them. Without a year, the
latest year whose range holds posts of the archive is meant. Date words no calendar holds
(`2024-02-30`, `5월 32일`, `13월`) are found by `impossible_dates`.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class DateScope:
    start: date
    end: date
    phrase: str = ""
    """The words of the question that named the range (empty when given by --since/--until)."""


_ORDINAL_WEEKS = {"첫": 1, "첫째": 1, "첫번째": 1, "1": 1, "둘째": 2, "두": 2, "두번째": 2, "2": 2,
                  "셋째": 3, "세": 3, "세번째": 3, "3": 3, "넷째": 4, "네": 4, "네번째": 4, "4": 4,
                  "다섯째": 5, "다섯번째": 5, "5": 5, "마지막": -1}
_YEAR = r"(?:(?P<year>\d{4})\s*년\s*)?"
_MONTH = r"(?<!\d)(?P<month>1[0-2]|0?[1-9])\s*월"  # not the `3월` inside `13월`

# Most specific first: a span taken by one pattern is not looked at again.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)(?P<year>\d{4})[-./](?P<month>\d{1,2})[-./](?P<day>\d{1,2})(?!\d)")),
    ("day_span", re.compile(_YEAR + _MONTH + r"\s*(?P<day>\d{1,2})\s*일?\s*(?:~|-|–|부터)\s*(?P<day2>\d{1,2})\s*일")),
    ("day", re.compile(_YEAR + _MONTH + r"\s*(?P<day>\d{1,2})\s*일")),
    ("week", re.compile(_YEAR + _MONTH + r"\s*(?P<week>첫째|첫번째|첫|둘째|두번째|두|셋째|세번째|세|넷째|네번째|네|다섯째|다섯번째|마지막|[1-5])\s*(?:번째\s*)?주(?:차)?")),
    ("part", re.compile(_YEAR + _MONTH + r"\s*(?P<part>초순|초|중순|하순|말경|말)")),
    ("month", re.compile(_YEAR + _MONTH)),
]


def find_date_scope(question: str, archive_dates: Iterable[date] = (), months_without_posts: bool = False,
                    ) -> DateScope | None:
    """The date range the question names, or None. A bare month counts only when the archive has posts in
    it, unless `months_without_posts` (the period a digest is asked for)."""
    dates = _sorted_dates(tuple(archive_dates))
    found: list[tuple[int, int, date, date]] = []
    for kind, match in _date_words(question):
        resolved = _resolve(kind, match, dates)
        if resolved is None:
            continue
        if kind == "month" and dates and not months_without_posts and not _has_posts(dates, *resolved):
            continue
        found.append((match.start(), match.end(), *resolved))
    if not found:
        return None
    found.sort()
    phrase = question[found[0][0] : found[-1][1]]
    return DateScope(start=min(item[2] for item in found), end=max(item[3] for item in found), phrase=phrase)


_NO_SUCH_MONTH = re.compile(r"(?<![\d.])(?:1[3-9]|[2-9]\d)\s*월")
_SOME_YEARS = range(2020, 2032)
"""Years enough to hold every day and week a date without a year may name (2024 and 2028 are leap years)."""


def impossible_dates(question: str) -> list[str]:
    """Date words of the question that no calendar holds: `2024-02-30`, `5월 32일`, `2월 다섯째 주` of a year
    without one, `13월`. Without a year, a date is possible when some year holds it (`2월 29일`)."""
    impossible = [match.group().strip() for match in _NO_SUCH_MONTH.finditer(question)]
    for kind, match in _date_words(question):
        groups = match.groupdict()
        years = [int(groups["year"])] if groups.get("year") else _SOME_YEARS
        if all(_valid_range(_RANGE_MAKERS[kind], year, int(groups["month"]), groups) is None for year in years):
            impossible.append(match.group().strip())
    return impossible


def _date_words(question: str) -> Iterator[tuple[str, re.Match[str]]]:
    """Each date expression of the question with its kind, most specific first: words one pattern took
    (`5월 32일`) are not read again by a looser one (as `5월`)."""
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(question):
            if not any(match.start() < end and start < match.end() for start, end in taken):
                taken.append((match.start(), match.end()))
                yield kind, match


def strip_phrase(question: str, scope: DateScope | None) -> str:
    """The question without its date words, for searching by topic."""
    if scope is None or not scope.phrase:
        return question
    stripped = question.replace(scope.phrase, " ")
    return re.sub(r"\s+", " ", stripped).strip() or question


@lru_cache(maxsize=4)
def _sorted_dates(archive_dates: tuple[date, ...]) -> list[date]:
    """Computed once per archive (a question passes the same dates each time), not once per question."""
    return sorted(set(archive_dates))


@lru_cache(maxsize=4)
def _years(sorted_dates: tuple[date, ...]) -> list[int]:
    return sorted({day.year for day in sorted_dates}, reverse=True)


def _has_posts(sorted_dates: list[date], start: date, end: date) -> bool:
    first = bisect_left(sorted_dates, start)
    return first < len(sorted_dates) and sorted_dates[first] <= end


def _resolve(kind: str, match: re.Match[str], archive_dates: list[date]) -> tuple[date, date] | None:
    groups = match.groupdict()
    month = int(groups["month"])
    make_range = _RANGE_MAKERS[kind]
    if groups.get("year"):
        return _valid_range(make_range, int(groups["year"]), month, groups)
    # No year: prefer the latest year in which the range holds posts.
    years = _years(tuple(archive_dates)) or [date.today().year]
    fallback = None
    for year in years:
        candidate = _valid_range(make_range, year, month, groups)
        if candidate is None:
            continue
        fallback = fallback or candidate
        if _has_posts(archive_dates, *candidate):
            return candidate
    return fallback


def _valid_range(make_range: Callable, year: int, month: int, groups: dict) -> tuple[date, date] | None:
    try:
        return make_range(year, month, groups)
    except ValueError:  # 2월 30일 and the like
        return None


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day(year: int, month: int, groups: dict) -> tuple[date, date]:
    day = date(year, month, int(groups["day"]))
    return day, day


def _day_span(year: int, month: int, groups: dict) -> tuple[date, date]:
    first, last = sorted((int(groups["day"]), int(groups["day2"])))
    return date(year, month, first), date(year, month, last)


def _week(year: int, month: int, groups: dict) -> tuple[date, date]:
    first_day = date(year, month, 1)
    last_day = date(year, month, _month_end(year, month))
    first_monday = first_day - timedelta(days=first_day.weekday())
    number = _ORDINAL_WEEKS[groups["week"]]
    if number == -1:
        start = last_day - timedelta(days=last_day.weekday())
    else:
        start = first_monday + timedelta(weeks=number - 1)
    end = start + timedelta(days=6)
    if start > last_day:
        raise ValueError("no such week")
    return max(start, first_day), min(end, last_day)


def _part(year: int, month: int, groups: dict) -> tuple[date, date]:
    part = groups["part"]
    if part.startswith("초"):
        return date(year, month, 1), date(year, month, 10)
    if part.startswith("중"):
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), date(year, month, _month_end(year, month))


def _month(year: int, month: int, groups: dict) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _month_end(year, month))


_RANGE_MAKERS: dict[str, Callable[[int, int, dict], tuple[date, date]]] = {
    "iso": _day,
    "day": _day,
    "day_span": _day_span,
    "week": _week,
    "part": _part,
    "month": _month,
}
