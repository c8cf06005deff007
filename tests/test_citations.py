"""Marker parsing and verification, whole and streamed."""

from datetime import date

import pytest

from rag.citations import CitationChecker, attribute_unmarked, check_citations, unsupported_markers
from rag.records import Chunk


@pytest.mark.parametrize(
    ("written", "shown", "cited"),
    [
        ("A다 [1].", "A다 [1].", [1]),
        ("A다 [2, 1].", "A다 [1][2].", [2, 1]),
        ("A다 [1,2] B다 [2][1].", "A다 [1][2] B다 [2][1].", [1, 2]),
        ("A다【3】 B다【1、3】", "A다[1] B다[1][2]", [3, 1]),
        ("A다 [ 2 ].", "A다 [1].", [2]),
        ("A다 [2][2].", "A다 [1][1].", [2]),
    ],
)
def test_marker_forms_are_renumbered_in_order_of_first_citation(written, shown, cited):
    text, checker = check_citations(written, source_count=3)
    assert (text, checker.cited, checker.removed) == (shown, cited, 0)


def test_markers_outside_the_sources_are_removed_and_counted():
    text, checker = check_citations("A다 [4]. B다 [0][2]. C다 [2, 7].", source_count=3)
    assert text == "A다 . B다 [1]. C다 [1]."
    assert (checker.cited, checker.removed) == ([2], 3)


@pytest.mark.parametrize("text", ["[링크](https://x.org)", "[2024] 연도", "배열[i]와 [ ]", "가격은 [약 3달러]", "【공지】"])
def test_brackets_that_are_not_markers_are_left_alone(text):
    shown, checker = check_citations(text, source_count=3)
    assert (shown, checker.cited, checker.removed) == (text, [], 0)


def test_streaming_gives_the_same_text_wherever_the_pieces_break():
    written = "xLSTM은 새 구조다 [2, 1]. 【3】 상금은 [9] 10만 달러 [1][3] [링크](u) 끝 [2"
    whole, whole_checker = check_citations(written, source_count=3)
    for first_cut in range(len(written)):
        for second_cut in range(first_cut, len(written), 7):
            checker = CitationChecker(source_count=3)
            pieces = [written[:first_cut], written[first_cut:second_cut], written[second_cut:]]
            streamed = "".join(checker.feed(piece) for piece in pieces) + checker.finish()
            assert streamed == whole
            assert (checker.cited, checker.removed) == (whole_checker.cited, whole_checker.removed)


def test_a_possible_marker_is_held_back_until_it_is_complete():
    checker = CitationChecker(source_count=2)
    assert checker.feed("답이다 [") == "답이다 "
    assert checker.feed("2") == ""
    assert checker.feed("] 다음") == "[1] 다음"
    assert checker.feed(" [x") == " [x"
    assert checker.feed(" 【1") == " "
    assert checker.finish() == "【1"


def chunk(text: str) -> Chunk:
    return Chunk(id="p#000", slug="p", title="제목", date=date(2024, 5, 4), permalink="https://x/p/", tags=[],
                 section="Today's Preview", text=text)


def test_claims_not_found_in_the_cited_source_are_flagged():
    kaggle = chunk("LMSYS가 Kaggle에서 인간 선호도를 예측하는 100,000달러 상금의 대회를 연다.")
    alphafold = chunk("Google DeepMind가 단백질 구조를 예측하는 AlphaFold 3을 발표했다.")
    text = "Kaggle 대회 상금은 100,000달러입니다 [1]. 단백질 구조를 예측하는 AlphaFold 3이 나왔습니다 [1][2]. 끝 [2]."
    assert unsupported_markers(text, {1: kaggle, 2: alphafold}) == set()  # claim 2 is covered by its two sources
    swapped = "Kaggle 대회 상금은 100,000달러입니다 [2]. 단백질 구조를 예측하는 AlphaFold 3이 나왔습니다 [1]."
    assert unsupported_markers(swapped, {1: kaggle, 2: alphafold}) == {1, 2}


def test_a_bare_handle_or_number_is_attributed_to_the_source_that_holds_it():
    sources = ["오픈 소스 모델을 @erhartford가 소개했습니다.", "상금은 100,000달러입니다."]
    assert attribute_unmarked("@erhartford", sources, []) == ("@erhartford [1]", [1])
    assert attribute_unmarked("100,000달러", sources, []) == ("100,000달러 [1]", [2])
    assert attribute_unmarked("@someoneelse", sources, []) == ("@someoneelse", [])
