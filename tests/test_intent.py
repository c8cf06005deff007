"""Which questions ask for a timeline, a digest or one answer: 30+ examples of each, near misses included."""

from datetime import date

import pytest

from rag.intent import classify, topic_terms
from rag.korean import analyse_question

ARCHIVE_DATES = [date(2024, 4, 26) + (date(2024, 4, 27) - date(2024, 4, 26)) * n for n in range(26)]

TIMELINES = [
    "xLSTM은 언제부터 언급됐어?",
    "GPT-4o 얘기가 나온 글들 날짜순으로 알려줘",
    "LMSYS 관련 소식을 다 정리해줘",
    "엔비디아가 처음 나온 게 언제야?",
    "Snowflake Arctic은 어느 글들에 나왔어?",
    "PaliGemma는 다이제스트에서 어떻게 다뤄졌어? 나온 글 다 알려줘",
    "Unsloth 관련 글 시간순으로 보여줘",
    "딥시크 얘기는 언제부터 나왔어?",
    "Claude 관련 소식 전부 알려줘",
    "Mistral 관련 글 타임라인 보여줘",
    "AlphaFold 3 얘기가 나온 글 모두 찾아줘",
    "Llama 3는 처음 언급된 게 언제야?",
    "WizardLM 관련 소식들 날짜순으로 정리해줘",
    "Invetech 얘기는 어느 글들에 나왔어?",
    "앤트로픽 관련 글을 순서대로 보여줘",
    "카멜레온 모델은 어떤 글들에서 다뤘어?",
    "Phi-3가 언급된 글을 다 알려줘",
    "OpenELM이 나온 날이 언제였지? 나온 글 다 보여줘",
    "Copilot이 몇 번 나왔어?",
    "Gemini 1.5 Pro 관련 히스토리 정리해줘",
    "Kaggle 관련 소식 모아줘",
    "Scale AI의 과적합 분석이 나온 글들 알려줘",
    "Meta 관련 글 날짜순",
    "xLSTM이 최초로 등장한 게 언제야?",
    "구글 I/O 관련 소식 다 정리해줘",
    "When was xLSTM first mentioned?",
    "Which posts covered GPT-4o?",
    "Show me the timeline of DeepSeek",
    "Mistral 얘기 얼마나 자주 나왔어?",
    "5월에 GPT-4o 관련 글 날짜순으로 보여줘",
    "OpenAI 관련 소식을 시간순으로 정리해줘",
]

DIGESTS = [
    "5월 둘째 주 요약해줘",
    "4월 말 다이제스트 정리해줘",
    "5월 첫째 주 뭐가 있었어?",
    "5월 13일부터 5월 17일까지 요약해줘",
    "5월 중순 주요 소식 알려줘",
    "요즘 무슨 일 있었어?",
    "최근 다이제스트 요약해줘",
    "5월 9일 글 요약해줘",
    "2024년 5월 셋째 주 브리핑 해줘",
    "5월 초 하이라이트 보여줘",
    "4월 다이제스트 정리",
    "5월 3일~9일 무슨 소식 있었어?",
    "이번 주 주요 뉴스 정리해줘",
    "5월 20일 다이제스트 요약",
    "5월 마지막 주 요약",
    "5월 둘째 주에는 어떤 소식이 있었어?",
    "최근 소식 정리해줘",
    "5월 14일에는 무슨 일이 있었어?",
    "2024-05-06부터 2024-05-12까지 정리해줘",
    "5월 하순 요약해줘",
    "4월 26일 글 정리해줘",
    "5월 초순 헤드라인 알려줘",
    "5월 둘째 주 다이제스트",
    "지난 다이제스트 요약해 줘",
    "5월 첫 주 주요 소식 요약",
    "summarize the latest digest",
    "5월 10일 뉴스 알려줘",
    "5월 셋째 주 하이라이트",
    "5월 2일 글 요약",
    "5월 중순에 뭐가 있었는지 정리해줘",
    "다이제스트 요약해줘",
]

QUESTIONS = [
    "5월 9일에 AlphaFold 3에 대해 뭐라고 했지?",  # date-scoped, about a topic: not a digest
    "Kaggle 대회 상금이 얼마였어?",
    "xLSTM 논문은 누가 공유했어?",
    "GPT-4o는 언제 나왔어?",  # when it was released, not when it was mentioned
    "TSMC가 새로 발표한 공정 노드는 언제부터 양산에 들어간대?",  # `언제부터` of the news, not of the posts
    "메타 카멜레온 모델을 처음 소개한 연구자가 누구야?",  # `처음 소개한` a person, not a first mention
    "xLSTM 논문 요약해줘",  # a summary of a topic is one answer
    "Snowflake Arctic의 경쟁사가 어디야?",
    "5월 13일 글에서 GPT-4o 데스크탑 앱에 대해 뭐라고 했어?",
    "Llama 3 70b는 어떤 모델보다 낫다고 나왔어?",
    "DeepSeek-V2는 전문가 수가 몇 개야?",
    "Gemini 1.5 Flash 가격은 얼마야?",
    "Which Chrome version is Gemini Nano supposed to ship in?",
    "What did the digest say about Gemini 1.5 Pro?",
    "엔비디아 4090이 통합 그래픽보다 나은 이유가 뭐였어?",
    "Multi-Head Latent Attention이 뭐야?",
    "5월 14일 글에서 Claude Opus가 어떤 작업에서 낫다고 했어?",
    "OpenELM을 두고 '꽤 공개적'이라고 평한 사람이 누구야?",
    "Unsloth가 지원 예정이라고 한 기능은?",
    "PDF에서 텍스트 뽑는 도구들이 뭐였어?",
    "AlphaFold 3는 어느 회사가 발표했어?",
    "4월 29일 글에 나온 Dolphin-2.9는 어떤 모델을 기반으로 나왔어?",
    "Copilot+ PC는 어떤 회사 제품이야?",
    "OpenAI 모델 스펙은 무엇을 명확히 해?",
    "Scale AI는 어떤 모델들이 과적합이라고 했어?",
    "LMSYS 대회 마감일은 언제야?",
    "AI 생성 레스토랑 리뷰가 통과한 테스트는?",
    "Prometheus 2는 어떤 베이스 모델을 기반으로 만들어졌어?",
    "GPT-4o 기능이 단계적으로 나온 걸 두고 어떤 얘기가 있었어?",
    "xLSTM은 어떤 모델과 비교해서 유리하다고 했어?",
    "Ilya Sutskever는 언제 OpenAI를 떠났어?",
]


@pytest.mark.parametrize("question", TIMELINES)
def test_timeline_questions(question):
    analysed = analyse_question(question, ARCHIVE_DATES)
    assert classify(analysed) == "timeline", topic_terms(analysed)


@pytest.mark.parametrize("question", DIGESTS)
def test_digest_questions(question):
    analysed = analyse_question(question, ARCHIVE_DATES)
    assert classify(analysed) == "digest", topic_terms(analysed)


@pytest.mark.parametrize("question", QUESTIONS)
def test_ordinary_questions(question):
    analysed = analyse_question(question, ARCHIVE_DATES)
    assert classify(analysed) == "question", topic_terms(analysed)


def test_each_kind_has_thirty_examples():
    assert min(len(TIMELINES), len(DIGESTS), len(QUESTIONS)) >= 30


@pytest.mark.parametrize(("question", "terms"), [
    ("GPT-4o 얘기가 나온 글들 날짜순으로 알려줘", ["GPT-4o"]),
    ("Gemini 1.5 Pro 관련 글 시간순으로", ["Gemini 1.5 Pro"]),
    ("Mistral 관련 글 타임라인 보여줘", ["Mistral"]),
    ("When was xLSTM first mentioned?", ["xLSTM"]),
    ("5월에 AlphaFold 3 관련 글 다 보여줘", ["AlphaFold 3"]),
])
def test_a_timeline_follows_the_names_not_the_request_words(question, terms):
    assert topic_terms(analyse_question(question, ARCHIVE_DATES)) == terms
