"""The generating answerer with LangChain's fake chat models, over the real index."""

import re

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableLambda

from dataclasses import replace

from rag.errors import LLMError
from rag.generate import GeneratingAnswerer, context_sources
from rag.llm import LazyChatModel
from rag.messages import MODEL_DECLINED_NOTE, NOT_FOUND_ANSWER, UNCITED_WARNING, UNSUPPORTED_WARNING
from rag.records import Answer

QUESTION = "Kaggle 대회 상금이 얼마였어?"
TWO_SOURCES = "벤치마크 오염 문제에 대응하려는 시도로 어떤 것들이 소개됐어?"
"""Its extractive answer quotes two sections of the seed archive: the model is shown both."""


def fake_model(text: str):
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)]))


def answerer_for(pipeline, make_model) -> GeneratingAnswerer:
    return GeneratingAnswerer(LazyChatModel(make_model), pipeline.settings, name="fake")


def run(pipeline, answerer, question=QUESTION) -> tuple[list[str], Answer]:
    *pieces, answer = replace(pipeline, answerer=answerer).chain().stream(question)
    assert all(isinstance(piece, str) for piece in pieces) and isinstance(answer, Answer)
    return pieces, answer


def written_answer(pipeline, written: str, question=QUESTION) -> tuple[list[str], Answer]:
    """What the chain streams and answers when the model writes `written`."""
    return run(pipeline, answerer_for(pipeline, lambda: fake_model(written)), question)


def test_chain_streams_text_then_the_verified_answer(real_pipeline):
    sources = context_sources(real_pipeline.ask(TWO_SOURCES))
    assert len(sources) == 2
    first, second = (source.passages[0].split(". ")[0].rstrip(".") for source in sources)
    written = f"{second} [2]. {first} [1, 2]. 잘못된 표시 [8]."
    pieces, answer = written_answer(real_pipeline, written, TWO_SOURCES)
    assert len(pieces) > 5  # arrived word by word, not at the end
    assert "".join(pieces).strip() == answer.text
    assert answer.text == f"{second} [1]. {first} [1][2]. 잘못된 표시 ."
    assert [citation.chunk for citation in answer.citations] == [sources[1].hit.chunk, sources[0].hit.chunk]
    assert [citation.marker for citation in answer.citations] == [1, 2]
    assert answer.removed_markers == 1 and answer.warning is None and answer.error is None
    assert not answer.refused and answer.answerer == "fake"


def test_invoke_returns_the_same_answer_as_the_end_of_the_stream(real_pipeline):
    written = "상금은 100,000달러입니다 [1]."
    invoked = replace(real_pipeline, answerer=answerer_for(real_pipeline, lambda: fake_model(written))).chain().invoke(QUESTION)
    _, streamed = written_answer(real_pipeline, written)
    assert invoked == streamed


def test_an_answer_without_valid_markers_carries_a_warning(real_pipeline):
    _, answer = written_answer(real_pipeline, "오늘 기온은 25도입니다 [7].")
    assert answer.citations == [] and answer.removed_markers == 1
    assert answer.warning == UNCITED_WARNING and not answer.refused


def test_a_citation_of_an_unrelated_source_is_flagged(real_pipeline):
    sources = context_sources(real_pipeline.ask(TWO_SOURCES))
    claim = sources[0].passages[0].split(". ")[0]
    written = f"{claim} [1]. 이 대회에서 우승하면 세계 여행을 보내 준다고 합니다 [2]."
    _, answer = written_answer(real_pipeline, written, TWO_SOURCES)
    assert [citation.supported for citation in answer.citations] == [True, False]
    assert answer.warning == UNSUPPORTED_WARNING.format(markers="[2]")


@pytest.mark.parametrize("written", [NOT_FOUND_ANSWER, "[1]", "[1][2]", " . [2]", "【1】", "[L1]"])
def test_a_model_that_declines_gives_the_quotes_it_was_shown(real_pipeline, written):
    """The model's not-found sentence or bare markers are its refusal; the extractive answer it was given
    (which passed the calibrated relevance and answer-type checks) is shown instead, with a note."""
    pieces, answer = written_answer(real_pipeline, written)
    quoted = real_pipeline.ask(QUESTION)
    assert quoted.answerer == "extractive" and not quoted.refused
    assert answer.text == quoted.text and answer.citations == quoted.citations
    assert answer.answerer == "extractive" and answer.warning == MODEL_DECLINED_NOTE and not answer.refused
    assert "".join(pieces).strip() != answer.text  # what streamed was the model's; the interfaces show the final text


def test_an_answer_in_english_gives_the_quotes_it_was_shown(real_pipeline):
    """Readers are answered in Korean; a small model answers an English question in English, without markers."""
    written = "The prize of the Kaggle competition was 100,000 dollars."
    _, answer = written_answer(real_pipeline, written)
    assert answer.text == real_pipeline.ask(QUESTION).text and answer.warning == MODEL_DECLINED_NOTE


SEVERAL_POSTS = "벤치마크 얘기는 며칠에 걸쳐 나왔어?"
"""A question about several posts; its extractive answer quotes two posts, one dated line each."""


def test_an_answer_that_leaves_out_a_post_of_a_several_post_question_gives_the_quotes(real_pipeline):
    quoted = real_pipeline.ask(SEVERAL_POSTS)
    assert len({citation.chunk.slug for citation in quoted.citations}) == 2
    first, second = (citation.quotes[0].split(". ")[0] for citation in quoted.citations)
    dates = [citation.chunk.date.isoformat() for citation in quoted.citations]

    _, one_post = written_answer(real_pipeline, f"{dates[0]}: {first} [1].", SEVERAL_POSTS)
    assert one_post.text == quoted.text and one_post.warning == MODEL_DECLINED_NOTE
    _, both_posts = written_answer(real_pipeline, f"{dates[0]}: {first} [1]. {dates[1]}: {second} [2].", SEVERAL_POSTS)
    assert both_posts.answerer == "fake" and len(both_posts.citations) == 2 and both_posts.warning is None


def test_a_question_the_quotes_cannot_answer_is_refused_without_calling_the_model(real_pipeline):
    def no_model():
        raise AssertionError("the model must not be built")

    off_topic = "내일 서울 날씨는 어때?"
    assert real_pipeline.ask(off_topic).refused
    pieces, answer = run(real_pipeline, answerer_for(real_pipeline, no_model), off_topic)
    assert pieces == [NOT_FOUND_ANSWER] and answer.refused and answer.answerer == "fake"


def test_names_the_archive_never_mentions_are_refused_without_calling_the_model(real_pipeline):
    def no_model():
        raise AssertionError("the model must not be built")

    pieces, answer = run(real_pipeline, answerer_for(real_pipeline, no_model), "Claude 3.5 Sonnet은 언제 출시됐어?")
    assert pieces == [NOT_FOUND_ANSWER] and answer.refused


@pytest.mark.parametrize(
    ("error", "setting"),
    [
        (openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1")), "RAG_LLM_BASE_URL"),
        (openai.APITimeoutError(request=httpx.Request("POST", "http://127.0.0.1:9/v1")), "RAG_LLM_TIMEOUT"),
        (LLMError("RAG_LLM_MODEL_PATH: 모델 파일이 없습니다: /x.gguf", "RAG_LLM_MODEL_PATH"), "RAG_LLM_MODEL_PATH"),
    ],
)
def test_a_failing_model_gives_a_message_and_keeps_the_sources(real_pipeline, error, setting):
    def fail(_messages):
        raise error

    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: RunnableLambda(fail)))
    assert setting in answer.error and answer.retrieved and answer.citations == []


def test_a_model_that_cannot_be_built_gives_a_message(real_pipeline):
    def cannot_build():
        raise LLMError("RAG_LLM_API_KEY(또는 OPENAI_API_KEY)가 없습니다.")

    _, answer = run(real_pipeline, answerer_for(real_pipeline, cannot_build))
    assert "RAG_LLM_API_KEY" in answer.error and len(answer.retrieved) == real_pipeline.settings.top_k


def test_the_model_is_shown_the_quotes_of_the_extractive_answer(real_pipeline):
    prompts = []

    def record(messages):
        prompts.append(messages)
        return AIMessage(content="상금은 100,000달러입니다 [1].")

    run(real_pipeline, answerer_for(real_pipeline, lambda: RunnableLambda(record)))
    quoted = real_pipeline.ask(QUESTION)
    shown = prompts[0][-1].content.split("<자료>")[1].split("</자료>")[0]
    assert re.findall(r"^\[(\d+)\] 날짜: ", shown, re.MULTILINE) == [str(n) for n in range(1, len(quoted.citations) + 1)]
    assert all(f"- {quote}" in shown for citation in quoted.citations for quote in citation.quotes)
    assert "100,000" in shown.split("[2] 날짜:")[0]  # the prize sentence comes first
    assert sum(map(len, shown.splitlines())) < 1500  # passages, not whole sections


def test_a_sentence_without_a_marker_gets_the_source_it_comes_from(real_pipeline):
    written = "LMSYS가 Kaggle에서 여는 대회의 상금은 100,000달러입니다. 오늘 날씨는 맑습니다."
    _, answer = written_answer(real_pipeline, written)
    assert answer.text == "LMSYS가 Kaggle에서 여는 대회의 상금은 100,000달러입니다. [1] 오늘 날씨는 맑습니다."
    assert len(answer.citations) == 1 and answer.citations[0].attributed and answer.citations[0].supported
    assert "100,000" in answer.citations[0].chunk.text and answer.warning is None


