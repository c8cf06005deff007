from datetime import date

import pytest

from rag.dates import find_date_scope, impossible_dates, strip_phrase

ARCHIVE = [date(2023, 5, 9), date(2024, 5, 3), date(2024, 5, 4), date(2024, 5, 9), date(2024, 5, 10)]


@pytest.mark.parametrize("question, start, end", [
    ("5월 9일 다이제스트에서 AlphaFold 3에 대해 뭐라고 했나?", date(2024, 5, 9), date(2024, 5, 9)),
    ("2024-05-09 글 요약", date(2024, 5, 9), date(2024, 5, 9)),
    ("2023.05.09에는?", date(2023, 5, 9), date(2023, 5, 9)),
    ("2023년 5월 9일 소식", date(2023, 5, 9), date(2023, 5, 9)),
    ("5월 둘째 주에 나온 모델", date(2024, 5, 6), date(2024, 5, 12)),  # May 2024 starts on a Wednesday
    ("5월 첫째 주", date(2024, 5, 1), date(2024, 5, 5)),
    ("5월 초에 무슨 일이", date(2024, 5, 1), date(2024, 5, 10)),
    ("5월 중순", date(2024, 5, 11), date(2024, 5, 20)),
    ("4월 말에 나온 얘기", date(2024, 4, 21), date(2024, 4, 30)),
    ("5월 3일부터 5월 9일까지", date(2024, 5, 3), date(2024, 5, 9)),
    ("5월 3일~4일 사이", date(2024, 5, 3), date(2024, 5, 4)),
    ("5월에 나온 글", date(2024, 5, 1), date(2024, 5, 31)),
])
def test_named_ranges(question, start, end):
    scope = find_date_scope(question, ARCHIVE)
    assert (scope.start, scope.end) == (start, end)


def test_year_defaults_to_latest_year_with_posts_in_range():
    assert find_date_scope("5월 9일", [date(2023, 5, 9), date(2024, 5, 10)]).start == date(2023, 5, 9)
    assert find_date_scope("5월 9일", []).start.year == date.today().year


@pytest.mark.parametrize("question", ["xLSTM이 뭐야?", "GPT-5가 6월에 나온대?", "2월 30일", "GPT-3.5 성능"])
def test_no_scope(question):
    assert find_date_scope(question, ARCHIVE) is None


def test_strip_phrase_leaves_the_topic():
    scope = find_date_scope("5월 9일 다이제스트에서 AlphaFold 3에 대해 뭐라고 했나?", ARCHIVE)
    assert strip_phrase("5월 9일 다이제스트에서 AlphaFold 3에 대해 뭐라고 했나?", scope) == "다이제스트에서 AlphaFold 3에 대해 뭐라고 했나?"


def test_a_month_number_is_read_whole():
    # `13월` is no month: its `3월` is not March.
    assert find_date_scope("13월 요약해줘", [date(2024, 3, 5)]) is None


def test_a_month_without_posts_is_the_period_a_digest_covers_but_no_search_scope():
    assert find_date_scope("6월 요약해줘", ARCHIVE) is None  # "GPT-5가 6월에 나온대?" is about the news
    period = find_date_scope("6월 요약해줘", ARCHIVE, months_without_posts=True)
    assert (period.start, period.end) == (date(2024, 6, 1), date(2024, 6, 30))
    period = find_date_scope("1999년 3월 다이제스트", ARCHIVE, months_without_posts=True)
    assert (period.start, period.end) == (date(1999, 3, 1), date(1999, 3, 31))


@pytest.mark.parametrize("question, phrase", [
    ("2024-02-30 소식", "2024-02-30"), ("2024-13-45에 뭐 있었어?", "2024-13-45"), ("5월 32일에 뭐 있었어?", "5월 32일"),
    ("2월 30일", "2월 30일"), ("2023년 2월 29일 소식", "2023년 2월 29일"), ("13월 요약해줘", "13월"),
    ("5월 3일~40일 사이", "5월 3일~40일"),
])
def test_dates_no_calendar_holds(question, phrase):
    assert impossible_dates(question) == [phrase]


@pytest.mark.parametrize("question", [
    "2월 29일 소식",  # some year has it
    "5월 9일 다이제스트", "5월 다섯째 주", "GPT-3.5 성능", "Llama-3-8B", "12개월 동안", "2024년 13억 달러", "xLSTM이 뭐야?",
])
def test_possible_dates_and_other_numbers_are_not_flagged(question):
    assert impossible_dates(question) == []
