"""The generating answerer with LangChain's fake chat models, over the real index."""

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
from rag.messages import NOT_FOUND_ANSWER, UNCITED_WARNING, UNSUPPORTED_WARNING
from rag.records import Answer

QUESTION = "Kaggle 대회 상금이 얼마였어?"


def fake_model(text: str):
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)]))


def answerer_for(pipeline, make_model) -> GeneratingAnswerer:
    return GeneratingAnswerer(LazyChatModel(make_model), pipeline.settings, name="fake")


def run(pipeline, answerer, question=QUESTION) -> tuple[list[str], Answer]:
    *pieces, answer = replace(pipeline, answerer=answerer).chain().stream(question)
    assert all(isinstance(piece, str) for piece in pieces) and isinstance(answer, Answer)
    return pieces, answer


def test_chain_streams_text_then_the_verified_answer(real_pipeline):
    written = "LMSYS 대회 상금은 100,000달러입니다 [1]. Kaggle에서 열립니다 [1, 3]. 잘못된 표시 [8]."
    pieces, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(written)))
    assert len(pieces) > 5  # arrived word by word, not at the end
    assert "".join(pieces).strip() == answer.text
    assert answer.text == "LMSYS 대회 상금은 100,000달러입니다 [1]. Kaggle에서 열립니다 [1][2]. 잘못된 표시 ."
    shown = [source.hit.chunk for source in context_sources(real_pipeline.evidence(QUESTION))]
    assert [citation.chunk for citation in answer.citations] == [shown[0], shown[2]]
    assert [citation.marker for citation in answer.citations] == [1, 2]
    assert answer.removed_markers == 1 and answer.warning is None and answer.error is None
    assert not answer.refused and answer.answerer == "fake"


def test_invoke_returns_the_same_answer_as_the_end_of_the_stream(real_pipeline):
    written = "상금은 100,000달러입니다 [1]."
    invoked = replace(real_pipeline, answerer=answerer_for(real_pipeline, lambda: fake_model(written))).chain().invoke(QUESTION)
    _, streamed = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(written)))
    assert invoked == streamed


def test_an_answer_without_valid_markers_carries_a_warning(real_pipeline):
    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model("오늘 날씨는 맑습니다 [7].")))
    assert answer.citations == [] and answer.removed_markers == 1
    assert answer.warning == UNCITED_WARNING and not answer.refused


def test_a_citation_of_an_unrelated_source_is_flagged(real_pipeline):
    sources = context_sources(real_pipeline.evidence(QUESTION))
    unrelated = next(n for n, source in enumerate(sources, 1) if "100,000" not in source.text() and "여행" not in source.text())
    related = next(n for n, source in enumerate(sources, 1) if "100,000" in source.text())
    written = f"Kaggle 대회 상금은 100,000달러입니다 [{related}]. 이 대회에서 우승하면 세계 여행을 보내 준다고 합니다 [{unrelated}]."
    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(written)))
    assert [citation.supported for citation in answer.citations] == [True, False]
    assert answer.warning == UNSUPPORTED_WARNING.format(markers="[2]")


def test_the_not_found_answer_is_a_refusal_without_warning(real_pipeline):
    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(NOT_FOUND_ANSWER)))
    assert answer.refused and answer.warning is None and answer.citations == []


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


def test_model_context_is_the_best_passages_of_the_retrieved_sections(real_pipeline):
    evidence = real_pipeline.evidence(QUESTION)
    sources = context_sources(evidence)
    passages = [passage for source in sources for passage in source.passages]
    assert 0 < len(passages) <= 6 and sum(map(len, passages)) <= 1500
    assert {source.hit.chunk.id for source in sources} <= {hit.chunk.id for hit in evidence.hits}
    assert all(passage in " ".join(source.hit.chunk.text.split()) or len(source.passages) for source in sources
               for passage in source.passages)
    assert "100,000" in sources[0].text()  # the prize sentence comes first


def test_a_sentence_without_a_marker_gets_the_source_it_comes_from(real_pipeline):
    written = "LMSYS가 Kaggle에서 여는 대회의 상금은 100,000달러입니다. 오늘 날씨는 맑습니다."
    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(written)))
    assert answer.text == "LMSYS가 Kaggle에서 여는 대회의 상금은 100,000달러입니다. [1] 오늘 날씨는 맑습니다."
    assert len(answer.citations) == 1 and answer.citations[0].attributed and answer.citations[0].supported
    assert "100,000" in answer.citations[0].chunk.text and answer.warning is None


@pytest.mark.parametrize("written", ["[1]", "[1][2]", " . [2]", "【1】"])
def test_an_answer_of_bare_markers_is_the_refusal(real_pipeline, written):
    _, answer = run(real_pipeline, answerer_for(real_pipeline, lambda: fake_model(written)))
    assert answer.refused and answer.text == NOT_FOUND_ANSWER and answer.citations == []
