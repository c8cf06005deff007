"""Follow-up questions: rule-based carry-over and LLM rewriting (fake chat models), then retrieval."""

import os
import subprocess
import sys

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.runnables import RunnableLambda

from conftest import ROOT
from rag.errors import LLMError
from dataclasses import replace

from rag.conversation import ModelRewriter, Turn, carry_over_topic, rewrite_with_model
from rag.llm import LazyChatModel


def asked(question: str) -> Turn:
    return Turn(question=question, standalone=question, answer="")


@pytest.mark.parametrize(
    ("previous", "follow_up", "rewritten"),
    [
        ("xLSTM이 뭐야?", "그건 언제 나왔어?", "xLSTM 언제 나왔어?"),
        ("xLSTM이 뭐야?", "더 자세히 알려줘", "xLSTM 더 자세히 알려줘"),
        ("Kaggle 대회 상금이 얼마였어?", "거기서 누가 주최했어?", "Kaggle 대회 상금 누가 주최했어?"),
        ("Kaggle 대회가 있었어?", "거기 상금은 누가 걸었어?", "Kaggle 대회 상금은 누가 걸었어?"),
        ("Kaggle 대회 상금이 얼마였어?", "그 상금은 누가 걸었어?", "Kaggle 대회 상금은 누가 걸었어?"),
        ("5월 9일에 AlphaFold 3에 대해 뭐라고 했지?", "그 모델은 어디서 쓸 수 있어?", "5월 9일 AlphaFold 3 모델은 어디서 쓸 수 있어?"),
    ],
)
def test_a_follow_up_gets_the_previous_topic(previous, follow_up, rewritten):
    assert carry_over_topic(follow_up, [asked(previous)]) == rewritten


@pytest.mark.parametrize("question", ["Kaggle 대회 상금이 얼마였어?", "그럼 AlphaFold 3는?"])
def test_a_question_with_its_own_topic_is_left_alone(question):
    assert carry_over_topic(question, [asked("xLSTM이 뭐야?")]) == question


def test_the_topic_comes_from_the_searched_question_not_the_typed_one():
    history = [asked("xLSTM이 뭐야?"), Turn("그건 언제 나왔어?", "xLSTM 언제 나왔어?", "")]
    assert carry_over_topic("더 자세히", history) == "xLSTM 더 자세히"


def test_model_rewriting_uses_the_model_and_falls_back_to_the_rule():
    history = [Turn("xLSTM이 뭐야?", "xLSTM이 뭐야?", "xLSTM은 LSTM을 확장한 구조입니다 [1].")]
    model = FakeListChatModel(responses=["독립된 질문: \"xLSTM 논문은 언제 발표됐어?\"\n설명은 생략"])
    assert rewrite_with_model("그건 언제 나왔어?", history, LazyChatModel(lambda: model), max_chars=500) == "xLSTM 논문은 언제 발표됐어?"

    def broken(_messages):
        raise ConnectionError("down")

    def cannot_build():
        raise LLMError("no key", "RAG_LLM_API_KEY")

    for model in (
        RunnableLambda(broken),
        FakeListChatModel(responses=["가" * 600]),
        FakeListChatModel(responses=["대화 기록:\n사용자: xLSTM이 뭐야?"]),  # what Gemma 3 270M writes
        FakeListChatModel(responses=["오늘 날씨는 어때?"]),
    ):
        assert rewrite_with_model("그건 언제 나왔어?", history, LazyChatModel(lambda: model), 500) == "xLSTM 언제 나왔어?"
    assert rewrite_with_model("그건 언제 나왔어?", history, LazyChatModel(cannot_build), 500) == "xLSTM 언제 나왔어?"


def test_pipeline_rewrites_with_the_configured_llm_then_retrieves(real_pipeline):
    model = FakeListChatModel(responses=["AlphaFold 3는 누가 만들었어?"])
    pipeline = replace(real_pipeline, rewriter=ModelRewriter(LazyChatModel(lambda: model), max_chars=500))
    history = [Turn("xLSTM이 뭐야?", "xLSTM이 뭐야?", "…"), Turn("AlphaFold 3 얘기도 있었어?", "AlphaFold 3 얘기도 있었어?", "…")]
    standalone = pipeline.standalone_question("그건 누가 만들었어?", history)
    assert standalone == "AlphaFold 3는 누가 만들었어?"
    assert {hit.chunk.slug for hit in pipeline.evidence(standalone).hits[:2]} & {"daily-20240509", "daily-20240510"}
    assert pipeline.standalone_question("그건 누가 만들었어?", []) == "그건 누가 만들었어?"


def test_extractive_pipeline_carries_the_topic_and_answers_the_follow_up(real_pipeline):
    history = [Turn("Kaggle 대회가 있었어?", "Kaggle 대회가 있었어?", "…")]
    standalone = real_pipeline.standalone_question("거기 상금은 얼마야?", history)
    assert standalone == "Kaggle 대회 상금은 얼마야?"
    answer = real_pipeline.ask(standalone)
    assert "100,000" in answer.text and answer.citations


def test_chat_command_shows_the_rewritten_question(real_pipeline):
    env = {**os.environ, "RAG_INDEX_DIR": str(real_pipeline.settings.index_dir), "RAG_CONTENT_DIR": str(ROOT / "content")}
    result = subprocess.run(
        [sys.executable, "-m", "rag", "chat", "--no-stream"], cwd=ROOT, env=env, text=True, capture_output=True,
        input="xLSTM이 뭐야?\n그건 어디서 발표됐어?\n/new\n그건 어디서 발표됐어?\n", timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "답변: extractive" in result.stdout
    assert result.stdout.count("↳ 검색한 질문: xLSTM 어디서 발표됐어?") == 1  # not after /new
    assert "새 대화를 시작합니다." in result.stdout
    assert "Traceback" not in result.stderr
