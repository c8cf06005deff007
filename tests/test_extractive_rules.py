"""The extractive answerer's scoring and selection rules on hand-made sentences (no embedder, no index)."""

from datetime import date
from types import SimpleNamespace

import numpy as np

from rag.extractive import TYPE_CHECK_DEPTH, ScoredSentence, Weights, cite, score_sentences, select_sentences
from rag.korean import analyse_question
from rag.records import Chunk, RetrievedChunk
from rag.retrieve import Evidence
from rag.sentences import Sentence, SentenceStore

SELECTION_MARGIN = Weights().same_post_margin
OTHER_POST_MARGIN = Weights().other_post_margin


def hit(slug: str, number: int = 0, text: str = "LMSYS의 Kaggle 대회 소식") -> RetrievedChunk:
    chunk = Chunk(id=f"{slug}#{number:03d}", slug=slug, title=slug, date=date(2024, 5, 4), permalink=f"https://x/{slug}/",
                  tags=[], section="s", text=text)
    return RetrievedChunk(chunk=chunk, score=0.0)


def scored(text: str, relevance: float, source: RetrievedChunk, section_rank: int = 0) -> ScoredSentence:
    return ScoredSentence(text=text, source=source, relevance=relevance, section_rank=section_rank)


WHAT = analyse_question("Kaggle 대회가 뭐야?")
HOW_MUCH = analyse_question("Kaggle 대회 상금이 얼마였어?")


def test_below_the_threshold_the_archive_does_not_answer():
    assert select_sentences([scored("관련 없는 문장입니다.", 0.5, hit("a"))], WHAT, min_relevance=0.84, limit=3) == []


def test_same_post_sentences_within_the_margin_are_quoted_other_posts_only_when_very_close():
    a, b = hit("a"), hit("b")
    sentences = [
        scored("가장 좋은 문장입니다.", 1.20, a),
        scored("같은 글의 다음 문장입니다.", 1.20 - SELECTION_MARGIN + 0.01, a),
        scored("다른 글의 비슷한 문장입니다.", 1.20 - OTHER_POST_MARGIN - 0.01, b),
        scored("같은 글의 먼 문장입니다.", 1.20 - SELECTION_MARGIN - 0.01, a),
    ]
    chosen = select_sentences(sentences, WHAT, min_relevance=0.84, limit=3)
    assert [item.text for item in chosen] == ["가장 좋은 문장입니다.", "같은 글의 다음 문장입니다."]


def test_a_near_tie_between_posts_goes_to_the_post_retrieval_ranks_higher_and_only_it_is_quoted():
    """The best quote's post would have given the answer's first line; the tie goes to the better-ranked section,
    and its post alone is quoted (its own quotes within the same-post margin of its best)."""
    first_ranked, second_ranked = hit("a"), hit("b")
    sentences = [
        scored("아래 순위 글의 문장입니다.", 1.20, second_ranked, section_rank=1),
        scored("위 순위 글의 문장입니다.", 1.20 - OTHER_POST_MARGIN + 0.001, first_ranked, section_rank=0),
        scored("위 순위 글의 다음 문장입니다.", 1.20 - SELECTION_MARGIN, first_ranked, section_rank=0),
        scored("아래 순위 글의 다음 문장입니다.", 1.19, second_ranked, section_rank=1),
    ]
    chosen = select_sentences(sentences, WHAT, min_relevance=0.84, limit=3)
    assert [item.text for item in chosen] == ["위 순위 글의 문장입니다.", "위 순위 글의 다음 문장입니다."]
    no_tie = [sentences[0], scored(sentences[1].text, 1.20 - OTHER_POST_MARGIN - 0.001, first_ranked, section_rank=0)]
    assert [item.source.chunk.slug for item in select_sentences(no_tie, WHAT, 0.84, 3)] == ["b"]


def test_the_limit_and_duplicates():
    a = hit("a")
    sentences = [scored("같은 문장입니다.", 1.0, a), scored("같은 문장입니다.", 1.0, a), scored("또 다른 문장.", 0.99, a)]
    assert [item.text for item in select_sentences(sentences, WHAT, 0.84, limit=1)] == ["같은 문장입니다."]
    assert len(select_sentences(sentences, WHAT, 0.84, limit=3)) == 2


def test_a_number_question_skips_sentences_without_a_number():
    a = hit("a")
    sentences = [scored("Kaggle 대회가 열립니다.", 1.3, a), scored("상금은 100,000달러입니다.", 1.0, a)]
    assert [item.text for item in select_sentences(sentences, HOW_MUCH, 0.84, 3)] == ["상금은 100,000달러입니다."]
    assert select_sentences(sentences[:1], HOW_MUCH, 0.84, 3) == []


def test_markers_number_sources_in_order_of_first_use():
    a, b = hit("a"), hit("b")
    chosen = [scored("첫 문장.", 1.0, b), scored("둘째 문장.", 0.99, a), scored("셋째 문장.", 0.98, b)]
    answer = cite(WHAT, chosen, [a, b])
    assert answer.text == "첫 문장. [1] 둘째 문장. [2] 셋째 문장. [1]"
    assert [citation.chunk.slug for citation in answer.citations] == ["b", "a"]
    assert answer.retrieved == [a, b] and not answer.refused


def test_an_answer_starts_from_a_quote_sharing_a_word_with_the_question():
    """Cosines of e5 sit high for anything: a quote holding none of the question's words is no answer however it
    scores (`이번 주 AI 뉴스는 조용했습니다` for a baseball question). Once a quote shares one, the post's other quotes
    may follow on their score (a paraphrase item of the same post); a question in English shares no Korean word."""
    a, b = hit("a"), hit("b")
    unrelated = ScoredSentence("이번 주 소식은 조용했습니다.", b, 1.30, 0, shares_words=False)
    assert select_sentences([unrelated], WHAT, 0.84, 3) == []
    anchored = scored("Kaggle 대회가 열립니다.", 1.20, a)
    follower = ScoredSentence("상금은 크다고 합니다.", a, 1.18, 0, shares_words=False)
    chosen = select_sentences([unrelated, anchored, follower], WHAT, 0.84, 3)
    assert [item.text for item in chosen] == [anchored.text, follower.text]
    in_english = analyse_question("What is the Kaggle competition about?")
    assert select_sentences([unrelated], in_english, 0.84, 3) == [unrelated]


def test_scoring_marks_the_sentences_that_share_a_question_word():
    chunk = hit("a").chunk
    sentences = [Sentence("Kaggle 대회가 열립니다.", frozenset({"kaggle", "대회", "열리"}), 0),
                 Sentence("상금은 크다고 합니다.", frozenset({"상금", "크"}), 1)]
    store = SentenceStore({chunk.id: sentences}, {chunk.id: [0, 0, 2]}, np.eye(2, dtype=np.float32))
    evidence = Evidence(WHAT, np.array([0.5, 0.9], dtype=np.float32), [hit("a")], SimpleNamespace(sentences=store))
    shares = {item.text: item.shares_words for item in score_sentences(evidence)}
    assert shares == {"Kaggle 대회가 열립니다.": True, "상금은 크다고 합니다.": False}


def test_a_quote_from_a_section_that_does_not_name_the_questions_names_does_not_answer():
    question = analyse_question("Jakub Pachocki는 OpenAI에 몇 년도에 합류했어?")
    elsewhere = hit("a", text="OpenAI는 2015년에 설립되었습니다.")
    named = hit("b", text="Jakub Pachocki가 OpenAI의 새 수석 과학자가 되었습니다. 2017년 합류.")
    assert select_sentences([scored("OpenAI는 2015년에 설립되었습니다.", 1.3, elsewhere)], question, 0.84, 3) == []
    quoted = select_sentences([scored("OpenAI는 2015년에 설립되었습니다.", 1.3, elsewhere),
                               scored("2017년 합류.", 1.2, named)], question, 0.84, 3)
    assert [item.source.chunk.slug for item in quoted] == ["b"]


def test_several_post_questions_get_each_posts_best_quote_oldest_first():
    question = analyse_question("Kaggle 대회 얘기는 어느 글들에 나왔어?")
    assert question.many_posts
    newer, older = hit("new"), hit("old")
    newer = RetrievedChunk(chunk=Chunk(**{**newer.chunk.__dict__, "date": date(2024, 5, 9)}), score=0.0)
    chosen = select_sentences([
        scored("최근 글의 Kaggle 대회 문장입니다.", 1.30, newer),
        scored("최근 글의 다른 Kaggle 문장입니다.", 1.29, newer),
        scored("예전 글의 Kaggle 대회 문장입니다.", 1.30 - Weights().many_posts_margin + 0.01, older),
        scored("관련 적은 글의 문장입니다.", 1.30 - Weights().many_posts_margin - 0.01, hit("far")),
    ], question, 0.84, 3)
    assert [item.source.chunk.slug for item in chosen] == ["old", "new"]
    answer = cite(question, chosen, [])
    assert answer.text.splitlines()[0].startswith("2024-05-04: 예전 글") and answer.text.splitlines()[1].startswith("2024-05-09: ")


def test_a_short_passage_is_one_candidate_however_many_of_its_sentences_score():
    """Both sentences of a two-sentence item quote the whole item: it is scored once, at the better sentence,
    so the copy does not push another quote out of the answer-type check's depth."""
    item = [Sentence("상금은 대회 우승자에게 갑니다.", frozenset({"상금", "대회"}), 0),
            Sentence("총액은 100,000달러입니다.", frozenset({"총액"}), 0)]
    other = [Sentence("다른 대회 소식입니다.", frozenset({"대회"}), 0)]
    store = SentenceStore({"a#000": item, "b#000": other}, {"a#000": [0, 0, 2], "b#000": [0, 2, 1]},
                          np.eye(3, dtype=np.float32))
    query = np.array([0.9, 0.8, 0.5], dtype=np.float32)
    evidence = Evidence(HOW_MUCH, query, [hit("a"), hit("b")], SimpleNamespace(sentences=store))
    quotes = [(item.text, round(item.relevance, 2)) for item in score_sentences(evidence, Weights(lexical=0.0))]
    assert quotes == [("상금은 대회 우승자에게 갑니다. 총액은 100,000달러입니다.", 0.9), ("다른 대회 소식입니다.", 0.5)]


def test_below_the_check_depth_only_a_near_tie_of_the_best_is_added():
    a = hit("a")
    top = [scored(f"Kaggle 대회 소식 {n}번째 문장.", 1.00 - n * 0.001, a) for n in range(TYPE_CHECK_DEPTH)]
    near_tie = scored("참가 팀의 절반이 상위권입니다.", 1.00 - OTHER_POST_MARGIN + 0.001, a)
    same_post_only = scored("상금은 100,000달러입니다.", 1.00 - SELECTION_MARGIN + 0.01, a)
    chosen = select_sentences(top + [near_tie, same_post_only], HOW_MUCH, 0.84, limit=TYPE_CHECK_DEPTH + 2)
    assert [item.text for item in chosen] == [item.text for item in top] + [near_tie.text]


def test_quantity_nouns_answer_how_much():
    assert HOW_MUCH.accepts("참가 팀의 절반이 상위권입니다.") and HOW_MUCH.accepts("수백 명이 참가했습니다.")
    assert not HOW_MUCH.accepts("참가 팀이 상위권입니다.")
